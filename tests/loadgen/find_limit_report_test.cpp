// The find_limit block in words: each kind's conclusion, the burst, why a search is not judged,
// the verdict of a result holding one, and odd blocks read without throwing.
#include "loadgen/find_limit_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/result.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;

json converged_rate_limit() {
  return {{"kind", "rate_limit"},    {"converged", true},
          {"sustained_rps", 1025.0}, {"ceiling_rps", 1037.5},
          {"burst", 2126},           {"burst_requests", 2146},
          {"budget_spent", false},   {"criteria", {{"precision", 0.02}}}};
}

TEST(FindLimitReport, ConclusionOfEachKind) {
  json block = converged_rate_limit();
  EXPECT_EQ(find_limit_conclusion(block),
            "rate limit at 1025.0 req/s sustained, refused at 1037.5 req/s");
  block["kind"] = "capacity";
  EXPECT_EQ(find_limit_conclusion(block),
            "capacity limit (latency, errors or unsent rose; no throttling) at 1025.0 req/s "
            "sustained, refused at 1037.5 req/s");
  block["kind"] = "none";
  block["ceiling_rps"] = nullptr;
  EXPECT_EQ(find_limit_conclusion(block), "no limit up to 1025.0 req/s");
  block["converged"] = false;
  EXPECT_EQ(find_limit_conclusion(block), "no limit up to 1025.0 req/s (NOT CONVERGED)");
}

TEST(FindLimitReport, Burst) {
  json block = converged_rate_limit();
  EXPECT_EQ(find_limit_burst(block),
            "2126 requests accepted from idle before the first throttling answer");
  block["burst"] = nullptr;
  EXPECT_EQ(find_limit_burst(block), "no throttling answer in 2146 requests from idle");
}

TEST(FindLimitReport, WhyASearchIsNotJudged) {
  json block = converged_rate_limit();
  EXPECT_EQ(find_limit_unjudged(block), "");
  block["converged"] = false;
  EXPECT_EQ(find_limit_unjudged(block), "the search stopped before it converged");
  block["budget_spent"] = true;
  EXPECT_EQ(find_limit_unjudged(block), "--duration ran out before the bracket was within 2%");
  block["unjudgeable"] = "every step was refused with InvalidAccessKeyId";
  EXPECT_EQ(find_limit_unjudged(block), "every step was refused with InvalidAccessKeyId");
  EXPECT_EQ(find_limit_unjudged(json(nullptr)), "");
}

TEST(FindLimitReport, OddBlocksReadAsAbsent) {
  const json odd = {{"kind", 7},           {"converged", "yes"}, {"sustained_rps", "fast"},
                    {"ceiling_rps", "x"},  {"burst", "many"},    {"criteria", 3},
                    {"budget_spent", true}};
  EXPECT_EQ(find_limit_conclusion(odd), "no limit up to 0.0 req/s (NOT CONVERGED)");
  EXPECT_EQ(find_limit_burst(odd), "no throttling answer in 0 requests from idle");
  EXPECT_EQ(find_limit_unjudged(odd), "--duration ran out before the bracket was within 0%");
  for (const json& block : {json::array(), json("x"), json::object()}) {
    EXPECT_NO_THROW(find_limit_conclusion(block));
    EXPECT_NO_THROW(find_limit_burst(block));
    EXPECT_NO_THROW(find_limit_unjudged(block));
  }
}

// A search that did not converge answered nothing it was asked: NOT JUDGED (exit code 3), as the
// console's result line says, although its steps sent and got answers.
TEST(FindLimitReport, TheResultVerdictOfASearch) {
  json result = {{"summary",
                  {{"requests", 100},
                   {"connections_opened", 2},
                   {"outcomes", {{"ok", 90}, {"throttled", 10}}}}},
                 {"thresholds", json::array()},
                 {"passed", true},
                 {"find_limit", converged_rate_limit()}};
  EXPECT_EQ(verdict_of(result).text(), "PASS (no thresholds or baseline to check)");
  result["find_limit"]["converged"] = false;
  result["find_limit"]["budget_spent"] = true;
  result["passed"] = false;
  EXPECT_EQ(verdict_of(result).text(),
            "NOT JUDGED (--duration ran out before the bracket was within 2%)");
}

}  // namespace
}  // namespace kmsconf::loadgen
