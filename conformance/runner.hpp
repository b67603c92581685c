// The data-driven conformance runner behind `kmsconf test`: runs cases (conformance/
// case_model.hpp) against an endpoint per dialect, in parallel, and classifies each one as
// docs/case-format.md says. Also the sweeper that removes what aborted runs left behind.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/dialect.hpp"
#include "client/run_prefix.hpp"
#include "conformance/case_model.hpp"
#include "conformance/driver.hpp"
#include "conformance/results.hpp"
#include "conformance/run_control.hpp"

namespace kmsconf::server {
class ReferenceServer;
}

namespace kmsconf::conformance {

struct RunOptions {
  // Cases of other dialects are left out.
  std::vector<std::string> dialects = client::dialect_names();
  // The endpoint URL for every dialect; empty = an in-process ReferenceServer per dialect on
  // 127.0.0.1 (ephemeral port, generated credential, timestamps checked). `endpoints` overrides
  // it per dialect.
  std::string endpoint;
  std::map<std::string, std::string> endpoints;
  std::string region;  // empty: cn-beijing (volcengine), cn-hangzhou (alibaba)
  std::map<std::string, std::string> regions;  // per dialect, over `region`
  // Any of: a substring of the case id, or a glob (*, ?) over the whole id; empty = all.
  std::vector<std::string> filters;
  std::vector<std::string> tags;          // any-of; empty = all
  std::vector<std::string> exclude_tags;  // a case carrying any of these is left out
  size_t jobs = 4;  // worker threads, each with its own drivers and connections
  // Enabled features; a case requiring one not in the set is Disabled. nullopt: for an
  // in-process server every feature it can provide (all but "sts-credentials"), including
  // "test-credentials" (the well-known keys of fixtures/volcengine/errors.json are added to
  // it), "low-quota-throttling" (such cases get a server of their own with small quotas) and
  // "fault-injection" (its fault hook is on); for a remote endpoint every feature but those
  // three in-process ones, with "sts-credentials" on when the run's credential carries a
  // session token.
  std::optional<std::set<std::string>> features;
  std::map<std::string, std::string> expected_failures;  // case id -> reason
  std::chrono::milliseconds timeout{30000};              // per request (connect to last byte)
  bool insecure = false;
  std::string ca_file;
  // Per dialect; required for a remote endpoint, ignored for in-process servers.
  std::map<std::string, Credentials> credentials;
  std::map<std::string, std::string> account_ids;  // {{account_id}} per dialect, when known
  // PEM file of pre-generated RSA pairs (fixtures/keypool/, engine/crypto/key_pool.hpp) that
  // in-process servers hand out before generating keys; empty: they generate every key.
  std::string key_pool_file;
  // Where each dialect's credential came from ("--credentials FILE", environment variable
  // names), so that a refused credential's message says what to fix.
  std::map<std::string, std::string> credential_sources;
  // Ending early and on time (docs/ci-gating.md): no case starts after `deadline` (from the
  // start of run()), steps in flight give up then; after `max_failures` Fail or Error cases (0:
  // no limit); after `max_transport_errors` cases in a row ended by the connection (refused,
  // reset, timeout; 0: never). Cases not started are NotRun. Cleanup steps wait at most
  // `cleanup_timeout`.
  std::optional<std::chrono::milliseconds> deadline;
  size_t max_failures = 0;
  size_t max_transport_errors = 10;
  std::chrono::milliseconds cleanup_timeout{5000};
  // Where stop requests from outside come in (a signal watcher); the run makes its own if null.
  RunControl* control = nullptr;
  // One cheap signed call per dialect before any case (preflight.hpp); a failure stops the run.
  bool preflight = true;
  std::string run_prefix;    // empty: make_run_prefix(now); each case gets its own suffix
  std::string tool_version;  // copied into the report
  // Test only: told about every in-process server the runner starts (the per-dialect ones and
  // each low-quota twin), before any case's request reaches it; e.g. to set an engine mutation.
  // Called from the runner's threads, so it must be thread-safe.
  std::function<void(const std::string& dialect, server::ReferenceServer& server)>
      on_server_started;
};

// Told about progress from worker threads, one call at a time (the runner serialises them).
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void started(size_t total) { (void)total; }
  virtual void finished(const CaseResult& result, size_t done, size_t total) {
    (void)result;
    (void)done;
    (void)total;
  }
};

// Runs the selected cases and returns one result per selected case, in input order. Throws
// std::invalid_argument for an unusable configuration (unknown dialect, bad endpoint URL,
// missing credentials for a remote endpoint, unreadable ca_file); never throws for what a case
// or the endpoint does.
RunReport run(const std::vector<Case>& cases, const RunOptions& options,
              ProgressSink* progress = nullptr);

// Whether a case is selected by dialect, filter and tags (features are checked later: a case
// needing an absent feature is reported Disabled, not left out).
bool selected(const Case& c, const RunOptions& options);
// What a run of these cases with these options is of (RunReport::identity): the selected cases
// of `cases`, the dialects, where each goes, the selection options.
RunIdentity identity_of(const std::vector<Case>& cases, const RunOptions& options);

// The features the runner itself knows (those it provides or withholds in-process); the others
// are named by case files.
std::set<std::string> runner_features();
// The first feature the case needs that the run does not enable (the case is then Disabled).
std::optional<std::string> missing_feature(const Case& c, const RunOptions& options);
bool filter_matches(std::string_view filter, std::string_view id);

// 0 everything passed (XFail, Skip and Disabled allowed), 1 any Fail or XPass, 3 no failure but
// engine Errors, cases not run, a stopped run or malformed case files, or failures that all
// share one cause outside conformance (RunReport::shared_cause). 2 (usage or
// configuration) is the CLI's.
int exit_code(const RunReport& report);

// Recorded form of a request or response with signatures, security tokens and the given
// secrets replaced by "<redacted>". A secret shorter than kMinRedactedSecretLength is left
// alone (a case's deliberately wrong secret "wrong" is no secret, and would mangle the text).
inline constexpr size_t kMinRedactedSecretLength = 6;
std::string render_request(const HttpRequest& request, const std::vector<std::string>& secrets);
std::string render_response(const HttpResponse& response, const std::vector<std::string>& secrets);
std::string redact(std::string text, const std::vector<std::string>& secrets);

// ---------------------------------------------------------------------------------------------
// Sweeping leftovers of earlier runs

using client::has_run_prefix;  // client/run_prefix.hpp
using client::run_prefix_time;

struct SweepItem {
  std::string dialect;
  std::string kind;    // key | keyring | alias
  std::string id;      // key id, keyring name or alias name
  std::string name;    // what matched (name, description or alias)
  std::string action;  // what was sent: ScheduleKeyDeletion, DeleteKeyring, DeleteAlias
  bool ok = false;
  bool deferred = false;  // not sent (a keyring still holding keys): sweep again later
  std::string message;    // error code and message when !ok, or why deferred
};

struct SweepReport {
  std::vector<SweepItem> items;
  size_t scanned = 0;               // resources looked at
  size_t too_recent = 0;            // prefixed, but of a run younger than SweepLimits::min_age
  bool truncated = false;           // the bounds were hit: run again for the rest
  std::vector<std::string> errors;  // listing failures, "dialect: ..."
};

struct SweepLimits {
  size_t max_pages = 50;        // per listing
  size_t max_resources = 2000;  // looked at, per dialect
  size_t max_deletions = 500;   // sent, per dialect
  // Leftovers of runs that started less than this long ago are left alone: such a run may still
  // be going (parallel CI jobs on one account).
  std::chrono::minutes min_age{60};
};

// Per dialect of options.dialects: lists keyrings and keys (Volcengine: DescribeKeyrings,
// DescribeKeys; Alibaba: ListKeys + DescribeKey, ListAliases) and schedules deletion (7 days)
// of keys, deletes keyrings and aliases whose names or descriptions carry the "kc-" family of a
// run older than limits.min_age.
// Keys already pending deletion are left alone; a keyring still holding keys (KeyCount > 0) is
// reported deferred, not sent. Throws std::invalid_argument like run().
SweepReport sweep(const RunOptions& options, const SweepLimits& limits = {});

}  // namespace kmsconf::conformance
