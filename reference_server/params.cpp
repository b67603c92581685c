#include "reference_server/params.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "protocol/ascii.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::server {
namespace {

using nlohmann::json;

[[noreturn]] void invalid(std::string_view name, std::string detail) {
  throw ParamError(std::string(name), ParamError::Reason::Invalid, std::move(detail));
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Far deeper than any parameter nests (Tags, Filters: three levels). Deeper documents are
// refused before they are built: copying or printing a json value recurses once per level, so
// a body of nested brackets would otherwise overflow the handler thread's stack.
constexpr size_t kMaxJsonDepth = 64;

// json::parse without exceptions; a document nested deeper than kMaxJsonDepth is discarded too.
json parse_bounded(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return json(json::value_t::discarded);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

bool is_form(std::string_view content_type) {
  return content_type.find("x-www-form-urlencoded") != std::string_view::npos;
}

void merge_pairs(json& into, const QueryPairs& pairs) {
  for (const auto& [name, value] : pairs) into[name] = value;
}

// Rebuilds a list from flattened names: Tags.1.Key=a&Tags.1.Value=b or ResourceIds.1=x.
std::optional<std::vector<json>> unflatten(const json& all, std::string_view name) {
  std::map<int, json> items;
  std::string prefix = std::string(name) + ".";
  for (const auto& [key, value] : all.items()) {
    if (key.rfind(prefix, 0) != 0) continue;
    std::string rest = key.substr(prefix.size());
    size_t dot = rest.find('.');
    std::string index_text = rest.substr(0, dot);
    if (index_text.empty() || index_text.size() > 4 || !ascii::all_digits(index_text)) {
      invalid(key, "bad list index");
    }
    int index = std::stoi(index_text);
    if (index < 1) invalid(key, "list index starts at 1");
    if (dot == std::string::npos) {
      items[index] = value;
    } else {
      items[index][rest.substr(dot + 1)] = value;
    }
  }
  if (items.empty()) return std::nullopt;
  std::vector<json> out;
  for (auto& [index, value] : items) out.push_back(std::move(value));
  return out;
}

}  // namespace

struct Params::Impl {
  json values = json::object();
};

Params::Params() : impl_(std::make_unique<Impl>()) {}
Params::~Params() = default;
Params::Params(Params&&) noexcept = default;
Params& Params::operator=(Params&&) noexcept = default;

Params Params::from_request(const HttpRequest& request) {
  Params params;
  auto query = parse_query(request.raw_query);
  if (!query) throw MalformedRequest("the query string has a malformed percent-escape");
  merge_pairs(params.impl_->values, *query);
  std::string_view body = request.body;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return params;
  if (is_form(request.header("Content-Type"))) {
    auto form = parse_query(body);
    if (!form) throw MalformedRequest("the form body has a malformed percent-escape");
    merge_pairs(params.impl_->values, *form);
    return params;
  }
  json parsed = parse_bounded(body);
  if (parsed.is_discarded()) throw MalformedRequest("the body is not valid JSON");
  if (!parsed.is_object()) throw MalformedRequest("the JSON body is not an object");
  for (auto& [name, value] : parsed.items()) params.impl_->values[name] = value;
  return params;
}

Params Params::from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  Params params;
  merge_pairs(params.impl_->values, pairs);
  return params;
}

const json* Params::find(std::string_view name) const {
  auto it = impl_->values.find(name);
  if (it == impl_->values.end() || it->is_null()) return nullptr;
  return &*it;
}

bool Params::has(std::string_view name) const {
  return find(name) != nullptr;
}

void Params::erase(std::string_view name) {
  impl_->values.erase(std::string(name));
}

std::vector<std::string> Params::names() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : impl_->values.items()) out.push_back(name);
  return out;
}

std::optional<std::string> Params::text(std::string_view name, const TextRule& rule) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  if (!value->is_string()) invalid(name, "must be a string");
  const std::string& s = value->get_ref<const std::string&>();
  if (s.size() < rule.min_length || s.size() > rule.max_length) invalid(name, "bad length");
  if (rule.name_charset && !std::all_of(s.begin(), s.end(), is_name_char)) {
    invalid(name, "bad characters");
  }
  return s;
}

std::string Params::required_text(std::string_view name, const TextRule& rule) const {
  auto value = text(name, rule);
  if (!value) throw ParamError(std::string(name), ParamError::Reason::Missing, "required");
  return *value;
}

std::optional<int64_t> Params::integer(std::string_view name, int64_t min, int64_t max) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  int64_t number = 0;
  if (value->is_number_unsigned()) {
    // Non-negative JSON integers parse as unsigned; above INT64_MAX they must not wrap.
    uint64_t unsigned_number = value->get<uint64_t>();
    if (unsigned_number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      invalid(name, "out of range");
    }
    number = static_cast<int64_t>(unsigned_number);
  } else if (value->is_number_integer()) {
    number = value->get<int64_t>();
  } else if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
    if (s.size() == start || s.size() > 18 ||
        !ascii::all_digits(std::string_view(s).substr(start))) {
      invalid(name, "must be an integer");
    }
    number = std::stoll(s);
  } else {
    invalid(name, "must be an integer");
  }
  if (number < min || number > max) invalid(name, "out of range");
  return number;
}

std::optional<bool> Params::boolean(std::string_view name) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  invalid(name, "must be true or false");
}

std::optional<std::string> Params::base64(std::string_view name, size_t min_chars,
                                          size_t max_chars) const {
  auto value = text(name, TextRule{min_chars, max_chars});
  if (!value) return std::nullopt;
  auto decoded = base64_decode(*value);
  if (!decoded) invalid(name, "not valid base64");
  return decoded;
}

std::string Params::required_base64(std::string_view name, size_t min_chars,
                                    size_t max_chars) const {
  auto value = base64(name, min_chars, max_chars);
  if (!value) throw ParamError(std::string(name), ParamError::Reason::Missing, "required");
  return *value;
}

std::optional<std::map<std::string, std::string>> Params::string_map(std::string_view name,
                                                                     size_t max_chars) const {
  const json* value = find(name);
  if (!value) return std::nullopt;
  json object = *value;
  if (value->is_string()) {
    const std::string& s = value->get_ref<const std::string&>();
    if (s.size() > max_chars) invalid(name, "too long");
    if (s.empty()) return std::map<std::string, std::string>{};
    object = parse_bounded(s);
  } else if (value->dump().size() > max_chars) {
    invalid(name, "too long");
  }
  if (!object.is_object()) invalid(name, "must be a JSON object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [key, item] : object.items()) {
    if (!item.is_string()) invalid(name, "values must be strings");
    out[key] = item.get<std::string>();
  }
  return out;
}

std::optional<std::vector<json>> Params::list(std::string_view name) const {
  if (const json* value = find(name)) {
    json array = *value;
    if (value->is_string()) array = parse_bounded(value->get_ref<const std::string&>());
    if (!array.is_array()) invalid(name, "must be a list");
    return std::vector<json>(array.begin(), array.end());
  }
  return unflatten(impl_->values, name);
}

std::optional<std::vector<std::string>> Params::string_list(std::string_view name) const {
  auto items = list(name);
  if (!items) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : *items) {
    if (!item.is_string()) invalid(name, "items must be strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> Params::tags(std::string_view name,
                                                               std::string_view key_field,
                                                               std::string_view value_field) const {
  auto items = list(name);
  if (!items) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& item : *items) {
    auto key = item.find(key_field);
    auto value = item.find(value_field);
    if (!item.is_object() || key == item.end() || !key->is_string() ||
        key->get<std::string>().empty()) {
      invalid(name, "each tag needs a non-empty key");
    }
    std::string tag_value;
    if (value != item.end()) {
      if (!value->is_string()) invalid(name, "tag values must be strings");
      tag_value = value->get<std::string>();
    }
    out[key->get<std::string>()] = tag_value;
  }
  return out;
}

}  // namespace kmsconf::server
