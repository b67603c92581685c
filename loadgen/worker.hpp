// One load worker: one thread, one Asio event loop, its own connections, schedule, mix, request
// factory and statistics (wrk's shape; Nighthawk's one worker per thread, merged at the end).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "loadgen/run_hooks.hpp"
#include "loadgen/schedule.hpp"
#include "loadgen/setup.hpp"
#include "loadgen/stats.hpp"
#include "loadgen/target.hpp"
#include "loadgen/timeline.hpp"
#include "loadgen/workload.hpp"

namespace boost::asio::ssl {
class context;
}

namespace kmsconf::loadgen {

struct WorkerSettings {
  std::size_t index = 0;
  std::size_t workers = 1;
  bool open_loop = true;
  const RateProfile* profile = nullptr;  // the whole run's arrival rate, open loop
  std::size_t connections = 1;           // this worker's
  SteadyClock::time_point start;
  std::chrono::nanoseconds length{0};
  // A send this much after its intended time is late: the connections could not keep up.
  std::chrono::microseconds late_after{1000};
  // After a stop (signal), requests in flight get this long before their connections close.
  std::chrono::milliseconds stop_grace{1000};
  // Closed loop: a connection that could not be opened waits this long before trying again.
  std::chrono::milliseconds reconnect_pause{100};
};

// What the workers share: read-only inputs and thread-safe outputs.
struct WorkerShared {
  const Target& target;
  const Workload& workload;
  const Material& material;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null for http
  Timeline& timeline;
  const std::atomic<bool>& stop;
  std::atomic<uint64_t>& answered;  // every answer or error so far, for the progress line
  // Ending early: the predicate (may be empty), the flag it sets for every worker, and the
  // sends left (null: no budget).
  const AnswerPredicate& end_when;
  std::atomic<bool>& ended_early;
  std::atomic<uint64_t>* sends_left;
  const RequestSourceMaker& requests;  // empty: the workload's RequestFactory
};

// Runs the worker's share of the run on the calling thread and returns its statistics.
RunStats run_worker(const WorkerSettings& settings, const WorkerShared& shared);

}  // namespace kmsconf::loadgen
