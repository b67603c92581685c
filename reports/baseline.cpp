#include "reports/baseline.hpp"

#include <map>
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

bool failed(Outcome outcome) {
  return outcome == Outcome::Fail || outcome == Outcome::Error;
}

bool unjudged(Outcome outcome) {
  return outcome == Outcome::Error || outcome == Outcome::Skip || outcome == Outcome::NotRun;
}

// Per id: did every result with that id pass, the first Fail, the first Error or Skip. (Ids are
// unique in a well-formed suite; this keeps a duplicated id from hiding a failure.)
struct IdState {
  bool all_pass = true;
  bool any_failed = false;  // Fail or Error (what "fixed" looks for in the baseline)
  const CaseResult* first_fail = nullptr;
  const CaseResult* first_unjudged = nullptr;
};

std::unordered_map<std::string, IdState> index(const RunReport& report) {
  std::unordered_map<std::string, IdState> states;
  for (const auto& result : report.results) {
    auto& state = states[result.id];
    if (result.outcome != Outcome::Pass) state.all_pass = false;
    if (failed(result.outcome)) state.any_failed = true;
    if (result.outcome == Outcome::Fail && state.first_fail == nullptr) {
      state.first_fail = &result;
    }
    if (unjudged(result.outcome) && state.first_unjudged == nullptr) {
      state.first_unjudged = &result;
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
    } else if (was->second.all_pass && now.first_fail != nullptr) {
      comparison.regressions.push_back(
          {result.id, Outcome::Pass, Outcome::Fail, now.first_fail->message});
    } else if (was->second.all_pass && now.first_unjudged != nullptr) {
      comparison.unjudged.push_back(
          {result.id, Outcome::Pass, now.first_unjudged->outcome, now.first_unjudged->message});
    } else if (was->second.any_failed && now.all_pass) {
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

namespace {

std::string listed(const std::vector<std::string>& items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string endpoints_text(const std::map<std::string, std::string>& endpoints) {
  std::string out;
  for (const auto& [dialect, endpoint] : endpoints) {
    out += (out.empty() ? "" : ", ") + dialect + "=" + endpoint;
  }
  return out.empty() ? "(none)" : out;
}

void differ(std::vector<std::string>& out, const std::string& what, const std::string& was,
            const std::string& now) {
  if (was != now) out.push_back(what + ": baseline " + was + ", this run " + now);
}

}  // namespace

std::vector<std::string> identity_differences(const RunReport& baseline,
                                              const conformance::RunIdentity& current,
                                              const std::vector<std::string>& current_ids) {
  std::vector<std::string> out;
  if (!baseline.has_identity) {
    out.push_back("the baseline records no identity (made by an older kmsconf): make it again");
    return out;
  }
  const auto& was = baseline.identity;
  differ(out, "dialects", listed(was.dialects), listed(current.dialects));
  differ(out, "endpoints", endpoints_text(was.endpoints), endpoints_text(current.endpoints));
  differ(out, "--filter", listed(was.filters), listed(current.filters));
  differ(out, "--tags", listed(was.tags), listed(current.tags));
  differ(out, "--exclude-tags", listed(was.exclude_tags), listed(current.exclude_tags));
  differ(out, "regions", endpoints_text(was.regions), endpoints_text(current.regions));
  differ(out, "features the selected cases need", listed(was.features), listed(current.features));
  if (!out.empty()) return out;
  // Same target and selection, but the suite itself may have moved on: most of the baseline's
  // cases gone means it no longer describes this suite.
  std::unordered_set<std::string> now(current_ids.begin(), current_ids.end());
  std::unordered_set<std::string> then;
  for (const auto& r : baseline.results) then.insert(r.id);
  size_t missing = 0;
  for (const auto& id : then) missing += now.contains(id) ? 0 : 1;
  if (!then.empty() && missing * 2 > then.size()) {
    out.push_back(std::to_string(missing) + " of the baseline's " + std::to_string(then.size()) +
                  " cases are not in this run's selection");
  }
  return out;
}

std::vector<Regression> regressions(const RunReport& baseline, const RunReport& current) {
  return compare(baseline, current).regressions;
}

std::string summarize(const BaselineComparison& comparison) {
  const size_t n = comparison.regressions.size();
  const size_t u = comparison.unjudged.size();
  std::string out = "baseline: ";
  if (n == 0) {
    out += "no regressions";
  } else {
    out += std::to_string(n) + (n == 1 ? " regression" : " regressions") +
           " (passed in the baseline, " + (n == 1 ? "fails" : "fail") + " now)";
  }
  out += "; " + std::to_string(u) + " unjudged";
  if (u > 0) out += " (passed in the baseline, Error, Skip or NotRun now)";
  out += ", " + std::to_string(comparison.fixed.size()) + " fixed, " +
         std::to_string(comparison.new_cases.size()) + " new, " +
         std::to_string(comparison.missing.size()) + " missing\n";
  for (const auto* list : {&comparison.regressions, &comparison.unjudged}) {
    for (const auto& change : *list) {
      out += "  " + sanitize_text(change.id) + ": " + std::string(outcome_label(change.was)) +
             " -> " + std::string(outcome_label(change.now));
      if (!change.message.empty()) out += ": " + one_line(change.message);
      out += "\n";
    }
  }
  return out;
}

}  // namespace kmsconf::reports
