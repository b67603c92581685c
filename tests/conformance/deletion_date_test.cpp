// The deletion date is checked by value (near_time), not only by format: the fixture case
// ali.describe-key.pending-deletion-metadata, run against a scripted Alibaba KMS that honours
// PendingWindowInDays, passes; when the KMS puts DeleteDate one day later than the window, the
// case fails, where its format-only checks (as the case stood before near_time) still pass.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>

#include "conformance/case_file.hpp"
#include "conformance/runner.hpp"
#include "protocol/time_format.hpp"
#include "tests/conformance/fake_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::Case;
using conformance::Outcome;
using conformance::RunOptions;
using namespace std::chrono_literals;

constexpr const char* kCaseId = "ali.describe-key.pending-deletion-metadata";
constexpr const char* kKeyId = "0b5c9f3e-2a41-4d6b-9c7e-8f1a2b3c4d5e";

Case fixture_case() {
  const auto loaded = conformance::load_case_dir(KMSCONF_SOURCE_DIR "/fixtures/alibaba", "alibaba");
  for (const auto& c : loaded.cases) {
    if (c.id == kCaseId) return c;
  }
  throw std::runtime_error(std::string("no fixture case ") + kCaseId);
}

// The same case with its value checks of times removed: what format-only checks see.
Case without_near_time(Case c) {
  for (auto& step : c.steps) {
    std::erase_if(step.expect.body,
                  [](const conformance::Assertion& a) { return a.predicate == "near_time"; });
  }
  return c;
}

// An Alibaba KMS for the case's three calls: DeleteDate = the time ScheduleKeyDeletion arrived
// + PendingWindowInDays days (spec alibaba-kms.md §4.1) + `error`.
class DeletionKms {
 public:
  explicit DeletionKms(std::chrono::seconds error)
      : error_(error),
        fake_([this](const HttpRequest& r, const std::string& a) { return answer(r, a); }) {}
  std::string url() const { return fake_.url(); }

 private:
  HttpResponse answer(const HttpRequest& request, const std::string& action) {
    if (action == "CreateKey") return ali_ok({{"KeyMetadata", metadata("Enabled")}});
    if (action == "ScheduleKeyDeletion") {
      const int days = std::stoi(params_of(request).value("PendingWindowInDays", "0"));
      std::lock_guard lock(mutex_);
      delete_date_ = iso8601_utc(std::chrono::system_clock::now() + days * 24h + error_);
      return ali_ok(json::object());
    }
    if (action == "DescribeKey") return ali_ok({{"KeyMetadata", metadata("PendingDeletion")}});
    return ali_error(400, "UnsupportedOperation", "not scripted: " + action);
  }

  json metadata(const std::string& state) {
    std::lock_guard lock(mutex_);
    json m = {{"KeyId", kKeyId},
              {"Arn", std::string("acs:kms:cn-hangzhou:1234567890:key/") + kKeyId},
              {"KeyState", state},
              {"Creator", "1234567890"},
              {"CreationDate", "2026-01-01T00:00:00Z"},
              {"Description", "kmsconf"},
              {"KeySpec", "Aliyun_AES_256"},
              {"KeyUsage", "ENCRYPT/DECRYPT"},
              {"Origin", "Aliyun_KMS"},
              {"ProtectionLevel", "SOFTWARE"},
              {"AutomaticRotation", "Disabled"},
              {"DeletionProtection", "Disabled"},
              {"DeletionProtectionDescription", ""},
              {"MaterialExpireTime", ""},
              {"LastRotationDate", "2026-01-01T00:00:00Z"},
              {"PrimaryKeyVersion", "7d6c5b4a-3f2e-4d1c-8b0a-9e8f7d6c5b4a"}};
    m["DeleteDate"] = state == "PendingDeletion" ? delete_date_ : "";
    return m;
  }

  std::chrono::seconds error_;
  std::mutex mutex_;
  std::string delete_date_;
  FakeKms fake_;
};

RunOptions against(const std::string& url) {
  RunOptions o;
  o.dialects = {"alibaba"};
  o.endpoint = url;
  o.credentials["alibaba"] = {"LTAIdeletiondatetest01", "deletion-date-test-secret-0123", ""};
  o.jobs = 1;
  o.timeout = 5000ms;
  o.preflight = false;  // the fake scripts only the case's calls
  return o;
}

conformance::CaseResult run_one(const Case& c, const std::string& url) {
  const auto report = conformance::run({c}, against(url));
  return report.results.at(0);
}

TEST(DeletionDate, TheWindowTheRequestSetPasses) {
  DeletionKms kms(0s);
  const auto result = run_one(fixture_case(), kms.url());
  EXPECT_EQ(result.outcome, Outcome::Pass) << result.message;
}

TEST(DeletionDate, ADayLaterThanTheWindowFails) {
  DeletionKms kms(24h);
  const auto result = run_one(fixture_case(), kms.url());
  EXPECT_EQ(result.outcome, Outcome::Fail);
  EXPECT_THAT(result.message,
              ::testing::HasSubstr("KeyMetadata.DeleteDate: expected near_time now+7d within 1h"));
  // The date is written to the second, so the day is shown give or take that second.
  EXPECT_THAT(result.message, ::testing::ContainsRegex("off by \\+(1d|86399s|86401s)\\)$"));
}

TEST(DeletionDate, FormatOnlyChecksLetADayLatePass) {
  DeletionKms kms(24h);
  const auto result = run_one(without_near_time(fixture_case()), kms.url());
  EXPECT_EQ(result.outcome, Outcome::Pass) << result.message;
}

}  // namespace
}  // namespace kmsconf::testing
