// The find_limit block in words (find_limit_report.hpp).
#include "loadgen/find_limit_report.hpp"

#include <cstdio>

#include "loadgen/json_read.hpp"

namespace kmsconf::loadgen {
namespace {

using json_read::member;
using json_read::number;
using json_read::text;
using nlohmann::json;

std::string fixed(double value, int digits) {
  char buffer[512];  // holds any finite double in %f
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string kind_text(const std::string& kind) {
  if (kind == "rate_limit") return "rate limit";
  if (kind == "capacity") return "capacity limit (latency, errors or unsent rose; no throttling)";
  return "no limit";
}

}  // namespace

std::string find_limit_conclusion(const json& block) {
  const std::string kind = text(block, "kind");
  const std::string sustained = fixed(number(block, "sustained_rps").value_or(0), 1);
  std::string line = kind_text(kind);
  if (kind == "rate_limit" || kind == "capacity") {
    line += " at " + sustained + " req/s sustained";
    if (const auto ceiling = number(block, "ceiling_rps")) {
      line += ", refused at " + fixed(*ceiling, 1) + " req/s";
    }
  } else {
    line += " up to " + sustained + " req/s";
  }
  return line + (member(block, "converged") == true ? "" : " (NOT CONVERGED)");
}

std::string find_limit_burst(const json& block) {
  if (const auto burst = number(block, "burst")) {
    return fixed(*burst, 0) + " requests accepted from idle before the first throttling answer";
  }
  return "no throttling answer in " + fixed(number(block, "burst_requests").value_or(0), 0) +
         " requests from idle";
}

std::string find_limit_unjudged(const json& block) {
  if (!block.is_object()) return "";
  if (block.contains("unjudgeable")) return text(block, "unjudgeable");
  if (member(block, "converged") == true) return "";
  if (member(block, "budget_spent") == true) {
    return "--duration ran out before the bracket was within " +
           fixed(100 * number(member(block, "criteria"), "precision").value_or(0), 0) + "%";
  }
  return "the search stopped before it converged";
}

}  // namespace kmsconf::loadgen
