// A result file read back into the RunStats and LoadConfig it was written from, so that files
// merged from several generators go through result_json exactly like one run's statistics.
#pragma once

#include <nlohmann/json.hpp>

#include "loadgen/result.hpp"
#include "loadgen/stats.hpp"

namespace kmsconf::loadgen {

// Every operation's outcomes and histograms (exact: the histograms are the full distributions),
// the timeline, and the summary's counts, duration, start and stop. std::invalid_argument naming
// the field ("histograms.per_op.Encrypt.latency: ...") when the file lacks one or its counts
// contradict each other. The timeline's per-second latencies come back to the microsecond.
RunStats run_stats_of(const nlohmann::json& result);

// The config block as written (shard included); what it lacks stays at its default.
LoadConfig load_config_of(const nlohmann::json& result);

}  // namespace kmsconf::loadgen
