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

void Timeline::deliver(uint64_t second, const OperationStats& interval) {
  std::lock_guard lock(mutex_);
  Pending& p = pending_[second];
  p.merged.merge(interval);
  if (++p.delivered < workers_) return;
  points_.push_back(point_of(second, p.merged));
  pending_.erase(second);
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
