// Mutation test of the conformance suites (the issue's acceptance: "the reference server started
// with one documented behaviour deliberately changed makes exactly the cases that check it
// fail"). Both full suites of fixtures/ run in-process, once as they are and once per engine
// mutation (Engine::set_mutation, set on every server the runner starts through
// RunOptions::on_server_started). The cases that fail must be exactly the ones listed here,
// which were derived from what each case checks; a case failing that is not listed, or a listed
// one passing, means the suite's coverage of that behaviour changed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "conformance/case_file.hpp"
#include "conformance/results.hpp"
#include "conformance/runner.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::Case;
using conformance::Outcome;
using conformance::RunOptions;
using conformance::RunReport;
using IdSet = std::set<std::string>;

const std::string kFixtures = KMSCONF_SOURCE_DIR "/fixtures";
const std::string kRepoPool = KMSCONF_SOURCE_DIR "/fixtures/keypool/rsa-test-keys.pem";

// Both suites, loaded once; a file error fails every test that uses them.
const std::vector<Case>& suites() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> all;
    for (const char* dialect : {"volcengine", "alibaba"}) {
      auto loaded = conformance::load_case_dir(kFixtures + "/" + dialect, dialect);
      for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
      all.insert(all.end(), loaded.cases.begin(), loaded.cases.end());
    }
    return all;
  }();
  return cases;
}

struct MutatedRun {
  RunReport report;
  std::map<std::string, int> servers;  // dialect -> servers the runner started
};

// Runs both suites in-process, each server of the run with `mutation` set (none when empty).
MutatedRun run_suites(const std::string& mutation) {
  MutatedRun run;
  std::mutex mutex;
  RunOptions options;
  options.dialects = {"volcengine", "alibaba"};
  options.key_pool_file = kRepoPool;  // RSA key generation would dominate the run
  options.on_server_started = [&](const std::string& dialect, server::ReferenceServer& server) {
    if (!mutation.empty()) server.engine().set_mutation(mutation);
    std::lock_guard lock(mutex);
    ++run.servers[dialect];
  };
  run.report = conformance::run(suites(), options);
  return run;
}

IdSet ids_with(const RunReport& report, Outcome outcome) {
  IdSet ids;
  for (const auto& r : report.results) {
    if (r.outcome == outcome) ids.insert(r.id);
  }
  return ids;
}

std::string describe(const RunReport& report, const IdSet& ids) {
  std::string out;
  for (const auto& r : report.results) {
    if (ids.contains(r.id)) out += "  " + r.id + ": " + r.message + "\n";
  }
  return out;
}

bool needs(const Case& c, const std::string& feature) {
  return std::find(c.features.begin(), c.features.end(), feature) != c.features.end();
}

// Cases the runner gives a low-quota server of their own (each such server is one more call of
// on_server_started), per dialect.
std::map<std::string, int> low_quota_cases() {
  std::map<std::string, int> count;
  for (const auto& c : suites()) {
    if (needs(c, "low-quota-throttling")) ++count[c.dialect];
  }
  return count;
}

// In-process runs have every feature but an STS run credential.
IdSet sts_cases() {
  IdSet ids;
  for (const auto& c : suites()) {
    if (needs(c, "sts-credentials")) ids.insert(c.id);
  }
  return ids;
}

// What every run must have in common: the mutation changes outcomes, never makes the runner
// fail to run a case, nor makes a prerequisite step fail (a Skip would hide a check).
void expect_only_failures_change(const MutatedRun& run, const IdSet& expected_failures) {
  const RunReport& report = run.report;
  ASSERT_EQ(report.results.size(), suites().size());
  EXPECT_TRUE(report.file_errors.empty());
  IdSet errors = ids_with(report, Outcome::Error);
  EXPECT_TRUE(errors.empty()) << "cases the runner could not run:\n" << describe(report, errors);
  IdSet skipped = ids_with(report, Outcome::Skip);
  EXPECT_TRUE(skipped.empty()) << "cases whose prerequisites failed:\n"
                               << describe(report, skipped);
  IdSet failed = ids_with(report, Outcome::Fail);
  EXPECT_EQ(failed, expected_failures) << "failing cases:\n" << describe(report, failed);
  // Everything else passed, but for the cases needing an STS run credential.
  IdSet disabled = ids_with(report, Outcome::Disabled);
  EXPECT_EQ(disabled, sts_cases());
  EXPECT_EQ(report.count(Outcome::Pass) + failed.size() + disabled.size(), suites().size());
  // The hook reached every server: one per dialect plus a twin per low-quota case.
  auto twins = low_quota_cases();
  EXPECT_EQ(run.servers, (std::map<std::string, int>{{"alibaba", 1 + twins["alibaba"]},
                                                     {"volcengine", 1 + twins["volcengine"]}}));
}

TEST(SuiteMutation, WithoutAMutationEveryCasePasses) {
  ASSERT_GT(suites().size(), 1000u) << "both full suites";
  expect_only_failures_change(run_suites(""), {});
}

// The context is the AAD (spec: Volcengine §3.5/§4.8, Alibaba §4.8). Ignored, every ciphertext
// opens whatever context is given: the cases that decrypt (or re-encrypt, or export) with a wrong,
// partial, missing or unexpected context fail; round trips with the right context still pass.
TEST(SuiteMutation, IgnoringTheEncryptionContextFailsExactlyTheWrongContextCases) {
  expect_only_failures_change(run_suites("ignore-encryption-context"),
                              {
                                  "volc.crypto.context.mismatch",
                                  "volc.crypto.context.missing",
                                  "volc.crypto.context.subset",
                                  "volc.crypto.context.unexpected",
                                  "volc.crypto.data-key.context",
                                  "volc.crypto.re-encrypt.contexts",
                                  "volc.crypto.re-encrypt.wrong-old-context",
                                  "ali.crypto.context-mismatch",
                                  "ali.crypto.context-missing-at-decrypt",
                                  "ali.crypto.context-subset-at-decrypt",
                                  "ali.crypto.context-extra-at-decrypt",
                                  "ali.crypto.reencrypt-contexts",
                                  "ali.crypto.reencrypt-wrong-source-context",
                                  "ali.data-keys.generate-with-context",
                                  "ali.data-keys.without-plaintext-context",
                                  "ali.data-keys.export-data-key-context",
                                  "ali.data-keys.generate-and-export-context",
                              });
}

// CancelKeyDeletion returns the key to Enable/Enabled whatever state it was scheduled from
// (Volcengine §4.2 [INF], Alibaba §4.1). Restored to Disabled instead (AWS's behaviour), the cases
// that look at the key after a cancellation fail: its state, its use, its rotation; the
// state-matrix cell CancelKeyDeletion x PendingDelete(ion) of each dialect is a case that checks
// the state after.
TEST(SuiteMutation, CancelledDeletionLeavingTheKeyDisabledFailsExactlyTheAfterCancelCases) {
  expect_only_failures_change(run_suites("cancel-deletion-disables"),
                              {
                                  "volc.lifecycle.cancel-deletion",
                                  "volc.lifecycle.cancel-deletion.after-disable",
                                  "volc.lifecycle.cancel-deletion.after-archive",
                                  "volc.lifecycle.cancel-deletion.from-pending-import",
                                  "volc.state-matrix.CancelKeyDeletion.PendingDelete",
                                  "ali.describe-key.delete-date-gone-after-cancel",
                                  "ali.keys.schedule-then-cancel",
                                  "ali.keys.cancel-deletion-of-disabled-key-enables",
                                  "ali.rotation.resumes-after-cancelled-deletion",
                                  "ali.state-matrix.CancelKeyDeletion.PendingDeletion",
                                  "ali.state-matrix.cancel-returns-disabled-key-to-enabled",
                                  "ali.state-matrix.pending-import-to-pending-deletion-and-back",
                              });
}

}  // namespace
}  // namespace kmsconf::testing
