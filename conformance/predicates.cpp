#include "conformance/predicates.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "conformance/json_path.hpp"
#include "conformance/time_values.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::conformance {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxShown = 200;
constexpr std::int64_t kEpochMin = 978307200;   // 2001-01-01T00:00:00Z
constexpr std::int64_t kEpochMax = 4133980800;  // 2101-01-01T00:00:00Z (exclusive)

std::string show(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMaxShown) {
    std::size_t cut = kMaxShown;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "... (" + std::to_string(text.size()) + " chars)";
  }
  return text;
}

bool is_integer(const json& value) {
  return value.is_number_integer();  // nlohmann: signed or unsigned, written without a fraction
}

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    default:
      return "binary";
  }
}

bool has_type(const json& value, std::string_view type) {
  if (type == "number") return value.is_number();
  if (type == "integer") return is_integer(value);
  return type_name(value) == type;
}

const std::vector<std::string> kTypeNames = {"string", "number", "integer", "boolean",
                                             "object", "array",  "null"};

bool is_type_name(const json& value) {
  return value.is_string() && std::find(kTypeNames.begin(), kTypeNames.end(),
                                        value.get<std::string>()) != kTypeNames.end();
}

std::optional<std::regex> compile(const std::string& pattern, std::string* error) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    if (error) *error = std::string("invalid regex: ") + e.what();
    return std::nullopt;
  }
}

std::size_t utf8_length(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// ---- argument checks ---------------------------------------------------------------------

bool is_count(const json& value) {
  return is_integer(value) && value.get<std::int64_t>() >= 0;
}

// n, or {"min": a, "max": b} with at least one bound.
std::optional<std::string> check_size(const json& arg) {
  if (is_count(arg)) return std::nullopt;
  if (!arg.is_object()) return "must be a non-negative integer or {\"min\": a, \"max\": b}";
  if (arg.empty()) return "needs \"min\" or \"max\"";
  for (const auto& [key, value] : arg.items()) {
    if (key != "min" && key != "max") {
      return "unknown field \"" + key + "\" (only \"min\" and \"max\")";
    }
    if (!is_count(value)) return "\"" + key + "\" must be a non-negative integer";
  }
  if (arg.contains("min") && arg.contains("max") &&
      arg["min"].get<std::int64_t>() > arg["max"].get<std::int64_t>()) {
    return "\"min\" is greater than \"max\"";
  }
  return std::nullopt;
}

void check_shape(const json& schema, const std::string& field,
                 std::vector<AssertionProblem>& problems) {
  if (!schema.is_object()) {
    problems.push_back({field, "must be an object (a JSON-Schema subset)"});
    return;
  }
  const auto& keywords = shape_keywords();
  for (const auto& [key, value] : schema.items()) {
    const std::string at = field + "." + key;
    if (std::find(keywords.begin(), keywords.end(), key) == keywords.end()) {
      problems.push_back({at, "unknown shape keyword \"" + key +
                                  "\" (supported: type, required, properties, items, enum, "
                                  "pattern, additionalProperties)"});
    } else if (key == "type") {
      const bool ok =
          is_type_name(value) || (value.is_array() && !value.empty() &&
                                  std::all_of(value.begin(), value.end(), is_type_name));
      if (!ok) {
        problems.push_back(
            {at,
             "must be a type name or an array of them (string, number, integer, boolean, "
             "object, array, null)"});
      }
    } else if (key == "required") {
      if (!value.is_array() ||
          !std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
        problems.push_back({at, "must be an array of strings"});
      }
    } else if (key == "properties") {
      if (!value.is_object()) {
        problems.push_back({at, "must be an object of shapes"});
      } else {
        for (const auto& [name, sub] : value.items()) check_shape(sub, at + "." + name, problems);
      }
    } else if (key == "items") {
      check_shape(value, at, problems);
    } else if (key == "enum") {
      if (!value.is_array() || value.empty()) problems.push_back({at, "must be a non-empty array"});
    } else if (key == "pattern") {
      std::string error;
      if (!value.is_string()) {
        problems.push_back({at, "must be a string"});
      } else if (!compile(value.get<std::string>(), &error)) {
        problems.push_back({at, error});
      }
    } else if (key == "additionalProperties") {
      if (!value.is_boolean()) problems.push_back({at, "must be a boolean"});
    }
  }
}

// ---- shape evaluation --------------------------------------------------------------------

// The first mismatch as "<where>: <what>", or nullopt when the value fits.
std::optional<std::string> shape_mismatch(const json& schema, const json& value,
                                          const std::string& where) {
  auto at = [&](const std::string& what) {
    return (where.empty() ? "(root)" : where) + ": " + what;
  };
  if (auto it = schema.find("type"); it != schema.end()) {
    bool ok = false;
    if (it->is_string()) {
      ok = has_type(value, it->get<std::string>());
    } else {
      for (const auto& type : *it) ok = ok || has_type(value, type.get<std::string>());
    }
    if (!ok)
      return at("expected type " + show(*it) + ", got " + show(value) + " (" + type_name(value) +
                ")");
  }
  if (auto it = schema.find("enum"); it != schema.end()) {
    if (std::find(it->begin(), it->end(), value) == it->end()) {
      return at("expected enum " + show(*it) + ", got " + show(value));
    }
  }
  if (auto it = schema.find("pattern"); it != schema.end() && value.is_string()) {
    std::regex re(it->get<std::string>(), std::regex::ECMAScript);
    if (!std::regex_search(value.get<std::string>(), re)) {
      return at("expected pattern " + show(*it) + ", got " + show(value));
    }
  }
  if (value.is_object()) {
    if (auto it = schema.find("required"); it != schema.end()) {
      for (const auto& name : *it) {
        if (!value.contains(name.get<std::string>())) {
          return at("missing required property " + show(name));
        }
      }
    }
    const auto props = schema.find("properties");
    if (props != schema.end()) {
      for (const auto& [name, sub] : props->items()) {
        if (auto child = value.find(name); child != value.end()) {
          Path path = where.empty() ? Path{} : parse_path(where);
          path.emplace_back(name);
          if (auto bad = shape_mismatch(sub, *child, to_string(path))) return bad;
        }
      }
    }
    if (auto it = schema.find("additionalProperties"); it != schema.end() && *it == false) {
      for (const auto& [name, item] : value.items()) {
        if (props == schema.end() || !props->contains(name)) {
          return at("unexpected property \"" + name + "\"");
        }
      }
    }
  }
  if (value.is_array()) {
    if (auto it = schema.find("items"); it != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto bad = shape_mismatch(*it, value[i], where + "[" + std::to_string(i) + "]")) {
          return bad;
        }
      }
    }
  }
  return std::nullopt;
}

// ---- value checks ------------------------------------------------------------------------

bool hex_run(const std::string& s, std::size_t from, std::size_t count) {
  for (std::size_t i = from; i < from + count; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool is_uuid(const std::string& s, int version) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  if (!hex_run(s, 0, 8) || !hex_run(s, 9, 4) || !hex_run(s, 14, 4) || !hex_run(s, 19, 4) ||
      !hex_run(s, 24, 12)) {
    return false;
  }
  if (version == 0) return true;
  const char v = s[14];
  return std::isdigit(static_cast<unsigned char>(v)) && v - '0' == version;
}

bool in_size(std::size_t size, const json& arg) {
  if (arg.is_number()) return size == arg.get<std::size_t>();
  if (arg.contains("min") && size < arg["min"].get<std::size_t>()) return false;
  if (arg.contains("max") && size > arg["max"].get<std::size_t>()) return false;
  return true;
}

int compare_numbers(const json& a, const json& b) {
  if (is_integer(a) && is_integer(b)) {
    if (a.is_number_unsigned() || b.is_number_unsigned()) {
      // Compare in a wide enough type: an unsigned above INT64_MAX beats every signed value.
      const bool a_neg =
          a.is_number_integer() && !a.is_number_unsigned() && a.get<std::int64_t>() < 0;
      const bool b_neg =
          b.is_number_integer() && !b.is_number_unsigned() && b.get<std::int64_t>() < 0;
      if (a_neg != b_neg) return a_neg ? -1 : 1;
      if (a_neg) {
        const auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
        return x < y ? -1 : (x > y ? 1 : 0);
      }
      const auto x = a.get<std::uint64_t>(), y = b.get<std::uint64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    const auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const double x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::string phrase(const std::string& predicate, const json& arg) {
  if (arg.is_boolean() && arg.get<bool>() &&
      (predicate == "exists" || predicate == "absent" || predicate == "uuid" ||
       predicate == "iso8601" || predicate == "epoch_seconds" || predicate == "epoch_ms" ||
       predicate == "base64")) {
    return predicate;
  }
  if (predicate == "uuid" && arg.is_number()) return "uuid v" + arg.dump();
  if (predicate == "type") return "type " + (arg.is_string() ? arg.get<std::string>() : show(arg));
  if (predicate == "shape") return "shape";
  return predicate + " " + show(arg);
}

const std::vector<std::string> kPredicates = {
    "equals", "not_equals",    "matches", "exists",        "absent",   "type",
    "one_of", "uuid",          "iso8601", "epoch_seconds", "epoch_ms", "near_time",
    "base64", "base64_length", "gt",      "gte",           "lt",       "lte",
    "length", "contains",      "shape"};

const std::vector<std::string> kShapeKeywords = {"type", "required", "properties",          "items",
                                                 "enum", "pattern",  "additionalProperties"};

// near_time keeps its written argument for the message and expands only `from`.
AssertionResult evaluate_near_time_assertion(const Assertion& a, const json& body,
                                             const TemplateContext& context) {
  const std::string label = a.path.empty() ? "(root)" : a.path;
  const json* value = find(body, parse_path(a.path));
  const json from = expand(a.argument.at("from"), context);
  const auto r = evaluate_near_time(a.argument, from, value ? *value : json(), context.now());
  if (r.ok) return {true, label + ": near_time " + r.expected};
  return {false, label + ": expected near_time " + r.expected + ", got " +
                     (value ? r.actual : "nothing (no such path)")};
}

}  // namespace

const std::vector<std::string>& predicate_names() {
  return kPredicates;
}
const std::vector<std::string>& shape_keywords() {
  return kShapeKeywords;
}

bool is_predicate(std::string_view name) {
  return std::find(kPredicates.begin(), kPredicates.end(), name) != kPredicates.end();
}

bool predicate_expands_templates(std::string_view name) {
  return name == "equals" || name == "not_equals" || name == "one_of" || name == "contains" ||
         name == "near_time";
}

std::vector<AssertionProblem> validate_assertion(const Assertion& a) {
  std::vector<AssertionProblem> problems;
  std::string error;
  Path path;
  if (!try_parse_path(a.path, path, &error)) problems.push_back({"path", error});
  const json& arg = a.argument;
  const std::string& p = a.predicate;
  auto bad = [&](std::string reason) { problems.push_back({p, std::move(reason)}); };
  if (!is_predicate(p)) {
    bad("unknown predicate \"" + p + "\"");
  } else if (p == "matches") {
    if (!arg.is_string()) {
      bad("must be a string (an ECMAScript regex)");
    } else if (!compile(arg.get<std::string>(), &error)) {
      bad(error);
    }
  } else if (p == "exists" || p == "absent" || p == "iso8601" || p == "epoch_seconds" ||
             p == "epoch_ms" || p == "base64") {
    if (arg != true) {
      bad(p == "exists"   ? "must be true (use \"absent\": true for a missing value)"
          : p == "absent" ? "must be true (use \"exists\": true for a present value)"
                          : "must be true");
    }
  } else if (p == "type") {
    if (!is_type_name(arg)) {
      bad("must be one of \"string\", \"number\", \"integer\", \"boolean\", \"object\", "
          "\"array\", \"null\"");
    }
  } else if (p == "one_of") {
    if (!arg.is_array() || arg.empty()) bad("must be a non-empty array");
  } else if (p == "uuid") {
    if (arg != true &&
        !(is_integer(arg) && arg.get<std::int64_t>() >= 1 && arg.get<std::int64_t>() <= 8)) {
      bad("must be true or a UUID version from 1 to 8");
    }
  } else if (p == "base64_length" || p == "length") {
    if (auto why = check_size(arg)) bad(*why);
  } else if (p == "gt" || p == "gte" || p == "lt" || p == "lte") {
    if (!arg.is_number()) bad("must be a number");
  } else if (p == "contains") {
    if (arg.is_null()) bad("must not be null");
  } else if (p == "shape") {
    check_shape(arg, "shape", problems);
  } else if (p == "near_time") {
    for (auto& problem : check_near_time(arg)) {
      problems.push_back({problem.field.empty() ? p : p + "." + problem.field, problem.reason});
    }
  }
  return problems;
}

AssertionResult evaluate(const Assertion& a, const json& body, const TemplateContext& context) {
  const std::string label = a.path.empty() ? "(root)" : a.path;
  if (auto problems = validate_assertion(a); !problems.empty()) {
    return {false, label + ": malformed assertion: " + problems.front().field + ": " +
                       problems.front().reason};
  }
  if (a.predicate == "near_time") return evaluate_near_time_assertion(a, body, context);
  const json arg =
      predicate_expands_templates(a.predicate) ? expand(a.argument, context) : a.argument;
  const std::string& p = a.predicate;
  const json* value = find(body, parse_path(a.path));
  const std::string expected = phrase(p, arg);

  auto result = [&](bool ok, const std::string& actual) {
    if (ok) return AssertionResult{true, label + ": " + expected};
    return AssertionResult{false, label + ": expected " + expected + ", got " + actual};
  };
  if (p == "absent") return result(value == nullptr, value ? show(*value) : "");
  if (value == nullptr) return result(false, "nothing (no such path)");
  if (p == "exists") return result(true, "");

  const json& v = *value;
  const std::string actual = show(v);
  const std::string typed = actual + " (" + type_name(v) + ")";
  if (p == "equals") return result(v == arg, actual);
  if (p == "not_equals") return result(v != arg, actual);
  if (p == "matches") {
    if (!v.is_string()) return result(false, typed);
    const std::regex re(arg.get<std::string>(), std::regex::ECMAScript);
    return result(std::regex_match(v.get<std::string>(), re), actual);
  }
  if (p == "type") return result(has_type(v, arg.get<std::string>()), typed);
  if (p == "one_of") return result(std::find(arg.begin(), arg.end(), v) != arg.end(), actual);
  if (p == "uuid") {
    const int version = arg.is_boolean() ? 0 : arg.get<int>();
    return result(v.is_string() && is_uuid(v.get<std::string>(), version),
                  v.is_string() ? actual : typed);
  }
  if (p == "iso8601") {
    return result(v.is_string() && parse_rfc3339(v.get<std::string>()).has_value(),
                  v.is_string() ? actual : typed);
  }
  if (p == "epoch_seconds" || p == "epoch_ms") {
    const std::int64_t scale = p == "epoch_ms" ? 1000 : 1;
    bool ok = false;
    if (v.is_number_unsigned()) {
      const auto n = v.get<std::uint64_t>();
      ok = n >= static_cast<std::uint64_t>(kEpochMin * scale) &&
           n < static_cast<std::uint64_t>(kEpochMax * scale);
    } else if (v.is_number_integer()) {
      const auto n = v.get<std::int64_t>();
      ok = n >= kEpochMin * scale && n < kEpochMax * scale;
    }
    if (ok) return result(true, "");
    return result(false, is_integer(v) ? actual + " (outside 2001-2100)" : typed);
  }
  if (p == "base64" || p == "base64_length") {
    if (!v.is_string()) return result(false, typed);
    const auto decoded = base64_decode(v.get<std::string>());
    if (!decoded) return result(false, actual + " (not standard base64)");
    if (p == "base64") return result(true, "");
    return result(in_size(decoded->size(), arg),
                  actual + " (decodes to " + std::to_string(decoded->size()) + " bytes)");
  }
  if (p == "gt" || p == "gte" || p == "lt" || p == "lte") {
    if (!v.is_number()) return result(false, typed);
    const int c = compare_numbers(v, arg);
    const bool ok = p == "gt" ? c > 0 : p == "gte" ? c >= 0 : p == "lt" ? c < 0 : c <= 0;
    return result(ok, actual);
  }
  if (p == "length") {
    std::size_t size = 0;
    if (v.is_string()) {
      size = utf8_length(v.get<std::string>());
    } else if (v.is_array() || v.is_object()) {
      size = v.size();
    } else {
      return result(false, typed);
    }
    return result(in_size(size, arg), actual + " (length " + std::to_string(size) + ")");
  }
  if (p == "contains") {
    if (v.is_array()) return result(std::find(v.begin(), v.end(), arg) != v.end(), actual);
    if (v.is_string() && arg.is_string()) {
      return result(v.get<std::string>().find(arg.get<std::string>()) != std::string::npos, actual);
    }
    return result(false, typed);
  }
  if (p == "shape") {
    if (auto mismatch = shape_mismatch(arg, v, a.path)) {
      return {false, label + ": expected shape, " + *mismatch};
    }
    return result(true, "");
  }
  return {false, label + ": unknown predicate \"" + p + "\""};
}

}  // namespace kmsconf::conformance
