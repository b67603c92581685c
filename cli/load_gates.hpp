// The gates of a load result, shared by `kmsconf load` and `kmsconf report merge`: --threshold,
// --baseline and --max-regression read and checked before anything runs, then judged on the
// result (docs/load-thresholds.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "loadgen/thresholds.hpp"

namespace kmsconf::cli {

struct GateSetup {
  std::vector<loadgen::Threshold> thresholds;
  std::optional<loadgen::RegressionTolerances> regressions;  // with a baseline
  nlohmann::json baseline;                                   // null without one
};

// Parses the thresholds and tolerances and reads the baseline file. A threshold on an operation
// not in `operations` is refused: it could never pass. Throws ConfigError (test_config.hpp) naming
// the option.
GateSetup read_gates(const std::vector<std::string>& thresholds, const std::string& baseline,
                     const std::string& max_regression, const std::vector<std::string>& operations);

struct GateResults {
  std::vector<loadgen::ThresholdResult> thresholds;
  std::optional<std::vector<loadgen::RegressionResult>> regressions;  // with a baseline
  // What loadgen::result_json takes: null without a baseline.
  const std::vector<loadgen::RegressionResult>* regressions_or_null() const {
    return regressions ? &*regressions : nullptr;
  }
};

// Every threshold and regression judged on `result`'s metrics (loadgen::metrics_of).
GateResults evaluate_gates(const GateSetup& gates, const nlohmann::json& result);

// Whether the baseline (read from `path`) can judge `current`: not when it judged nothing or was
// measured on another target, workload or shard. When not, says why on `err` after `command`
// ("kmsconf load: --baseline old.json ...") and returns false: a usage error, exit 2.
bool baseline_comparable(std::ostream& err, const std::string& command, const std::string& path,
                         const nlohmann::json& baseline, const nlohmann::json& current);

}  // namespace kmsconf::cli
