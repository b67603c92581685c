// The seams of a run besides its schedule: where requests come from, and when an answer or a
// request budget ends the run early (Nighthawk's request source and termination predicate).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "client/http_connection.hpp"
#include "loadgen/stats.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::loadgen {

// Makes one worker's requests; each worker has its own, used on its thread only.
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // The next request for the workload's operation at index `operation`, signed now.
  virtual HttpRequest make(std::size_t operation) = 0;
};
using RequestSourceMaker = std::function<std::unique_ptr<RequestSource>(std::size_t worker)>;

// Called on every answer, on the worker's thread (so it must be thread-safe): true ends the run
// as soon as each worker sees it; answers in flight are still awaited and counted.
using AnswerPredicate = std::function<bool(Outcome, const client::ExchangeResult&)>;

}  // namespace kmsconf::loadgen
