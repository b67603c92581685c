// Loading state matrices of case files: one generated case per (operation x state) cell, with
// the "ok" cells' after_ok checks (docs/case-format.md, "Matrices"; part of FileLoader,
// conformance/case_loader.hpp).
#include <algorithm>

#include "conformance/case_loader.hpp"
#include "conformance/predicates.hpp"

namespace kmsconf::conformance::loader {

namespace {

// A cell expecting success: "ok", {"ok": {...}}, or an expectation that names neither an error
// code, a status other than 200, nor a message.
bool expects_success(const Expectation& e) {
  return (!e.status || *e.status == 200) && (!e.code || e.code->empty()) && !e.message_matches;
}

const json* member_of(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() ? &*it : nullptr;
}

}  // namespace

// Keys of an object in the order the file writes them.
std::vector<std::string> FileLoader::keys_in_file_order(const json& object,
                                                        const std::string& field) const {
  std::vector<std::pair<int, std::string>> keyed;
  for (const auto& [key, item] : object.items())
    keyed.emplace_back(line_of(json_member(field, key)), key);
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> keys;
  for (auto& [line, key] : keyed) keys.push_back(std::move(key));
  return keys;
}

// Operation and state names become part of case ids.
void FileLoader::check_cell_name(const std::string& field, const std::string& name) {
  if (!is_valid_id(name)) error(field, "name must not be empty or contain spaces");
}

// states: name -> the steps that bring a fresh key there.
void FileLoader::load_matrix_states(const json& value, const std::string& field, MatrixDraft& m) {
  const std::string states_field = json_member(field, "states");
  const json* s = get_object(value, field, "states", true);
  if (!s) return;
  if (s->empty()) error(states_field, "must name at least one state");
  m.state_names = keys_in_file_order(*s, states_field);
  for (const auto& name : m.state_names) {
    check_cell_name(json_member(states_field, name), name);
    m.states[name] = load_steps(*s, states_field, name, StepRole::Step, false, /*opening=*/false);
  }
}

// operations: name -> the step each cell sends.
void FileLoader::load_matrix_operations(const json& value, const std::string& field,
                                        MatrixDraft& m) {
  const std::string ops_field = json_member(field, "operations");
  const json* o = get_object(value, field, "operations", true);
  if (!o) return;
  if (o->empty()) error(ops_field, "must name at least one operation");
  m.op_names = keys_in_file_order(*o, ops_field);
  for (const auto& name : m.op_names) {
    check_cell_name(json_member(ops_field, name), name);
    m.operations[name] =
        load_step(o->at(name), json_member(ops_field, name), StepRole::MatrixOperation, false);
  }
}

// {"result": [assertions], "then": [steps]}: what an ok cell checks besides its success.
std::optional<AfterOk> FileLoader::load_after_ok_block(const json& value,
                                                       const std::string& field) {
  if (!value.is_object()) {
    type_error(field, value, "an object {\"result\": [assertions], \"then\": [steps]}");
    return std::nullopt;
  }
  const std::size_t before = out_.errors.size();
  const bool matrix_inferred = inferred_;
  inferred_ = false;
  check_unknown(value, field, "after_ok");
  AfterOk after;
  after.json_value = &value;
  after.field = field;
  after.result = load_assertions(value, field, "result", false);
  after.then = load_steps(value, field, "then", StepRole::Step, false, /*opening=*/false);
  for (const char* key : {"result", "then"}) {
    if (const json* list = member_of(value, key); list && list->is_array() && list->empty()) {
      error(json_member(field, key), "must not be empty (leave it out instead)");
    }
  }
  if (!value.contains("result") && !value.contains("then")) {
    error(field, "names nothing to check: give \"result\" and/or \"then\"");
  }
  const json* then = member_of(value, "then");
  for (std::size_t i = 0; then && then->is_array() && i < then->size(); ++i) {
    if ((*then)[i].is_object() && !(*then)[i].contains("expect")) {
      error(json_element(json_member(field, "then"), i),
            "a \"then\" step needs an \"expect\": its failure must fail the cell, not skip it");
    }
  }
  after.inferred = inferred_;  // an inferred assertion here marks only the cells using it
  inferred_ = matrix_inferred;
  if (out_.errors.size() != before) return std::nullopt;
  return after;
}

// after_ok: operation -> block, for every ok cell of that operation.
void FileLoader::load_matrix_after_ok(const json& value, const std::string& field, MatrixDraft& m) {
  const std::string after_field = json_member(field, "after_ok");
  const json* a = get_object(value, field, "after_ok", false);
  if (!a) return;
  for (const auto& [op, block] : a->items()) {
    const std::string op_field = json_member(after_field, op);
    if (!contains(m.op_names, op)) {
      error(op_field,
            "\"" + op + "\" is not one of the matrix's operations" + suggestion(op, m.op_names));
    } else if (auto after = load_after_ok_block(block, op_field)) {
      m.after_ok[op] = std::move(*after);
    }
  }
}

// One cell: "ok", {"ok": {after_ok block}}, or an expectation {status, code, ...}.
void FileLoader::load_matrix_cell(const std::string& op, const std::string& state, const json& cell,
                                  const std::string& cell_field, MatrixDraft& m) {
  const std::pair<std::string, std::string> key{op, state};
  const Expectation ok{200, std::string(), std::nullopt, {}};
  if (cell == "ok") {
    m.cells[key] = ok;
  } else if (cell.is_string()) {
    error(cell_field,
          "must be \"ok\", {\"ok\": {result, then}} or an object {status, code}, got \"" +
              cell.get<std::string>() + "\"");
  } else if (cell.is_object() && cell.contains("ok")) {
    if (cell.size() != 1) {
      error(cell_field,
            "an {\"ok\": ...} cell holds nothing else (its success is the expectation)");
    } else if (auto after = load_after_ok_block(cell.at("ok"), json_member(cell_field, "ok"))) {
      m.cells[key] = ok;
      m.cell_after_ok[key] = std::move(*after);
    }
  } else if (cell.is_object()) {
    const bool matrix_inferred = inferred_;
    inferred_ = false;
    m.cells[key] = load_expect(cell, cell_field);
    if (inferred_) m.inferred_cells.insert(key);
    inferred_ = matrix_inferred;
  } else {
    type_error(cell_field, cell, "\"ok\", {\"ok\": {result, then}} or an object {status, code}");
  }
}

// expect: operation -> state -> cell; every operation needs a cell for every state.
void FileLoader::load_matrix_cells(const json& value, const std::string& field, MatrixDraft& m) {
  const std::string expect_field = json_member(field, "expect");
  const json* e = get_object(value, field, "expect", true);
  if (!e) return;
  for (const auto& [op, row] : e->items()) {
    const std::string row_field = json_member(expect_field, op);
    if (!contains(m.op_names, op)) {
      error(row_field,
            "\"" + op + "\" is not one of the matrix's operations" + suggestion(op, m.op_names));
      continue;
    }
    if (!row.is_object()) {
      type_error(row_field, row, "an object {\"<state>\": \"ok\" | {status, code}}");
      continue;
    }
    for (const auto& [state, cell] : row.items()) {
      const std::string cell_field = json_member(row_field, state);
      if (!contains(m.state_names, state)) {
        error(cell_field, "\"" + state + "\" is not one of the matrix's states" +
                              suggestion(state, m.state_names));
      } else {
        load_matrix_cell(op, state, cell, cell_field, m);
      }
    }
  }
  for (const auto& op : m.op_names) {
    const std::string row_field = json_member(expect_field, op);
    if (!e->contains(op)) {
      error_at(row_field, expect_field,
               "missing: operation \"" + op + "\" needs an expectation for every state");
      continue;
    }
    if (!e->at(op).is_object()) continue;
    for (const auto& state : m.state_names) {
      if (!e->at(op).contains(state)) {
        error_at(
            json_member(row_field, state), row_field,
            "missing: operation \"" + op + "\" needs an expectation for state \"" + state + "\"");
      }
    }
  }
}

// The after_ok block a cell gets: its own, else its operation's when the cell expects success.
const AfterOk* FileLoader::after_ok_of(const MatrixDraft& m, const std::string& op,
                                       const std::string& state) const {
  if (auto it = m.cell_after_ok.find({op, state}); it != m.cell_after_ok.end()) return &it->second;
  auto cell = m.cells.find({op, state});
  if (cell == m.cells.end() || !expects_success(cell->second)) return nullptr;
  auto it = m.after_ok.find(op);
  return it != m.after_ok.end() ? &it->second : nullptr;
}

// An operation's after_ok that no cell uses is a mistake.
void FileLoader::check_after_ok_used(const MatrixDraft& m, const std::string& field) {
  for (const auto& [op, after] : m.after_ok) {
    bool used = false;
    for (const auto& state : m.state_names) used = used || after_ok_of(m, op, state) == &after;
    if (!used) {
      error(json_member(json_member(field, "after_ok"), op),
            "no cell of \"" + op + "\" expects success, so this block would never run");
    }
  }
}

// Templates in the after_ok "result" assertions may use every capture so far.
void FileLoader::check_result_variables(const AfterOk& after, const std::set<std::string>& captured,
                                        const Report& report) {
  const json* result = member_of(*after.json_value, "result");
  for (std::size_t i = 0; result && result->is_array() && i < result->size(); ++i) {
    if (!(*result)[i].is_object()) continue;
    for (const auto& [key, arg] : (*result)[i].items()) {
      if (predicate_expands_templates(key)) {
        check_variables(arg, json_member(json_element(json_member(after.field, "result"), i), key),
                        captured, report);
      }
    }
  }
}

// Variables, cell by cell: setup, the state's steps, the operation (with its after_ok result
// assertions), the after_ok "then" steps, cleanup.
void FileLoader::check_matrix_variables(const json& value, const std::string& field,
                                        const MatrixDraft& m) {
  std::set<std::string> reported;
  const Report report = [&](const std::string& at, const std::string& reason) {
    if (reported.insert(at + "\n" + reason).second) error(at, reason);
  };
  const json* states_json = member_of(value, "states");
  const json* ops_json = member_of(value, "operations");
  for (const auto& op : m.op_names) {
    for (const auto& state : m.state_names) {
      std::set<std::string> captured;
      auto walk = [&](const json* list, const std::string& list_field) {
        for (std::size_t i = 0; list && list->is_array() && i < list->size(); ++i) {
          step_variables((*list)[i], json_element(list_field, i), captured, report);
        }
      };
      walk(member_of(value, "setup"), json_member(field, "setup"));
      walk(&states_json->at(state), json_member(json_member(field, "states"), state));
      step_variables(ops_json->at(op), json_member(json_member(field, "operations"), op), captured,
                     report);
      if (const AfterOk* after = after_ok_of(m, op, state)) {
        check_result_variables(*after, captured, report);
        walk(member_of(*after->json_value, "then"), json_member(after->field, "then"));
      }
      walk(member_of(value, "cleanup"), json_member(field, "cleanup"));
    }
  }
}

// The generated case of one cell.
Case FileLoader::matrix_case(const MatrixDraft& m, const std::string& op,
                             const std::string& state) {
  Case c;
  c.id = m.id + "." + op + "." + state;
  c.title = (m.title.empty() ? std::string() : m.title + ": ") + op + " on a key in state " + state;
  c.dialect = dialect_;
  c.doc = m.doc;
  const AfterOk* after = after_ok_of(m, op, state);
  const bool inferred = m.inferred_cells.contains({op, state}) || (after && after->inferred);
  c.tags = inferred ? tags_with(m.tags, {"state-matrix", "inferred"})
                    : tags_with(m.tags, {"state-matrix"});
  c.features = m.features;
  c.steps = m.setup;
  const auto& state_steps = m.states.at(state);
  c.steps.insert(c.steps.end(), state_steps.begin(), state_steps.end());
  Step operation = m.operations.at(op);
  operation.expect = m.cells.at({op, state});
  if (after) {
    operation.expect.body.insert(operation.expect.body.end(), after->result.begin(),
                                 after->result.end());
  }
  c.steps.push_back(std::move(operation));
  if (after) c.steps.insert(c.steps.end(), after->then.begin(), after->then.end());
  c.cleanup = m.cleanup;
  c.file = file_;
  return c;
}

void FileLoader::load_matrix(const json& value, const std::string& field) {
  if (!value.is_object()) {
    type_error(field, value, "an object");
    return;
  }
  const std::size_t before = out_.errors.size();
  inferred_ = false;
  check_unknown(value, field, "matrix");
  MatrixDraft m;
  const auto id = load_id(value, field);
  m.title = get_string(value, field, "title", false, false).value_or("");
  m.doc = get_string(value, field, "doc", false, false).value_or("");
  m.tags = get_strings(value, field, "tags");
  m.features = get_strings(value, field, "features");
  m.setup = load_steps(value, field, "setup", StepRole::Step, false);
  m.cleanup = load_steps(value, field, "cleanup", StepRole::Cleanup, false);
  load_matrix_states(value, field, m);
  load_matrix_operations(value, field, m);
  load_matrix_after_ok(value, field, m);
  load_matrix_cells(value, field, m);
  if (out_.errors.size() == before) check_after_ok_used(m, field);
  check_matrix_variables(value, field, m);
  if (out_.errors.size() != before || !id) return;

  m.id = *id;
  const std::string expect_field = json_member(field, "expect");
  for (const auto& op : m.op_names) {
    for (const auto& state : m.state_names) {
      const std::string cell_field = json_member(json_member(expect_field, op), state);
      Case c = matrix_case(m, op, state);
      c.line = line_of(cell_field);
      const std::size_t errors = out_.errors.size();
      claim_id(c.id, cell_field);
      if (out_.errors.size() == errors) out_.cases.push_back(std::move(c));
    }
  }
}

}  // namespace kmsconf::conformance::loader
