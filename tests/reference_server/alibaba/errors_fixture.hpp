// Shared by the Alibaba error tests (errors_*_test.cpp): the fixture with its extra credentials
// and server setups, request surgery hooks, and the table mapping every provokable catalog code
// to one request that provokes it over HTTP (errors_provocations.cpp), which the individual tests
// and the coverage test (errors_catalog_test.cpp) both run.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "client/alibaba_client.hpp"
#include "protocol/alibaba/errors.hpp"
#include "protocol/alibaba/signer.hpp"
#include "protocol/encoding.hpp"
#include "reference_server/pipeline.hpp"
#include "tests/reference_server/alibaba/error_support.hpp"
#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing::ali_errors {

using alibaba::ErrorCode;
using client::AlibabaCallOptions;
using client::AlibabaSigning;

inline constexpr const char* kRestrictedAk = "LTAIrestrictedkey0001";
inline constexpr const char* kRestrictedSk = "restricted-secret-for-errors";
inline constexpr const char* kClosedAk = "LTAIclosedaccount0001";
inline constexpr const char* kClosedSk = "closed-account-secret";
inline constexpr const char* kClosedAccount = "1540355698849999";
inline constexpr const char* kStsAk = "STS.NUgYrLnoC37mZZCNnAbez";
inline constexpr const char* kStsSk = "sts-secret-for-errors";
inline constexpr const char* kStsToken = "CAISzQJ1q6Ft5B2yfSjIr5bkEvvBq+tT0Lo=";
inline constexpr const char* kUnknownKeyId = "0b7c5c0e-1111-4222-8333-944455556666";

inline constexpr std::array kAllSignings{AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea,
                                         AlibabaSigning::V3, AlibabaSigning::V3FormBody};
inline constexpr std::array kV1Signings{AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea};
inline constexpr std::array kV3Signings{AlibabaSigning::V3, AlibabaSigning::V3FormBody};

inline const char* signing_name(AlibabaSigning signing) {
  switch (signing) {
    case AlibabaSigning::V1PopCore:
      return "V1PopCore";
    case AlibabaSigning::V1Tea:
      return "V1Tea";
    case AlibabaSigning::V3:
      return "V3";
    case AlibabaSigning::V3FormBody:
      return "V3FormBody";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// Request surgery: hooks run on a signed request before it is sent.

using Hook = std::function<void(HttpRequest&)>;

// Rewrites one parameter wherever it sits (query and form body); nullopt removes it.
inline Hook set_param(std::string name, std::optional<std::string> value) {
  return [name, value](HttpRequest& r) {
    bool found = false;
    for (std::string* text : {&r.raw_query, &r.body}) {
      if (text->empty()) continue;
      auto pairs = parse_query(*text);
      ASSERT_TRUE(pairs.has_value()) << *text;
      QueryPairs kept;
      for (auto& [key, current] : *pairs) {
        if (key != name) {
          kept.emplace_back(key, current);
          continue;
        }
        found = true;
        if (value) kept.emplace_back(key, *value);
      }
      *text = build_query(kept);
    }
    ASSERT_TRUE(found) << name << " is not in the signed request";
  };
}

inline Hook set_header(std::string name, std::string value) {
  return [name, value](HttpRequest& r) { r.headers[name] = value; };
}

inline Hook erase_header(std::string name) {
  return [name](HttpRequest& r) { ASSERT_EQ(r.headers.erase(name), 1u) << name; };
}

inline AlibabaCallOptions with(AlibabaSigning signing, Hook hook = {}) {
  AlibabaCallOptions options;
  options.signing = signing;
  options.after_signing = std::move(hook);
  return options;
}

// Asks the test-only fault hook (ReferenceServerOptions::fault_injection) for `name`.
inline AlibabaCallOptions with_fault(const std::string& name,
                                     AlibabaSigning signing = AlibabaSigning::V3) {
  AlibabaCallOptions options = with(signing);
  options.extra_headers[std::string(server::kFaultHeader)] = name;
  return options;
}

// ---------------------------------------------------------------------------------------------
// Server setups: some codes need a server switch that would change the answer to others.

enum class ServerSetup {
  Plain,
  LegacyTimestamps,  // legacy_timestamp_code: IllegalTimestamp instead of InvalidTimeStamp.*
  Throttled,         // the symmetric-crypto pool holds one token and (nearly) never refills
  FaultInjection,    // the X-Kmsconf-Fault hook is on
};

inline const char* setup_name(ServerSetup setup) {
  switch (setup) {
    case ServerSetup::Plain:
      return "Plain";
    case ServerSetup::LegacyTimestamps:
      return "LegacyTimestamps";
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

class AlibabaErrorsTest : public AlibabaServerTest {
 public:
  // One request that provokes `code` over HTTP on a fresh server of `setup`; the answer must be
  // exactly the catalog's refusal with `args` as the Message's placeholders.
  struct Provocation {
    ErrorCode code;
    ServerSetup setup;
    const char* what;
    std::vector<std::string> args;
    std::function<client::AlibabaCallResult(AlibabaErrorsTest&)> send;
  };
  // Defined in errors_provocations.cpp; one entry per provokable code.
  static const std::vector<Provocation>& provocations();

 protected:
  virtual ServerSetup server_setup() const { return ServerSetup::Plain; }

  void configure(server::ReferenceServerOptions& options) override {
    options.credentials.add(
        {kRestrictedAk, kRestrictedSk, kAliAccount, {"DescribeKey", "ListKeys"}, ""});
    options.credentials.add({kClosedAk, kClosedSk, kClosedAccount, {"*"}, ""});
    options.credentials.set_account(kClosedAccount, server::AccountSettings{false});
    options.credentials.add({kStsAk, kStsSk, kAliAccount, {"*"}, kStsToken});
    switch (server_setup()) {
      case ServerSetup::Plain:
        break;
      case ServerSetup::LegacyTimestamps:
        options.legacy_timestamp_code = true;  // §6: KMS's legacy docs
        break;
      case ServerSetup::Throttled:
        options.quotas.merge_json_text(
            R"({"pools":{"symmetric":{"rate":0.0001,"burst":1,
            "actions":["Encrypt","Decrypt","GenerateDataKey","GenerateDataKeyWithoutPlaintext"]}}})",
            "errors test quotas");
        break;
      case ServerSetup::FaultInjection:
        options.fault_injection = true;
        break;
    }
  }

  // Sends the table's provocation of `code` and checks the answer is exactly that refusal.
  ::testing::AssertionResult provokes(ErrorCode code);

  client::AlibabaCallResult call_as(client::AlibabaClient& client, const std::string& action,
                                    const nlohmann::json& params = nlohmann::json::object(),
                                    AlibabaCallOptions options = {}) {
    return client.call(action, params, at_server_time(std::move(options)));
  }

  client::Endpoint endpoint() const { return *client::Endpoint::parse(server_->endpoint()); }

  // A V1 request signed by hand (pop-core layout), for what the client never sends.
  client::AlibabaCallResult send_v1(const std::string& action, const nlohmann::json& params,
                                    alibaba::V1SignOptions sign) {
    client::AlibabaCallResult out;
    out.request.method = "POST";
    out.request.headers["Host"] = endpoint().host_header();
    QueryPairs pairs;
    for (const auto& [name, value] : params.items()) pairs.emplace_back(name, value);
    out.request.body = build_query(pairs);
    sign.action = action;
    if (sign.timestamp.empty()) sign.timestamp = iso8601_utc(clock_->now());
    alibaba::sign_v1(out.request, {kAliAccessKey, kAliSecret, ""}, sign);
    return finish(std::move(out));
  }

  // A V3 request (operation params in the query) signed by hand.
  client::AlibabaCallResult send_v3(const std::string& action, const nlohmann::json& params,
                                    alibaba::V3SignOptions sign, const std::string& body = "",
                                    const std::string& content_type = "") {
    client::AlibabaCallResult out;
    out.request.method = "POST";
    out.request.headers["Host"] = endpoint().host_header();
    QueryPairs pairs;
    for (const auto& [name, value] : params.items()) pairs.emplace_back(name, value);
    out.request.raw_query = build_query(pairs);
    out.request.body = body;
    if (!content_type.empty()) out.request.headers["Content-Type"] = content_type;
    sign.action = action;
    if (sign.date.empty()) sign.date = iso8601_utc(clock_->now());
    alibaba::sign_v3(out.request, {kAliAccessKey, kAliSecret, ""}, sign);
    return finish(std::move(out));
  }

  client::AlibabaCallResult finish(client::AlibabaCallResult out) {
    out.response = client_->http().send(out.request);
    out.parsed = ali::envelope_of(out.response);
    return out;
  }

  std::string key_state(const std::string& id) {
    return ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"].value("KeyState", "");
  }

  std::string external_key() { return create_key({{"Origin", "EXTERNAL"}}); }

  // GetParametersForImport: {ImportToken, wrapping public key DER}.
  std::pair<std::string, std::string> import_parameters(const std::string& id) {
    nlohmann::json p = ok("GetParametersForImport", {{"KeyId", id},
                                                     {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                                                     {"WrappingKeySpec", "RSA_2048"}});
    return {p.value("ImportToken", ""), base64_decode(p.value("PublicKey", "")).value_or("")};
  }

  client::AlibabaCallResult import(const std::string& id, const std::string& token,
                                   const std::string& encrypted_material) {
    return call("ImportKeyMaterial", {{"KeyId", id},
                                      {"ImportToken", token},
                                      {"EncryptedKeyMaterial", base64_encode(encrypted_material)}});
  }

  std::string first_version(const std::string& id) {
    nlohmann::json versions = ok("ListKeyVersions", {{"KeyId", id}});
    return versions["KeyVersions"]["KeyVersion"][0].value("KeyVersionId", "");
  }
};

class LegacyTimestampCodeTest : public AlibabaErrorsTest {
 protected:
  ServerSetup server_setup() const override { return ServerSetup::LegacyTimestamps; }
};

class ThrottledErrorsTest : public AlibabaErrorsTest {
 protected:
  ServerSetup server_setup() const override { return ServerSetup::Throttled; }
};

class AlibabaFaultInjectionTest : public AlibabaErrorsTest {
 protected:
  ServerSetup server_setup() const override { return ServerSetup::FaultInjection; }
};

}  // namespace kmsconf::testing::ali_errors
