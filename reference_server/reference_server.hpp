// The embeddable reference KMS: an engine, a dialect adapter and an HTTP listener on loopback.
// Tests construct one, start() it on an ephemeral port, and talk to endpoint().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/dialect_id.hpp"
#include "reference_server/credentials.hpp"
#include "reference_server/engine/clock.hpp"
#include "reference_server/throttle.hpp"

namespace kmsconf::engine {
class Engine;
namespace crypto {
class KeyPool;
}
}  // namespace kmsconf::engine

namespace kmsconf::server {

// Names come from protocol/dialect_id.hpp; the adapter for each is picked in reference_server.cpp.
using Dialect = DialectId;
const std::vector<std::string>& default_regions(Dialect dialect);

struct ReferenceServerOptions {
  Dialect dialect = Dialect::Volcengine;
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = ephemeral
  size_t threads = 2;
  CredentialStore credentials;  // empty: one random demo credential is made
  QuotaConfig quotas;           // laid over the dialect's default quotas (QuotaConfig::over)
  std::shared_ptr<const engine::Clock> clock;  // null: the system clock
  std::vector<std::string> regions;            // empty: the dialect's defaults
  std::chrono::seconds max_clock_skew{900};
  bool check_timestamps = true;  // off to replay fixed-date signing vectors
  // Alibaba only: answer IllegalTimestamp (KMS's legacy docs) instead of InvalidTimeStamp.*, and
  // whether V1 requests must carry a SignatureNonce (the KMS doc example has none).
  bool legacy_timestamp_code = false;
  bool require_nonce = true;
  size_t max_body_bytes = 1024 * 1024;
  // Test only, off by default: answer a request carrying X-Kmsconf-Fault with the failure it
  // names (pipeline.hpp), so conformance cases can reach the dialect's catch-all error.
  bool fault_injection = false;
  // Pre-generated RSA pairs handed out (each once per server) before any is generated: for
  // test runs, where RSA key generation would dominate (engine/crypto/key_pool.hpp).
  std::shared_ptr<const engine::crypto::KeyPool> key_pool;
};

class ReferenceServer {
 public:
  explicit ReferenceServer(ReferenceServerOptions options = {});
  ~ReferenceServer();
  ReferenceServer(const ReferenceServer&) = delete;
  ReferenceServer& operator=(const ReferenceServer&) = delete;

  void start();  // throws std::system_error when the address cannot be bound
  void stop();   // graceful; idempotent

  uint16_t port() const;
  std::string endpoint() const;  // http://127.0.0.1:PORT
  engine::Engine& engine();
  const CredentialStore& credentials() const;
  // The first credential: what demos and simple tests sign with.
  const Credential& default_credential() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kmsconf::server
