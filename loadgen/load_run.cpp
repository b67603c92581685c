// Running the workers and merging what they measured (load_run.hpp).
#include "loadgen/load_run.hpp"

#include <algorithm>
#include <boost/asio/ssl/context.hpp>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "client/http_connection.hpp"
#include "loadgen/shard.hpp"
#include "loadgen/worker.hpp"
#include "protocol/time_format.hpp"

namespace kmsconf::loadgen {

RateProfile LoadPlan::profile() const {
  return stages.empty() ? RateProfile::constant(rate, duration) : RateProfile::staged(rate, stages);
}

std::chrono::nanoseconds LoadPlan::length() const {
  return stages.empty() ? duration : profile().length();
}

std::size_t effective_threads(const LoadPlan& plan) {
  return std::max<std::size_t>(1, std::min(plan.threads, plan.connections));
}

namespace {

void watch(const std::vector<std::future<RunStats>>& running, const LoadPlan& plan,
           const Timeline& timeline, const std::atomic<uint64_t>& answered,
           const std::atomic<bool>& stop, std::atomic<bool>& halt, SteadyClock::time_point start,
           const ProgressCallback& progress, std::chrono::milliseconds every) {
  const auto all_done = [&] {
    return std::all_of(running.begin(), running.end(), [](const auto& f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  };
  auto next_report = start + every;
  while (!all_done()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop.load()) halt.store(true);
    const auto now = SteadyClock::now();
    if (!progress || now < next_report) continue;
    next_report += every;
    Progress p;
    p.elapsed_s = std::chrono::duration<double>(now - start).count();
    p.total_s = std::chrono::duration<double>(plan.length()).count();
    p.answered = answered.load(std::memory_order_relaxed);
    p.last_second = timeline.latest();
    progress(p);
  }
}

}  // namespace

RunStats run_load(const LoadPlan& plan, const Target& target, const Workload& workload,
                  const Material& material, const std::atomic<bool>& stop,
                  const ProgressCallback& progress, std::chrono::milliseconds progress_every) {
  const std::size_t threads = effective_threads(plan);
  Timeline timeline(threads);
  std::atomic<uint64_t> answered{0};
  // Workers stop on the caller's stop, and on another worker's failure.
  std::atomic<bool> halt{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto tls = target.endpoint.tls() ? client::make_tls_context(target.transport) : nullptr;
  std::atomic<bool> ended_early{false};
  std::atomic<uint64_t> sends_left{plan.max_requests};
  const WorkerShared shared{target,       workload,
                            material,     tls,
                            timeline,     halt,
                            answered,     plan.end_when,
                            ended_early,  plan.max_requests > 0 ? &sends_left : nullptr,
                            plan.requests};
  const RateProfile profile = plan.profile();

  // Starts a little ahead so every worker is ready at the first intended time.
  const auto start = SteadyClock::now() + plan.lead;
  const auto started_at = std::chrono::system_clock::now() + plan.lead;
  std::vector<WorkerSettings> settings(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    settings[i].index = i;
    settings[i].workers = threads;
    settings[i].open_loop = plan.open_loop;
    settings[i].profile = &profile;
    settings[i].connections = even_share(plan.connections, i, threads);
    settings[i].start = start;
    settings[i].length = profile.length();
    settings[i].late_after = plan.late_after;
  }
  std::vector<std::future<RunStats>> running;
  for (const auto& s : settings) {
    running.push_back(std::async(std::launch::async, [&, settings_of_worker = &s] {
      try {
        return run_worker(*settings_of_worker, shared);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        halt.store(true);
        return RunStats{};
      }
    }));
  }
  watch(running, plan, timeline, answered, stop, halt, start, progress, progress_every);

  std::vector<RunStats> results;
  for (auto& r : running) results.push_back(r.get());
  if (failure) std::rethrow_exception(failure);
  RunStats merged;
  for (std::size_t i = 0; i < results.size(); ++i) {
    RunStats& one = results[i];
    if (i == 0) {
      merged = std::move(one);
    } else {
      merged.merge(one);
    }
  }
  timeline.finish();
  merged.timeline = timeline.points();
  merged.started_at_unix_ms = unix_millis(started_at);
  return merged;
}

}  // namespace kmsconf::loadgen
