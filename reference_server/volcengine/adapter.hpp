// The Volcengine KMS dialect (Version 2021-02-18) over the neutral engine: request checks in
// the order of spec §2.4, then IAM, throttling, the handler table, and the envelope of §1.2/§1.3.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "reference_server/credentials.hpp"
#include "reference_server/dialect_adapter.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/throttle.hpp"
#include "reference_server/volcengine/call.hpp"

namespace kmsconf::server::volcengine {

inline constexpr std::string_view kApiVersion = "2021-02-18";

struct AdapterOptions {
  std::chrono::seconds max_clock_skew{900};
  bool check_timestamp = true;
  bool fault_injection = false;  // test-only: honour kFaultHeader (pipeline.hpp)
};

// Engine settings this dialect documents: state policy, blob layout, deletion window, regions.
engine::EngineOptions engine_options(std::shared_ptr<const engine::Clock> clock,
                                     std::vector<std::string> regions = {});
const std::vector<std::string>& default_regions();

class Adapter final : public DialectAdapter {
 public:
  Adapter(engine::Engine& engine, const CredentialStore& credentials, Throttler& throttler,
          AdapterOptions options);

  HttpResponse handle(const HttpRequest& request) override;
  HttpResponse reject(int http_status, std::string_view reason) override;

 private:
  engine::Engine& engine_;
  const CredentialStore& credentials_;
  Throttler& throttler_;
  AdapterOptions options_;
  HandlerTable handlers_;
};

}  // namespace kmsconf::server::volcengine
