// Merging shards' result files: the merge of split samples equals one run fed them all (the
// histograms' promise, docs/load-results.md), every refusal, missing shards, and timelines
// aligned on the wall-clock starts.
#include "loadgen/merge.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/result.hpp"
#include "loadgen/shard.hpp"
#include "loadgen/workload.hpp"
#include "tests/loadgen/load_result_schema.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kStart = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z
const char* const kVersion = "0.1.0 (commit test, Release)";

// ---- a known sample set ----------------------------------------------------------------------
//
// 4000 Encrypt requests with latencies 1000 + (7919 k mod 50000) us (k = 0..3999: spread over
// 1..51 ms without order), service times half of those, plus three of 2.5 s (a stall); 500
// Decrypt requests of 200..699 us. Every 50th is throttled, every 97th a server error, every
// 13th late. A shard gets every other Encrypt and the first 200 Decrypts.

struct Sample {
  std::size_t op = 0;  // 0 Encrypt, 1 Decrypt
  int64_t latency_us = 0;
  Outcome outcome = Outcome::Ok;
  bool late = false;
};

std::vector<Sample> known_samples() {
  std::vector<Sample> out;
  for (int64_t k = 0; k < 4000; ++k) {
    const Outcome o = k % 50 == 0   ? Outcome::Throttled
                      : k % 97 == 0 ? Outcome::ServerError
                                    : Outcome::Ok;
    out.push_back({0, 1000 + (7919 * k) % 50000, o, k % 13 == 0});
  }
  for (int i = 0; i < 3; ++i) out.push_back({0, 2'500'000, Outcome::Timeout, false});
  for (int64_t k = 0; k < 500; ++k) out.push_back({1, 200 + k, Outcome::Ok, false});
  return out;
}

RunStats empty_stats() {
  RunStats run;
  run.operations = {"Encrypt", "Decrypt"};
  run.per_op.resize(2);
  run.duration_s = 10;
  run.started_at_unix_ms = kStart;
  return run;
}

void record(RunStats& run, const Sample& s) {
  OperationStats& op = run.per_op[s.op];
  op.latency.record(s.latency_us);
  op.service.record(s.latency_us / 2);
  ++op.outcomes[s.outcome];
  if (s.late) ++op.outcomes.late;
}

// Shard 0 takes sample i when `mine(i)`, shard 1 the others; `whole` takes all.
struct Split {
  RunStats shard0 = empty_stats();
  RunStats shard1 = empty_stats();
  RunStats whole = empty_stats();
};

Split split_known_samples() {
  Split s;
  const auto samples = known_samples();
  int decrypts = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const bool first = samples[i].op == 0 ? i % 2 == 0 : decrypts++ < 200;
    record(first ? s.shard0 : s.shard1, samples[i]);
    record(s.whole, samples[i]);
  }
  s.shard0.unsent = 2;
  s.shard1.unsent = 3;
  s.whole.unsent = 5;
  s.shard0.connections_opened = 4;
  s.shard1.connections_opened = 5;
  s.whole.connections_opened = 9;
  s.shard1.connection_failures = 1;
  s.whole.connection_failures = 1;
  s.shard1.retried = 2;
  s.whole.retried = 2;
  return s;
}

LoadConfig config_of(std::optional<Shard> shard, double rate, int connections, int threads) {
  const Workload workload = single_operation_workload("Encrypt");
  LoadConfig c;
  c.dialect = "volcengine";
  c.endpoint = "https://kms.example.test";
  c.endpoint_url = c.endpoint;
  c.region = "cn-beijing";
  c.mode = "open";
  c.rate = rate;
  c.connections = connections;
  c.threads = threads;
  c.duration_s = 10;
  c.timeout_ms = 5000;
  c.late_after_us = 1000;
  c.workload = workload.to_json();
  c.workload_fingerprint = workload.fingerprint();
  c.access_key_id = "AKLTexampleKeyId";
  c.shard = shard;
  return c;
}

LoadConfig shard_config(int index, int count = 2) {
  return config_of(Shard{index, count}, 50, 10, 2);
}

ResultFile file_of(const std::string& path, const RunStats& run, const LoadConfig& config) {
  return {path, result_json(config, run, {}, nullptr, "", kVersion)};
}

// The two shards of the known samples, as files.
std::vector<ResultFile> two_shards(const Split& s) {
  return {file_of("shard-0.json", s.shard0, shard_config(0)),
          file_of("shard-1.json", s.shard1, shard_config(1))};
}

json merged_json(const std::vector<ResultFile>& files) {
  return merged_result_json(merge_results(files), {}, nullptr, "");
}

// The merge's refusal lines; {"<merged>"} when it merged.
std::vector<std::string> refusal(const std::vector<ResultFile>& files) {
  try {
    merge_results(files);
  } catch (const MergeError& e) {
    return e.problems();
  }
  return {"<merged>"};
}

// ---- histograms ------------------------------------------------------------------------------

TEST(MergeHistograms, TwoHalvesEqualOneFedEverySample) {
  Histogram even, odd, all;
  const auto samples = known_samples();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    (i % 2 == 0 ? even : odd).record(samples[i].latency_us);
    all.record(samples[i].latency_us);
  }
  // Through the files' form, as the merge reads them.
  Histogram merged = Histogram::from_json(even.to_json());
  merged.merge(Histogram::from_json(odd.to_json()));
  EXPECT_EQ(merged.count(), samples.size());
  for (double p : {0.0, 1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    EXPECT_EQ(merged.percentile(p), all.percentile(p)) << "p" << p;
  }
  EXPECT_EQ(merged.min(), 200);
  EXPECT_EQ(merged.max(), 2'500'000);
  EXPECT_EQ(merged.sum(), all.sum());
  EXPECT_EQ(merged.to_json(), all.to_json());
}

// ---- results ---------------------------------------------------------------------------------

TEST(MergeResults, TwoShardsEqualOneRunOfEverything) {
  const Split s = split_known_samples();
  const json merged = merged_json(two_shards(s));
  const json whole =
      result_json(config_of(std::nullopt, 100, 20, 4), s.whole, {}, nullptr, "", kVersion);
  EXPECT_EQ(merged["summary"], whole["summary"]);
  EXPECT_EQ(merged["summary"]["requests"], 4503);
  EXPECT_EQ(merged["summary"]["unsent"], 5);
  EXPECT_EQ(merged["latency_ms"], whole["latency_ms"]);
  EXPECT_EQ(merged["service_time_ms"], whole["service_time_ms"]);
  EXPECT_EQ(merged["per_op"], whole["per_op"]);
  EXPECT_EQ(merged["histograms"], whole["histograms"]);
  // rate, connections and threads summed; no shard.
  EXPECT_EQ(merged["config"], whole["config"]);
  EXPECT_EQ(merged["config"]["rate"], 100.0);
  EXPECT_FALSE(merged["config"].contains("shard"));
  EXPECT_EQ(merged["merged_from"],
            json::parse(R"([{"file": "shard-0.json", "shard": {"index": 0, "count": 2}},
                            {"file": "shard-1.json", "shard": {"index": 1, "count": 2}}])"));
  EXPECT_EQ(merged["missing_shards"], json::array());
  EXPECT_EQ(merged["passed"], true);

  // The percentiles are those of one histogram fed every sample.
  Histogram all;
  for (const Sample& sample : known_samples()) all.record(sample.latency_us);
  EXPECT_DOUBLE_EQ(merged["latency_ms"]["p99"].get<double>(),
                   static_cast<double>(all.percentile(99)) / 1000);
  EXPECT_DOUBLE_EQ(merged["latency_ms"]["p999"].get<double>(),
                   static_cast<double>(all.percentile(99.9)) / 1000);
  EXPECT_DOUBLE_EQ(merged["latency_ms"]["max"].get<double>(), 2500.0);
}

TEST(MergeResults, MergedIsAValidResultBaselineAndGate) {
  const Split s = split_known_samples();
  const MergedRun run = merge_results(two_shards(s));
  const json bare = merged_result_json(run, {}, nullptr, "");
  EXPECT_THAT(schema_check::schema_problems(bare), IsEmpty());
  EXPECT_EQ(unjudged_reason(bare), "");
  EXPECT_THAT(baseline_differences(bare, bare), IsEmpty());
  // A shard's own file is no baseline for the whole load, nor the other way round.
  EXPECT_THAT(baseline_differences(bare, two_shards(s)[0].result),
              ::testing::Contains("shard: baseline (none), this run 0/2"));

  // Two of the three 2.5 s timeouts are shard 0's, one shard 1's: gates see the whole load.
  const auto metrics = metrics_of(bare);
  const auto results =
      evaluate({parse_threshold("requests>=4503"), parse_threshold("max<2s")}, metrics);
  const json judged = merged_result_json(run, results, nullptr, "");
  EXPECT_EQ(judged["thresholds"][0]["passed"], true);
  EXPECT_EQ(judged["thresholds"][1]["passed"], false);
  EXPECT_EQ(judged["passed"], false);
  EXPECT_THAT(schema_check::schema_problems(judged), IsEmpty());
  std::ostringstream summary;
  print_summary(summary, judged);
  EXPECT_THAT(summary.str(), HasSubstr("kmsconf load: 4503 requests in 10.00 s"));
  EXPECT_THAT(summary.str(), HasSubstr("result: FAIL (1 of 2 checks failed)"));
}

// ---- refusals --------------------------------------------------------------------------------

using Change = std::function<void(LoadConfig&)>;

std::vector<std::string> refusal_of_shard1_with(const Change& change) {
  const Split s = split_known_samples();
  LoadConfig other = shard_config(1);
  change(other);
  return refusal({file_of("shard-0.json", s.shard0, shard_config(0)),
                  file_of("shard-1.json", s.shard1, other)});
}

TEST(MergeRefusals, EachDifferenceNamesBothFiles) {
  EXPECT_THAT(refusal_of_shard1_with([](LoadConfig& c) { c.dialect = "alibaba"; }),
              ElementsAre("dialect: shard-0.json volcengine, shard-1.json alibaba"));
  EXPECT_THAT(refusal_of_shard1_with([](LoadConfig& c) { c.endpoint = "https://kms.other.test"; }),
              ElementsAre("endpoint: shard-0.json https://kms.example.test, shard-1.json "
                          "https://kms.other.test"));
  EXPECT_THAT(refusal_of_shard1_with([](LoadConfig& c) { c.region = "cn-shanghai"; }),
              ElementsAre("region: shard-0.json cn-beijing, shard-1.json cn-shanghai"));
  EXPECT_THAT(refusal_of_shard1_with([](LoadConfig& c) { c.mode = "closed"; }),
              ElementsAre("mode: shard-0.json open, shard-1.json closed"));
  EXPECT_THAT(refusal_of_shard1_with([](LoadConfig& c) {
                c.shard = Shard{1, 3};
              }),
              ElementsAre("shard count: shard-0.json 2, shard-1.json 3"));
  const Workload decrypt = single_operation_workload("Decrypt");
  const auto workload = refusal_of_shard1_with([&](LoadConfig& c) {
    c.workload = decrypt.to_json();
    c.workload_fingerprint = decrypt.fingerprint();
  });
  ASSERT_EQ(workload.size(), 1u);
  EXPECT_THAT(workload[0],
              HasSubstr("workload fingerprint (what is sent): shard-0.json Encrypt ["));
  EXPECT_THAT(workload[0],
              HasSubstr("shard-1.json Decrypt [" + decrypt.fingerprint().substr(0, 12)));
}

TEST(MergeRefusals, WhatShardsMayDifferInIsMerged) {
  // Each shard's own rate, connections, threads, duration, timeout and account.
  EXPECT_THAT(refusal_of_shard1_with([](LoadConfig& c) {
                c.rate = 70;
                c.connections = 3;
                c.threads = 1;
                c.duration_s = 12;
                c.timeout_ms = 100;
                c.access_key_id = "AKLTother";
              }),
              ElementsAre("<merged>"));
}

TEST(MergeRefusals, InProcessShardsMergeWhateverTheirPorts) {
  const auto in_process = [](LoadConfig& c, const std::string& port) {
    c.in_process = true;
    c.endpoint = "in-process";
    c.endpoint_url = "http://127.0.0.1:" + port;
  };
  const Split s = split_known_samples();
  LoadConfig a = shard_config(0), b = shard_config(1);
  in_process(a, "40001");
  in_process(b, "40002");
  EXPECT_THAT(refusal({file_of("a.json", s.shard0, a), file_of("b.json", s.shard1, b)}),
              ElementsAre("<merged>"));
  EXPECT_THAT(
      refusal({file_of("a.json", s.shard0, a), file_of("b.json", s.shard1, shard_config(1))}),
      ElementsAre("endpoint: a.json in-process, b.json https://kms.example.test"));
}

TEST(MergeRefusals, AShardIndexGivenTwice) {
  const Split s = split_known_samples();
  EXPECT_THAT(refusal({file_of("a.json", s.shard0, shard_config(1)),
                       file_of("b.json", s.shard1, shard_config(1))}),
              ElementsAre("shard 1/2 twice: a.json and b.json"));
}

TEST(MergeRefusals, WhatIsNotAShardsLoadResult) {
  const Split s = split_known_samples();
  const ResultFile good = file_of("shard-0.json", s.shard0, shard_config(0));
  const ResultFile report{"report.json", {{"tool_version", "0.1.0"}, {"results", json::array()}}};
  auto lines = refusal({good, report});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("report.json: not a kmsconf load result: missing "
                                  "kmsconf_version, config, summary"));
  EXPECT_THAT(refusal({good, {"list.json", json::array()}}),
              ElementsAre("list.json: not a kmsconf load result: not a JSON object"));

  const ResultFile whole = file_of("whole.json", s.whole, config_of(std::nullopt, 100, 20, 4));
  lines = refusal({good, whole});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("whole.json: not a shard's result (no config.shard)"));

  const ResultFile merged{"all.json", merged_json(two_shards(s))};
  lines = refusal({good, merged});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("all.json: itself a merge of 2 files"));

  // Counts the histograms contradict cannot be merged exactly.
  ResultFile cut = file_of("shard-1.json", s.shard1, shard_config(1));
  cut.result["per_op"]["Encrypt"]["outcomes"]["ok"] = 1;
  lines = refusal({good, cut});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("shard-1.json: cannot be merged exactly: "
                                  "histograms.per_op.Encrypt: its histograms hold 2001 and 2001 "
                                  "values"));
  cut = file_of("shard-1.json", s.shard1, shard_config(1));
  cut.result["summary"].erase("started_at_unix_ms");
  EXPECT_THAT(refusal({good, cut}),
              ElementsAre("shard-1.json: cannot be merged exactly: "
                          "summary.started_at_unix_ms: missing or not a count"));
  EXPECT_THAT(refusal({}), ElementsAre("no result files to merge"));
}

// ---- missing shards --------------------------------------------------------------------------

TEST(MergeMissingShards, TwoOfThreeMergeWithAWarning) {
  const Split s = split_known_samples();
  const MergedRun run = merge_results({file_of("shard-0.json", s.shard0, shard_config(0, 3)),
                                       file_of("shard-2.json", s.shard1, shard_config(2, 3))});
  EXPECT_THAT(run.warnings, ElementsAre("only 2 of 3 shards: no file for shard 1/3; the merged "
                                        "result covers only part of the load"));
  EXPECT_THAT(run.missing_shards, ElementsAre(1));
  const json merged = merged_result_json(run, {}, nullptr, "");
  EXPECT_EQ(merged["missing_shards"], json::array({1}));
  EXPECT_EQ(merged["summary"]["requests"], 4503);
  EXPECT_THAT(schema_check::schema_problems(merged), IsEmpty());

  const MergedRun complete = merge_results(two_shards(s));
  EXPECT_THAT(complete.warnings, IsEmpty());
  EXPECT_THAT(complete.missing_shards, IsEmpty());
}

// ---- unjudged shards -------------------------------------------------------------------------

TEST(MergeUnjudged, AnInterruptedShardLeavesTheLoadUnjudged) {
  Split s = split_known_samples();
  s.shard1.interrupted = true;
  s.shard1.stop_reason = "interrupted";
  const json merged = merged_json(two_shards(s));
  EXPECT_EQ(merged["summary"]["interrupted"], true);
  EXPECT_EQ(merged["summary"]["stop_reason"], "shard-1.json (shard 1/2): interrupted");
  EXPECT_NE(unjudged_reason(merged), "");
  EXPECT_EQ(merged["passed"], false);
  std::ostringstream summary;
  print_summary(summary, merged);
  EXPECT_THAT(summary.str(), HasSubstr("result: NOT JUDGED"));
}

TEST(MergeUnjudged, AShardThatOpenedNoConnectionLeavesTheLoadUnjudged) {
  Split s = split_known_samples();
  s.shard0.connections_opened = 0;
  const json merged = merged_json(two_shards(s));
  EXPECT_EQ(merged["summary"]["stop_reason"],
            "shard-0.json (shard 0/2): no connection could be opened");
  EXPECT_NE(unjudged_reason(merged), "");
  EXPECT_EQ(merged["passed"], false);
}

// ---- timelines -------------------------------------------------------------------------------

// A shard whose second k had `counts[k]` ok answers of `p99_ms[k]` each.
RunStats timed_shard(int64_t started_at, double duration_s, const std::vector<uint64_t>& counts,
                     const std::vector<int64_t>& p99_us) {
  RunStats run = empty_stats();
  run.started_at_unix_ms = started_at;
  run.duration_s = duration_s;
  run.connections_opened = 1;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    TimelinePoint p;
    p.second = k;
    p.outcomes[Outcome::Ok] = counts[k];
    p.p50_us = p99_us[k] / 2;
    p.p99_us = p99_us[k];
    p.max_us = p99_us[k];
    run.timeline.push_back(p);
    run.per_op[0].latency.record_n(p99_us[k], counts[k]);
    run.per_op[0].service.record_n(p99_us[k], counts[k]);
    run.per_op[0].outcomes[Outcome::Ok] += counts[k];
  }
  return run;
}

TEST(MergeTimeline, AlignedOnTheWallClockStarts) {
  // Shard 1 started 2 s after shard 0: its second 0 is the load's second 2.
  const RunStats a = timed_shard(kStart, 3.0, {10, 11, 12}, {1000, 2000, 3000});
  const RunStats b = timed_shard(kStart + 2000, 2.5, {20, 21}, {5000, 500});
  const json merged =
      merged_json({file_of("a.json", a, shard_config(0)), file_of("b.json", b, shard_config(1))});
  const json& t = merged["timeline"];
  ASSERT_EQ(t.size(), 4u) << t;
  const std::vector<int> requests{10, 11, 12 + 20, 21};
  // Per-second percentiles are the worst shard's (the file keeps no per-second histogram).
  const std::vector<double> p99{1.0, 2.0, 5.0, 0.5};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(t[k]["second"], k);
    EXPECT_EQ(t[k]["requests"], requests[k]) << "second " << k;
    EXPECT_EQ(t[k]["outcomes"]["ok"], requests[k]) << "second " << k;
    EXPECT_DOUBLE_EQ(t[k]["p99_ms"].get<double>(), p99[k]) << "second " << k;
  }
  // From the earliest start (shard 0's) to the latest end (shard 1's, 2 + 2.5 s).
  EXPECT_EQ(merged["summary"]["started_at_unix_ms"], kStart);
  EXPECT_EQ(merged["summary"]["started_at"], "2023-11-14T22:13:20.000Z");
  EXPECT_DOUBLE_EQ(merged["summary"]["duration_s"].get<double>(), 4.5);
  EXPECT_DOUBLE_EQ(merged["summary"]["requests_per_second"].get<double>(), 74 / 4.5);
}

TEST(MergeTimeline, StartsRoundToTheNearestSecond) {
  const RunStats a = timed_shard(kStart, 1.0, {10}, {1000});
  for (const auto& [late_ms, second] :
       std::vector<std::pair<int64_t, int>>{{400, 0}, {1400, 1}, {1600, 2}}) {
    const RunStats b = timed_shard(kStart + late_ms, 1.0, {20}, {1000});
    const json merged =
        merged_json({file_of("a.json", a, shard_config(0)), file_of("b.json", b, shard_config(1))});
    const json& t = merged["timeline"];
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(t.back()["second"], second) << late_ms << " ms later";
    EXPECT_EQ(t.back()["requests"], second == 0 ? 30 : 20) << late_ms << " ms later";
  }
}

}  // namespace
}  // namespace kmsconf::loadgen
