// Whether two load results measured the same thing: their configs compared field by field, one
// line per difference. A baseline refuses a run on it, and `kmsconf report merge` refuses files.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace kmsconf::loadgen {

// The config fields a comparison can look at.
enum class ConfigField {
  Dialect,
  Endpoint,  // not compared when both ran in process: that server's port changes every run
  Region,
  Mode,
  Rate,
  Stages,  // --stages: the arrival rate over time
  Connections,
  Threads,
  Shard,       // index and count: "0/2"; "(none)" without --shard
  ShardCount,  // count alone: the shards of one load have different indices
  Workload,    // the fingerprint of what is sent; the workload's name does not count
};

// What the lines call the two sides: {"baseline", "this run"}, or two file names.
struct ComparedSides {
  std::string first;
  std::string second;
};

// One line per field of `fields` whose values differ, in that order, e.g.
// "rate: baseline 500 req/s, this run 1000 req/s". `first` and `second` are `config` objects.
std::vector<std::string> config_differences(const nlohmann::json& first,
                                            const nlohmann::json& second,
                                            std::span<const ConfigField> fields,
                                            const ComparedSides& sides);

// Why `result` is not a kmsconf load result ("missing config, summary", "not a JSON object"), or
// "" when it holds what the comparisons and metrics read.
std::string not_a_load_result(const nlohmann::json& result);

}  // namespace kmsconf::loadgen
