// `kmsconf load --find-limit`: the search with a line per step, and its verdict on the console.
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/load_config.hpp"
#include "loadgen/find_limit_report.hpp"
#include "loadgen/find_limit_run.hpp"
#include "loadgen/setup.hpp"

namespace kmsconf::cli {

// Runs the search of s.find_limit, printing the burst and each step as they end.
loadgen::FindLimitOutcome run_find_limit(const LoadSetup& s, const loadgen::Material& material,
                                         const std::atomic<bool>& stop, std::ostream& out);

// The conclusion, the burst and why it is not judged (if so), from the result file's
// "find_limit" block (loadgen/find_limit_report.hpp words them).
void print_find_limit(std::ostream& out, const nlohmann::json& block);

}  // namespace kmsconf::cli
