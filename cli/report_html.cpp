// `kmsconf report html RESULT.json [-o OUT.html]`: the HTML page of a `kmsconf load` result file.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/result_file.hpp"
#include "loadgen/config_compare.hpp"
#include "loadgen/result.hpp"

namespace kmsconf::cli {
namespace {

namespace fs = std::filesystem;

struct ReportHtmlOptions {
  std::string result;
  std::string out;  // empty: the result's path with .html
};

std::string output_path(const ReportHtmlOptions& o) {
  if (!o.out.empty()) return o.out;
  return fs::path(o.result).replace_extension(".html").string();
}

// Whether two paths name one file (also when neither exists yet).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec_a, ec_b;
  const fs::path x = fs::weakly_canonical(a, ec_a), y = fs::weakly_canonical(b, ec_b);
  return !ec_a && !ec_b && x == y;
}

int run_report_html(const ReportHtmlOptions& o) {
  const std::string out = output_path(o);
  nlohmann::json result;
  try {
    result = loadgen::read_result_file(o.result);  // "FILE:LINE: invalid JSON ..." for bad JSON
  } catch (const std::exception& e) {
    std::cerr << "kmsconf report html: " << e.what() << "\n";
    return kExitUsage;
  }
  if (const std::string why = loadgen::not_a_load_result(result); !why.empty()) {
    std::cerr << "kmsconf report html: " << o.result << " is not a kmsconf load result: " << why
              << "\n";
    return kExitUsage;
  }
  if (same_file(out, o.result)) {
    std::cerr << "kmsconf report html: the page would overwrite " << o.result
              << " itself; give -o OUT.html\n";
    return kExitUsage;
  }
  try {
    write_report_html(out, result);
  } catch (const std::exception& e) {
    std::cerr << "kmsconf report html: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitPassed;
}

}  // namespace

void add_report_html_command(CLI::App& report, std::function<int()>* run) {
  auto o = std::make_shared<ReportHtmlOptions>();
  CLI::App* cmd = report.add_subcommand(
      "html",
      "Render a load result file (kmsconf load --out) as one self-contained HTML page "
      "(docs/load-report.md). Exit codes: 0 written, 2 the file cannot be read, is not JSON or "
      "not a load result, or the page cannot be written");
  cmd->add_option("result", o->result, "A result file of kmsconf load --out")->required();
  cmd->add_option("-o,--out", o->out, "Where to write the page (default: RESULT with .html)");
  cmd->callback([o, run] { *run = [o] { return run_report_html(*o); }; });
}

}  // namespace kmsconf::cli
