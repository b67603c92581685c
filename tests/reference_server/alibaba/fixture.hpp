// Shared fixture of the Alibaba HTTP tests: an in-process reference server (Alibaba dialect)
// with a manual clock and known credentials, and a signed client pointed at it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "client/alibaba_client.hpp"
#include "protocol/encoding.hpp"
#include "protocol/time_format.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::testing {

inline constexpr const char* kAliAccessKey = "LTAItestaccesskey0001";
inline constexpr const char* kAliSecret = "test-secret-for-alibaba-tests";
inline constexpr const char* kAliAccount = "1540355698840000";
inline constexpr const char* kAliRegion = "cn-hangzhou";

class AlibabaServerTest : public ::testing::Test {
 protected:
  // Override to change options before the server starts.
  virtual void configure(server::ReferenceServerOptions& options) { (void)options; }

  void SetUp() override {
    clock_ = std::make_shared<engine::ManualClock>();
    server::ReferenceServerOptions options;
    options.dialect = server::Dialect::Alibaba;
    options.clock = clock_;
    options.credentials.add({kAliAccessKey, kAliSecret, kAliAccount, {"*"}, ""});
    configure(options);
    server_ = std::make_unique<server::ReferenceServer>(std::move(options));
    server_->start();
    client_ = make_client(kAliAccessKey, kAliSecret);
  }

  void TearDown() override {
    client_.reset();
    server_->stop();
  }

  std::unique_ptr<client::AlibabaClient> make_client(const std::string& ak, const std::string& sk,
                                                     const std::string& token = "") {
    auto endpoint = client::Endpoint::parse(server_->endpoint());
    return std::make_unique<client::AlibabaClient>(*endpoint, alibaba::Credentials{ak, sk, token});
  }

  // Signs with the server's clock, so a ManualClock far from real time still verifies.
  client::AlibabaCallOptions at_server_time(client::AlibabaCallOptions options = {}) {
    if (options.timestamp.empty()) options.timestamp = iso8601_utc(clock_->now());
    return options;
  }

  client::AlibabaCallResult call(const std::string& action,
                                 const nlohmann::json& params = nlohmann::json::object(),
                                 client::AlibabaCallOptions options = {}) {
    return client_->call(action, params, at_server_time(std::move(options)));
  }

  // Calls that must succeed; the failure message shows the error.
  nlohmann::json ok(const std::string& action,
                    const nlohmann::json& params = nlohmann::json::object(),
                    client::AlibabaCallOptions options = {}) {
    auto r = call(action, params, std::move(options));
    EXPECT_TRUE(r.ok()) << action << " -> " << r.parsed.status << " "
                        << r.parsed.error_code.value_or("") << ": " << r.parsed.message;
    return r.body();
  }

  // Creates a key; returns its id.
  std::string create_key(nlohmann::json params = nlohmann::json::object()) {
    return ok("CreateKey", params)["KeyMetadata"]["KeyId"].get<std::string>();
  }

  std::shared_ptr<engine::ManualClock> clock_;
  std::unique_ptr<server::ReferenceServer> server_;
  std::unique_ptr<client::AlibabaClient> client_;
};

}  // namespace kmsconf::testing
