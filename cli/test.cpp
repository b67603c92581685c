// kmsconf test: run the conformance case files (fixtures/<dialect>/*.json) against an endpoint,
// or against in-process reference servers when no endpoint is given. Exit codes as
// docs/ci-gating.md says: 0 all passed, 1 a Fail or XPass, 2 usage or configuration, 3 no
// verdict (errors, cases not run), 128+N interrupted by signal N.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cli/commands.hpp"
#include "cli/stop_signals.hpp"
#include "cli/test_command.hpp"
#include "cli/test_config.hpp"
#include "cli/version.hpp"
#include "client/dialect.hpp"
#include "conformance/case_file.hpp"
#include "conformance/console.hpp"
#include "conformance/results.hpp"
#include "conformance/runner.hpp"

#include "reports/baseline.hpp"
#include "reports/html.hpp"
#include "reports/json_report.hpp"
#include "reports/junit.hpp"

namespace kmsconf::cli {
namespace {

std::vector<std::string> with_all(std::vector<std::string> dialects) {
  dialects.emplace_back("all");
  return dialects;
}

namespace fs = std::filesystem;
using conformance::Outcome;

// After the first SIGINT/SIGTERM, how long running steps may still wait for their answers.
constexpr std::chrono::milliseconds kStopGrace{1000};

// --list: the selected cases, one line each, marked when a missing feature would disable them.
void list_cases(const std::vector<conformance::Case>& cases, const conformance::RunOptions& r) {
  size_t selected = 0, disabled = 0;
  for (const auto& c : cases) {
    if (!conformance::selected(c, r)) continue;
    ++selected;
    std::cout << c.id << "  " << c.title;
    if (auto feature = conformance::missing_feature(c, r)) {
      ++disabled;
      std::cout << "  [disabled: feature \"" << *feature << "\" is not enabled]";
    }
    std::cout << "\n";
  }
  std::cout << selected << " cases selected, " << disabled << " of them would be Disabled\n";
}

int run_sweep(const conformance::RunOptions& r, std::chrono::minutes min_age) {
  if (r.endpoint.empty() && r.endpoints.empty()) {
    throw ConfigError("--sweep needs --endpoint: in-process servers start empty");
  }
  conformance::SweepLimits limits;
  limits.min_age = min_age;
  conformance::SweepReport report = conformance::sweep(r, limits);
  size_t removed = 0, deferred = 0, failed = 0;
  for (const auto& item : report.items) {
    const char* verdict = item.ok ? "  removed " : item.deferred ? "  later   " : "  FAILED  ";
    std::cout << verdict << item.dialect << " " << item.kind << " " << item.id;
    if (item.name != item.id) std::cout << " (" << item.name << ")";
    if (!item.deferred) std::cout << " via " << item.action;
    if (!item.ok) std::cout << ": " << item.message;
    std::cout << "\n";
    (item.ok ? removed : item.deferred ? deferred : failed)++;
  }
  for (const auto& error : report.errors) std::cout << "  error   " << error << "\n";
  std::cout << "sweep: " << report.scanned << " resources looked at, " << removed << " removed, "
            << deferred << " left for later, " << failed << " failed, " << report.too_recent
            << " of runs younger than " << min_age.count() << " min left alone"
            << (report.truncated ? " (bounds reached: run --sweep again for the rest)" : "")
            << "\n";
  return failed > 0 || !report.errors.empty() ? 3 : 0;
}

struct ReportFile {
  const char* label;
  const std::string& path;
  void (*write)(const conformance::RunReport&, const std::string&);
};

// Writes every requested report and prints where: an interrupted run leaves them too.
void write_reports(const TestOptions& o, const conformance::RunReport& report) {
  const ReportFile files[] = {{"JSON ", o.json_file, reports::write_json_report},
                              {"JUnit", o.junit_file, reports::write_junit},
                              {"HTML ", o.html_file, reports::write_html}};
  bool any = false;
  for (const auto& file : files) {
    if (file.path.empty()) continue;
    file.write(report, file.path);
    if (!any) std::cout << "Reports:\n";
    any = true;
    std::error_code ec;
    fs::path shown = fs::absolute(file.path, ec);
    std::cout << "  " << file.label << "  " << (ec ? file.path : shown.string()) << "\n";
  }
}

// The baseline, read and checked against this run's identity before anything is sent: a
// baseline of another target or selection would judge nothing and look green.
conformance::RunReport read_baseline(const TestOptions& o,
                                     const std::vector<conformance::Case>& cases,
                                     const conformance::RunOptions& r) {
  conformance::RunReport baseline;
  try {
    baseline = reports::read_json_report(o.baseline_file);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("--baseline: ") + e.what());
  }
  std::vector<std::string> ids;
  for (const auto& c : cases) {
    if (conformance::selected(c, r)) ids.push_back(c.id);
  }
  auto differences =
      reports::identity_differences(baseline, conformance::identity_of(cases, r), ids);
  if (!differences.empty()) {
    std::string message =
        "--baseline " + o.baseline_file + " describes another run, so it cannot judge this one:";
    for (const auto& d : differences) message += "\n  " + d;
    throw ConfigError(message);
  }
  return baseline;
}

// With a baseline, only what got worse fails the run: regressions (Pass before, Fail now) and
// XPass exit 1. Cases that passed before and now have no verdict (Error, Skip, not run), a
// stopped run and malformed case files exit 3. Other failures are reported and tolerated.
int baseline_exit(const conformance::RunReport& baseline, const conformance::RunReport& report) {
  reports::BaselineComparison comparison = reports::compare(baseline, report);
  std::cout << reports::summarize(comparison);
  if (report.count(Outcome::XPass) > 0) return 1;
  if (!comparison.regressions.empty()) return report.shared_cause.empty() ? 1 : 3;
  if (!comparison.unjudged.empty() || !report.file_errors.empty() || !report.stopped.empty()) {
    return 3;
  }
  return 0;
}

// Every dialect directory's cases (names of features and tags come from all of them); file
// errors only of the dialects this run selects.
std::vector<conformance::Case> load_cases(const TestOptions& o, const std::string& fixtures,
                                          const conformance::RunOptions& r,
                                          std::vector<std::string>& file_errors) {
  std::vector<conformance::Case> cases;
  for (const std::string& dialect : client::dialect_names()) {
    fs::path dir = fs::path(fixtures) / dialect;
    const bool wanted =
        std::find(r.dialects.begin(), r.dialects.end(), dialect) != r.dialects.end();
    if (!fs::is_directory(dir)) {
      if (wanted) {
        std::cerr << o.command << ": no " << dialect << " cases (" << dir.string()
                  << " does not exist)\n";
      }
      continue;
    }
    conformance::LoadedCases loaded = conformance::load_case_dir(dir.string(), dialect);
    for (auto& c : loaded.cases) cases.push_back(std::move(c));
    if (!wanted) continue;
    for (const auto& e : loaded.errors) file_errors.push_back(e.to_string());
  }
  return cases;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

int run_cases(const TestOptions& o, const std::vector<conformance::Case>& cases,
              conformance::RunOptions& r, const std::vector<std::string>& file_errors,
              const std::optional<conformance::RunReport>& baseline) {
  const bool tty = ::isatty(::fileno(stdout)) != 0;
  conformance::ConsoleProgress progress(std::cout, tty, o.verbose,
                                        std::chrono::seconds(o.progress_seconds));
  conformance::RunControl control;
  r.control = &control;
  // The handlers stay until the reports are written: a first signal then only marks the run
  // interrupted (it is already ending); a second still exits at once.
  StopOnSignals signals(
      control, kStopGrace,
      [&](const char* name) {
        progress.say(std::string("stopping: ") + name +
                     " (requests in flight get a short grace, then cleanup and reports; a second "
                     "signal exits at once)");
      },
      [&] { progress.tick(); });
  conformance::RunReport report = conformance::run(cases, r, &progress);
  progress.end();
  report.file_errors = file_errors;

  std::cout << "\n"
            << conformance::summary_table(report) << "\n"
            << conformance::totals_line(report) << "\n";
  write_reports(o, report);
  const int code = baseline ? baseline_exit(*baseline, report) : conformance::exit_code(report);
  if (signals.signal() != 0) return 128 + signals.signal();
  return code;
}

}  // namespace

int run_test(const TestOptions& o) {
  try {
    conformance::RunOptions r = run_options(o);
    r.tool_version = version_line();
    // --list promises to send nothing; a sweep deletes.
    if (o.sweep && o.list) throw ConfigError("--list and --sweep do not go together");
    if (o.sweep) return run_sweep(r, std::chrono::minutes(o.sweep_min_age_minutes));
    check_report_paths(o);
    std::string fixtures = find_fixtures(o.fixtures_dir);
    // In-process servers draw RSA pairs from the suite's key pool when it has one.
    if (fs::path pool = fs::path(fixtures) / "keypool" / "rsa-test-keys.pem"; fs::exists(pool)) {
      r.key_pool_file = pool.string();
    }
    std::vector<std::string> file_errors;
    std::vector<conformance::Case> cases = load_cases(o, fixtures, r, file_errors);
    for (const auto& e : file_errors) std::cout << "ERROR case file " << e << "\n";
    check_names(r, cases);
    size_t chosen = 0;
    for (const auto& c : cases) chosen += conformance::selected(c, r) ? 1 : 0;
    if (chosen == 0 && file_errors.empty()) {
      throw ConfigError("no case matches (fixtures " + fixtures + ", dialect " + o.dialect +
                        (o.filters.empty() ? "" : ", filter " + joined(o.filters)) + ")");
    }
    for (const auto& [id, reason] : r.expected_failures) {
      bool known = std::any_of(cases.begin(), cases.end(),
                               [&](const conformance::Case& c) { return c.id == id; });
      if (!known) std::cerr << o.command << ": expected failure " << id << " names no case\n";
    }

    if (o.list) {
      list_cases(cases, r);
      return file_errors.empty() ? 0 : 3;  // as a run would: malformed case files exit 3
    }
    std::optional<conformance::RunReport> baseline;
    if (!o.baseline_file.empty()) baseline = read_baseline(o, cases, r);
    return run_cases(o, cases, r, file_errors, baseline);
  } catch (const std::exception& e) {
    // ConfigError, the runner's std::invalid_argument, unreadable or unwritable files.
    std::cerr << o.command << ": " << e.what() << "\n";
    return 2;
  }
}

void add_test_command(CLI::App& app, std::function<int()>* run) {
  auto o = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand(
      "test", "Run the conformance cases against an endpoint (default: in-process servers)");
  cmd->add_option("--dialect", o->dialect, "Which dialect's cases to run")
      ->check(CLI::IsMember(with_all(client::dialect_names())))
      ->capture_default_str();
  cmd->add_option("--endpoint", o->endpoints,
                  "http(s)://host[:port] for every dialect, or DIALECT=URL (repeatable); "
                  "without it each dialect runs against an in-process reference server. An "
                  "empty URL is an error");
  cmd->add_option("--region", o->regions,
                  "Region for every dialect, or DIALECT=REGION for one (repeatable; wins over "
                  "the plain one). Default cn-beijing for volcengine, cn-hangzhou for alibaba");
  cmd->add_option("--filter", o->filters,
                  "Substring of the case id, or a glob (*, ?) over it (repeatable: any of them)");
  cmd->add_option("--tags", o->tags,
                  "Run cases carrying any of these tags (a,b or repeated; an unknown tag is an "
                  "error)")
      ->expected(1, -1)
      ->delimiter(',');
  cmd->add_option("--exclude-tags", o->exclude_tags, "Leave out cases carrying any of these tags")
      ->expected(1, -1)
      ->delimiter(',');
  cmd->add_flag("--list", o->list,
                "Print the selected cases (and which would be Disabled) without running any");
  cmd->add_option("--jobs", o->jobs, "Cases run in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--features", o->features_file,
                  "JSON list of enabled features; cases needing others are Disabled (default "
                  "in-process: all but sts-credentials; remote: all but the in-process-only "
                  "test-credentials, low-quota-throttling and fault-injection, and "
                  "sts-credentials only when the dialect's credential has a session token)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--expected-failures", o->expected_failures_file,
                  "JSON {\"case id\": \"reason\"}: those failing are XFail, passing XPass")
      ->check(CLI::ExistingFile);
  cmd->add_option("--baseline", o->baseline_file,
                  "A previous --report-json of the same dialects, endpoints and selection (else "
                  "refused, exit 2): exit 1 only on regressions (Pass then, Fail now) or XPass; "
                  "else 3 if a case that passed then has no verdict now (Error, Skip, NotRun), "
                  "the run stopped early or a case file is malformed; else 0")
      ->check(CLI::ExistingFile);
  cmd->add_option("--report-junit", o->junit_file, "Write JUnit XML here");
  cmd->add_option("--report-json", o->json_file, "Write the JSON report (baseline format) here");
  cmd->add_option("--report-html", o->html_file, "Write a self-contained HTML report here");
  cmd->add_flag("--sweep", o->sweep,
                "Instead of testing: schedule deletion of keys and delete keyrings/aliases "
                "left by earlier runs (names with a kc-... run prefix); needs --endpoint");
  cmd->add_option("--sweep-min-age", o->sweep_min_age_minutes,
                  "With --sweep: leave alone what runs started less than this many minutes ago "
                  "left (they may still be going)")
      ->check(CLI::Range(0, 525600))
      ->capture_default_str();
  cmd->add_option("--fixtures", o->fixtures_dir,
                  "Case directory with volcengine/ and alibaba/ (default: the repo's fixtures/)");
  cmd->add_option("--ca-file", o->ca_file, "PEM trust anchors for HTTPS")->check(CLI::ExistingFile);
  cmd->add_flag("--insecure", o->insecure, "HTTPS: skip certificate and hostname checks");
  cmd->add_option("--deadline", o->deadline,
                  "Stop the whole run after this long (90s, 20m): cases not started are NotRun, "
                  "steps in flight give up, cleanup gets 2 s more, reports are written; exit 3 "
                  "unless a case failed");
  cmd->add_option("--max-failures", o->max_failures,
                  "Stop starting cases after this many Fail or Error cases (0: never)")
      ->capture_default_str();
  cmd->add_option("--max-transport-errors", o->max_transport_errors,
                  "Stop after this many cases in a row could not reach the endpoint (refused, "
                  "reset, timeout; 0: never)")
      ->capture_default_str();
  cmd->add_option("--cleanup-timeout-ms", o->cleanup_timeout_ms,
                  "Per-request timeout of cleanup steps (deleting what a case created)")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_flag("!--no-preflight", o->preflight,
                "Skip the one signed DescribeRegions call per dialect that checks endpoint, "
                "dialect, credentials, clock and region before any case");
  cmd->add_option("--progress-every", o->progress_seconds,
                  "Without a terminal, print a progress line this often (seconds)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--timeout-ms", o->timeout_ms, "Per-request timeout in milliseconds")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_option("--credentials", o->credentials_file,
                  "JSON {\"volcengine\": {access_key_id, secret_access_key, session_token}, "
                  "\"alibaba\": {...}} (not kmsconf serve's credential store); a dialect's entry "
                  "replaces what the environment gives: "
                  "VOLC_ACCESSKEY, VOLC_SECRETKEY, VOLC_SESSION_TOKEN; "
                  "ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, "
                  "ALIBABA_CLOUD_SECURITY_TOKEN")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--verbose,-v", o->verbose, "Also print a line per skipped case");
  cmd->footer(
      "Exit codes: 0 every case behaved as documented; 1 a Fail or XPass (with --baseline: a "
      "regression); 2 usage or configuration, found before anything is sent; 3 no verdict "
      "(errors, cases not run, a failed preflight, failures sharing one cause such as refused "
      "credentials); 128+N interrupted by signal N (reports written). See docs/ci-gating.md.");
  cmd->callback([o, run] { *run = [o] { return run_test(*o); }; });
}

}  // namespace kmsconf::cli
