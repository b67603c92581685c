#include "reports/baseline.hpp"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "reports/text.hpp"

namespace kmsconf::reports {
namespace {

using conformance::CaseResult;
using conformance::Outcome;
using conformance::RunReport;

constexpr size_t kMaxSummaryMessage = 200;

bool fails(Outcome outcome) {
  return outcome == Outcome::Fail || outcome == Outcome::Error;
}

// Per id: did every result with that id pass / did any fail. (Ids are unique in a well-formed
// suite; this keeps a duplicated id from hiding a failure.)
struct IdState {
  bool all_pass = true;
  bool any_fail = false;
  const CaseResult* first_failure = nullptr;
};

std::unordered_map<std::string, IdState> index(const RunReport& report) {
  std::unordered_map<std::string, IdState> states;
  for (const auto& result : report.results) {
    auto& state = states[result.id];
    if (result.outcome != Outcome::Pass) state.all_pass = false;
    if (fails(result.outcome)) {
      state.any_fail = true;
      if (state.first_failure == nullptr) state.first_failure = &result;
    }
  }
  return states;
}

std::string one_line(std::string_view message) {
  std::string line = sanitize_text(message.substr(0, message.find_first_of("\r\n")));
  if (line.size() > kMaxSummaryMessage) {
    line = std::string(truncate_utf8(line, kMaxSummaryMessage)) + "...";
  }
  return line;
}

}  // namespace

BaselineComparison compare(const RunReport& baseline, const RunReport& current) {
  const auto before = index(baseline);
  const auto after = index(current);
  BaselineComparison comparison;
  std::unordered_set<std::string> seen;
  for (const auto& result : current.results) {
    if (!seen.insert(result.id).second) continue;
    const auto& now = after.at(result.id);
    const auto was = before.find(result.id);
    if (was == before.end()) {
      comparison.new_cases.push_back(result.id);
    } else if (was->second.all_pass && now.any_fail) {
      comparison.regressions.push_back(
          {result.id, Outcome::Pass, now.first_failure->outcome, now.first_failure->message});
    } else if (was->second.any_fail && now.all_pass) {
      comparison.fixed.push_back(result.id);
    }
  }
  std::unordered_set<std::string> listed;
  for (const auto& result : baseline.results) {
    if (!after.contains(result.id) && listed.insert(result.id).second) {
      comparison.missing.push_back(result.id);
    }
  }
  return comparison;
}

std::vector<Regression> regressions(const RunReport& baseline, const RunReport& current) {
  return compare(baseline, current).regressions;
}

std::string summarize(const BaselineComparison& comparison) {
  const size_t n = comparison.regressions.size();
  std::string out = "baseline: ";
  if (n == 0) {
    out += "no regressions";
  } else {
    out += std::to_string(n) + (n == 1 ? " regression" : " regressions") +
           " (passed in the baseline, " + (n == 1 ? "fails" : "fail") + " now)";
  }
  out += "; " + std::to_string(comparison.fixed.size()) + " fixed, " +
         std::to_string(comparison.new_cases.size()) + " new, " +
         std::to_string(comparison.missing.size()) + " missing\n";
  for (const auto& regression : comparison.regressions) {
    out += "  " + sanitize_text(regression.id) + ": " + std::string(outcome_label(regression.was)) +
           " -> " + std::string(outcome_label(regression.now));
    if (!regression.message.empty()) out += ": " + one_line(regression.message);
    out += "\n";
  }
  return out;
}

}  // namespace kmsconf::reports
