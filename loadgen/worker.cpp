// The worker's event loop (worker.hpp): sends on the schedule (open loop) or on each answer
// (closed loop), classifies and records every answer, hands each finished second to the timeline.
#include "loadgen/worker.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <vector>

#include "client/http_connection.hpp"
#include "loadgen/mix.hpp"
#include "loadgen/requests.hpp"

namespace kmsconf::loadgen {
namespace {

namespace net = boost::asio;
using namespace std::chrono;

constexpr milliseconds kTick{50};  // how often the loop looks at the clock, the stop flag

int64_t micros(SteadyClock::duration d) {
  return duration_cast<microseconds>(d).count();
}

// An answer's class: the dialect's catalog for a KMS, the status alone for --dialect none.
Outcome outcome_of(const Target& target, const HttpResponse& response) {
  if (!target.dialect) {
    if (response.status >= 200 && response.status < 300) return Outcome::Ok;
    if (response.status == 429) return Outcome::Throttled;
    return response.status >= 500 ? Outcome::ServerError : Outcome::ClientError;
  }
  auto answer = target.dialect->parse(response);
  if (!answer) {
    // Whatever answered is not the KMS (a proxy's error page, garbage in a 200).
    return response.status >= 500 ? Outcome::ServerError : Outcome::TransportError;
  }
  switch (client::classify(*target.dialect, *answer)) {
    case client::AnswerClass::Ok:
      return Outcome::Ok;
    case client::AnswerClass::Throttled:
      return Outcome::Throttled;
    case client::AnswerClass::ClientError:
      return Outcome::ClientError;
    case client::AnswerClass::ServerError:
      return Outcome::ServerError;
  }
  return Outcome::ServerError;
}

std::unique_ptr<RequestSource> make_source(const WorkerSettings& settings,
                                           const WorkerShared& shared) {
  if (shared.requests) return shared.requests(settings.index);
  return std::make_unique<RequestFactory>(shared.target, shared.workload, shared.material,
                                          0x9e3779b97f4a7c15ull * (settings.index + 1));
}

// Takes one send from the budget; false once it is spent.
bool take_send(std::atomic<uint64_t>* sends_left) {
  if (!sends_left) return true;
  uint64_t left = sends_left->load(std::memory_order_relaxed);
  while (left > 0 && !sends_left->compare_exchange_weak(left, left - 1)) {
  }
  return left > 0;
}

class Worker {
 public:
  Worker(const WorkerSettings& settings, const WorkerShared& shared)
      : settings_(settings),
        shared_(shared),
        end_(settings.start + settings.length),
        mix_(shared.workload),
        source_(make_source(settings, shared)),
        send_timer_(io_),
        tick_timer_(io_) {
    stats_.operations.reserve(shared.workload.operations.size());
    for (const auto& op : shared.workload.operations) stats_.operations.push_back(op.op);
    stats_.per_op.resize(stats_.operations.size());
    for (std::size_t i = 0; i < settings.connections; ++i) {
      connections_.push_back(std::make_unique<client::HttpConnection>(
          io_, shared.target.endpoint, shared.tls, shared.target.transport.timeout,
          shared.target.transport.insecure));
    }
    if (settings.open_loop) {
      schedule_.emplace(*settings.profile, settings.index, settings.workers, settings.start);
    }
  }

  RunStats run() {
    net::post(io_, [this] { begin(); });
    io_.run();
    for (const auto& c : connections_) stats_.connections_opened += c->connections_opened();
    return std::move(stats_);
  }

 private:
  void begin() {
    arm_tick();
    if (schedule_) {
      for (std::size_t i = 0; i < connections_.size(); ++i) idle_.push_back(i);
      share_ = schedule_->share();
      arm_send_timer();
    } else {
      // Closed loop starts with the run's clock too, not when this thread happened to start.
      send_timer_.expires_at(settings_.start);
      send_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        for (std::size_t i = 0; i < connections_.size(); ++i) send_on(i, SteadyClock::now());
        finish_if_done();
      });
    }
  }

  // ---- open loop: the schedule fills the backlog, idle connections drain it ----

  // The backlog is the range [first_due_, next_due_) of this worker's requests: due, not sent.
  bool backlog_empty() const { return first_due_ == next_due_; }

  void arm_send_timer() {
    if (next_due_ >= share_) {
      // Requests still waiting for a connection go out when one frees (dispatch), or count as
      // unsent at the run's end (on_tick).
      if (backlog_empty()) sending_done_ = true;
      finish_if_done();
      return;
    }
    send_timer_.expires_at(schedule_->at(next_due_));
    send_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || sending_done_) return;
      const auto now = SteadyClock::now();
      while (next_due_ < share_ && schedule_->at(next_due_) <= now) ++next_due_;
      dispatch();
      arm_send_timer();
    });
  }

  void dispatch() {
    while (!backlog_empty() && !idle_.empty()) {
      const std::size_t connection = idle_.back();
      idle_.pop_back();
      send_on(connection, schedule_->at(first_due_++));
    }
    if (schedule_ && next_due_ >= share_ && backlog_empty()) sending_done_ = true;
  }

  // ---- sending and answers ----

  void send_on(std::size_t connection, SteadyClock::time_point intended) {
    const auto now = SteadyClock::now();
    if (!sending_done_ &&
        (shared_.ended_early.load(std::memory_order_relaxed) || !take_send(shared_.sends_left))) {
      end_early();
    }
    if (stats_.ended_early) {
      if (schedule_) idle_.push_back(connection);
      return;
    }
    if (sending_done_ || now >= end_) {
      if (schedule_) {
        // Due within the run but its turn came after the end: unsent, and the connection idles.
        ++stats_.unsent;
        idle_.push_back(connection);
      } else {
        sending_done_ = true;
      }
      return;
    }
    const std::size_t op = mix_.next();
    const bool late = schedule_ && now - intended > settings_.late_after;
    HttpRequest request = source_->make(op);
    ++in_flight_;
    connections_[connection]->async_send(
        request, [this, connection, op, intended, sent = SteadyClock::now(),
                  late](client::ExchangeResult&& result) {
          on_answer(connection, op, intended, sent, late, std::move(result));
        });
  }

  void on_answer(std::size_t connection, std::size_t op, SteadyClock::time_point intended,
                 SteadyClock::time_point sent, bool late, client::ExchangeResult&& result) {
    --in_flight_;
    const auto done = SteadyClock::now();
    if (abandoning_) {
      ++stats_.unsent;  // cut short by a stop: neither an answer nor the endpoint's fault
      finish_if_done();
      return;
    }
    Outcome outcome = Outcome::Ok;
    if (result.retried) ++stats_.retried;
    if (result.error) {
      outcome = *result.error == client::TransportErrorKind::Timeout ? Outcome::Timeout
                                                                     : Outcome::TransportError;
      if (result.connect_failed) ++stats_.connection_failures;
    } else {
      outcome = outcome_of(shared_.target, result.response);
    }
    record(op, outcome, late, micros(done - (schedule_ ? intended : sent)), micros(done - sent));
    last_answer_ = done;
    if (shared_.end_when && shared_.end_when(outcome, result)) {
      shared_.ended_early.store(true, std::memory_order_relaxed);
    }
    if (schedule_) {
      idle_.push_back(connection);
      dispatch();
    } else if (result.connect_failed) {
      pause_then_send(connection);
    } else {
      send_on(connection, done);
    }
    finish_if_done();
  }

  void record(std::size_t op, Outcome outcome, bool late, int64_t latency_us, int64_t service_us) {
    for (OperationStats* s : {&stats_.per_op[op], &interval_}) {
      s->latency.record(latency_us);
      s->service.record(service_us);
      ++s->outcomes[outcome];
      if (late) ++s->outcomes.late;
    }
    shared_.answered.fetch_add(1, std::memory_order_relaxed);
  }

  // Closed loop: a refused connection would otherwise spin; try it again shortly.
  void pause_then_send(std::size_t connection) {
    auto timer = std::make_shared<net::steady_timer>(io_, settings_.reconnect_pause);
    ++in_flight_;  // the pause holds the connection's turn
    timer->async_wait([this, timer, connection](boost::system::error_code) {
      --in_flight_;
      send_on(connection, SteadyClock::now());
      finish_if_done();
    });
  }

  // ---- the clock: seconds, the end of the run, a stop ----

  void arm_tick() {
    tick_timer_.expires_after(kTick);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      on_tick();
      if (!finished_) arm_tick();
    });
  }

  void on_tick() {
    const auto now = SteadyClock::now();
    close_seconds_until(now);
    const bool stop = shared_.stop.load(std::memory_order_relaxed);
    if (!sending_done_ && shared_.ended_early.load(std::memory_order_relaxed)) end_early();
    if (!sending_done_ && (now >= end_ || stop)) {
      stop_sending(now);
    } else if (stop && !stopping_ && in_flight_ > 0) {
      // A stop after the last send: answers in flight still get only the grace.
      mark_stopped(now);
    }
    if (stopping_ && !abandoning_ && now >= stop_at_ + settings_.stop_grace) abandon();
    finish_if_done();
  }

  void close_seconds_until(SteadyClock::time_point now) {
    while (now >= settings_.start + seconds(second_ + 1)) close_second();
  }

  void close_second() {
    shared_.timeline.deliver(second_++, interval_);
    interval_.latency.reset();
    interval_.service.reset();
    interval_.outcomes = {};
  }

  void stop_sending(SteadyClock::time_point now) {
    sending_done_ = true;
    send_timer_.cancel();
    if (now < end_) {
      mark_stopped(now);  // a stop before the run's end
    } else if (schedule_) {
      // Due within the run but never sent: waiting for a connection, or not reached yet.
      stats_.unsent += share_ - first_due_;
      first_due_ = next_due_ = share_;
    }
    if (schedule_) {
      stats_.unsent += next_due_ - first_due_;
      first_due_ = next_due_;
    }
  }

  // The run's question is settled (or its budget spent): nothing more is sent, and what was not
  // sent is neither unsent nor an error. Answers in flight are still awaited.
  void end_early() {
    sending_done_ = true;
    stats_.ended_early = true;
    send_timer_.cancel();
    if (schedule_) first_due_ = next_due_ = share_;
  }

  void mark_stopped(SteadyClock::time_point now) {
    stopping_ = true;
    stop_at_ = now;
    stats_.interrupted = true;
    stats_.stop_reason = "interrupted";
  }

  void abandon() {
    abandoning_ = true;
    for (auto& c : connections_) c->close();
  }

  void finish_if_done() {
    if (finished_ || !sending_done_ || in_flight_ > 0) return;
    finished_ = true;
    tick_timer_.cancel();
    send_timer_.cancel();
    close_second();  // the last, partial second
    shared_.timeline.retire(second_ - 1);
    const auto last = last_answer_ ? *last_answer_ : SteadyClock::now();
    stats_.duration_s = duration<double>(std::max(last, settings_.start) - settings_.start).count();
    for (auto& c : connections_) c->close();
  }

  const WorkerSettings& settings_;
  const WorkerShared& shared_;
  const SteadyClock::time_point end_;
  net::io_context io_{1};
  std::vector<std::unique_ptr<client::HttpConnection>> connections_;
  std::vector<std::size_t> idle_;
  uint64_t share_ = 0;      // this worker's requests in the whole run (open loop)
  uint64_t first_due_ = 0;  // the oldest request due and not yet sent
  uint64_t next_due_ = 0;   // the next request not yet due
  std::optional<OpenLoopSchedule> schedule_;
  OperationMix mix_;
  std::unique_ptr<RequestSource> source_;
  RunStats stats_;
  OperationStats interval_;
  uint64_t second_ = 0;
  net::steady_timer send_timer_;
  net::steady_timer tick_timer_;
  std::size_t in_flight_ = 0;
  bool sending_done_ = false;
  bool stopping_ = false;
  bool abandoning_ = false;
  bool finished_ = false;
  SteadyClock::time_point stop_at_;
  std::optional<SteadyClock::time_point> last_answer_;
};

}  // namespace

RunStats run_worker(const WorkerSettings& settings, const WorkerShared& shared) {
  Worker worker(settings, shared);
  return worker.run();
}

}  // namespace kmsconf::loadgen
