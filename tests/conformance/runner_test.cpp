// The runner end to end. Cases written inline run against the in-process reference server
// (both dialects) and pass; against a scripted fake KMS each predicate, status, code and message
// check fails with a precise message; engine failures (refused, reset, garbage, stall, a
// non-envelope answer) are Errors within their bounds; expected failures, features, Skip,
// cleanup, retries, exit codes, redaction and the sweeper behave as docs/case-format.md says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "client/alibaba_client.hpp"
#include "client/volcengine_client.hpp"
#include "conformance/console.hpp"
#include "conformance/results.hpp"
#include "conformance/runner.hpp"
#include "conformance/templates.hpp"
#include "reference_server/reference_server.hpp"
#include "tests/conformance/fake_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::Case;
using conformance::CaseResult;
using conformance::Outcome;
using conformance::RunOptions;
using conformance::RunReport;
using conformance::Step;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using S = StepBuilder;
using namespace std::chrono_literals;

constexpr const char* kAk = "AKLTrunnertest0000001";
constexpr const char* kSk = "runner-test-secret-value-123";

// Options for a run against a given URL with known credentials.
RunOptions remote(const std::string& url, const std::string& dialect = "volcengine") {
  RunOptions o;
  o.dialects = {dialect};
  o.endpoint = url;
  o.credentials[dialect] = {kAk, kSk, ""};
  o.jobs = 2;
  o.timeout = 2000ms;
  // These tests are about what cases do with a fake's answers; the preflight has its own tests
  // (gate_test.cpp), and fakes script only the calls of the cases.
  o.preflight = false;
  return o;
}

const CaseResult& result_of(const RunReport& report, const std::string& id) {
  for (const auto& r : report.results) {
    if (r.id == id) return r;
  }
  throw std::runtime_error("no result for " + id);
}

std::string outcomes(const RunReport& report) {
  std::string out;
  for (const auto& r : report.results) {
    out += r.id + "=" + std::string(to_string(r.outcome)) + " " + r.message + "\n";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// In-process reference servers: well-formed cases pass

std::vector<Case> volcengine_suite() {
  auto auth = [](std::function<void(conformance::AuthOverride&)> f) { return f; };
  return {
      make_case("volc.roundtrip", "volcengine",
                {S("CreateKeyring", {{"KeyringName", "{{run_prefix}}-ring"}})
                     .capture("ring_id", "Result.Keyring.ID"),
                 S("CreateKey", {{"KeyringName", "{{run_prefix}}-ring"},
                                 {"KeyName", "{{run_prefix}}-key"},
                                 {"Description", "made by {{run_prefix}}"}})
                     .status(200)
                     .code("")
                     .body("Result.Key.KeyName", "equals", "{{run_prefix}}-key")
                     .body("Result.Key.KeyState", "equals", "Enable")
                     .body("Result.Key.ID", "type", "string")
                     .body("Result.Key.CreationDate", "epoch_seconds", true)
                     .body("Result.Key", "shape",
                           {{"type", "object"}, {"required", {"ID", "KeyName", "KeyState"}}})
                     .capture("key_id", "Result.Key.ID"),
                 S("Encrypt", {{"KeyID", "{{key_id}}"}, {"Plaintext", "{{b64:hello}}"}})
                     .body("Result.CiphertextBlob", "base64", true)
                     .capture("blob", "Result.CiphertextBlob"),
                 S("Decrypt", {{"CiphertextBlob", "{{blob}}"}})
                     .body("Result.Plaintext", "equals", "{{b64:hello}}"),
                 S("DescribeKeyrings")
                     .placement(conformance::Placement::Query)
                     .body("Result.Keyrings", "type", "array")},
                {S("ScheduleKeyDeletion", {{"KeyID", "{{key_id}}"}, {"PendingWindowInDays", 7}})},
                {"keys", "crypto"}),
      make_case("volc.auth.wrong-secret", "volcengine",
                {S("DescribeKeyrings")
                     .auth(auth([](auto& a) { a.secret = "wrong"; }))
                     .status(401)
                     .code("SignatureDoesNotMatch")},
                {}, {"auth"}),
      make_case("volc.auth.unknown-key", "volcengine",
                {S("DescribeKeyrings")
                     .auth(auth([](auto& a) { a.access_key_id = "AKLTunknown"; }))
                     .status(401)
                     .code("InvalidAccessKey")
                     .message_matches("AKLTunknown")},
                {}, {"auth"}),
      make_case("volc.auth.stale", "volcengine",
                {S("DescribeKeyrings")
                     .auth(auth([](auto& a) { a.time_offset = std::chrono::seconds(-3600); }))
                     .status(403)
                     .code("InvalidTimestamp")},
                {}, {"auth"}),
      make_case("volc.auth.unsigned", "volcengine",
                {S("DescribeKeyrings")
                     .auth(auth([](auto& a) { a.unsigned_request = true; }))
                     .status(401)
                     .code("MissingAuthenticationToken")},
                {}, {"auth"}),
      make_case("volc.auth.tampered-body", "volcengine",
                {S("DescribeKeyrings", {{"PageSize", 10}})
                     .auth(auth([](auto& a) { a.tamper = "body"; }))
                     .status(401)
                     .code("SignatureDoesNotMatch")},
                {}, {"auth"}),
      make_case("volc.auth.go-signer", "volcengine",
                {S("DescribeKeyrings").auth(auth([](auto& a) { a.signing = "go"; })).code("")}, {},
                {"auth"}),
      make_case("volc.region.shanghai", "volcengine",
                {S("DescribeKeyrings").region("cn-shanghai").status(200)}, {}, {"regions"}),
      make_case("volc.key.not-found", "volcengine",
                {S("DescribeKey", {{"KeyID", "{{uuid}}"}}).status(404).code("Not Found")}, {},
                {"errors"}),
  };
}

std::vector<Case> alibaba_suite() {
  auto auth = [](std::function<void(conformance::AuthOverride&)> f) { return f; };
  return {
      make_case("ali.roundtrip", "alibaba",
                {S("CreateKey", {{"Description", "made by {{run_prefix}}"}})
                     .body("KeyMetadata.KeyId", "type", "string")
                     .body("KeyMetadata.KeyState", "equals", "Enabled")
                     .body("KeyMetadata.Description", "matches", "made by kc-.*")
                     .capture("key_id", "KeyMetadata.KeyId"),
                 S("Encrypt", {{"KeyId", "{{key_id}}"}, {"Plaintext", "{{b64:hello}}"}})
                     .capture("blob", "CiphertextBlob"),
                 S("Decrypt", {{"CiphertextBlob", "{{blob}}"}})
                     .body("Plaintext", "equals", "{{b64:hello}}")
                     .body("KeyId", "equals", "{{key_id}}")},
                {S("ScheduleKeyDeletion", {{"KeyId", "{{key_id}}"}, {"PendingWindowInDays", 7}})},
                {"keys", "crypto"}),
      make_case("ali.signers", "alibaba",
                {S("ListKeys").auth(auth([](auto& a) { a.signing = "v1"; })).code(""),
                 S("ListKeys").auth(auth([](auto& a) { a.signing = "v1-tea"; })).code(""),
                 S("ListKeys").auth(auth([](auto& a) { a.signing = "v3"; })).code(""),
                 S("ListKeys").placement(conformance::Placement::Query).code(""),
                 S("ListKeys").placement(conformance::Placement::FormBody).code("")},
                {}, {"auth"}),
      make_case("ali.auth.wrong-secret", "alibaba",
                {S("ListKeys")
                     .auth(auth([](auto& a) { a.secret = "wrong"; }))
                     .status(400)
                     .code("SignatureDoesNotMatch")},
                {}, {"auth"}),
      make_case("ali.auth.unknown-key", "alibaba",
                {S("ListKeys")
                     .auth(auth([](auto& a) { a.access_key_id = "LTAIunknown"; }))
                     .status(404)
                     .code("InvalidAccessKeyId.NotFound")},
                {}, {"auth"}),
      make_case("ali.auth.expired", "alibaba",
                {S("ListKeys")
                     .auth(auth([](auto& a) { a.time_offset = std::chrono::seconds(3600); }))
                     .status(400)
                     .code("InvalidTimeStamp.Expired")},
                {}, {"auth"}),
      make_case("ali.auth.replay", "alibaba",
                {S("ListKeys"), S("ListKeys")
                                    .auth(auth([](auto& a) { a.replay = true; }))
                                    .status(400)
                                    .code("SignatureNonceUsed")},
                {}, {"auth"}),
      make_case(
          "ali.key.not-found", "alibaba",
          {S("DescribeKey", {{"KeyId", "{{uuid}}"}}).status(404).code("Forbidden.KeyNotFound")}, {},
          {"errors"}),
  };
}

TEST(RunnerInProcess, VolcengineCasesPass) {
  RunOptions o;
  o.dialects = {"volcengine"};
  o.jobs = 4;
  RunReport report = conformance::run(volcengine_suite(), o);
  ASSERT_EQ(report.results.size(), volcengine_suite().size());
  for (const auto& r : report.results) {
    EXPECT_EQ(r.outcome, Outcome::Pass) << r.id << ": " << r.message;
  }
  EXPECT_EQ(report.endpoint, "in-process");
  EXPECT_THAT(report.run_prefix, StartsWith("kc-"));
  EXPECT_EQ(conformance::exit_code(report), 0);
  const CaseResult& roundtrip = result_of(report, "volc.roundtrip");
  // The operations the case checks; CreateKeyring is setup (no expectation) and is not counted.
  EXPECT_EQ(roundtrip.actions,
            (std::vector<std::string>{"CreateKey", "Encrypt", "Decrypt", "DescribeKeyrings"}));
  ASSERT_EQ(roundtrip.exchanges.size(), 6u);  // five steps and the cleanup
  EXPECT_EQ(roundtrip.exchanges.back().step, "cleanup[0] ScheduleKeyDeletion");
  EXPECT_EQ(roundtrip.exchanges.back().status, 200);
}

TEST(RunnerInProcess, AlibabaCasesPass) {
  RunOptions o;
  o.dialects = {"alibaba"};
  o.jobs = 3;
  RunReport report = conformance::run(alibaba_suite(), o);
  ASSERT_EQ(report.results.size(), alibaba_suite().size());
  for (const auto& r : report.results) {
    EXPECT_EQ(r.outcome, Outcome::Pass) << r.id << ": " << r.message;
  }
  EXPECT_EQ(result_of(report, "ali.roundtrip").exchanges.back().status, 200);
}

TEST(RunnerInProcess, BothDialectsInOneRunAndOnlySelectedOnes) {
  std::vector<Case> cases = volcengine_suite();
  for (auto& c : alibaba_suite()) cases.push_back(c);
  RunOptions o;
  o.jobs = 4;
  o.tags = {"errors"};
  RunReport report = conformance::run(cases, o);
  ASSERT_EQ(report.results.size(), 2u) << outcomes(report);
  EXPECT_EQ(report.results[0].id, "volc.key.not-found");  // input order kept
  EXPECT_EQ(report.results[1].id, "ali.key.not-found");
  EXPECT_EQ(report.count(Outcome::Pass), 2u) << outcomes(report);

  o.tags = {};
  o.filters = {"*.auth.wrong-*"};
  report = conformance::run(cases, o);
  ASSERT_EQ(report.results.size(), 2u);
  EXPECT_EQ(report.count(Outcome::Pass), 2u) << outcomes(report);
}

// Parallel cases creating the same names get distinct run prefixes and never collide.
TEST(RunnerInProcess, ParallelCasesAreIsolatedByPrefix) {
  std::vector<Case> cases;
  for (int i = 0; i < 12; ++i) {
    cases.push_back(make_case(
        "volc.same-names." + std::to_string(i), "volcengine",
        {S("CreateKeyring", {{"KeyringName", "{{run_prefix}}-ring"}}),
         S("CreateKey", {{"KeyringName", "{{run_prefix}}-ring"}, {"KeyName", "{{run_prefix}}-k"}})
             .code("")
             .capture("key_id", "Result.Key.ID")},
        {S("ScheduleKeyDeletion", {{"KeyID", "{{key_id}}"}})}));
  }
  RunOptions o;
  o.dialects = {"volcengine"};
  o.jobs = 4;
  RunReport report = conformance::run(cases, o);
  EXPECT_EQ(report.count(Outcome::Pass), cases.size()) << outcomes(report);
}

// In-process wiring of features: the well-known test credentials are known to the server, cases
// needing low quotas get a throttled server of their own, the fault hook is on, and what
// in-process cannot provide (sts-credentials) is Disabled by default.
TEST(RunnerInProcess, FeatureWiring) {
  conformance::Retry burst;
  burst.until = {{"ResponseMetadata.Error.Code", "equals", "Reject.Throttling.Action", ""}};
  burst.attempts = 100;
  burst.interval = 10ms;
  Case denied = make_case("volc.denied", "volcengine",
                          {S("DescribeKeyrings")
                               .auth([](auto& a) {
                                 a.access_key_id = "AKLTkmsconfDenied";
                                 a.secret = "kmsconf-denied-secret-0123456789abcdef";
                               })
                               .status(403)
                               .code("AccessDenied"),
                           S("DescribeRegions")
                               .auth([](auto& a) {
                                 a.access_key_id = "AKLTkmsconfDenied";
                                 a.secret = "kmsconf-denied-secret-0123456789abcdef";
                               })
                               .status(200)});
  denied.features = {"test-credentials"};
  Case closed = make_case("volc.closed", "volcengine",
                          {S("DescribeKeyrings")
                               .auth([](auto& a) {
                                 a.access_key_id = "AKLTkmsconfClosed";
                                 a.secret = "kmsconf-closed-secret-0123456789abcdef";
                               })
                               .code("KMS_ServiceNotOpen")});
  closed.features = {"test-credentials"};
  Case throttled =
      make_case("volc.throttled", "volcengine",
                {S("DescribeRegions").retry(burst).status(403).code("Reject.Throttling.Action")});
  throttled.features = {"low-quota-throttling"};
  // Other cases keep the normal quota meanwhile.
  Case unthrottled =
      make_case("volc.unthrottled", "volcengine", {S("DescribeRegions").retry(burst).status(200)});
  // The fault hook is on for in-process servers: the header gets the catch-all 500, and a
  // request without it is answered normally by the same server.
  Case fault =
      make_case("volc.fault", "volcengine",
                {S("DescribeKeyrings")
                     .auth([](auto& a) { a.extra_headers["X-Kmsconf-Fault"] = "UndefinedError"; })
                     .status(500)
                     .code("UndefinedError"),
                 S("DescribeKeyrings").status(200)});
  fault.features = {"fault-injection"};
  Case sts = make_case("volc.sts", "volcengine", {S("DescribeKeyrings")});
  sts.features = {"sts-credentials"};
  RunOptions o;
  o.dialects = {"volcengine"};
  o.jobs = 4;
  RunReport report = conformance::run({denied, closed, throttled, unthrottled, fault, sts}, o);
  EXPECT_EQ(result_of(report, "volc.denied").outcome, Outcome::Pass) << outcomes(report);
  EXPECT_EQ(result_of(report, "volc.closed").outcome, Outcome::Pass) << outcomes(report);
  EXPECT_EQ(result_of(report, "volc.throttled").outcome, Outcome::Pass) << outcomes(report);
  EXPECT_EQ(result_of(report, "volc.unthrottled").outcome, Outcome::Pass) << outcomes(report);
  EXPECT_EQ(result_of(report, "volc.fault").outcome, Outcome::Pass) << outcomes(report);
  EXPECT_EQ(result_of(report, "volc.sts").outcome, Outcome::Disabled);

  Case ali_throttled =
      make_case("ali.throttled", "alibaba",
                {S("CreateKey").capture("key_id", "KeyMetadata.KeyId"),
                 S("Encrypt", {{"KeyId", "{{key_id}}"}, {"Plaintext", "aGk="}})
                     .retry({{{"Code", "equals", "Rejected.Throttling", ""}}, {}, 100, 10ms})
                     .status(429)
                     .code("Rejected.Throttling")},
                {S("ScheduleKeyDeletion", {{"KeyId", "{{key_id}}"}, {"PendingWindowInDays", 7}})});
  ali_throttled.features = {"low-quota-throttling"};
  o.dialects = {"alibaba"};
  report = conformance::run({ali_throttled}, o);
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Pass) << outcomes(report);
}

// ---------------------------------------------------------------------------------------------
// A scripted fake: every check fails with a precise message

json fake_result() {
  return {{"Str", "hello"}, {"Num", 5},        {"Arr", {1, 2, 3}}, {"Obj", {{"a", 1}}},
          {"B64", "aGk="},  {"NotB64", "@@@"}, {"Flag", true}};
}

HttpResponse canned(const HttpRequest&, const std::string& action) {
  if (action == "Bad") return volc_error(400, action, "InvalidParameter", "bad KeyID");
  if (action == "Missing") return volc_error(404, action, "Not Found", "Not found key [x].");
  if (action == "NotJson") {
    HttpResponse r;
    r.status = 200;
    r.body = "hello, world";
    return r;
  }
  return volc_ok(action, fake_result());
}

TEST(RunnerFake, EveryPredicateFailsWithAPreciseMessage) {
  FakeKms fake(canned);
  struct Probe {
    std::string path, predicate;
    json argument;
    std::string expected;  // the message after "steps[0] DescribeKey: expect.body[0]: "
  };
  std::vector<Probe> probes = {
      {"Result.Str", "equals", "bye", R"(Result.Str: expected equals "bye", got "hello")"},
      {"Result.Str", "not_equals", "hello", "Result.Str: expected not_equals"},
      {"Result.Str", "matches", "^bye$", "Result.Str: expected matches"},
      {"Result.Nope", "exists", true, "Result.Nope: expected exists, got nothing (no such path)"},
      {"Result.Str", "absent", true, "Result.Str: expected absent"},
      {"Result.Str", "type", "number", "Result.Str: expected type number"},
      {"Result.Str", "one_of", {"a", "b"}, "Result.Str: expected one_of"},
      {"Result.Str", "uuid", true, "Result.Str: expected uuid"},
      {"Result.Str", "iso8601", true, "Result.Str: expected iso8601"},
      {"Result.Num", "epoch_seconds", true, "Result.Num: expected epoch_seconds"},
      {"Result.Num", "epoch_ms", true, "Result.Num: expected epoch_ms"},
      {"Result.NotB64", "base64", true, "Result.NotB64: expected base64"},
      {"Result.B64", "base64_length", 16, "Result.B64: expected base64_length"},
      {"Result.Num", "gt", 10, "Result.Num: expected gt 10"},
      {"Result.Num", "gte", 6, "Result.Num: expected gte 6"},
      {"Result.Num", "lt", 1, "Result.Num: expected lt 1"},
      {"Result.Num", "lte", 4, "Result.Num: expected lte 4"},
      {"Result.Arr", "length", 5, "Result.Arr: expected length 5"},
      {"Result.Arr", "contains", 9, "Result.Arr: expected contains 9"},
      {"Result.Obj",
       "shape",
       {{"type", "object"}, {"required", {"b"}}},
       "Result.Obj: expected shape"},
  };
  std::vector<Case> cases;
  for (const auto& p : probes) {
    cases.push_back(make_case("fake." + p.predicate, "volcengine",
                              {S("DescribeKey").body(p.path, p.predicate, p.argument)}));
  }
  RunReport report = conformance::run(cases, remote(fake.url()));
  ASSERT_EQ(report.results.size(), probes.size());
  for (size_t i = 0; i < probes.size(); ++i) {
    const CaseResult& r = report.results[i];
    EXPECT_EQ(r.outcome, Outcome::Fail) << r.id << ": " << r.message;
    EXPECT_THAT(r.message,
                StartsWith("steps[0] DescribeKey: expect.body[0]: " + probes[i].expected))
        << r.id;
    if (probes[i].predicate == "shape") {
      EXPECT_THAT(r.message, HasSubstr("missing required property \"b\""));
    } else if (probes[i].predicate != "exists") {
      EXPECT_THAT(r.message, HasSubstr(", got ")) << r.id;
    }
  }
  // The same assertions, held, pass.
  std::vector<Case> holding = {make_case("fake.holding", "volcengine",
                                         {S("DescribeKey")
                                              .body("Result.Str", "equals", "hello")
                                              .body("Result.Arr", "contains", 2)
                                              .body("Result.B64", "base64_length", 2)
                                              .body("Result.Num", "gt", 4)
                                              .body("Result.Nope", "absent", true)})};
  EXPECT_EQ(conformance::run(holding, remote(fake.url())).results[0].outcome, Outcome::Pass);
}

TEST(RunnerFake, StatusCodeAndMessageChecksFailPrecisely) {
  FakeKms fake(canned);
  std::vector<Case> cases = {
      make_case("status", "volcengine", {S("DescribeKey").status(409)}),
      make_case("code.none", "volcengine", {S("DescribeKey").code("Conflict")}),
      make_case("code.other", "volcengine", {S("Bad").code("Conflict")}),
      make_case("code.success", "volcengine", {S("Bad").code("")}),
      make_case("message", "volcengine",
                {S("Bad").code("InvalidParameter").message_matches("^KeyID is")}),
      make_case("implied-success", "volcengine", {S("Missing").body("Result.Str", "exists", true)}),
      make_case("status-ok-code-wrong", "volcengine", {S("Missing").status(404).code("Conflict")}),
  };
  RunReport report = conformance::run(cases, remote(fake.url()));
  auto message = [&](const std::string& id) {
    const CaseResult& r = result_of(report, id);
    EXPECT_EQ(r.outcome, Outcome::Fail) << id;
    return r.message;
  };
  EXPECT_EQ(message("status"), "steps[0] DescribeKey: expect.status: expected 409, got HTTP 200");
  EXPECT_EQ(
      message("code.none"),
      "steps[0] DescribeKey: expect.code: expected \"Conflict\", got no error code (HTTP 200)");
  EXPECT_EQ(message("code.other"),
            "steps[0] Bad: expect.code: expected \"Conflict\", got HTTP 400 InvalidParameter: bad "
            "KeyID");
  EXPECT_EQ(message("code.success"),
            "steps[0] Bad: expect.code: expected success (no error code), got HTTP 400 "
            "InvalidParameter: bad KeyID");
  EXPECT_EQ(message("message"),
            "steps[0] Bad: expect.message_matches: /^KeyID is/ does not match \"bad KeyID\"");
  EXPECT_EQ(message("implied-success"),
            "steps[0] Missing: expected success, got HTTP 404 Not Found: Not found key [x].");
  EXPECT_EQ(message("status-ok-code-wrong"),
            "steps[0] Missing: expect.code: expected \"Conflict\", got HTTP 404 Not Found: Not "
            "found key [x].");
  EXPECT_EQ(conformance::exit_code(report), 1);
}

TEST(RunnerFake, CaseFileMistakesAreErrors) {
  FakeKms fake(canned);
  std::vector<Case> cases = {
      make_case("unknown-code", "volcengine", {S("DescribeKey").code("NoSuchCode")}),
      make_case("bad-template", "volcengine",
                {S("DescribeKey"), S("Encrypt", {{"KeyID", "{{never_captured}}"}})}),
      make_case("bad-regex", "volcengine", {S("Bad").message_matches("([")}),
      make_case("bad-capture-path", "volcengine", {S("DescribeKey").capture("x", "a..b")}),
  };
  RunReport report = conformance::run(cases, remote(fake.url()));
  EXPECT_EQ(report.count(Outcome::Error), 4u) << outcomes(report);
  EXPECT_THAT(result_of(report, "unknown-code").message,
              HasSubstr("steps[0].expect.code: \"NoSuchCode\" is not in the volcengine error "
                        "catalog"));
  EXPECT_THAT(result_of(report, "bad-template").message,
              StartsWith("steps[1] Encrypt: template: "));
  EXPECT_THAT(result_of(report, "bad-template").message, HasSubstr("never_captured"));
  EXPECT_THAT(result_of(report, "bad-regex").message, HasSubstr("bad regex"));
  EXPECT_THAT(result_of(report, "bad-capture-path").message, HasSubstr("capture x: bad path"));
  EXPECT_EQ(fake.count("Encrypt"), 0u);
  EXPECT_EQ(conformance::exit_code(report), 3);
}

TEST(RunnerFake, CapturesKeepTheirTypeAndAMissingOneFails) {
  FakeKms fake(canned);
  std::vector<Case> cases = {
      make_case("typed", "volcengine",
                {S("DescribeKey").capture("n", "Result.Num").capture("arr", "Result.Arr"),
                 S("Encrypt", {{"Count", "{{n}}"}, {"List", "{{arr}}"}, {"Text", "n={{n}}"}})
                     .body("Result.Num", "equals", "{{n}}")}),
      make_case("absent", "volcengine", {S("DescribeKey").capture("id", "Result.Key.ID")}),
  };
  RunReport report = conformance::run(cases, remote(fake.url()));
  EXPECT_EQ(result_of(report, "typed").outcome, Outcome::Pass) << outcomes(report);
  json sent;
  for (const auto& r : fake.requests()) {
    if (action_of(r) == "Encrypt") sent = params_of(r);
  }
  EXPECT_EQ(sent["Count"], 5);
  EXPECT_EQ(sent["List"], json({1, 2, 3}));
  EXPECT_EQ(sent["Text"], "n=5");
  EXPECT_EQ(result_of(report, "absent").outcome, Outcome::Fail);
  EXPECT_EQ(result_of(report, "absent").message,
            "steps[0] DescribeKey: capture id: \"Result.Key.ID\" is absent from the response");
}

TEST(RunnerFeatures, RemoteDefaults) {
  FakeKms fake(canned);
  auto needing = [](const std::string& feature) {
    Case c = make_case("needs." + feature, "volcengine", {S("DescribeKey")});
    c.features = {feature};
    return c;
  };
  std::vector<Case> cases = {needing("multi-region"), needing("test-credentials"),
                             needing("low-quota-throttling"), needing("fault-injection"),
                             needing("sts-credentials")};
  RunOptions o = remote(fake.url());
  RunReport report = conformance::run(cases, o);
  EXPECT_EQ(result_of(report, "needs.multi-region").outcome, Outcome::Pass);
  EXPECT_EQ(result_of(report, "needs.test-credentials").outcome, Outcome::Disabled);
  EXPECT_EQ(result_of(report, "needs.low-quota-throttling").outcome, Outcome::Disabled);
  EXPECT_EQ(result_of(report, "needs.fault-injection").outcome, Outcome::Disabled);
  EXPECT_EQ(result_of(report, "needs.sts-credentials").outcome, Outcome::Disabled);
  o.credentials["volcengine"].session_token = "a-session-token-value";
  report = conformance::run(cases, o);
  EXPECT_EQ(result_of(report, "needs.sts-credentials").outcome, Outcome::Pass);
}

// ---------------------------------------------------------------------------------------------
// Engine errors: Error, within the bound, never a crash or a hang

Case two_step_case(const std::string& id) {
  return make_case(id, "volcengine", {S("DescribeKey").code(""), S("Encrypt").code("")},
                   {S("ScheduleKeyDeletion", {{"KeyID", "k"}})});
}

TEST(RunnerEngineErrors, ConnectionRefused) {
  RunOptions o = remote(refused_url());
  RunReport report = conformance::run({two_step_case("refused")}, o);
  const CaseResult& r = report.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::Error);
  EXPECT_THAT(r.message, StartsWith("steps[0] DescribeKey: ConnectFailed: "));
  EXPECT_EQ(conformance::exit_code(report), 3);
  // The cleanup was still attempted and recorded.
  ASSERT_EQ(r.exchanges.size(), 2u);
  EXPECT_EQ(r.exchanges[1].step, "cleanup[0] ScheduleKeyDeletion");
}

TEST(RunnerEngineErrors, ConnectionReset) {
  RawPeer peer(RawPeer::Mode::Reset);
  RunReport report = conformance::run({two_step_case("reset")}, remote(peer.url()));
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Error);
  EXPECT_THAT(report.results.at(0).message, StartsWith("steps[0] DescribeKey: "));
  EXPECT_THAT(report.results.at(0).message, HasSubstr("Connection"));
}

TEST(RunnerEngineErrors, GarbageBytes) {
  RawPeer peer(RawPeer::Mode::Garbage);
  RunReport report = conformance::run({two_step_case("garbage")}, remote(peer.url()));
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Error);
  EXPECT_THAT(report.results.at(0).message, StartsWith("steps[0] DescribeKey: "));
}

TEST(RunnerEngineErrors, StallPastTheTimeoutIsAnErrorWithinTheBound) {
  RawPeer peer(RawPeer::Mode::Stall);
  RunOptions o = remote(peer.url());
  o.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  RunReport report = conformance::run({two_step_case("stall-1"), two_step_case("stall-2")}, o);
  auto took = std::chrono::steady_clock::now() - start;
  for (const auto& r : report.results) {
    EXPECT_EQ(r.outcome, Outcome::Error);
    EXPECT_THAT(r.message, StartsWith("steps[0] DescribeKey: Timeout: "));
  }
  // Two cases on two workers: one step and one cleanup each, 300 ms apiece.
  EXPECT_LT(took, 5s);
}

TEST(RunnerEngineErrors, AnswerThatIsNotTheEnvelope) {
  FakeKms fake(canned);
  RunReport report =
      conformance::run({make_case("not-json", "volcengine", {S("NotJson")})}, remote(fake.url()));
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Error);
  EXPECT_THAT(report.results.at(0).message,
              StartsWith("steps[0] NotJson: MalformedResponse: HTTP 200 answer is not a "
                         "Volcengine envelope: hello, world"));
}

TEST(RunnerEngineErrors, ConfigurationProblemsThrow) {
  std::vector<Case> cases = {make_case("x", "volcengine", {S("DescribeKey")})};
  RunOptions no_credentials;
  no_credentials.dialects = {"volcengine"};
  no_credentials.endpoint = "http://127.0.0.1:1";
  EXPECT_THROW(conformance::run(cases, no_credentials), std::invalid_argument);
  RunOptions bad_url = remote("ftp://example");
  EXPECT_THROW(conformance::run(cases, bad_url), std::invalid_argument);
  RunOptions bad_dialect = remote("http://127.0.0.1:1");
  bad_dialect.dialects = {"aws"};
  EXPECT_THROW(conformance::run(cases, bad_dialect), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Outcome classes

TEST(RunnerOutcomes, ExpectedFailuresBecomeXFailAndXPass) {
  FakeKms fake(canned);
  std::vector<Case> cases = {
      make_case("listed.fails", "volcengine", {S("DescribeKey").status(409)}),
      make_case("listed.passes", "volcengine", {S("DescribeKey").status(200)}),
      make_case("listed.errors", "volcengine", {S("DescribeKey").code("NoSuchCode")}),
      make_case("unlisted", "volcengine", {S("DescribeKey").status(200)}),
  };
  RunOptions o = remote(fake.url());
  o.expected_failures = {{"listed.fails", "server answers 200, ticket KMS-1"},
                         {"listed.passes", "was broken"},
                         {"listed.errors", "n/a"}};
  RunReport report = conformance::run(cases, o);
  const CaseResult& xfail = result_of(report, "listed.fails");
  EXPECT_EQ(xfail.outcome, Outcome::XFail);
  EXPECT_EQ(xfail.xfail_reason, "server answers 200, ticket KMS-1");
  EXPECT_THAT(xfail.message, HasSubstr("expect.status"));
  const CaseResult& xpass = result_of(report, "listed.passes");
  EXPECT_EQ(xpass.outcome, Outcome::XPass);
  EXPECT_THAT(xpass.message, HasSubstr("was broken"));
  EXPECT_EQ(result_of(report, "listed.errors").outcome, Outcome::Error);
  EXPECT_EQ(result_of(report, "unlisted").outcome, Outcome::Pass);
  EXPECT_EQ(conformance::exit_code(report), 1);  // the XPass

  o.expected_failures.erase("listed.passes");
  o.expected_failures.erase("listed.errors");
  cases.erase(cases.begin() + 2);  // drop the Error case
  report = conformance::run(cases, o);
  EXPECT_EQ(report.count(Outcome::XFail), 1u);
  EXPECT_EQ(conformance::exit_code(report), 0);  // XFail is allowed
}

TEST(RunnerOutcomes, MissingFeaturesDisableCases) {
  FakeKms fake(canned);
  Case needs = make_case("needs.multi-region", "volcengine", {S("DescribeKey").status(200)});
  needs.features = {"multi-region"};
  Case plain = make_case("plain", "volcengine", {S("DescribeKey").status(200)});
  RunOptions o = remote(fake.url());
  o.features = std::set<std::string>{};
  RunReport report = conformance::run({needs, plain}, o);
  EXPECT_EQ(result_of(report, "needs.multi-region").outcome, Outcome::Disabled);
  EXPECT_THAT(result_of(report, "needs.multi-region").message, HasSubstr("multi-region"));
  EXPECT_EQ(result_of(report, "plain").outcome, Outcome::Pass);
  EXPECT_EQ(fake.requests().size(), 1u);  // the disabled case sent nothing
  EXPECT_EQ(conformance::exit_code(report), 0);

  o.features = std::set<std::string>{"multi-region"};
  report = conformance::run({needs}, o);
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Pass);
  o.features.reset();  // all on
  report = conformance::run({needs}, o);
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Pass);
}

// A failing setup step makes the case Skip; the cleanup still runs, minus steps whose
// variables were never captured. The fake records what arrived.
TEST(RunnerOutcomes, SkipWhenSetupFailsAndCleanupAlwaysRuns) {
  FakeKms fake([](const HttpRequest& request, const std::string& action) {
    if (action == "CreateKeyring") return volc_ok(action, {{"Keyring", {{"ID", "ring-1"}}}});
    if (action == "CreateKey") return volc_error(400, action, "InvalidParameter", "no quota");
    return canned(request, action);
  });
  Case skip =
      make_case("skip", "volcengine",
                {S("CreateKeyring").capture("ring", "Result.Keyring.ID"),
                 S("CreateKey").capture("key_id", "Result.Key.ID"), S("Encrypt").status(200)},
                {S("ScheduleKeyDeletion", {{"KeyID", "{{key_id}}"}}),
                 S("DeleteKeyring", {{"KeyringID", "{{ring}}"}})});
  RunReport report = conformance::run({skip}, remote(fake.url()));
  const CaseResult& r = report.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::Skip);
  EXPECT_EQ(r.message,
            "steps[1] CreateKey (prerequisite) failed: HTTP 400 InvalidParameter: no quota");
  EXPECT_EQ(fake.actions(),
            (std::vector<std::string>{"CreateKeyring", "CreateKey", "DeleteKeyring"}));
  EXPECT_EQ(params_of(fake.requests().back())["KeyringID"], "ring-1");
  ASSERT_EQ(r.exchanges.size(), 4u);
  EXPECT_EQ(r.exchanges[2].step, "cleanup[0] ScheduleKeyDeletion");
  EXPECT_THAT(r.exchanges[2].response, HasSubstr("skipped"));
  EXPECT_EQ(r.exchanges[3].step, "cleanup[1] DeleteKeyring");
  EXPECT_EQ(conformance::exit_code(report), 0);

  // After a Fail, after an Error, and when the cleanup itself fails.
  FakeKms second(canned);
  std::vector<Case> cases = {
      make_case("fails", "volcengine", {S("DescribeKey").status(409)},
                {S("DeleteKeyring", {{"KeyringName", "a"}})}),
      make_case("errors", "volcengine", {S("DescribeKey", {{"X", "{{nope}}"}})},
                {S("DeleteKeyring", {{"KeyringName", "b"}})}),
      make_case("cleanup-fails", "volcengine", {S("DescribeKey")},
                {S("Bad"), S("DeleteKeyring", {{"KeyringName", "c"}})}),
  };
  RunOptions o = remote(second.url());
  o.jobs = 1;
  report = conformance::run(cases, o);
  EXPECT_EQ(result_of(report, "fails").outcome, Outcome::Fail);
  EXPECT_EQ(result_of(report, "errors").outcome, Outcome::Error);
  EXPECT_EQ(result_of(report, "cleanup-fails").outcome, Outcome::Pass);
  EXPECT_EQ(result_of(report, "cleanup-fails").exchanges[1].status, 400);
  std::set<std::string> cleaned;
  for (const auto& request : second.requests()) {
    if (action_of(request) == "DeleteKeyring") {
      cleaned.insert(params_of(request)["KeyringName"].get<std::string>());
    }
  }
  EXPECT_EQ(cleaned, (std::set<std::string>{"a", "b", "c"}));
}

TEST(RunnerOutcomes, RetryUntilStopAndBounds) {
  std::atomic<int> calls{0};
  FakeKms fake([&calls](const HttpRequest& request, const std::string& action) {
    if (action != "DescribeKey") return canned(request, action);
    int n = ++calls;
    return volc_ok(action, {{"Key", {{"KeyState", n < 3 ? "Pending" : "Enable"}}}});
  });
  conformance::Retry until;
  until.until = {{"Result.Key.KeyState", "equals", "Enable", ""}};
  until.attempts = 5;
  until.interval = 10ms;
  RunOptions o = remote(fake.url());
  RunReport report = conformance::run(
      {make_case("until", "volcengine",
                 {S("DescribeKey").retry(until).body("Result.Key.KeyState", "equals", "Enable")})},
      o);
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Pass) << report.results.at(0).message;
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(report.results.at(0).exchanges.at(0).step, "steps[0] DescribeKey (attempt 3 of 5)");

  // Never holds: exactly `attempts` sends, then the expectation is checked on the last answer.
  calls = 0;
  conformance::Retry never = until;
  never.until = {{"Result.Key.KeyState", "equals", "Never", ""}};
  never.attempts = 4;
  report = conformance::run(
      {make_case("never", "volcengine",
                 {S("DescribeKey").retry(never).body("Result.Key.KeyState", "equals", "Never")})},
      o);
  EXPECT_EQ(calls.load(), 4);
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Fail);
  EXPECT_THAT(report.results.at(0).message, HasSubstr("got \"Enable\""));

  // A terminal state stops early.
  calls = 0;
  conformance::Retry stop = never;
  stop.stop = {{"Result.Key.KeyState", "equals", "Pending", ""}};
  report = conformance::run({make_case("stop", "volcengine", {S("DescribeKey").retry(stop)})}, o);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(report.results.at(0).outcome, Outcome::Pass);

  // Absurd bounds are clamped, not obeyed.
  calls = 0;
  conformance::Retry huge = never;
  huge.attempts = 1000000;
  huge.interval = 0ms;
  conformance::run({make_case("huge", "volcengine", {S("DescribeKey").retry(huge)})}, o);
  EXPECT_LE(calls.load(), 100);
}

TEST(RunnerOutcomes, ExitCodes) {
  auto report_with = [](std::vector<Outcome> outcomes, bool file_error = false) {
    RunReport r;
    for (Outcome o : outcomes) {
      CaseResult c;
      c.outcome = o;
      r.results.push_back(c);
    }
    if (file_error) r.file_errors.push_back("x.json:1: cases: bad");
    return r;
  };
  using O = Outcome;
  EXPECT_EQ(conformance::exit_code(report_with({})), 0);
  EXPECT_EQ(conformance::exit_code(report_with({O::Pass, O::XFail, O::Skip, O::Disabled})), 0);
  EXPECT_EQ(conformance::exit_code(report_with({O::Pass, O::Fail})), 1);
  EXPECT_EQ(conformance::exit_code(report_with({O::Pass, O::XPass})), 1);
  EXPECT_EQ(conformance::exit_code(report_with({O::Error, O::Fail})), 1);
  EXPECT_EQ(conformance::exit_code(report_with({O::Pass, O::Error})), 3);
  EXPECT_EQ(conformance::exit_code(report_with({O::Pass}, true)), 3);
  EXPECT_EQ(conformance::exit_code(report_with({O::Fail}, true)), 1);
}

// ---------------------------------------------------------------------------------------------
// Redaction

TEST(RunnerRedaction, NoSecretSignatureOrTokenInRecordedExchanges) {
  const std::string token = "session-token-value-4567";
  const std::string override_secret = "override-secret-abcdef";
  const std::string override_token = "override-token-789xyz";
  // A careless server that echoes the token back.
  FakeKms fake([&](const HttpRequest& request, const std::string& action) {
    (void)request;
    return volc_ok(action, {{"Echo", token}, {"Echo2", override_token}});
  });
  RunOptions o = remote(fake.url());
  o.credentials["volcengine"].session_token = token;
  std::vector<Case> cases = {make_case(
      "redact", "volcengine",
      {S("DescribeKey"), S("DescribeKey").auth([&](auto& a) { a.secret = override_secret; }),
       S("DescribeKey").auth([&](auto& a) { a.session_token = override_token; }),
       S("DescribeKey").auth([](auto& a) { a.signing = "go"; })})};
  RunReport report = conformance::run(cases, o);
  ASSERT_EQ(report.results.at(0).outcome, Outcome::Pass) << report.results.at(0).message;
  ASSERT_EQ(report.results.at(0).exchanges.size(), 4u);
  std::string all = conformance::to_json(report).dump();
  for (const auto& secret : {std::string(kSk), token, override_secret, override_token}) {
    EXPECT_EQ(all.find(secret), std::string::npos) << secret;
  }
  for (const auto& e : report.results.at(0).exchanges) {
    EXPECT_THAT(e.request, HasSubstr("Signature=<redacted>"));
    EXPECT_THAT(e.request, HasSubstr("Credential=" + std::string(kAk)));  // ids are fine
    EXPECT_THAT(e.request, ::testing::ContainsRegex("X-Security-Token: <redacted>"));
  }
  // The real signatures that went over the wire appear nowhere.
  for (const auto& request : fake.requests()) {
    std::string auth(request.header("Authorization"));
    std::string signature = auth.substr(auth.rfind("Signature=") + 10);
    ASSERT_EQ(signature.size(), 64u);
    EXPECT_EQ(all.find(signature), std::string::npos);
  }
}

TEST(RunnerRedaction, AlibabaV1SignatureAndSecurityTokenParameters) {
  FakeKms fake([](const HttpRequest&, const std::string&) { return ali_ok({{"Ok", true}}); });
  RunOptions o = remote(fake.url(), "alibaba");
  o.credentials["alibaba"].session_token = "ali-security-token-0001";
  std::vector<Case> cases = {make_case("ali.redact", "alibaba",
                                       {S("ListKeys").auth([](auto& a) { a.signing = "v1"; }),
                                        S("ListKeys").auth([](auto& a) { a.signing = "v1-tea"; }),
                                        S("ListKeys").auth([](auto& a) { a.signing = "v3"; })})};
  RunReport report = conformance::run(cases, o);
  ASSERT_EQ(report.results.at(0).outcome, Outcome::Pass) << report.results.at(0).message;
  std::string all = conformance::to_json(report).dump();
  EXPECT_EQ(all.find("ali-security-token-0001"), std::string::npos);
  EXPECT_EQ(all.find(kSk), std::string::npos);
  const auto& ex = report.results.at(0).exchanges;
  EXPECT_THAT(ex[0].request, HasSubstr("Signature=<redacted>"));
  EXPECT_THAT(ex[0].request, HasSubstr("SecurityToken=<redacted>"));
  EXPECT_THAT(ex[0].request, HasSubstr("SignatureNonce="));  // not a secret, kept
  EXPECT_THAT(ex[1].request, HasSubstr("Signature=<redacted>"));
  EXPECT_THAT(ex[2].request, HasSubstr("Signature=<redacted>"));
  EXPECT_THAT(ex[2].request, HasSubstr("x-acs-security-token: <redacted>"));
}

TEST(RunnerRedaction, RedactFunction) {
  EXPECT_EQ(conformance::redact("a=1&Signature=abc%2B&SignatureNonce=n&b=2", {}),
            "a=1&Signature=<redacted>&SignatureNonce=n&b=2");
  EXPECT_EQ(
      conformance::redact("HMAC-SHA256 Credential=AK/x, SignedHeaders=a;b, Signature=ff00", {}),
      "HMAC-SHA256 Credential=AK/x, SignedHeaders=a;b, Signature=<redacted>");
  EXPECT_EQ(conformance::redact("key my-long-secret here", {"my-long-secret"}),
            "key <redacted> here");
  EXPECT_EQ(conformance::redact("wrong stays", {"wrong"}), "wrong stays");  // too short
}

// ---------------------------------------------------------------------------------------------
// Selection, reports, console

TEST(RunnerSelection, FilterAndTags) {
  EXPECT_TRUE(conformance::filter_matches("", "volc.a"));
  EXPECT_TRUE(conformance::filter_matches("encrypt", "volc.encrypt.basic"));
  EXPECT_FALSE(conformance::filter_matches("decrypt", "volc.encrypt.basic"));
  EXPECT_TRUE(conformance::filter_matches("volc.*.basic", "volc.encrypt.basic"));
  EXPECT_FALSE(conformance::filter_matches("volc.*", "ali.encrypt.basic"));
  EXPECT_TRUE(conformance::filter_matches("ali.?ncrypt*", "ali.encrypt.basic"));
  Case c = make_case("volc.encrypt.basic", "volcengine", {}, {}, {"crypto", "keys"});
  RunOptions o;
  EXPECT_TRUE(conformance::selected(c, o));
  o.tags = {"auth", "keys"};
  EXPECT_TRUE(conformance::selected(c, o));
  o.tags = {"auth"};
  EXPECT_FALSE(conformance::selected(c, o));
  o.tags = {};
  o.exclude_tags = {"inferred", "keys"};  // excluding wins over including
  EXPECT_FALSE(conformance::selected(c, o));
  o.tags = {"crypto"};
  EXPECT_FALSE(conformance::selected(c, o));
  o.exclude_tags = {"inferred"};
  EXPECT_TRUE(conformance::selected(c, o));
  o.tags = {};
  o.exclude_tags = {};
  o.dialects = {"alibaba"};
  EXPECT_FALSE(conformance::selected(c, o));
}

TEST(RunnerReports, JsonRoundTrip) {
  RunReport report;
  report.tool_version = "0.1.0";
  report.endpoint = "in-process";
  report.started_at = "2026-11-22T09:31:00Z";
  report.elapsed = 1234ms;
  report.run_prefix = "kc-261122t0931-4f2a";
  report.file_errors = {"fixtures/volcengine/x.json:3: cases[0].id: missing"};
  CaseResult c;
  c.id = "volc.a";
  c.title = "A";
  c.dialect = "volcengine";
  c.doc = "spec §1";
  c.tags = {"keys"};
  c.actions = {"CreateKey"};
  c.outcome = Outcome::XFail;
  c.message = "steps[0] CreateKey: expect.status: expected 200, got HTTP 400";
  c.xfail_reason = "known";
  c.file = "x.json";
  c.line = 7;
  c.elapsed = 12ms;
  c.exchanges.push_back({"steps[0] CreateKey", "POST / HTTP/1.1", "HTTP/1.1 400", 400, 3ms});
  report.results.push_back(c);
  json j = conformance::to_json(report);
  EXPECT_EQ(j["summary"]["xfail"], 1);
  EXPECT_EQ(j["results"][0]["outcome"], "xfail");
  RunReport back = conformance::report_from_json(j);
  EXPECT_EQ(conformance::to_json(back), j);
  EXPECT_THROW(conformance::report_from_json(json::array()), std::runtime_error);
  json bad = j;
  bad["results"][0]["outcome"] = "great";
  EXPECT_THROW(conformance::report_from_json(bad), std::runtime_error);
  for (Outcome o : {Outcome::Pass, Outcome::Fail, Outcome::Error, Outcome::Skip, Outcome::Disabled,
                    Outcome::XFail, Outcome::XPass}) {
    EXPECT_EQ(conformance::outcome_from_string(conformance::to_string(o)), o);
  }
  EXPECT_EQ(conformance::outcome_from_string("PASS"), Outcome::Pass);
}

TEST(RunnerConsole, FailureLinesAndSummaryTables) {
  RunReport report;
  CaseResult fail;
  fail.id = "volc.encrypt.basic";
  fail.outcome = Outcome::Fail;
  fail.actions = {"CreateKey", "Encrypt"};
  fail.tags = {"crypto"};
  fail.message = "steps[1] Encrypt: expect.status: expected 200, got HTTP 400\nmore";
  CaseResult pass = fail;
  pass.id = "volc.encrypt.other";
  pass.outcome = Outcome::Pass;
  pass.message.clear();
  report.results = {fail, pass};
  EXPECT_EQ(conformance::failure_line(fail),
            "FAIL  volc.encrypt.basic  steps[1] Encrypt: expect.status: expected 200, got HTTP "
            "400");
  EXPECT_EQ(conformance::failure_line(pass), "");
  std::string table = conformance::summary_table(report);
  EXPECT_THAT(table, HasSubstr("operation"));
  EXPECT_THAT(table, ::testing::ContainsRegex("Encrypt +2 +1 +1"));
  EXPECT_THAT(table, ::testing::ContainsRegex("crypto +2 +1 +1"));
  EXPECT_THAT(conformance::totals_line(report), StartsWith("2 cases: 1 pass, 1 fail"));

  std::ostringstream out;
  conformance::ConsoleProgress progress(out, /*tty=*/false);
  progress.started(2);
  progress.finished(fail, 1, 2);
  progress.finished(pass, 2, 2);
  // Without a terminal: a first line saying how many cases run, then the failure lines.
  EXPECT_EQ(out.str(),
            "running 2 cases\n"
            "FAIL  volc.encrypt.basic  steps[1] Encrypt: expect.status: expected 200, got HTTP "
            "400\n");
}

// ---------------------------------------------------------------------------------------------
// Sweep

TEST(RunnerSweep, RemovesOnlyRunPrefixedLeftovers) {
  EXPECT_TRUE(conformance::has_run_prefix("kc-261122t0931-4f2a-ring"));
  EXPECT_TRUE(conformance::has_run_prefix("mrk-kc-261122t0931-4f2a"));
  EXPECT_TRUE(conformance::has_run_prefix("alias/kc-261122t0931-4f2a"));
  EXPECT_FALSE(conformance::has_run_prefix("mykc-261122t0931-4f2a"));
  EXPECT_FALSE(conformance::has_run_prefix("kc-ring"));
  EXPECT_FALSE(conformance::has_run_prefix("production"));

  server::ReferenceServer volc{server::ReferenceServerOptions{}};
  volc.start();
  const auto& vc = volc.default_credential();
  client::VolcengineClient vclient(*client::Endpoint::parse(volc.endpoint()),
                                   {vc.access_key_id, vc.secret_access_key, ""}, "cn-beijing");
  ASSERT_TRUE(vclient.call("CreateKeyring", {{"KeyringName", "kc-261122t0931-4f2a-ring"}}).ok());
  ASSERT_TRUE(vclient.call("CreateKeyring", {{"KeyringName", "production"}}).ok());
  ASSERT_TRUE(vclient.call("CreateKey", {{"KeyringName", "production"}, {"KeyName", "kept"}}).ok());
  ASSERT_TRUE(
      vclient
          .call("CreateKey", {{"KeyringName", "production"}, {"KeyName", "k-kc-261122t0931-4f2a"}})
          .ok());
  // A prefixed keyring still holding a (prefixed) key: the key is scheduled, the ring deferred.
  ASSERT_TRUE(vclient.call("CreateKeyring", {{"KeyringName", "kc-261122t0931-4f2b-held"}}).ok());
  ASSERT_TRUE(vclient
                  .call("CreateKey", {{"KeyringName", "kc-261122t0931-4f2b-held"},
                                      {"KeyName", "kc-261122t0931-4f2b-k"}})
                  .ok());

  server::ReferenceServerOptions ali_options;
  ali_options.dialect = server::Dialect::Alibaba;
  server::ReferenceServer ali(std::move(ali_options));
  ali.start();
  const auto& ac = ali.default_credential();
  client::AlibabaClient aclient(*client::Endpoint::parse(ali.endpoint()),
                                {ac.access_key_id, ac.secret_access_key, ""});
  auto leftover = aclient.call("CreateKey", {{"Description", "kc-261122t0931-0001 leftover"}});
  ASSERT_TRUE(leftover.ok());
  auto aliased = aclient.call("CreateKey", {{"Description", "plain"}});
  ASSERT_TRUE(aliased.ok());
  std::string aliased_id = aliased.body()["KeyMetadata"]["KeyId"];
  ASSERT_TRUE(
      aclient
          .call("CreateAlias", {{"KeyId", aliased_id}, {"AliasName", "alias/kc-261122t0931-0002"}})
          .ok());
  ASSERT_TRUE(aclient.call("CreateKey", {{"Description", "production key"}}).ok());
  // Leftovers of a run that started just now (it may still be going): left alone, counted.
  const std::string running = conformance::make_run_prefix(std::chrono::system_clock::now());
  ASSERT_TRUE(vclient.call("CreateKeyring", {{"KeyringName", running + "-ring"}}).ok());
  ASSERT_TRUE(aclient.call("CreateKey", {{"Description", running + " in use"}}).ok());

  RunOptions o;
  o.endpoints = {{"volcengine", volc.endpoint()}, {"alibaba", ali.endpoint()}};
  o.credentials["volcengine"] = {vc.access_key_id, vc.secret_access_key, ""};
  o.credentials["alibaba"] = {ac.access_key_id, ac.secret_access_key, ""};
  conformance::SweepReport report = conformance::sweep(o);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_FALSE(report.truncated);
  EXPECT_EQ(report.too_recent, 2u);
  std::multiset<std::string> removed;
  for (const auto& item : report.items) {
    if (item.deferred) {
      EXPECT_EQ(item.id, "kc-261122t0931-4f2b-held");
      EXPECT_THAT(item.message, HasSubstr("still holds 1 keys"));
      continue;
    }
    EXPECT_TRUE(item.ok) << item.kind << " " << item.id << ": " << item.message;
    EXPECT_EQ(item.name.find(running), std::string::npos) << "swept a running run's " << item.id;
    removed.insert(item.dialect + " " + item.kind + " " + item.action);
  }
  EXPECT_EQ(removed, (std::multiset<std::string>{
                         "volcengine key ScheduleKeyDeletion", "volcengine key ScheduleKeyDeletion",
                         "volcengine keyring DeleteKeyring", "alibaba key ScheduleKeyDeletion",
                         "alibaba key ScheduleKeyDeletion", "alibaba alias DeleteAlias"}));
  // Idempotent: what is pending deletion is left alone the second time; the held ring waits.
  conformance::SweepReport again = conformance::sweep(o);
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_TRUE(again.items[0].deferred);

  // Bounded.
  conformance::SweepLimits tiny;
  tiny.max_pages = 1;
  tiny.max_resources = 1;
  conformance::SweepReport bounded = conformance::sweep(o, tiny);
  EXPECT_TRUE(bounded.truncated);

  // With no minimum age the running run's leftovers go too.
  conformance::SweepLimits no_age;
  no_age.min_age = std::chrono::minutes(0);
  conformance::SweepReport all = conformance::sweep(o, no_age);
  EXPECT_EQ(all.too_recent, 0u);
  std::multiset<std::string> swept_now;
  for (const auto& item : all.items) {
    if (!item.deferred) swept_now.insert(item.dialect + " " + item.kind + " " + item.action);
  }
  EXPECT_EQ(swept_now, (std::multiset<std::string>{"volcengine keyring DeleteKeyring",
                                                   "alibaba key ScheduleKeyDeletion"}));
}

TEST(RunnerSweep, RunPrefixTimeIsTheRunsStartInUtc) {
  using namespace std::chrono;
  auto t = conformance::run_prefix_time("alias/kc-261122t0931-4f2a-ring");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, sys_days{year{2026} / 11 / 22} + hours(9) + minutes(31));
  EXPECT_FALSE(conformance::run_prefix_time("mykc-261122t0931-4f2a").has_value());
  EXPECT_FALSE(conformance::run_prefix_time("production").has_value());
  // Not a date: month 13, day 0, hour 24, minute 60 (timegm would take them as other dates).
  for (const char* bad : {"kc-261322t0931-4f2a", "kc-261100t0931-4f2a", "kc-261122t2431-4f2a",
                          "kc-261122t0960-4f2a"}) {
    EXPECT_FALSE(conformance::run_prefix_time(bad).has_value()) << bad;
    EXPECT_FALSE(conformance::has_run_prefix(bad)) << bad;
  }
  // The first prefix that is a date counts.
  EXPECT_EQ(conformance::run_prefix_time("kc-261322t0931-0000 kc-240101t0000-0001"),
            sys_days{year{2024} / 1 / 1});
  // Round trip with the prefix a run makes (to the minute).
  auto now = floor<minutes>(system_clock::now());
  EXPECT_EQ(conformance::run_prefix_time(conformance::make_run_prefix(now)), now);
}

}  // namespace
}  // namespace kmsconf::testing
