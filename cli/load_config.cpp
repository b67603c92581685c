// Checking `kmsconf load`'s options (load_config.hpp).
#include "cli/load_config.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli/result_file.hpp"
#include "cli/test_config.hpp"
#include "protocol/duration.hpp"

namespace kmsconf::cli {
namespace {

constexpr std::chrono::hours kLongestRun{24};
constexpr int kMostConnections = 100'000;
constexpr double kHighestRate = 1'000'000;
constexpr int kMostThreads = 256;
constexpr std::size_t kDefaultOpenLoopConnections = 100;
constexpr std::size_t kDefaultThreads = 2;

// "http://host:port/path?q" -> endpoint "http://host:port" and "/path?q".
std::pair<std::string, std::string> split_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_at =
      scheme_end == std::string::npos ? std::string::npos : url.find_first_of("/?", scheme_end + 3);
  if (path_at == std::string::npos) return {url, "/"};
  std::string path = url.substr(path_at);
  if (path.front() == '?') path = "/" + path;
  return {url.substr(0, path_at), path};
}

void read_target(const LoadOptions& o, LoadSetup& s) {
  if (o.dialect != "none") {
    s.target.dialect = client::find_dialect(o.dialect);
    if (!s.target.dialect) {
      throw ConfigError("--dialect " + o.dialect + ": unknown (" + dialect_choices() + " or none)");
    }
  }
  s.in_process = o.endpoint.empty();
  if (s.in_process && !s.target.dialect) {
    throw ConfigError("--dialect none needs --endpoint URL (plain GETs to that URL)");
  }
  if (!s.in_process) {
    auto [base, path] = split_url(o.endpoint);
    auto endpoint = client::Endpoint::parse(base);
    if (!endpoint) {
      throw ConfigError("--endpoint " + o.endpoint + ": not an http(s)://host[:port] URL");
    }
    if (s.target.dialect && path != "/") {
      throw ConfigError("--endpoint " + o.endpoint + ": a KMS endpoint takes no path");
    }
    s.target.endpoint = *endpoint;
    s.target.path = path;
  }
  s.target.region = !o.region.empty()  ? o.region
                    : s.target.dialect ? std::string(s.target.dialect->default_region)
                                       : "";
  if (o.timeout_ms <= 0) throw ConfigError("--timeout-ms must be positive");
  s.target.transport.timeout = std::chrono::milliseconds(o.timeout_ms);
  s.target.transport.ca_file = o.ca_file;
  s.target.transport.insecure = o.insecure;
  if (!o.ca_file.empty() && !std::ifstream(o.ca_file)) {
    throw ConfigError("--ca-file " + o.ca_file + ": cannot be read");
  }
}

void read_credential(const LoadOptions& o, LoadSetup& s) {
  if (!s.target.dialect || s.in_process) {
    if (!o.credentials_file.empty()) {
      throw ConfigError(s.in_process ? "--credentials is for a remote --endpoint; the in-process "
                                       "server makes its own credential"
                                     : "--credentials: --dialect none sends unsigned requests");
    }
    return;
  }
  conformance::RunOptions run;
  read_credentials(o.credentials_file, run);
  const std::string name(s.target.dialect->name);
  auto it = run.credentials.find(name);
  if (it == run.credentials.end()) {
    const auto& v = s.target.dialect->credential_variables;
    throw ConfigError("no " + name + " credential: set " + std::string(v.access_key_id) + " and " +
                      std::string(v.secret) + ", or give --credentials FILE");
  }
  s.target.credentials = it->second;
  s.credential_source = run.credential_sources[name];
}

void read_workload(const LoadOptions& o, LoadSetup& s) {
  if (!o.op.empty() && !o.workload_file.empty()) {
    throw ConfigError("--op and --workload: give one or the other");
  }
  if (!s.target.dialect && !o.op.empty()) {
    throw ConfigError("--op " + o.op + ": --dialect none sends plain GETs, not KMS operations");
  }
  try {
    if (!o.workload_file.empty()) {
      s.workload = loadgen::load_workload(o.workload_file);
    } else {
      s.workload = loadgen::single_operation_workload(
          o.op.empty() ? (s.target.dialect ? "Encrypt" : "DescribeRegions") : o.op);
    }
  } catch (const loadgen::WorkloadError& e) {
    throw ConfigError(e.what());
  }
  for (const auto& op : s.workload.operations) {
    if (s.target.dialect && op.op == "Encrypt" &&
        op.payload.max_bytes() > s.target.dialect->max_plaintext_bytes) {
      throw ConfigError("--workload " + o.workload_file + ": Encrypt payloads up to " +
                        std::to_string(op.payload.max_bytes()) + " bytes, but " +
                        std::string(s.target.dialect->name) + " takes at most " +
                        std::to_string(s.target.dialect->max_plaintext_bytes));
    }
  }
  if (!s.target.dialect && !o.workload_file.empty()) {
    throw ConfigError(
        "--workload: --dialect none sends plain GETs; a workload needs a KMS dialect");
  }
}

std::chrono::nanoseconds read_duration(const std::string& option, const std::string& text) {
  auto duration = parse_duration(text);
  if (text.empty() || !duration || duration->count() <= 0 || *duration > kLongestRun) {
    throw ConfigError(option + " " + text + ": a duration such as 500ms, 30s or 2m, at most 24h");
  }
  return *duration;
}

void read_stages(const LoadOptions& o, LoadSetup& s) {
  if (o.find_limit) throw ConfigError("--stages and --find-limit: give one or the other");
  if (!o.duration.empty()) {
    throw ConfigError("--stages and --duration: the stages' durations add up to the run's");
  }
  try {
    s.plan.stages = loadgen::parse_stages(o.stages);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("--stages " + o.stages + ": " + e.what());
  }
  for (auto& stage : s.plan.stages) stage.target = loadgen::shard_rate(stage.target, s.shard);
  if (s.plan.length() > kLongestRun) throw ConfigError("--stages: longer than 24h in all");
  s.plan.open_loop = true;
}

// --find-limit: --rate is where the search starts, --duration its whole budget.
void read_find_limit(const LoadOptions& o, LoadSetup& s) {
  if (s.shard) {
    throw ConfigError(
        "--find-limit and --shard: a search adapts each step to what it found, so "
        "it runs from one machine");
  }
  loadgen::FindLimitPlan f;
  f.budget = s.plan.duration;
  f.step = read_duration("--step", o.step);
  if (f.step * 2 > f.budget) {
    throw ConfigError("--step " + o.step + ": at least two steps must fit in --duration " +
                      o.duration);
  }
  f.criteria.start_rate = o.rate.value_or(f.criteria.start_rate);
  if (o.max_rate) {
    if (!(std::isfinite(*o.max_rate) && *o.max_rate >= f.criteria.start_rate &&
          *o.max_rate <= kHighestRate)) {
      throw ConfigError(
          "--max-rate must be at least the start rate (--rate, default 10) and at "
          "most 1000000");
    }
    f.criteria.max_rate = *o.max_rate;
  }
  if (!o.p99_ceiling.empty()) {
    const auto ms = parse_latency_ms(o.p99_ceiling);
    if (!ms || *ms <= 0) {
      throw ConfigError("--p99-ceiling " + o.p99_ceiling + ": a latency such as 50ms or 1.5s");
    }
    f.criteria.p99_ceiling_ms = *ms;
  }
  f.connections = s.plan.connections;
  f.threads = s.plan.threads;
  f.late_after = s.plan.late_after;
  s.plan.open_loop = true;
  s.plan.rate = f.criteria.start_rate;
  s.find_limit = f;
}

// Before the rate: the shard's rate is its share of --rate.
void read_shard(const LoadOptions& o, LoadSetup& s) {
  if (o.shard.empty()) return;
  try {
    s.shard = loadgen::parse_shard(o.shard);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("--shard ") + e.what());
  }
}

void read_plan(const LoadOptions& o, LoadSetup& s) {
  if (!o.rate && !o.connections && o.stages.empty() && !o.find_limit) {
    throw ConfigError("give --rate R (open loop) or --connections C (closed loop), or both");
  }
  if (o.stages.empty()) {
    if (o.duration.empty()) throw ConfigError("give --duration (or --stages)");
    s.plan.duration = read_duration("--duration", o.duration);
  }
  s.plan.open_loop = o.rate.has_value();
  if (o.rate && !(std::isfinite(*o.rate) && *o.rate > 0 && *o.rate <= kHighestRate)) {
    throw ConfigError("--rate must be a positive number of requests per second, at most 1000000");
  }
  // Connections and threads are each shard's own (docs/load.md "Scale past one machine").
  s.plan.rate = loadgen::shard_rate(o.rate.value_or(0), s.shard);
  if (!o.stages.empty()) read_stages(o, s);
  if (!o.find_limit && (o.max_rate || !o.p99_ceiling.empty())) {
    throw ConfigError("--max-rate and --p99-ceiling are for --find-limit");
  }
  if (o.connections && (*o.connections < 1 || *o.connections > kMostConnections)) {
    throw ConfigError("--connections must be 1.." + std::to_string(kMostConnections));
  }
  s.plan.connections =
      o.connections ? static_cast<std::size_t>(*o.connections) : kDefaultOpenLoopConnections;
  if (o.threads && (*o.threads < 1 || *o.threads > kMostThreads)) {
    throw ConfigError("--threads must be 1.." + std::to_string(kMostThreads));
  }
  s.plan.threads = o.threads ? static_cast<std::size_t>(*o.threads) : kDefaultThreads;
  if (o.late_after_us < 0) throw ConfigError("--late-after-us must not be negative");
  s.plan.late_after = std::chrono::microseconds(o.late_after_us);
  if (o.find_limit) read_find_limit(o, s);
}

// The page is written after the result file: never over it.
void check_report_html_path(const LoadOptions& o) {
  check_out_path("--report-html", o.report_html);
  std::error_code ec;
  if (!o.out.empty() && !o.report_html.empty() &&
      std::filesystem::equivalent(o.out, o.report_html, ec)) {
    throw ConfigError("--report-html " + o.report_html + ": the same file as --out");
  }
}

}  // namespace

LoadSetup load_setup(const LoadOptions& options) {
  LoadSetup s;
  read_target(options, s);
  read_credential(options, s);
  read_workload(options, s);
  read_shard(options, s);
  read_plan(options, s);
  std::vector<std::string> operations;
  for (const auto& op : s.workload.operations) operations.push_back(op.op);
  if (options.find_limit && !options.baseline.empty()) {
    throw ConfigError(
        "--baseline and --find-limit: a search's steps depend on what it finds, so two searches "
        "do not compare request by request");
  }
  s.gates = read_gates(options.thresholds, options.baseline, options.max_regression, operations);
  check_out_path("--out", options.out);
  check_report_html_path(options);
  return s;
}

loadgen::LoadConfig load_config(const LoadOptions& o, const LoadSetup& s) {
  loadgen::LoadConfig c;
  c.dialect = o.dialect;
  c.endpoint = s.in_process ? "in-process" : o.endpoint;
  c.endpoint_url = s.target.endpoint.url() + (s.target.dialect ? "" : s.target.path);
  c.in_process = s.in_process;
  c.region = s.target.region;
  c.mode = s.find_limit ? "find-limit" : s.plan.open_loop ? "open" : "closed";
  c.rate = s.plan.rate;
  c.connections = static_cast<int>(s.plan.connections);
  c.threads = static_cast<int>(loadgen::effective_threads(s.plan));
  c.duration_s = std::chrono::duration<double>(s.plan.length()).count();
  c.timeout_ms = o.timeout_ms;
  c.workload = s.workload.to_json();
  c.workload_fingerprint = s.workload.fingerprint();
  c.access_key_id = s.target.credentials.access_key_id;
  c.late_after_us = o.late_after_us;
  if (!s.plan.stages.empty()) {
    c.stages = nlohmann::json::array();
    for (const auto& stage : s.plan.stages) {
      c.stages.push_back({{"target_rate", stage.target},
                          {"duration_s", std::chrono::duration<double>(stage.duration).count()}});
    }
  }
  c.shard = s.shard;
  return c;
}

}  // namespace kmsconf::cli
