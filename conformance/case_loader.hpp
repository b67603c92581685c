// Internals of the case-file loader (not a public API): the FileLoader class and its helpers,
// split by concern over case_file.cpp (files, cases, typed getters), case_steps.cpp (steps,
// expectations, assertions, templates) and case_matrix.cpp (state matrices).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/case_model.hpp"
#include "protocol/json_lines.hpp"
#include "protocol/suggest.hpp"

namespace kmsconf::conformance::loader {

using json = nlohmann::json;

// The one list of accepted field names (the schema test checks the schema against it).
const std::map<std::string, std::vector<std::string>>& field_table();

bool contains(const std::vector<std::string>& names, const std::string& name);
// Shared with other loaders (protocol/): field paths are json_member()/json_element(), type
// names json_kind(), and the lines of fields a LineMap. The CLI spells it loader::suggestion.
using kmsconf::suggestion;

bool is_identifier(const std::string& name);
bool is_header_name(const std::string& name);
bool is_valid_id(const std::string& id);
std::string join(const std::set<std::string>& names);

// First definition of each case id: "file:line".
using IdRegistry = std::map<std::string, std::string>;

// Where a step sits, for the checks that depend on it.
enum class StepRole { Step, Cleanup, MatrixOperation };

// Told about each problem found: (field, reason).
using Report = std::function<void(const std::string& field, const std::string& reason)>;

// What an "ok" matrix cell checks besides its success (docs/case-format.md, "after_ok").
struct AfterOk {
  std::vector<Assertion> result;     // on the operation's own answer
  std::vector<Step> then;            // run after it, each with an expect
  const json* json_value = nullptr;  // the block as written (for the variables check)
  std::string field;                 // where it is written
  bool inferred = false;             // holds an assertion marked inferred
};

// A matrix while it loads: its parts, then one case per (operation x state) cell.
struct MatrixDraft {
  std::string id, title, doc;
  std::vector<std::string> tags, features;
  std::vector<Step> setup, cleanup;
  std::vector<std::string> state_names, op_names;  // in file order
  std::map<std::string, std::vector<Step>> states;
  std::map<std::string, Step> operations;
  std::map<std::pair<std::string, std::string>, Expectation> cells;      // (operation, state)
  std::map<std::string, AfterOk> after_ok;                               // per operation
  std::map<std::pair<std::string, std::string>, AfterOk> cell_after_ok;  // {"ok": {...}} cells
  std::set<std::pair<std::string, std::string>> inferred_cells;  // an inferred assertion in it
};

// ---- the loader of one file -------------------------------------------------------------

class FileLoader {
 public:
  FileLoader(std::string file, const std::string& text, std::string expected_dialect,
             IdRegistry& ids, LoadedCases& out)
      : file_(std::move(file)),
        text_(text),
        expected_dialect_(std::move(expected_dialect)),
        ids_(ids),
        out_(out) {}

  void run();

 private:
  void load();

  // ---- errors ----

  int line_of(const std::string& field) const;
  std::string source(const std::string& field) const;

  void error(const std::string& field, std::string reason);
  void error_at(const std::string& field, const std::string& line_field, std::string reason);
  void type_error(const std::string& field, const json& value, const std::string& wanted);
  void missing(const std::string& parent, const std::string& key);

  void syntax_error(const json::parse_error& e);

  void check_unknown(const json& object, const std::string& field, const std::string& kind);

  // ---- typed getters: report and return nothing on a wrong type ----

  std::optional<std::string> get_string(const json& object, const std::string& parent,
                                        const std::string& key, bool required,
                                        bool non_empty = true);

  std::optional<std::int64_t> get_int(const json& object, const std::string& parent,
                                      const std::string& key, std::int64_t min, std::int64_t max);

  std::optional<bool> get_bool(const json& object, const std::string& parent,
                               const std::string& key);

  const json* get_array(const json& object, const std::string& parent, const std::string& key,
                        bool required = false);

  const json* get_object(const json& object, const std::string& parent, const std::string& key,
                         bool required = false);

  // An array of non-empty strings (validator: an extra per-element check, or null).
  std::vector<std::string> get_strings(const json& object, const std::string& parent,
                                       const std::string& key,
                                       bool (*valid)(const std::string&) = nullptr,
                                       const char* invalid_reason = nullptr);

  // ---- templates ----

  // Reports malformed templates in every string inside `value`.
  void check_template_syntax(const json& value, const std::string& field);

  // Calls report(field, reason) for each variable in `value` that is neither run-wide nor in
  // `captured`.
  void check_variables(const json& value, const std::string& field,
                       const std::set<std::string>& captured, const Report& report);

  // Checks the variables a step uses and adds the ones it captures. Params and region may use
  // earlier captures; expectations and retry conditions also the step's own.
  void step_variables(const json& step, const std::string& field, std::set<std::string>& captured,
                      const Report& report);

  // ---- assertions, expectations, retry, auth, capture ----

  std::vector<Assertion> load_assertions(const json& object, const std::string& parent,
                                         const std::string& key, bool required);

  std::optional<Assertion> load_assertion(const json& value, const std::string& field);

  Expectation load_expect(const json& value, const std::string& field);

  std::optional<Retry> load_retry(const json& value, const std::string& field);
  std::optional<Burst> load_burst(const json& value, const std::string& field);

  AuthOverride load_auth(const json& value, const std::string& field, bool first_step);

  std::map<std::string, std::string> load_capture(const json& value, const std::string& field);

  Step load_step(const json& value, const std::string& field, StepRole role, bool first_step);

  std::vector<Step> load_steps(const json& object, const std::string& parent,
                               const std::string& key, StepRole role, bool required,
                               bool opening = true);

  // ---- cases ----

  bool claim_id(const std::string& id, const std::string& field);

  std::vector<std::string> tags_with(const std::vector<std::string>& own,
                                     std::initializer_list<std::string> extra);

  std::optional<std::string> load_id(const json& value, const std::string& field);

  void load_case(const json& value, const std::string& field);

  // ---- matrices (case_matrix.cpp) ----

  // Keys of an object in the order the file writes them.
  std::vector<std::string> keys_in_file_order(const json& object, const std::string& field) const;

  // Operation and state names become part of case ids.
  void check_cell_name(const std::string& field, const std::string& name);

  void load_matrix(const json& value, const std::string& field);
  void load_matrix_states(const json& value, const std::string& field, MatrixDraft& m);
  void load_matrix_operations(const json& value, const std::string& field, MatrixDraft& m);
  void load_matrix_after_ok(const json& value, const std::string& field, MatrixDraft& m);
  std::optional<AfterOk> load_after_ok_block(const json& value, const std::string& field);
  void load_matrix_cells(const json& value, const std::string& field, MatrixDraft& m);
  void load_matrix_cell(const std::string& op, const std::string& state, const json& cell,
                        const std::string& cell_field, MatrixDraft& m);
  const AfterOk* after_ok_of(const MatrixDraft& m, const std::string& op,
                             const std::string& state) const;
  void check_after_ok_used(const MatrixDraft& m, const std::string& field);
  void check_result_variables(const AfterOk& after, const std::set<std::string>& captured,
                              const Report& report);
  void check_matrix_variables(const json& value, const std::string& field, const MatrixDraft& m);
  Case matrix_case(const MatrixDraft& m, const std::string& op, const std::string& state);

  std::string file_;
  const std::string& text_;
  std::string expected_dialect_;
  IdRegistry& ids_;
  LoadedCases& out_;
  std::shared_ptr<const LineMap> lines_;
  std::string dialect_;
  std::vector<std::string> file_tags_;
  bool inferred_ = false;  // an assertion of the current case is marked inferred
};

}  // namespace kmsconf::conformance::loader
