#include "conformance/case_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>

#include "conformance/json_path.hpp"
#include "conformance/predicates.hpp"
#include "conformance/templates.hpp"

namespace kmsconf::conformance {

std::string CaseFileError::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += ':';
    out.append(std::to_string(line));
  }
  out += ": ";
  if (!field.empty()) out += field + ": ";
  return out + reason;
}

namespace {

using json = nlohmann::json;

// ---- field names ------------------------------------------------------------------------

// The one list of accepted field names (the schema test checks the schema against it).
const std::map<std::string, std::vector<std::string>>& field_table() {
  static const auto table = [] {
    std::map<std::string, std::vector<std::string>> t = {
        {"file", {"$schema", "dialect", "tags", "cases", "matrices"}},
        {"case", {"id", "title", "doc", "tags", "features", "steps", "cleanup"}},
        {"matrix",
         {"id", "title", "doc", "tags", "features", "states", "setup", "operations", "expect",
          "cleanup"}},
        {"step", {"action", "params", "placement", "region", "auth", "expect", "capture", "retry"}},
        {"auth",
         {"secret", "access_key_id", "session_token", "time_offset_s", "signing",
          "unsigned_headers", "drop_headers", "tamper", "unsigned", "replay", "method", "headers"}},
        {"expect", {"status", "code", "message_matches", "body"}},
        {"retry", {"until", "stop", "attempts", "interval_ms"}},
        {"assertion", {"path", "inferred"}},
        {"shape", shape_keywords()},
        {"range", {"min", "max"}},
    };
    for (const auto& p : predicate_names()) t["assertion"].push_back(p);
    return t;
  }();
  return table;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Optimal string alignment distance (a transposition counts as one edit).
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                       std::tolower(static_cast<unsigned char>(b[j - 1]))
                                   ? 0
                                   : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string suggestion(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance && distance < candidate.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
}

// ---- field paths and their lines --------------------------------------------------------

std::string member(const std::string& parent, const std::string& key) {
  if (key.empty() || key.find_first_of(".[]\"\\") != std::string::npos) {
    return parent + "[" + json(key).dump(-1, ' ', false, json::error_handler_t::replace) + "]";
  }
  return parent.empty() ? key : parent + "." + key;
}

std::string element(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// The line of every member and element of a (syntactically valid) JSON-with-comments text,
// keyed by field path as member()/element() spell it: a member's line is its key's, an
// element's is where it starts.
class LineMap {
 public:
  explicit LineMap(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    skip();
    lines_[""] = line_;
    value("", 0);
  }

  // The line of `field`, or of its nearest enclosing field that has one.
  int line_of(std::string field) const {
    while (true) {
      if (auto it = lines_.find(field); it != lines_.end()) return it->second;
      if (field.empty()) return 1;
      const std::size_t cut = field.find_last_of(".[");
      field = cut == std::string::npos ? "" : field.substr(0, cut);
    }
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  void skip() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        pos_ += 2;
        while (pos_ < text_.size() &&
               !(text_[pos_] == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/')) {
          if (text_[pos_] == '\n') ++line_;
          ++pos_;
        }
        pos_ = std::min(pos_ + 2, text_.size());
      } else {
        return;
      }
    }
  }

  std::string string() {
    const std::size_t start = pos_++;
    bool escaped = false;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') {
        escaped = true;
        ++pos_;
      }
      ++pos_;
    }
    ++pos_;
    const auto raw = text_.substr(start, std::min(pos_, text_.size()) - start);
    if (!escaped) return std::string(raw.substr(1, raw.size() >= 2 ? raw.size() - 2 : 0));
    try {
      return json::parse(raw).get<std::string>();
    } catch (const json::exception&) {
      return std::string(raw);
    }
  }

  void value(const std::string& path, int depth) {
    skip();
    const char c = peek();
    if (depth > 256) return;
    if (c == '{' || c == '[') {
      const bool object = c == '{';
      const char close = object ? '}' : ']';
      ++pos_;
      skip();
      if (peek() == close) {
        ++pos_;
        return;
      }
      for (std::size_t index = 0; pos_ < text_.size(); ++index) {
        skip();
        std::string child;
        if (object) {
          const int key_line = line_;
          child = member(path, string());
          lines_[child] = key_line;
          skip();
          if (peek() == ':') ++pos_;
        } else {
          child = element(path, index);
          lines_[child] = line_;
        }
        value(child, depth + 1);
        skip();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        ++pos_;  // the closing bracket
        return;
      }
    } else if (c == '"') {
      string();
    } else {
      while (pos_ < text_.size() && std::strchr(",]}/ \t\r\n", text_[pos_]) == nullptr) ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::unordered_map<std::string, int> lines_;
};

// ---- small checks -----------------------------------------------------------------------

std::string kind_of(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    default:
      return "binary";
  }
}

bool is_identifier(const std::string& name) {
  return classify_template(name) == TemplateKind::Variable;
}

bool is_header_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::strchr("!#$%&'*+-.^_`|~", c) == nullptr) {
      return false;
    }
  }
  return true;
}

bool is_valid_id(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

// First definition of each case id: "file:line".
using IdRegistry = std::map<std::string, std::string>;

// Where a step sits, for the checks that depend on it.
enum class StepRole { Step, Cleanup, MatrixOperation };

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

  void run() {
    const std::size_t first_error = out_.errors.size();
    load();
    // Report a file's problems in the order they appear in it.
    std::stable_sort(
        out_.errors.begin() + static_cast<std::ptrdiff_t>(first_error), out_.errors.end(),
        [](const CaseFileError& a, const CaseFileError& b) { return a.line < b.line; });
  }

 private:
  void load() {
    json root;
    try {
      root = json::parse(text_, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
      syntax_error(e);
      return;
    }
    lines_.emplace(text_);

    if (!root.is_object()) {
      error("", "the file must hold a JSON object, got " + kind_of(root));
      return;
    }
    check_unknown(root, "", "file");
    const std::size_t structural = out_.errors.size();

    if (auto it = root.find("$schema"); it != root.end() && !it->is_string()) {
      type_error("$schema", *it, "a string");
    }
    auto dialect = get_string(root, "", "dialect", true);
    if (dialect) {
      const auto& known = known_dialects();
      if (!contains(known, *dialect)) {
        error("dialect", "unknown dialect \"" + *dialect + "\" (volcengine or alibaba)");
      } else if (!expected_dialect_.empty() && *dialect != expected_dialect_) {
        error("dialect",
              "is \"" + *dialect + "\" but the file is in the " + expected_dialect_ + " suite");
      } else {
        dialect_ = *dialect;
      }
    }
    file_tags_ = get_strings(root, "", "tags");
    const json* cases = get_array(root, "", "cases");
    const json* matrices = get_array(root, "", "matrices");
    if (out_.errors.size() != structural) return;  // a broken top level: no case is trustworthy

    if (cases) {
      for (std::size_t i = 0; i < cases->size(); ++i) load_case((*cases)[i], element("cases", i));
    }
    if (matrices) {
      for (std::size_t i = 0; i < matrices->size(); ++i) {
        load_matrix((*matrices)[i], element("matrices", i));
      }
    }
  }

  // ---- errors ----

  int line_of(const std::string& field) const { return lines_ ? lines_->line_of(field) : 1; }
  std::string source(const std::string& field) const {
    return file_ + ":" + std::to_string(line_of(field));
  }

  void error(const std::string& field, std::string reason) { error_at(field, field, reason); }
  void error_at(const std::string& field, const std::string& line_field, std::string reason) {
    out_.errors.push_back({file_, line_of(line_field), field, std::move(reason)});
  }
  void type_error(const std::string& field, const json& value, const std::string& wanted) {
    error(field, "must be " + wanted + ", got " + kind_of(value));
  }
  void missing(const std::string& parent, const std::string& key) {
    error_at(member(parent, key), parent, "is required");
  }

  void syntax_error(const json::parse_error& e) {
    const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text_.size());
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < end; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    std::string what = e.what();
    if (auto at = what.find("parse error"); at != std::string::npos) {
      if (auto colon = what.find(": ", at); colon != std::string::npos)
        what = what.substr(colon + 2);
    }
    out_.errors.push_back(
        {file_, line, "",
         "invalid JSON (column " + std::to_string(end - line_start + 1) + "): " + what});
  }

  void check_unknown(const json& object, const std::string& field, const std::string& kind) {
    const auto& allowed = field_table().at(kind);
    for (const auto& [key, value] : object.items()) {
      if (contains(allowed, key)) continue;
      std::string what = kind == "assertion" ? "unknown field or predicate \"" : "unknown field \"";
      error(member(field, key), what + key + "\"" + suggestion(key, allowed));
    }
  }

  // ---- typed getters: report and return nothing on a wrong type ----

  std::optional<std::string> get_string(const json& object, const std::string& parent,
                                        const std::string& key, bool required,
                                        bool non_empty = true) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) missing(parent, key);
      return std::nullopt;
    }
    const std::string field = member(parent, key);
    if (!it->is_string()) {
      type_error(field, *it, "a string");
      return std::nullopt;
    }
    if (non_empty && it->get_ref<const std::string&>().empty()) {
      error(field, "must not be empty");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::optional<std::int64_t> get_int(const json& object, const std::string& parent,
                                      const std::string& key, std::int64_t min, std::int64_t max) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    const std::string field = member(parent, key);
    if (!it->is_number_integer()) {
      type_error(field, *it, "an integer");
      return std::nullopt;
    }
    bool in_range = false;
    if (it->is_number_unsigned()) {  // nlohmann reads every non-negative integer as unsigned
      const auto v = it->get<std::uint64_t>();
      in_range = max >= 0 && v <= static_cast<std::uint64_t>(max) &&
                 (min <= 0 || v >= static_cast<std::uint64_t>(min));
    } else {
      const auto v = it->get<std::int64_t>();
      in_range = v >= min && v <= max;
    }
    if (!in_range) {
      error(field, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                       it->dump());
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  }

  std::optional<bool> get_bool(const json& object, const std::string& parent,
                               const std::string& key) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (!it->is_boolean()) {
      type_error(member(parent, key), *it, "a boolean");
      return std::nullopt;
    }
    return it->get<bool>();
  }

  const json* get_array(const json& object, const std::string& parent, const std::string& key,
                        bool required = false) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) missing(parent, key);
      return nullptr;
    }
    if (!it->is_array()) {
      type_error(member(parent, key), *it, "an array");
      return nullptr;
    }
    return &*it;
  }

  const json* get_object(const json& object, const std::string& parent, const std::string& key,
                         bool required = false) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) missing(parent, key);
      return nullptr;
    }
    if (!it->is_object()) {
      type_error(member(parent, key), *it, "an object");
      return nullptr;
    }
    return &*it;
  }

  // An array of non-empty strings (validator: an extra per-element check, or null).
  std::vector<std::string> get_strings(const json& object, const std::string& parent,
                                       const std::string& key,
                                       bool (*valid)(const std::string&) = nullptr,
                                       const char* invalid_reason = nullptr) {
    std::vector<std::string> out;
    const json* array = get_array(object, parent, key);
    if (!array) return out;
    const std::string field = member(parent, key);
    for (std::size_t i = 0; i < array->size(); ++i) {
      const json& item = (*array)[i];
      if (!item.is_string()) {
        type_error(element(field, i), item, "a string");
      } else if (item.get_ref<const std::string&>().empty()) {
        error(element(field, i), "must not be empty");
      } else if (valid && !valid(item.get<std::string>())) {
        error(element(field, i), invalid_reason);
      } else {
        out.push_back(item.get<std::string>());
      }
    }
    return out;
  }

  // ---- templates ----

  // Reports malformed templates in every string inside `value`.
  void check_template_syntax(const json& value, const std::string& field) {
    if (value.is_string()) {
      try {
        for (const auto& name : template_names(value.get<std::string>())) {
          std::string problem;
          if (classify_template(name, &problem) == TemplateKind::Invalid) error(field, problem);
        }
      } catch (const TemplateError& e) {
        error(field, e.what());
      }
    } else if (value.is_object()) {
      for (const auto& [key, item] : value.items()) check_template_syntax(item, member(field, key));
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i)
        check_template_syntax(value[i], element(field, i));
    }
  }

  // Calls report(field, reason) for each variable in `value` that is neither run-wide nor in
  // `captured`.
  template <typename Report>
  void check_variables(const json& value, const std::string& field,
                       const std::set<std::string>& captured, Report& report) {
    if (value.is_string()) {
      std::vector<std::string> names;
      try {
        names = template_names(value.get<std::string>());
      } catch (const TemplateError&) {
        return;  // reported by check_template_syntax
      }
      for (const auto& name : names) {
        if (classify_template(name) != TemplateKind::Variable || is_reserved_variable(name) ||
            captured.count(name)) {
          continue;
        }
        report(field, "unknown template variable \"{{" + name +
                          "}}\": no earlier step captures it (captured so far: " + join(captured) +
                          ")");
      }
    } else if (value.is_object()) {
      for (const auto& [key, item] : value.items()) {
        check_variables(item, member(field, key), captured, report);
      }
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        check_variables(value[i], element(field, i), captured, report);
      }
    }
  }

  // Checks the variables a step uses and adds the ones it captures. Params and region may use
  // earlier captures; expectations and retry conditions also the step's own.
  template <typename Report>
  void step_variables(const json& step, const std::string& field, std::set<std::string>& captured,
                      Report& report) {
    if (!step.is_object()) return;
    for (const char* key : {"params", "region"}) {
      if (auto it = step.find(key); it != step.end()) {
        check_variables(*it, member(field, key), captured, report);
      }
    }
    if (auto it = step.find("capture"); it != step.end() && it->is_object()) {
      for (const auto& [name, path] : it->items()) captured.insert(name);
    }
    auto assertions = [&](const json& list, const std::string& list_field) {
      if (!list.is_array()) return;
      for (std::size_t i = 0; i < list.size(); ++i) {
        const json& a = list[i];
        if (!a.is_object()) continue;
        for (const auto& [key, arg] : a.items()) {
          if (predicate_expands_templates(key)) {
            check_variables(arg, member(element(list_field, i), key), captured, report);
          }
        }
      }
    };
    if (auto it = step.find("expect"); it != step.end() && it->is_object()) {
      if (auto body = it->find("body"); body != it->end()) {
        assertions(*body, member(member(field, "expect"), "body"));
      }
    }
    if (auto it = step.find("retry"); it != step.end() && it->is_object()) {
      for (const char* key : {"until", "stop"}) {
        if (auto list = it->find(key); list != it->end()) {
          assertions(*list, member(member(field, "retry"), key));
        }
      }
    }
  }

  // ---- assertions, expectations, retry, auth, capture ----

  std::vector<Assertion> load_assertions(const json& object, const std::string& parent,
                                         const std::string& key, bool required) {
    std::vector<Assertion> out;
    const json* list = get_array(object, parent, key, required);
    if (!list) return out;
    const std::string field = member(parent, key);
    if (required && list->empty()) error(field, "must hold at least one assertion");
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto a = load_assertion((*list)[i], element(field, i))) out.push_back(std::move(*a));
    }
    return out;
  }

  std::optional<Assertion> load_assertion(const json& value, const std::string& field) {
    if (!value.is_object()) {
      type_error(field, value, "an object (a path and one predicate)");
      return std::nullopt;
    }
    const std::size_t before = out_.errors.size();
    check_unknown(value, field, "assertion");
    Assertion a;
    a.source = source(field);
    if (auto path = get_string(value, field, "path", true, /*non_empty=*/false)) a.path = *path;
    if (auto inferred = get_bool(value, field, "inferred"); inferred && *inferred) inferred_ = true;
    std::vector<std::string> predicates;
    for (const auto& [key, arg] : value.items()) {
      if (is_predicate(key)) predicates.push_back(key);
    }
    if (predicates.empty()) {
      error(field, "needs one predicate (equals, matches, exists, type, ...)");
    } else if (predicates.size() > 1) {
      error(member(field, predicates[1]),
            "a second predicate next to \"" + predicates[0] + "\"; an assertion has exactly one");
    } else {
      a.predicate = predicates[0];
      a.argument = value.at(a.predicate);
      for (const auto& problem : validate_assertion(a)) {
        error(problem.field == "path" ? member(field, "path") : field + "." + problem.field,
              problem.reason);
      }
      if (predicate_expands_templates(a.predicate)) {
        check_template_syntax(a.argument, member(field, a.predicate));
      }
    }
    if (out_.errors.size() != before) return std::nullopt;
    return a;
  }

  Expectation load_expect(const json& value, const std::string& field) {
    Expectation e;
    if (!value.is_object()) {
      type_error(field, value, "an object");
      return e;
    }
    check_unknown(value, field, "expect");
    if (auto status = get_int(value, field, "status", 100, 599))
      e.status = static_cast<int>(*status);
    e.code = get_string(value, field, "code", false, /*non_empty=*/false);
    if (auto pattern = get_string(value, field, "message_matches", false, false)) {
      try {
        std::regex check(*pattern, std::regex::ECMAScript);
        e.message_matches = pattern;
      } catch (const std::regex_error& ex) {
        error(member(field, "message_matches"), std::string("invalid regex: ") + ex.what());
      }
    }
    e.body = load_assertions(value, field, "body", false);
    if (value.empty()) {
      error(field, "names no expectation: give status, code, message_matches or body");
    }
    return e;
  }

  std::optional<Retry> load_retry(const json& value, const std::string& field) {
    if (!value.is_object()) {
      type_error(field, value, "an object");
      return std::nullopt;
    }
    check_unknown(value, field, "retry");
    Retry r;
    r.until = load_assertions(value, field, "until", true);
    r.stop = load_assertions(value, field, "stop", false);
    if (auto attempts = get_int(value, field, "attempts", 1, 100)) {
      r.attempts = static_cast<int>(*attempts);
    }
    if (auto interval = get_int(value, field, "interval_ms", 10, 10000)) {
      r.interval = std::chrono::milliseconds(*interval);
    }
    return r;
  }

  AuthOverride load_auth(const json& value, const std::string& field, bool first_step) {
    AuthOverride a;
    if (!value.is_object()) {
      type_error(field, value, "an object");
      return a;
    }
    check_unknown(value, field, "auth");
    a.secret = get_string(value, field, "secret", false);
    a.access_key_id = get_string(value, field, "access_key_id", false);
    a.session_token = get_string(value, field, "session_token", false, /*non_empty=*/false);
    if (auto offset = get_int(value, field, "time_offset_s", -315360000, 315360000)) {
      a.time_offset = std::chrono::seconds(*offset);
    }
    if (auto signing = get_string(value, field, "signing", false)) {
      const std::vector<std::string> layouts = dialect_ == "volcengine"
                                                   ? std::vector<std::string>{"node", "go"}
                                                   : std::vector<std::string>{"v1", "v1-tea", "v3"};
      if (contains(layouts, *signing)) {
        a.signing = signing;
      } else {
        std::string list;
        for (const auto& l : layouts) list += (list.empty() ? "\"" : ", \"") + l + "\"";
        error(member(field, "signing"),
              "unknown " + dialect_ + " signer layout \"" + *signing + "\" (" + list + ")");
      }
    }
    const char* bad_header = "must be an HTTP header name (token characters only)";
    a.unsigned_headers = get_strings(value, field, "unsigned_headers", is_header_name, bad_header);
    a.drop_headers = get_strings(value, field, "drop_headers", is_header_name, bad_header);
    if (auto tamper = get_string(value, field, "tamper", false)) {
      const bool header = tamper->starts_with("header:") && is_header_name(tamper->substr(7));
      if (*tamper == "body" || *tamper == "query" || header) {
        a.tamper = tamper;
      } else {
        error(member(field, "tamper"),
              "must be \"body\", \"query\" or \"header:<name>\", got \"" + *tamper + "\"");
      }
    }
    if (auto unsigned_request = get_bool(value, field, "unsigned")) {
      a.unsigned_request = *unsigned_request;
    }
    if (auto replay = get_bool(value, field, "replay")) {
      a.replay = *replay;
      if (a.replay && first_step) {
        error(member(field, "replay"), "the first step has no previous request to replay");
      }
    }
    if (auto method = get_string(value, field, "method", false)) {
      static const std::vector<std::string> methods = {"GET",  "POST",  "PUT",    "DELETE",
                                                       "HEAD", "PATCH", "OPTIONS"};
      if (contains(methods, *method)) {
        a.method = method;
      } else {
        error(member(field, "method"),
              "must be an HTTP method in capitals (GET, POST, ...), got \"" + *method + "\"");
      }
    }
    if (const json* headers = get_object(value, field, "headers")) {
      const std::string headers_field = member(field, "headers");
      for (const auto& [name, header_value] : headers->items()) {
        const std::string at = member(headers_field, name);
        if (!is_header_name(name)) {
          error(at, bad_header);
        } else if (!header_value.is_string()) {
          type_error(at, header_value, "a string");
        } else {
          a.extra_headers[name] = header_value.get<std::string>();
        }
      }
    }
    return a;
  }

  std::map<std::string, std::string> load_capture(const json& value, const std::string& field) {
    std::map<std::string, std::string> out;
    if (!value.is_object()) {
      type_error(field, value, "an object {\"variable\": \"json.path\"}");
      return out;
    }
    for (const auto& [name, path] : value.items()) {
      const std::string at = member(field, name);
      std::string problem;
      if (!is_identifier(name)) {
        error(at, "variable name \"" + name + "\" must match [A-Za-z_][A-Za-z0-9_]*");
      } else if (is_reserved_variable(name)) {
        error(at, "\"" + name + "\" is a built-in template and cannot be captured");
      } else if (!path.is_string()) {
        type_error(at, path, "a string (a JSON path)");
      } else if (Path parsed; !try_parse_path(path.get<std::string>(), parsed, &problem)) {
        error(at, "bad JSON path: " + problem);
      } else {
        out[name] = path.get<std::string>();
      }
    }
    return out;
  }

  Step load_step(const json& value, const std::string& field, StepRole role, bool first_step) {
    Step s;
    s.source = source(field);
    if (!value.is_object()) {
      type_error(field, value, "an object");
      return s;
    }
    check_unknown(value, field, "step");
    if (auto action = get_string(value, field, "action", true)) s.action = *action;
    if (const json* params = get_object(value, field, "params")) {
      s.params = *params;
      check_template_syntax(*params, member(field, "params"));
    }
    if (auto placement = get_string(value, field, "placement", false)) {
      static const std::map<std::string, Placement> placements = {{"auto", Placement::Auto},
                                                                  {"query", Placement::Query},
                                                                  {"json", Placement::JsonBody},
                                                                  {"form", Placement::FormBody}};
      if (auto it = placements.find(*placement); it != placements.end()) {
        s.placement = it->second;
      } else {
        error(member(field, "placement"),
              "must be \"auto\", \"query\", \"json\" or \"form\", got \"" + *placement + "\"" +
                  suggestion(*placement, {"auto", "query", "json", "form"}));
      }
    }
    if (auto region = get_string(value, field, "region", false)) {
      s.region = *region;
      check_template_syntax(value.at("region"), member(field, "region"));
    }
    if (auto it = value.find("auth"); it != value.end()) {
      s.auth = load_auth(*it, member(field, "auth"), first_step);
    }
    if (auto it = value.find("expect"); it != value.end()) {
      if (role == StepRole::MatrixOperation) {
        error(member(field, "expect"),
              "a matrix operation's expectation comes from the matrix's "
              "\"expect\" table");
      } else {
        s.expect = load_expect(*it, member(field, "expect"));
      }
    }
    if (auto it = value.find("capture"); it != value.end()) {
      s.captures = load_capture(*it, member(field, "capture"));
    }
    if (auto it = value.find("retry"); it != value.end()) {
      s.retry = load_retry(*it, member(field, "retry"));
    }
    // Names a case creates carry the run prefix (CreateKeyring -> KeyringName, ...), unless the
    // step expects the creation to fail.
    if (role != StepRole::MatrixOperation && s.action.starts_with("Create") &&
        !value.contains("expect") && s.params.is_object()) {
      const std::string name_param = s.action.substr(6) + "Name";
      if (auto it = s.params.find(name_param);
          it != s.params.end() && it->is_string() &&
          it->get_ref<const std::string&>().find("{{run_prefix}}") == std::string::npos) {
        error(member(member(field, "params"), name_param),
              "a created name must contain {{run_prefix}} (parallel runs must not collide and "
              "--sweep must find leftovers)");
      }
    }
    return s;
  }

  std::vector<Step> load_steps(const json& object, const std::string& parent,
                               const std::string& key, StepRole role, bool required,
                               bool opening = true) {
    std::vector<Step> out;
    const json* list = get_array(object, parent, key, required);
    if (!list) return out;
    const std::string field = member(parent, key);
    if (required && list->empty()) error(field, "must hold at least one step");
    for (std::size_t i = 0; i < list->size(); ++i) {
      out.push_back(load_step((*list)[i], element(field, i), role,
                              opening && role == StepRole::Step && i == 0));
    }
    return out;
  }

  // ---- cases ----

  bool claim_id(const std::string& id, const std::string& field) {
    auto [it, inserted] = ids_.emplace(id, source(field));
    if (!inserted) {
      error(field, "duplicate case id \"" + id + "\" (first defined at " + it->second + ")");
    }
    return inserted;
  }

  std::vector<std::string> tags_with(const std::vector<std::string>& own,
                                     std::initializer_list<std::string> extra) {
    std::vector<std::string> tags;
    auto add = [&](const std::string& tag) {
      if (!contains(tags, tag)) tags.push_back(tag);
    };
    for (const auto& t : file_tags_) add(t);
    for (const auto& t : own) add(t);
    for (const auto& t : extra) add(t);
    if (inferred_) add("inferred");
    return tags;
  }

  std::optional<std::string> load_id(const json& value, const std::string& field) {
    auto id = get_string(value, field, "id", true);
    if (id && !is_valid_id(*id)) {
      error(member(field, "id"), "must not contain spaces or control characters");
      return std::nullopt;
    }
    return id;
  }

  void load_case(const json& value, const std::string& field) {
    if (!value.is_object()) {
      type_error(field, value, "an object");
      return;
    }
    const std::size_t before = out_.errors.size();
    inferred_ = false;
    check_unknown(value, field, "case");
    Case c;
    c.dialect = dialect_;
    c.file = file_;
    c.line = line_of(field);
    const auto id = load_id(value, field);
    if (auto title = get_string(value, field, "title", false, false)) c.title = *title;
    if (auto doc = get_string(value, field, "doc", false, false)) c.doc = *doc;
    const auto tags = get_strings(value, field, "tags");
    c.features = get_strings(value, field, "features");
    c.steps = load_steps(value, field, "steps", StepRole::Step, true);
    c.cleanup = load_steps(value, field, "cleanup", StepRole::Cleanup, false);

    std::set<std::string> captured;
    auto report = [this](const std::string& at, const std::string& reason) { error(at, reason); };
    for (const char* key : {"steps", "cleanup"}) {
      const json* list = value.contains(key) && value[key].is_array() ? &value[key] : nullptr;
      for (std::size_t i = 0; list && i < list->size(); ++i) {
        step_variables((*list)[i], element(member(field, key), i), captured, report);
      }
    }
    if (id) {
      c.id = *id;
      claim_id(*id, member(field, "id"));
    }
    c.tags = tags_with(tags, {});
    if (out_.errors.size() == before) out_.cases.push_back(std::move(c));
  }

  // Keys of an object in the order the file writes them.
  std::vector<std::string> keys_in_file_order(const json& object, const std::string& field) const {
    std::vector<std::pair<int, std::string>> keyed;
    for (const auto& [key, item] : object.items())
      keyed.emplace_back(line_of(member(field, key)), key);
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> keys;
    for (auto& [line, key] : keyed) keys.push_back(std::move(key));
    return keys;
  }

  // Operation and state names become part of case ids.
  void check_cell_name(const std::string& field, const std::string& name) {
    if (!is_valid_id(name)) error(field, "name must not be empty or contain spaces");
  }

  void load_matrix(const json& value, const std::string& field) {
    if (!value.is_object()) {
      type_error(field, value, "an object");
      return;
    }
    const std::size_t before = out_.errors.size();
    inferred_ = false;
    check_unknown(value, field, "matrix");
    const auto id = load_id(value, field);
    const auto title = get_string(value, field, "title", false, false);
    const auto doc = get_string(value, field, "doc", false, false);
    const auto tags = get_strings(value, field, "tags");
    const auto features = get_strings(value, field, "features");
    const auto setup = load_steps(value, field, "setup", StepRole::Step, false);
    const auto cleanup = load_steps(value, field, "cleanup", StepRole::Cleanup, false);

    // states: name -> steps that bring a fresh key there
    std::vector<std::string> state_names;
    std::map<std::string, std::vector<Step>> states;
    const std::string states_field = member(field, "states");
    if (const json* s = get_object(value, field, "states", true)) {
      if (s->empty()) error(states_field, "must name at least one state");
      state_names = keys_in_file_order(*s, states_field);
      for (const auto& name : state_names) {
        check_cell_name(member(states_field, name), name);
        states[name] = load_steps(*s, states_field, name, StepRole::Step, false,
                                  /*opening=*/false);
        if (!s->at(name).is_array()) states.erase(name);
      }
    }
    // operations: name -> the step each cell sends
    std::vector<std::string> op_names;
    std::map<std::string, Step> operations;
    const std::string ops_field = member(field, "operations");
    if (const json* o = get_object(value, field, "operations", true)) {
      if (o->empty()) error(ops_field, "must name at least one operation");
      op_names = keys_in_file_order(*o, ops_field);
      for (const auto& name : op_names) {
        check_cell_name(member(ops_field, name), name);
        operations[name] =
            load_step(o->at(name), member(ops_field, name), StepRole::MatrixOperation, false);
      }
    }
    // expect: operation -> state -> "ok" | {status, code, ...}
    std::map<std::pair<std::string, std::string>, Expectation> cells;
    const std::string expect_field = member(field, "expect");
    if (const json* e = get_object(value, field, "expect", true)) {
      for (const auto& [op, row] : e->items()) {
        const std::string row_field = member(expect_field, op);
        if (!contains(op_names, op)) {
          error(row_field,
                "\"" + op + "\" is not one of the matrix's operations" + suggestion(op, op_names));
          continue;
        }
        if (!row.is_object()) {
          type_error(row_field, row, "an object {\"<state>\": \"ok\" | {status, code}}");
          continue;
        }
        for (const auto& [state, cell] : row.items()) {
          const std::string cell_field = member(row_field, state);
          if (!contains(state_names, state)) {
            error(cell_field, "\"" + state + "\" is not one of the matrix's states" +
                                  suggestion(state, state_names));
          } else if (cell.is_string()) {
            if (cell == "ok") {
              cells[{op, state}] = Expectation{200, std::string(), std::nullopt, {}};
            } else {
              error(cell_field, "must be \"ok\" or an object {status, code}, got \"" +
                                    cell.get<std::string>() + "\"");
            }
          } else if (cell.is_object()) {
            cells[{op, state}] = load_expect(cell, cell_field);
          } else {
            type_error(cell_field, cell, "\"ok\" or an object {status, code}");
          }
        }
      }
      for (const auto& op : op_names) {
        const std::string row_field = member(expect_field, op);
        if (!e->contains(op)) {
          error_at(row_field, expect_field,
                   "missing: operation \"" + op + "\" needs an expectation for every state");
          continue;
        }
        if (!e->at(op).is_object()) continue;
        for (const auto& state : state_names) {
          if (!e->at(op).contains(state)) {
            error_at(member(row_field, state), row_field,
                     "missing: operation \"" + op + "\" needs an expectation for state \"" + state +
                         "\"");
          }
        }
      }
    }

    // Variables, cell by cell: setup, then the state's steps, then the operation.
    std::set<std::string> reported;
    auto report = [&](const std::string& at, const std::string& reason) {
      if (reported.insert(at + "\n" + reason).second) error(at, reason);
    };
    auto list_at = [](const json& object, const char* key) -> const json* {
      auto it = object.find(key);
      return it != object.end() ? &*it : nullptr;
    };
    const json* setup_json = list_at(value, "setup");
    const json* states_json = list_at(value, "states");
    const json* ops_json = list_at(value, "operations");
    const json* cleanup_json = list_at(value, "cleanup");
    for (const auto& op : op_names) {
      for (const auto& state : state_names) {
        std::set<std::string> captured;
        auto walk = [&](const json* list, const std::string& list_field) {
          for (std::size_t i = 0; list && list->is_array() && i < list->size(); ++i) {
            step_variables((*list)[i], element(list_field, i), captured, report);
          }
        };
        walk(setup_json, member(field, "setup"));
        walk(&states_json->at(state), member(states_field, state));
        step_variables(ops_json->at(op), member(ops_field, op), captured, report);
        walk(cleanup_json, member(field, "cleanup"));
      }
    }
    if (out_.errors.size() != before || !id) return;

    for (const auto& op : op_names) {
      for (const auto& state : state_names) {
        const std::string cell_field = member(member(expect_field, op), state);
        Case c;
        c.id = *id + "." + op + "." + state;
        c.title = (title && !title->empty() ? *title + ": " : std::string()) + op +
                  " on a key in state " + state;
        c.dialect = dialect_;
        c.doc = doc.value_or("");
        c.tags = tags_with(tags, {"state-matrix"});
        c.features = features;
        c.steps = setup;
        c.steps.insert(c.steps.end(), states[state].begin(), states[state].end());
        Step operation = operations[op];
        operation.expect = cells[{op, state}];
        c.steps.push_back(std::move(operation));
        c.cleanup = cleanup;
        c.file = file_;
        c.line = line_of(cell_field);
        const std::size_t errors = out_.errors.size();
        claim_id(c.id, cell_field);
        if (out_.errors.size() == errors) out_.cases.push_back(std::move(c));
      }
    }
  }

  std::string file_;
  const std::string& text_;
  std::string expected_dialect_;
  IdRegistry& ids_;
  LoadedCases& out_;
  std::optional<LineMap> lines_;
  std::string dialect_;
  std::vector<std::string> file_tags_;
  bool inferred_ = false;  // an assertion of the current case is marked inferred
};

void load_file_into(const std::string& path, const std::string& dialect, IdRegistry& ids,
                    LoadedCases& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.errors.push_back(
        {path, 0, "", std::string("cannot read the file: ") + std::strerror(errno)});
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  FileLoader(path, text.str(), dialect, ids, out).run();
}

}  // namespace

const std::vector<std::string>& known_dialects() {
  static const std::vector<std::string> dialects = {"volcengine", "alibaba"};
  return dialects;
}

const std::map<std::string, std::vector<std::string>>& accepted_fields() {
  return field_table();
}

LoadedCases load_case_text(const std::string& text, const std::string& file,
                           const std::string& expected_dialect) {
  LoadedCases out;
  IdRegistry ids;
  FileLoader(file, text, expected_dialect, ids, out).run();
  return out;
}

LoadedCases load_case_file(const std::string& path, const std::string& expected_dialect) {
  LoadedCases out;
  IdRegistry ids;
  load_file_into(path, expected_dialect, ids, out);
  return out;
}

LoadedCases load_case_dir(const std::string& dir, const std::string& dialect) {
  LoadedCases out;
  std::error_code ec;
  std::vector<std::string> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == ".json" && it->is_regular_file(type_ec)) {
      files.push_back(it->path().string());
    }
  }
  if (ec) {
    out.errors.push_back({dir, 0, "", "cannot read the directory: " + ec.message()});
    return out;
  }
  std::sort(files.begin(), files.end());
  IdRegistry ids;
  for (const auto& file : files) load_file_into(file, dialect, ids, out);
  return out;
}

}  // namespace kmsconf::conformance
