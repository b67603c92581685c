// The HTML report of a `kmsconf load` run: one self-contained page made from its result JSON.
//
// Sections (element ids): #summary (verdict, counts, outcome bar, latency table), #checks
// (thresholds and baseline regressions), #timeline (#latency-over-time, #throughput-over-time:
// each second's outcomes stacked), #percentiles (#percentile-spectrum and its table, computed from
// the result's histograms), #operations, #find-limit (when the result has a find_limit block),
// #shards (config.shard or merged_from) and #config (every config field, the workload). The page
// looks like the conformance report (html_page.hpp), fetches nothing, and reads without script.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace kmsconf::reports {

// The page. A result file is user input: a missing, mistyped or hostile field renders as absent
// (or escaped), never throws, and never puts NaN in the page. Config fields named like a secret
// (secret, token, password, ...) show no value even if a file holds them.
std::string render_load_html(const nlohmann::json& result);

// Throws std::runtime_error naming the path when it cannot be written.
void write_load_html(const nlohmann::json& result, const std::string& path);

}  // namespace kmsconf::reports
