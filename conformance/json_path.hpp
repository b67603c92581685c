// Dotted JSON paths into a response body, as case files write them: `Result.Keys[0].ID`,
// `Keys.Key[0].KeyId`, `""` for the root. A key may hold any character except '.' and '[';
// a key with those is quoted: `Tags["a.b"]` or `["Key.With.Dots"].x` (`\"` and `\\` escape).
#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kmsconf::conformance {

// One step of a path: an object key or an array index.
using PathSegment = std::variant<std::string, std::size_t>;
using Path = std::vector<PathSegment>;

class PathError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws PathError naming the offending position, e.g. `empty key at offset 7 in "a..b"`.
Path parse_path(std::string_view text);
// Same, without throwing: false and *error set on a malformed path.
bool try_parse_path(std::string_view text, Path& out, std::string* error = nullptr);

// Canonical text of a path (round-trips through parse_path); "" for the root.
std::string to_string(const Path& path);

// The value at `path`, or nullptr when a key is missing, an index is out of range or a step
// goes through a value of the wrong kind (a key into an array, an index into an object).
const nlohmann::json* find(const nlohmann::json& root, const Path& path);

}  // namespace kmsconf::conformance
