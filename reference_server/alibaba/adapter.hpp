// The Alibaba Cloud KMS dialect (Version 2016-01-20, RPC style) over the neutral engine:
// V1/V3 signature verification with replay protection, Action/Version, IAM and throttling,
// the handler table, and the RequestId/HostId/Code/Message/Recommend envelope.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "reference_server/alibaba/nonce_cache.hpp"
#include "reference_server/credentials.hpp"
#include "reference_server/dialect_adapter.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/handler.hpp"
#include "reference_server/throttle.hpp"

namespace kmsconf::server::alibaba {

struct AdapterOptions {
  std::chrono::seconds max_clock_skew{900};
  bool check_timestamp = true;
  bool legacy_timestamp_code = false;  // IllegalTimestamp instead of InvalidTimeStamp.*
  bool require_nonce = true;           // V1 SignatureNonce mandatory
  bool fault_injection = false;        // test-only: honour kFaultHeader (pipeline.hpp)
};

// Appended to Rejected.UnsupportedOperation when deletion protection refuses a deletion.
extern const std::string_view kDeletionProtectedReason;

engine::EngineOptions engine_options(std::shared_ptr<const engine::Clock> clock,
                                     std::vector<std::string> regions = {});
const std::vector<std::string>& default_regions();
// Per-account quotas of §4.9: symmetric crypto 1000/s, asymmetric 200/s, ReEncrypt 750/s.
QuotaConfig default_quotas();

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
  NonceCache nonces_;
  HandlerTable handlers_;
};

}  // namespace kmsconf::server::alibaba
