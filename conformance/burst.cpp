// Bursts through the load engine (burst.hpp).
#include "conformance/burst.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "loadgen/load_run.hpp"

namespace kmsconf::conformance {
namespace {

using loadgen::Outcome;

// Every worker's requests come from the driver; one lock, since a driver's signing state (a
// nonce source, a key cache) is not promised to be safe across threads, and a burst's few
// thousand requests do not need more.
class DriverSource final : public loadgen::RequestSource {
 public:
  DriverSource(const DialectDriver& driver, const ResolvedStep& step, std::mutex& mutex)
      : driver_(driver), step_(step), mutex_(mutex) {}
  HttpRequest make(std::size_t) override {
    std::lock_guard lock(mutex_);
    return driver_.build_request(step_);
  }

 private:
  const DialectDriver& driver_;
  const ResolvedStep& step_;
  std::mutex& mutex_;
};

// The first answer that ends the burst, kept with the request it answered.
struct FirstRefusal {
  std::mutex mutex;
  std::optional<client::ExchangeResult> result;
  bool stopped = false;
};

double peak_of(const loadgen::RunStats& stats) {
  uint64_t peak = 0;
  for (const auto& point : stats.timeline) peak = std::max(peak, point.outcomes.total());
  const double whole =
      stats.duration_s > 0 ? stats.overall().outcomes.total() / stats.duration_s : 0;
  return stats.duration_s < 1 ? whole : static_cast<double>(peak);
}

}  // namespace

BurstAnswer run_burst(const DialectDriver& driver, const ResolvedStep& step, const Burst& burst,
                      const client::ClientOptions& transport,
                      const std::function<bool()>& should_stop) {
  loadgen::Target target;
  target.dialect = client::find_dialect(driver.dialect());
  target.endpoint = driver.endpoint();
  target.transport = transport;
  loadgen::Workload workload;
  workload.name = "burst";
  workload.operations.push_back({step.action, 1, {}, 32, false});

  std::mutex build_mutex;
  FirstRefusal first;
  loadgen::LoadPlan plan;
  plan.open_loop = false;
  plan.connections = static_cast<std::size_t>(std::max(1, burst.connections));
  plan.threads = std::min<std::size_t>(2, plan.connections);
  plan.duration = burst.within;
  plan.max_requests = static_cast<uint64_t>(std::max(1, burst.requests));
  plan.requests = [&](std::size_t) {
    return std::make_unique<DriverSource>(driver, step, build_mutex);
  };
  plan.end_when = [&](Outcome outcome, const client::ExchangeResult& result) {
    const bool stop = should_stop && should_stop();
    if (outcome == Outcome::Ok && !stop) return false;
    std::lock_guard lock(first.mutex);
    if (stop && !first.result) first.stopped = true;
    if (outcome != Outcome::Ok && !first.result && !first.stopped) first.result = result;
    return true;
  };
  const std::atomic<bool> never{false};
  const loadgen::RunStats stats =
      loadgen::run_load(plan, target, workload, loadgen::Material{}, never);

  BurstAnswer out;
  const auto all = stats.overall().outcomes;
  out.sent = all.total();
  out.accepted = all[Outcome::Ok];
  out.seconds = stats.duration_s;
  out.peak_rps = peak_of(stats);
  out.stopped = first.stopped;
  if (first.result) {
    if (first.result->error) {
      out.transport_error = first.result->error_message;
    } else {
      // The request shown is one built like those sent (each differs only in its signature).
      out.refusal = driver.read_answer(driver.build_request(step), first.result->response);
    }
  }
  return out;
}

std::string describe_burst(const BurstAnswer& a) {
  char text[160];
  std::snprintf(text, sizeof text, "%llu requests (%llu accepted) in %.2f s, peak %.0f req/s",
                static_cast<unsigned long long>(a.sent),
                static_cast<unsigned long long>(a.accepted), a.seconds, a.peak_rps);
  return text;
}

}  // namespace kmsconf::conformance
