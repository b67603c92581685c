// kmsconf demo: both full conformance suites (Volcengine and Alibaba) against in-process
// reference servers, through exactly the code `kmsconf test` runs (cli/test_command.hpp), with
// the HTML, JSON and JUnit reports written to --report-dir and their absolute paths printed; then
// a short load run whose result (load.json) and HTML report (load.html) go there too.
// Exit code as `kmsconf test`.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.hpp"
#include "cli/load_config.hpp"
#include "cli/test_command.hpp"
#include "cli/test_config.hpp"

namespace kmsconf::cli {
namespace {

namespace fs = std::filesystem;

struct DemoOptions {
  std::string report_dir = "kmsconf-reports";
  std::string filter;
};

struct ReportFile {
  fs::path path;
};

const char* verdict(int code) {
  switch (code) {
    case 0:
      return "demo passed: every case behaved as documented";
    case 1:
      return "demo FAILED: a case failed (or passed although listed as an expected failure)";
    case 3:
      return "demo FAILED: some cases could not be judged (engine errors, cases not run or "
             "malformed case files)";
    case 2:
      return "demo FAILED: usage or configuration problem";
    default:
      return "demo INTERRUPTED: the reports hold what ran before the signal";
  }
}

int run_demo(const DemoOptions& d) {
  std::error_code ec;
  fs::path dir = fs::absolute(d.report_dir, ec).lexically_normal();
  if (!ec) fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "kmsconf demo: --report-dir " << d.report_dir << ": " << ec.message() << "\n";
    return 2;
  }
  const std::vector<ReportFile> reports{{dir / "report.html"},
                                        {dir / "report.json"},
                                        {dir / "junit.xml"},
                                        {dir / "load.json"},
                                        {dir / "load.html"}};
  // A report left by an earlier demo must not be announced as this run's.
  for (const auto& report : reports) {
    fs::remove(report.path, ec);
    if (ec) {
      std::cerr << "kmsconf demo: " << report.path.string() << ": " << ec.message() << "\n";
      return 2;
    }
  }

  // 1. The conformance suites.
  std::cout << "kmsconf demo: the Volcengine (2021-02-18) and Alibaba Cloud (2016-01-20) "
               "conformance suites against in-process reference servers\n\n";
  TestOptions suites;
  suites.command = "kmsconf demo";  // its configuration errors are the demo's
  suites.dialect = "all";
  if (!d.filter.empty()) suites.filters = {d.filter};
  suites.html_file = reports[0].path.string();
  suites.json_file = reports[1].path.string();
  suites.junit_file = reports[2].path.string();
  int code = run_test(suites);

  // 2. A short load run of the envelope-encryption mix against its own in-process server; a
  // failed threshold fails the demo too. Closed loop, so a slow machine (a sanitizer build)
  // sends fewer requests instead of leaving scheduled ones unsent; the server's default quotas
  // show as throttled answers, which are never errors.
  std::cout << "\nkmsconf demo: a 3 s closed-loop load of the envelope mix (70% Encrypt, 20% "
               "Decrypt, 10% GenerateDataKey) on 2 connections\n";
  LoadOptions load;
  load.workload_file = (fs::path(find_fixtures("")) / "workloads" / "envelope-mix.json").string();
  load.connections = 2;
  load.duration = "3s";
  load.thresholds = {"error_rate<0.1%", "p99<2s"};
  load.out = reports[3].path.string();
  load.report_html = reports[4].path.string();
  const int load_code = run_load_command(load);
  if (code == 0 && load_code != 0) code = load_code;

  // run_test and the load run printed where their reports are.
  std::cout << verdict(code) << "\n";
  return code;
}

}  // namespace

void add_demo_command(CLI::App& app, std::function<int()>* run) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Run both conformance suites against in-process reference servers and write the HTML, "
      "JSON and JUnit reports");
  cmd->add_option("--report-dir", o->report_dir,
                  "Directory for report.html, report.json, junit.xml, load.json and load.html "
                  "(created if missing)")
      ->capture_default_str();
  cmd->add_option("--filter", o->filter,
                  "Run only the cases whose id contains this, or matches it as a glob (*, ?)");
  cmd->callback([o, run] { *run = [o] { return run_demo(*o); }; });
}

}  // namespace kmsconf::cli
