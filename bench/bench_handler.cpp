// One signed Encrypt request through the Volcengine adapter in-process (verify signature,
// throttle, parse, engine, AES-GCM, envelope), with the bare AES-GCM seal as the peer it is
// compared to: the ratio is what the protocol layers cost on top of the cryptography.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "protocol/encoding.hpp"
#include "protocol/volcengine/signer.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/volcengine/adapter.hpp"

namespace {

using namespace kmsconf;

struct Rig {
  Rig()
      : clock(std::make_shared<engine::SystemClock>()),
        kms(server::volcengine::engine_options(clock)),
        throttler(unthrottled(), clock),
        adapter(kms, credentials(), throttler, {}) {
    engine::Scope scope{"2100042018", "cn-beijing"};
    engine::CreateKeyringRequest ring;
    ring.name = "bench";
    kms.create_keyring(scope, ring);
    engine::CreateKeyRequest key;
    key.keyring_name = "bench";
    key.name = "key";
    key_id = kms.create_key(scope, key).id;
  }

  static server::QuotaConfig unthrottled() {
    server::QuotaConfig q;
    q.default_quota = {1e12, 1e12};
    return q;
  }

  static const server::CredentialStore& credentials() {
    static const server::CredentialStore store = [] {
      server::CredentialStore s;
      s.add({"AKBENCH", "bench-secret", "2100042018", {"*"}, ""});
      return s;
    }();
    return store;
  }

  HttpRequest encrypt_request(const std::string& plaintext) const {
    HttpRequest request;
    request.method = "POST";
    request.raw_query = "Action=Encrypt&Version=2021-02-18";
    request.headers["Host"] = "127.0.0.1";
    request.headers["Content-Type"] = "application/json; charset=utf-8";
    request.body =
        nlohmann::json{{"KeyID", key_id}, {"Plaintext", base64_encode(plaintext)}}.dump();
    volcengine::SignOptions sign;
    sign.region = "cn-beijing";
    volcengine::sign_request(request, {"AKBENCH", "bench-secret", ""}, sign);
    return request;
  }

  std::shared_ptr<engine::SystemClock> clock;
  engine::Engine kms;
  server::Throttler throttler;
  server::volcengine::Adapter adapter;
  std::string key_id;
};

void BM_EncryptThroughAdapter(benchmark::State& state) {
  Rig rig;
  HttpRequest request = rig.encrypt_request(std::string(static_cast<size_t>(state.range(0)), 'x'));
  for (auto _ : state) {
    HttpResponse response = rig.adapter.handle(request);
    if (response.status != 200) state.SkipWithError("Encrypt failed");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_EncryptThroughAdapter)
    ->Arg(64)
    ->Arg(3072);  // 3072 bytes = the 4096-character base64 limit

void BM_AesGcmSealPeer(benchmark::State& state) {
  auto key = engine::crypto::generate(engine::KeySpec::Aes256);
  std::string plaintext(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto sealed = engine::crypto::aes_gcm_seal(*key, plaintext, "");
    benchmark::DoNotOptimize(sealed);
  }
}
BENCHMARK(BM_AesGcmSealPeer)->Arg(64)->Arg(3072);  // 3072 bytes = the 4096-character base64 limit

}  // namespace

BENCHMARK_MAIN();
