// Checking and writing a result file (result_file.hpp).
#include "cli/result_file.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/test_config.hpp"
#include "reports/load_html.hpp"

namespace kmsconf::cli {
namespace {

// Where a file was written, as the last lines of a command say it.
std::string absolute_text(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.string();
}

}  // namespace

void check_out_path(const std::string& option, const std::string& path) {
  if (path.empty()) return;
  namespace fs = std::filesystem;
  const fs::path parent = fs::absolute(path).parent_path();
  if (!fs::is_directory(parent)) {
    throw ConfigError(option + " " + path + ": the directory " + parent.string() +
                      " does not exist");
  }
  std::ofstream probe(path, std::ios::app);
  if (!probe) throw ConfigError(option + " " + path + ": cannot be written");
}

void write_result(const std::string& option, const std::string& path,
                  const nlohmann::json& result) {
  std::ofstream out(path, std::ios::trunc);
  out << result.dump(2) << "\n";
  if (!out) throw std::runtime_error(option + " " + path + ": cannot be written");
  std::cout << "Result: " << absolute_text(path) << "\n";
}

void write_report_html(const std::string& path, const nlohmann::json& result) {
  reports::write_load_html(result, path);
  std::cout << "HTML report: " << absolute_text(path) << "\n";
}

}  // namespace kmsconf::cli
