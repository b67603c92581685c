// The result file a command writes (`kmsconf load --out`, `kmsconf report merge -o`): its path
// checked before anything runs, so a run is never lost to a typo, and the file written at the end;
// also the result's HTML report (`--report-html`, `kmsconf report html`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace kmsconf::cli {

// Throws ConfigError (test_config.hpp) "OPTION PATH: ..." when the directory is missing or the
// file cannot be written. Nothing to check for an empty path.
void check_out_path(const std::string& option, const std::string& path);

// Writes `result` (indented JSON) and prints "Result: ABSOLUTE-PATH"; std::runtime_error naming
// the option when it cannot.
void write_result(const std::string& option, const std::string& path, const nlohmann::json& result);

// Writes the HTML report of `result` (reports/load_html.hpp) and prints "HTML report:
// ABSOLUTE-PATH"; std::runtime_error naming the path when it cannot.
void write_report_html(const std::string& path, const nlohmann::json& result);

}  // namespace kmsconf::cli
