#include "conformance/results.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "protocol/ascii.hpp"

namespace kmsconf::conformance {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<Outcome, std::string_view>, 8> kOutcomeNames{{
    {Outcome::Pass, "pass"},
    {Outcome::Fail, "fail"},
    {Outcome::Error, "error"},
    {Outcome::Skip, "skip"},
    {Outcome::Disabled, "disabled"},
    {Outcome::XFail, "xfail"},
    {Outcome::XPass, "xpass"},
    {Outcome::NotRun, "notrun"},
}};

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw std::runtime_error("report JSON: " + where + ": " + what);
}

const json& member(const json& object, const char* name, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end()) bad(where + "." + name, "missing");
  return *it;
}

std::string text(const json& object, const char* name, const std::string& where,
                 bool required = false) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) bad(where + "." + name, "missing");
    return "";
  }
  if (!it->is_string()) bad(where + "." + name, "must be a string");
  return it->get<std::string>();
}

int64_t integer(const json& object, const char* name, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return 0;
  if (!it->is_number_integer()) bad(where + "." + name, "must be an integer");
  return it->get<int64_t>();
}

std::vector<std::string> strings(const json& object, const char* name, const std::string& where) {
  std::vector<std::string> out;
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) bad(where + "." + name, "must be an array of strings");
  for (const auto& item : *it) {
    if (!item.is_string()) bad(where + "." + name, "must be an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

json exchange_json(const RecordedExchange& exchange) {
  return {{"step", exchange.step},
          {"request", exchange.request},
          {"response", exchange.response},
          {"status", exchange.status},
          {"elapsed_ms", exchange.elapsed.count()}};
}

json result_json(const CaseResult& result) {
  json exchanges = json::array();
  for (const auto& exchange : result.exchanges) exchanges.push_back(exchange_json(exchange));
  json out = {{"id", result.id},
              {"title", result.title},
              {"dialect", result.dialect},
              {"doc", result.doc},
              {"tags", result.tags},
              {"actions", result.actions},
              {"outcome", std::string(to_string(result.outcome))},
              {"message", result.message},
              {"file", result.file},
              {"line", result.line},
              {"elapsed_ms", result.elapsed.count()},
              {"exchanges", std::move(exchanges)}};
  if (!result.xfail_reason.empty()) out["xfail_reason"] = result.xfail_reason;
  if (!result.failure_code.empty()) out["failure_code"] = result.failure_code;
  return out;
}

CaseResult result_from_json(const json& item, const std::string& where) {
  if (!item.is_object()) bad(where, "must be an object");
  CaseResult result;
  result.id = text(item, "id", where, true);
  std::string outcome = text(item, "outcome", where, true);
  auto parsed = outcome_from_string(outcome);
  if (!parsed) bad(where + ".outcome", "unknown outcome \"" + outcome + "\"");
  result.outcome = *parsed;
  result.title = text(item, "title", where);
  result.dialect = text(item, "dialect", where);
  result.doc = text(item, "doc", where);
  result.tags = strings(item, "tags", where);
  result.actions = strings(item, "actions", where);
  result.message = text(item, "message", where);
  result.xfail_reason = text(item, "xfail_reason", where);
  result.failure_code = text(item, "failure_code", where);
  result.file = text(item, "file", where);
  result.line = static_cast<int>(integer(item, "line", where));
  result.elapsed = std::chrono::milliseconds(integer(item, "elapsed_ms", where));
  if (auto it = item.find("exchanges"); it != item.end() && !it->is_null()) {
    if (!it->is_array()) bad(where + ".exchanges", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      std::string at = where + ".exchanges[" + std::to_string(i) + "]";
      if (!e.is_object()) bad(at, "must be an object");
      RecordedExchange exchange;
      exchange.step = text(e, "step", at);
      exchange.request = text(e, "request", at);
      exchange.response = text(e, "response", at);
      exchange.status = static_cast<int>(integer(e, "status", at));
      exchange.elapsed = std::chrono::milliseconds(integer(e, "elapsed_ms", at));
      result.exchanges.push_back(std::move(exchange));
    }
  }
  return result;
}

json identity_json(const RunIdentity& identity) {
  json out = {{"dialects", identity.dialects},
              {"endpoints", identity.endpoints},
              {"suite_fingerprint", identity.suite_fingerprint},
              {"filters", identity.filters},
              {"tags", identity.tags},
              {"exclude_tags", identity.exclude_tags},
              {"features", identity.features},
              {"regions", identity.regions}};
  return out;
}

RunIdentity identity_from_json(const json& object, const std::string& where) {
  if (!object.is_object()) bad(where, "must be an object");
  RunIdentity identity;
  identity.dialects = strings(object, "dialects", where);
  const json& endpoints = member(object, "endpoints", where);
  if (!endpoints.is_object()) bad(where + ".endpoints", "must be an object");
  for (const auto& [dialect, endpoint] : endpoints.items()) {
    if (!endpoint.is_string()) bad(where + ".endpoints." + dialect, "must be a string");
    identity.endpoints[dialect] = endpoint.get<std::string>();
  }
  identity.suite_fingerprint = text(object, "suite_fingerprint", where);
  identity.filters = strings(object, "filters", where);
  identity.tags = strings(object, "tags", where);
  identity.exclude_tags = strings(object, "exclude_tags", where);
  identity.features = strings(object, "features", where);
  if (auto it = object.find("regions"); it != object.end()) {
    if (!it->is_object()) bad(where + ".regions", "must be an object");
    for (const auto& [dialect, region] : it->items()) {
      if (!region.is_string()) bad(where + ".regions." + dialect, "must be a string");
      identity.regions[dialect] = region.get<std::string>();
    }
  }
  return identity;
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "unknown";
}

std::optional<Outcome> outcome_from_string(std::string_view text) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (ascii::iequals(name, text)) return value;
  }
  return std::nullopt;
}

size_t RunReport::count(Outcome outcome) const {
  return static_cast<size_t>(std::count_if(
      results.begin(), results.end(), [&](const CaseResult& r) { return r.outcome == outcome; }));
}

nlohmann::json to_json(const RunReport& report) {
  json summary = {{"total", report.results.size()}};
  for (const auto& [value, name] : kOutcomeNames) summary[std::string(name)] = report.count(value);
  json results = json::array();
  for (const auto& result : report.results) results.push_back(result_json(result));
  json out = {{"format", "kmsconf-run-report/1"},
              {"tool_version", report.tool_version},
              {"endpoint", report.endpoint},
              {"started_at", report.started_at},
              {"elapsed_ms", report.elapsed.count()},
              {"run_prefix", report.run_prefix},
              {"summary", std::move(summary)},
              {"file_errors", report.file_errors},
              {"notes", report.notes},
              {"results", std::move(results)}};
  if (report.has_identity) out["identity"] = identity_json(report.identity);
  if (!report.shared_cause.empty()) out["shared_cause"] = report.shared_cause;
  if (!report.stopped.empty()) {
    out["stopped"] = {{"reason", report.stopped}, {"message", report.stop_message}};
  }
  return out;
}

RunReport report_from_json(const nlohmann::json& input) {
  const std::string where = "$";
  if (!input.is_object()) bad(where, "must be an object");
  RunReport report;
  report.tool_version = text(input, "tool_version", where);
  report.endpoint = text(input, "endpoint", where);
  report.started_at = text(input, "started_at", where);
  report.run_prefix = text(input, "run_prefix", where);
  report.elapsed = std::chrono::milliseconds(integer(input, "elapsed_ms", where));
  report.file_errors = strings(input, "file_errors", where);
  if (input.contains("notes")) report.notes = strings(input, "notes", where);
  if (auto it = input.find("identity"); it != input.end()) {
    report.identity = identity_from_json(*it, where + ".identity");
    report.has_identity = true;
  }
  report.shared_cause = text(input, "shared_cause", where);
  if (auto it = input.find("stopped"); it != input.end()) {
    if (!it->is_object()) bad(where + ".stopped", "must be an object");
    report.stopped = text(*it, "reason", where + ".stopped", true);
    report.stop_message = text(*it, "message", where + ".stopped");
  }
  const json& results = member(input, "results", where);
  if (!results.is_array()) bad(where + ".results", "must be an array");
  for (size_t i = 0; i < results.size(); ++i) {
    report.results.push_back(
        result_from_json(results[i], where + ".results[" + std::to_string(i) + "]"));
  }
  return report;
}

}  // namespace kmsconf::conformance
