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

#include "conformance/case_loader.hpp"
#include "conformance/json_path.hpp"
#include "conformance/predicates.hpp"
#include "conformance/templates.hpp"
#include "protocol/json_lines.hpp"

namespace kmsconf::conformance {

std::string CaseFileError::to_string() const {
  return field_error_text(file, line, field, reason);
}

namespace loader {

// ---- field names ------------------------------------------------------------------------

// The one list of accepted field names (the schema test checks the schema against it).
const std::map<std::string, std::vector<std::string>>& field_table() {
  static const auto table = [] {
    std::map<std::string, std::vector<std::string>> t = {
        {"file", {"$schema", "dialect", "tags", "cases", "matrices"}},
        {"case", {"id", "title", "doc", "tags", "features", "steps", "cleanup"}},
        {"matrix",
         {"id", "title", "doc", "tags", "features", "states", "setup", "operations", "after_ok",
          "expect", "cleanup"}},
        {"after_ok", {"result", "then"}},
        {"step",
         {"action", "params", "placement", "region", "auth", "expect", "capture", "retry",
          "burst"}},
        {"auth",
         {"secret", "access_key_id", "session_token", "time_offset_s", "signing",
          "unsigned_headers", "drop_headers", "tamper", "unsigned", "replay", "method", "headers"}},
        {"expect", {"status", "code", "message_matches", "body"}},
        {"retry", {"until", "stop", "attempts", "interval_ms"}},
        {"burst", {"connections", "requests", "seconds"}},
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

// ---- small checks -----------------------------------------------------------------------

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

void FileLoader::run() {
  const std::size_t first_error = out_.errors.size();
  load();
  // Report a file's problems in the order they appear in it.
  std::stable_sort(out_.errors.begin() + static_cast<std::ptrdiff_t>(first_error),
                   out_.errors.end(),
                   [](const CaseFileError& a, const CaseFileError& b) { return a.line < b.line; });
}

void FileLoader::load() {
  json root;
  try {
    root = json::parse(text_, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    syntax_error(e);
    return;
  }
  lines_ = std::make_shared<const LineMap>(text_);

  if (!root.is_object()) {
    error("", "the file must hold a JSON object, got " + json_kind(root));
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
    for (std::size_t i = 0; i < cases->size(); ++i)
      load_case((*cases)[i], json_element("cases", i));
  }
  if (matrices) {
    for (std::size_t i = 0; i < matrices->size(); ++i) {
      load_matrix((*matrices)[i], json_element("matrices", i));
    }
  }
}

int FileLoader::line_of(const std::string& field) const {
  return lines_ ? lines_->line_of(field) : 1;
}

std::string FileLoader::source(const std::string& field) const {
  return file_ + ":" + std::to_string(line_of(field));
}

void FileLoader::error(const std::string& field, std::string reason) {
  error_at(field, field, reason);
}

void FileLoader::error_at(const std::string& field, const std::string& line_field,
                          std::string reason) {
  out_.errors.push_back({file_, line_of(line_field), field, std::move(reason)});
}

void FileLoader::type_error(const std::string& field, const json& value,
                            const std::string& wanted) {
  error(field, "must be " + wanted + ", got " + json_kind(value));
}

void FileLoader::missing(const std::string& parent, const std::string& key) {
  error_at(json_member(parent, key), parent, "is required");
}

void FileLoader::syntax_error(const json::parse_error& e) {
  auto [line, reason] = json_syntax_error(text_, e);
  out_.errors.push_back({file_, line, "", std::move(reason)});
}

void FileLoader::check_unknown(const json& object, const std::string& field,
                               const std::string& kind) {
  const auto& allowed = field_table().at(kind);
  for (const auto& [key, value] : object.items()) {
    if (contains(allowed, key)) continue;
    std::string what = kind == "assertion" ? "unknown field or predicate \"" : "unknown field \"";
    error(json_member(field, key), what + key + "\"" + suggestion(key, allowed));
  }
}

std::optional<std::string> FileLoader::get_string(const json& object, const std::string& parent,
                                                  const std::string& key, bool required,
                                                  bool non_empty) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) missing(parent, key);
    return std::nullopt;
  }
  const std::string field = json_member(parent, key);
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

std::optional<std::int64_t> FileLoader::get_int(const json& object, const std::string& parent,
                                                const std::string& key, std::int64_t min,
                                                std::int64_t max) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  const std::string field = json_member(parent, key);
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

std::optional<bool> FileLoader::get_bool(const json& object, const std::string& parent,
                                         const std::string& key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (!it->is_boolean()) {
    type_error(json_member(parent, key), *it, "a boolean");
    return std::nullopt;
  }
  return it->get<bool>();
}

const json* FileLoader::get_array(const json& object, const std::string& parent,
                                  const std::string& key, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) missing(parent, key);
    return nullptr;
  }
  if (!it->is_array()) {
    type_error(json_member(parent, key), *it, "an array");
    return nullptr;
  }
  return &*it;
}

const json* FileLoader::get_object(const json& object, const std::string& parent,
                                   const std::string& key, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) missing(parent, key);
    return nullptr;
  }
  if (!it->is_object()) {
    type_error(json_member(parent, key), *it, "an object");
    return nullptr;
  }
  return &*it;
}

// An array of non-empty strings (validator: an extra per-element check, or null).
std::vector<std::string> FileLoader::get_strings(const json& object, const std::string& parent,
                                                 const std::string& key,
                                                 bool (*valid)(const std::string&),
                                                 const char* invalid_reason) {
  std::vector<std::string> out;
  const json* array = get_array(object, parent, key);
  if (!array) return out;
  const std::string field = json_member(parent, key);
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json& item = (*array)[i];
    if (!item.is_string()) {
      type_error(json_element(field, i), item, "a string");
    } else if (item.get_ref<const std::string&>().empty()) {
      error(json_element(field, i), "must not be empty");
    } else if (valid && !valid(item.get<std::string>())) {
      error(json_element(field, i), invalid_reason);
    } else {
      out.push_back(item.get<std::string>());
    }
  }
  return out;
}

bool FileLoader::claim_id(const std::string& id, const std::string& field) {
  auto [it, inserted] = ids_.emplace(id, source(field));
  if (!inserted) {
    error(field, "duplicate case id \"" + id + "\" (first defined at " + it->second + ")");
  }
  return inserted;
}

std::vector<std::string> FileLoader::tags_with(const std::vector<std::string>& own,
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

std::optional<std::string> FileLoader::load_id(const json& value, const std::string& field) {
  auto id = get_string(value, field, "id", true);
  if (id && !is_valid_id(*id)) {
    error(json_member(field, "id"), "must not contain spaces or control characters");
    return std::nullopt;
  }
  return id;
}

void FileLoader::load_case(const json& value, const std::string& field) {
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
      step_variables((*list)[i], json_element(json_member(field, key), i), captured, report);
    }
  }
  if (id) {
    c.id = *id;
    claim_id(*id, json_member(field, "id"));
  }
  c.tags = tags_with(tags, {});
  if (out_.errors.size() == before) out_.cases.push_back(std::move(c));
}

}  // namespace loader

namespace {

using loader::FileLoader;
using loader::IdRegistry;

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
  return loader::field_table();
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
