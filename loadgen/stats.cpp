// Counting and merging a load run's statistics (stats.hpp).
#include "loadgen/stats.hpp"

#include <algorithm>
#include <stdexcept>

namespace kmsconf::loadgen {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Ok:
      return "ok";
    case Outcome::Throttled:
      return "throttled";
    case Outcome::ClientError:
      return "client_error";
    case Outcome::ServerError:
      return "server_error";
    case Outcome::TransportError:
      return "transport_error";
    case Outcome::Timeout:
      return "timeout";
  }
  return "";
}

uint64_t OutcomeCounts::total() const {
  uint64_t sum = 0;
  for (uint64_t n : counts) sum += n;
  return sum;
}

uint64_t OutcomeCounts::errors() const {
  return (*this)[Outcome::ClientError] + (*this)[Outcome::ServerError] +
         (*this)[Outcome::TransportError] + (*this)[Outcome::Timeout];
}

void OutcomeCounts::merge(const OutcomeCounts& other) {
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  late += other.late;
}

void OperationStats::merge(const OperationStats& other) {
  latency.merge(other.latency);
  service.merge(other.service);
  outcomes.merge(other.outcomes);
}

OperationStats RunStats::overall() const {
  OperationStats all;
  for (const auto& op : per_op) all.merge(op);
  return all;
}

void RunStats::merge(const RunStats& other) {
  if (other.operations != operations) {
    throw std::invalid_argument("RunStats::merge: the runs measured different operations");
  }
  for (std::size_t i = 0; i < per_op.size(); ++i) per_op[i].merge(other.per_op[i]);
  unsent += other.unsent;
  connections_opened += other.connections_opened;
  connection_failures += other.connection_failures;
  retried += other.retried;
  duration_s = std::max(duration_s, other.duration_s);
  interrupted = interrupted || other.interrupted;
  ended_early = ended_early || other.ended_early;
  if (stop_reason.empty()) stop_reason = other.stop_reason;
}

}  // namespace kmsconf::loadgen
