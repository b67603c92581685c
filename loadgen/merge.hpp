// Merging the result files of one load sent by N shards (`kmsconf load --shard I/N` on several
// machines) into one result, as exact as if one generator had measured everything: counts summed,
// histograms merged bucket by bucket, timelines aligned on their wall-clock starts
// (docs/load.md "Scale past one machine", docs/load-results.md "Merged results").
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "loadgen/result.hpp"
#include "loadgen/stats.hpp"
#include "loadgen/thresholds.hpp"

namespace kmsconf::loadgen {

// One shard's result file.
struct ResultFile {
  std::string path;  // as given: names the file in messages and in merged_from
  nlohmann::json result;
};

// The files are not the shards of one load; one line per problem, each naming its file(s).
class MergeError : public std::runtime_error {
 public:
  explicit MergeError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

struct MergedRun {
  LoadConfig config;  // the first file's, with rate, connections and threads summed, no shard
  // Everything summed and merged; duration from the earliest start to the latest end; marked
  // interrupted, with stop_reason naming the files, when a shard was or judged nothing.
  RunStats stats;
  std::string version_line;           // the first file's kmsconf_version
  nlohmann::json merged_from;         // [{"file": ..., "shard": {"index", "count"}}], as given
  std::vector<int> missing_shards;    // indices no file was given for
  std::vector<std::string> warnings;  // one line each, e.g. the missing shards
};

// Refuses (MergeError) a file that is not a shard's load result, files whose dialect, endpoint
// (unless all ran in process), region, mode, workload fingerprint or shard count differ, and a
// shard index given twice. Missing shards are merged around, with a warning.
MergedRun merge_results(const std::vector<ResultFile>& files);

// The merged result file: result_json of the merged run, judged by these gates, with
// merged_from and missing_shards added. A valid load result: it renders, gates and serves as a
// baseline like one run's.
nlohmann::json merged_result_json(const MergedRun& run,
                                  const std::vector<ThresholdResult>& thresholds,
                                  const std::vector<RegressionResult>* regressions,
                                  const std::string& baseline_path);

}  // namespace kmsconf::loadgen
