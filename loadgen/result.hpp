// The result of a `kmsconf load` run as one JSON document (--out), the metrics thresholds and the
// baseline gate read from it, and the console summary (docs/load-results.md).
#pragma once

// The full header, not json_fwd.hpp: LoadConfig holds a json by value.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/shard.hpp"
#include "loadgen/stats.hpp"
#include "loadgen/thresholds.hpp"

namespace kmsconf::loadgen {

// What the run was asked to do. Never a secret: there is no field for the secret key or a
// session token, so a result file can be shared and committed as a baseline.
struct LoadConfig {
  std::string dialect;       // "volcengine" | "alibaba" | "none"
  std::string endpoint;      // the URL asked for; "in-process" for the in-process server
  std::string endpoint_url;  // the URL requests went to (the in-process server's own URL)
  bool in_process = false;
  std::string region;
  std::string mode;     // "open" (--rate), "closed" (--connections only) or "find-limit"
  double rate = 0;      // requests/s, open loop
  int connections = 0;  // max concurrency (open loop) / connections (closed)
  int threads = 1;
  double duration_s = 0;
  int timeout_ms = 0;
  int64_t late_after_us = 1000;  // a send this much after its intended time is late
  nlohmann::json workload;       // Workload::to_json()
  std::string workload_fingerprint;
  std::string access_key_id;   // names the account in reports; not a secret
  std::optional<Shard> shard;  // --shard I/N: this run is one of N sending the load together
  // --stages: [{"target_rate", "duration_s"}] ramped from `rate`; null without stages.
  nlohmann::json stages;
};

// The result file: config, summary, latency and service time, per operation, timeline, the
// mergeable histograms, thresholds, the baseline's regressions (when `regressions` is not null)
// and `passed`. Latencies in milliseconds; no NaN or infinity even for a run without requests.
nlohmann::json result_json(const LoadConfig& config, const RunStats& stats,
                           const std::vector<ThresholdResult>& thresholds,
                           const std::vector<RegressionResult>* regressions,
                           const std::string& baseline_path, std::string_view version_line);

// The metrics of a result JSON (this run's or a baseline file's, read alike), in the canonical
// units of thresholds.hpp. The lookup keeps its own copy of the numbers, so it outlives
// `result`. nullopt when the run or operation is absent, for a rate or latency without requests
// (or without latency values), and for rps when the run has no duration.
MetricLookup metrics_of(const nlohmann::json& result);

// Why `baseline` cannot judge `current`, one line per difference (dialect, endpoint unless both
// ran in process, region, mode, rate, connections, threads, workload fingerprint); empty when
// they are comparable. A baseline that is not a load result gets one line naming what it lacks.
std::vector<std::string> baseline_differences(const nlohmann::json& baseline,
                                              const nlohmann::json& current);

// Why a result's numbers can judge nothing ("interrupted", "nothing was sent", "no connection
// could be opened", "no request got an HTTP answer"), or "": such a result never passes, and is
// no baseline.
std::string unjudged_reason(const nlohmann::json& result);

// What a result says as a whole, as the console summary and the HTML report state it.
struct ResultVerdict {
  // unjudged_reason(), else find_limit_unjudged() of a find_limit block: non-empty means NOT
  // JUDGED, whatever `passed` says.
  std::string unjudged;
  bool passed = false;  // judged, and `passed` is true
  size_t checks = 0;    // thresholds and baseline regressions
  size_t failed = 0;    // of those
  // "PASS", "PASS (no thresholds or baseline to check)", "FAIL (1 of 3 checks failed)" or
  // "NOT JUDGED (interrupted)".
  std::string text() const;
};
ResultVerdict verdict_of(const nlohmann::json& result);

// Reads a result file (plain JSON). std::runtime_error naming the file, and the line for bad
// JSON ("FILE:LINE: invalid JSON (column C): ...").
nlohmann::json read_result_file(const std::string& path);

// The summary printed at the end of a run, plain text: requests, rate, outcomes with late and
// unsent, the latency table (intended vs service), one line per operation, then each threshold
// and regression line and the verdict.
void print_summary(std::ostream& out, const nlohmann::json& result);

}  // namespace kmsconf::loadgen
