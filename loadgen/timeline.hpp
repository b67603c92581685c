// The per-second timeline: each worker hands over its last second's counts and latency histogram,
// and a second becomes a point once every worker has (memory stays flat however long the run).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "loadgen/stats.hpp"

namespace kmsconf::loadgen {

class Timeline {
 public:
  explicit Timeline(std::size_t workers);

  // A worker's second `second` is over. Thread-safe; each worker delivers each second once, in
  // order.
  void deliver(uint64_t second, const OperationStats& interval);
  // A worker is done after delivering `last_second`: later seconds no longer wait for it (a
  // worker whose share ended early would otherwise hold every later second pending).
  void retire(uint64_t last_second);
  // Seconds some worker never delivered (it ended early) become points with what came.
  void finish();

  std::vector<TimelinePoint> points() const;
  std::optional<TimelinePoint> latest() const;

 private:
  struct Pending {
    OperationStats merged;
    std::size_t delivered = 0;
  };
  static TimelinePoint point_of(uint64_t second, const OperationStats& merged);
  // Workers still delivering `second`.
  std::size_t expected(uint64_t second) const;
  void complete_ready();

  const std::size_t workers_;
  std::vector<uint64_t> retired_after_;  // the last second of each worker that is done
  mutable std::mutex mutex_;
  std::map<uint64_t, Pending> pending_;
  std::vector<TimelinePoint> points_;
};

}  // namespace kmsconf::loadgen
