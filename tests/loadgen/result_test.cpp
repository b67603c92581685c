// The load result file: numbers worked out from hand-built run statistics, the schema in step
// with what is written, metrics for the gates, baseline refusal, reading files, the summary.
#include "loadgen/result.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/workload.hpp"
#include "tests/loadgen/load_result_schema.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;
using schema_check::load_schema;
using schema_check::schema_problems;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr double kMs = 1000;  // microseconds per millisecond

// ---- a hand-built run ------------------------------------------------------------------------
//
// Encrypt: 1000 requests with latencies 1, 2, ..., 1000 ms and service times half of those;
//          ok 991, throttled 4, client, server and transport errors 2, 1, 1, timeout 1; late 7.
// Decrypt: 100 requests, latency 2 ms, service time 1 ms; ok 98, throttled 2.
// 10 s long: 1100 requests, 110 req/s.

RunStats sample_run() {
  RunStats run;
  run.operations = {"Encrypt", "Decrypt"};
  run.per_op.resize(2);
  OperationStats& encrypt = run.per_op[0];
  for (int64_t i = 1; i <= 1000; ++i) {
    encrypt.latency.record(i * 1000);
    encrypt.service.record(i * 500);
  }
  encrypt.outcomes[Outcome::Ok] = 991;
  encrypt.outcomes[Outcome::Throttled] = 4;
  encrypt.outcomes[Outcome::ClientError] = 2;
  encrypt.outcomes[Outcome::ServerError] = 1;
  encrypt.outcomes[Outcome::TransportError] = 1;
  encrypt.outcomes[Outcome::Timeout] = 1;
  encrypt.outcomes.late = 7;
  OperationStats& decrypt = run.per_op[1];
  decrypt.latency.record_n(2000, 100);
  decrypt.service.record_n(1000, 100);
  decrypt.outcomes[Outcome::Ok] = 98;
  decrypt.outcomes[Outcome::Throttled] = 2;

  TimelinePoint first;
  first.second = 0;
  first.outcomes[Outcome::Ok] = 100;
  first.outcomes[Outcome::Timeout] = 1;
  first.outcomes.late = 3;
  first.p50_us = 1500;
  first.p99_us = 20'250;
  first.max_us = 31'000;
  TimelinePoint second = first;
  second.second = 1;
  second.outcomes[Outcome::Ok] = 120;
  second.p50_us = 1000;
  run.timeline = {first, second};

  run.unsent = 3;
  run.connections_opened = 8;
  run.connection_failures = 1;
  run.duration_s = 10;
  return run;
}

LoadConfig sample_config() {
  const Workload workload = single_operation_workload("Encrypt");
  LoadConfig c;
  c.dialect = "volcengine";
  c.endpoint = "https://kms.example.test";
  c.endpoint_url = c.endpoint;
  c.region = "cn-beijing";
  c.mode = "open";
  c.rate = 110;
  c.connections = 16;
  c.threads = 2;
  c.duration_s = 10;
  c.timeout_ms = 5000;
  c.late_after_us = 2000;
  c.workload = workload.to_json();
  c.workload_fingerprint = workload.fingerprint();
  c.access_key_id = "AKLTexampleKeyId";
  return c;
}

RunStats empty_run() {
  RunStats run;
  run.operations = {"Encrypt"};
  run.per_op.resize(1);
  return run;
}

json result_of(const RunStats& run, const LoadConfig& config = sample_config()) {
  return result_json(config, run, {}, nullptr, "", "0.1.0 (commit test, Release)");
}

// Within the histogram's promise of 3 significant digits (a bucket is at most 1/1000 wide).
void expect_ms_near(const json& actual, double expected_ms, const std::string& what) {
  ASSERT_TRUE(actual.is_number()) << what;
  EXPECT_NEAR(actual.get<double>(), expected_ms, expected_ms / 1000 + 1e-9) << what;
}

void expect_ms_near(std::optional<double> actual, double expected_ms, const std::string& what) {
  ASSERT_TRUE(actual.has_value()) << what;
  EXPECT_NEAR(*actual, expected_ms, expected_ms / 1000 + 1e-9) << what;
}

// Calls `visit(path, value)` on every value of `j`, depth first.
void walk(const json& j, const std::string& path,
          const std::function<void(const std::string&, const json&)>& visit) {
  visit(path, j);
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) walk(value, path + "." + key, visit);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) walk(j[i], path + "[" + std::to_string(i) + "]", visit);
  }
}

// ---- summary and blocks ----------------------------------------------------------------------

TEST(LoadResult, SummaryCountsRequestsAndRate) {
  const json r = result_of(sample_run());
  const json& s = r["summary"];
  EXPECT_EQ(r["kmsconf_version"], "0.1.0 (commit test, Release)");
  EXPECT_EQ(s["requests"], 1100);
  EXPECT_EQ(s["duration_s"], 10.0);
  EXPECT_DOUBLE_EQ(s["requests_per_second"].get<double>(), 110.0);
  EXPECT_EQ(s["outcomes"], json({{"ok", 991 + 98},
                                 {"throttled", 4 + 2},
                                 {"client_error", 2},
                                 {"server_error", 1},
                                 {"transport_error", 1},
                                 {"timeout", 1},
                                 {"late", 7}}));
  uint64_t sum = 0;
  for (const char* name :
       {"ok", "throttled", "client_error", "server_error", "transport_error", "timeout"}) {
    sum += s["outcomes"][name].get<uint64_t>();
  }
  EXPECT_EQ(s["requests"], sum) << "requests are the six outcomes; late is not one of them";
  EXPECT_EQ(s["unsent"], 3);
  EXPECT_EQ(s["connections_opened"], 8);
  EXPECT_EQ(s["connection_failures"], 1);
  EXPECT_EQ(s["interrupted"], false);
  EXPECT_TRUE(s["stop_reason"].is_null());
}

TEST(LoadResult, InterruptedRunKeepsItsReason) {
  RunStats run = sample_run();
  run.interrupted = true;
  run.stop_reason = "SIGINT";
  const json r = result_of(run);
  EXPECT_EQ(r["summary"]["interrupted"], true);
  EXPECT_EQ(r["summary"]["stop_reason"], "SIGINT");
}

TEST(LoadResult, PercentilesInMillisecondsWithinHistogramPrecision) {
  const json r = result_of(sample_run());
  // Encrypt alone: 1..1000 ms, so the p-th percentile is p * 10 ms.
  const json& e = r["per_op"]["Encrypt"]["latency_ms"];
  EXPECT_EQ(e["count"], 1000);
  expect_ms_near(e["p50"], 500, "p50");
  expect_ms_near(e["p90"], 900, "p90");
  expect_ms_near(e["p99"], 990, "p99");
  expect_ms_near(e["p999"], 999, "p999");
  EXPECT_DOUBLE_EQ(e["max"].get<double>(), 1000);
  EXPECT_DOUBLE_EQ(e["mean"].get<double>(), 500.5);
  const json& es = r["per_op"]["Encrypt"]["service_time_ms"];
  expect_ms_near(es["p50"], 250, "service p50");
  expect_ms_near(es["p99"], 495, "service p99");
  EXPECT_DOUBLE_EQ(es["max"].get<double>(), 500);
  EXPECT_DOUBLE_EQ(es["mean"].get<double>(), 250.25);

  // The run: 100 more values at 2 ms. At or below i ms (i >= 2) are i + 100 values, so the
  // value of rank k is k - 100 ms: p50 -> rank 550 -> 450 ms, p99 -> rank 1089 -> 989 ms.
  const json& all = r["latency_ms"];
  EXPECT_EQ(all["count"], 1100);
  expect_ms_near(all["p50"], 450, "run p50");
  expect_ms_near(all["p90"], 890, "run p90");
  expect_ms_near(all["p99"], 989, "run p99");
  EXPECT_DOUBLE_EQ(all["max"].get<double>(), 1000);
  EXPECT_NEAR(all["mean"].get<double>(), (500500.0 + 200.0) / 1100, 1e-9);
  EXPECT_DOUBLE_EQ(r["per_op"]["Decrypt"]["latency_ms"]["p99"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(r["per_op"]["Decrypt"]["service_time_ms"]["max"].get<double>(), 1.0);
}

TEST(LoadResult, PerOperationEntryForEachOperation) {
  const json r = result_of(sample_run());
  ASSERT_EQ(r["per_op"].size(), 2u);
  const json& d = r["per_op"]["Decrypt"];
  EXPECT_EQ(d["requests"], 100);
  EXPECT_EQ(d["outcomes"]["ok"], 98);
  EXPECT_EQ(d["outcomes"]["throttled"], 2);
  EXPECT_EQ(d["outcomes"]["late"], 0);
  EXPECT_EQ(r["per_op"]["Encrypt"]["requests"], 1000);
  EXPECT_EQ(r["per_op"]["Encrypt"]["outcomes"]["late"], 7);
  for (const char* op : {"Encrypt", "Decrypt"}) {
    EXPECT_TRUE(r["histograms"]["per_op"].contains(op)) << op;
  }
}

TEST(LoadResult, TimelineCopiedPointByPoint) {
  const json r = result_of(sample_run());
  ASSERT_EQ(r["timeline"].size(), 2u);
  const json& t0 = r["timeline"][0];
  EXPECT_EQ(t0["second"], 0);
  EXPECT_EQ(t0["requests"], 101);
  EXPECT_EQ(t0["outcomes"]["timeout"], 1);
  EXPECT_EQ(t0["outcomes"]["late"], 3);
  EXPECT_DOUBLE_EQ(t0["p50_ms"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(t0["p99_ms"].get<double>(), 20.25);
  EXPECT_DOUBLE_EQ(t0["max_ms"].get<double>(), 31.0);
  EXPECT_EQ(r["timeline"][1]["second"], 1);
  EXPECT_EQ(r["timeline"][1]["requests"], 121);
  EXPECT_DOUBLE_EQ(r["timeline"][1]["p50_ms"].get<double>(), 1.0);
}

TEST(LoadResult, ConfigAsGiven) {
  const LoadConfig c = sample_config();
  const json r = result_of(sample_run(), c);
  const json& j = r["config"];
  EXPECT_EQ(j["dialect"], "volcengine");
  EXPECT_EQ(j["endpoint"], c.endpoint);
  EXPECT_EQ(j["in_process"], false);
  EXPECT_EQ(j["mode"], "open");
  EXPECT_EQ(j["rate"], 110.0);
  EXPECT_EQ(j["connections"], 16);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["timeout_ms"], 5000);
  EXPECT_EQ(j["late_after_us"], 2000);
  EXPECT_EQ(j["workload"], c.workload);
  EXPECT_EQ(j["workload_fingerprint"], c.workload_fingerprint);
  EXPECT_EQ(j["access_key_id"], "AKLTexampleKeyId");
}

// docs/load-results.md: summary.started_at is RFC 3339 UTC to the millisecond, and
// started_at_unix_ms the same instant; config.shard is there with --shard alone.
TEST(LoadResult, WallClockStartAndShard) {
  RunStats run = sample_run();
  run.started_at_unix_ms = 1621492461369;  // 2021-05-20T06:34:21.369Z
  LoadConfig c = sample_config();
  json r = result_of(run, c);
  EXPECT_EQ(r["summary"]["started_at"], "2021-05-20T06:34:21.369Z");
  EXPECT_EQ(r["summary"]["started_at_unix_ms"], 1621492461369);
  EXPECT_FALSE(r["config"].contains("shard"));
  c.shard = Shard{1, 3};
  r = result_of(run, c);
  EXPECT_EQ(r["config"]["shard"], json({{"index", 1}, {"count", 3}}));
}

TEST(LoadResult, EmptyRunHasNoNaNOrInfinity) {
  RunStats run = empty_run();
  LoadConfig config = sample_config();
  // Nonsense a caller might pass must not reach the file either.
  run.duration_s = std::nan("");
  config.rate = std::numeric_limits<double>::infinity();
  const json r = result_of(run, config);
  walk(r, "", [](const std::string& path, const json& v) {
    if (v.is_number_float()) {
      EXPECT_TRUE(std::isfinite(v.get<double>())) << path;
    }
  });
  // Dumped and parsed back, nothing became null (how nlohmann writes NaN).
  EXPECT_EQ(json::parse(r.dump()), r);
  EXPECT_EQ(r["summary"]["requests"], 0);
  EXPECT_EQ(r["summary"]["duration_s"], 0.0);
  EXPECT_EQ(r["summary"]["requests_per_second"], 0.0);
  EXPECT_EQ(r["latency_ms"]["count"], 0);
  EXPECT_EQ(r["latency_ms"]["p99"], 0.0);
  EXPECT_EQ(r["latency_ms"]["mean"], 0.0);
  EXPECT_EQ(r["per_op"]["Encrypt"]["requests"], 0);
}

TEST(LoadResult, NoSecretAnywhere) {
  const json r = result_of(sample_run());
  const std::set<std::string> forbidden = {"secret",        "secret_access_key", "secret_key",
                                           "session_token", "security_token",    "password"};
  walk(r, "", [&](const std::string& path, const json& v) {
    if (!v.is_object()) return;
    for (const auto& [key, value] : v.items()) EXPECT_FALSE(forbidden.contains(key)) << path;
  });
}

// ---- thresholds, baseline and passed ---------------------------------------------------------

TEST(LoadResult, PassedIsEveryThresholdAndRegression) {
  const RunStats run = sample_run();
  const MetricLookup metrics = metrics_of(result_of(run));
  const auto pass = evaluate({parse_threshold("p99<2s")}, metrics);
  const auto fail =
      evaluate({parse_threshold("p99<2s"), parse_threshold("error_rate<0.1%")}, metrics);
  const MetricLookup better = [](const std::string&, Metric m) -> std::optional<double> {
    return m == Metric::Rps ? 100.0 : 500.0;
  };
  const auto regressed = evaluate_regressions(parse_max_regression("p99=10%"), metrics, better);
  const auto held = evaluate_regressions(parse_max_regression("rps=5%"), metrics, better);
  const std::string v = "v";

  json r = result_json(sample_config(), run, pass, nullptr, "", v);
  EXPECT_EQ(r["passed"], true);
  EXPECT_FALSE(r.contains("baseline"));
  ASSERT_EQ(r["thresholds"].size(), 1u);
  EXPECT_EQ(r["thresholds"][0], pass[0].to_json());

  EXPECT_EQ(result_json(sample_config(), run, fail, nullptr, "", v)["passed"], false);
  EXPECT_EQ(result_json(sample_config(), run, {}, nullptr, "", v)["passed"], true);

  r = result_json(sample_config(), run, pass, &regressed, "old.json", v);
  EXPECT_EQ(r["passed"], false);
  EXPECT_EQ(r["baseline"]["path"], "old.json");
  ASSERT_EQ(r["baseline"]["regressions"].size(), 1u);
  EXPECT_EQ(r["baseline"]["regressions"][0], regressed[0].to_json());

  r = result_json(sample_config(), run, pass, &held, "old.json", v);
  EXPECT_EQ(r["passed"], true);
}

// ---- the schema ------------------------------------------------------------------------------

// Thresholds and regressions included, so their items are checked too.
json full_result() {
  const RunStats run = sample_run();
  const MetricLookup metrics = metrics_of(result_of(run));
  const auto thresholds = evaluate(
      {parse_threshold("p99<20ms"), parse_threshold("Sign:p99<5ms"), parse_threshold("rps>=100")},
      metrics);
  const auto regressions =
      evaluate_regressions(parse_max_regression("p99=10%,error_rate=0.5%"), metrics, metrics);
  return result_json(sample_config(), run, thresholds, &regressions, "base.json", "0.1.0");
}

TEST(LoadResultSchema, DescribesTheResultOfARun) {
  EXPECT_EQ(load_schema()["$schema"], "https://json-schema.org/draft/2020-12/schema");
  const json r = full_result();
  ASSERT_FALSE(r["thresholds"].empty());
  ASSERT_FALSE(r["baseline"]["regressions"].empty());
  EXPECT_THAT(schema_problems(r), IsEmpty());
}

TEST(LoadResultSchema, DescribesAShardRun) {
  LoadConfig c = sample_config();
  c.shard = Shard{2, 3};
  EXPECT_THAT(schema_problems(result_of(sample_run(), c)), IsEmpty());
}

TEST(LoadResultSchema, DescribesAnEmptyRun) {
  EXPECT_THAT(schema_problems(result_of(empty_run())), IsEmpty());
  RunStats interrupted = empty_run();
  interrupted.interrupted = true;
  interrupted.stop_reason = "SIGTERM";
  EXPECT_THAT(schema_problems(result_of(interrupted)), IsEmpty());
}

// The check above would pass on anything if the walk did not look.
TEST(LoadResultSchema, CheckerSeesMissingAndUndeclaredFields) {
  json r = full_result();
  r["summary"].erase("unsent");
  r["histograms"]["per_op"]["Encrypt"]["latency"]["extra"] = 1;
  r["timeline"][1]["outcomes"]["ok"] = -1;
  r["config"]["mode"] = "burst";
  r["thresholds"][0]["actual"] = "fast";
  EXPECT_THAT(schema_problems(r),
              UnorderedElementsAre("result.summary lacks required unsent",
                                   "result.histograms.per_op.Encrypt.latency.extra is not "
                                   "declared in the schema",
                                   "result.timeline[1].outcomes.ok is below the minimum",
                                   HasSubstr("result.config.mode = \"burst\""),
                                   HasSubstr("result.thresholds[0].actual is \"fast\"")));
}

// Everything the file always holds is marked required, so the check above is not vacuous: only
// what some runs alone write (docs/load-results.md) may be absent: `baseline` (--baseline),
// `find_limit` (--find-limit), `config.stages` (--stages), `config.shard` (--shard) and what a
// merge adds.
TEST(LoadResultSchema, EveryAlwaysWrittenFieldIsRequired) {
  const json schema = load_schema();
  const std::map<std::string, std::set<std::string>> optional{
      {"", {"baseline", "find_limit", "merged_from", "missing_shards"}},
      {".$defs.config", {"shard", "stages"}},
      {".$defs.find_limit", {"unjudgeable"}}};
  walk(schema, "", [&](const std::string& path, const json& node) {
    if (!node.is_object() || !node.contains("properties") || !node["properties"].is_object()) {
      return;
    }
    std::set<std::string> declared;
    for (const auto& [key, value] : node["properties"].items()) declared.insert(key);
    if (const auto it = optional.find(path); it != optional.end()) {
      for (const std::string& name : it->second) declared.erase(name);
    }
    std::set<std::string> required;
    for (const auto& name : node.value("required", json::array())) required.insert(name);
    EXPECT_EQ(required, declared) << "at schema" << path;
    EXPECT_EQ(node.value("additionalProperties", json(true)), json(false))
        << "at schema" << path << ": the writer's objects have a fixed set of fields";
  });
}

TEST(LoadResultSchema, ThresholdMetricsAreTheGatesMetrics) {
  const json schema = load_schema();
  EXPECT_EQ(schema["$defs"]["metric"]["enum"], json(metric_names()));
}

// ---- metrics ---------------------------------------------------------------------------------

// --find-limit's gates read its block: a converged search's sustained rate, a burst when one was
// met; nothing otherwise (a search cut short found only a lower bound), and nothing per operation.
TEST(LoadResultMetrics, LimitMetricsComeFromAConvergedSearch) {
  json r = result_of(sample_run());
  EXPECT_FALSE(metrics_of(r)("", Metric::LimitRps)) << "no search, no limit";
  r["find_limit"] = {{"converged", true}, {"sustained_rps", 1020.0}, {"burst", 2199}};
  MetricLookup m = metrics_of(r);
  EXPECT_EQ(m("", Metric::LimitRps), 1020.0);
  EXPECT_EQ(m("", Metric::LimitBurst), 2199.0);
  EXPECT_FALSE(m("Encrypt", Metric::LimitRps));
  EXPECT_TRUE(evaluate({parse_threshold("limit_rps>=1000")}, m).front().passed);
  EXPECT_FALSE(evaluate({parse_threshold("limit_burst>=3000")}, m).front().passed);
  r["find_limit"]["converged"] = false;
  r["find_limit"]["burst"] = nullptr;
  m = metrics_of(r);
  EXPECT_FALSE(m("", Metric::LimitRps));
  EXPECT_FALSE(m("", Metric::LimitBurst));
  EXPECT_FALSE(evaluate({parse_threshold("limit_rps>=1")}, m).front().passed);
}

TEST(LoadResultMetrics, RunMetricsInCanonicalUnits) {
  const MetricLookup m = metrics_of(result_of(sample_run()));
  expect_ms_near(m("", Metric::P50), 450, "p50");
  expect_ms_near(m("", Metric::P99), 989, "p99");
  EXPECT_EQ(m("", Metric::Max), 1000.0);
  EXPECT_NEAR(*m("", Metric::Mean), 500700.0 / 1100, 1e-9);
  // Service times: Encrypt's are i/2 ms, Decrypt's 1 ms: 100 + 2 values at or below 1 ms.
  EXPECT_EQ(m("", Metric::ServiceMax), 500.0);
  // Errors are client + server + transport errors + timeouts; the 6 throttled are not. The 3
  // unsent requests count as errors, and every rate is over the 1103 requests due.
  EXPECT_DOUBLE_EQ(*m("", Metric::ErrorRate), (5.0 + 3) / 1103);
  EXPECT_DOUBLE_EQ(*m("", Metric::ThrottledRate), 6.0 / 1103);
  EXPECT_DOUBLE_EQ(*m("", Metric::TimeoutRate), 1.0 / 1103);
  EXPECT_DOUBLE_EQ(*m("", Metric::LateRate), 7.0 / 1103);
  EXPECT_DOUBLE_EQ(*m("", Metric::Rps), 110.0);
  EXPECT_EQ(m("", Metric::Requests), 1100.0);
}

TEST(LoadResultMetrics, PerOperationFromPerOp) {
  const MetricLookup m = metrics_of(result_of(sample_run()));
  EXPECT_DOUBLE_EQ(*m("Encrypt", Metric::ErrorRate), 5.0 / 1000);
  EXPECT_DOUBLE_EQ(*m("Decrypt", Metric::ErrorRate), 0.0);
  EXPECT_DOUBLE_EQ(*m("Decrypt", Metric::ThrottledRate), 2.0 / 100);
  expect_ms_near(m("Encrypt", Metric::P99), 990, "Encrypt p99");
  expect_ms_near(m("Encrypt", Metric::ServiceP99), 495, "Encrypt service_p99");
  EXPECT_EQ(m("Decrypt", Metric::P999), 2.0);
  EXPECT_EQ(m("Decrypt", Metric::ServiceP50), 1.0);
  EXPECT_DOUBLE_EQ(*m("Decrypt", Metric::Rps), 10.0);
  EXPECT_EQ(m("Decrypt", Metric::Requests), 100.0);
  EXPECT_EQ(m("Encrypt", Metric::LateRate), 7.0 / 1000);
}

TEST(LoadResultMetrics, AbsentOperationHasNoMetric) {
  const MetricLookup m = metrics_of(result_of(sample_run()));
  for (const std::string& name : metric_names()) {
    EXPECT_FALSE(m("Sign", *metric_from_name(name)).has_value()) << name;
  }
}

TEST(LoadResultMetrics, NoRatesOrLatenciesWithoutRequests) {
  RunStats run = empty_run();
  run.duration_s = 5;
  const MetricLookup m = metrics_of(result_of(run));
  for (const char* op : {"", "Encrypt"}) {
    EXPECT_FALSE(m(op, Metric::P99).has_value()) << op;
    EXPECT_FALSE(m(op, Metric::ServiceMax).has_value()) << op;
    EXPECT_FALSE(m(op, Metric::Mean).has_value()) << op;
    EXPECT_FALSE(m(op, Metric::ErrorRate).has_value()) << op;
    EXPECT_FALSE(m(op, Metric::LateRate).has_value()) << op;
    // Nothing went through in 5 s: that is a measurement.
    EXPECT_EQ(m(op, Metric::Requests), 0.0) << op;
    EXPECT_EQ(m(op, Metric::Rps), 0.0) << op;
  }
  // A run that never started has no rate of requests at all.
  EXPECT_FALSE(metrics_of(result_of(empty_run()))("", Metric::Rps).has_value());
  // So a gate on it fails rather than passing on a zero.
  EXPECT_FALSE(evaluate({parse_threshold("p99<20ms")}, m)[0].passed);
}

TEST(LoadResultMetrics, RequestsWithoutLatencyValuesHaveNoLatency) {
  RunStats run = empty_run();
  run.duration_s = 1;
  run.per_op[0].outcomes[Outcome::TransportError] = 3;  // counted, never timed
  const MetricLookup m = metrics_of(result_of(run));
  EXPECT_FALSE(m("", Metric::P99).has_value());
  EXPECT_EQ(m("", Metric::ErrorRate), 1.0);
}

TEST(LoadResultMetrics, LookupOutlivesTheJson) {
  MetricLookup m;
  {
    const json r = result_of(sample_run());
    m = metrics_of(r);
  }
  EXPECT_EQ(m("", Metric::Requests), 1100.0);
}

TEST(LoadResultMetrics, NotAResultHasNoMetrics) {
  const MetricLookup m = metrics_of(json{{"results", json::array()}});
  EXPECT_FALSE(m("", Metric::Requests).has_value());
  EXPECT_FALSE(metrics_of(json("text"))("", Metric::P99).has_value());
}

// ---- files -----------------------------------------------------------------------------------

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("kmsconf-result-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name, const std::string& content) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p) << content;
    return p;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string read_error(const std::string& path) {
  try {
    read_result_file(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(LoadResultFile, RoundTripsAndGivesTheSameMetrics) {
  TempDir dir;
  const json r = full_result();
  const json back = read_result_file(dir.file("r.json", r.dump(2)));
  EXPECT_EQ(back, r);
  const MetricLookup before = metrics_of(r), after = metrics_of(back);
  for (const char* op : {"", "Encrypt", "Decrypt"}) {
    for (const std::string& name : metric_names()) {
      EXPECT_EQ(after(op, *metric_from_name(name)), before(op, *metric_from_name(name)))
          << op << ":" << name;
    }
  }
}

TEST(LoadResultFile, ErrorsNameTheFileAndLine) {
  TempDir dir;
  const std::string missing = dir.path() + "/nope.json";
  EXPECT_THAT(read_error(missing), HasSubstr(missing));
  const std::string bad = dir.file("bad.json", "{\n  \"a\": 1,\n  \"b\": ]\n}\n");
  EXPECT_THAT(read_error(bad), HasSubstr(bad + ":3: invalid JSON"));
  const std::string empty = dir.file("empty.json", "");
  EXPECT_THAT(read_error(empty), HasSubstr(empty + ":1:"));
  EXPECT_THAT(read_error(dir.path()), HasSubstr(dir.path() + ": is a directory"));
}

// ---- histograms ------------------------------------------------------------------------------

TEST(LoadResultHistograms, RoundTripAndMerge) {
  const RunStats run = sample_run();
  const json r = result_of(run);
  const json& h = r["histograms"];
  const Histogram encrypt = Histogram::from_json(h["per_op"]["Encrypt"]["latency"]);
  const Histogram decrypt = Histogram::from_json(h["per_op"]["Decrypt"]["latency"]);
  EXPECT_EQ(encrypt.count(), 1000u);
  EXPECT_EQ(encrypt.percentile(99), run.per_op[0].latency.percentile(99));
  EXPECT_EQ(decrypt.max(), 2000);
  EXPECT_EQ(Histogram::from_json(h["per_op"]["Encrypt"]["service_time"]).max(), 500'000);
  // The per-operation histograms add up to the run's.
  Histogram merged = encrypt;
  merged.merge(decrypt);
  EXPECT_EQ(merged.to_json(), h["latency"]);
  Histogram service = Histogram::from_json(h["per_op"]["Encrypt"]["service_time"]);
  service.merge(Histogram::from_json(h["per_op"]["Decrypt"]["service_time"]));
  EXPECT_EQ(service.to_json(), h["service_time"]);
  // Two runs' files merge into the histogram of both.
  Histogram twice = Histogram::from_json(h["latency"]);
  twice.merge(Histogram::from_json(h["latency"]));
  EXPECT_EQ(twice.count(), 2200u);
  expect_ms_near(std::optional<double>(twice.percentile(99) / kMs), 989, "p99 of two runs");
}

// ---- baseline --------------------------------------------------------------------------------

TEST(LoadResultBaseline, SameTargetIsComparable) {
  const json r = result_of(sample_run());
  EXPECT_THAT(baseline_differences(r, r), IsEmpty());
  // What does not change what is measured against what: duration, timeout, account, version.
  LoadConfig c = sample_config();
  c.duration_s = 60;
  c.timeout_ms = 100;
  c.access_key_id = "AKLTother";
  json other = result_of(empty_run(), c);
  other["kmsconf_version"] = "0.2.0";
  EXPECT_THAT(baseline_differences(r, other), IsEmpty());
}

TEST(LoadResultBaseline, EachDifferenceIsOneLineNamingIt) {
  const json baseline = result_of(sample_run());
  const std::vector<std::pair<std::string, std::function<void(LoadConfig&)>>> changes = {
      {"dialect", [](LoadConfig& c) { c.dialect = "alibaba"; }},
      {"endpoint", [](LoadConfig& c) { c.endpoint = "https://kms.other.test"; }},
      {"region", [](LoadConfig& c) { c.region = "cn-shanghai"; }},
      {"mode", [](LoadConfig& c) { c.mode = "closed"; }},
      {"rate", [](LoadConfig& c) { c.rate = 220; }},
      {"connections", [](LoadConfig& c) { c.connections = 32; }},
      {"threads", [](LoadConfig& c) { c.threads = 4; }},
      {"shard",
       [](LoadConfig& c) {
         c.shard = Shard{0, 2};
       }},
      {"workload fingerprint",
       [](LoadConfig& c) {
         const Workload w = single_operation_workload("Decrypt");
         c.workload = w.to_json();
         c.workload_fingerprint = w.fingerprint();
       }},
  };
  for (const auto& [field, change] : changes) {
    LoadConfig c = sample_config();
    change(c);
    const auto lines = baseline_differences(baseline, result_of(sample_run(), c));
    ASSERT_EQ(lines.size(), 1u) << field;
    EXPECT_THAT(lines[0], HasSubstr(field)) << field;
    EXPECT_THAT(lines[0], HasSubstr("baseline")) << field;
  }
  LoadConfig c = sample_config();
  c.rate = 220;
  c.threads = 4;
  const auto lines = baseline_differences(baseline, result_of(sample_run(), c));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("110"));
  EXPECT_THAT(lines[0], HasSubstr("220"));
}

TEST(LoadResultBaseline, InProcessRunsCompareWhateverTheirPort) {
  LoadConfig a = sample_config(), b = sample_config();
  a.in_process = b.in_process = true;
  a.endpoint = b.endpoint = "in-process";
  a.endpoint_url = "http://127.0.0.1:40001";
  b.endpoint_url = "http://127.0.0.1:40002";
  EXPECT_THAT(baseline_differences(result_of(sample_run(), a), result_of(sample_run(), b)),
              IsEmpty());
  // In process against a real endpoint is another target.
  const auto lines =
      baseline_differences(result_of(sample_run(), a), result_of(sample_run(), sample_config()));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("endpoint"));
  EXPECT_THAT(lines[0], HasSubstr("in-process"));
}

// docs/load-results.md: a shard's baseline is a run of the same shard of the same layout.
TEST(LoadResultBaseline, AShardComparesOnlyWithTheSameShard) {
  LoadConfig first = sample_config(), other = sample_config();
  first.shard = Shard{0, 2};
  other.shard = Shard{0, 2};
  EXPECT_THAT(baseline_differences(result_of(sample_run(), first), result_of(sample_run(), other)),
              IsEmpty());
  other.shard = Shard{1, 2};
  EXPECT_THAT(baseline_differences(result_of(sample_run(), first), result_of(sample_run(), other)),
              ::testing::ElementsAre("shard: baseline 0/2, this run 1/2"));
  other.shard = std::nullopt;
  EXPECT_THAT(baseline_differences(result_of(sample_run(), first), result_of(sample_run(), other)),
              ::testing::ElementsAre("shard: baseline 0/2, this run (none)"));
}

TEST(LoadResultBaseline, LinesStayOneLineWhateverTheFileHolds) {
  json baseline = result_of(sample_run());
  baseline["config"]["endpoint"] = "https://a.test\n\x1b[31mforged: PASS";
  const auto lines = baseline_differences(baseline, result_of(sample_run()));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], Not(HasSubstr("\n")));
  EXPECT_THAT(lines[0], Not(HasSubstr("\x1b")));
}

TEST(LoadResultBaseline, RefusesWhatIsNotALoadResult) {
  const json current = result_of(sample_run());
  // A `kmsconf test --json` report.
  const json report = {{"tool_version", "0.1.0"}, {"results", json::array()}};
  auto lines = baseline_differences(report, current);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("not a kmsconf load result"));
  EXPECT_THAT(lines[0], HasSubstr("config"));
  EXPECT_THAT(lines[0], HasSubstr("summary"));

  lines = baseline_differences(json::array(), current);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("not a kmsconf load result"));

  json cut = current;
  cut["config"].erase("workload_fingerprint");
  lines = baseline_differences(cut, current);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("missing config.workload_fingerprint"));

  cut = current;
  cut["config"] = "volcengine";
  lines = baseline_differences(cut, current);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("config is not an object"));
}

// ---- console summary -------------------------------------------------------------------------

std::string summary_of(const json& result) {
  std::ostringstream out;
  print_summary(out, result);
  return out.str();
}

TEST(LoadResultSummary, NumbersAndVerdicts) {
  const json r = full_result();
  const std::string text = summary_of(r);
  EXPECT_THAT(text, HasSubstr("1100 requests"));
  EXPECT_THAT(text, HasSubstr("110.0 req/s"));
  EXPECT_THAT(text, HasSubstr("ok 1089"));
  EXPECT_THAT(text, HasSubstr("throttled 6"));
  EXPECT_THAT(text, HasSubstr("late 7"));
  EXPECT_THAT(text, HasSubstr("unsent 3"));
  EXPECT_THAT(text, HasSubstr("p99.9"));
  EXPECT_THAT(text, HasSubstr("intended"));
  EXPECT_THAT(text, HasSubstr("service"));
  EXPECT_THAT(text, HasSubstr("1000.00"));  // the max latency in ms
  EXPECT_THAT(text, HasSubstr("Encrypt"));
  EXPECT_THAT(text, HasSubstr("Decrypt"));
  for (const json& t : r["thresholds"])
    EXPECT_THAT(text, HasSubstr(t["message"].get<std::string>()));
  for (const json& g : r["baseline"]["regressions"]) {
    EXPECT_THAT(text, HasSubstr(g["message"].get<std::string>()));
  }
  EXPECT_THAT(text, HasSubstr("p99<20ms: "));
  EXPECT_THAT(text, HasSubstr(": FAIL"));
  EXPECT_THAT(text, HasSubstr(": PASS"));
  EXPECT_THAT(text, HasSubstr("baseline base.json"));
  EXPECT_THAT(text, HasSubstr("result: FAIL"));
  EXPECT_THAT(text, Not(HasSubstr("\x1b[")));  // no colours
}

// A gate never passes what it could not judge: nothing sent, no connection, an interrupted run.
TEST(LoadResultSummary, EmptyOrInterruptedRunsAreNotJudged) {
  const json empty = result_of(empty_run());
  const std::string text = summary_of(empty);
  EXPECT_THAT(text, HasSubstr("0 requests"));
  EXPECT_THAT(text, HasSubstr("result: NOT JUDGED (nothing was sent)"));
  EXPECT_EQ(empty["passed"], false);
  EXPECT_THAT(text, Not(HasSubstr("nan")));
  RunStats run = empty_run();
  run.interrupted = true;
  run.stop_reason = "SIGINT";
  const json interrupted = result_of(run);
  EXPECT_THAT(summary_of(interrupted), HasSubstr("stopped early: SIGINT"));
  EXPECT_THAT(summary_of(interrupted), HasSubstr("result: NOT JUDGED (interrupted)"));
  EXPECT_EQ(interrupted["passed"], false);
  // A file that is not a result prints zeros, it does not throw.
  EXPECT_NO_THROW(summary_of(json::array()));
}

}  // namespace
}  // namespace kmsconf::loadgen

namespace kmsconf::loadgen {
namespace {

// Connections opened but not one HTTP answer (TLS always failing, resets, garbage): nothing
// about the endpoint's speed can be said, however fast those failures were.
TEST(LoadResultSummary, OnlyTransportFailuresAreNotJudged) {
  RunStats run = empty_run();
  run.per_op[0].outcomes[Outcome::TransportError] = 40;
  run.per_op[0].latency.record_n(300, 40);
  run.per_op[0].service.record_n(300, 40);
  run.connections_opened = 4;
  run.duration_s = 1;
  const json result = result_of(run);
  EXPECT_EQ(unjudged_reason(result), "no request got an HTTP answer");
  EXPECT_EQ(result["passed"], false);
  EXPECT_THAT(summary_of(result), HasSubstr("result: NOT JUDGED (no request got an HTTP answer)"));
  // One answer, even an error, and the run is judged (its error rate fails thresholds).
  run.per_op[0].outcomes[Outcome::ServerError] = 1;
  EXPECT_EQ(unjudged_reason(result_of(run)), "");
}

}  // namespace
}  // namespace kmsconf::loadgen
