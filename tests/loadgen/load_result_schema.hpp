// Checking a result JSON against fixtures/schema/load-result.schema.json, in the parts of JSON
// Schema that file uses, for the tests of what writes results (one run's, a merge's).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kmsconf::loadgen::schema_check {

using nlohmann::json;

inline const std::string kSchemaFile =
    std::string(KMSCONF_SOURCE_DIR) + "/fixtures/schema/load-result.schema.json";

inline json load_schema() {
  std::ifstream in(kSchemaFile);
  EXPECT_TRUE(in) << kSchemaFile << " is missing";
  return json::parse(in);
}

// A schema node with its $ref (within the file) followed.
inline const json& resolve(const json& root, const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  const std::string ref = node["$ref"];
  EXPECT_EQ(ref.rfind("#/", 0), 0u) << "only local refs: " << ref;
  return resolve(root, root.at(json::json_pointer(ref.substr(1))));
}

inline bool has_type(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  ADD_FAILURE() << "unknown type " << type;
  return false;
}

using Problems = std::vector<std::string>;

// Adds to `out` where `value` breaks the schema, in the parts of JSON Schema the file uses:
// $ref, type, const, enum, minimum, required, properties, additionalProperties, items,
// prefixItems.
inline void check(const json& root, const json& node, const json& value, const std::string& path,
                  Problems& out) {
  const json& s = resolve(root, node);
  if (s.contains("type")) {
    const json types = s["type"].is_array() ? s["type"] : json::array({s["type"]});
    bool any = false;
    for (const auto& t : types) any = any || has_type(value, t.get<std::string>());
    if (!any) out.push_back(path + " is " + value.dump() + ", not " + s["type"].dump());
  }
  if (s.contains("const") && value != s["const"]) {
    out.push_back(path + " is " + value.dump() + ", not " + s["const"].dump());
  }
  if (s.contains("enum") &&
      std::find(s["enum"].begin(), s["enum"].end(), value) == s["enum"].end()) {
    out.push_back(path + " = " + value.dump() + " is not one of " + s["enum"].dump());
  }
  if (s.contains("minimum") && value.is_number() &&
      value.get<double>() < s["minimum"].get<double>()) {
    out.push_back(path + " is below the minimum");
  }
  if (value.is_object()) {
    for (const auto& name : s.value("required", json::array())) {
      if (!value.contains(name)) out.push_back(path + " lacks required " + name.get<std::string>());
    }
    const json properties = s.value("properties", json::object());
    const json additional = s.value("additionalProperties", json(true));
    for (const auto& [key, v] : value.items()) {
      const std::string at = path + "." + key;
      if (properties.contains(key)) {
        check(root, properties[key], v, at, out);
      } else if (additional.is_object()) {
        check(root, additional, v, at, out);
      } else if (additional == false) {
        out.push_back(at + " is not declared in the schema");
      }
    }
  }
  if (value.is_array()) {
    const json prefix = s.value("prefixItems", json::array());
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string at = path + "[" + std::to_string(i) + "]";
      if (i < prefix.size()) {
        check(root, prefix[i], value[i], at, out);
      } else if (s.contains("items")) {
        check(root, s["items"], value[i], at, out);
      }
    }
  }
}

inline Problems schema_problems(const json& result) {
  const json schema = load_schema();
  Problems out;
  check(schema, schema, result, "result", out);
  return out;
}

}  // namespace kmsconf::loadgen::schema_check
