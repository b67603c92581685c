// The pass/fail gates of `kmsconf load`: --threshold expressions ("p99<20ms",
// "Encrypt:error_rate<0.1%") and --baseline/--max-regression against an earlier run, judged on
// metrics looked up through a function so they do not depend on the result format
// (docs/load-thresholds.md).
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kmsconf::loadgen {

// What a gate looks at. Each has a canonical unit, the one a MetricLookup returns and a limit is
// held in: milliseconds for latencies, a fraction 0..1 for rates, requests per second for Rps,
// a count for Requests.
enum class Metric {
  P50,  // latency percentiles, max and mean
  P90,
  P99,
  P999,
  Max,
  Mean,
  ServiceP50,  // the same for service time
  ServiceP90,
  ServiceP99,
  ServiceP999,
  ServiceMax,
  ErrorRate,  // shares of all requests
  ThrottledRate,
  TimeoutRate,
  LateRate,
  Rps,
  Requests,
  // --find-limit's conclusions (the result's find_limit block), of the whole run only: no value
  // when the search did not converge, or found no burst, so a gate on them never passes then.
  LimitRps,    // find_limit.sustained_rps
  LimitBurst,  // find_limit.burst
};

enum class MetricKind { Latency, Rate, Throughput, Count };

MetricKind metric_kind(Metric metric);
// "p99", "service_max", "error_rate", ...: the names expressions use.
std::string metric_name(Metric metric);
std::optional<Metric> metric_from_name(std::string_view name);
// Every name, in the order of Metric.
std::vector<std::string> metric_names();
// "ms", "fraction", "req/s" or "count".
std::string_view canonical_unit(Metric metric);

// A value of the metric as gate messages show it: "12.40 ms", "0.1%", "5000.0 req/s", "120000".
std::string format_metric_value(Metric metric, double value);

enum class Comparison { Less, LessEqual, Greater, GreaterEqual };
std::string_view comparison_symbol(Comparison cmp);  // "<", "<=", ">", ">="

// One --threshold: [OPERATION:]METRIC OP VALUE.
struct Threshold {
  std::string expression;  // as given, without surrounding whitespace
  std::string operation;   // an action name such as "Encrypt"; empty: the whole run
  Metric metric = Metric::P99;
  Comparison cmp = Comparison::Less;
  double limit = 0;  // in the metric's canonical unit: "0.1%" is 0.001, "1.5s" is 1500
};

// std::invalid_argument naming the whole expression and what is wrong with it.
Threshold parse_threshold(std::string_view expression);

// A metric of the run (operation empty) or of one operation, in its canonical unit; nullopt when
// there is none (an operation that never ran, a metric the run does not measure).
using MetricLookup =
    std::function<std::optional<double>(const std::string& operation, Metric metric)>;

struct ThresholdResult {
  Threshold threshold;
  std::optional<double> actual;
  bool passed = false;  // false also when there is no actual value
  std::string message;  // one line, e.g. "p99<20ms: 12.40 ms: PASS"
  nlohmann::json to_json() const;
};

// One result per threshold, in order. A metric without a value fails: a gate that cannot look
// never passes.
std::vector<ThresholdResult> evaluate(const std::vector<Threshold>& thresholds,
                                      const MetricLookup& lookup);

// One --max-regression entry: [OPERATION:]METRIC=PERCENT.
struct RegressionTolerance {
  std::string operation;  // empty: the whole run
  Metric metric = Metric::P99;
  // A fraction: 0.10 for "10%". Relative to the baseline for latencies, rps and requests;
  // percentage points on top of the baseline for rates (0.005 for "0.5%").
  double tolerance = 0;
};
using RegressionTolerances = std::vector<RegressionTolerance>;

// What --baseline checks when no --max-regression is given.
// p99 and throughput as the issue asks, and errors: in open loop rps holds whatever the outcomes,
// so a run whose every request fails fast would otherwise pass its baseline.
inline constexpr std::string_view kDefaultMaxRegression = "p99=10%,rps=5%,error_rate=0.1%";

// Comma-separated entries, e.g. "p99=10%,rps=5%,Encrypt:p999=20%"; a percent sign is required
// and a metric (per operation) may appear once. std::invalid_argument naming the whole text.
RegressionTolerances parse_max_regression(std::string_view text);

struct RegressionResult {
  RegressionTolerance tolerance;
  std::optional<double> current;
  std::optional<double> baseline;
  bool passed = false;  // false also when either side has no value
  // One line, e.g. "p99 12.40 ms vs baseline 10.00 ms (+24.0%, limit +10%): FAIL".
  std::string message;
  nlohmann::json to_json() const;
};

// One result per tolerance, in order. A regression is, with t the tolerance:
//   latency:          current > baseline * (1 + t)
//   rps, requests:    current < baseline * (1 - t)
//   rates:            current > baseline + t   (t in absolute percentage points)
// A value exactly at the limit passes; a metric missing on either side fails.
std::vector<RegressionResult> evaluate_regressions(const RegressionTolerances& tolerances,
                                                   const MetricLookup& current,
                                                   const MetricLookup& baseline);

// True when every result passed (an empty list passes): exit code 0 rather than 1.
bool all_passed(const std::vector<ThresholdResult>& results);
bool all_passed(const std::vector<RegressionResult>& results);

}  // namespace kmsconf::loadgen
