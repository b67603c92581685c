// Reading and judging the gates of a load result (load_gates.hpp).
#include "cli/load_gates.hpp"

#include <algorithm>

#include "cli/test_config.hpp"
#include "loadgen/result.hpp"

namespace kmsconf::cli {
namespace {

void read_thresholds(const std::vector<std::string>& texts,
                     const std::vector<std::string>& operations, GateSetup& g) {
  for (const auto& text : texts) {
    try {
      g.thresholds.push_back(loadgen::parse_threshold(text));
    } catch (const std::invalid_argument& e) {
      throw ConfigError(std::string("--threshold: ") + e.what());
    }
    const std::string& op = g.thresholds.back().operation;
    if (!op.empty() && std::find(operations.begin(), operations.end(), op) == operations.end()) {
      throw ConfigError("--threshold " + text + ": the workload sends no " + op);
    }
  }
}

}  // namespace

GateSetup read_gates(const std::vector<std::string>& thresholds, const std::string& baseline,
                     const std::string& max_regression,
                     const std::vector<std::string>& operations) {
  GateSetup g;
  read_thresholds(thresholds, operations, g);
  if (!max_regression.empty() && baseline.empty()) {
    throw ConfigError("--max-regression needs --baseline OLD.json");
  }
  if (baseline.empty()) return g;
  try {
    g.regressions = loadgen::parse_max_regression(
        max_regression.empty() ? std::string(loadgen::kDefaultMaxRegression) : max_regression);
    g.baseline = loadgen::read_result_file(baseline);
  } catch (const std::exception& e) {
    throw ConfigError((max_regression.empty() ? "--baseline: " : "--max-regression: ") +
                      std::string(e.what()));
  }
  return g;
}

GateResults evaluate_gates(const GateSetup& gates, const nlohmann::json& result) {
  GateResults r;
  const auto metrics = loadgen::metrics_of(result);
  r.thresholds = loadgen::evaluate(gates.thresholds, metrics);
  if (gates.regressions) {
    r.regressions = loadgen::evaluate_regressions(*gates.regressions, metrics,
                                                  loadgen::metrics_of(gates.baseline));
  }
  return r;
}

bool baseline_comparable(std::ostream& err, const std::string& command, const std::string& path,
                         const nlohmann::json& baseline, const nlohmann::json& current) {
  if (baseline.is_null()) return true;
  if (const auto why = loadgen::unjudged_reason(baseline); !why.empty()) {
    err << command << ": --baseline " << path << " judged nothing (" << why
        << "): it cannot be a baseline\n";
    return false;
  }
  const auto differences = loadgen::baseline_differences(baseline, current);
  if (differences.empty()) return true;
  err << command << ": --baseline " << path << " was measured on another target or workload:\n";
  for (const auto& d : differences) err << "  " << d << "\n";
  return false;
}

}  // namespace kmsconf::cli
