// What one worker counts during a load run (outcomes, latency and service-time histograms per
// operation, a per-second timeline), merged across workers at the end.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/histogram.hpp"

namespace kmsconf::loadgen {

// One answer's class. Throttled is never an error: it is the endpoint's quota at work.
enum class Outcome { Ok, Throttled, ClientError, ServerError, TransportError, Timeout };
inline constexpr std::array<Outcome, 6> kOutcomes{
    Outcome::Ok,          Outcome::Throttled,      Outcome::ClientError,
    Outcome::ServerError, Outcome::TransportError, Outcome::Timeout};
// "ok", "throttled", "client_error", "server_error", "transport_error", "timeout"
std::string_view outcome_name(Outcome outcome);

struct OutcomeCounts {
  std::array<uint64_t, kOutcomes.size()> counts{};
  uint64_t late = 0;  // sent more than kLateAfter after their intended time (open loop)

  uint64_t& operator[](Outcome o) { return counts[static_cast<std::size_t>(o)]; }
  uint64_t operator[](Outcome o) const { return counts[static_cast<std::size_t>(o)]; }
  uint64_t total() const;
  // Client, server and transport errors and timeouts; never throttled answers.
  uint64_t errors() const;
  void merge(const OutcomeCounts& other);
};

// Latency counts from the intended send time (open loop; the actual send time in closed loop),
// service time from the actual send. Both in microseconds.
struct OperationStats {
  Histogram latency;
  Histogram service;
  OutcomeCounts outcomes;
  void merge(const OperationStats& other);
};

// One second of the run, all workers together.
struct TimelinePoint {
  uint64_t second = 0;  // since the run's start
  OutcomeCounts outcomes;
  int64_t p50_us = 0;
  int64_t p99_us = 0;
  int64_t max_us = 0;
};

struct RunStats {
  std::vector<std::string> operations;  // operation names; per_op is indexed alike
  std::vector<OperationStats> per_op;
  std::vector<TimelinePoint> timeline;
  uint64_t unsent = 0;               // scheduled within the run but never sent before it ended
  uint64_t connections_opened = 0;   // TCP connections established
  uint64_t connection_failures = 0;  // connects that failed (refused, timed out, TLS)
  uint64_t retried = 0;   // sent again on a fresh connection: the kept-alive one closed unanswered
  double duration_s = 0;  // from the first intended send to the last answer
  // The wall-clock time of the first intended send (Unix milliseconds): steady-clock seconds
  // are this machine's own, and shards run on several machines are aligned on this.
  int64_t started_at_unix_ms = 0;
  bool interrupted = false;  // SIGINT/SIGTERM ended it early
  bool ended_early = false;  // the plan's end_when held, or its request budget ran out
  std::string stop_reason;   // empty when the run ended on time

  OperationStats overall() const;  // every operation merged
  // Adds another worker's counts (same operations, same order).
  void merge(const RunStats& other);
};

}  // namespace kmsconf::loadgen
