// A whole load run: the workers on their threads, the timeline, a progress callback, and the
// statistics merged at the end.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "loadgen/rate_profile.hpp"
#include "loadgen/run_hooks.hpp"
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
  // Open loop: when set, the rate follows these stages from `rate`, and the run lasts their
  // total (duration is ignored).
  std::vector<Stage> stages;
  uint64_t max_requests = 0;    // sends over all workers; 0: no bound but the duration
  AnswerPredicate end_when;     // an answer for which it is true ends the run (empty: never)
  RequestSourceMaker requests;  // empty: the workload's RequestFactory
  // The first intended send is this long after run_load is called, so that every worker is
  // ready for it. Back-to-back runs (find-limit steps after a drain) keep it short: a limiter
  // refills meanwhile.
  std::chrono::milliseconds lead{20};

  // The arrival rate over the run (open loop).
  RateProfile profile() const;
  // How long the run sends: the stages' total, or the duration.
  std::chrono::nanoseconds length() const;
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
// Ends at the plan's length, after max_requests sends, or once end_when held for an answer;
// RunStats::ended_early tells the last two apart from a run that ended on time.
RunStats run_load(const LoadPlan& plan, const Target& target, const Workload& workload,
                  const Material& material, const std::atomic<bool>& stop,
                  const ProgressCallback& progress = {},
                  std::chrono::milliseconds progress_every = std::chrono::milliseconds{1000});

}  // namespace kmsconf::loadgen
