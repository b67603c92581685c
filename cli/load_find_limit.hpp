// `kmsconf load --find-limit`: the search with a line per step, and its verdict on the console.
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/load_config.hpp"
#include "loadgen/find_limit_run.hpp"
#include "loadgen/setup.hpp"

namespace kmsconf::cli {

// Runs the search of s.find_limit, printing the burst and each step as they end.
loadgen::FindLimitOutcome run_find_limit(const LoadSetup& s, const loadgen::Material& material,
                                         const std::atomic<bool>& stop, std::ostream& out);

// The step table and the conclusion, from the result file's "find_limit" block.
void print_find_limit(std::ostream& out, const nlohmann::json& block);

// Why the search's answer cannot be trusted as asked (unjudgeable, budget spent), or "".
std::string find_limit_unjudged(const nlohmann::json& block);

}  // namespace kmsconf::cli
