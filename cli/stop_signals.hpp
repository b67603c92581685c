// SIGINT and SIGTERM during a long run (a CI job's timeout, Ctrl-C): the first asks the run to
// stop (RunControl: no new cases, running ones get a short grace, cleanup, reports marked
// interrupted); a second ends the process at once with 128+signal. While it is installed, a
// watcher thread also calls `tick` about every 100 ms (progress lines without a terminal).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "conformance/run_control.hpp"

namespace kmsconf::cli {

class StopOnSignals {
 public:
  // `announce` is called once, from the watcher thread, with the signal's name.
  StopOnSignals(conformance::RunControl& control, std::chrono::milliseconds grace,
                std::function<void(const char* signal_name)> announce, std::function<void()> tick);
  ~StopOnSignals();  // restores the previous handlers and stops the watcher
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  // The signal that stopped the run (SIGINT, SIGTERM), or 0.
  // Also a signal that came after the watcher's last look, just before the run ended.
  int signal() const;

 private:
  void watch();

  conformance::RunControl& control_;
  std::chrono::milliseconds grace_;
  std::function<void(const char*)> announce_;
  std::function<void()> tick_;
  std::atomic<int> seen_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread watcher_;
};

}  // namespace kmsconf::cli
