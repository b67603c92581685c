// Cost of Volcengine request signing (load generator side) and verification (server side).
#include <benchmark/benchmark.h>

#include "protocol/volcengine/signer.hpp"
#include "protocol/volcengine/signing_key_cache.hpp"

namespace {

using kmsconf::HttpRequest;
using namespace kmsconf::volcengine;

constexpr char kAccessKeyId[] = "AKLTYmVuY2gtYWNjZXNzLWtleQ";
constexpr char kSecret[] = "YmVuY2gtc2VjcmV0LW5vdC1yZWFs";

// A typical small Encrypt call: 32 bytes of plaintext in a JSON body.
HttpRequest small_post() {
  HttpRequest request;
  request.method = "POST";
  request.raw_query = "Action=Encrypt&Version=2021-02-18";
  request.headers["Content-Type"] = "application/json; charset=utf-8";
  request.body = R"({"KeyID":"39a0e7c6-b7dd-4c83-b400-3449bb95403a",)"
                 R"("Plaintext":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="})";
  return request;
}

SignOptions options_for(SignerStyle style) {
  SignOptions options;
  options.region = "cn-beijing";
  options.x_date = "20241219T130940Z";  // fixed, so every iteration does the same work
  options.style = style;
  if (style == SignerStyle::Go) options.host = "kms.cn-beijing.volcengineapi.com";
  return options;
}

void sign_small_post(benchmark::State& state, SignerStyle style) {
  const HttpRequest unsigned_request = small_post();
  const Credentials credentials{kAccessKeyId, kSecret, ""};
  const SignOptions options = options_for(style);
  for (auto _ : state) {
    HttpRequest request = unsigned_request;  // signing mutates; start fresh each time
    benchmark::DoNotOptimize(sign_request(request, credentials, options));
  }
}

// Arg 1: the derived signing key comes from the per-thread cache; 0: derived every time.
void set_cache(benchmark::State& state) {
  set_signing_key_cache_enabled(state.range(0) != 0);
}

void BM_SignNode(benchmark::State& state) {
  set_cache(state);
  sign_small_post(state, SignerStyle::Node);
}
void BM_SignGo(benchmark::State& state) {
  set_cache(state);
  sign_small_post(state, SignerStyle::Go);
}

void verify_small_post(benchmark::State& state, SignerStyle style) {
  set_cache(state);
  HttpRequest request = small_post();
  sign_request(request, {kAccessKeyId, kSecret, ""}, options_for(style));
  const SecretLookup lookup = [](std::string_view) { return std::optional<std::string>(kSecret); };
  VerifyOptions options;
  options.check_timestamp = false;
  for (auto _ : state) {
    auto result = verify_request(request, lookup, options);
    if (!std::holds_alternative<VerifiedCaller>(result)) state.SkipWithError("rejected");
    benchmark::DoNotOptimize(result);
  }
}

void BM_VerifyNodeSigned(benchmark::State& state) {
  verify_small_post(state, SignerStyle::Node);
}
void BM_VerifyGoSigned(benchmark::State& state) {
  verify_small_post(state, SignerStyle::Go);
}

}  // namespace

BENCHMARK(BM_SignNode)->ArgName("key_cache")->Arg(0)->Arg(1);
BENCHMARK(BM_SignGo)->ArgName("key_cache")->Arg(0)->Arg(1);
BENCHMARK(BM_VerifyNodeSigned)->ArgName("key_cache")->Arg(0)->Arg(1);
BENCHMARK(BM_VerifyGoSigned)->ArgName("key_cache")->Arg(0)->Arg(1);

BENCHMARK_MAIN();
