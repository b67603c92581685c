// Throttling bursts (docs/case-format.md, "burst"): the fixtures' bursting throttling cases pass
// against a fake that refuses as the documents say (spec: Volcengine 403 Reject.Throttling.Action
// "The request of Action: DescribeRegions upper limit is exceeded."; Alibaba 429
// Rejected.Throttling "The QPS upper limit is exceeded."), and fail against fakes whose refusal
// has the wrong status or code, or that never refuse; bursting cases run alone after the others;
// the feature is on by default only in process and on loopback; the case format checks the
// burst's bounds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "conformance/case_file.hpp"
#include "conformance/runner.hpp"
#include "tests/conformance/fake_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::Case;
using conformance::Outcome;
using conformance::RunOptions;
using conformance::RunReport;
using ::testing::HasSubstr;
using S = StepBuilder;
using namespace std::chrono_literals;

constexpr const char* kAk = "AKLTbursttest00000001";
constexpr const char* kSk = "burst-test-secret-value-1234";

RunOptions remote(const std::string& url, const std::string& dialect) {
  RunOptions o;
  o.dialects = {dialect};
  o.endpoint = url;
  o.credentials[dialect] = {kAk, kSk, ""};
  o.jobs = 2;
  o.timeout = 2000ms;
  o.preflight = false;
  return o;
}

// The fixtures' throttling cases of a dialect that burst (the ones a fake can serve).
std::vector<Case> bursting_cases(const std::string& dialect) {
  auto loaded = conformance::load_case_file(
      std::string(KMSCONF_SOURCE_DIR) + "/fixtures/" + dialect + "/throttling.json", dialect);
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front().to_string();
  std::vector<Case> out;
  for (const auto& c : loaded.cases) {
    const bool bursts =
        std::any_of(c.steps.begin(), c.steps.end(), [](const auto& s) { return s.burst; });
    if (bursts) out.push_back(c);
  }
  EXPECT_GE(out.size(), 4u) << dialect;
  return out;
}

// How the fake refuses once its quota (`allowed` successes per action) is spent.
struct Refusal {
  int status;
  std::string code;
  std::string message;
};

// A quota per action: `allowed` requests, then refusals for 300 ms, then `allowed` again (never
// refused when allowed is negative). Thread-safe.
class FakeQuota {
 public:
  explicit FakeQuota(int allowed) : allowed_(allowed) {}
  bool refuses(const std::string& action) {
    if (allowed_ < 0) return false;
    std::lock_guard lock(mutex_);
    State& s = states_[action];
    const auto now = std::chrono::steady_clock::now();
    if (s.refusing_since && now - *s.refusing_since > 300ms) s = State{};
    if (++s.count <= allowed_) return false;
    if (!s.refusing_since) s.refusing_since = now;
    return true;
  }

 private:
  struct State {
    int count = 0;
    std::optional<std::chrono::steady_clock::time_point> refusing_since;
  };
  const int allowed_;
  std::mutex mutex_;
  std::map<std::string, State> states_;
};

// A Volcengine KMS whose every action has a FakeQuota of `allowed`, refused with `refusal`.
FakeKms::Script volcengine_fake(int allowed, Refusal refusal) {
  auto quota = std::make_shared<FakeQuota>(allowed);
  return [=](const HttpRequest&, const std::string& action) {
    if (quota->refuses(action)) {
      return volc_error(refusal.status, action, refusal.code, refusal.message);
    }
    if (action == "DescribeRegions") {
      return volc_ok(action, {{"Regions", {{{"RegionId", "cn-beijing"}}}}});
    }
    return volc_ok(action, {{"Keyrings", json::array()}, {"Total", 0}});
  };
}

// The same for Alibaba Cloud: CreateKey, Encrypt, GenerateDataKey, DescribeKey, deletion.
FakeKms::Script alibaba_fake(int allowed, Refusal refusal) {
  auto quota = std::make_shared<FakeQuota>(allowed);
  return [=](const HttpRequest&, const std::string& action) {
    const bool pooled = action == "Encrypt" || action == "GenerateDataKey";
    if (pooled && quota->refuses(action)) {
      return ali_error(refusal.status, refusal.code, refusal.message);
    }
    const std::string key = "7906979c-8e06-46a2-be2d-68e3ccbc9300";
    if (action == "CreateKey" || action == "DescribeKey") {
      return ali_ok({{"KeyMetadata", {{"KeyId", key}, {"KeyState", "Enabled"}}}});
    }
    if (action == "Encrypt") {
      return ali_ok(
          {{"KeyId", key}, {"CiphertextBlob", "aGVsbG8ga21zY29uZg=="}, {"KeyVersionId", "v1"}});
    }
    if (action == "GenerateDataKey") {
      return ali_ok({{"KeyId", key},
                     {"Plaintext", "aGVsbG8ga21zY29uZg=="},
                     {"CiphertextBlob", "aGVsbG8ga21zY29uZg=="},
                     {"KeyVersionId", "v1"}});
    }
    return ali_ok(json::object());
  };
}

const Refusal kVolcDocumented{403, "Reject.Throttling.Action",
                              "The request of Action: DescribeRegions upper limit is exceeded."};
const Refusal kAliDocumented{429, "Rejected.Throttling", "The QPS upper limit is exceeded."};

std::string outcomes(const RunReport& report) {
  std::string out;
  for (const auto& r : report.results) {
    out += r.id + "=" + std::string(to_string(r.outcome)) + " " + r.message + "\n";
  }
  return out;
}

void expect_all(const RunReport& report, Outcome outcome, const std::string& in_message) {
  for (const auto& r : report.results) {
    EXPECT_EQ(r.outcome, outcome) << outcomes(report);
    EXPECT_THAT(r.message, HasSubstr(in_message)) << r.id;
  }
}

TEST(Burst, DocumentedRefusalsPass) {
  {
    FakeKms fake(volcengine_fake(30, kVolcDocumented));
    const auto report =
        conformance::run(bursting_cases("volcengine"), remote(fake.url(), "volcengine"));
    expect_all(report, Outcome::Pass, "");
  }
  {
    FakeKms fake(alibaba_fake(30, kAliDocumented));
    const auto report = conformance::run(bursting_cases("alibaba"), remote(fake.url(), "alibaba"));
    expect_all(report, Outcome::Pass, "");
  }
}

TEST(Burst, AWrongStatusFailsTheCases) {
  {
    FakeKms fake(volcengine_fake(30, {429, kVolcDocumented.code, kVolcDocumented.message}));
    const auto report =
        conformance::run(bursting_cases("volcengine"), remote(fake.url(), "volcengine"));
    expect_all(report, Outcome::Fail, "expect.status: expected 403, got HTTP 429");
  }
  {
    FakeKms fake(alibaba_fake(30, {503, kAliDocumented.code, kAliDocumented.message}));
    const auto report = conformance::run(bursting_cases("alibaba"), remote(fake.url(), "alibaba"));
    expect_all(report, Outcome::Fail, "expect.status: expected 429, got HTTP 503");
  }
}

TEST(Burst, AWrongCodeFailsTheCases) {
  {
    FakeKms fake(volcengine_fake(30, {403, "Throttling", kVolcDocumented.message}));
    const auto report =
        conformance::run(bursting_cases("volcengine"), remote(fake.url(), "volcengine"));
    expect_all(report, Outcome::Fail, "expect.code: expected \"Reject.Throttling.Action\"");
  }
  {
    FakeKms fake(alibaba_fake(30, {429, "Throttling.User", kAliDocumented.message}));
    const auto report = conformance::run(bursting_cases("alibaba"), remote(fake.url(), "alibaba"));
    expect_all(report, Outcome::Fail, "expect.code: expected \"Rejected.Throttling\"");
  }
}

// A case of our own with a small budget, so the fake's endless successes end quickly.
TEST(Burst, AnEndpointThatNeverRefusesFailsWithThePeakRate) {
  FakeKms fake(volcengine_fake(-1, kVolcDocumented));
  auto loaded = conformance::load_case_text(R"({"dialect": "volcengine", "cases": [{
      "id": "t.never", "title": "never refused", "doc": "spec §1.4", "features": ["throttling-burst"],
      "steps": [{"action": "DescribeRegions", "burst": {"connections": 4, "requests": 200},
                 "expect": {"status": 403, "code": "Reject.Throttling.Action"}}]}]})",
                                            "inline.json", "volcengine");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors.front().to_string();
  const auto report = conformance::run(loaded.cases, remote(fake.url(), "volcengine"));
  ASSERT_EQ(report.results.size(), 1u);
  const auto& r = report.results[0];
  EXPECT_EQ(r.outcome, Outcome::Fail) << r.message;
  EXPECT_THAT(r.message,
              HasSubstr("no refusal in the burst's budget (4 connections, 200 requests"));
  EXPECT_THAT(r.message, HasSubstr("200 requests (200 accepted)"));
  EXPECT_THAT(r.message, HasSubstr("req/s"));
  EXPECT_EQ(fake.count("DescribeRegions"), 200u);
}

// Bursting cases wait for the others: the fake sees every other case's action first.
TEST(Burst, BurstingCasesRunAloneAfterTheOthers) {
  FakeKms fake(volcengine_fake(30, kVolcDocumented));
  auto cases = bursting_cases("volcengine");
  for (int i = 0; i < 6; ++i) {
    Case other = make_case("t.other" + std::to_string(i), "volcengine", {S("DescribeKeyrings")});
    cases.push_back(other);
  }
  const auto report = conformance::run(cases, remote(fake.url(), "volcengine"));
  expect_all(report, Outcome::Pass, "");
  const auto actions = fake.actions();
  const auto first_burst = std::find(actions.begin(), actions.end(), "DescribeRegions");
  EXPECT_EQ(std::count(first_burst, actions.end(), "DescribeKeyrings"),
            1)  // volc.throttling.per-action's own second step
      << "a DescribeKeyrings case ran during the bursts";
}

TEST(Burst, OnByDefaultInProcessAndOnLoopbackOnly) {
  const Case c = bursting_cases("volcengine").front();
  for (const std::string url :
       {"http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "http://127.1.2.3:9"}) {
    EXPECT_FALSE(conformance::missing_feature(c, remote(url, "volcengine"))) << url;
  }
  for (const std::string url :
       {"https://kms.cn-beijing.volcengineapi.com", "http://10.0.0.7:80", "http://128.0.0.1:80"}) {
    EXPECT_EQ(conformance::missing_feature(c, remote(url, "volcengine")), "throttling-burst")
        << url;
  }
  RunOptions asked = remote("https://kms.cn-beijing.volcengineapi.com", "volcengine");
  asked.features = std::set<std::string>{"throttling-burst"};
  EXPECT_FALSE(conformance::missing_feature(c, asked));
  RunOptions in_process;
  in_process.dialects = {"volcengine"};
  EXPECT_FALSE(conformance::missing_feature(c, in_process));
}

TEST(Burst, CaseFilesCheckTheBurst) {
  auto errors_of = [](const std::string& step) {
    auto loaded = conformance::load_case_text(
        R"({"dialect": "volcengine", "cases": [{"id": "t.b", "title": "t", "doc": "spec",
            "steps": [)" +
            step + R"(]}]})",
        "inline.json", "volcengine");
    std::string out;
    for (const auto& e : loaded.errors) out += e.to_string() + "\n";
    return out;
  };
  EXPECT_EQ(errors_of(R"({"action": "DescribeRegions", "burst": {}})"), "");
  EXPECT_THAT(errors_of(R"({"action": "DescribeRegions", "burst": {"connections": 65}})"),
              HasSubstr("burst.connections"));
  EXPECT_THAT(errors_of(R"({"action": "DescribeRegions", "burst": {"requests": 5001}})"),
              HasSubstr("burst.requests"));
  EXPECT_THAT(errors_of(R"({"action": "DescribeRegions", "burst": {"seconds": 11}})"),
              HasSubstr("burst.seconds"));
  EXPECT_THAT(errors_of(R"({"action": "DescribeRegions", "burst": {"rate": 5}})"),
              HasSubstr("burst.rate"));
  EXPECT_THAT(errors_of(R"({"action": "DescribeRegions", "burst": 5})"), HasSubstr("burst"));
  EXPECT_THAT(errors_of(R"({"action": "DescribeRegions", "burst": {},
                            "retry": {"until": [{"path": "x", "exists": true}]}})"),
              HasSubstr("a burst or a retry, not both"));
}

}  // namespace
}  // namespace kmsconf::testing
