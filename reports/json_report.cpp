#include "reports/json_report.hpp"

#include <stdexcept>

#include "reports/text.hpp"

namespace kmsconf::reports {

nlohmann::json to_json_document(const conformance::RunReport& report) {
  nlohmann::json document = conformance::to_json(report);
  if (!document.is_object()) {
    throw std::logic_error("conformance::to_json did not return a JSON object");
  }
  document[kSchemaVersionField] = kReportSchemaVersion;
  return document;
}

conformance::RunReport from_json_document(const nlohmann::json& document,
                                          const std::string& source) {
  if (!document.is_object()) {
    throw std::runtime_error(source + ": not a kmsconf JSON report: the top level is " +
                             std::string(document.type_name()) + ", not an object");
  }
  const auto version = document.find(kSchemaVersionField);
  if (version == document.end()) {
    throw std::runtime_error(source + ": not a kmsconf JSON report: no \"" + kSchemaVersionField +
                             "\" field");
  }
  if (!version->is_number_integer()) {
    throw std::runtime_error(source + ": \"" + kSchemaVersionField + "\" must be an integer, not " +
                             version->dump());
  }
  const auto number = version->get<long long>();
  if (number < 1) {
    throw std::runtime_error(source + ": \"" + kSchemaVersionField + "\" " +
                             std::to_string(number) + " is not a valid report version");
  }
  if (number > kReportSchemaVersion) {
    throw std::runtime_error(source + ": report schema version " + std::to_string(number) +
                             " is newer than this kmsconf reads (" +
                             std::to_string(kReportSchemaVersion) + "); use a newer kmsconf");
  }
  try {
    return conformance::report_from_json(document);
  } catch (const std::exception& e) {
    throw std::runtime_error(source + ": not a valid kmsconf report: " + e.what());
  }
}

std::string to_json_text(const conformance::RunReport& report) {
  return to_json_document(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

conformance::RunReport parse_json_report(std::string_view text, const std::string& source) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(source + ": not valid JSON: " + e.what());
  }
  return from_json_document(document, source);
}

void write_json_report(const conformance::RunReport& report, const std::string& path) {
  write_text_file(path, to_json_text(report));
}

conformance::RunReport read_json_report(const std::string& path) {
  return parse_json_report(read_text_file(path), path);
}

}  // namespace kmsconf::reports
