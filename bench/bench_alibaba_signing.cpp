// Cost of Alibaba request signing (load generator side: V1 HMAC-SHA1 in both SDK placements, V3
// ACS3-HMAC-SHA256) and verification (server side), plus the server's replay guard.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/alibaba/signer.hpp"
#include "reference_server/alibaba/nonce_cache.hpp"

namespace {

using kmsconf::HttpRequest;
using namespace kmsconf::alibaba;

const Credentials kCredentials{"LTAI5tBenchAccessKeyId", "YmVuY2gtc2VjcmV0LW5vdC1yZWFs", ""};
constexpr char kHost[] = "kms.cn-hangzhou.aliyuncs.com";
constexpr char kTimestamp[] = "2024-05-01T12:34:56Z";  // fixed: every iteration does the same work
constexpr char kBody[] =
    "KeyId=05754286-3ba2-4fa6-8d41-4323aca6f8a1&Plaintext=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNk"
    "ZWY%3D&EncryptionContext=%7B%22tenant%22%3A%22bench%22%7D";

// A typical small Encrypt call: 32 bytes of plaintext and a context, as a form body.
HttpRequest small_encrypt() {
  HttpRequest request;
  request.method = "POST";
  request.headers["Host"] = kHost;
  request.body = kBody;
  return request;
}

V1SignOptions v1_options(V1Placement placement) {
  V1SignOptions options;
  options.action = "Encrypt";
  options.timestamp = kTimestamp;
  options.nonce = "c0ffee00-1234-4abc-8def-0123456789ab";
  options.placement = placement;
  return options;
}

V3SignOptions v3_options() {
  V3SignOptions options;
  options.action = "Encrypt";
  options.date = kTimestamp;
  options.nonce = "3f2a9c8b7d6e5f4a3b2c1d0e9f8a7b6c";
  options.host = kHost;
  return options;
}

void sign_v1_with(benchmark::State& state, V1Placement placement) {
  const HttpRequest unsigned_request = small_encrypt();
  const V1SignOptions options = v1_options(placement);
  for (auto _ : state) {
    HttpRequest request = unsigned_request;  // signing mutates; start fresh each time
    benchmark::DoNotOptimize(sign_v1(request, kCredentials, options));
  }
}

void BM_SignV1PopCore(benchmark::State& state) {
  sign_v1_with(state, V1Placement::PopCore);
}
void BM_SignV1Tea(benchmark::State& state) {
  sign_v1_with(state, V1Placement::Tea);
}

void BM_SignV3(benchmark::State& state) {
  const HttpRequest unsigned_request = small_encrypt();
  const V3SignOptions options = v3_options();
  for (auto _ : state) {
    HttpRequest request = unsigned_request;
    benchmark::DoNotOptimize(sign_v3(request, kCredentials, options));
  }
}

void verify_signed(benchmark::State& state, const HttpRequest& request) {
  const SecretLookup lookup = [](std::string_view) {
    return std::optional<std::string>(kCredentials.access_key_secret);
  };
  VerifyOptions options;
  options.check_timestamp = false;
  for (auto _ : state) {
    auto result = verify_request(request, lookup, options);
    if (!std::holds_alternative<VerifiedCaller>(result)) state.SkipWithError("rejected");
    benchmark::DoNotOptimize(result);
  }
}

void BM_VerifyV1(benchmark::State& state) {
  HttpRequest request = small_encrypt();
  sign_v1(request, kCredentials, v1_options(V1Placement::PopCore));
  verify_signed(state, request);
}

void BM_VerifyV3(benchmark::State& state) {
  HttpRequest request = small_encrypt();
  sign_v3(request, kCredentials, v3_options());
  verify_signed(state, request);
}

// One fresh nonce per call against a cache already holding `range(0)` pairs.
void BM_NonceCacheRecord(benchmark::State& state) {
  kmsconf::server::alibaba::NonceCache cache;
  const auto now = std::chrono::system_clock::now();
  const auto prefill = state.range(0);
  for (int64_t i = 0; i < prefill; ++i) cache.seen_or_record("ak", std::to_string(-1 - i), now);
  int64_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cache.seen_or_record("ak", std::to_string(next++), now));
  }
}

}  // namespace

BENCHMARK(BM_SignV1PopCore);
BENCHMARK(BM_SignV1Tea);
BENCHMARK(BM_SignV3);
BENCHMARK(BM_VerifyV1);
BENCHMARK(BM_VerifyV3);
BENCHMARK(BM_NonceCacheRecord)->Arg(0)->Arg(100000);

BENCHMARK_MAIN();
