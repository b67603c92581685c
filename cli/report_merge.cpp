// `kmsconf report merge`: the result files of a sharded load (`kmsconf load --shard I/N` on N
// machines) merged into one, judged by thresholds and a baseline exactly as `kmsconf load` judges
// a run, with the same summary and exit codes (docs/load.md "Scale past one machine").
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/load_gates.hpp"
#include "cli/result_file.hpp"
#include "loadgen/merge.hpp"
#include "loadgen/result.hpp"

namespace kmsconf::cli {
namespace {

const char* const kCommand = "kmsconf report merge";

struct MergeOptions {
  std::vector<std::string> files;
  std::string out;
  std::vector<std::string> thresholds;
  std::string baseline;
  std::string max_regression;
};

std::vector<loadgen::ResultFile> read_files(const std::vector<std::string>& paths) {
  std::vector<loadgen::ResultFile> files;
  for (const auto& path : paths) files.push_back({path, loadgen::read_result_file(path)});
  return files;
}

// Everything that can be wrong with the files and options, found before anything is judged or
// written: exit 2.
bool prepare(const MergeOptions& o, loadgen::MergedRun& run, GateSetup& gates) {
  try {
    check_out_path("-o", o.out);
    run = loadgen::merge_results(read_files(o.files));
    gates = read_gates(o.thresholds, o.baseline, o.max_regression, run.stats.operations);
    return true;
  } catch (const loadgen::MergeError& e) {
    std::cerr << kCommand << ": the files are not the shards of one load:\n";
    for (const auto& line : e.problems()) std::cerr << "  " << line << "\n";
  } catch (const std::runtime_error& e) {  // an unreadable file, ConfigError
    std::cerr << kCommand << ": " << e.what() << "\n";
  }
  return false;
}

int run_report_merge(const MergeOptions& o) {
  loadgen::MergedRun run;
  GateSetup gates;
  if (!prepare(o, run, gates)) return kExitUsage;
  const auto bare = loadgen::merged_result_json(run, {}, nullptr, "");
  if (!baseline_comparable(std::cerr, kCommand, o.baseline, gates.baseline, bare)) {
    return kExitUsage;
  }
  for (const auto& warning : run.warnings)
    std::cerr << kCommand << ": warning: " << warning << "\n";
  const GateResults judged = evaluate_gates(gates, bare);
  const auto result =
      loadgen::merged_result_json(run, judged.thresholds, judged.regressions_or_null(), o.baseline);
  loadgen::print_summary(std::cout, result);
  if (!o.out.empty()) write_result("-o", o.out, result);
  if (!loadgen::unjudged_reason(result).empty()) {
    std::cerr << kCommand << ": the load cannot be judged: " << run.stats.stop_reason << "\n";
    return kExitNotRun;
  }
  return result.value("passed", false) ? kExitPassed : kExitFailed;
}

}  // namespace

void add_report_merge_command(CLI::App& report, std::function<int()>* run) {
  auto o = std::make_shared<MergeOptions>();
  CLI::App* cmd = report.add_subcommand(
      "merge",
      "Merge the result files of `kmsconf load --shard I/N` runs into one exact result and judge "
      "it. Exit codes: 0 every threshold and baseline check passed, 1 one failed, 2 usage or a "
      "file that cannot be merged, 3 a shard was interrupted or judged nothing");
  cmd->add_option("files", o->files, "The shards' result files (kmsconf load --out)")->required();
  cmd->add_option("-o,--out", o->out, "Write the merged result JSON here");
  cmd->add_option("--threshold", o->thresholds,
                  "A pass/fail check on the merged result, as kmsconf load takes it (repeatable; "
                  "docs/load-thresholds.md)");
  cmd->add_option("--baseline", o->baseline,
                  "An earlier merged result of the same load and shard count");
  cmd->add_option("--max-regression", o->max_regression,
                  "Tolerances against --baseline (default p99=10%,rps=5%,error_rate=0.1%)");
  cmd->callback([run, o] { *run = [o] { return run_report_merge(*o); }; });
}

}  // namespace kmsconf::cli
