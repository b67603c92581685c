// The console side of --find-limit (load_find_limit.hpp).
#include "cli/load_find_limit.hpp"

#include <cstdio>
#include <string>

namespace kmsconf::cli {
namespace {

std::string number(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string step_line(std::size_t index, const loadgen::StepObservation& s) {
  char line[256];
  std::snprintf(line, sizeof line, "  %3zu  %-11s %9s %8llu %9llu %7llu %7llu %9s  %s", index,
                s.phase.c_str(), number(s.rate, 1).c_str(), static_cast<unsigned long long>(s.ok),
                static_cast<unsigned long long>(s.throttled),
                static_cast<unsigned long long>(s.client_errors + s.failures),
                static_cast<unsigned long long>(s.unsent), number(s.p99_ms, 2).c_str(),
                s.verdict.c_str());
  return line;
}

constexpr const char* kStepHeader =
    "  step  phase       rate/s        ok throttled  errors  unsent    p99 ms  verdict";

}  // namespace

loadgen::FindLimitOutcome run_find_limit(const LoadSetup& s, const loadgen::Material& material,
                                         const std::atomic<bool>& stop, std::ostream& out) {
  const auto& plan = *s.find_limit;
  out << "kmsconf load: finding the limit from " << number(plan.criteria.start_rate, 1)
      << " req/s in " << number(std::chrono::duration<double>(plan.step).count(), 1)
      << " s steps, within " << number(std::chrono::duration<double>(plan.budget).count(), 0)
      << " s in all\n";
  return loadgen::find_limit(
      plan, s.target, s.workload, material, stop,
      [&](const loadgen::FindLimitOutcome& o, const loadgen::StepObservation* step) {
        if (!step) {
          out << "find-limit: burst from idle: "
              << (o.burst.accepted
                      ? std::to_string(*o.burst.accepted) +
                            " accepted before the "
                            "first throttling answer"
                      : "no throttling answer in " + std::to_string(o.burst.sent) + " requests")
              << " (" << number(o.burst.seconds, 2) << " s)\n";
          out << kStepHeader << "\n";
        } else {
          out << step_line(o.search.steps().size(), *step) << "\n";
        }
        out.flush();
      });
}

void print_find_limit(std::ostream& out, const nlohmann::json& block) {
  if (!block.is_object()) return;
  out << "\nfind-limit: " << loadgen::find_limit_conclusion(block) << "\n";
  out << "  burst: " << loadgen::find_limit_burst(block) << "\n";
  if (const std::string why = loadgen::find_limit_unjudged(block); !why.empty()) {
    out << "  not judged: " << why << "\n";
  }
}

}  // namespace kmsconf::cli
