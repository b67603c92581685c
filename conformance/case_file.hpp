// Loads conformance case files (fixtures/<dialect>/*.json, JSON with comments) into Cases,
// checking every field against docs/case-format.md. A problem is reported with file, line
// and field (`keys.json:42: cases[3].steps[0].expect.status: must be an integer`); the
// malformed case (or matrix) is skipped and the file's other cases still load. A JSON syntax
// error makes the whole file one error. Matrices expand into one case per operation x state.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "conformance/case_model.hpp"

namespace kmsconf::conformance {

// One file. `expected_dialect` is the suite's (the folder's) dialect; the file's "dialect"
// must equal it. Empty accepts any known dialect.
LoadedCases load_case_file(const std::string& path, const std::string& expected_dialect);

// Every *.json directly in `dir`, in sorted order. Case ids are unique across the directory:
// a later duplicate is an error and is skipped.
LoadedCases load_case_dir(const std::string& dir, const std::string& dialect);

// The same checks over text already in memory; `file` names it in errors and sources.
LoadedCases load_case_text(const std::string& text, const std::string& file,
                           const std::string& expected_dialect);

// The dialects case files may name (protocol/dialect_id.hpp).
const std::vector<std::string>& known_dialects();

// Every field name the loader accepts, per kind of object: "file" (the top level), "case",
// "matrix", "after_ok" (a matrix operation's ok-cell checks), "step", "auth", "expect", "retry",
// "assertion" (path, inferred and every predicate), "shape" (the JSON-Schema subset) and "range"
// ({"min", "max"}). Anything else is an error. fixtures/schema/case.schema.json lists exactly these
// (a test keeps them in step).
const std::map<std::string, std::vector<std::string>>& accepted_fields();

}  // namespace kmsconf::conformance
