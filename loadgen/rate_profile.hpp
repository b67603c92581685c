// The arrival rate over a run: constant, or stages that ramp and step (k6's ramping-arrival-rate,
// Gatling's stairs), with the exact intended time of every request.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kmsconf::loadgen {

// One stage: the rate goes linearly from the previous stage's target (or the start rate) to
// `target` over `duration`; a zero duration is a step (an instant jump).
struct Stage {
  double target = 0;  // requests per second at the stage's end
  std::chrono::nanoseconds duration{0};
};

// Parses "1000:10s,5000:30s,5000:1m" (rate:duration, comma separated). std::invalid_argument
// naming the stage that is wrong.
std::vector<Stage> parse_stages(const std::string& text);

class RateProfile {
 public:
  static RateProfile constant(double rate, std::chrono::nanoseconds length);
  static RateProfile staged(double start_rate, const std::vector<Stage>& stages);

  std::chrono::nanoseconds length() const { return length_; }
  // Requests the run schedules: every k >= 0 whose intended time is before the end.
  uint64_t total() const { return total_; }
  // The k-th request's intended time after the start: where the expected count reaches k, so
  // no stage gains or loses a request to rounding, however short.
  std::chrono::nanoseconds time_of(uint64_t k) const;
  // Requests expected before `at` (the integral of the rate), and the rate at `at`.
  double expected_before(std::chrono::nanoseconds at) const;
  double rate_at(std::chrono::nanoseconds at) const;
  double peak_rate() const;
  // The same shape at `factor` times the rate (a shard runs 1/N of it).
  RateProfile scaled(double factor) const;

 private:
  struct Segment {
    double begin_s = 0, end_s = 0;      // seconds since the start
    double from_rate = 0, to_rate = 0;  // requests per second at begin and end
    double before = 0;                  // requests expected before begin_s
    double count() const { return (from_rate + to_rate) / 2 * (end_s - begin_s); }
  };
  void add(double seconds, double from_rate, double to_rate);
  void finish();
  const Segment* segment_holding(double k) const;

  std::vector<Segment> segments_;
  std::chrono::nanoseconds length_{0};
  uint64_t total_ = 0;
};

}  // namespace kmsconf::loadgen
