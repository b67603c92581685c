#include "conformance/json_path.hpp"

#include <limits>
#include <nlohmann/json.hpp>

namespace kmsconf::conformance {

namespace {

std::string describe(std::string_view what, std::size_t offset, std::string_view text) {
  return std::string(what) + " at offset " + std::to_string(offset) + " in \"" + std::string(text) +
         "\"";
}

bool needs_quotes(const std::string& key) {
  return key.empty() || key.find_first_of(".[]\"\\") != std::string::npos;
}

}  // namespace

bool try_parse_path(std::string_view text, Path& out, std::string* error) {
  out.clear();
  auto fail = [&](std::string_view what, std::size_t offset) {
    if (error) *error = describe(what, offset, text);
    out.clear();
    return false;
  };
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool first = true;
  while (i < n) {
    if (text[i] == '[') {
      const std::size_t open = i++;
      if (i < n && text[i] == '"') {
        ++i;
        std::string key;
        bool closed = false;
        while (i < n) {
          const char c = text[i++];
          if (c == '\\') {
            if (i >= n || (text[i] != '"' && text[i] != '\\')) {
              return fail("bad escape in quoted key (only \\\" and \\\\)", i - 1);
            }
            key += text[i++];
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            key += c;
          }
        }
        if (!closed) return fail("unterminated quoted key", open);
        if (i >= n || text[i] != ']') return fail("expected ']' after quoted key", i);
        ++i;
        out.emplace_back(std::move(key));
      } else {
        const std::size_t digits = i;
        std::size_t index = 0;
        while (i < n && text[i] >= '0' && text[i] <= '9') {
          const std::size_t digit = static_cast<std::size_t>(text[i] - '0');
          if (index > (std::numeric_limits<std::size_t>::max() - digit) / 10) {
            return fail("index too large", digits);
          }
          index = index * 10 + digit;
          ++i;
        }
        if (i == digits) return fail("expected an index or a quoted key after '['", digits);
        if (i >= n || text[i] != ']') return fail("expected ']'", i);
        ++i;
        out.emplace_back(index);
      }
    } else {
      if (!first) {
        if (text[i] != '.') return fail("expected '.' or '['", i);
        ++i;
      }
      const std::size_t start = i;
      while (i < n && text[i] != '.' && text[i] != '[') ++i;
      if (i == start) return fail("empty key", start);
      out.emplace_back(std::string(text.substr(start, i - start)));
    }
    first = false;
  }
  return true;
}

Path parse_path(std::string_view text) {
  Path path;
  std::string error;
  if (!try_parse_path(text, path, &error)) throw PathError(error);
  return path;
}

std::string to_string(const Path& path) {
  std::string out;
  for (const auto& segment : path) {
    if (const auto* index = std::get_if<std::size_t>(&segment)) {
      out += '[' + std::to_string(*index) + ']';
      continue;
    }
    const auto& key = std::get<std::string>(segment);
    if (needs_quotes(key)) {
      out += "[\"";
      for (char c : key) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += "\"]";
    } else {
      if (!out.empty()) out += '.';
      out += key;
    }
  }
  return out;
}

const nlohmann::json* find(const nlohmann::json& root, const Path& path) {
  const nlohmann::json* at = &root;
  for (const auto& segment : path) {
    if (const auto* index = std::get_if<std::size_t>(&segment)) {
      if (!at->is_array() || *index >= at->size()) return nullptr;
      at = &(*at)[*index];
    } else {
      if (!at->is_object()) return nullptr;
      auto it = at->find(std::get<std::string>(segment));
      if (it == at->end()) return nullptr;
      at = &*it;
    }
  }
  return at;
}

}  // namespace kmsconf::conformance
