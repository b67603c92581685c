// Per-second timeline (timeline.hpp).
#include "loadgen/timeline.hpp"

#include <algorithm>

namespace kmsconf::loadgen {

Timeline::Timeline(std::size_t workers) : workers_(workers) {}

TimelinePoint Timeline::point_of(uint64_t second, const OperationStats& merged) {
  TimelinePoint p;
  p.second = second;
  p.outcomes = merged.outcomes;
  p.p50_us = merged.latency.percentile(50);
  p.p99_us = merged.latency.percentile(99);
  p.max_us = merged.latency.max();
  return p;
}

std::size_t Timeline::expected(uint64_t second) const {
  std::size_t gone = 0;
  for (uint64_t last : retired_after_) gone += last < second ? 1 : 0;
  return workers_ - gone;
}

// Seconds every expected worker delivered become points, oldest first.
void Timeline::complete_ready() {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.delivered < expected(it->first)) break;
    points_.push_back(point_of(it->first, it->second.merged));
    it = pending_.erase(it);
  }
}

void Timeline::deliver(uint64_t second, const OperationStats& interval) {
  std::lock_guard lock(mutex_);
  Pending& p = pending_[second];
  p.merged.merge(interval);
  ++p.delivered;
  complete_ready();
}

void Timeline::retire(uint64_t last_second) {
  std::lock_guard lock(mutex_);
  retired_after_.push_back(last_second);
  complete_ready();
}

void Timeline::finish() {
  std::lock_guard lock(mutex_);
  for (const auto& [second, p] : pending_) points_.push_back(point_of(second, p.merged));
  pending_.clear();
  std::sort(points_.begin(), points_.end(),
            [](const TimelinePoint& a, const TimelinePoint& b) { return a.second < b.second; });
}

std::vector<TimelinePoint> Timeline::points() const {
  std::lock_guard lock(mutex_);
  return points_;
}

std::optional<TimelinePoint> Timeline::latest() const {
  std::lock_guard lock(mutex_);
  if (points_.empty()) return std::nullopt;
  return points_.back();
}

}  // namespace kmsconf::loadgen
