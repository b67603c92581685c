// What the HTTP front needs from a dialect: turn a request into a response, and render the
// dialect's own error when the front refuses a request (oversized body, ...). Also what every
// dialect's engine settings start from.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/http_message.hpp"
#include "reference_server/engine/engine.hpp"

namespace kmsconf::server {

class DialectAdapter {
 public:
  virtual ~DialectAdapter() = default;
  virtual HttpResponse handle(const HttpRequest& request) = 0;
  virtual HttpResponse reject(int http_status, std::string_view reason) = 0;
};

// The clock, the regions (default_regions when none are given) and the dialect's state policy;
// the dialect then sets what else it documents (blob layout, deletion window, ...).
engine::EngineOptions dialect_engine_options(std::shared_ptr<const engine::Clock> clock,
                                             std::vector<std::string> regions,
                                             const std::vector<std::string>& default_regions,
                                             const engine::StatePolicy& policy);

}  // namespace kmsconf::server
