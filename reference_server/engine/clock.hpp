// Time source of the engine; tests drive a ManualClock to cross deletion windows and rotations.
#pragma once

#include <atomic>
#include <chrono>

namespace kmsconf::engine {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = std::chrono::system_clock::now())
      : ticks_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(TimePoint::duration(ticks_.load())); }
  void set(TimePoint t) { ticks_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::system_clock::duration d) { ticks_.fetch_add(d.count()); }

 private:
  std::atomic<TimePoint::rep> ticks_;
};

}  // namespace kmsconf::engine
