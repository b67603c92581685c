// Parsing and judging load-test thresholds and baseline regressions (thresholds.hpp).
#include "loadgen/thresholds.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "protocol/ascii.hpp"
#include "protocol/duration.hpp"
#include "protocol/suggest.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;

struct MetricInfo {
  Metric metric;
  std::string_view name;
  MetricKind kind;
};

// The one table of metric names, read both ways; in enum order so a Metric indexes it.
constexpr std::array<MetricInfo, 19> kMetrics{{
    {Metric::P50, "p50", MetricKind::Latency},
    {Metric::P90, "p90", MetricKind::Latency},
    {Metric::P99, "p99", MetricKind::Latency},
    {Metric::P999, "p999", MetricKind::Latency},
    {Metric::Max, "max", MetricKind::Latency},
    {Metric::Mean, "mean", MetricKind::Latency},
    {Metric::ServiceP50, "service_p50", MetricKind::Latency},
    {Metric::ServiceP90, "service_p90", MetricKind::Latency},
    {Metric::ServiceP99, "service_p99", MetricKind::Latency},
    {Metric::ServiceP999, "service_p999", MetricKind::Latency},
    {Metric::ServiceMax, "service_max", MetricKind::Latency},
    {Metric::ErrorRate, "error_rate", MetricKind::Rate},
    {Metric::ThrottledRate, "throttled_rate", MetricKind::Rate},
    {Metric::TimeoutRate, "timeout_rate", MetricKind::Rate},
    {Metric::LateRate, "late_rate", MetricKind::Rate},
    {Metric::Rps, "rps", MetricKind::Throughput},
    {Metric::Requests, "requests", MetricKind::Count},
    {Metric::LimitRps, "limit_rps", MetricKind::Throughput},
    {Metric::LimitBurst, "limit_burst", MetricKind::Count},
}};

constexpr bool in_enum_order() {
  for (size_t i = 0; i < kMetrics.size(); ++i) {
    if (kMetrics[i].metric != static_cast<Metric>(i)) return false;
  }
  return true;
}
static_assert(in_enum_order(), "kMetrics lists every Metric once, in enum order");

const MetricInfo& info(Metric metric) {
  return kMetrics.at(static_cast<size_t>(metric));
}

// The one table of comparison symbols, read both ways.
constexpr std::array<std::pair<std::string_view, Comparison>, 4> kComparisons{{
    {"<", Comparison::Less},
    {"<=", Comparison::LessEqual},
    {">", Comparison::Greater},
    {">=", Comparison::GreaterEqual},
}};

// Built piecewise: GCC 12 -O3 reports a false -Wrestrict for "\"" + std::string(text) + "\"".
std::string quote(std::string_view text) {
  std::string quoted(1, '"');
  quoted += text;
  quoted += '"';
  return quoted;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// printf of one number into a string; 512 bytes hold any finite double in %f.
std::string printf_number(const char* format, double value) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// ---- parsing --------------------------------------------------------------------------------

struct Target {
  std::string operation;
  Metric metric;
};

bool is_operation_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

void check_operation(const std::string& operation) {
  if (operation.empty()) {
    throw std::invalid_argument(
        "empty operation before ':' (write an action name as in Encrypt:p99, or no ':' for the "
        "whole run)");
  }
  if (!std::all_of(operation.begin(), operation.end(), is_operation_char)) {
    throw std::invalid_argument("operation " + quote(operation) +
                                " is not an action name (letters, digits, '_', '-', '.')");
  }
}

Metric parse_metric(std::string_view name) {
  if (name.empty()) throw std::invalid_argument("no metric before the comparison");
  if (auto metric = metric_from_name(name)) return *metric;
  const std::vector<std::string> known = metric_names();
  throw std::invalid_argument("unknown metric " + quote(name) +
                              suggestion(std::string(name), known) + "; known: " + join(known));
}

// "Encrypt:p99" or "p99".
Target parse_target(std::string_view text) {
  std::string_view metric = ascii::trim(text);
  std::string operation;
  if (size_t colon = metric.find(':'); colon != std::string_view::npos) {
    operation = std::string(ascii::trim(metric.substr(0, colon)));
    check_operation(operation);
    metric = ascii::trim(metric.substr(colon + 1));
  }
  return {operation, parse_metric(metric)};
}

struct Sides {
  std::string_view left;
  Comparison cmp;
  std::string_view right;
};

Sides split_comparison(std::string_view text) {
  constexpr std::string_view kSymbolChars = "<>=!";
  const size_t at = text.find_first_of(kSymbolChars);
  if (at == std::string_view::npos) {
    throw std::invalid_argument(
        "no comparison: expected [OPERATION:]METRIC OP VALUE with OP one of <, <=, >, >= (e.g. "
        "p99<20ms)");
  }
  const size_t end = text.find_first_not_of(kSymbolChars, at);
  const std::string_view symbol = text.substr(at, end - at);
  for (const auto& [name, cmp] : kComparisons) {
    if (name == symbol) return {text.substr(0, at), cmp, text.substr(at + symbol.size())};
  }
  throw std::invalid_argument("unknown comparison " + quote(symbol) + "; expected <, <=, > or >=");
}

// "20ms" -> {"20", "ms"}: where the number ends, to say what is wrong with what follows it.
std::pair<std::string_view, std::string_view> split_suffix(std::string_view value) {
  const size_t end = std::min(value.find_first_not_of("0123456789."), value.size());
  return {value.substr(0, end), value.substr(end)};
}

// "ms" or "/s" after a number: a unit, not a typo inside the number ("5,000").
bool looks_like_unit(std::string_view suffix) {
  return !suffix.empty() &&
         (std::isalpha(static_cast<unsigned char>(suffix.front())) != 0 || suffix.front() == '/');
}

// The histograms track latencies up to 60 s: a larger one is recorded as 60 s, so a limit above
// it could pass a run whose real latency exceeded it.
constexpr double kLargestLatencyLimitMs = 60'000;

double parse_latency_limit(const std::string& name, std::string_view value) {
  if (auto ms = parse_latency_ms(value)) {
    if (*ms > kLargestLatencyLimitMs) {
      throw std::invalid_argument("the latency " + quote(value) + " of " + name +
                                  " is above 60s, the largest latency the histograms track");
    }
    return *ms;
  }
  const auto [number, suffix] = split_suffix(value);
  if (suffix == "%") {
    throw std::invalid_argument(name + " is a latency: give it a unit us, ms or s (e.g. 20ms), " +
                                "not a percentage " + quote(value));
  }
  if (suffix.empty() && parse_decimal(number)) {
    throw std::invalid_argument("missing unit on the latency " + quote(value) + " of " + name +
                                ": write e.g. " + std::string(value) + "ms (us, ms or s)");
  }
  throw std::invalid_argument("bad latency " + quote(value) + " for " + name +
                              ": expected a non-negative number and a unit us, ms or s, e.g. "
                              "20ms or 1.5s");
}

double parse_rate_limit(const std::string& name, std::string_view value) {
  const auto [number, suffix] = split_suffix(value);
  std::optional<double> rate;
  if (suffix == "%") rate = parse_decimal(number, 100);
  if (suffix.empty()) rate = parse_decimal(number);
  if (!rate) {
    throw std::invalid_argument("bad rate " + quote(value) + " for " + name +
                                ": expected a percentage such as 0.1% or a fraction such as 0.001");
  }
  if (*rate > 1) throw std::invalid_argument(name + " " + quote(value) + " is above 100%");
  return *rate;
}

// rps and requests: a plain number.
double parse_plain_limit(Metric metric, const std::string& name, std::string_view value) {
  const std::string what = metric == Metric::Rps ? "requests per second" : "a count of requests";
  const auto [number, suffix] = split_suffix(value);
  if (suffix == "%") {
    throw std::invalid_argument(name + " takes a plain number (" + what +
                                "), not a percentage: " + quote(value));
  }
  if (looks_like_unit(suffix) && parse_decimal(number)) {
    throw std::invalid_argument(name + " takes a plain number (" + what +
                                ") without a unit: " + quote(value));
  }
  const std::optional<double> limit = parse_decimal(value);
  if (!limit) throw std::invalid_argument("bad number " + quote(value) + " for " + name);
  if (metric == Metric::Requests && number.find('.') != std::string_view::npos) {
    throw std::invalid_argument(name + " is a count: " + quote(value) + " is not a whole number");
  }
  return *limit;
}

double parse_limit(Metric metric, std::string_view value) {
  const std::string name = metric_name(metric);
  if (value.empty()) throw std::invalid_argument("no value after the comparison");
  const MetricKind kind = metric_kind(metric);
  if (kind == MetricKind::Latency) return parse_latency_limit(name, value);
  if (kind == MetricKind::Rate) return parse_rate_limit(name, value);
  return parse_plain_limit(metric, name, value);
}

// "10%" as a fraction; a percent sign is required so "10" cannot mean 10% or 1000%.
double parse_tolerance(Metric metric, std::string_view value) {
  const auto [number, suffix] = split_suffix(value);
  if (value.empty()) throw std::invalid_argument("no percentage after '='");
  if (suffix.empty() && parse_decimal(number)) {
    throw std::invalid_argument("tolerance " + quote(value) + " needs a percent sign, e.g. " +
                                std::string(value) + "%");
  }
  const std::optional<double> tolerance = suffix == "%" ? parse_decimal(number, 100) : std::nullopt;
  if (!tolerance) {
    throw std::invalid_argument("bad tolerance " + quote(value) +
                                ": expected a percentage such as 10%");
  }
  // A drop by more than all of it, or a rate up by more than 100 points, cannot happen.
  if (metric_kind(metric) != MetricKind::Latency && *tolerance > 1) {
    throw std::invalid_argument("tolerance " + quote(value) + " of " + metric_name(metric) +
                                " is above 100%");
  }
  return *tolerance;
}

// "Encrypt:p99=10%".
RegressionTolerance parse_tolerance_entry(std::string_view entry) {
  const size_t eq = entry.find('=');
  if (eq == std::string_view::npos) {
    throw std::invalid_argument("no =PERCENT (e.g. p99=10%)");
  }
  Target target = parse_target(entry.substr(0, eq));
  const double tolerance = parse_tolerance(target.metric, ascii::trim(entry.substr(eq + 1)));
  return {std::move(target.operation), target.metric, tolerance};
}

std::string label(const std::string& operation, Metric metric) {
  return operation.empty() ? metric_name(metric) : operation + ":" + metric_name(metric);
}

bool same_target(const RegressionTolerance& a, const RegressionTolerance& b) {
  return a.operation == b.operation && a.metric == b.metric;
}

// ---- judging --------------------------------------------------------------------------------

// NaN or infinity is no measurement either.
std::optional<double> usable(std::optional<double> value) {
  if (value && std::isfinite(*value)) return value;
  return std::nullopt;
}

json optional_json(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json operation_json(const std::string& operation) {
  return operation.empty() ? json(nullptr) : json(operation);
}

bool holds(double actual, Comparison cmp, double limit) {
  switch (cmp) {
    case Comparison::Less:
      return actual < limit;
    case Comparison::LessEqual:
      return actual <= limit;
    case Comparison::Greater:
      return actual > limit;
    case Comparison::GreaterEqual:
      return actual >= limit;
  }
  return false;
}

const char* verdict(bool passed) {
  return passed ? "PASS" : "FAIL";
}

std::string no_value(const std::string& operation, Metric metric) {
  if (operation.empty()) return "no value for " + metric_name(metric) + " in this run";
  return "no value for " + metric_name(metric) + " of operation " + operation + " (did it run?)";
}

ThresholdResult evaluate_one(const Threshold& threshold, const MetricLookup& lookup) {
  ThresholdResult result;
  result.threshold = threshold;
  result.actual = usable(lookup(threshold.operation, threshold.metric));
  const std::string seen = result.actual ? format_metric_value(threshold.metric, *result.actual)
                                         : no_value(threshold.operation, threshold.metric);
  result.passed = result.actual && holds(*result.actual, threshold.cmp, threshold.limit);
  result.message = threshold.expression + ": " + seen + ": " + verdict(result.passed);
  return result;
}

enum class Rule { RelativeIncrease, RelativeDecrease, PointsIncrease };

Rule rule_of(Metric metric) {
  const MetricKind kind = metric_kind(metric);
  if (kind == MetricKind::Latency) return Rule::RelativeIncrease;
  if (kind == MetricKind::Rate) return Rule::PointsIncrease;
  return Rule::RelativeDecrease;
}

// The worst current value the tolerance accepts.
double regression_limit(Rule rule, double baseline, double tolerance) {
  if (rule == Rule::RelativeIncrease) return baseline * (1 + tolerance);
  if (rule == Rule::PointsIncrease) return baseline + tolerance;
  return baseline * (1 - tolerance);
}

// The slack keeps rounding in the limit's arithmetic from failing a value exactly at it.
bool within(Rule rule, double current, double limit) {
  const double slack = std::abs(limit) * 1e-9;
  return rule == Rule::RelativeDecrease ? current >= limit - slack : current <= limit + slack;
}

// "+24.0%, limit +10%" or "+0.4 points, limit +0.25 points"; no change against a baseline of 0.
std::string change_text(Rule rule, double current, double baseline, double tolerance) {
  const std::string tolerance_text = printf_number("%.6g", tolerance * 100);
  if (rule == Rule::PointsIncrease) {
    return printf_number("%+.4g points", (current - baseline) * 100) + ", limit +" +
           tolerance_text + " points";
  }
  const std::string limit =
      (rule == Rule::RelativeIncrease ? "limit +" : "limit -") + tolerance_text + "%";
  if (baseline == 0) return limit;
  return printf_number("%+.1f%%", (current / baseline - 1) * 100) + ", " + limit;
}

std::string missing_sides(const RegressionResult& r) {
  if (!r.current && !r.baseline) return "no value in this run or in the baseline";
  return r.current ? "no value in the baseline" : "no value in this run";
}

RegressionResult compare_one(const RegressionTolerance& t, const MetricLookup& current,
                             const MetricLookup& baseline) {
  RegressionResult r;
  r.tolerance = t;
  r.current = usable(current(t.operation, t.metric));
  r.baseline = usable(baseline(t.operation, t.metric));
  const std::string name = label(t.operation, t.metric);
  if (!r.current || !r.baseline) {
    r.message = name + ": " + missing_sides(r) + ": FAIL";
    return r;
  }
  const Rule rule = rule_of(t.metric);
  r.passed = within(rule, *r.current, regression_limit(rule, *r.baseline, t.tolerance));
  r.message = name + " " + format_metric_value(t.metric, *r.current) + " vs baseline " +
              format_metric_value(t.metric, *r.baseline) + " (" +
              change_text(rule, *r.current, *r.baseline, t.tolerance) + "): " + verdict(r.passed);
  return r;
}

std::string_view rule_name(Rule rule) {
  if (rule == Rule::RelativeIncrease) return "max_increase";
  if (rule == Rule::PointsIncrease) return "max_increase_points";
  return "max_decrease";
}

}  // namespace

MetricKind metric_kind(Metric metric) {
  return info(metric).kind;
}

std::string format_metric_value(Metric metric, double value) {
  const MetricKind kind = metric_kind(metric);
  if (kind == MetricKind::Latency) {
    return printf_number(value != 0 && value < 1 ? "%.3f ms" : "%.2f ms", value);
  }
  if (kind == MetricKind::Rate) return printf_number("%.4g%%", value * 100);
  if (kind == MetricKind::Throughput) return printf_number("%.1f req/s", value);
  return printf_number("%.0f", value);
}

std::string metric_name(Metric metric) {
  return std::string(info(metric).name);
}

std::optional<Metric> metric_from_name(std::string_view name) {
  for (const MetricInfo& m : kMetrics) {
    if (m.name == name) return m.metric;
  }
  return std::nullopt;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const MetricInfo& m : kMetrics) names.emplace_back(m.name);
  return names;
}

std::string_view canonical_unit(Metric metric) {
  switch (metric_kind(metric)) {
    case MetricKind::Latency:
      return "ms";
    case MetricKind::Rate:
      return "fraction";
    case MetricKind::Throughput:
      return "req/s";
    case MetricKind::Count:
      return "count";
  }
  return "";
}

std::string_view comparison_symbol(Comparison cmp) {
  for (const auto& [name, c] : kComparisons) {
    if (c == cmp) return name;
  }
  return "";
}

Threshold parse_threshold(std::string_view expression) {
  const std::string_view text = ascii::trim(expression);
  try {
    if (text.empty()) throw std::invalid_argument("empty; expected e.g. p99<20ms");
    const Sides sides = split_comparison(text);
    Target target = parse_target(sides.left);
    const double limit = parse_limit(target.metric, ascii::trim(sides.right));
    return {std::string(text), std::move(target.operation), target.metric, sides.cmp, limit};
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("threshold " + quote(text) + ": " + e.what());
  }
}

json ThresholdResult::to_json() const {
  return {{"expression", threshold.expression},
          {"operation", operation_json(threshold.operation)},
          {"metric", metric_name(threshold.metric)},
          {"comparison", comparison_symbol(threshold.cmp)},
          {"limit", threshold.limit},
          {"unit", canonical_unit(threshold.metric)},
          {"actual", optional_json(actual)},
          {"passed", passed},
          {"message", message}};
}

std::vector<ThresholdResult> evaluate(const std::vector<Threshold>& thresholds,
                                      const MetricLookup& lookup) {
  std::vector<ThresholdResult> results;
  for (const Threshold& threshold : thresholds) results.push_back(evaluate_one(threshold, lookup));
  return results;
}

RegressionTolerances parse_max_regression(std::string_view text) {
  const std::string_view whole = ascii::trim(text);
  RegressionTolerances tolerances;
  try {
    if (whole.empty()) throw std::invalid_argument("empty; expected e.g. p99=10%,rps=5%");
    for (std::string_view part : ascii::split(whole, ',')) {
      const std::string_view entry = ascii::trim(part);
      if (entry.empty()) throw std::invalid_argument("empty entry (a stray ',')");
      try {
        tolerances.push_back(parse_tolerance_entry(entry));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string(entry) + ": " + e.what());
      }
      const RegressionTolerance& added = tolerances.back();
      if (std::count_if(tolerances.begin(), tolerances.end(),
                        [&](const auto& t) { return same_target(t, added); }) > 1) {
        throw std::invalid_argument(label(added.operation, added.metric) + " appears twice");
      }
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("max regression " + quote(whole) + ": " + e.what());
  }
  return tolerances;
}

json RegressionResult::to_json() const {
  const Rule rule = rule_of(tolerance.metric);
  json limit = nullptr;
  if (baseline) limit = regression_limit(rule, *baseline, tolerance.tolerance);
  return {{"operation", operation_json(tolerance.operation)},
          {"metric", metric_name(tolerance.metric)},
          {"unit", canonical_unit(tolerance.metric)},
          {"rule", rule_name(rule)},
          {"tolerance", tolerance.tolerance},
          {"current", optional_json(current)},
          {"baseline", optional_json(baseline)},
          {"limit", limit},
          {"passed", passed},
          {"message", message}};
}

std::vector<RegressionResult> evaluate_regressions(const RegressionTolerances& tolerances,
                                                   const MetricLookup& current,
                                                   const MetricLookup& baseline) {
  std::vector<RegressionResult> results;
  for (const RegressionTolerance& t : tolerances) {
    results.push_back(compare_one(t, current, baseline));
  }
  return results;
}

bool all_passed(const std::vector<ThresholdResult>& results) {
  return std::all_of(results.begin(), results.end(), [](const auto& r) { return r.passed; });
}

bool all_passed(const std::vector<RegressionResult>& results) {
  return std::all_of(results.begin(), results.end(), [](const auto& r) { return r.passed; });
}

}  // namespace kmsconf::loadgen
