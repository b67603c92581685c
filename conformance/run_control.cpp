// RunControl: the deadline and stop requests that end a run early (run_control.hpp).
#include "conformance/run_control.hpp"

#include <algorithm>

namespace kmsconf::conformance {

void RunControl::set_deadline(Clock::time_point at) {
  std::lock_guard lock(mutex_);
  deadline_ = at;
}

void RunControl::request_stop(const std::string& reason, const std::string& message,
                              std::chrono::milliseconds grace) {
  std::lock_guard lock(mutex_);
  if (!reason_.empty()) return;
  reason_ = reason;
  message_ = message;
  stop_at_ = Clock::now() + grace;
}

bool RunControl::should_stop() {
  std::lock_guard lock(mutex_);
  if (!reason_.empty()) return true;
  if (!deadline_ || Clock::now() < *deadline_) return false;
  reason_ = stop_reason::kDeadline;
  message_ = "the run's --deadline passed";
  stop_at_ = deadline_;
  return true;
}

std::string RunControl::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

std::string RunControl::message() const {
  std::lock_guard lock(mutex_);
  return message_;
}

std::optional<RunControl::Clock::time_point> RunControl::steps_limit_locked() const {
  if (deadline_ && stop_at_) return std::min(*deadline_, *stop_at_);
  return deadline_ ? deadline_ : stop_at_;
}

std::optional<RunControl::Clock::time_point> RunControl::steps_not_after() const {
  std::lock_guard lock(mutex_);
  return steps_limit_locked();
}

RunControl::Clock::time_point RunControl::cleanup_not_after(
    Clock::time_point started, std::chrono::milliseconds cleanup_timeout) const {
  const auto own = started + cleanup_timeout;
  std::lock_guard lock(mutex_);
  auto limit = steps_limit_locked();
  return limit ? std::min(own, *limit + kCleanupAfterStop) : own;
}

}  // namespace kmsconf::conformance
