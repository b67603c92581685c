// Body assertions of case files: a JSON path and one predicate (docs/case-format.md,
// "Assertions"). The loader checks arguments with validate_assertion; the runner evaluates.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/case_model.hpp"
#include "conformance/templates.hpp"

namespace kmsconf::conformance {

struct AssertionResult {
  bool ok = false;
  // Names the path, the predicate, the expectation and the actual value (cut to ~200 chars):
  // `Result.Key.KeyState: expected equals "Enable", got "Disable"`. The root path prints as
  // "(root)"; a missing value as "nothing (no such path)".
  std::string message;
};

// Evaluates one assertion against a response body. Templates in the arguments of equals,
// not_equals, one_of and contains, and near_time's `from`, are expanded first: throws
// TemplateError on an unknown variable. near_time's "now" is context.now(). A malformed assertion
// (bad path, unknown predicate, wrong argument) does not throw: it fails with a message saying so
// (the loader rejects those before a run).
AssertionResult evaluate(const Assertion& assertion, const nlohmann::json& body,
                         const TemplateContext& context);

// A problem with an assertion as written. `field` is relative to the assertion object:
// "path", the predicate name ("equals"), or deeper for shapes ("shape.properties.ID.type").
struct AssertionProblem {
  std::string field;
  std::string reason;
};

// Checks the path syntax, that the predicate is known and that its argument has the right
// type (regexes compile, counts are non-negative integers, shapes use the supported subset).
// Empty when the assertion is well formed.
std::vector<AssertionProblem> validate_assertion(const Assertion& assertion);

// Every predicate name, in the doc's order.
const std::vector<std::string>& predicate_names();
bool is_predicate(std::string_view name);
// Whether evaluate expands templates in this predicate's argument.
bool predicate_expands_templates(std::string_view name);

// The keywords of the JSON-Schema subset `shape` understands.
const std::vector<std::string>& shape_keywords();

}  // namespace kmsconf::conformance
