// The load report page: counts, checks, charts and percentiles of a hand-built run, escaping,
// nothing fetched, secrets withheld, and no throw or NaN whatever a result file holds.
#include "reports/load_html.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "loadgen/result.hpp"
#include "loadgen/thresholds.hpp"
#include "loadgen/workload.hpp"
#include "reports/text.hpp"
#include "tests/reports/html_checks.hpp"
#include "tests/reports/report_samples.hpp"

namespace kmsconf::testing {
namespace {

using loadgen::Outcome;
using nlohmann::json;

constexpr const char* kVersion = "0.1.0 (commit test, Release)";
constexpr const char* kEvilOp = "Evil\"<script>alert('op')</script>";
constexpr const char* kEvilEndpoint = "https://kms.example.test/\"><script>alert(1)</script>";
constexpr const char* kEvilBaseline = "last<week>&\"1\".json";

// ---- a hand-built run ------------------------------------------------------------------------
//
// Encrypt: 1000 requests with latencies 1, 2, ..., 1000 ms and service times half of those;
//          ok 991, throttled 4, client, server and transport errors 2, 1, 1, timeout 1; late 7.
// Decrypt: 100 requests, latency 2 ms, service time 1 ms; ok 98, throttled 2.
// kEvilOp: sent nothing.
// Timeline: second 0 ok 100 + timeout 1, second 1 ok 120 + throttled 2, second 2 ok 50.
// 10 s long from 2026-12-07T20:48:19.123Z, 3 unsent, 8 connections opened.

loadgen::RunStats sample_run() {
  loadgen::RunStats run;
  run.operations = {"Encrypt", "Decrypt", kEvilOp};
  run.per_op.resize(3);
  loadgen::OperationStats& encrypt = run.per_op[0];
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
  loadgen::OperationStats& decrypt = run.per_op[1];
  decrypt.latency.record_n(2000, 100);
  decrypt.service.record_n(1000, 100);
  decrypt.outcomes[Outcome::Ok] = 98;
  decrypt.outcomes[Outcome::Throttled] = 2;

  loadgen::TimelinePoint first;
  first.second = 0;
  first.outcomes[Outcome::Ok] = 100;
  first.outcomes[Outcome::Timeout] = 1;
  first.p50_us = 1500;
  first.p99_us = 20'250;
  first.max_us = 31'000;
  loadgen::TimelinePoint second = first;
  second.second = 1;
  second.outcomes = {};
  second.outcomes[Outcome::Ok] = 120;
  second.outcomes[Outcome::Throttled] = 2;
  loadgen::TimelinePoint third = first;
  third.second = 2;
  third.outcomes = {};
  third.outcomes[Outcome::Ok] = 50;
  run.timeline = {first, second, third};

  run.unsent = 3;
  run.connections_opened = 8;
  run.duration_s = 10;
  run.started_at_unix_ms = 1796676499123;  // docs/load-results.md's example
  return run;
}

loadgen::LoadConfig sample_config() {
  const loadgen::Workload workload = loadgen::single_operation_workload("Encrypt");
  loadgen::LoadConfig c;
  c.dialect = "volcengine";
  c.endpoint = kEvilEndpoint;
  c.endpoint_url = "https://kms.example.test";
  c.region = "cn-beijing";
  c.mode = "open";
  c.rate = 110;
  c.connections = 16;
  c.threads = 2;
  c.duration_s = 10;
  c.timeout_ms = 5000;
  c.workload = workload.to_json();
  c.workload["name"] = "<img src=x onerror=alert(2)>";
  c.workload_fingerprint = workload.fingerprint();
  c.access_key_id = "AKLTexampleKeyId";
  return c;
}

// Thresholds "p99<2s" (p99 is about 990 ms: passes) and "error_rate<0.1%" (5 errors and 3
// unsent of 1103 due: fails), and a baseline that is this very run (both regressions pass).
json sample_result(const loadgen::RunStats& run = sample_run()) {
  const loadgen::LoadConfig config = sample_config();
  const json bare = loadgen::result_json(config, run, {}, nullptr, "", kVersion);
  const auto metrics = loadgen::metrics_of(bare);
  const auto thresholds = loadgen::evaluate(
      {loadgen::parse_threshold("p99<2s"), loadgen::parse_threshold("error_rate<0.1%")}, metrics);
  const auto regressions = loadgen::evaluate_regressions(
      loadgen::parse_max_regression("p99=10%,rps=5%"), metrics, metrics);
  return loadgen::result_json(config, run, thresholds, &regressions, kEvilBaseline, kVersion);
}

// ---- reading the page ------------------------------------------------------------------------

bool has(const std::string& html, const std::string& needle) {
  return html.find(needle) != std::string::npos;
}

// From the opening tag holding id="ID" to the first closing tag of the same element after it.
std::string element_with_id(const std::string& html, const std::string& tag,
                            const std::string& id) {
  const size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t start = html.rfind("<" + tag, at);
  const size_t end = html.find("</" + tag + ">", at);
  if (start == std::string::npos || end == std::string::npos) return "";
  return html.substr(start, end - start);
}

// The table row that starts with the given header cell.
std::string row_starting(const std::string& html, const std::string& header_cell) {
  const size_t at = html.find("<tr>" + header_cell);
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</tr>", at) - at);
}

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  const std::regex cell("<td[^>]*>(.*?)</td>");
  for (auto it = std::sregex_iterator(row.begin(), row.end(), cell); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

std::set<std::string> series_in(const std::string& html) {
  std::set<std::string> out;
  const std::regex series("data-series=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), series);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

std::string ms3(int64_t us) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(us) / 1000.0);
  return buffer;
}

bool has_nan_or_infinity(const std::string& html) {
  return std::regex_search(
      html, std::regex("(^|[^a-zA-Z])-?nan([^a-zA-Z]|$)|NaN|[^a-zA-Z]inf\\b", std::regex::icase));
}

void expect_well_formed(const std::string& html) {
  const auto errors = tag_balance_errors(html);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  EXPECT_FALSE(has_nan_or_infinity(html));
  EXPECT_EQ(reports::sanitize_text(html), html);
}

// ---- the tests -------------------------------------------------------------------------------

TEST(LoadHtml, PerOperationRowsHoldTheCounts) {
  const std::string html = reports::render_load_html(sample_result());
  // requests, req/s over the 10 s run, the six outcomes, late, error rate, then latencies.
  const auto encrypt = cells(row_starting(html, "<th><code>Encrypt</code></th>"));
  ASSERT_GE(encrypt.size(), 10u) << html;
  EXPECT_EQ(
      std::vector<std::string>(encrypt.begin(), encrypt.begin() + 10),
      (std::vector<std::string>{"1000", "100.0", "991", "4", "2", "1", "1", "1", "7", "0.5%"}));
  EXPECT_EQ(encrypt.at(13), "1000.000");  // max: the slowest request, 1000 ms exactly
  const auto decrypt = cells(row_starting(html, "<th><code>Decrypt</code></th>"));
  ASSERT_GE(decrypt.size(), 10u);
  EXPECT_EQ(std::vector<std::string>(decrypt.begin(), decrypt.begin() + 10),
            (std::vector<std::string>{"100", "10.0", "98", "2", "0", "0", "0", "0", "0", "0%"}));
  // An operation that sent nothing has counts 0 and no latency.
  const auto idle =
      cells(row_starting(html, "<th><code>" + reports::html_escape(kEvilOp) + "</code></th>"));
  ASSERT_EQ(idle.size(), 15u);
  EXPECT_EQ(idle[0], "0");
  EXPECT_EQ(idle[10], "-");
  EXPECT_EQ(idle[14], "-");
}

TEST(LoadHtml, SummaryCountsAndVerdict) {
  const std::string html = reports::render_load_html(sample_result());
  // error_rate fails, p99 and both regressions pass.
  EXPECT_TRUE(has(html, "<p class=\"verdict bad\">FAIL (1 of 4 checks failed)</p>")) << html;
  EXPECT_TRUE(has(html, "<title>kmsconf load report: FAIL (1 of 4 checks failed)</title>"));
  // 991 + 98 ok of 1100 requests.
  EXPECT_TRUE(has(html, "ok</td><td class=\"num\">1089</td><td class=\"num\">99.0</td>")) << html;
  EXPECT_TRUE(has(html, "timeout</td><td class=\"num\">1</td><td class=\"num\">0.1</td>"));
  EXPECT_TRUE(has(html, "<dt>unsent</dt><dd>3</dd>"));
  EXPECT_TRUE(has(html, "<dt>late</dt><dd>7 (0.6%)</dd>"));
  // The header: version, endpoint, mode, rate, durations and the start.
  for (const char* fact : {"<dd>0.1.0 (commit test, Release)</dd>", "<dd>open loop</dd>",
                           "<dd>110 req/s</dd>", "<dd>asked 10.00 s, ran 10.00 s</dd>",
                           "<dd>volcengine</dd>", "<dd>2026-12-07T20:48:19.123Z</dd>"}) {
    EXPECT_TRUE(has(html, fact)) << fact;
  }
}

TEST(LoadHtml, ThresholdsAndRegressionsEachWithTheirVerdict) {
  const json result = sample_result();
  const std::string html = reports::render_load_html(result);
  ASSERT_EQ(result["thresholds"].size(), 2u);
  for (const json& check : result["thresholds"]) {
    EXPECT_TRUE(has(html, reports::html_escape(check["message"].get<std::string>())))
        << check["message"];
  }
  for (const json& check : result["baseline"]["regressions"]) {
    EXPECT_TRUE(has(html, reports::html_escape(check["message"].get<std::string>())))
        << check["message"];
  }
  const std::string thresholds = element_with_id(html, "section", "checks");
  EXPECT_EQ(occurrences(thresholds, "<span class=\"badge fail\">failed</span>"), 1u);
  EXPECT_EQ(occurrences(thresholds, "<span class=\"badge pass\">passed</span>"), 3u);
  const auto error_rate = cells(row_starting(html, "<td><span class=\"badge fail\">"));
  ASSERT_GE(error_rate.size(), 5u);
  EXPECT_EQ(error_rate[1], "<code>error_rate&lt;0.1%</code>");
  EXPECT_EQ(error_rate[4], "&lt; 0.1%");
  EXPECT_TRUE(has(html, "Baseline <code>last&lt;week&gt;&amp;&quot;1&quot;.json</code>"));
}

TEST(LoadHtml, NoThresholdsSaysSo) {
  const loadgen::RunStats run = sample_run();
  const std::string html = reports::render_load_html(
      loadgen::result_json(sample_config(), run, {}, nullptr, "", kVersion));
  EXPECT_TRUE(has(html, "No thresholds (--threshold) were given."));
  EXPECT_TRUE(has(html, "PASS (no thresholds or baseline to check)"));
  EXPECT_FALSE(has(html, "<h3>Baseline"));
}

TEST(LoadHtml, IsSelfContainedAndEscapesHostileText) {
  const std::string html = reports::render_load_html(sample_result());
  expect_self_contained(html, 0);
  expect_well_formed(html);
  EXPECT_FALSE(has(html, "<script>alert"));
  EXPECT_FALSE(has(html, "<img src=x"));
  EXPECT_TRUE(
      has(html, "https://kms.example.test/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(has(html, "&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_TRUE(has(html, "Evil&quot;&lt;script&gt;alert(&#39;op&#39;)&lt;/script&gt;"));
}

TEST(LoadHtml, StackedChartHasOneSeriesPerOutcomePresent) {
  const std::string html = reports::render_load_html(sample_result());
  const std::string stacked = element_with_id(html, "figure", "throughput-over-time");
  ASSERT_FALSE(stacked.empty()) << html;
  // The timeline holds ok, throttled and timeout answers, nothing else.
  EXPECT_EQ(series_in(stacked), (std::set<std::string>{"ok", "throttled", "timeout"}));
  // One bar segment per non-zero count: 2 in second 0, 2 in second 1, 1 in second 2.
  EXPECT_EQ(occurrences(stacked, "<rect "), 5u);
  EXPECT_TRUE(has(stacked, "<title>second 1: throttled 2.0 req/s</title>")) << stacked;
  // The legend names exactly the outcomes drawn.
  EXPECT_EQ(occurrences(stacked, "<li><span class=\"swatch\""), 3u);
  const std::string latency = element_with_id(html, "figure", "latency-over-time");
  EXPECT_EQ(series_in(latency), (std::set<std::string>{"p50", "p99", "max"}));
  EXPECT_TRUE(has(latency, "second 0\np50: 1.500 ms\np99: 20.250 ms\nmax: 31.000 ms")) << latency;
}

TEST(LoadHtml, PercentilesAreThoseOfTheHistograms) {
  const loadgen::RunStats run = sample_run();
  const std::string html = reports::render_load_html(sample_result(run));
  const loadgen::OperationStats all = run.overall();
  const std::pair<const char*, double> rows[] = {{"min", 0},  {"p50", 50},     {"p90", 90},
                                                 {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99},
                                                 {"max", 100}};
  for (const auto& [label, p] : rows) {
    const auto row = cells(row_starting(html, "<th>" + std::string(label) + "</th>"));
    ASSERT_EQ(row.size(), 2u) << label;
    EXPECT_EQ(row[0], ms3(all.latency.percentile(p))) << label;
    EXPECT_EQ(row[1], ms3(all.service.percentile(p))) << label;
  }
  // The ends are exact: 1 ms to 1000 ms of latency, 0.5 ms to 500 ms of service time.
  EXPECT_EQ(cells(row_starting(html, "<th>min</th>")),
            (std::vector<std::string>{"1.000", "0.500"}));
  EXPECT_EQ(cells(row_starting(html, "<th>max</th>")),
            (std::vector<std::string>{"1000.000", "500.000"}));
  const std::string spectrum = element_with_id(html, "figure", "percentile-spectrum");
  EXPECT_EQ(series_in(spectrum), (std::set<std::string>{"latency", "service time"}));
  for (const char* tick : {">90%<", ">99%<", ">99.9%<", ">99.99%<", ">max<"}) {
    EXPECT_TRUE(has(spectrum, tick)) << tick;
  }
}

// A find_limit block as the schema has it: a rate limit found between 800 and 1000 req/s after
// a burst of 50 from idle, 3 steps (the last one with a verdict no search writes).
json find_limit_block() {
  const auto step = [](const char* phase, double rate, int requests, int ok, int throttled,
                       int client_errors, int errors, int unsent, double p99_ms,
                       double accepted_rps, const char* verdict) {
    return json{{"phase", phase},
                {"rate", rate},
                {"duration_s", 1.0},
                {"requests", requests},
                {"ok", ok},
                {"throttled", throttled},
                {"client_errors", client_errors},
                {"errors", errors},
                {"unsent", unsent},
                {"p99_ms", p99_ms},
                {"accepted_rps", accepted_rps},
                {"verdict", verdict}};
  };
  return {{"kind", "rate_limit"},
          {"converged", true},
          {"sustained_rps", 800.0},
          {"ceiling_rps", 1000.0},
          {"burst", 50},
          {"burst_requests", 60},
          {"burst_seconds", 0.25},
          {"drain_requests", 120},
          {"budget_spent", false},
          {"criteria",
           {{"start_rate", 400.0},
            {"max_rate", 1000000.0},
            {"precision", 0.02},
            {"throttled_share", 0.01},
            {"failure_share", 0.01},
            {"p99_ceiling_ms", nullptr},
            {"step_s", 1.0}}},
          {"steps",
           {step("exponential", 400, 400, 400, 0, 0, 0, 0, 2.25, 400, "held"),
            step("exponential", 800, 800, 800, 0, 0, 0, 0, 2.5, 800, "held"),
            step("binary", 1000, 1000, 820, 170, 4, 5, 1, 7.125, 820, "<throttled>")}}};
}

TEST(LoadHtml, FindLimitStepsWhenPresent) {
  EXPECT_FALSE(has(reports::render_load_html(sample_result()), "id=\"find-limit\""));
  json result = sample_result();
  result["config"]["mode"] = "find-limit";
  result["config"]["rate"] = 400.0;
  result["find_limit"] = find_limit_block();
  const std::string html = reports::render_load_html(result);
  const std::string section = element_with_id(html, "section", "find-limit");
  ASSERT_FALSE(section.empty()) << html;
  // The console's conclusion and burst lines (cli/load_find_limit.cpp) as sentences.
  EXPECT_TRUE(has(section,
                  "<p class=\"conclusion\">Rate limit at 800.0 req/s sustained, refused at "
                  "1000.0 req/s.</p>"))
      << section;
  EXPECT_TRUE(has(section,
                  "<dd>50 requests accepted from idle before the first throttling answer "
                  "(0.25 s)</dd>"))
      << section;
  EXPECT_TRUE(has(section, "from 400.0 req/s up to 1000000.0 req/s in 1 s steps, to within 2.0%"))
      << section;
  EXPECT_FALSE(has(section, "Not judged"));
  EXPECT_EQ(cells(row_starting(section, "<td class=\"num\">3</td>")),
            (std::vector<std::string>{"3", "binary", "1000.0 req/s", "1", "1000", "820", "170", "4",
                                      "5", "1", "820.0 req/s", "7.125",
                                      "<span class=\"verdict-other\">&lt;throttled&gt;</span>"}));
  EXPECT_EQ(occurrences(section, "<span class=\"verdict-held\">held</span>"), 2u);
  EXPECT_EQ(series_in(section), (std::set<std::string>{"offered rate", "accepted rate"}));
  EXPECT_TRUE(has(html, "<a href=\"#find-limit\">"));
  EXPECT_TRUE(has(html, "<div><dt>mode</dt><dd>find-limit search</dd></div>"));
  EXPECT_TRUE(has(html, "<div><dt>rate</dt><dd>steps from 400 req/s</dd></div>"));
  expect_well_formed(html);
}

TEST(LoadHtml, ASearchThatDidNotConvergeIsNotJudged) {
  json result = sample_result();
  result["find_limit"] = find_limit_block();
  result["find_limit"]["converged"] = false;
  result["find_limit"]["budget_spent"] = true;
  const std::string html = reports::render_load_html(result);
  // The reason the console gives for exit code 3.
  const std::string why = "--duration ran out before the bracket was within 2%";
  EXPECT_TRUE(has(html, "<p class=\"verdict warn\">NOT JUDGED (" + why + ")</p>")) << html;
  EXPECT_TRUE(has(html, "<p class=\"verdict warn\">Not judged: " + why + "</p>"));
  EXPECT_TRUE(has(html, "refused at 1000.0 req/s (NOT CONVERGED).</p>"));
}

TEST(LoadHtml, StagesInTheHeader) {
  json result = sample_result();
  result["config"]["stages"] = {{{"target_rate", 200.0}, {"duration_s", 1.0}},
                                {{"target_rate", 400.0}, {"duration_s", 0.0}}};
  const std::string html = reports::render_load_html(result);
  EXPECT_TRUE(has(html, "<div><dt>rate</dt><dd>from 110 req/s in 2 stages</dd></div>")) << html;
}

TEST(LoadHtml, ShardsWhenPresent) {
  json result = sample_result();
  EXPECT_FALSE(has(reports::render_load_html(result), "id=\"shards\""));
  result["config"]["shard"] = {{"index", 2}, {"count", 4}};
  result["merged_from"] = {{{"file", "gen-a.json"}, {"shard", {{"index", 0}, {"count", 4}}}},
                           {{"file", "gen<b>.json"}, {"shard", {{"index", 2}, {"count", 4}}}}};
  result["missing_shards"] = {1, 3};
  const std::string html = reports::render_load_html(result);
  EXPECT_TRUE(has(html, "<div><dt>shard</dt><dd>2/4</dd></div>")) << html;
  const std::string section = element_with_id(html, "section", "shards");
  EXPECT_TRUE(has(section, "Merged from 2 result files"));
  EXPECT_TRUE(has(section, "<tr><td><code>gen-a.json</code></td><td>0/4</td></tr>"));
  EXPECT_TRUE(has(section, "<tr><td><code>gen&lt;b&gt;.json</code></td><td>2/4</td></tr>"));
  EXPECT_TRUE(has(section,
                  "<p class=\"verdict warn\">Missing shards (no file was given for them): 1, 3. "
                  "This result covers only part of the load.</p>"))
      << section;
  // Per-second percentiles of a merge are the worst shard's (docs/load-results.md).
  const std::string latency = element_with_id(html, "figure", "latency-over-time");
  EXPECT_TRUE(has(latency, "each second&#39;s p50 and p99 are the worst shard&#39;s")) << latency;
  EXPECT_FALSE(has(element_with_id(html, "figure", "throughput-over-time"), "worst shard"));
  expect_well_formed(html);
}

TEST(LoadHtml, ConfigShowsEveryFieldButNoSecret) {
  json result = sample_result();
  result["config"]["secret_access_key"] = "SECRET-VALUE-1";
  result["config"]["Session_Token"] = "SECRET-VALUE-2";
  result["config"]["proxy"] = {{"password", "SECRET-VALUE-3"}, {"host", "proxy.local"}};
  result["config"]["workload"]["api_token"] = "SECRET-VALUE-4";
  const std::string html = reports::render_load_html(result);
  EXPECT_FALSE(has(html, "SECRET-VALUE")) << html;
  const std::string config = element_with_id(html, "section", "config");
  for (const auto& [key, value] : result["config"].items()) {
    EXPECT_TRUE(has(config, "<tr><th><code>" + reports::html_escape(key) + "</code></th>")) << key;
  }
  EXPECT_TRUE(has(config, "proxy.local"));
  EXPECT_TRUE(has(config, "<td>16</td>"));  // connections
  EXPECT_TRUE(has(config, "<td>AKLTexampleKeyId</td>"));
  // The workload: its operation, and the whole of it as JSON.
  EXPECT_TRUE(has(config,
                  "<td><code>Encrypt</code></td><td class=\"num\">1</td>"
                  "<td class=\"num\">100.0%</td><td>256 bytes</td>"))
      << config;
}

TEST(LoadHtml, ARunWithoutRequests) {
  loadgen::RunStats run;
  run.operations = {"Encrypt"};
  run.per_op.resize(1);
  const std::string html = reports::render_load_html(
      loadgen::result_json(sample_config(), run, {}, nullptr, "", kVersion));
  EXPECT_TRUE(has(html, "<p class=\"verdict warn\">NOT JUDGED (nothing was sent)</p>"));
  EXPECT_TRUE(has(html, "No second of the run was recorded"));
  EXPECT_TRUE(has(html, "No latency was recorded."));
  EXPECT_EQ(cells(row_starting(html, "<th>p99</th>")), (std::vector<std::string>{"-", "-"}));
  expect_well_formed(html);
  expect_self_contained(html, 0);
}

TEST(LoadHtml, ALongRunIsDrawnInGroupsOfSeconds) {
  loadgen::RunStats run = sample_run();
  // 1300 seconds: at most 600 points means groups of 3 seconds, 434 points.
  run.timeline.clear();
  for (uint64_t s = 0; s < 1300; ++s) {
    loadgen::TimelinePoint point;
    point.second = s;
    point.outcomes[Outcome::Ok] = 10;
    point.p99_us = static_cast<int64_t>(1000 + s);
    run.timeline.push_back(point);
  }
  const std::string html = reports::render_load_html(sample_result(run));
  const std::string latency = element_with_id(html, "figure", "latency-over-time");
  EXPECT_EQ(occurrences(latency, "<rect class=\"hover\""), 434u);
  EXPECT_TRUE(has(latency, "each point covers 3 seconds"));
  // A group shows its worst second: seconds 0-2 peak at 1.002 ms.
  EXPECT_TRUE(has(latency,
                  "seconds 0-2 (latency: the worst second)\np50: 0.000 ms\np99: "
                  "1.002 ms"))
      << latency.substr(0, 3000);
  const std::string stacked = element_with_id(html, "figure", "throughput-over-time");
  EXPECT_EQ(occurrences(stacked, "<rect "), 434u);
}

// Every field of the sample replaced by values of the wrong kind, and files that are no result.
std::vector<json> odd_results() {
  std::vector<json> odd = {json(nullptr), json::array({1, 2}), json("text"), json(3.5),
                           json::object()};
  const json sample = sample_result();
  for (const auto& [key, value] : sample.items()) {
    for (const json& wrong :
         {json("x"), json(-1), json(nullptr), json::array(), json::object(), json(1e308)}) {
      json changed = sample;
      changed[key] = wrong;
      odd.push_back(changed);
    }
  }
  json garbage = sample;
  garbage["timeline"] = {1, "a", nullptr, {{"second", "x"}, {"p99_ms", -5}}, {{"second", 1e18}}};
  garbage["histograms"]["latency"] = {{"unit", "us"}, {"buckets", {{1, -3}}}};
  garbage["histograms"]["service_time"]["buckets"] = {{60000001, 1}};
  garbage["per_op"] = {{"A", 5}, {"B", {{"outcomes", "none"}, {"latency_ms", {{"count", 1}}}}}};
  garbage["thresholds"] = {1, {{"metric", "bogus"}, {"actual", "x"}, {"passed", "yes"}}};
  garbage["baseline"] = {{"regressions", {nullptr, {{"limit", 1e308}, {"metric", "p99"}}}}};
  garbage["find_limit"] = {{"kind", 7},          {"converged", "yes"},
                           {"criteria", "none"}, {"burst", -1e308},
                           {"unjudgeable", 5},   {"steps", {nullptr, 3, {{"rate", "fast"}}}}};
  garbage["merged_from"] = {1, {{"file", 3}, {"shard", "x"}}};
  garbage["config"]["shard"] = 5;
  garbage["config"]["rate"] = -1e308;
  garbage["config"]["workload"] = {{"operations", {1, {{"weight", -3}, {"payload", "x"}}}}};
  garbage["summary"]["duration_s"] = 0;
  odd.push_back(garbage);
  json deep = json::object();
  for (int i = 0; i < 200; ++i) deep = {{"inner", deep}};
  json nested = sample;
  nested["config"]["deep"] = deep;
  odd.push_back(nested);
  json invalid_utf8 = sample;
  invalid_utf8["config"]["endpoint"] = "bad \xff\xfe bytes";
  odd.push_back(invalid_utf8);
  return odd;
}

TEST(LoadHtml, OddFieldsNeitherThrowNorBreakThePage) {
  for (const json& result : odd_results()) {
    SCOPED_TRACE(result.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 200));
    std::string html;
    EXPECT_NO_THROW(html = reports::render_load_html(result));
    expect_well_formed(html);
  }
}

TEST(LoadHtml, AnUnreadableHistogramIsNamed) {
  json result = sample_result();
  result["histograms"]["latency"]["count"] = 5;  // not the buckets' total
  const std::string html = reports::render_load_html(result);
  EXPECT_TRUE(has(html, "histograms.latency cannot be read: ")) << html;
  // The service-time histogram still draws.
  EXPECT_EQ(series_in(element_with_id(html, "figure", "percentile-spectrum")),
            (std::set<std::string>{"service time"}));
}

TEST(LoadHtml, WriteLoadHtmlNamesAnUnwritablePath) {
  TempDir dir;
  const json result = sample_result();
  const std::string path = dir.file("load.html");
  reports::write_load_html(result, path);
  EXPECT_EQ(reports::read_text_file(path), reports::render_load_html(result));
  const std::string bad = dir.file("no/dir/load.html");
  expect_error_naming([&] { reports::write_load_html(result, bad); }, bad);
}

}  // namespace
}  // namespace kmsconf::testing
