// The embeddable reference KMS: an engine, a dialect adapter and an HTTP listener on loopback.
// Tests construct one, start() it on an ephemeral port, and talk to endpoint().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reference_server/credentials.hpp"
#include "reference_server/engine/clock.hpp"
#include "reference_server/throttle.hpp"

namespace kmsconf::engine {
class Engine;
}

namespace kmsconf::server {

enum class Dialect { Volcengine };

struct ReferenceServerOptions {
  Dialect dialect = Dialect::Volcengine;
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = ephemeral
  size_t threads = 2;
  CredentialStore credentials;  // empty: one random demo credential is made
  QuotaConfig quotas;
  std::shared_ptr<const engine::Clock> clock;  // null: the system clock
  std::vector<std::string> regions;            // empty: the dialect's defaults
  std::chrono::seconds max_clock_skew{900};
  bool check_timestamps = true;  // off to replay fixed-date signing vectors
  size_t max_body_bytes = 1024 * 1024;
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
