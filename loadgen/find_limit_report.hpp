// What a result's find_limit block says, in the words the console and the HTML report share.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kmsconf::loadgen {

// "rate limit at 1025.0 req/s sustained, refused at 1037.5 req/s", "capacity limit (...) at ...",
// "no limit up to 2000.0 req/s", with " (NOT CONVERGED)" when the search did not converge.
std::string find_limit_conclusion(const nlohmann::json& block);

// "2126 requests accepted from idle before the first throttling answer", or "no throttling
// answer in 5000 requests from idle".
std::string find_limit_burst(const nlohmann::json& block);

// Why the search's answer cannot be trusted as asked (unjudgeable, budget spent, stopped), or "".
// The block is user input when read from a file: odd fields read as absent, never throw.
std::string find_limit_unjudged(const nlohmann::json& block);

}  // namespace kmsconf::loadgen
