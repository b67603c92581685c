// Suite strength: how many loaded cases (matrix cells included) check little, so a weakening of
// the fixtures shows up as a failing ceiling instead of silently. Counts, per dialect:
//   no-body      cases with no body assertion on any step (checks only status/code/message)
//   status-code  cases whose checks are only status and code (no body assertion, no message)
//   errors       cases with a step expecting a non-empty error code
//   pinned       those of them whose every such step also pins the message (message_matches)
// KMSCONF_STRENGTH_FIXTURES=<dir> measures another fixtures directory (e.g. a copy taken before
// a change) and only prints the counts: `KMSCONF_STRENGTH_FIXTURES=/tmp/fixtures-before
// build/tests/test_conformance --gtest_filter='SuiteStrength.*'`.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "conformance/case_file.hpp"

namespace kmsconf::conformance {
namespace {

struct Strength {
  int cases = 0;
  int no_body = 0;
  int status_code_only = 0;
  int errors = 0;
  int errors_pinned = 0;
};

bool has_body(const Case& c) {
  for (const auto& step : c.steps) {
    if (!step.expect.body.empty()) return true;
  }
  return false;
}

bool has_message(const Case& c) {
  for (const auto& step : c.steps) {
    if (step.expect.message_matches) return true;
  }
  return false;
}

// {is an error case, every error step pins its message}.
std::pair<bool, bool> error_case(const Case& c) {
  bool error = false, pinned = true;
  for (const auto& step : c.steps) {
    if (step.expect.code && !step.expect.code->empty()) {
      error = true;
      pinned = pinned && step.expect.message_matches.has_value();
    }
  }
  return {error, error && pinned};
}

Strength measure(const std::vector<Case>& cases) {
  Strength s;
  for (const auto& c : cases) {
    ++s.cases;
    const bool body = has_body(c);
    if (!body) ++s.no_body;
    if (!body && !has_message(c)) ++s.status_code_only;
    const auto [error, pinned] = error_case(c);
    s.errors += error;
    s.errors_pinned += pinned;
  }
  return s;
}

std::string fixtures_dir() {
  const char* dir = std::getenv("KMSCONF_STRENGTH_FIXTURES");
  return dir && *dir ? dir : std::string(KMSCONF_SOURCE_DIR) + "/fixtures";
}

bool measuring_elsewhere() {
  const char* dir = std::getenv("KMSCONF_STRENGTH_FIXTURES");
  return dir && *dir;
}

std::map<std::string, Strength> measure_suites() {
  std::map<std::string, Strength> out;
  for (const char* dialect : {"volcengine", "alibaba"}) {
    const auto loaded = load_case_dir(fixtures_dir() + "/" + dialect, dialect);
    for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
    out[dialect] = measure(loaded.cases);
  }
  return out;
}

void print(const std::map<std::string, Strength>& suites) {
  std::printf("suite strength of %s\n", fixtures_dir().c_str());
  std::printf("dialect      cases  no-body  status-code-only  error-cases  message-pinned\n");
  for (const auto& [dialect, s] : suites) {
    std::printf("%-11s %6d %8d %17d %12d %15d\n", dialect.c_str(), s.cases, s.no_body,
                s.status_code_only, s.errors, s.errors_pinned);
  }
}

// The measures themselves, on cases built here.
TEST(SuiteStrength, CountsWhatEachCaseChecks) {
  Case weak;  // status only
  weak.steps.push_back(Step{});
  weak.steps[0].expect.status = 200;
  Case message = weak;  // an error with its message pinned
  message.steps[0].expect = {400, "InvalidParameter", "^bad$", {}};
  Case unpinned = weak;  // an error without its message, but with a body assertion
  unpinned.steps[0].expect = {400, "InvalidParameter", std::nullopt, {Assertion{}}};
  Case mixed = message;  // two error steps, one unpinned
  mixed.steps.push_back(unpinned.steps[0]);
  const Strength s = measure({weak, message, unpinned, mixed});
  EXPECT_EQ(s.cases, 4);
  EXPECT_EQ(s.no_body, 2);           // weak, message
  EXPECT_EQ(s.status_code_only, 1);  // weak
  EXPECT_EQ(s.errors, 3);            // message, unpinned, mixed
  EXPECT_EQ(s.errors_pinned, 1);     // message
}

// Ceilings at the values the suites reach; lower them when the suites get stronger.
TEST(SuiteStrength, WeakCasesStayUnderTheirCeilings) {
  const auto suites = measure_suites();
  print(suites);
  if (measuring_elsewhere()) GTEST_SKIP() << "measured " << fixtures_dir() << "; no ceilings";
  struct Ceiling {
    int no_body, status_code_only, errors_unpinned;
  };
  // Measured 2026-12-07 after issue 8 (before it: volcengine 299 / 60 / 10, alibaba
  // 307 / 209 / 167 of 554 and 515 cases).
  const std::map<std::string, Ceiling> ceilings = {
      {"volcengine", {235, 0, 0}},
      {"alibaba", {65, 4, 10}},
  };
  for (const auto& [dialect, ceiling] : ceilings) {
    const Strength& s = suites.at(dialect);
    EXPECT_LE(s.no_body, ceiling.no_body) << dialect << ": cases with no body assertion";
    EXPECT_LE(s.status_code_only, ceiling.status_code_only)
        << dialect << ": cases checking only status and code";
    EXPECT_LE(s.errors - s.errors_pinned, ceiling.errors_unpinned)
        << dialect << ": error cases that do not pin the message";
  }
}

}  // namespace
}  // namespace kmsconf::conformance
