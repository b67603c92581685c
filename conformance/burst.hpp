// A step's burst (case_model.hpp Burst): the step's request signed afresh each time and sent
// over concurrent connections through the load engine, until the first answer that is not a
// success. That answer is what the step's expectations judge.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "client/http_client.hpp"
#include "conformance/case_model.hpp"
#include "conformance/driver.hpp"

namespace kmsconf::conformance {

struct BurstAnswer {
  std::optional<Exchange> refusal;             // the first answer that was not a success
  std::optional<std::string> transport_error;  // or the first request that got no answer
  uint64_t sent = 0;
  uint64_t accepted = 0;  // successes before the burst ended
  double seconds = 0;
  double peak_rps = 0;   // the busiest second's answers (the whole burst's rate if shorter)
  bool stopped = false;  // the run is stopping: no verdict
};

// Runs the burst. `should_stop` is asked on every answer.
BurstAnswer run_burst(const DialectDriver& driver, const ResolvedStep& step, const Burst& burst,
                      const client::ClientOptions& transport,
                      const std::function<bool()>& should_stop);

// "2345 requests (2301 accepted) in 1.20 s, peak 1950 req/s".
std::string describe_burst(const BurstAnswer& answer);

}  // namespace kmsconf::conformance
