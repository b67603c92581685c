// Building, reading, comparing and printing the result file of a load run (result.hpp).
#include "loadgen/result.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "loadgen/config_compare.hpp"
#include "loadgen/find_limit_report.hpp"
#include "loadgen/json_read.hpp"
#include "loadgen/result_text.hpp"
#include "protocol/json_lines.hpp"
#include "protocol/time_format.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;

// ---- building --------------------------------------------------------------------------------

// JSON has no NaN or infinity (nlohmann would write null, which the schema refuses).
double finite_or_zero(double value) {
  return std::isfinite(value) ? value : 0.0;
}

double ms(int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

json outcomes_json(const OutcomeCounts& counts) {
  json out = json::object();
  for (Outcome outcome : kOutcomes) out[std::string(outcome_name(outcome))] = counts[outcome];
  out["late"] = counts.late;
  return out;
}

// count says how many values the others come from: 0 means they are no measurement.
json latency_json(const Histogram& h) {
  return {{"count", h.count()},
          {"p50", ms(h.percentile(50))},
          {"p90", ms(h.percentile(90))},
          {"p99", ms(h.percentile(99))},
          {"p999", ms(h.percentile(99.9))},
          {"max", ms(h.max())},
          {"mean", finite_or_zero(h.mean() / 1000.0)}};
}

json config_json(const LoadConfig& c) {
  json out = {{"dialect", c.dialect},
              {"endpoint", c.endpoint},
              {"endpoint_url", c.endpoint_url},
              {"in_process", c.in_process},
              {"region", c.region},
              {"mode", c.mode},
              {"rate", finite_or_zero(c.rate)},
              {"connections", c.connections},
              {"threads", c.threads},
              {"duration_s", finite_or_zero(c.duration_s)},
              {"timeout_ms", c.timeout_ms},
              {"late_after_us", c.late_after_us},
              {"workload", c.workload.is_null() ? json::object() : c.workload},
              {"workload_fingerprint", c.workload_fingerprint},
              {"access_key_id", c.access_key_id}};
  if (!c.stages.is_null()) out["stages"] = c.stages;
  if (c.shard) out["shard"] = shard_json(*c.shard);
  return out;
}

json summary_json(const RunStats& stats, const OutcomeCounts& outcomes) {
  const uint64_t requests = outcomes.total();
  const double duration = std::max(0.0, finite_or_zero(stats.duration_s));
  const double rps = duration > 0 ? static_cast<double>(requests) / duration : 0.0;
  return {{"requests", requests},
          {"duration_s", duration},
          {"started_at", iso8601_utc_millis(SystemTime(std::chrono::milliseconds(
                             std::max<int64_t>(0, stats.started_at_unix_ms))))},
          {"started_at_unix_ms", std::max<int64_t>(0, stats.started_at_unix_ms)},
          {"requests_per_second", finite_or_zero(rps)},
          {"outcomes", outcomes_json(outcomes)},
          {"unsent", stats.unsent},
          {"connections_opened", stats.connections_opened},
          {"connection_failures", stats.connection_failures},
          {"retried", stats.retried},
          {"interrupted", stats.interrupted},
          {"stop_reason", stats.stop_reason.empty() ? json(nullptr) : json(stats.stop_reason)}};
}

json operation_json(const OperationStats& op) {
  return {{"requests", op.outcomes.total()},
          {"outcomes", outcomes_json(op.outcomes)},
          {"latency_ms", latency_json(op.latency)},
          {"service_time_ms", latency_json(op.service)}};
}

json timeline_json(const std::vector<TimelinePoint>& points) {
  json out = json::array();
  for (const TimelinePoint& p : points) {
    out.push_back({{"second", p.second},
                   {"requests", p.outcomes.total()},
                   {"outcomes", outcomes_json(p.outcomes)},
                   {"p50_ms", ms(p.p50_us)},
                   {"p99_ms", ms(p.p99_us)},
                   {"max_ms", ms(p.max_us)}});
  }
  return out;
}

json histogram_pair(const OperationStats& op) {
  return {{"latency", op.latency.to_json()}, {"service_time", op.service.to_json()}};
}

// ---- reading ---------------------------------------------------------------------------------

using json_read::count;
using json_read::member;
using json_read::number;
using json_read::text;

// The outcomes that count as errors (OutcomeCounts::errors()); throttled is the endpoint's
// quota at work, never an error.
constexpr const char* kErrorOutcomes[] = {"client_error", "server_error", "transport_error",
                                          "timeout"};

// ---- metrics ---------------------------------------------------------------------------------

// The run's figures ("") and each operation's, all shaped like a per_op entry.
struct Figures {
  std::map<std::string, json> scopes;
  std::optional<double> duration_s;
  std::optional<double> limit_rps;    // a converged --find-limit's sustained rate
  std::optional<double> limit_burst;  // its burst, when one was found
};

// Where a latency metric lives in a scope: which block and which key.
std::pair<const char*, const char*> latency_field(Metric metric) {
  switch (metric) {
    case Metric::P50:
      return {"latency_ms", "p50"};
    case Metric::P90:
      return {"latency_ms", "p90"};
    case Metric::P99:
      return {"latency_ms", "p99"};
    case Metric::P999:
      return {"latency_ms", "p999"};
    case Metric::Max:
      return {"latency_ms", "max"};
    case Metric::Mean:
      return {"latency_ms", "mean"};
    case Metric::ServiceP50:
      return {"service_time_ms", "p50"};
    case Metric::ServiceP90:
      return {"service_time_ms", "p90"};
    case Metric::ServiceP99:
      return {"service_time_ms", "p99"};
    case Metric::ServiceP999:
      return {"service_time_ms", "p999"};
    default:
      return {"service_time_ms", "max"};
  }
}

std::optional<double> latency_metric(const json& scope, double requests, Metric metric) {
  const auto [block_name, key] = latency_field(metric);
  const json& block = member(scope, block_name);
  // Without values behind them the zeros written for an empty histogram are no measurement.
  if (number(block, "count").value_or(requests) <= 0) return std::nullopt;
  return number(block, key);
}

// The numerator of a rate; nullopt when an outcome it needs is missing.
std::optional<double> rate_numerator(const json& outcomes, Metric metric) {
  switch (metric) {
    case Metric::ErrorRate: {
      double sum = 0;
      for (const char* name : kErrorOutcomes) {
        const auto n = number(outcomes, name);
        if (!n) return std::nullopt;
        sum += *n;
      }
      return sum;
    }
    case Metric::ThrottledRate:
      return number(outcomes, "throttled");
    case Metric::TimeoutRate:
      return number(outcomes, "timeout");
    default:
      return number(outcomes, "late");
  }
}

std::optional<double> metric_in(const json& scope, std::optional<double> duration_s,
                                Metric metric) {
  const std::optional<double> requests = number(scope, "requests");
  if (!requests) return std::nullopt;
  switch (metric_kind(metric)) {
    case MetricKind::Count:
      return requests;
    case MetricKind::Throughput:
      if (!duration_s || *duration_s <= 0) return std::nullopt;
      return *requests / *duration_s;
    case MetricKind::Rate: {
      // Requests due but never sent count as errors: the endpoint could not take them in time,
      // and their latencies, the worst of the run, are in no histogram.
      const double unsent = number(scope, "unsent").value_or(0);
      const double due = *requests + unsent;
      if (due <= 0) return std::nullopt;
      auto n = rate_numerator(member(scope, "outcomes"), metric);
      if (n && metric == Metric::ErrorRate) *n += unsent;
      return n ? std::optional<double>(*n / due) : std::nullopt;
    }
    case MetricKind::Latency:
      return latency_metric(scope, *requests, metric);
  }
  return std::nullopt;
}

Figures figures_of(const json& result) {
  Figures f;
  const json& summary = member(result, "summary");
  f.duration_s = number(summary, "duration_s");
  // A search cut short found a lower bound, not the limit: no value, so its gates fail.
  const json& limit = member(result, "find_limit");
  if (member(limit, "converged") == true) f.limit_rps = number(limit, "sustained_rps");
  f.limit_burst = number(limit, "burst");
  if (summary.is_object()) {
    f.scopes[""] = {{"requests", member(summary, "requests")},
                    {"unsent", member(summary, "unsent")},
                    {"outcomes", member(summary, "outcomes")},
                    {"latency_ms", member(result, "latency_ms")},
                    {"service_time_ms", member(result, "service_time_ms")}};
  }
  const json& per_op = member(result, "per_op");
  if (per_op.is_object()) {
    for (const auto& [name, op] : per_op.items()) {
      if (!name.empty()) f.scopes[name] = op;  // "" is the whole run
    }
  }
  return f;
}

// ---- printing --------------------------------------------------------------------------------

std::string percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "-";
  return printf_number("%.4g%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

uint64_t error_count(const json& outcomes) {
  uint64_t errors = 0;
  for (const char* name : kErrorOutcomes) errors += count(outcomes, name);
  return errors;
}

// One latency cell: "-" when there are no values behind it.
std::string cell(const json& block, const char* key) {
  if (count(block, "count") == 0) return "-";
  return printf_number("%.2f", number(block, key).value_or(0));
}

void print_headline(std::ostream& out, const json& result) {
  const json& summary = member(result, "summary");
  const json& config = member(result, "config");
  out << "kmsconf load: " << count(summary, "requests") << " requests in "
      << printf_number("%.2f", number(summary, "duration_s").value_or(0)) << " s, "
      << printf_number("%.1f", number(summary, "requests_per_second").value_or(0)) << " req/s";
  const std::string mode = text(config, "mode");
  if (mode == "find-limit") {
    out << " (find-limit steps from " << shown(member(config, "rate")) << " req/s, up to "
        << count(config, "connections") << " in flight";
  } else if (mode == "open" && member(config, "stages").is_array()) {
    out << " (open loop in " << member(config, "stages").size() << " stages from "
        << shown(member(config, "rate")) << " req/s, up to " << count(config, "connections")
        << " in flight";
  } else if (mode == "open") {
    out << " (open loop at " << shown(member(config, "rate")) << " req/s, up to "
        << count(config, "connections") << " in flight";
  } else {
    out << " (closed loop, " << count(config, "connections") << " connections";
  }
  out << ", " << count(config, "threads") << " threads)\n";
  out << "target: " << printable(text(config, "dialect")) << " "
      << printable(text(config, "endpoint"));
  if (!text(config, "region").empty()) out << " region " << printable(text(config, "region"));
  out << ", workload " << workload_label(config) << "\n";
}

void print_outcomes(std::ostream& out, const json& summary) {
  const json& outcomes = member(summary, "outcomes");
  const uint64_t requests = count(summary, "requests");
  out << "outcomes:";
  const char* sep = " ";
  for (Outcome o : kOutcomes) {
    const std::string name(outcome_name(o));
    out << sep << name << " " << count(outcomes, name.c_str());
    sep = ", ";
  }
  const uint64_t errors = error_count(outcomes);
  out << "\n  errors " << errors << " (" << percent(errors, requests) << "), throttled "
      << percent(count(outcomes, "throttled"), requests) << ", late " << count(outcomes, "late")
      << " (" << percent(count(outcomes, "late"), requests) << "), unsent "
      << count(summary, "unsent") << "\n";
  out << "connections: " << count(summary, "connections_opened") << " opened, "
      << count(summary, "connection_failures") << " failed\n";
  const std::string reason = text(summary, "stop_reason");
  if (member(summary, "interrupted") == true || !reason.empty()) {
    out << "stopped early: " << (reason.empty() ? "interrupted" : printable(reason)) << "\n";
  }
}

void print_latency_row(std::ostream& out, const char* label, const json& block) {
  char head[32];
  std::snprintf(head, sizeof head, "  %-10s", label);
  out << head;
  for (const char* key : {"p50", "p90", "p99", "p999", "max", "mean"}) {
    char field[32];
    std::snprintf(field, sizeof field, "%10s", cell(block, key).c_str());
    out << field;
  }
  out << "\n";
}

void print_latency(std::ostream& out, const json& result) {
  out << "\nlatency ms         p50       p90       p99     p99.9       max      mean\n";
  print_latency_row(out, "intended", member(result, "latency_ms"));
  print_latency_row(out, "service", member(result, "service_time_ms"));
}

void print_operations(std::ostream& out, const json& per_op) {
  if (!per_op.is_object() || per_op.empty()) return;
  out << "\noperation           requests    errors throttled"
         "    p50 ms    p99 ms  p99.9 ms    max ms\n";
  for (const auto& [name, op] : per_op.items()) {
    const json& outcomes = member(op, "outcomes");
    const uint64_t errors = error_count(outcomes);
    const json& latency = member(op, "latency_ms");
    char line[256];
    std::snprintf(line, sizeof line, "  %-16s %9llu %9llu %9llu %9s %9s %9s %9s\n",
                  printable(name).c_str(), static_cast<unsigned long long>(count(op, "requests")),
                  static_cast<unsigned long long>(errors),
                  static_cast<unsigned long long>(count(outcomes, "throttled")),
                  cell(latency, "p50").c_str(), cell(latency, "p99").c_str(),
                  cell(latency, "p999").c_str(), cell(latency, "max").c_str());
    out << line;
  }
}

// Each check's line.
void print_checks(std::ostream& out, const char* title, const json& checks) {
  if (!checks.is_array() || checks.empty()) return;
  out << title << "\n";
  for (const json& check : checks) out << "  " << printable(text(check, "message")) << "\n";
}

// How many of `checks` (thresholds or regressions) there are and how many failed.
void tally_checks(const json& checks, ResultVerdict& verdict) {
  if (!checks.is_array()) return;
  for (const json& check : checks) {
    ++verdict.checks;
    if (member(check, "passed") != true) ++verdict.failed;
  }
}

}  // namespace

// Why the run's numbers cannot pass a gate, or "": interrupted, nothing sent, no connection.
std::string unjudged_reason(bool interrupted, uint64_t requests, uint64_t connections_opened,
                            uint64_t http_answers) {
  if (interrupted) return "interrupted";
  if (requests == 0) return "nothing was sent";
  if (connections_opened == 0) return "no connection could be opened";
  if (http_answers == 0) return "no request got an HTTP answer";
  return "";
}

std::string unjudged_reason(const RunStats& stats) {
  const OutcomeCounts all = stats.overall().outcomes;
  const uint64_t answers = all[Outcome::Ok] + all[Outcome::Throttled] + all[Outcome::ClientError] +
                           all[Outcome::ServerError];
  return unjudged_reason(stats.interrupted, all.total(), stats.connections_opened, answers);
}

std::string summary_unjudged_reason(const json& summary) {
  const json& outcomes = member(summary, "outcomes");
  const uint64_t answers = count(outcomes, "ok") + count(outcomes, "throttled") +
                           count(outcomes, "client_error") + count(outcomes, "server_error");
  return unjudged_reason(member(summary, "interrupted") == true, count(summary, "requests"),
                         count(summary, "connections_opened"), answers);
}

json result_json(const LoadConfig& config, const RunStats& stats,
                 const std::vector<ThresholdResult>& thresholds,
                 const std::vector<RegressionResult>* regressions, const std::string& baseline_path,
                 std::string_view version_line) {
  const OperationStats overall = stats.overall();
  json per_op = json::object();
  json per_op_histograms = json::object();
  for (size_t i = 0; i < stats.operations.size() && i < stats.per_op.size(); ++i) {
    per_op[stats.operations[i]] = operation_json(stats.per_op[i]);
    per_op_histograms[stats.operations[i]] = histogram_pair(stats.per_op[i]);
  }
  json histograms = histogram_pair(overall);
  histograms["per_op"] = std::move(per_op_histograms);

  json threshold_results = json::array();
  for (const ThresholdResult& t : thresholds) threshold_results.push_back(t.to_json());

  json result = {{"kmsconf_version", std::string(version_line)},
                 {"config", config_json(config)},
                 {"summary", summary_json(stats, overall.outcomes)},
                 {"latency_ms", latency_json(overall.latency)},
                 {"service_time_ms", latency_json(overall.service)},
                 {"per_op", std::move(per_op)},
                 {"timeline", timeline_json(stats.timeline)},
                 {"histograms", std::move(histograms)},
                 {"thresholds", std::move(threshold_results)}};
  bool passed = all_passed(thresholds);
  if (regressions != nullptr) {
    json list = json::array();
    for (const RegressionResult& r : *regressions) list.push_back(r.to_json());
    result["baseline"] = {{"path", baseline_path}, {"regressions", std::move(list)}};
    passed = passed && all_passed(*regressions);
  }
  // A gate never turns "could not judge" into a pass.
  result["passed"] = passed && unjudged_reason(stats).empty();
  return result;
}

MetricLookup metrics_of(const json& result) {
  auto figures = std::make_shared<const Figures>(figures_of(result));
  return [figures](const std::string& operation, Metric metric) -> std::optional<double> {
    if (metric == Metric::LimitRps || metric == Metric::LimitBurst) {
      if (!operation.empty()) return std::nullopt;  // the search is the whole run's
      return metric == Metric::LimitRps ? figures->limit_rps : figures->limit_burst;
    }
    const auto it = figures->scopes.find(operation);
    if (it == figures->scopes.end()) return std::nullopt;
    return metric_in(it->second, figures->duration_s, metric);
  };
}

std::vector<std::string> baseline_differences(const json& baseline, const json& current) {
  if (const std::string why = not_a_load_result(baseline); !why.empty()) {
    return {"the baseline is not a kmsconf load result: " + why};
  }
  // A shard's baseline is the same shard's: another shard or layout sends another share.
  static constexpr ConfigField kCompared[] = {
      ConfigField::Dialect, ConfigField::Endpoint, ConfigField::Region,      ConfigField::Mode,
      ConfigField::Rate,    ConfigField::Stages,   ConfigField::Connections, ConfigField::Threads,
      ConfigField::Shard,   ConfigField::Workload};
  return config_differences(member(baseline, "config"), member(current, "config"), kCompared,
                            {"baseline", "this run"});
}

json read_result_file(const std::string& path) {
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    throw std::runtime_error(path + ": is a directory, not a load result file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  const std::string content = buffer.str();
  try {
    return json::parse(content);
  } catch (const json::parse_error& e) {
    const JsonSyntaxError error = json_syntax_error(content, e);
    throw std::runtime_error(field_error_text(path, error.line, "", error.reason));
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void print_summary(std::ostream& out, const json& result) {
  print_headline(out, result);
  print_outcomes(out, member(result, "summary"));
  print_latency(out, result);
  print_operations(out, member(result, "per_op"));
  out << "\n";
  print_checks(out, "thresholds:", member(result, "thresholds"));
  const json& baseline = member(result, "baseline");
  const std::string title = "baseline " + printable(text(baseline, "path")) + ":";
  print_checks(out, title.c_str(), member(baseline, "regressions"));
  out << "result: " << verdict_of(result).text() << "\n";
}

ResultVerdict verdict_of(const json& result) {
  ResultVerdict verdict;
  verdict.unjudged = summary_unjudged_reason(member(result, "summary"));
  // A find-limit search that did not converge answered nothing it was asked (exit code 3).
  if (verdict.unjudged.empty())
    verdict.unjudged = find_limit_unjudged(member(result, "find_limit"));
  verdict.passed = verdict.unjudged.empty() && member(result, "passed") == true;
  tally_checks(member(result, "thresholds"), verdict);
  tally_checks(member(member(result, "baseline"), "regressions"), verdict);
  return verdict;
}

std::string ResultVerdict::text() const {
  if (!unjudged.empty()) return "NOT JUDGED (" + unjudged + ")";
  if (passed) return checks == 0 ? "PASS (no thresholds or baseline to check)" : "PASS";
  return "FAIL (" + std::to_string(failed) + " of " + std::to_string(checks) + " checks failed)";
}

std::string unjudged_reason(const nlohmann::json& result) {
  return summary_unjudged_reason(member(result, "summary"));
}

}  // namespace kmsconf::loadgen
