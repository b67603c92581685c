// `kmsconf load`: runs a load against an endpoint (or the in-process reference server), shows
// progress, evaluates thresholds and the baseline gate, and writes the result file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/load_config.hpp"
#include "cli/load_find_limit.hpp"
#include "cli/load_gates.hpp"
#include "cli/result_file.hpp"
#include "cli/stop_signals.hpp"
#include "cli/test_config.hpp"
#include "cli/version.hpp"
#include "conformance/run_control.hpp"
#include "loadgen/requests.hpp"
#include "loadgen/setup.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::cli {
namespace {

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << value;
  return out.str();
}

// One progress line: elapsed/total, the last second's rate, p99 and outcome counts.
std::string progress_text(const loadgen::Progress& p) {
  std::string line = "load: " + fixed(p.elapsed_s, 1) + "/" + fixed(p.total_s, 1) + " s, " +
                     std::to_string(p.answered) + " answers";
  if (p.last_second) {
    const auto& s = *p.last_second;
    line += ", last second " + std::to_string(s.outcomes.total()) + " req/s, p99 " +
            fixed(static_cast<double>(s.p99_us) / 1000.0, 2) + " ms";
    for (auto o : loadgen::kOutcomes) {
      if (o != loadgen::Outcome::Ok && s.outcomes[o] > 0) {
        line += ", " + std::string(loadgen::outcome_name(o)) + " " + std::to_string(s.outcomes[o]);
      }
    }
    if (s.outcomes.late > 0) line += ", late " + std::to_string(s.outcomes.late);
  }
  return line;
}

// The in-process reference server, when no --endpoint was given.
std::unique_ptr<server::ReferenceServer> start_in_process(LoadSetup& s) {
  server::ReferenceServerOptions options;
  options.dialect = s.target.dialect->id;
  options.regions = {s.target.region};
  auto reference = std::make_unique<server::ReferenceServer>(std::move(options));
  reference->start();
  s.target.endpoint = *client::Endpoint::parse(reference->endpoint());
  const auto& credential = reference->default_credential();
  s.target.credentials = {credential.access_key_id, credential.secret_access_key, ""};
  std::cout << "kmsconf load: no --endpoint, so against the in-process reference server ("
            << s.target.dialect->title << ") on " << reference->endpoint() << "\n";
  return reference;
}

// Nothing about the endpoint's speed can be said: nothing was sent, every connection was refused
// at the door, or no request got an HTTP answer (TLS always failing, resets, garbage).
std::string unreachable(const loadgen::RunStats& stats, const client::Endpoint& endpoint) {
  const auto all = stats.overall().outcomes;
  const uint64_t answers = all[loadgen::Outcome::Ok] + all[loadgen::Outcome::Throttled] +
                           all[loadgen::Outcome::ClientError] + all[loadgen::Outcome::ServerError];
  if (all.total() == 0) return "no request was sent";
  if (stats.connections_opened == 0) {
    return endpoint.url() + " could not be reached: no connection was opened";
  }
  if (answers == 0) return "no request to " + endpoint.url() + " got an HTTP answer";
  return "";
}

// One signed request of the run as JSON, for replaying with another load tool against the same
// endpoint (bench/compare-wrk.sh). Written only to the file asked for, never printed: it carries
// a signature. The keys it refers to stay.
int save_request(const std::string& path, const LoadSetup& s, const loadgen::Material& material) {
  loadgen::RequestFactory factory(s.target, s.workload, material, 1);
  const HttpRequest request = factory.make(0);
  nlohmann::json out = {{"method", request.method},
                        {"path", request.path.empty() ? "/" : request.path},
                        {"query", request.raw_query},
                        {"headers", nlohmann::json::object()},
                        {"body", request.body}};
  for (const auto& [name, value] : request.headers) out["headers"][name] = value;
  // Owner-only from its creation: it carries a signature valid for the signing window.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const std::string text = out.dump(2) + "\n";
  const bool written = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ::close(fd);
  if (!written) {
    std::cerr << "kmsconf load: --save-request " << path << ": cannot be written\n";
    return kExitUsage;
  }
  std::cout << "kmsconf load: one signed " << s.workload.operations.front().op
            << " request written to " << path << " (its keys stay)\n";
  return kExitPassed;
}

// A baseline of another target, workload or shard is refused before anything is sent.
bool baseline_comparable(const LoadOptions& o, const LoadSetup& s,
                         const loadgen::LoadConfig& config) {
  loadgen::RunStats empty;
  for (const auto& op : s.workload.operations) empty.operations.push_back(op.op);
  empty.per_op.resize(empty.operations.size());
  return cli::baseline_comparable(
      std::cerr, "kmsconf load", o.baseline, s.gates.baseline,
      loadgen::result_json(config, empty, {}, nullptr, "", version_line()));
}

}  // namespace

int run_load_command(const LoadOptions& o) {
  LoadSetup s;
  try {
    s = load_setup(o);
  } catch (const ConfigError& e) {
    std::cerr << "kmsconf load: " << e.what() << "\n";
    return kExitUsage;
  }
  // The fields a baseline is compared on do not depend on the in-process server's port.
  if (!baseline_comparable(o, s, load_config(o, s))) return kExitUsage;
  std::unique_ptr<server::ReferenceServer> reference;
  if (s.in_process) reference = start_in_process(s);
  const loadgen::LoadConfig config = load_config(o, s);

  loadgen::Material material;
  try {
    // A shard sets up its share of the keys, named after it.
    material =
        loadgen::set_up(s.target, loadgen::shard_workload(s.workload, s.shard),
                        loadgen::shard_run_prefix(
                            client::make_run_prefix(std::chrono::system_clock::now()), s.shard));
  } catch (const loadgen::SetupError& e) {
    std::cerr << "kmsconf load: the run could not be set up: " << e.what() << "\n";
    return kExitNotRun;
  }

  if (!o.save_request.empty()) return save_request(o.save_request, s, material);

  conformance::RunControl control;
  std::atomic<bool> stop{false};
  const bool tty = ::isatty(::fileno(stdout)) != 0;
  loadgen::RunStats stats;
  std::optional<loadgen::FindLimitOutcome> search;
  int signal_number = 0;
  {
    StopOnSignals signals(
        control, std::chrono::milliseconds(1000),
        [](const char* name) { std::cout << "\nkmsconf load: " << name << ", stopping\n"; },
        [&] {
          if (control.should_stop()) stop.store(true);
        });
    if (!s.find_limit) {
      std::cout << "kmsconf load: " << config.mode << " loop, "
                << (s.plan.stages.empty() && s.plan.open_loop ? fixed(s.plan.rate, 0) + " req/s, "
                    : s.plan.stages.empty()                   ? ""
                                            : std::to_string(s.plan.stages.size()) + " stages, ")
                << s.plan.connections << " connections, " << config.threads << " threads, "
                << fixed(config.duration_s, 1) << " s"
                << (s.shard ? ", shard " + loadgen::shard_text(*s.shard) : "") << std::endl;
    }
    const auto every = tty ? std::chrono::milliseconds(250)
                           : std::chrono::milliseconds(1000LL * std::max(1, o.progress_every_s));
    try {
      if (s.find_limit) {
        search = run_find_limit(s, material, stop, std::cout);
        stats = search->steps;
      } else {
        stats = loadgen::run_load(
            s.plan, s.target, s.workload, material, stop,
            [&](const loadgen::Progress& p) {
              if (tty) {
                std::cout << "\r\033[K" << progress_text(p) << std::flush;
              } else {
                std::cout << progress_text(p) << "\n" << std::flush;
              }
            },
            every);
      }
    } catch (const std::exception& e) {
      std::cerr << "\nkmsconf load: the run failed: " << e.what() << "\n";
      loadgen::tear_down(s.target, s.workload, material);
      return kExitNotRun;
    }
    if (tty) std::cout << "\r\033[K";
    signal_number = signals.signal();
  }
  const auto teardown = loadgen::tear_down(s.target, s.workload, material);
  for (const auto& failure : teardown.failures) {
    std::cout << "teardown: " << failure << " (kmsconf test --sweep removes it later)\n";
  }

  auto bare = loadgen::result_json(config, stats, {}, nullptr, "", version_line());
  nlohmann::json limit;
  if (search) bare["find_limit"] = limit = loadgen::find_limit_json(*search, *s.find_limit);
  const GateResults gates = evaluate_gates(s.gates, bare);
  auto result = loadgen::result_json(config, stats, gates.thresholds, gates.regressions_or_null(),
                                     o.baseline, version_line());
  std::string unjudged;
  if (search) {
    result["find_limit"] = limit;
    unjudged = loadgen::find_limit_unjudged(limit);
    if (!unjudged.empty()) result["passed"] = false;  // a search cut short never passes a gate
  }
  loadgen::print_summary(std::cout, result);
  if (search) print_find_limit(std::cout, result["find_limit"]);
  if (!o.out.empty()) write_result("--out", o.out, result);
  if (!o.report_html.empty()) write_report_html(o.report_html, result);

  if (signal_number != 0) return 128 + signal_number;
  if (const auto why = unreachable(stats, s.target.endpoint); !why.empty()) {
    std::cerr << "kmsconf load: " << why << "\n";
    return kExitNotRun;
  }
  if (!unjudged.empty()) {
    std::cerr << "kmsconf load: the limit was not found: " << unjudged << "\n";
    return kExitNotRun;
  }
  return result.value("passed", false) ? kExitPassed : kExitFailed;
}

void add_load_command(CLI::App& app, std::function<int()>* run) {
  auto o = std::make_shared<LoadOptions>();
  CLI::App* cmd = app.add_subcommand(
      "load",
      "Load-test an endpoint (default: the in-process server). Exit codes: 0 every threshold and "
      "baseline check passed, 1 one failed, 2 usage or configuration, 3 the run could not be "
      "done (setup failed, nothing sent, no connection opened, no HTTP answer), 128+N "
      "interrupted by signal N");
  std::vector<std::string> dialects = client::dialect_names();
  dialects.emplace_back("none");
  cmd->add_option("--dialect", o->dialect, "Wire dialect; none: plain unsigned GETs to --endpoint")
      ->check(CLI::IsMember(dialects))
      ->capture_default_str();
  cmd->add_option("--endpoint", o->endpoint,
                  "http(s)://host[:port] (with --dialect none, a URL with a path); default: the "
                  "in-process reference server");
  cmd->add_option("--rate", o->rate, "Open loop: requests per second over all threads");
  cmd->add_option("--connections", o->connections,
                  "Closed loop without --rate: connections each sending on the previous answer; "
                  "with --rate: the most requests in flight (default 100)");
  cmd->add_option("--duration", o->duration,
                  "How long to send: 500ms, 30s, 2m (with --find-limit: the whole search)");
  cmd->add_option("--threads", o->threads, "Worker threads, one event loop each (default 2)");
  cmd->add_option("--op", o->op, "One operation (default Encrypt)");
  cmd->add_option("--workload", o->workload_file, "A workload file (docs/workloads.md)");
  cmd->add_option("--threshold", o->thresholds,
                  "A pass/fail check such as p99<20ms, error_rate<0.1%, rps>=5000, "
                  "Encrypt:p99<5ms (repeatable; docs/load-thresholds.md)");
  cmd->add_option("--baseline", o->baseline, "An earlier result file of the same target");
  cmd->add_option("--max-regression", o->max_regression,
                  "Tolerances against --baseline (default p99=10%,rps=5%,error_rate=0.1%)");
  cmd->add_option("--out", o->out, "Write the result JSON here (docs/load-results.md)");
  cmd->add_option("--report-html", o->report_html,
                  "Write the run's HTML report here: one self-contained page with the verdict, "
                  "charts over time, percentiles, operations and config (docs/load-report.md); "
                  "also for an interrupted run. kmsconf report html makes it from --out later");
  cmd->add_option("--credentials", o->credentials_file,
                  "kmsconf test's credentials file (else the SDK's environment variables)");
  cmd->add_option("--region", o->region, "Region to sign for (default: the dialect's)");
  cmd->add_option("--timeout-ms", o->timeout_ms, "Per-request timeout")->capture_default_str();
  cmd->add_option("--ca-file", o->ca_file, "PEM trust anchors for https");
  cmd->add_flag("--insecure", o->insecure, "https without certificate checks");
  cmd->add_option("--progress-every", o->progress_every_s,
                  "Without a terminal, print a progress line this often (seconds)")
      ->capture_default_str();
  cmd->add_option("--late-after-us", o->late_after_us,
                  "Open loop: a send this late after its intended time counts as late")
      ->capture_default_str();
  cmd->add_option("--shard", o->shard,
                  "I/N: run shard I (from 0) of N generators sending one load together: 1/N of "
                  "--rate and of the workload's keys, the given --connections and --threads; "
                  "merge the results with kmsconf report merge (docs/load.md)");
  cmd->add_option("--save-request", o->save_request,
                  "After setup, write one signed request to this file as JSON and stop, for "
                  "replaying with another load tool (bench/compare-wrk.sh)");
  cmd->add_option("--stages", o->stages,
                  "Open loop with a rate that ramps: RATE:DURATION,... each stage going linearly "
                  "from the previous rate (--rate, default 0) to its own; 0s is a step. E.g. "
                  "1000:10s,5000:30s,5000:1m (replaces --duration)");
  cmd->add_flag("--find-limit", o->find_limit,
                "Search the rate at which the endpoint starts refusing (throttling) or slowing "
                "down (capacity): a burst from idle, then steps from --rate (default 10) doubling, "
                "then bisecting to within 2%, all within --duration; exit 3 if it does not "
                "converge in time");
  cmd->add_option("--step", o->step, "--find-limit: each step's length")->capture_default_str();
  cmd->add_option("--max-rate", o->max_rate,
                  "--find-limit: the highest rate offered (default 1000000)");
  cmd->add_option("--p99-ceiling", o->p99_ceiling,
                  "--find-limit: a step whose p99 is above this is over capacity (default: 10x "
                  "the first step's, at least 20ms)");
  cmd->callback([run, o] { *run = [o] { return run_load_command(*o); }; });
}

}  // namespace kmsconf::cli
