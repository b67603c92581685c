// kmsconf test: run the conformance case files (fixtures/<dialect>/*.json) against an endpoint,
// or against in-process reference servers when no endpoint is given. Exit codes as
// docs/case-format.md says: 0 all passed, 1 a Fail or XPass, 2 usage or configuration,
// 3 only engine Errors.
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
#include "cli/test_command.hpp"
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

namespace fs = std::filesystem;
using conformance::Outcome;
using nlohmann::json;

constexpr const char* kToolVersion = "0.1.0";

// A usage or configuration problem: exit code 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

json read_json_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw ConfigError(what + " " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  json parsed = json::parse(text.str(), nullptr, false, /*ignore_comments=*/true);
  if (parsed.is_discarded()) throw ConfigError(what + " " + path + ": not valid JSON");
  return parsed;
}

std::set<std::string> read_features(const std::string& path) {
  json list = read_json_file(path, "--features");
  if (!list.is_array()) throw ConfigError("--features " + path + ": must be a JSON list of names");
  std::set<std::string> out;
  for (const auto& item : list) {
    if (!item.is_string()) {
      throw ConfigError("--features " + path + ": every entry must be a string");
    }
    out.insert(item.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> read_expected_failures(const std::string& path) {
  json object = read_json_file(path, "--expected-failures");
  if (!object.is_object()) {
    throw ConfigError("--expected-failures " + path +
                      ": must be a JSON object {\"id\": \"reason\"}");
  }
  std::map<std::string, std::string> out;
  for (const auto& [id, reason] : object.items()) {
    if (!reason.is_string() || reason.get<std::string>().empty()) {
      throw ConfigError("--expected-failures " + path + ": " + id +
                        ": the reason must be a "
                        "non-empty string");
    }
    out[id] = reason.get<std::string>();
  }
  return out;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Environment first, then the --credentials file over it. Values are never printed.
std::map<std::string, conformance::Credentials> read_credentials(const std::string& path) {
  std::map<std::string, conformance::Credentials> out;
  if (!env("VOLC_ACCESSKEY").empty()) {
    out["volcengine"] = {env("VOLC_ACCESSKEY"), env("VOLC_SECRETKEY"), env("VOLC_SESSION_TOKEN")};
  }
  if (!env("ALIBABA_CLOUD_ACCESS_KEY_ID").empty()) {
    out["alibaba"] = {env("ALIBABA_CLOUD_ACCESS_KEY_ID"), env("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
                      env("ALIBABA_CLOUD_SECURITY_TOKEN")};
  }
  if (path.empty()) return out;
  json file = read_json_file(path, "--credentials");
  if (!file.is_object()) throw ConfigError("--credentials " + path + ": must be a JSON object");
  for (const auto& [dialect, entry] : file.items()) {
    if (dialect != "volcengine" && dialect != "alibaba") {
      throw ConfigError("--credentials " + path + ": unknown dialect \"" + dialect + "\"");
    }
    if (!entry.is_object()) {
      throw ConfigError("--credentials " + path + ": " + dialect + " must be an object");
    }
    auto field = [&](std::initializer_list<const char*> names) -> std::string {
      for (const char* name : names) {
        auto it = entry.find(name);
        if (it == entry.end()) continue;
        if (!it->is_string()) {
          throw ConfigError("--credentials " + path + ": " + dialect + "." + name +
                            " must be a string");
        }
        return it->get<std::string>();
      }
      return "";
    };
    conformance::Credentials c;
    c.access_key_id = field({"access_key_id"});
    c.secret = field({"secret_access_key", "access_key_secret"});
    c.session_token = field({"session_token", "security_token"});
    if (c.access_key_id.empty() || c.secret.empty()) {
      throw ConfigError("--credentials " + path + ": " + dialect +
                        " needs access_key_id and secret_access_key");
    }
    out[dialect] = std::move(c);
  }
  return out;
}

// --fixtures, else fixtures/ next to or above the binary, else the source tree's.
std::string find_fixtures(const std::string& given) {
  if (!given.empty()) {
    if (!fs::is_directory(given)) throw ConfigError("--fixtures " + given + ": not a directory");
    return given;
  }
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (int up = 0; !ec && up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
    if (fs::is_directory(dir / "fixtures")) return (dir / "fixtures").string();
    if (dir == dir.root_path()) break;
  }
#ifdef KMSCONF_FIXTURES_DIR
  if (fs::is_directory(KMSCONF_FIXTURES_DIR)) return KMSCONF_FIXTURES_DIR;
#endif
  throw ConfigError("no fixtures directory found; pass --fixtures DIR");
}

void check_dialect(const std::string& option, const std::string& value,
                   const std::string& dialect) {
  if (dialect != "volcengine" && dialect != "alibaba") {
    throw ConfigError(option + " " + value + ": unknown dialect \"" + dialect +
                      "\" (volcengine or alibaba)");
  }
}

conformance::RunOptions run_options(const TestOptions& o) {
  conformance::RunOptions r;
  if (o.dialect == "all") {
    r.dialects = {"volcengine", "alibaba"};
  } else {
    r.dialects = {o.dialect};
  }
  for (const auto& e : o.endpoints) {
    size_t eq = e.find('=');
    size_t scheme = e.find("://");
    if (eq != std::string::npos && (scheme == std::string::npos || eq < scheme)) {
      std::string dialect = e.substr(0, eq);
      check_dialect("--endpoint", e, dialect);
      std::string url = e.substr(eq + 1);
      // An unset CI variable must not quietly turn a real-endpoint run into an in-process one.
      if (url.empty()) throw ConfigError("--endpoint " + e + ": empty URL for " + dialect);
      r.endpoints[dialect] = url;
    } else {
      if (e.empty()) {
        throw ConfigError("--endpoint \"\": empty URL (leave the option out to run in-process)");
      }
      if (!r.endpoint.empty()) {
        throw ConfigError("--endpoint: give one URL, or one DIALECT=URL per dialect");
      }
      r.endpoint = e;
    }
  }
  // One URL for both dialects is rarely meant: a vendor endpoint speaks one of them.
  bool shared = !r.endpoint.empty() && r.dialects.size() > 1;
  for (const auto& dialect : r.dialects) shared = shared && !r.endpoints.contains(dialect);
  if (shared) {
    std::cerr << o.command << ": warning: both dialects go to " << r.endpoint
              << " (give --dialect, or --endpoint DIALECT=URL per dialect)\n";
  }
  for (const auto& text : o.regions) {
    size_t eq = text.find('=');
    if (eq != std::string::npos) {
      std::string dialect = text.substr(0, eq);
      check_dialect("--region", text, dialect);
      std::string region = text.substr(eq + 1);
      if (region.empty()) throw ConfigError("--region " + text + ": empty region for " + dialect);
      if (r.regions.contains(dialect)) {
        throw ConfigError("--region " + text + ": a second region for " + dialect);
      }
      r.regions[dialect] = region;
    } else {
      if (text.empty()) {
        throw ConfigError("--region \"\": empty region (leave the option out for the default)");
      }
      if (!r.region.empty()) {
        throw ConfigError("--region: give one REGION, or one DIALECT=REGION per dialect");
      }
      r.region = text;
    }
  }
  r.filter = o.filter;
  r.tags = o.tags;
  r.exclude_tags = o.exclude_tags;
  r.jobs = o.jobs;
  if (!o.features_file.empty()) r.features = read_features(o.features_file);
  if (!o.expected_failures_file.empty()) {
    r.expected_failures = read_expected_failures(o.expected_failures_file);
  }
  r.timeout = std::chrono::milliseconds(o.timeout_ms);
  r.insecure = o.insecure;
  r.ca_file = o.ca_file;
  r.credentials = read_credentials(o.credentials_file);
  r.tool_version = kToolVersion;
  return r;
}

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

void write_reports(const TestOptions& o, const conformance::RunReport& report) {
  if (!o.json_file.empty()) reports::write_json_report(report, o.json_file);
  if (!o.junit_file.empty()) reports::write_junit(report, o.junit_file);
  if (!o.html_file.empty()) reports::write_html(report, o.html_file);
}

// With a baseline, only what got worse fails the run: regressions (Pass before, Fail now) and
// XPass exit 1. Cases that passed before and now have no verdict (Error or Skip), and malformed
// case files, exit 3. Other failures are reported and tolerated.
int baseline_exit(const TestOptions& o, const conformance::RunReport& report) {
  conformance::RunReport baseline = reports::read_json_report(o.baseline_file);
  reports::BaselineComparison comparison = reports::compare(baseline, report);
  std::cout << reports::summarize(comparison);
  if (!comparison.regressions.empty() || report.count(Outcome::XPass) > 0) return 1;
  if (!comparison.unjudged.empty() || !report.file_errors.empty()) return 3;
  return 0;
}

}  // namespace

int run_test(const TestOptions& o) {
  try {
    conformance::RunOptions r = run_options(o);
    // --list promises to send nothing; a sweep deletes.
    if (o.sweep && o.list) throw ConfigError("--list and --sweep do not go together");
    if (o.sweep) return run_sweep(r, std::chrono::minutes(o.sweep_min_age_minutes));
    std::string fixtures = find_fixtures(o.fixtures_dir);
    // In-process servers draw RSA pairs from the suite's key pool when it has one.
    if (fs::path pool = fs::path(fixtures) / "keypool" / "rsa-test-keys.pem"; fs::exists(pool)) {
      r.key_pool_file = pool.string();
    }
    std::vector<conformance::Case> cases;
    std::vector<std::string> file_errors;
    for (const auto& dialect : r.dialects) {
      fs::path dir = fs::path(fixtures) / dialect;
      if (!fs::is_directory(dir)) {
        std::cerr << o.command << ": no " << dialect << " cases (" << dir.string()
                  << " does not exist)\n";
        continue;
      }
      conformance::LoadedCases loaded = conformance::load_case_dir(dir.string(), dialect);
      for (auto& c : loaded.cases) cases.push_back(std::move(c));
      for (const auto& e : loaded.errors) file_errors.push_back(e.to_string());
    }
    for (const auto& e : file_errors) std::cout << "ERROR case file " << e << "\n";
    size_t chosen = 0;
    for (const auto& c : cases) chosen += conformance::selected(c, r) ? 1 : 0;
    if (chosen == 0 && file_errors.empty()) {
      throw ConfigError("no case matches (fixtures " + fixtures + ", dialect " + o.dialect +
                        (o.filter.empty() ? "" : ", filter " + o.filter) + ")");
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

    bool tty = ::isatty(::fileno(stdout)) != 0;
    conformance::ConsoleProgress progress(std::cout, tty, o.verbose);
    conformance::RunReport report = conformance::run(cases, r, &progress);
    report.file_errors = file_errors;
    progress.clear();

    std::cout << "\n"
              << conformance::summary_table(report) << "\n"
              << conformance::totals_line(report) << "\n";
    write_reports(o, report);
    if (!o.baseline_file.empty()) return baseline_exit(o, report);
    return conformance::exit_code(report);
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
      ->check(CLI::IsMember({"volcengine", "alibaba", "all"}))
      ->capture_default_str();
  cmd->add_option("--endpoint", o->endpoints,
                  "http(s)://host[:port] for every dialect, or DIALECT=URL (repeatable); "
                  "without it each dialect runs against an in-process reference server. An "
                  "empty URL is an error");
  cmd->add_option("--region", o->regions,
                  "Region for every dialect, or DIALECT=REGION for one (repeatable; wins over "
                  "the plain one). Default cn-beijing for volcengine, cn-hangzhou for alibaba");
  cmd->add_option("--filter", o->filter, "Substring of the case id, or a glob (*, ?) over it");
  cmd->add_option("--tags", o->tags, "Run cases carrying any of these tags")->expected(1, -1);
  cmd->add_option("--exclude-tags", o->exclude_tags, "Leave out cases carrying any of these tags")
      ->expected(1, -1);
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
                  "A previous --report-json: exit 1 only on regressions (Pass then, Fail now) or "
                  "XPass; else 3 if a case that passed then errors or skips now (no verdict) or "
                  "a case file is malformed; else 0")
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
  cmd->add_option("--timeout-ms", o->timeout_ms, "Per-request timeout in milliseconds")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_option("--credentials", o->credentials_file,
                  "JSON {\"volcengine\": {access_key_id, secret_access_key, session_token}, "
                  "\"alibaba\": {...}}; a dialect's entry replaces what the environment gives: "
                  "VOLC_ACCESSKEY, VOLC_SECRETKEY, VOLC_SESSION_TOKEN; "
                  "ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, "
                  "ALIBABA_CLOUD_SECURITY_TOKEN")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--verbose,-v", o->verbose, "Also print a line per skipped case");
  cmd->callback([o, run] { *run = [o] { return run_test(*o); }; });
}

}  // namespace kmsconf::cli
