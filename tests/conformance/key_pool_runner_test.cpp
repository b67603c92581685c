// The runner's in-process servers draw RSA pairs from RunOptions::key_pool_file, and a run
// that outgrows the pool says so in its report (slower, never wrong).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "conformance/console.hpp"
#include "conformance/results.hpp"
#include "conformance/runner.hpp"
#include "tests/conformance/fake_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::Outcome;
using conformance::RunOptions;
using conformance::RunReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using S = StepBuilder;

const std::string kRepoPool = KMSCONF_SOURCE_DIR "/fixtures/keypool/rsa-test-keys.pem";

// A case creating `count` RSA-2048 keys in one keyring (scheduled for deletion afterwards).
conformance::Case rsa_keys_case(const std::string& id, int count) {
  std::vector<conformance::Step> steps{S("CreateKeyring", {{"KeyringName", "{{run_prefix}}-r"}})};
  std::vector<conformance::Step> cleanup;
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(i);
    steps.push_back(S("CreateKey", {{"KeyringName", "{{run_prefix}}-r"},
                                    {"KeyName", "{{run_prefix}}-k" + n},
                                    {"KeySpec", "RSA_2048"},
                                    {"KeyUsage", "SIGN_VERIFY"}})
                        .status(200)
                        .capture("key" + n, "Result.Key.ID"));
    cleanup.push_back(S("ScheduleKeyDeletion", {{"KeyID", "{{key" + n + "}}"}}));
  }
  return make_case(id, "volcengine", steps, cleanup);
}

// The first PEM block of the repo's pool, as a pool file of one pair.
std::string one_pair_pool(const std::filesystem::path& dir) {
  std::ifstream in(kRepoPool);
  std::ostringstream text;
  text << in.rdbuf();
  std::string pem = text.str();
  const std::string end_marker = "-----END PRIVATE KEY-----\n";
  std::string first = pem.substr(0, pem.find(end_marker) + end_marker.size());
  std::filesystem::path file = dir / "one-pair.pem";
  std::ofstream(file) << first;
  return file.string();
}

RunOptions volcengine_in_process() {
  RunOptions o;
  o.dialects = {"volcengine"};
  o.jobs = 1;
  return o;
}

TEST(RunnerKeyPool, EnoughPairsLeaveNoNote) {
  RunOptions o = volcengine_in_process();
  o.key_pool_file = kRepoPool;
  RunReport report = conformance::run({rsa_keys_case("volc.rsa.three", 3)}, o);
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].outcome, Outcome::Pass) << report.results[0].message;
  EXPECT_TRUE(report.notes.empty());
}

TEST(RunnerKeyPool, ARunOutgrowingThePoolIsNotedInReportAndConsole) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "kmsconf-key-pool-test";
  std::filesystem::create_directories(dir);
  RunOptions o = volcengine_in_process();
  o.key_pool_file = one_pair_pool(dir);
  RunReport report = conformance::run({rsa_keys_case("volc.rsa.two", 2)}, o);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].outcome, Outcome::Pass) << report.results[0].message;
  EXPECT_THAT(report.notes, ElementsAre("the key pool ran out: 1 RSA pairs were generated; make "
                                        "it bigger with scripts/gen-key-pool"));
  EXPECT_THAT(conformance::totals_line(report), HasSubstr("\nnote: the key pool ran out"));
  EXPECT_EQ(conformance::report_from_json(conformance::to_json(report)).notes, report.notes);
}

TEST(RunnerKeyPool, AnUnreadablePoolIsAConfigurationError) {
  RunOptions o = volcengine_in_process();
  o.key_pool_file = "/nonexistent/pool.pem";
  EXPECT_THROW(conformance::run({rsa_keys_case("volc.rsa.one", 1)}, o), std::invalid_argument);
}

}  // namespace
}  // namespace kmsconf::testing
