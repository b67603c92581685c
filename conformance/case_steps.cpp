// Loading one step of a case file: params, auth, expectations, assertions, retry, captures,
// and the templates they use (part of FileLoader, conformance/case_loader.hpp).
#include "conformance/case_loader.hpp"

#include <algorithm>
#include <cstring>
#include <regex>

#include "client/dialect.hpp"
#include "conformance/json_path.hpp"
#include "conformance/predicates.hpp"
#include "conformance/templates.hpp"

namespace kmsconf::conformance::loader {

// Reports malformed templates in every string inside `value`.
void FileLoader::check_template_syntax(const json& value, const std::string& field) {
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
    for (const auto& [key, item] : value.items()) {
      check_template_syntax(item, json_member(field, key));
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      check_template_syntax(value[i], json_element(field, i));
  }
}

// Calls report(field, reason) for each variable in `value` that is neither run-wide nor in
// `captured`.
void FileLoader::check_variables(const json& value, const std::string& field,
                                 const std::set<std::string>& captured, const Report& report) {
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
      check_variables(item, json_member(field, key), captured, report);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      check_variables(value[i], json_element(field, i), captured, report);
    }
  }
}

// Checks the variables a step uses and adds the ones it captures. Params and region may use
// earlier captures; expectations and retry conditions also the step's own.
void FileLoader::step_variables(const json& step, const std::string& field,
                                std::set<std::string>& captured, const Report& report) {
  if (!step.is_object()) return;
  for (const char* key : {"params", "region"}) {
    if (auto it = step.find(key); it != step.end()) {
      check_variables(*it, json_member(field, key), captured, report);
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
          check_variables(arg, json_member(json_element(list_field, i), key), captured, report);
        }
      }
    }
  };
  if (auto it = step.find("expect"); it != step.end() && it->is_object()) {
    if (auto body = it->find("body"); body != it->end()) {
      assertions(*body, json_member(json_member(field, "expect"), "body"));
    }
  }
  if (auto it = step.find("retry"); it != step.end() && it->is_object()) {
    for (const char* key : {"until", "stop"}) {
      if (auto list = it->find(key); list != it->end()) {
        assertions(*list, json_member(json_member(field, "retry"), key));
      }
    }
  }
}

std::vector<Assertion> FileLoader::load_assertions(const json& object, const std::string& parent,
                                                   const std::string& key, bool required) {
  std::vector<Assertion> out;
  const json* list = get_array(object, parent, key, required);
  if (!list) return out;
  const std::string field = json_member(parent, key);
  if (required && list->empty()) error(field, "must hold at least one assertion");
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (auto a = load_assertion((*list)[i], json_element(field, i))) out.push_back(std::move(*a));
  }
  return out;
}

std::optional<Assertion> FileLoader::load_assertion(const json& value, const std::string& field) {
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
    error(json_member(field, predicates[1]),
          "a second predicate next to \"" + predicates[0] + "\"; an assertion has exactly one");
  } else {
    a.predicate = predicates[0];
    a.argument = value.at(a.predicate);
    for (const auto& problem : validate_assertion(a)) {
      error(problem.field == "path" ? json_member(field, "path") : field + "." + problem.field,
            problem.reason);
    }
    if (predicate_expands_templates(a.predicate)) {
      check_template_syntax(a.argument, json_member(field, a.predicate));
    }
  }
  if (out_.errors.size() != before) return std::nullopt;
  return a;
}

Expectation FileLoader::load_expect(const json& value, const std::string& field) {
  Expectation e;
  if (!value.is_object()) {
    type_error(field, value, "an object");
    return e;
  }
  check_unknown(value, field, "expect");
  if (auto status = get_int(value, field, "status", 100, 599)) e.status = static_cast<int>(*status);
  e.code = get_string(value, field, "code", false, /*non_empty=*/false);
  if (auto pattern = get_string(value, field, "message_matches", false, false)) {
    try {
      std::regex check(*pattern, std::regex::ECMAScript);
      e.message_matches = pattern;
    } catch (const std::regex_error& ex) {
      error(json_member(field, "message_matches"), std::string("invalid regex: ") + ex.what());
    }
  }
  e.body = load_assertions(value, field, "body", false);
  if (value.empty()) {
    error(field, "names no expectation: give status, code, message_matches or body");
  }
  return e;
}

std::optional<Retry> FileLoader::load_retry(const json& value, const std::string& field) {
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

std::optional<Burst> FileLoader::load_burst(const json& value, const std::string& field) {
  if (!value.is_object()) {
    type_error(field, value, "an object (connections, requests, seconds; all optional)");
    return std::nullopt;
  }
  check_unknown(value, field, "burst");
  Burst b;
  if (auto n = get_int(value, field, "connections", 1, Burst::kMostConnections)) {
    b.connections = static_cast<int>(*n);
  }
  if (auto n = get_int(value, field, "requests", 1, Burst::kMostRequests)) {
    b.requests = static_cast<int>(*n);
  }
  if (auto n = get_int(value, field, "seconds", 1, Burst::kLongest.count())) {
    b.within = std::chrono::seconds(*n);
  }
  return b;
}

AuthOverride FileLoader::load_auth(const json& value, const std::string& field, bool first_step) {
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
    const auto* descriptor = client::find_dialect(dialect_);
    std::vector<std::string> layouts;
    if (descriptor)
      layouts.assign(descriptor->signing_layouts.begin(), descriptor->signing_layouts.end());
    if (contains(layouts, *signing)) {
      a.signing = signing;
    } else {
      std::string list;
      for (const auto& l : layouts) list += (list.empty() ? "\"" : ", \"") + l + "\"";
      error(json_member(field, "signing"),
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
      error(json_member(field, "tamper"),
            "must be \"body\", \"query\" or \"header:<name>\", got \"" + *tamper + "\"");
    }
  }
  if (auto unsigned_request = get_bool(value, field, "unsigned")) {
    a.unsigned_request = *unsigned_request;
  }
  if (auto replay = get_bool(value, field, "replay")) {
    a.replay = *replay;
    if (a.replay && first_step) {
      error(json_member(field, "replay"), "the first step has no previous request to replay");
    }
  }
  if (auto method = get_string(value, field, "method", false)) {
    static const std::vector<std::string> methods = {"GET",  "POST",  "PUT",    "DELETE",
                                                     "HEAD", "PATCH", "OPTIONS"};
    if (contains(methods, *method)) {
      a.method = method;
    } else {
      error(json_member(field, "method"),
            "must be an HTTP method in capitals (GET, POST, ...), got \"" + *method + "\"");
    }
  }
  if (const json* headers = get_object(value, field, "headers")) {
    const std::string headers_field = json_member(field, "headers");
    for (const auto& [name, header_value] : headers->items()) {
      const std::string at = json_member(headers_field, name);
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

std::map<std::string, std::string> FileLoader::load_capture(const json& value,
                                                            const std::string& field) {
  std::map<std::string, std::string> out;
  if (!value.is_object()) {
    type_error(field, value, "an object {\"variable\": \"json.path\"}");
    return out;
  }
  for (const auto& [name, path] : value.items()) {
    const std::string at = json_member(field, name);
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

Step FileLoader::load_step(const json& value, const std::string& field, StepRole role,
                           bool first_step) {
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
    check_template_syntax(*params, json_member(field, "params"));
  }
  if (auto placement = get_string(value, field, "placement", false)) {
    static const std::map<std::string, Placement> placements = {{"auto", Placement::Auto},
                                                                {"query", Placement::Query},
                                                                {"json", Placement::JsonBody},
                                                                {"form", Placement::FormBody}};
    if (auto it = placements.find(*placement); it != placements.end()) {
      s.placement = it->second;
    } else {
      error(json_member(field, "placement"),
            "must be \"auto\", \"query\", \"json\" or \"form\", got \"" + *placement + "\"" +
                suggestion(*placement, {"auto", "query", "json", "form"}));
    }
  }
  if (auto region = get_string(value, field, "region", false)) {
    s.region = *region;
    check_template_syntax(value.at("region"), json_member(field, "region"));
  }
  if (auto it = value.find("auth"); it != value.end()) {
    s.auth = load_auth(*it, json_member(field, "auth"), first_step);
  }
  if (auto it = value.find("expect"); it != value.end()) {
    if (role == StepRole::MatrixOperation) {
      error(json_member(field, "expect"),
            "a matrix operation's expectation comes from the matrix's "
            "\"expect\" table");
    } else {
      s.expect = load_expect(*it, json_member(field, "expect"));
    }
  }
  if (auto it = value.find("capture"); it != value.end()) {
    s.captures = load_capture(*it, json_member(field, "capture"));
  }
  if (auto it = value.find("retry"); it != value.end()) {
    s.retry = load_retry(*it, json_member(field, "retry"));
  }
  if (auto it = value.find("burst"); it != value.end()) {
    s.burst = load_burst(*it, json_member(field, "burst"));
    if (value.contains("retry")) {
      error(json_member(field, "burst"), "a step has a burst or a retry, not both");
    } else if (s.auth.replay) {
      error(json_member(field, "burst"), "a burst signs each request afresh: no auth.replay");
    } else if (role != StepRole::Step) {
      error(json_member(field, "burst"), "only a case's steps may burst (not cleanup or matrices)");
    }
  }
  // Names a case creates carry the run prefix (CreateKeyring -> KeyringName, ...), unless the
  // step expects the creation to fail.
  if (role != StepRole::MatrixOperation && s.action.starts_with("Create") &&
      !value.contains("expect") && s.params.is_object()) {
    const std::string name_param = s.action.substr(6) + "Name";
    if (auto it = s.params.find(name_param);
        it != s.params.end() && it->is_string() &&
        it->get_ref<const std::string&>().find("{{run_prefix}}") == std::string::npos) {
      error(json_member(json_member(field, "params"), name_param),
            "a created name must contain {{run_prefix}} (parallel runs must not collide and "
            "--sweep must find leftovers)");
    }
  }
  return s;
}

std::vector<Step> FileLoader::load_steps(const json& object, const std::string& parent,
                                         const std::string& key, StepRole role, bool required,
                                         bool opening) {
  std::vector<Step> out;
  const json* list = get_array(object, parent, key, required);
  if (!list) return out;
  const std::string field = json_member(parent, key);
  if (required && list->empty()) error(field, "must hold at least one step");
  for (std::size_t i = 0; i < list->size(); ++i) {
    out.push_back(load_step((*list)[i], json_element(field, i), role,
                            opening && role == StepRole::Step && i == 0));
  }
  return out;
}

}  // namespace kmsconf::conformance::loader
