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
#include <ostream>
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

// Cases the runner gives a server of their own (each such server is one more call of
// on_server_started), per dialect: those needing a low quota, and those that burst
// (docs/case-format.md: a burst meets the default quotas on a server nobody else uses).
std::map<std::string, int> own_server_cases() {
  std::map<std::string, int> count;
  for (const auto& c : suites()) {
    const bool bursts =
        std::any_of(c.steps.begin(), c.steps.end(), [](const auto& s) { return s.burst; });
    if (needs(c, "low-quota-throttling") || bursts) ++count[c.dialect];
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
  // The hook reached every server: one per dialect plus a twin per case with its own.
  auto twins = own_server_cases();
  EXPECT_EQ(run.servers, (std::map<std::string, int>{{"alibaba", 1 + twins["alibaba"]},
                                                     {"volcengine", 1 + twins["volcengine"]}}));
}

TEST(SuiteMutation, WithoutAMutationEveryCasePasses) {
  ASSERT_GT(suites().size(), 1000u) << "both full suites";
  expect_only_failures_change(run_suites(""), {});
}

// One engine mutation and the cases it must make fail: exactly those whose checks see the
// mutated behaviour, listed from what each case checks (not from a run).
struct Mutation {
  std::string name;  // Engine::set_mutation
  IdSet expected_failures;
};

void PrintTo(const Mutation& mutation, std::ostream* out) {
  *out << mutation.name;
}

const std::vector<Mutation>& mutations() {
  static const std::vector<Mutation> table = {
      // The context is the AAD (spec: Volcengine §3.5/§4.8, Alibaba §4.8). Ignored, every
      // ciphertext opens whatever context is given: the cases that decrypt (or re-encrypt, or
      // export) with a wrong, partial, missing or unexpected context fail; round trips with the
      // right context still pass.
      {"ignore-encryption-context",
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
       }},
      // CancelKeyDeletion returns the key to Enable/Enabled whatever state it was scheduled from
      // (Volcengine §4.2 [INF], Alibaba §4.1). Restored to Disabled instead (AWS's behaviour),
      // the cases that look at the key after a cancellation fail: its state, its use, its
      // rotation; the state-matrix cell CancelKeyDeletion x PendingDelete(ion) of each dialect is
      // a case that checks the state after.
      {"cancel-deletion-disables",
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
       }},
      // The deletion date is now + PendingWindowInDays (Volcengine §4.6, default 7; Alibaba §4.1).
      // With the longest window whatever was asked, the cases that compare the deletion date with
      // the window they asked for (or the default) fail; a case asking for the maximum (Alibaba's
      // 366) cannot tell, and the other schedulings (cleanups, setups) only read the state.
      {"ignore-pending-window",
       {
           // 10 days, neither the minimum/default nor the maximum.
           "volc.lifecycle.schedule-deletion.window-sets-date",
           "ali.keys.schedule-deletion-window-sets-date",
           // The default window (Volcengine) or 7 days, and the date read back.
           "volc.lifecycle.schedule-deletion.default-window",
           "ali.describe-key.pending-deletion-metadata",
           // State-matrix cells whose after-state check reads the date a 7-day window set (for
           // DeleteKeyMaterial x PendingDeletion: the date it must leave unchanged).
           "volc.state-matrix.ScheduleKeyDeletion.Enable",
           "volc.state-matrix.ScheduleKeyDeletion.Disable",
           "volc.state-matrix.ScheduleKeyDeletion.Archived",
           "volc.state-matrix.ScheduleKeyDeletion.PendingImport",
           "ali.state-matrix.ScheduleKeyDeletion.Enabled",
           "ali.state-matrix.ScheduleKeyDeletion.Disabled",
           "ali.state-matrix.ScheduleKeyDeletion.PendingImport",
           "ali.state-matrix-import.DeleteKeyMaterial.PendingDeletion",
       }},
      // AsymmetricVerify answers whether the signature is the key's over that message/digest
      // (Volcengine §3.5, Alibaba §3.6). Always "valid", the cases expecting false fail: another
      // message or digest, random bytes, another key's signature. Sign-then-verify round trips
      // still pass.
      {"verify-always-valid",
       {
           "volc.asym.verify.wrong-message",
           "volc.asym.verify.other-key",
           "ali.asymmetric.verify-other-digest",
           "ali.asymmetric.verify-garbage-signature",
           "ali.asymmetric.verify-with-other-key",
       }},
      // VerifyMac is its own engine path (Volcengine §3.5, Alibaba §3.5). Always "valid", the
      // cases expecting false fail: another message, a random MAC, another key's MAC, a MAC of
      // the other algorithm.
      {"mac-verify-always-valid",
       {
           "volc.mac.verify.wrong-message",
           "volc.mac.verify.random-mac",
           "volc.mac.verify.other-key",
           "volc.mac.algorithms-differ",
           "ali.crypto.mac-verify-other-message",
       }},
      // DisableKey moves the key to Disable(d) (Volcengine §4.2, Alibaba §4.1). Answering success
      // without the move, the key stays Enable(d): every case that, after a DisableKey, reads the
      // state (DescribeKey, ListKeys' KeyState filter, rotation shown Suspended) or expects the
      // refusal a disabled key gets fails. Cases that disable and only look after a re-enable, a
      // scheduling or a cancellation, or that disable an unknown key, pass; so does
      // ali.versions.create-version-disabled-key, since a fresh key is refused CreateKeyVersion
      // with the same answer anyway (versions >= 7 days apart, Alibaba §3.3).
      {"disable-keeps-state",
       {
           // The state read back.
           "volc.lifecycle.disable-enable",
           "volc.lifecycle.enable-disable-get",
           "volc.lifecycle.disable-noop",
           "ali.keys.disable-enable",
           "ali.aliases.disable-by-alias",
           "ali.describe-key.disabled-metadata",
           "ali.describe-key.rotation-fields-when-suspended",
           "ali.rotation.suspended-while-disabled",
           "ali.list-keys.filter-key-state",
           "ali.deletion-protection.protected-key-still-usable",
           "ali.state-matrix.DescribeKey.Disabled",
           // State-matrix cells whose after-state check expects Disable(d): DisableKey's own
           // cells, and DescribeKey of a disabled key.
           "volc.state-matrix.DisableKey.Enable",
           "volc.state-matrix.DisableKey.Disable",
           "volc.state-matrix.DescribeKey.Disable",
           "ali.state-matrix.DisableKey.Enabled",
           "ali.state-matrix.DisableKey.Disabled",
           // A disabled key's refusals (an Enable(d) key is served, or refused naming Enable).
           "volc.crypto.re-encrypt.disabled-destination",
           "volc.errors.catalog.invalid-key-status",
           "volc.lifecycle.archive.from-disable",
           "volc.lifecycle.disabled.no-crypto",
           "volc.lifecycle.rotation.disabled-key",
           "volc.mr.replicate.disabled-primary",
           "volc.mr.update-primary.disabled",
           "ali.crypto.decrypt-after-disable-and-enable",
           "ali.errors.rejected-disabled-message",
           "ali.errors.dry-run-on-disabled-key",
           "ali.rotation.disabled-key-refused",
           // State-matrix cells of the Disable(d) column whose answer differs from the
           // Enable(d) column's.
           "volc.state-matrix.ArchiveKey.Disable",
           "volc.state-matrix.AsymmetricDecrypt.Disable",
           "volc.state-matrix.AsymmetricEncrypt.Disable",
           "volc.state-matrix.AsymmetricSign.Disable",
           "volc.state-matrix.AsymmetricVerify.Disable",
           "volc.state-matrix.CancelArchiveKey.Disable",
           "volc.state-matrix.CancelKeyDeletion.Disable",
           "volc.state-matrix.Decrypt.Disable",
           "volc.state-matrix.DisableKeyRotation.Disable",
           "volc.state-matrix.EnableKeyRotation.Disable",
           "volc.state-matrix.Encrypt.Disable",
           "volc.state-matrix.GenerateDataKey.Disable",
           "volc.state-matrix.GenerateMac.Disable",
           "volc.state-matrix.GetPublicKey.Disable",
           "volc.state-matrix.ReEncrypt.Disable",
           "volc.state-matrix.ReplicateKey.Disable",
           "volc.state-matrix.UpdatePrimaryRegion.Disable",
           "volc.state-matrix.VerifyMac.Disable",
           "ali.state-matrix.Encrypt.Disabled",
           "ali.state-matrix.GenerateDataKey.Disabled",
           "ali.state-matrix-decrypt.Decrypt.Disabled",
           "ali.state-matrix-extension.GenerateDataKeyWithoutPlaintext.Disabled",
           "ali.state-matrix-extension.UpdateRotationPolicy.Disabled",
           "ali.state-matrix-reencrypt.ReEncryptFromKey.Disabled",
           "ali.state-matrix-reencrypt.ReEncryptToKey.Disabled",
           "ali.state-matrix-asymmetric-encryption.AsymmetricDecrypt.Disabled",
           "ali.state-matrix-asymmetric-encryption.AsymmetricEncrypt.Disabled",
           "ali.state-matrix-asymmetric-encryption.GetPublicKey.Disabled",
           "ali.state-matrix-asymmetric-signing.AsymmetricSign.Disabled",
           "ali.state-matrix-asymmetric-signing.AsymmetricVerify.Disabled",
           "ali.state-matrix-mac.GenerateMac.Disabled",
           "ali.state-matrix-mac.VerifyMac.Disabled",
       }},
      // Decrypt gives back the plaintext sealed (Volcengine §3.5, Alibaba §3.5). With one bit
      // flipped, the cases that compare Decrypt's Plaintext with the value encrypted (or the data
      // key generated) fail; those checking only its length (data keys without plaintext, the
      // 6 KB plaintext) pass, and so does ExportDataKey, whose re-wrapped key no case can open.
      {"decrypt-returns-other-bytes",
       {
           // Round trips of Encrypt: Decrypt's Plaintext is the text encrypted.
           "volc.crypto.roundtrip",
           "volc.crypto.roundtrip.by-names",
           "volc.crypto.roundtrip.symmetric-128",
           "volc.crypto.roundtrip.query-mixed",
           "volc.crypto.encrypt.fields",
           "volc.crypto.plaintext.max-chars",
           "volc.crypto.nondeterministic",
           "volc.crypto.context.object",
           "volc.crypto.context.string-form",
           "volc.crypto.context.order-insensitive",
           "volc.crypto.context.query-string",
           "volc.lifecycle.archived.decrypt-only",
           "volc.lifecycle.disabled.no-crypto",
           "volc.lifecycle.rotation.keeps-decrypting",
           "volc.mr.replica.usable-in-its-region",
           "volc.mr.replica.decrypts-primary-ciphertext",
           "ali.aliases.encrypt-by-alias",
           "ali.crypto.encrypt-decrypt-roundtrip",
           "ali.crypto.decrypt-needs-no-key-id",
           "ali.crypto.context-roundtrip",
           "ali.crypto.context-order-insensitive",
           "ali.crypto.decrypt-after-disable-and-enable",
           "ali.crypto.dry-run-false-executes",
           "ali.crypto.encrypt-get",
           "ali.crypto.encrypt-form-body",
           "ali.deletion-protection.protected-key-still-usable",
           "ali.versions.encrypt-uses-primary-version",
           // Re-encrypted blobs decrypted under the destination key.
           "volc.crypto.re-encrypt.by-id",
           "volc.crypto.re-encrypt.by-names",
           "volc.crypto.re-encrypt.contexts",
           "volc.crypto.re-encrypt.archived-source",
           "ali.crypto.reencrypt",
           "ali.crypto.reencrypt-contexts",
           // State-matrix cells where Decrypt is allowed, with the plaintext checked.
           "volc.state-matrix.Decrypt.Enable",
           "volc.state-matrix.Decrypt.Archived",
           "ali.state-matrix-decrypt.Decrypt.Enabled",
           // Data keys: the blob decrypts to the Plaintext GenerateDataKey answered.
           "volc.crypto.data-key.default",
           "volc.crypto.data-key.context",
           "volc.crypto.data-key.bytes-1",
           "volc.crypto.data-key.bytes-64",
           "volc.crypto.data-key.bytes-1024",
           "ali.data-keys.generate-default",
           "ali.data-keys.generate-with-context",
           "ali.data-keys.generate-aes-128",
           "ali.data-keys.generate-aes-256",
           "ali.data-keys.generate-by-alias",
           "ali.data-keys.generate-number-of-bytes",
           "ali.data-keys.number-of-bytes-bounds",
           "ali.data-keys.number-of-bytes-wins",
       }},
  };
  return table;
}

class EngineMutation : public ::testing::TestWithParam<Mutation> {};

TEST_P(EngineMutation, FailsExactlyTheCasesCheckingTheMutatedBehaviour) {
  expect_only_failures_change(run_suites(GetParam().name), GetParam().expected_failures);
}

// Named SuiteMutation/EngineMutation.<test>/<mutation>, so --gtest_filter='SuiteMutation*' runs
// them with the unmutated run.
INSTANTIATE_TEST_SUITE_P(SuiteMutation, EngineMutation, ::testing::ValuesIn(mutations()),
                         [](const ::testing::TestParamInfo<Mutation>& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace kmsconf::testing
