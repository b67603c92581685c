// Where each field of a JSON text is, so loaders of JSON files report `FILE:LINE: FIELD: reason`.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kmsconf {

// Field paths as errors spell them and LineMap keys them: json_member("a", "b") is "a.b",
// json_element("a", 2) is "a[2]"; a key that is empty or holds . [ ] " \ is quoted: a["x.y"].
std::string json_member(const std::string& parent, const std::string& key);
std::string json_element(const std::string& parent, std::size_t index);

// The line of every member and element of a JSON text (comments allowed), keyed by field path:
// a member's line is its key's, an element's is where it starts. Meant for text that parsed;
// on broken text the lines are a best effort.
class LineMap {
 public:
  explicit LineMap(std::string_view text);

  // The line of `field` (e.g. "operations[2].payload.bytes"), or of its nearest enclosing field
  // that has one; 1 for the top level.
  int line_of(std::string field) const;

 private:
  std::unordered_map<std::string, int> lines_;
};

// A value's JSON type as errors name it: "a string", "an integer", "a number", "null", ...
std::string json_kind(const nlohmann::json& value);

// Where a JSON parse error is and what it says: `invalid JSON (column 5): syntax error ...`.
struct JsonSyntaxError {
  int line = 1;
  std::string reason;
};
JsonSyntaxError json_syntax_error(std::string_view text, const nlohmann::json::parse_error& e);

// "FILE:LINE: FIELD: reason"; no line when `line` is 0, no field when it is empty.
std::string field_error_text(const std::string& file, int line, const std::string& field,
                             const std::string& reason);

}  // namespace kmsconf
