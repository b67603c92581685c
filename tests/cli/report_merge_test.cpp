// `kmsconf load --shard I/N` and `kmsconf report merge` through the real binary: two shards run
// side by side against one `kmsconf serve` on loopback, merged into totals and percentiles that
// equal the shards' own histograms merged, and each exit code of the merge.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/histogram.hpp"
#include "tests/cli/child_process.hpp"
#include "tests/cli/serve_process.hpp"
#include "tests/cli/test_command_support.hpp"

namespace kmsconf::testing {
namespace {

using namespace std::chrono_literals;
using loadgen::Histogram;

constexpr const char* kAk = "AKLTmergetestkey00001";
constexpr const char* kSk = "merge-test-secret-value-01";

// 100 req/s over 2 shards for 2 s: each shard sends 50 req/s, 100 requests (docs/load.md: shard
// I of N sends 1/N of --rate; a run sends exactly rate x duration).
constexpr int kRate = 100;
constexpr int kShardRequests = 100;

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The shards' histograms of `block` ("latency", "service_time") merged: the document the merged
// percentiles are checked against, recomputed here rather than taken from the merge.
Histogram merged_histogram(const std::vector<json>& shards, const json::json_pointer& block) {
  Histogram all;
  for (const json& shard : shards) all.merge(Histogram::from_json(shard.at(block)));
  return all;
}

// Each field of a latency block in milliseconds as the result file writes it from `h`.
void expect_latency_block(const json& block, const Histogram& h, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(block.value("count", 0u), h.count());
  const std::vector<std::pair<const char*, double>> percentiles{
      {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p999", 99.9}};
  for (const auto& [key, p] : percentiles) {
    EXPECT_DOUBLE_EQ(block.value(key, -1.0), static_cast<double>(h.percentile(p)) / 1000) << key;
  }
  EXPECT_DOUBLE_EQ(block.value("max", -1.0), static_cast<double>(h.max()) / 1000);
  EXPECT_NEAR(block.value("mean", -1.0), h.mean() / 1000, 1e-9);
}

class ReportMergeTest : public TestCommandTest {
 protected:
  void SetUp() override {
    TestCommandTest::SetUp();
    const std::string credentials = path("serve-credentials.json");
    write_file(credentials, std::string(R"({"credentials": [{"access_key_id": ")") + kAk +
                                R"(", "secret_access_key": ")" + kSk +
                                R"(", "account_id": "2100042018"}]})");
    server_ = std::make_unique<ServeProcess>(path(""));
    ASSERT_TRUE(server_->start({"--dialect", "volcengine", "--credentials", credentials}));
  }

  // Starts `kmsconf load --shard SHARD` against the server, writing `out`.
  std::unique_ptr<Child> start_shard(const std::string& shard, const std::string& out,
                                     const std::string& duration,
                                     const std::vector<std::string>& extra = {}) {
    ChildOptions options;
    for (const char* name : kCredentialVariables) options.env[name] = std::nullopt;
    options.env["VOLC_ACCESSKEY"] = kAk;
    options.env["VOLC_SECRETKEY"] = kSk;
    std::vector<std::string> args{"load",
                                  "--dialect",
                                  "volcengine",
                                  "--endpoint",
                                  server_->url(),
                                  "--rate",
                                  std::to_string(kRate),
                                  "--duration",
                                  duration,
                                  "--shard",
                                  shard,
                                  "--out",
                                  out};
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = std::make_unique<Child>(args, out + ".stdout", out + ".stderr", options);
    EXPECT_TRUE(child->started());
    return child;
  }

  // Waits for a shard; its exit code, -1 when it did not end within the bound.
  static int finish(Child& child) {
    const auto status = child.wait_for_exit(kRunBound);
    if (!status || !WIFEXITED(*status)) {
      ADD_FAILURE() << "the shard did not end normally: " << child.out() << child.err();
      return -1;
    }
    return WEXITSTATUS(*status);
  }

  // Shards 0/2 and 1/2 of one load, run at the same time; their result files.
  std::pair<std::string, std::string> run_two_shards(const std::string& duration) {
    const std::string a = path("shard-0.json"), b = path("shard-1.json");
    auto first = start_shard("0/2", a, duration);
    auto second = start_shard("1/2", b, duration);
    EXPECT_EQ(finish(*first), 0) << first->out() << first->err();
    EXPECT_EQ(finish(*second), 0) << second->out() << second->err();
    return {a, b};
  }

  std::unique_ptr<ServeProcess> server_;
};

TEST_F(ReportMergeTest, TwoShardsSideBySideMergeIntoTheirSumAndJudge) {
  const auto [a, b] = run_two_shards("2s");
  const std::vector<json> shards{parse_report(a), parse_report(b)};
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const json& s = shards[i];
    EXPECT_DOUBLE_EQ(s["config"].value("rate", 0.0), kRate / 2.0) << "shard " << i;
    EXPECT_EQ(s["config"]["shard"], json({{"index", i}, {"count", 2}}));
    EXPECT_EQ(s["summary"].value("requests", 0) + s["summary"].value("unsent", 0), kShardRequests)
        << s["summary"];
  }

  const std::string all = path("all.json");
  RunResult merge = kmsconf(
      {"report", "merge", a, b, "-o", all, "--threshold", "p99<60s", "--threshold", "requests>=1"});
  ASSERT_EQ(merge.exit_code, 0) << merge.out << merge.err;
  EXPECT_TRUE(has(merge.out, "result: PASS")) << merge.out;
  EXPECT_TRUE(has(merge.out, "Result: " + all)) << merge.out;
  const json merged = parse_report(all);

  // Totals: the sum of the shards'.
  const auto sum = [&](const json::json_pointer& at) {
    return shards[0].at(at).get<uint64_t>() + shards[1].at(at).get<uint64_t>();
  };
  for (const char* field :
       {"requests", "unsent", "connections_opened", "connection_failures", "retried"}) {
    const json::json_pointer at("/summary/" + std::string(field));
    EXPECT_EQ(merged.at(at).get<uint64_t>(), sum(at)) << field;
  }
  for (const char* outcome :
       {"ok", "throttled", "client_error", "server_error", "transport_error", "timeout", "late"}) {
    const json::json_pointer at("/summary/outcomes/" + std::string(outcome));
    EXPECT_EQ(merged.at(at).get<uint64_t>(), sum(at)) << outcome;
    const json::json_pointer op("/per_op/Encrypt/outcomes/" + std::string(outcome));
    EXPECT_EQ(merged.at(op).get<uint64_t>(), sum(op)) << outcome;
  }
  EXPECT_DOUBLE_EQ(merged["config"].value("rate", 0.0), kRate);
  EXPECT_FALSE(merged["config"].contains("shard"));
  EXPECT_EQ(merged["merged_from"].size(), 2u);
  EXPECT_EQ(merged["missing_shards"], json::array());
  EXPECT_EQ(merged["summary"]["started_at_unix_ms"],
            std::min(shards[0]["summary"]["started_at_unix_ms"].get<int64_t>(),
                     shards[1]["summary"]["started_at_unix_ms"].get<int64_t>()));

  // Percentiles: those of the shards' histograms merged.
  expect_latency_block(merged["latency_ms"],
                       merged_histogram(shards, json::json_pointer("/histograms/latency")),
                       "latency");
  expect_latency_block(merged["service_time_ms"],
                       merged_histogram(shards, json::json_pointer("/histograms/service_time")),
                       "service time");
  expect_latency_block(
      merged["per_op"]["Encrypt"]["latency_ms"],
      merged_histogram(shards, json::json_pointer("/histograms/per_op/Encrypt/latency")),
      "Encrypt latency");

  // A threshold no run can meet (no latency is below the histograms' 1 us) fails the merge.
  RunResult failing = kmsconf({"report", "merge", a, b, "--threshold", "max<1us"});
  EXPECT_EQ(failing.exit_code, 1) << failing.out << failing.err;
  EXPECT_TRUE(has(failing.out, "max<1us: ")) << failing.out;
  EXPECT_TRUE(has(failing.out, "result: FAIL (1 of 1 checks failed)")) << failing.out;

  // The merged result is a baseline for the next merge of the same load.
  RunResult again = kmsconf({"report", "merge", a, b, "--baseline", all});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  // And not for one shard's run.
  RunResult shard_baseline = kmsconf({"report", "merge", a, b, "--baseline", a});
  EXPECT_EQ(shard_baseline.exit_code, 2) << shard_baseline.out << shard_baseline.err;
  EXPECT_TRUE(has(shard_baseline.err, "shard: baseline 0/2, this run (none)"))
      << shard_baseline.err;
}

TEST_F(ReportMergeTest, AnInterruptedShardCannotBeJudged) {
  const std::string a = path("shard-0.json"), b = path("shard-1.json");
  auto first = start_shard("0/2", a, "500ms");
  auto second = start_shard("1/2", b, "30s");
  EXPECT_EQ(finish(*first), 0) << first->out() << first->err();
  // The start line comes once the signal handlers are in place (load_command_test.cpp).
  const auto started = std::chrono::steady_clock::now();
  while (second->running() && std::chrono::steady_clock::now() < started + 30s &&
         !has(second->out(), "open loop")) {
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(::kill(second->pid(), SIGINT), 0);
  EXPECT_EQ(finish(*second), 128 + SIGINT) << second->out() << second->err();

  RunResult merge = kmsconf({"report", "merge", a, b, "--threshold", "p99<60s"});
  EXPECT_EQ(merge.exit_code, 3) << merge.out << merge.err;
  EXPECT_TRUE(has(merge.out, "result: NOT JUDGED")) << merge.out;
  EXPECT_TRUE(has(merge.err, b + " (shard 1/2): interrupted")) << merge.err;
}

TEST_F(ReportMergeTest, ShardsOfAnotherWorkloadAreRefused) {
  const std::string a = path("shard-0.json"), b = path("shard-1.json");
  auto first = start_shard("0/2", a, "500ms");
  auto second = start_shard("1/2", b, "500ms", {"--op", "GenerateDataKey"});
  EXPECT_EQ(finish(*first), 0) << first->out() << first->err();
  EXPECT_EQ(finish(*second), 0) << second->out() << second->err();
  RunResult merge = kmsconf({"report", "merge", a, b, "-o", path("all.json")});
  EXPECT_EQ(merge.exit_code, 2) << merge.out << merge.err;
  EXPECT_TRUE(has(merge.err, "workload fingerprint (what is sent): " + a + " Encrypt ["))
      << merge.err;
  EXPECT_TRUE(has(merge.err, b + " GenerateDataKey [")) << merge.err;
  EXPECT_EQ(merge.out, "") << "nothing is judged or written";
  EXPECT_FALSE(fs::exists(path("all.json")) && fs::file_size(path("all.json")) > 0);
}

TEST_F(ReportMergeTest, FilesThatAreNoResultsAreUsageErrors) {
  write_file(path("report.json"), R"({"tool_version": "0.1.0", "results": []})");
  RunResult merge = kmsconf({"report", "merge", path("report.json")});
  EXPECT_EQ(merge.exit_code, 2) << merge.out << merge.err;
  EXPECT_TRUE(has(merge.err, path("report.json") + ": not a kmsconf load result: missing"))
      << merge.err;
  RunResult missing = kmsconf({"report", "merge", path("nope.json")});
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_TRUE(has(missing.err, path("nope.json") + ": cannot open")) << missing.err;
  RunResult none = kmsconf({"report", "merge"});
  EXPECT_EQ(none.exit_code, 2) << none.out << none.err;
}

// docs/load.md: a bad --shard is a usage error naming the option, before anything is sent.
TEST_F(ReportMergeTest, BadShardFormsAreUsageErrors) {
  for (const char* bad : {"2/2", "1/0", "0/1001", "x/2", "1", "1/2/3"}) {
    RunResult run = kmsconf({"load", "--dialect", "volcengine", "--endpoint", server_->url(),
                             "--rate", "100", "--duration", "1s", "--shard", bad},
                            {{"VOLC_ACCESSKEY", kAk}, {"VOLC_SECRETKEY", kSk}});
    EXPECT_EQ(run.exit_code, 2) << bad << ": " << run.out << run.err;
    EXPECT_TRUE(has(run.err, std::string("--shard ") + bad + ":")) << run.err;
    EXPECT_EQ(run.out, "") << "nothing may run: " << bad;
  }
}

}  // namespace
}  // namespace kmsconf::testing
