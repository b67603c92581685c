// Open-loop schedule (schedule.hpp).
#include "loadgen/schedule.hpp"

#include <stdexcept>

namespace kmsconf::loadgen {

uint64_t scheduled_requests(double rate, std::chrono::nanoseconds length) {
  if (!(rate > 0) || length.count() <= 0) return 0;
  return RateProfile::constant(rate, length).total();
}

OpenLoopSchedule::OpenLoopSchedule(const RateProfile& profile, std::size_t worker,
                                   std::size_t workers, SteadyClock::time_point start)
    : profile_(profile),
      step_(workers),
      first_(worker),
      k_(worker),
      total_(profile.total()),
      start_(start) {
  if (workers == 0 || worker >= workers) {
    throw std::invalid_argument("OpenLoopSchedule: worker index out of range");
  }
}

OpenLoopSchedule::OpenLoopSchedule(double rate, std::size_t worker, std::size_t workers,
                                   SteadyClock::time_point start, std::chrono::nanoseconds length)
    : owned_(RateProfile::constant(rate, length)),
      profile_(*owned_),
      step_(workers),
      first_(worker),
      k_(worker),
      total_(profile_.total()),
      start_(start) {
  if (workers == 0 || worker >= workers) {
    throw std::invalid_argument("OpenLoopSchedule: worker index out of range");
  }
}

SteadyClock::time_point OpenLoopSchedule::intended(uint64_t k) const {
  // From k each time, never by adding up intervals, so rounding never drifts.
  return start_ + profile_.time_of(k);
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
