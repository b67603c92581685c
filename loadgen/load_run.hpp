// A whole load run: the workers on their threads, the timeline, a progress callback, and the
// statistics merged at the end.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "loadgen/setup.hpp"
#include "loadgen/stats.hpp"
#include "loadgen/target.hpp"
#include "loadgen/timeline.hpp"
#include "loadgen/workload.hpp"

namespace kmsconf::loadgen {

struct LoadPlan {
  bool open_loop = true;
  double rate = 0;              // requests per second over all threads (open loop)
  std::size_t connections = 1;  // over all threads: concurrency bound (open) / connections (closed)
  std::size_t threads = 1;
  std::chrono::nanoseconds duration{0};
  std::chrono::microseconds late_after{1000};
};

// What the progress line shows, about every `every`.
struct Progress {
  double elapsed_s = 0;
  double total_s = 0;
  uint64_t answered = 0;
  std::optional<TimelinePoint> last_second;  // the last complete second, all workers
};
using ProgressCallback = std::function<void(const Progress&)>;

// Threads actually used: never more than connections (each thread needs one).
std::size_t effective_threads(const LoadPlan& plan);

// Runs the plan and returns the merged statistics with the timeline. Ends at the plan's duration
// (answers in flight then get their timeout), or soon after `stop` is set (interrupted). When a
// worker fails (an exception), the others stop too and its exception is rethrown once all ended.
RunStats run_load(const LoadPlan& plan, const Target& target, const Workload& workload,
                  const Material& material, const std::atomic<bool>& stop,
                  const ProgressCallback& progress = {},
                  std::chrono::milliseconds progress_every = std::chrono::milliseconds{1000});

}  // namespace kmsconf::loadgen
