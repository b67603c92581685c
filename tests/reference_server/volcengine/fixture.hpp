// Shared fixture of the Volcengine HTTP tests: an in-process reference server with a manual
// clock and known credentials, and a signed client pointed at it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "client/volcengine_client.hpp"
#include "protocol/encoding.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::testing {

inline constexpr const char* kAccessKey = "AKLTtestaccesskey0001";
inline constexpr const char* kSecretKey = "dGVzdC1zZWNyZXQta2V5LWZvci10ZXN0cw==";
inline constexpr const char* kAccount = "2100042018";
inline constexpr const char* kRegion = "cn-beijing";

class VolcengineServerTest : public ::testing::Test {
 protected:
  // Override to change options before the server starts.
  virtual void configure(server::ReferenceServerOptions& options) { (void)options; }

  void SetUp() override {
    clock_ = std::make_shared<engine::ManualClock>();
    server::ReferenceServerOptions options;
    options.clock = clock_;
    options.credentials.add({kAccessKey, kSecretKey, kAccount, {"*"}, ""});
    configure(options);
    server_ = std::make_unique<server::ReferenceServer>(std::move(options));
    server_->start();
    client_ = make_client(kAccessKey, kSecretKey);
  }

  void TearDown() override {
    client_.reset();
    server_->stop();
  }

  std::unique_ptr<client::VolcengineClient> make_client(const std::string& ak,
                                                        const std::string& sk,
                                                        const std::string& token = "") {
    auto endpoint = client::Endpoint::parse(server_->endpoint());
    return std::make_unique<client::VolcengineClient>(
        *endpoint, volcengine::Credentials{ak, sk, token}, kRegion);
  }

  // Signs with the server's clock, so a ManualClock far from real time still verifies.
  client::CallOptions at_server_time(client::CallOptions options = {}) {
    if (options.x_date.empty()) options.x_date = volcengine::format_x_date(clock_->now());
    return options;
  }

  client::CallResult call(const std::string& action,
                          const nlohmann::json& params = nlohmann::json::object(),
                          client::CallOptions options = {}) {
    return client_->call(action, params, at_server_time(std::move(options)));
  }

  // Calls that must succeed; the failure message shows the error.
  nlohmann::json ok(const std::string& action,
                    const nlohmann::json& params = nlohmann::json::object(),
                    client::CallOptions options = {}) {
    auto r = call(action, params, std::move(options));
    EXPECT_TRUE(r.ok()) << action << " -> " << r.parsed.status << " "
                        << r.parsed.error_code.value_or("") << ": " << r.parsed.message;
    return r.result();
  }

  std::string create_keyring(const std::string& name) {
    return ok("CreateKeyring", {{"KeyringName", name}})["Keyring"]["ID"].get<std::string>();
  }

  // Creates keyring (if needed) and key; returns the key id.
  std::string create_key(const std::string& ring, const std::string& name,
                         nlohmann::json extra = nlohmann::json::object()) {
    auto existing = call("QueryKeyring", {{"KeyringName", ring}});
    if (!existing.ok()) create_keyring(ring);
    extra["KeyringName"] = ring;
    extra["KeyName"] = name;
    return ok("CreateKey", extra)["Key"]["ID"].get<std::string>();
  }

  std::shared_ptr<engine::ManualClock> clock_;
  std::unique_ptr<server::ReferenceServer> server_;
  std::unique_ptr<client::VolcengineClient> client_;
};

}  // namespace kmsconf::testing
