// Load-test gates: --threshold expressions and --max-regression parse as the grammar in
// docs/load-thresholds.md says, refuse what it does not allow with a message naming the fault,
// and judge values at, just below and just above each limit.
#include "loadgen/thresholds.hpp"

#include "protocol/ascii.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kmsconf::loadgen {
namespace {

using ::testing::HasSubstr;

// ---- helpers ---------------------------------------------------------------------------------

void expect_threshold(const std::string& text, const std::string& expression,
                      const std::string& operation, Metric metric, Comparison cmp, double limit) {
  SCOPED_TRACE(text);
  const Threshold t = parse_threshold(text);
  EXPECT_EQ(t.expression, expression);
  EXPECT_EQ(t.operation, operation);
  EXPECT_EQ(t.metric, metric);
  EXPECT_EQ(t.cmp, cmp);
  EXPECT_EQ(t.limit, limit);
}

// The message of the std::invalid_argument `parse` throws, or a marker when it does not throw.
template <typename Parse>
std::string error_of(Parse parse, const std::string& text) {
  try {
    parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no error for " + text + ">";
}

std::string threshold_error(const std::string& text) {
  return error_of([](const std::string& t) { return parse_threshold(t); }, text);
}

std::string regression_error(const std::string& text) {
  return error_of([](const std::string& t) { return parse_max_regression(t); }, text);
}

// Every metric gives the same value, whatever the operation.
MetricLookup constant(std::optional<double> value) {
  return [value](const std::string&, Metric) { return value; };
}

ThresholdResult judge(const std::string& expression, std::optional<double> actual) {
  return evaluate({parse_threshold(expression)}, constant(actual)).at(0);
}

RegressionResult compare(const std::string& tolerances, std::optional<double> current,
                         std::optional<double> baseline) {
  return evaluate_regressions(parse_max_regression(tolerances), constant(current),
                              constant(baseline))
      .at(0);
}

double below(double x) {
  return std::nextafter(x, -std::numeric_limits<double>::infinity());
}

double above(double x) {
  return std::nextafter(x, std::numeric_limits<double>::infinity());
}

// ---- metric names ----------------------------------------------------------------------------

// The names and kinds the grammar documents, in its order.
const std::vector<std::pair<std::string, MetricKind>> kDocumented{
    {"p50", MetricKind::Latency},         {"p90", MetricKind::Latency},
    {"p99", MetricKind::Latency},         {"p999", MetricKind::Latency},
    {"max", MetricKind::Latency},         {"mean", MetricKind::Latency},
    {"service_p50", MetricKind::Latency}, {"service_p90", MetricKind::Latency},
    {"service_p99", MetricKind::Latency}, {"service_p999", MetricKind::Latency},
    {"service_max", MetricKind::Latency}, {"error_rate", MetricKind::Rate},
    {"throttled_rate", MetricKind::Rate}, {"timeout_rate", MetricKind::Rate},
    {"late_rate", MetricKind::Rate},      {"rps", MetricKind::Throughput},
    {"requests", MetricKind::Count},      {"limit_rps", MetricKind::Throughput},
    {"limit_burst", MetricKind::Count},
};

TEST(MetricNames, EveryDocumentedNameBothWays) {
  std::vector<std::string> names;
  for (const auto& [name, kind] : kDocumented) {
    names.push_back(name);
    const std::optional<Metric> metric = metric_from_name(name);
    ASSERT_TRUE(metric.has_value()) << name;
    EXPECT_EQ(metric_name(*metric), name);
    EXPECT_EQ(metric_kind(*metric), kind) << name;
  }
  EXPECT_EQ(metric_names(), names);
  EXPECT_FALSE(metric_from_name("P99").has_value());
  EXPECT_FALSE(metric_from_name("service_mean").has_value());
  EXPECT_FALSE(metric_from_name("").has_value());
}

TEST(MetricNames, CanonicalUnits) {
  EXPECT_EQ(canonical_unit(Metric::P99), "ms");
  EXPECT_EQ(canonical_unit(Metric::ServiceMax), "ms");
  EXPECT_EQ(canonical_unit(Metric::LateRate), "fraction");
  EXPECT_EQ(canonical_unit(Metric::Rps), "req/s");
  EXPECT_EQ(canonical_unit(Metric::Requests), "count");
}

// ---- parse_threshold -------------------------------------------------------------------------

TEST(ParseThreshold, TheDocumentedExamples) {
  expect_threshold("p99<20ms", "p99<20ms", "", Metric::P99, Comparison::Less, 20);
  expect_threshold("error_rate<0.1%", "error_rate<0.1%", "", Metric::ErrorRate, Comparison::Less,
                   0.001);
  expect_threshold("throttled_rate<1%", "throttled_rate<1%", "", Metric::ThrottledRate,
                   Comparison::Less, 0.01);
  expect_threshold("rps>=5000", "rps>=5000", "", Metric::Rps, Comparison::GreaterEqual, 5000);
  expect_threshold("Encrypt:p99<5ms", "Encrypt:p99<5ms", "Encrypt", Metric::P99, Comparison::Less,
                   5);
  expect_threshold(" p999 <= 1.5s ", "p999 <= 1.5s", "", Metric::P999, Comparison::LessEqual, 1500);
}

TEST(ParseThreshold, EveryMetricComparisonAndUnit) {
  expect_threshold("p50<0.5ms", "p50<0.5ms", "", Metric::P50, Comparison::Less, 0.5);
  expect_threshold("p90<1.25s", "p90<1.25s", "", Metric::P90, Comparison::Less, 1250);
  expect_threshold("max>2s", "max>2s", "", Metric::Max, Comparison::Greater, 2000);
  expect_threshold("mean<800us", "mean<800us", "", Metric::Mean, Comparison::Less, 0.8);
  expect_threshold("service_p50<1ms", "service_p50<1ms", "", Metric::ServiceP50, Comparison::Less,
                   1);
  expect_threshold("service_p90<=2ms", "service_p90<=2ms", "", Metric::ServiceP90,
                   Comparison::LessEqual, 2);
  expect_threshold("service_p99<3ms", "service_p99<3ms", "", Metric::ServiceP99, Comparison::Less,
                   3);
  expect_threshold("service_p999<4ms", "service_p999<4ms", "", Metric::ServiceP999,
                   Comparison::Less, 4);
  expect_threshold("service_max<10ms", "service_max<10ms", "", Metric::ServiceMax, Comparison::Less,
                   10);
  expect_threshold("timeout_rate<=0.001", "timeout_rate<=0.001", "", Metric::TimeoutRate,
                   Comparison::LessEqual, 0.001);
  expect_threshold("late_rate<0.5%", "late_rate<0.5%", "", Metric::LateRate, Comparison::Less,
                   0.005);
  expect_threshold("requests>=100000", "requests>=100000", "", Metric::Requests,
                   Comparison::GreaterEqual, 100000);
  expect_threshold("rps > 12.5", "rps > 12.5", "", Metric::Rps, Comparison::Greater, 12.5);
  expect_threshold("\tGenerateDataKey : error_rate < 0 ", "GenerateDataKey : error_rate < 0",
                   "GenerateDataKey", Metric::ErrorRate, Comparison::Less, 0);
  expect_threshold("Decrypt:rps>=100", "Decrypt:rps>=100", "Decrypt", Metric::Rps,
                   Comparison::GreaterEqual, 100);
}

TEST(ParseThreshold, PercentAndFractionAreTheSameLimit) {
  for (const auto& [percent, fraction] :
       std::vector<std::pair<std::string, std::string>>{{"0.1%", "0.001"},
                                                        {"0.3%", "0.003"},
                                                        {"1%", "0.01"},
                                                        {"12.5%", "0.125"},
                                                        {"100%", "1"},
                                                        {"0%", "0"}}) {
    EXPECT_EQ(parse_threshold("error_rate<" + percent).limit,
              parse_threshold("error_rate<" + fraction).limit)
        << percent << " vs " << fraction;
  }
  // 1 error in 1000 requests is exactly 0.1%: it meets <=0.1% and misses <0.1%.
  EXPECT_TRUE(judge("error_rate<=0.1%", 1.0 / 1000).passed);
  EXPECT_TRUE(judge("error_rate<=0.001", 1.0 / 1000).passed);
  EXPECT_FALSE(judge("error_rate<0.1%", 1.0 / 1000).passed);
  EXPECT_FALSE(judge("error_rate<0.001", 1.0 / 1000).passed);
  EXPECT_TRUE(judge("throttled_rate<=0.3%", 3.0 / 1000).passed);
}

TEST(ParseThreshold, ErrorsNameTheFaultAndTheWholeExpression) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {"P99<20ms", {"unknown metric \"P99\"", "(did you mean \"p99\"?)"}},
      {"pp99<20ms", {"unknown metric \"pp99\"", "(did you mean \"p99\"?)"}},
      {"latency<20ms",
       {"unknown metric \"latency\"",
        "known: p50, p90, p99, p999, max, mean, service_p50, service_p90, service_p99, "
        "service_p999, service_max, error_rate, throttled_rate, timeout_rate, late_rate, rps, "
        "requests"}},
      {"p99<20", {"missing unit", "\"20\"", "us, ms or s"}},
      {"p99<1%", {"p99 is a latency", "not a percentage"}},
      {"p99<2m", {"bad latency \"2m\"", "us, ms or s"}},
      {"p99<20 ms", {"bad latency \"20 ms\""}},
      {"p99<-1ms", {"bad latency \"-1ms\""}},
      {"p99<abc", {"bad latency \"abc\""}},
      {"p99<1.2.3ms", {"bad latency"}},
      {"rps>=5000/s", {"rps takes a plain number", "without a unit"}},
      {"rps>5000ms", {"without a unit"}},
      {"rps>=5%", {"rps takes a plain number", "not a percentage"}},
      {"rps>=5,000", {"bad number \"5,000\""}},
      {"rps>=-5", {"bad number \"-5\""}},
      {"requests>=1.5", {"not a whole number"}},
      {"requests>=10k", {"without a unit"}},
      {"error_rate<abc", {"bad rate \"abc\"", "0.1%", "0.001"}},
      {"error_rate<1ms", {"bad rate \"1ms\""}},
      {"error_rate<150%", {"is above 100%"}},
      {"error_rate<2", {"is above 100%"}},
      {":p99<5ms", {"empty operation before ':'"}},
      {" : p99<5ms", {"empty operation before ':'"}},
      {"En crypt:p99<5ms", {"operation \"En crypt\" is not an action name"}},
      {"Encrypt:<5ms", {"no metric"}},
      {"<20ms", {"no metric"}},
      {"p99 20ms", {"no comparison", "<, <=, >, >="}},
      {"p99", {"no comparison"}},
      {"p99==20ms", {"unknown comparison \"==\""}},
      {"p99=20ms", {"unknown comparison \"=\""}},
      {"p99=<20ms", {"unknown comparison \"=<\""}},
      {"p99!=20ms", {"unknown comparison \"!=\""}},
      {"p99<", {"no value"}},
      {"p99< ", {"no value"}},
  };
  for (const auto& [text, fragments] : cases) {
    const std::string message = threshold_error(text);
    const std::string whole = "threshold \"" + std::string(ascii::trim(text)) + "\": ";
    EXPECT_THAT(message, HasSubstr(whole)) << text;
    for (const std::string& fragment : fragments) {
      EXPECT_THAT(message, HasSubstr(fragment)) << text;
    }
  }
  EXPECT_THAT(threshold_error(""), HasSubstr("threshold \"\": empty"));
  EXPECT_THAT(threshold_error("   "), HasSubstr("threshold \"\": empty"));
}

// ---- evaluate --------------------------------------------------------------------------------

struct Boundary {
  std::string expression;
  bool below, at, above;  // passes just below, at and just above 20 ms
};

TEST(Evaluate, EachComparisonBelowAtAndAboveTheLimit) {
  for (const Boundary& b : std::vector<Boundary>{{"p99<20ms", true, false, false},
                                                 {"p99<=20ms", true, true, false},
                                                 {"p99>20ms", false, false, true},
                                                 {"p99>=20ms", false, true, true}}) {
    EXPECT_EQ(judge(b.expression, below(20)).passed, b.below) << b.expression;
    EXPECT_EQ(judge(b.expression, 20).passed, b.at) << b.expression;
    EXPECT_EQ(judge(b.expression, above(20)).passed, b.above) << b.expression;
  }
}

TEST(Evaluate, RpsAndRequestsAtTheirLimits) {
  EXPECT_TRUE(judge("rps>=5000", 5000).passed);
  EXPECT_FALSE(judge("rps>=5000", below(5000)).passed);
  EXPECT_FALSE(judge("rps>5000", 5000).passed);
  EXPECT_TRUE(judge("requests>=100000", 100000).passed);
  EXPECT_FALSE(judge("requests>=100000", 99999).passed);
}

TEST(Evaluate, OneLineMessages) {
  const ThresholdResult pass = judge("p99<20ms", 12.4);
  EXPECT_TRUE(pass.passed);
  EXPECT_EQ(pass.actual, 12.4);
  EXPECT_EQ(pass.message, "p99<20ms: 12.40 ms: PASS");
  EXPECT_EQ(judge(" Encrypt:p99 < 5ms ", 6.1).message, "Encrypt:p99 < 5ms: 6.10 ms: FAIL");
  EXPECT_EQ(judge("error_rate<0.1%", 0.0025).message, "error_rate<0.1%: 0.25%: FAIL");
  EXPECT_EQ(judge("rps>=5000", 5123.46).message, "rps>=5000: 5123.5 req/s: PASS");
  EXPECT_EQ(judge("requests>=10", 12).message, "requests>=10: 12: PASS");
}

// A gate that cannot see its metric never passes, whichever way it compares.
TEST(Evaluate, AMissingMetricFails) {
  for (const std::string expression : {"p99<20ms", "p99>20ms", "rps>=0", "error_rate<=100%"}) {
    const ThresholdResult r = judge(expression, std::nullopt);
    EXPECT_FALSE(r.passed) << expression;
    EXPECT_FALSE(r.actual.has_value()) << expression;
    EXPECT_THAT(r.message, HasSubstr("in this run")) << expression;
    EXPECT_THAT(r.message, HasSubstr(": FAIL")) << expression;
  }
  EXPECT_EQ(judge("p99<20ms", std::nullopt).message,
            "p99<20ms: no value for p99 in this run: FAIL");
  EXPECT_EQ(judge("Encrypt:p99<5ms", std::nullopt).message,
            "Encrypt:p99<5ms: no value for p99 of operation Encrypt (did it run?): FAIL");
  // Not a number is no measurement either.
  EXPECT_FALSE(judge("p99<20ms", std::numeric_limits<double>::quiet_NaN()).passed);
  EXPECT_FALSE(judge("p99>20ms", std::numeric_limits<double>::quiet_NaN()).passed);
}

TEST(Evaluate, TheOperationReachesTheLookup) {
  std::vector<std::pair<std::string, Metric>> asked;
  const std::map<std::string, double> p99{{"", 15}, {"Encrypt", 6}};
  MetricLookup lookup = [&](const std::string& operation, Metric metric) {
    asked.emplace_back(operation, metric);
    auto it = p99.find(operation);
    return it == p99.end() ? std::nullopt : std::optional<double>(it->second);
  };
  const std::vector<ThresholdResult> results =
      evaluate({parse_threshold("Encrypt:p99<5ms"), parse_threshold("p99<20ms"),
                parse_threshold("Decrypt:error_rate<1%")},
               lookup);
  EXPECT_EQ(asked,
            (std::vector<std::pair<std::string, Metric>>{
                {"Encrypt", Metric::P99}, {"", Metric::P99}, {"Decrypt", Metric::ErrorRate}}));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].actual, 6);  // the operation's 6 ms, not the run's 15
  EXPECT_FALSE(results[0].passed);
  EXPECT_TRUE(results[1].passed);
  EXPECT_FALSE(results[2].passed);  // Decrypt never ran
  EXPECT_FALSE(all_passed(results));
  EXPECT_TRUE(all_passed(std::vector<ThresholdResult>{results[1]}));
  EXPECT_TRUE(all_passed(std::vector<ThresholdResult>{}));
}

TEST(Evaluate, ResultAsJson) {
  EXPECT_EQ(judge("Encrypt:p99<5ms", 6.5).to_json(),
            nlohmann::json::parse(R"({"expression": "Encrypt:p99<5ms", "operation": "Encrypt",
              "metric": "p99", "comparison": "<", "limit": 5.0, "unit": "ms", "actual": 6.5,
              "passed": false, "message": "Encrypt:p99<5ms: 6.50 ms: FAIL"})"));
  const nlohmann::json missing = judge("error_rate<=0.5%", std::nullopt).to_json();
  EXPECT_TRUE(missing["operation"].is_null());
  EXPECT_TRUE(missing["actual"].is_null());
  EXPECT_EQ(missing["limit"], 0.005);
  EXPECT_EQ(missing["unit"], "fraction");
  EXPECT_EQ(missing["comparison"], "<=");
  EXPECT_EQ(missing["passed"], false);
}

// ---- parse_max_regression --------------------------------------------------------------------

void expect_tolerance(const RegressionTolerance& t, const std::string& operation, Metric metric,
                      double tolerance) {
  EXPECT_EQ(t.operation, operation);
  EXPECT_EQ(t.metric, metric);
  EXPECT_EQ(t.tolerance, tolerance);
}

TEST(ParseMaxRegression, Entries) {
  const RegressionTolerances t = parse_max_regression("p99=10%,rps=5%");
  ASSERT_EQ(t.size(), 2u);
  expect_tolerance(t[0], "", Metric::P99, 0.10);
  expect_tolerance(t[1], "", Metric::Rps, 0.05);

  const RegressionTolerances spaced =
      parse_max_regression(" Encrypt:p999 = 20% , error_rate=0.5% ,requests=2.5%");
  ASSERT_EQ(spaced.size(), 3u);
  expect_tolerance(spaced[0], "Encrypt", Metric::P999, 0.20);
  expect_tolerance(spaced[1], "", Metric::ErrorRate, 0.005);
  expect_tolerance(spaced[2], "", Metric::Requests, 0.025);

  expect_tolerance(parse_max_regression("max=150%").at(0), "", Metric::Max, 1.5);
  // The same metric for the run and for an operation are two entries, not a duplicate.
  EXPECT_EQ(parse_max_regression("p99=10%,Encrypt:p99=5%,Decrypt:p99=5%").size(), 3u);
}

TEST(ParseMaxRegression, TheDefaultIsP99TenRpsFiveAndErrorsATenthOfAPoint) {
  EXPECT_EQ(kDefaultMaxRegression, "p99=10%,rps=5%,error_rate=0.1%");
  const RegressionTolerances t = parse_max_regression(kDefaultMaxRegression);
  ASSERT_EQ(t.size(), 3u);
  expect_tolerance(t[0], "", Metric::P99, 0.10);
  expect_tolerance(t[1], "", Metric::Rps, 0.05);
  expect_tolerance(t[2], "", Metric::ErrorRate, 0.001);
}

// Latencies above 60 s are recorded as 60 s: a limit beyond it could not fail.
TEST(ParseThreshold, LatencyLimitsAbove60sAreRefused) {
  EXPECT_NO_THROW(parse_threshold("max<60s"));
  try {
    parse_threshold("max<2m");
    ADD_FAILURE() << "2m is not a latency unit";
  } catch (const std::invalid_argument&) {
  }
  try {
    parse_threshold("p99<90s");
    ADD_FAILURE() << "90s accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("above 60s"), std::string::npos) << e.what();
  }
}

TEST(ParseMaxRegression, ErrorsNameTheFaultAndTheWholeText) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {"p99=10", {"p99=10: tolerance \"10\" needs a percent sign, e.g. 10%"}},
      {"p99", {"p99: no =PERCENT"}},
      {"p99=", {"no percentage"}},
      {"p98=10%", {"unknown metric \"p98\"", "known: p50"}},
      {"p99=10%,p99=20%", {"p99 appears twice"}},
      {"Encrypt:p99=10%,rps=5%,Encrypt:p99=5%", {"Encrypt:p99 appears twice"}},
      {"p99=10%,", {"empty entry"}},
      {"p99=10%,,rps=5%", {"empty entry"}},
      {"rps=150%", {"tolerance \"150%\" of rps is above 100%"}},
      {"error_rate=101%", {"above 100%"}},
      {"p99=abc%", {"bad tolerance \"abc%\""}},
      {"p99=-5%", {"bad tolerance \"-5%\""}},
      {"p99=10ms", {"bad tolerance \"10ms\""}},
      {":p99=10%", {"empty operation before ':'"}},
      {"p99<10%", {"no =PERCENT"}},
  };
  for (const auto& [text, fragments] : cases) {
    const std::string message = regression_error(text);
    EXPECT_THAT(message, HasSubstr("max regression \"" + text + "\": ")) << text;
    for (const std::string& fragment : fragments) {
      EXPECT_THAT(message, HasSubstr(fragment)) << text;
    }
  }
  EXPECT_THAT(regression_error(""), HasSubstr("max regression \"\": empty"));
}

// ---- evaluate_regressions --------------------------------------------------------------------

TEST(EvaluateRegressions, LatencyMayRiseByTheToleranceRelatively) {
  const RegressionResult up = compare("p99=10%", 12.4, 10);
  EXPECT_FALSE(up.passed);
  EXPECT_EQ(up.message, "p99 12.40 ms vs baseline 10.00 ms (+24.0%, limit +10%): FAIL");
  EXPECT_TRUE(compare("p99=10%", 11, 10).passed);  // exactly +10%
  EXPECT_FALSE(compare("p99=10%", 11.01, 10).passed);
  EXPECT_TRUE(compare("p99=10%", 10.99, 10).passed);
  const RegressionResult down = compare("p99=10%", 8, 10);
  EXPECT_TRUE(down.passed);
  EXPECT_EQ(down.message, "p99 8.00 ms vs baseline 10.00 ms (-20.0%, limit +10%): PASS");
}

TEST(EvaluateRegressions, RpsAndRequestsMayDropByTheToleranceRelatively) {
  const RegressionResult down = compare("rps=5%", 4700, 5000);
  EXPECT_FALSE(down.passed);
  EXPECT_EQ(down.message, "rps 4700.0 req/s vs baseline 5000.0 req/s (-6.0%, limit -5%): FAIL");
  EXPECT_TRUE(compare("rps=5%", 4750, 5000).passed);  // exactly -5%
  EXPECT_FALSE(compare("rps=5%", 4749, 5000).passed);
  EXPECT_TRUE(compare("rps=5%", 6000, 5000).passed);  // more throughput is no regression
  EXPECT_TRUE(compare("requests=10%", 900, 1000).passed);
  EXPECT_FALSE(compare("requests=10%", 899, 1000).passed);
}

// A rate tolerance is absolute: 0.5% lets 0.1% become 0.6%, not 0.1005%.
TEST(EvaluateRegressions, RatesMayRiseByTheToleranceInPercentagePoints) {
  EXPECT_TRUE(compare("error_rate=0.5%", 0.006, 0.001).passed);
  EXPECT_FALSE(compare("error_rate=0.5%", 0.0061, 0.001).passed);
  EXPECT_TRUE(compare("error_rate=0.5%", 0.0005, 0.001).passed);
  EXPECT_TRUE(compare("throttled_rate=5%", 0.14, 0.10).passed);  // +40% relative, +4 points
  EXPECT_FALSE(compare("throttled_rate=5%", 0.16, 0.10).passed);
  EXPECT_TRUE(compare("timeout_rate=0%", 0, 0).passed);
  EXPECT_FALSE(compare("timeout_rate=0%", 0.0001, 0).passed);
  EXPECT_EQ(compare("error_rate=0.25%", 0.005, 0.001).message,
            "error_rate 0.5% vs baseline 0.1% (+0.4 points, limit +0.25 points): FAIL");
}

TEST(EvaluateRegressions, AgainstABaselineOfZero) {
  EXPECT_TRUE(compare("p99=10%", 0, 0).passed);
  const RegressionResult r = compare("p99=10%", 0.5, 0);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.message, "p99 0.500 ms vs baseline 0.00 ms (limit +10%): FAIL");
}

TEST(EvaluateRegressions, AMissingMetricOnEitherSideFails) {
  const RegressionResult no_baseline = compare("p99=10%", 5, std::nullopt);
  EXPECT_FALSE(no_baseline.passed);
  EXPECT_EQ(no_baseline.message, "p99: no value in the baseline: FAIL");
  EXPECT_EQ(compare("rps=5%", std::nullopt, 5000).message, "rps: no value in this run: FAIL");
  EXPECT_EQ(compare("Encrypt:p99=10%", std::nullopt, std::nullopt).message,
            "Encrypt:p99: no value in this run or in the baseline: FAIL");
  EXPECT_FALSE(compare("p99=10%", 5, std::numeric_limits<double>::quiet_NaN()).passed);
}

TEST(EvaluateRegressions, TheOperationReachesBothLookups) {
  std::vector<std::string> asked_current;
  std::vector<std::string> asked_baseline;
  MetricLookup current = [&](const std::string& operation, Metric) {
    asked_current.push_back(operation);
    return std::optional<double>(operation == "Encrypt" ? 5.0 : 50.0);
  };
  MetricLookup baseline = [&](const std::string& operation, Metric) {
    asked_baseline.push_back(operation);
    return std::optional<double>(operation == "Encrypt" ? 4.0 : 50.0);
  };
  const std::vector<RegressionResult> results =
      evaluate_regressions(parse_max_regression("Encrypt:p99=10%,p99=10%"), current, baseline);
  EXPECT_EQ(asked_current, (std::vector<std::string>{"Encrypt", ""}));
  EXPECT_EQ(asked_baseline, (std::vector<std::string>{"Encrypt", ""}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0].passed);  // Encrypt 4 -> 5 ms is +25%
  EXPECT_TRUE(results[1].passed);
  EXPECT_FALSE(all_passed(results));
  EXPECT_TRUE(all_passed(std::vector<RegressionResult>{results[1]}));
}

TEST(EvaluateRegressions, ResultAsJson) {
  const nlohmann::json j = compare("rps=5%", 4700, 5000).to_json();
  EXPECT_TRUE(j["operation"].is_null());
  EXPECT_EQ(j["metric"], "rps");
  EXPECT_EQ(j["unit"], "req/s");
  EXPECT_EQ(j["rule"], "max_decrease");
  EXPECT_EQ(j["tolerance"], 0.05);
  EXPECT_EQ(j["current"], 4700.0);
  EXPECT_EQ(j["baseline"], 5000.0);
  EXPECT_DOUBLE_EQ(j["limit"].get<double>(), 4750.0);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(compare("p99=10%", 1, 1).to_json()["rule"], "max_increase");
  EXPECT_EQ(compare("late_rate=1%", 0, 0).to_json()["rule"], "max_increase_points");
  const nlohmann::json missing = compare("Encrypt:p99=10%", 1, std::nullopt).to_json();
  EXPECT_EQ(missing["operation"], "Encrypt");
  EXPECT_TRUE(missing["baseline"].is_null());
  EXPECT_TRUE(missing["limit"].is_null());
}

}  // namespace
}  // namespace kmsconf::loadgen
