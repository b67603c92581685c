// The JSON report: the machine-readable result of a run and the baseline format that
// `--baseline` compares against. It is conformance::to_json(report) plus a top-level
// "schema_version" (kReportSchemaVersion); readers refuse a missing, malformed or newer version
// with a message that says so instead of misreading the file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "conformance/results.hpp"

namespace kmsconf::reports {

inline constexpr int kReportSchemaVersion = 1;
inline constexpr const char* kSchemaVersionField = "schema_version";

// conformance::to_json plus schema_version.
nlohmann::json to_json_document(const conformance::RunReport& report);
// Checks schema_version, then conformance::report_from_json. Throws std::runtime_error starting
// with "<source>: " for a missing/unsupported version or a malformed report.
conformance::RunReport from_json_document(const nlohmann::json& document,
                                          const std::string& source = "report");

// Indented JSON text; bytes that are not UTF-8 (a garbage response body) become U+FFFD
// instead of making the dump throw.
std::string to_json_text(const conformance::RunReport& report);
// Throws std::runtime_error "<source>: not valid JSON: … line L, column C …" or as
// from_json_document.
conformance::RunReport parse_json_report(std::string_view text,
                                         const std::string& source = "report");

// Throws std::runtime_error naming the path when it cannot be written.
void write_json_report(const conformance::RunReport& report, const std::string& path);
// Throws std::runtime_error naming the path: unreadable, not JSON, not a report.
conformance::RunReport read_json_report(const std::string& path);

}  // namespace kmsconf::reports
