// `kmsconf report`: works on result files after a run; each subcommand lives in its own file.
#include "cli/commands.hpp"

namespace kmsconf::cli {

void add_report_command(CLI::App& app, std::function<int()>* run) {
  CLI::App* report = app.add_subcommand(
      "report", "Work on result files of earlier runs (merge shards, render HTML)");
  report->require_subcommand(1);
  add_report_subcommands(*report, run);
}

}  // namespace kmsconf::cli
