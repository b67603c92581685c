// Ending a run early and on time: a whole-run deadline and stop requests (a signal,
// --max-failures, a dead endpoint), and the instants by which steps in flight must give up.
// Shared by the runner's worker threads and whoever requests a stop (e.g. a signal watcher).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace kmsconf::conformance {

// Why a run stopped before every case ran (the JSON report's "stopped.reason").
namespace stop_reason {
inline constexpr const char* kDeadline = "deadline";
inline constexpr const char* kInterrupted = "interrupted";
inline constexpr const char* kMaxFailures = "max-failures";
inline constexpr const char* kEndpointDown = "endpoint-down";
inline constexpr const char* kPreflight = "preflight";
}  // namespace stop_reason

class RunControl {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kCleanupAfterStop{2000};

  // Cases are not started at or after `at`; steps in flight give up at `at`.
  void set_deadline(Clock::time_point at);
  // The first stop wins; later requests keep its reason. Steps in flight get `grace` to finish.
  void request_stop(const std::string& reason, const std::string& message,
                    std::chrono::milliseconds grace);
  // Whether new cases must not start (a stop was requested or the deadline passed; the deadline
  // becomes the stop reason the first time it is seen).
  bool should_stop();
  // The stop's reason and message ("" when the run was not stopped).
  std::string reason() const;
  std::string message() const;
  // The latest instant a step may wait for its answer (nullopt: no limit beyond its timeout).
  std::optional<Clock::time_point> steps_not_after() const;
  // Cleanup steps: each at most `cleanup_timeout`, and once the run stops (or with a deadline) no
  // later than the step limit plus kCleanupAfterStop, so a dead endpoint cannot hold the run's end
  // hostage. What cleanup could not remove carries the run prefix, for `--sweep`.
  // `started`: when the cleanup step was sent.
  Clock::time_point cleanup_not_after(Clock::time_point started,
                                      std::chrono::milliseconds cleanup_timeout) const;

 private:
  std::optional<Clock::time_point> steps_limit_locked() const;

  mutable std::mutex mutex_;
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> stop_at_;  // requested stop + grace
  std::string reason_;
  std::string message_;
};

}  // namespace kmsconf::conformance
