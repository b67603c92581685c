// Merging the result files of a sharded load (merge.hpp).
#include "loadgen/merge.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "loadgen/config_compare.hpp"
#include "loadgen/json_read.hpp"
#include "loadgen/result_stats.hpp"
#include "loadgen/shard.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;

// One file, read back.
struct Part {
  const ResultFile* file = nullptr;
  LoadConfig config;
  RunStats stats;
  Shard shard;
};

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// The part of one file, or why it cannot be merged.
std::optional<Part> read_part(const ResultFile& file, std::vector<std::string>& problems) {
  const auto problem = [&](const std::string& why) {
    problems.push_back(file.path + ": " + why);
    return std::nullopt;
  };
  if (const std::string why = not_a_load_result(file.result); !why.empty()) {
    return problem("not a kmsconf load result: " + why);
  }
  const json& merged_from = json_read::member(file.result, "merged_from");
  if (!merged_from.is_null()) {
    return problem("itself a merge of " + std::to_string(merged_from.size()) +
                   " files: merge the shards' own files");
  }
  Part part;
  part.file = &file;
  part.config = load_config_of(file.result);
  if (!part.config.shard) {
    return problem(
        "not a shard's result (no config.shard): merge the files of `kmsconf load "
        "--shard I/N` runs");
  }
  part.shard = *part.config.shard;
  try {
    part.stats = run_stats_of(file.result);
  } catch (const std::invalid_argument& e) {
    return problem(std::string("cannot be merged exactly: ") + e.what());
  }
  return part;
}

// What must be the same for the files to be shards of one load.
void compare(const std::vector<Part>& parts, std::vector<std::string>& problems) {
  static constexpr ConfigField kSameLoad[] = {
      ConfigField::Dialect, ConfigField::Endpoint,   ConfigField::Region,  ConfigField::Mode,
      ConfigField::Stages,  ConfigField::ShardCount, ConfigField::Workload};
  const json& first = json_read::member(parts.front().file->result, "config");
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto lines =
        config_differences(first, json_read::member(parts[i].file->result, "config"), kSameLoad,
                           {parts.front().file->path, parts[i].file->path});
    problems.insert(problems.end(), lines.begin(), lines.end());
  }
  std::map<int, std::string> seen;
  for (const Part& p : parts) {
    const auto [it, fresh] = seen.emplace(p.shard.index, p.file->path);
    if (!fresh) {
      problems.push_back("shard " + shard_text(p.shard) + " twice: " + it->second + " and " +
                         p.file->path);
    }
  }
}

// Seconds from the earliest start to this part's, to the nearest whole second: a shard's second
// k is the merged second k + offset.
uint64_t offset_s(const Part& p, int64_t earliest_ms) {
  return static_cast<uint64_t>(
      std::llround(static_cast<double>(p.stats.started_at_unix_ms - earliest_ms) / 1000.0));
}

// Per-second counts add up exactly; per-second percentiles cannot be merged from the file (it
// keeps no per-second histogram), so each second shows its worst shard's.
std::vector<TimelinePoint> merged_timeline(const std::vector<Part>& parts, int64_t earliest_ms) {
  std::map<uint64_t, TimelinePoint> seconds;
  for (const Part& p : parts) {
    const uint64_t offset = offset_s(p, earliest_ms);
    for (const TimelinePoint& point : p.stats.timeline) {
      TimelinePoint& merged = seconds[point.second + offset];
      merged.second = point.second + offset;
      merged.outcomes.merge(point.outcomes);
      merged.p50_us = std::max(merged.p50_us, point.p50_us);
      merged.p99_us = std::max(merged.p99_us, point.p99_us);
      merged.max_us = std::max(merged.max_us, point.max_us);
    }
  }
  std::vector<TimelinePoint> out;
  for (const auto& [second, point] : seconds) out.push_back(point);
  return out;
}

RunStats merged_stats(const std::vector<Part>& parts) {
  RunStats stats = parts.front().stats;
  for (std::size_t i = 1; i < parts.size(); ++i) stats.merge(parts[i].stats);
  int64_t earliest = parts.front().stats.started_at_unix_ms;
  for (const Part& p : parts) earliest = std::min(earliest, p.stats.started_at_unix_ms);
  double end_s = 0;
  for (const Part& p : parts) {
    end_s = std::max(end_s, static_cast<double>(p.stats.started_at_unix_ms - earliest) / 1000.0 +
                                p.stats.duration_s);
  }
  stats.started_at_unix_ms = earliest;
  stats.duration_s = end_s;
  stats.timeline = merged_timeline(parts, earliest);
  // A shard that could not be judged leaves the whole load unjudged: its share is unknown.
  std::vector<std::string> unjudged;
  for (const Part& p : parts) {
    if (const std::string why = unjudged_reason(p.file->result); !why.empty()) {
      unjudged.push_back(p.file->path + " (shard " + shard_text(p.shard) + "): " + why);
    }
  }
  stats.interrupted = !unjudged.empty();
  stats.stop_reason = join(unjudged, "; ");
  return stats;
}

LoadConfig merged_config(const std::vector<Part>& parts) {
  LoadConfig config = parts.front().config;
  config.shard.reset();
  for (std::size_t i = 1; i < parts.size(); ++i) {
    config.rate += parts[i].config.rate;
    config.connections += parts[i].config.connections;
    config.threads += parts[i].config.threads;
    config.duration_s = std::max(config.duration_s, parts[i].config.duration_s);
  }
  // Every shard ran the same share of each stage (compared above): the load's is their sum.
  if (config.stages.is_array()) {
    for (auto& stage : config.stages) {
      stage["target_rate"] = stage.value("target_rate", 0.0) * static_cast<double>(parts.size());
    }
  }
  return config;
}

void note_missing(const std::vector<Part>& parts, MergedRun& run) {
  const int count = parts.front().shard.count;
  std::vector<bool> present(static_cast<std::size_t>(count), false);
  for (const Part& p : parts) present[static_cast<std::size_t>(p.shard.index)] = true;
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    if (present[static_cast<std::size_t>(i)]) continue;
    run.missing_shards.push_back(i);
    names.push_back(shard_text({i, count}));
  }
  if (names.empty()) return;
  run.warnings.push_back("only " + std::to_string(count - static_cast<int>(names.size())) + " of " +
                         std::to_string(count) + " shards: no file for shard " + join(names, ", ") +
                         "; the merged result covers only part of the load");
}

}  // namespace

MergeError::MergeError(std::vector<std::string> problems)
    : std::runtime_error(join(problems, "\n")), problems_(std::move(problems)) {}

MergedRun merge_results(const std::vector<ResultFile>& files) {
  if (files.empty()) throw MergeError({"no result files to merge"});
  std::vector<std::string> problems;
  std::vector<Part> parts;
  for (const ResultFile& file : files) {
    if (auto part = read_part(file, problems)) parts.push_back(std::move(*part));
  }
  if (!problems.empty()) throw MergeError(std::move(problems));
  compare(parts, problems);
  if (!problems.empty()) throw MergeError(std::move(problems));

  MergedRun run;
  try {
    run.stats = merged_stats(parts);
  } catch (const std::invalid_argument& e) {
    throw MergeError({parts.front().file->path + ": " + e.what()});
  }
  run.config = merged_config(parts);
  run.version_line = json_read::text(parts.front().file->result, "kmsconf_version");
  run.merged_from = json::array();
  for (const Part& p : parts) {
    run.merged_from.push_back({{"file", p.file->path}, {"shard", shard_json(p.shard)}});
  }
  note_missing(parts, run);
  return run;
}

json merged_result_json(const MergedRun& run, const std::vector<ThresholdResult>& thresholds,
                        const std::vector<RegressionResult>* regressions,
                        const std::string& baseline_path) {
  json result =
      result_json(run.config, run.stats, thresholds, regressions, baseline_path, run.version_line);
  result["merged_from"] = run.merged_from;
  result["missing_shards"] = run.missing_shards;
  return result;
}

}  // namespace kmsconf::loadgen
