// The load generator's send path, piece by piece: building and signing one Encrypt per dialect
// (Volcengine with and without the signing-key cache) and reading an answer into its outcome.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "client/dialect.hpp"
#include "protocol/volcengine/signing_key_cache.hpp"

namespace {

using namespace kmsconf;

const client::Credentials kCredentials{"AKLTYmVuY2gtYWNjZXNzLWtleQ", "YmVuY2gtc2VjcmV0LW5vdC1yZWFs",
                                       ""};

nlohmann::json encrypt_params(DialectId id) {
  const char* key_param = id == DialectId::Volcengine ? "KeyID" : "KeyId";
  return {{key_param, "39a0e7c6-b7dd-4c83-b400-3449bb95403a"},
          {"Plaintext", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
          {"EncryptionContext", {{"kmsconf", "load"}}}};
}

// Arg 0: the dialect; arg 1: the Volcengine signing-key cache on (1) or off (0).
void BM_BuildSignedEncrypt(benchmark::State& state) {
  const auto id = static_cast<DialectId>(state.range(0));
  volcengine::set_signing_key_cache_enabled(state.range(1) != 0);
  const auto& dialect = client::descriptor(id);
  const auto params = encrypt_params(id);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        dialect.build({"Encrypt", params, kCredentials, dialect.default_region, "127.0.0.1:8080"}));
  }
  state.SetLabel(std::string(dialect.name));
  volcengine::set_signing_key_cache_enabled(true);
}
BENCHMARK(BM_BuildSignedEncrypt)
    ->ArgNames({"dialect", "key_cache"})
    ->Args({static_cast<int>(DialectId::Volcengine), 0})
    ->Args({static_cast<int>(DialectId::Volcengine), 1})
    ->Args({static_cast<int>(DialectId::Alibaba), 1});

HttpResponse answer_of(DialectId id, bool throttled) {
  HttpResponse r;
  r.headers["Content-Type"] = "application/json";
  if (id == DialectId::Volcengine) {
    r.status = throttled ? 403 : 200;
    r.body =
        throttled
            ? R"({"ResponseMetadata":{"RequestId":"r","Action":"Encrypt","Version":"2021-02-18",)"
              R"("Service":"kms","Region":"cn-beijing","Error":{"Code":"Reject.Throttling.Action",)"
              R"("Message":"The request of Action: Encrypt upper limit is exceeded."}}})"
            : R"({"ResponseMetadata":{"RequestId":"r","Action":"Encrypt","Version":"2021-02-18",)"
              R"("Service":"kms","Region":"cn-beijing"},"Result":{"CiphertextBlob":)"
              R"("a2V5LWlkOmJsb2ItYmxvYi1ibG9iLWJsb2ItYmxvYi1ibG9i"}})";
  } else {
    r.status = throttled ? 429 : 200;
    r.body = throttled ? R"({"RequestId":"r","HostId":"kms","Code":"Rejected.Throttling",)"
                         R"("Message":"The QPS upper limit is exceeded."})"
                       : R"({"RequestId":"r","KeyId":"k","KeyVersionId":"v",)"
                         R"("CiphertextBlob":"a2V5LWlkOmJsb2ItYmxvYi1ibG9iLWJsb2ItYmxvYi1ibG9i"})";
  }
  return r;
}

// Arg 0: the dialect; arg 1: a throttled answer (1) or a success (0).
void BM_ClassifyAnswer(benchmark::State& state) {
  const auto id = static_cast<DialectId>(state.range(0));
  const auto& dialect = client::descriptor(id);
  const HttpResponse response = answer_of(id, state.range(1) != 0);
  const auto expected =
      state.range(1) != 0 ? client::AnswerClass::Throttled : client::AnswerClass::Ok;
  for (auto _ : state) {
    auto answer = dialect.parse(response);
    if (!answer || client::classify(dialect, *answer) != expected) {
      state.SkipWithError("misclassified");
      break;
    }
  }
  state.SetLabel(std::string(dialect.name));
}
BENCHMARK(BM_ClassifyAnswer)
    ->ArgNames({"dialect", "throttled"})
    ->Args({static_cast<int>(DialectId::Volcengine), 0})
    ->Args({static_cast<int>(DialectId::Volcengine), 1})
    ->Args({static_cast<int>(DialectId::Alibaba), 0})
    ->Args({static_cast<int>(DialectId::Alibaba), 1});

}  // namespace

BENCHMARK_MAIN();
