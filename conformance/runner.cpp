// The runner (runner.hpp): selects cases, prepares each dialect's target, runs the preflight,
// then the cases on worker threads until done or stopped, and says what the run was of.
#include "conformance/runner.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "conformance/case_run.hpp"
#include "conformance/preflight.hpp"
#include "conformance/run_environment.hpp"
#include "conformance/templates.hpp"
#include "protocol/digest.hpp"
#include "protocol/time_format.hpp"
#include "reference_server/engine/engine.hpp"

namespace kmsconf::conformance {
namespace {

using namespace internal;
using std::chrono::milliseconds;

constexpr size_t kMaxJobs = 64;

// A pool too small for the suites makes runs slow, not wrong: say so, so that it gets refilled.
void note_key_pool_shortfall(const Environment& env, RunReport& report) {
  size_t generated = env.generated_by_twins;
  for (const auto& srv : env.servers) generated += srv->engine().key_material_counts().generated;
  if (generated > 0) {
    report.notes.push_back("the key pool ran out: " + std::to_string(generated) +
                           " RSA pairs were generated; make it bigger with scripts/gen-key-pool");
  }
}

void apply_expected_failure(CaseResult& result, const RunOptions& options) {
  auto it = options.expected_failures.find(result.id);
  if (it == options.expected_failures.end()) return;
  if (result.outcome == Outcome::Fail) {
    result.outcome = Outcome::XFail;
    result.xfail_reason = it->second;
  } else if (result.outcome == Outcome::Pass) {
    result.outcome = Outcome::XPass;
    result.xfail_reason = it->second;
    result.message = "listed in expected failures (" + it->second + ") but passed";
  }
}

uint16_t random_suffix() {
  std::random_device device;
  return static_cast<uint16_t>(device() & 0xffff);
}

CaseResult disabled(const Case& c, const std::string& feature) {
  CaseResult r = header_only(c);
  r.outcome = Outcome::Disabled;
  r.message = "feature \"" + feature + "\" is not enabled";
  return r;
}

CaseResult not_run(const Case& c, const std::string& why) {
  CaseResult r = header_only(c);
  r.outcome = Outcome::NotRun;
  r.message = why;
  return r;
}

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

// What the run is of, for comparing it with a baseline: dialects, where each went, selection.
RunIdentity identity_of_chosen(const std::vector<const Case*>& chosen, const RunOptions& options) {
  RunIdentity identity;
  identity.dialects = sorted(options.dialects);
  for (const auto& dialect : identity.dialects) {
    std::string url = lookup(options.endpoints, dialect, options.endpoint);
    auto endpoint = client::Endpoint::parse(url);
    identity.endpoints[dialect] = url.empty() ? "in-process" : endpoint ? endpoint->url() : url;
  }
  std::vector<std::string> ids;
  for (const Case* c : chosen) ids.push_back(c->id);
  std::string joined;
  for (const auto& id : sorted(ids)) joined += id + "\n";
  identity.suite_fingerprint = "sha256:" + sha256_hex(joined);
  identity.filters = sorted(options.filters);
  identity.tags = sorted(options.tags);
  identity.exclude_tags = sorted(options.exclude_tags);
  std::set<std::string> features;
  for (const Case* c : chosen) {
    for (const auto& feature : c->features) {
      if (feature_enabled(feature, c->dialect, options))
        features.insert(c->dialect + ":" + feature);
    }
  }
  identity.features.assign(features.begin(), features.end());
  for (const auto& dialect : identity.dialects) {
    identity.regions[dialect] =
        lookup(options.regions, dialect,
               options.region.empty() ? default_region(dialect) : options.region);
  }
  return identity;
}

// How messages about a dialect's target name it and the options that change it.
PreflightTarget describe(const Target& target, const RunOptions& options) {
  PreflightTarget out;
  out.dialect = target.dialect;
  out.url =
      target.in_process ? "the in-process " + target.dialect + " server" : target.endpoint.url();
  out.region = target.region;
  out.region_option = "--region " + target.dialect + "=REGION";
  out.credential_from =
      lookup(options.credential_sources, target.dialect, "the " + target.dialect + " credentials");
  return out;
}

// One signed probe per dialect; the first failure stops the run before any case starts.
void run_preflight(const Environment& env, const RunOptions& options, RunControl& control,
                   std::vector<std::string>& notes) {
  for (const auto& [dialect, target] : env.targets) {
    auto driver = env.driver(dialect);
    PreflightResult result = preflight(*driver, describe(target, options),
                                       [&control] { return control.steps_not_after(); });
    notes.insert(notes.end(), result.notes.begin(), result.notes.end());
    if (!result.ok) {
      // A probe cut short by the run's deadline: the deadline is the reason, the probe a note.
      if (control.should_stop()) notes.push_back("preflight: " + result.message);
      control.request_stop(stop_reason::kPreflight, "preflight: " + result.message,
                           milliseconds{0});
      return;
    }
  }
}

// --max-failures and the dead-endpoint breaker, told about each finished case in turn.
void count_toward_stops(const CaseResult& result, const RunOptions& options, RunControl& control,
                        size_t& failures, size_t& transport_in_a_row) {
  if (result.outcome == Outcome::Fail || result.outcome == Outcome::Error) ++failures;
  if (result.transport_error) {
    ++transport_in_a_row;
  } else if (result.outcome != Outcome::Disabled) {
    transport_in_a_row = 0;
  }
  if (options.max_failures > 0 && failures >= options.max_failures) {
    control.request_stop(stop_reason::kMaxFailures,
                         std::to_string(failures) + " cases failed (--max-failures " +
                             std::to_string(options.max_failures) + ")",
                         options.timeout);
  }
  if (options.max_transport_errors > 0 && transport_in_a_row >= options.max_transport_errors) {
    control.request_stop(stop_reason::kEndpointDown,
                         std::to_string(transport_in_a_row) +
                             " cases in a row could not reach the endpoint (last: " +
                             result.message.substr(0, result.message.find('\n')) + ")",
                         milliseconds{0});
  }
}

// When every failure of the run was refused for one reason outside conformance (credentials,
// clock, region, a closed account), that reason; else "".
std::string shared_cause(const RunReport& report, const Environment& env,
                         const RunOptions& options) {
  std::optional<Cause> cause;
  const CaseResult* first = nullptr;
  size_t failing = 0, judged = 0;
  std::map<std::string, std::unique_ptr<DialectDriver>> drivers;  // for their catalogs only
  for (const auto& r : report.results) {
    if (r.outcome == Outcome::Disabled || r.outcome == Outcome::NotRun) continue;
    ++judged;
    const bool failed = r.outcome == Outcome::Fail || r.outcome == Outcome::Skip;
    // An Error without an answer (a transport failure) has no verdict either way: it neither
    // shares the cause nor speaks against it.
    if (!failed) continue;
    auto target = env.targets.find(r.dialect);
    if (r.failure_code.empty() || target == env.targets.end()) return "";
    auto& driver = drivers[r.dialect];
    if (!driver) driver = env.driver(r.dialect);
    Cause c = driver->cause_of(r.failure_code);
    if (c == Cause::None || c == Cause::Throttled || (cause && *cause != c)) return "";
    cause = c;
    if (!first) first = &r;
    ++failing;
  }
  // A few cases refused that way are findings (a wrong code in a negative test, a signing bug on
  // some inputs); it is a cause outside conformance only when it hit most of the run.
  if (!first || failing * 2 <= judged) return "";
  return "all " + std::to_string(failing) + " failing cases (of " + std::to_string(judged) +
         " run) were refused for one reason: " +
         explain_cause(*cause, first->failure_code,
                       describe(env.targets.at(first->dialect), options));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool filter_matches(std::string_view filter, std::string_view id) {
  if (filter.empty()) return true;
  std::string f(filter);
  if (f.find_first_of("*?[") != std::string::npos) {
    return fnmatch(f.c_str(), std::string(id).c_str(), 0) == 0;
  }
  return id.find(filter) != std::string_view::npos;
}

RunIdentity identity_of(const std::vector<Case>& cases, const RunOptions& options) {
  std::vector<const Case*> chosen;
  for (const auto& c : cases) {
    if (selected(c, options)) chosen.push_back(&c);
  }
  return identity_of_chosen(chosen, options);
}

std::set<std::string> runner_features() {
  std::set<std::string> out = unavailable_in_process();
  out.insert(in_process_only().begin(), in_process_only().end());
  out.insert(loopback_only().begin(), loopback_only().end());
  return out;
}

std::optional<std::string> missing_feature(const Case& c, const RunOptions& options) {
  for (const auto& feature : c.features) {
    if (!feature_enabled(feature, c.dialect, options)) return feature;
  }
  return std::nullopt;
}

bool selected(const Case& c, const RunOptions& options) {
  if (std::find(options.dialects.begin(), options.dialects.end(), c.dialect) ==
      options.dialects.end()) {
    return false;
  }
  if (!options.filters.empty() &&
      std::none_of(options.filters.begin(), options.filters.end(),
                   [&](const std::string& filter) { return filter_matches(filter, c.id); })) {
    return false;
  }
  auto carries = [&](const std::string& tag) {
    return std::find(c.tags.begin(), c.tags.end(), tag) != c.tags.end();
  };
  if (std::any_of(options.exclude_tags.begin(), options.exclude_tags.end(), carries)) return false;
  return options.tags.empty() || std::any_of(options.tags.begin(), options.tags.end(), carries);
}

int exit_code(const RunReport& report) {
  if (report.count(Outcome::XPass) > 0) return 1;
  // Failures that all share a cause outside conformance (credentials, region) judge nothing.
  if (report.count(Outcome::Fail) > 0) return report.shared_cause.empty() ? 1 : 3;
  if (report.count(Outcome::Error) > 0 || report.count(Outcome::NotRun) > 0 ||
      !report.file_errors.empty() || !report.stopped.empty()) {
    return 3;
  }
  return 0;
}

RunReport run(const std::vector<Case>& cases, const RunOptions& options, ProgressSink* progress) {
  const auto wall_start = std::chrono::system_clock::now();
  const auto start = SteadyClock::now();
  for (const auto& dialect : options.dialects) check_dialect(dialect);
  RunControl own_control;
  RunControl& control = options.control ? *options.control : own_control;
  if (options.deadline) control.set_deadline(start + *options.deadline);

  std::vector<const Case*> chosen;
  std::set<std::string> dialects;
  for (const auto& c : cases) {
    if (!selected(c, options)) continue;
    chosen.push_back(&c);
    if (!missing_feature(c, options)) dialects.insert(c.dialect);
  }
  auto env = prepare(options, dialects);
  const Limits limits{control, options.cleanup_timeout, env->client_options};

  const uint16_t base = random_suffix();
  RunReport report;
  report.tool_version = options.tool_version;
  report.identity = identity_of_chosen(chosen, options);
  report.has_identity = true;
  report.endpoint = env->describe();
  report.started_at = iso8601_utc(wall_start);
  report.run_prefix = make_run_prefix(wall_start, base);
  report.results.resize(chosen.size());
  std::vector<char> filled(chosen.size(), 0);
  if (options.preflight) run_preflight(*env, options, control, report.notes);

  std::mutex finish_mutex;
  size_t done = 0, failures = 0, transport_in_a_row = 0;
  if (progress) progress->started(chosen.size());
  auto finish = [&](size_t index, CaseResult result) {
    apply_expected_failure(result, options);
    std::lock_guard lock(finish_mutex);
    count_toward_stops(result, options, control, failures, transport_in_a_row);
    report.results[index] = std::move(result);
    filled[index] = 1;
    ++done;
    if (progress) progress->finished(report.results[index], done, chosen.size());
  };

  // Bursting cases run alone once the others are done: a burst spends the account's quota,
  // which cases running beside it would meet as throttling.
  std::vector<size_t> together, alone;
  for (size_t i = 0; i < chosen.size(); ++i) {
    (internal::bursts(*chosen[i]) ? alone : together).push_back(i);
  }
  using Drivers = std::map<std::string, std::unique_ptr<DialectDriver>>;
  auto run_case = [&](size_t index, Drivers& drivers) {
    const Case& c = *chosen[index];
    if (auto feature = missing_feature(c, options)) {
      finish(index, disabled(c, *feature));
      return;
    }
    CaseResult result;
    try {
      // Each case its own prefix of the run's family, so parallel cases never collide.
      std::string prefix =
          make_run_prefix(wall_start, static_cast<uint16_t>(base + static_cast<uint16_t>(index)));
      result = run_one(c, *env, drivers, prefix, limits);
    } catch (const std::exception& e) {
      result = header_only(c);
      result.outcome = Outcome::Error;
      result.message = std::string("runner: ") + e.what();
    }
    finish(index, std::move(result));
  };
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    Drivers drivers;
    while (!control.should_stop()) {
      const size_t k = next++;
      if (k >= together.size()) break;
      run_case(together[k], drivers);
    }
  };
  size_t jobs = std::clamp<size_t>(options.jobs, 1, kMaxJobs);
  jobs = std::min(jobs, std::max<size_t>(together.size(), 1));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  Drivers drivers;
  for (size_t index : alone) {
    if (control.should_stop()) break;
    run_case(index, drivers);
  }

  for (size_t i = 0; i < chosen.size(); ++i) {
    if (filled[i]) continue;
    const Case& c = *chosen[i];
    auto feature = missing_feature(c, options);
    report.results[i] = feature ? disabled(c, *feature) : not_run(c, control.message());
  }
  // A stop that came when every case had already started stopped nothing.
  if (report.count(Outcome::NotRun) > 0) {
    report.stopped = control.reason();
    report.stop_message = control.message();
  }
  report.shared_cause = shared_cause(report, *env, options);
  report.elapsed = elapsed_since(start);
  if (!options.key_pool_file.empty()) note_key_pool_shortfall(*env, report);
  return report;
}

}  // namespace kmsconf::conformance
