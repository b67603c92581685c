// The line map of a JSON text and the spelling of field paths and JSON errors (json_lines.hpp).
#include "protocol/json_lines.hpp"

#include <algorithm>
#include <cstring>

namespace kmsconf {

using json = nlohmann::json;

std::string json_member(const std::string& parent, const std::string& key) {
  if (key.empty() || key.find_first_of(".[]\"\\") != std::string::npos) {
    return parent + "[" + json(key).dump(-1, ' ', false, json::error_handler_t::replace) + "]";
  }
  return parent.empty() ? key : parent + "." + key;
}

std::string json_element(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

namespace {

// One pass over the text, recording the line where each field starts.
class LineScanner {
 public:
  LineScanner(std::string_view text, std::unordered_map<std::string, int>& lines)
      : text_(text), lines_(lines) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    skip();
    lines_[""] = line_;
    value("", 0);
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
          child = json_member(path, string());
          lines_[child] = key_line;
          skip();
          if (peek() == ':') ++pos_;
        } else {
          child = json_element(path, index);
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
  std::unordered_map<std::string, int>& lines_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

LineMap::LineMap(std::string_view text) {
  LineScanner(text, lines_);
}

int LineMap::line_of(std::string field) const {
  while (true) {
    if (auto it = lines_.find(field); it != lines_.end()) return it->second;
    if (field.empty()) return 1;
    const std::size_t cut = field.find_last_of(".[");
    field = cut == std::string::npos ? "" : field.substr(0, cut);
  }
}

std::string json_kind(const json& value) {
  switch (value.type()) {
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

JsonSyntaxError json_syntax_error(std::string_view text, const json::parse_error& e) {
  const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, ...: ";
  // keep what follows, the line and column are ours.
  std::string what = e.what();
  if (auto at = what.find("parse error"); at != std::string::npos) {
    if (auto colon = what.find(": ", at); colon != std::string::npos) what = what.substr(colon + 2);
  }
  return {line, "invalid JSON (column " + std::to_string(end - line_start + 1) + "): " + what};
}

std::string field_error_text(const std::string& file, int line, const std::string& field,
                             const std::string& reason) {
  std::string out = file;
  if (line > 0) {
    out += ':';
    out.append(std::to_string(line));
  }
  out += ": ";
  if (!field.empty()) out += field + ": ";
  return out + reason;
}

}  // namespace kmsconf
