// An in-process reference server of a dialect and a load target pointing at it, for the
// load-generator tests that need a real KMS.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

#include "client/dialect.hpp"
#include "loadgen/target.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf {

// Test names and failure messages say "volcengine", not "4-byte object <00-00 00-00>" (found by
// ADL beside DialectId).
inline void PrintTo(DialectId id, std::ostream* out) {
  *out << dialect_name(id);
}

}  // namespace kmsconf

namespace kmsconf::loadgen::test_support {

// Quotas far above anything these runs send, so only the quota test sees a refusal. Alibaba's
// symmetric pool is named because its own default (1000/s) would otherwise stay.
inline server::QuotaConfig generous_quotas() {
  server::QuotaConfig quotas;
  quotas.merge_json_text(R"({"default": {"rate": 1000000, "burst": 1000000},
                             "pools": {"symmetric": {"rate": 1000000, "burst": 1000000,
                                       "actions": ["Encrypt", "Decrypt", "GenerateDataKey"]}}})",
                         "test quotas");
  return quotas;
}

// A reference server of the dialect and a target pointing at it with its demo credential.
struct Reference {
  std::unique_ptr<server::ReferenceServer> server;
  Target target;
};

inline Reference start_reference(DialectId id, server::QuotaConfig quotas = generous_quotas()) {
  const auto& dialect = client::descriptor(id);
  server::ReferenceServerOptions options;
  options.dialect = id;
  options.regions = {std::string(dialect.default_region)};
  options.quotas = std::move(quotas);
  Reference r;
  r.server = std::make_unique<server::ReferenceServer>(std::move(options));
  r.server->start();
  r.target.dialect = &dialect;
  r.target.endpoint = *client::Endpoint::parse(r.server->endpoint());
  const auto& credential = r.server->default_credential();
  r.target.credentials = {credential.access_key_id, credential.secret_access_key, ""};
  r.target.region = std::string(dialect.default_region);
  r.target.transport.timeout = std::chrono::milliseconds(5000);
  return r;
}

}  // namespace kmsconf::loadgen::test_support
