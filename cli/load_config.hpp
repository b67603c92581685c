// `kmsconf load`'s options, and turning them into a checked plan: every mistake is a usage error
// (exit 2) found before anything is sent.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/load_gates.hpp"
#include "loadgen/find_limit_run.hpp"
#include "loadgen/load_run.hpp"
#include "loadgen/result.hpp"
#include "loadgen/shard.hpp"
#include "loadgen/target.hpp"
#include "loadgen/thresholds.hpp"
#include "loadgen/workload.hpp"

namespace kmsconf::cli {

struct LoadOptions {
  std::string dialect{"volcengine"};
  std::string endpoint;  // empty: the in-process reference server
  std::optional<double> rate;
  std::optional<int> connections;
  std::string duration;
  std::optional<int> threads;
  std::string op;
  std::string workload_file;
  std::vector<std::string> thresholds;
  std::string baseline;
  std::string max_regression;
  std::string out;
  std::string report_html;  // the HTML report of the result (reports/load_html.hpp)
  std::string credentials_file;
  std::string region;
  int timeout_ms = 5000;
  std::string ca_file;
  bool insecure = false;
  int progress_every_s = 5;  // without a terminal
  int late_after_us = 1000;
  std::string save_request;        // write one signed request here and stop (for other load tools)
  std::string shard;               // "I/N": this run is shard I of N generators sending one load
  std::string stages;              // "1000:10s,5000:30s": ramps and steps of the open-loop rate
  bool find_limit = false;         // search for the rate limit (or capacity) instead of one rate
  std::string step{"1s"};          // --find-limit: each step's length
  std::optional<double> max_rate;  // --find-limit: never offer more
  std::string p99_ceiling;         // --find-limit: p99 above this is over capacity
};

// Runs `kmsconf load` with these options; returns its exit code (cli/load.cpp's --help lists them).
int run_load_command(const LoadOptions& options);

// Everything a run needs, checked.
struct LoadSetup {
  loadgen::Target target;  // endpoint empty when in_process (filled once the server listens)
  bool in_process = false;
  loadgen::Workload workload;
  loadgen::LoadPlan plan;  // with --shard, the shard's rate
  std::optional<loadgen::Shard> shard;
  GateSetup gates;
  std::string credential_source;                     // for messages; never the value
  std::optional<loadgen::FindLimitPlan> find_limit;  // with --find-limit
};

// Throws ConfigError (test_config.hpp) naming the option and what was wrong.
LoadSetup load_setup(const LoadOptions& options);

// The config block of the result file (never a secret).
loadgen::LoadConfig load_config(const LoadOptions& options, const LoadSetup& setup);

}  // namespace kmsconf::cli
