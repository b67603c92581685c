// The list of `kmsconf report`'s subcommands: one line per subcommand file (cli/report_*.cpp).
#include "cli/commands.hpp"

namespace kmsconf::cli {

void add_report_subcommands(CLI::App& report, std::function<int()>* run) {
  (void)report;
  (void)run;
  add_report_merge_command(report, run);
  add_report_html_command(report, run);
}

}  // namespace kmsconf::cli
