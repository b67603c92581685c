// StopOnSignals (stop_signals.hpp). The handler only records the signal (or, the second time,
// exits): everything else happens on the watcher thread, where it is safe to lock and print.
#include "cli/stop_signals.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace kmsconf::cli {
namespace {

// Lock-free, so the handler may touch it; atomic, so the watcher thread may read it.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

extern "C" void on_stop_signal(int signal_number) {
  if (g_signal.load() != 0) ::_exit(128 + signal_number);  // the second signal: stop now
  g_signal.store(signal_number);
}

constexpr std::chrono::milliseconds kWatchInterval{100};

}  // namespace

StopOnSignals::StopOnSignals(conformance::RunControl& control, std::chrono::milliseconds grace,
                             std::function<void(const char*)> announce, std::function<void()> tick)
    : control_(control), grace_(grace), announce_(std::move(announce)), tick_(std::move(tick)) {
  g_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
  watcher_ = std::thread([this] { watch(); });
}

StopOnSignals::~StopOnSignals() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  watcher_.join();
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

int StopOnSignals::signal() const {
  const int seen = seen_.load();
  return seen != 0 ? seen : g_signal.load();
}

void StopOnSignals::watch() {
  std::unique_lock lock(mutex_);
  while (!done_) {
    wake_.wait_for(lock, kWatchInterval);
    const int signal_number = g_signal.load();
    if (signal_number != 0 && seen_ == 0) {
      seen_ = signal_number;
      const char* name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
      control_.request_stop(conformance::stop_reason::kInterrupted,
                            std::string("interrupted by ") + name, grace_);
      if (announce_) announce_(name);
    }
    if (tick_) tick_();
  }
}

}  // namespace kmsconf::cli
