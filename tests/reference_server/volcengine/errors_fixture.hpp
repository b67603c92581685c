// Shared by the Volcengine error tests (errors_*test.cpp): the fixture with its extra credentials
// and server setups, request surgery hooks, and the table mapping every provokable catalog code
// to one request that provokes it over HTTP (errors_provocations.cpp), which the individual tests
// and the coverage test (errors_test.cpp) both run.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "client/volcengine_client.hpp"
#include "protocol/volcengine/errors.hpp"
#include "reference_server/pipeline.hpp"
#include "tests/reference_server/volcengine/fixture.hpp"
#include "tests/reference_server/volcengine/wire_support.hpp"

namespace kmsconf::testing::volc_errors {

using volcengine::ErrorCode;

inline constexpr const char* kRestrictedAk = "AKLTrestrictedkey0001";
inline constexpr const char* kRestrictedSk = "cmVzdHJpY3RlZC1zZWNyZXQta2V5";
inline constexpr const char* kClosedAk = "AKLTclosedaccount0001";
inline constexpr const char* kClosedSk = "Y2xvc2VkLWFjY291bnQtc2VjcmV0";
inline constexpr const char* kClosedAccount = "2100000077";
inline constexpr const char* kStsAk = "AKLTstsaccesskey00001";
inline constexpr const char* kStsSk = "c3RzLXNlY3JldC1rZXktZm9yLXRlc3Rz";
inline constexpr const char* kStsToken = "STS2eyJ0ZXN0Ijoic2Vzc2lvbi10b2tlbiJ9";
inline constexpr const char* kUnknownKeyId = "0b7c5c0e-1111-4222-8333-944455556666";

// ---------------------------------------------------------------------------------------------
// Request surgery: hooks run on a signed request before it is sent.

using Hook = std::function<void(HttpRequest&)>;

inline Hook set_header(std::string name, std::string value) {
  return [name, value](HttpRequest& r) { r.headers[name] = value; };
}

inline Hook erase_header(std::string name) {
  return [name](HttpRequest& r) { r.headers.erase(name); };
}

inline Hook replace_in_header(std::string name, std::string from, std::string to) {
  return [=](HttpRequest& r) {
    std::string& value = r.headers[name];
    auto at = value.find(from);
    ASSERT_NE(at, std::string::npos) << name << ": " << value;
    value.replace(at, from.size(), to);
  };
}

inline client::CallOptions tampered(Hook hook) {
  client::CallOptions options;
  options.after_signing = std::move(hook);
  return options;
}

// Asks the test-only fault hook (ReferenceServerOptions::fault_injection) for `name`.
inline client::CallOptions with_fault(const std::string& name) {
  client::CallOptions options;
  options.extra_headers[std::string(server::kFaultHeader)] = name;
  return options;
}

// ---------------------------------------------------------------------------------------------
// Server setups: some codes need a server switch that would change the answer to others.

enum class ServerSetup {
  Plain,
  Throttled,       // ReplicateKey holds one token and (nearly) never refills
  FaultInjection,  // the X-Kmsconf-Fault hook is on
};

inline const char* setup_name(ServerSetup setup) {
  switch (setup) {
    case ServerSetup::Plain:
      return "Plain";
    case ServerSetup::Throttled:
      return "Throttled";
    case ServerSetup::FaultInjection:
      return "FaultInjection";
  }
  return "?";
}

// Names a setup in gtest's output (test names of the parameterized coverage test).
inline void PrintTo(ServerSetup setup, std::ostream* os) {
  *os << setup_name(setup);
}

// ---------------------------------------------------------------------------------------------
// Fixture: the default credential plus a restricted one, one of a closed account and an STS one.

class ErrorCatalogHttpTest : public VolcengineServerTest {
 public:
  // One request that provokes `code` over HTTP on a fresh server of `setup`; the answer must be
  // exactly the catalog's refusal with `args` as the Message's placeholders.
  struct Provocation {
    ErrorCode code;
    ServerSetup setup;
    const char* what;
    std::vector<std::string> args;
    std::function<client::CallResult(ErrorCatalogHttpTest&)> send;
  };
  // Defined in errors_provocations.cpp; one entry per provokable code.
  static const std::vector<Provocation>& provocations();

 protected:
  virtual ServerSetup server_setup() const { return ServerSetup::Plain; }

  void configure(server::ReferenceServerOptions& options) override {
    options.credentials.add(
        {kRestrictedAk, kRestrictedSk, kAccount, {"DescribeKey", "DescribeKeys"}, ""});
    options.credentials.add({kClosedAk, kClosedSk, kClosedAccount, {"*"}, ""});
    options.credentials.set_account(kClosedAccount, server::AccountSettings{false});
    options.credentials.add({kStsAk, kStsSk, kAccount, {"*"}, kStsToken});
    switch (server_setup()) {
      case ServerSetup::Plain:
        break;
      case ServerSetup::Throttled:
        options.quotas.merge_json_text(R"({"actions":{"ReplicateKey":{"rate":0.0001,"burst":1}}})",
                                       "errors test quotas");
        break;
      case ServerSetup::FaultInjection:
        options.fault_injection = true;
        break;
    }
  }

  // Sends the table's provocation of `code` and checks the answer is exactly that refusal.
  ::testing::AssertionResult provokes(ErrorCode code);

  client::CallResult call_as(client::VolcengineClient& client, const std::string& action,
                             const nlohmann::json& params = nlohmann::json::object(),
                             client::CallOptions options = {}) {
    return client.call(action, params, at_server_time(std::move(options)));
  }

  // A multi-region primary in cn-beijing.
  std::string create_mrk(const std::string& name) {
    return create_key("ring", name, {{"MultiRegion", true}});
  }

  // Sends a hand-built request signed with the default credential, after `tamper`.
  volcengine::ParsedResponse send_signed(HttpRequest request, volcengine::SignOptions sign,
                                         const Hook& tamper = {}) {
    if (sign.region.empty()) sign.region = kRegion;
    if (sign.x_date.empty()) sign.x_date = volcengine::format_x_date(clock_->now());
    volcengine::sign_request(request, {kAccessKey, kSecretKey, ""}, sign);
    if (tamper) tamper(request);
    return wire::envelope_of(client_->http().send(request));
  }

  client::Endpoint endpoint() const { return *client::Endpoint::parse(server_->endpoint()); }
};

class ThrottledReplicateKeyTest : public ErrorCatalogHttpTest {
 protected:
  ServerSetup server_setup() const override { return ServerSetup::Throttled; }
};

class FaultInjectionTest : public ErrorCatalogHttpTest {
 protected:
  ServerSetup server_setup() const override { return ServerSetup::FaultInjection; }
};

}  // namespace kmsconf::testing::volc_errors
