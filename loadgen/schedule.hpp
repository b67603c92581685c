// Open-loop arrival times: a rate profile (constant, or stages) spread over workers so that
// together they send exactly the profile's requests at their intended times, whatever the rate and
// the thread count (wrk2 miscounts when the rate is below the thread count; this does not).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "loadgen/rate_profile.hpp"

namespace kmsconf::loadgen {

using SteadyClock = std::chrono::steady_clock;

// How many requests a run of `length` at `rate` per second schedules: the k-th is intended at
// k / rate seconds after the start, for every k with k / rate < length.
uint64_t scheduled_requests(double rate, std::chrono::nanoseconds length);

class OpenLoopSchedule {
 public:
  // Worker `worker` of `workers` takes the run's requests k = worker, worker + workers, ...
  // The profile must outlive the schedule.
  OpenLoopSchedule(const RateProfile& profile, std::size_t worker, std::size_t workers,
                   SteadyClock::time_point start);
  // A constant rate for `length` (keeps its own profile).
  OpenLoopSchedule(double rate, std::size_t worker, std::size_t workers,
                   SteadyClock::time_point start, std::chrono::nanoseconds length);
  OpenLoopSchedule(const OpenLoopSchedule&) = delete;
  OpenLoopSchedule& operator=(const OpenLoopSchedule&) = delete;

  // The next intended send time, nullopt once this worker's share is done.
  std::optional<SteadyClock::time_point> next();
  // This worker's share of the run.
  uint64_t share() const;
  // This worker's n-th intended send time (n < share()): a worker keeps the requests due but not
  // yet sent as a range of n, so its memory does not grow however far behind it falls.
  SteadyClock::time_point at(uint64_t n) const { return intended(first_ + n * step_); }

 private:
  SteadyClock::time_point intended(uint64_t k) const;

  std::optional<RateProfile> owned_;
  const RateProfile& profile_;
  uint64_t step_;
  uint64_t first_;
  uint64_t k_;
  uint64_t total_;
  SteadyClock::time_point start_;
};

}  // namespace kmsconf::loadgen
