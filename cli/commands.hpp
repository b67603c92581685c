// Subcommands of the one kmsconf binary; each registers its options and its run function.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace kmsconf::cli {

// Adds the subcommand to app; sets *run to what executes it and returns the exit code.
void add_serve_command(CLI::App& app, std::function<int()>* run);
void add_demo_command(CLI::App& app, std::function<int()>* run);
void add_test_command(CLI::App& app, std::function<int()>* run);
void add_load_command(CLI::App& app, std::function<int()>* run);
void add_report_command(CLI::App& app, std::function<int()>* run);

// `kmsconf report`'s subcommands (cli/report_*.cpp), each adding itself to `report`.
void add_report_subcommands(CLI::App& report, std::function<int()>* run);
void add_report_merge_command(CLI::App& report, std::function<int()>* run);
void add_report_html_command(CLI::App& report, std::function<int()>* run);  // report_html.cpp

}  // namespace kmsconf::cli
