// kmsconf: is a KMS endpoint behaving as documented, and how does it hold up under load?
#include <iostream>

#include "cli/commands.hpp"
#include "cli/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "kmsconf - KMS conformance and load toolkit (Volcengine and Alibaba Cloud dialects)"};
  app.set_version_flag("--version", "kmsconf " + kmsconf::cli::version_line(),
                       "Print the version, git commit and build type, then exit");
  app.require_subcommand(1);
  std::function<int()> run;
  kmsconf::cli::add_serve_command(app, &run);
  kmsconf::cli::add_demo_command(app, &run);
  kmsconf::cli::add_test_command(app, &run);
  kmsconf::cli::add_load_command(app, &run);
  kmsconf::cli::add_report_command(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return run ? run() : 2;
  } catch (const std::exception& e) {
    std::cerr << "kmsconf: " << e.what() << "\n";
    return 2;
  }
}
