// Open-loop arrival times: a constant rate spread over workers so that together they send exactly
// rate x duration requests at evenly spaced intended times, whatever the rate and the thread count
// (wrk2 miscounts when the rate is below the thread count; this does not).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace kmsconf::loadgen {

using SteadyClock = std::chrono::steady_clock;

// How many requests a run of `length` at `rate` per second schedules: the k-th is intended at
// k / rate seconds after the start, for every k with k / rate < length.
uint64_t scheduled_requests(double rate, std::chrono::nanoseconds length);

class OpenLoopSchedule {
 public:
  // Worker `worker` of `workers` takes the run's requests k = worker, worker + workers, ...
  OpenLoopSchedule(double rate, std::size_t worker, std::size_t workers,
                   SteadyClock::time_point start, std::chrono::nanoseconds length);

  // The next intended send time, nullopt once this worker's share is done.
  std::optional<SteadyClock::time_point> next();
  // This worker's share of the run.
  uint64_t share() const;
  // This worker's n-th intended send time (n < share()): a worker keeps the requests due but not
  // yet sent as a range of n, so its memory does not grow however far behind it falls.
  SteadyClock::time_point at(uint64_t n) const { return intended(first_ + n * step_); }

 private:
  SteadyClock::time_point intended(uint64_t k) const;

  double rate_;
  uint64_t step_;
  uint64_t first_;
  uint64_t k_;
  uint64_t total_;
  SteadyClock::time_point start_;
};

}  // namespace kmsconf::loadgen
