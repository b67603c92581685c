#include "reference_server/reference_server.hpp"

#include "reference_server/alibaba/adapter.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/http/http_server.hpp"
#include "reference_server/volcengine/adapter.hpp"

namespace kmsconf::server {

struct ReferenceServer::Impl {
  explicit Impl(ReferenceServerOptions opts) : options(std::move(opts)) {
    if (!options.clock) options.clock = std::make_shared<engine::SystemClock>();
    if (options.credentials.all().empty()) options.credentials.add(CredentialStore::random_demo());
    if (options.dialect == Dialect::Alibaba) {
      engine = std::make_unique<engine::Engine>(
          with_key_pool(alibaba::engine_options(options.clock, options.regions)));
      throttler = std::make_unique<Throttler>(options.quotas.over(alibaba::default_quotas()),
                                              options.clock);
      alibaba::AdapterOptions adapter_options;
      adapter_options.max_clock_skew = options.max_clock_skew;
      adapter_options.check_timestamp = options.check_timestamps;
      adapter_options.legacy_timestamp_code = options.legacy_timestamp_code;
      adapter_options.require_nonce = options.require_nonce;
      adapter_options.fault_injection = options.fault_injection;
      adapter = std::make_unique<alibaba::Adapter>(*engine, options.credentials, *throttler,
                                                   adapter_options);
    } else {
      engine = std::make_unique<engine::Engine>(
          with_key_pool(volcengine::engine_options(options.clock, options.regions)));
      throttler = std::make_unique<Throttler>(options.quotas, options.clock);
      adapter = std::make_unique<volcengine::Adapter>(
          *engine, options.credentials, *throttler,
          volcengine::AdapterOptions{options.max_clock_skew, options.check_timestamps,
                                     options.fault_injection});
    }
    // One source of truth for "KMS opened" per account: the engine's flag.
    for (const auto& [account, settings] : options.credentials.accounts()) {
      engine->set_service_open(account, settings.service_open);
    }
    HttpServerOptions http;
    http.address = options.address;
    http.port = options.port;
    http.threads = options.threads;
    http.max_body_bytes = options.max_body_bytes;
    DialectAdapter* dialect = adapter.get();
    server = std::make_unique<HttpServer>(
        http, [dialect](const HttpRequest& request) { return dialect->handle(request); },
        [dialect](int status, std::string_view reason) { return dialect->reject(status, reason); });
  }

  engine::EngineOptions with_key_pool(engine::EngineOptions engine_options) const {
    engine_options.key_pool = options.key_pool;
    return engine_options;
  }

  ReferenceServerOptions options;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<Throttler> throttler;
  std::unique_ptr<DialectAdapter> adapter;
  std::unique_ptr<HttpServer> server;
};

const std::vector<std::string>& default_regions(Dialect dialect) {
  return dialect == Dialect::Alibaba ? alibaba::default_regions() : volcengine::default_regions();
}

ReferenceServer::ReferenceServer(ReferenceServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ReferenceServer::~ReferenceServer() {
  stop();
}

void ReferenceServer::start() {
  impl_->server->start();
}
void ReferenceServer::stop() {
  impl_->server->stop();
}
uint16_t ReferenceServer::port() const {
  return impl_->server->port();
}

std::string ReferenceServer::endpoint() const {
  std::string host = impl_->options.address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port());
}

engine::Engine& ReferenceServer::engine() {
  return *impl_->engine;
}
const CredentialStore& ReferenceServer::credentials() const {
  return impl_->options.credentials;
}
const Credential& ReferenceServer::default_credential() const {
  return impl_->options.credentials.all().front();
}

}  // namespace kmsconf::server
