// Open-loop schedule (schedule.hpp).
#include "loadgen/schedule.hpp"

#include <cmath>
#include <stdexcept>

namespace kmsconf::loadgen {

uint64_t scheduled_requests(double rate, std::chrono::nanoseconds length) {
  if (!(rate > 0) || length.count() <= 0) return 0;
  // k / rate < length  <=>  k < rate * length; ceil gives the count of such k >= 0.
  const double bound = rate * static_cast<double>(length.count()) / 1e9;
  return static_cast<uint64_t>(std::ceil(bound - 1e-9));
}

OpenLoopSchedule::OpenLoopSchedule(double rate, std::size_t worker, std::size_t workers,
                                   SteadyClock::time_point start, std::chrono::nanoseconds length)
    : rate_(rate),
      step_(workers),
      first_(worker),
      k_(worker),
      total_(scheduled_requests(rate, length)),
      start_(start) {
  if (workers == 0 || worker >= workers) {
    throw std::invalid_argument("OpenLoopSchedule: worker index out of range");
  }
}

SteadyClock::time_point OpenLoopSchedule::intended(uint64_t k) const {
  // From k each time, never by adding up intervals, so rounding never drifts.
  const double ns = static_cast<double>(k) * 1e9 / rate_;
  return start_ + std::chrono::nanoseconds(static_cast<int64_t>(std::llround(ns)));
}

std::optional<SteadyClock::time_point> OpenLoopSchedule::next() {
  if (k_ >= total_) return std::nullopt;
  auto at = intended(k_);
  k_ += step_;
  return at;
}

uint64_t OpenLoopSchedule::share() const {
  if (total_ <= first_) return 0;
  return (total_ - first_ + step_ - 1) / step_;
}

}  // namespace kmsconf::loadgen
