#include "protocol/volcengine/errors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

namespace kmsconf::volcengine {
namespace {

struct SpecRow {
  ErrorCode code;
  int status;
  std::string_view wire;
  std::optional<int> code_n;
  std::string_view message_template;
};

// Transcribed from spec §1.4 and §2.6 independently of the catalog, so a typo in either shows.
const std::vector<SpecRow>& spec_table() {
  static const std::vector<SpecRow> rows{
      {ErrorCode::InvalidParameter, 400, "InvalidParameter", std::nullopt,
       "The request parameter %s is invalid."},
      {ErrorCode::InvalidOperation, 400, "InvalidOperation", std::nullopt,
       "The request was rejected because the specified resource is not valid for this "
       "operation."},
      {ErrorCode::InvalidKeyStatus, 400, "InvalidKeyStatus", std::nullopt,
       "Current key status: %s does not allow to perform this action"},
      {ErrorCode::InvalidReplicaRegion, 400, "InvalidReplicaRegion", std::nullopt,
       "The replica region [%s] is not valid"},
      {ErrorCode::RejectThrottlingAction, 403, "Reject.Throttling.Action", std::nullopt,
       "The request of Action: %s upper limit is exceeded."},
      {ErrorCode::AccessDenied, 403, "AccessDenied", std::nullopt,
       "User is not authorized to do this action"},
      {ErrorCode::KmsServiceNotOpen, 403, "KMS_ServiceNotOpen", std::nullopt,
       "KMS service not open yet, please open the service and try again later."},
      {ErrorCode::NotFound, 404, "Not Found", std::nullopt, "Not found %s [%s]."},
      {ErrorCode::Conflict, 409, "Conflict", std::nullopt, "The %s resource %s is conflict."},
      {ErrorCode::UndefinedError, 500, "UndefinedError", std::nullopt,
       "Undefined Internal Error. Pls Contact With Admin."},
      {ErrorCode::MissingParameter, 400, "MissingParameter", 100002,
       "The request is missing %s parameter."},
      {ErrorCode::MissingAuthenticationToken, 401, "MissingAuthenticationToken", 100003,
       "Request is missing Authentication Token"},
      {ErrorCode::MissingRequestInfo, 400, "MissingRequestInfo", 100004,
       "The request is missing %s information."},
      {ErrorCode::MissingSignature, 401, "MissingSignature", 100005,
       "The request is missing signature."},
      {ErrorCode::InvalidTimestamp, 403, "InvalidTimestamp", 100006,
       "The Signature of the request is expired"},
      {ErrorCode::ServiceNotFound, 404, "ServiceNotFound", 100007, "This service[%s] not found."},
      {ErrorCode::InvalidActionOrVersion, 404, "InvalidActionOrVersion", 100008,
       "Could not find operation %s for version %s"},
      {ErrorCode::InvalidAccessKey, 401, "InvalidAccessKey", 100009,
       "The accesskey [%s] included in the request is invalid."},
      {ErrorCode::SignatureDoesNotMatch, 401, "SignatureDoesNotMatch", 100010,
       "The request signature we calculated does not match the signature you provided. Check "
       "your Secret Access Key and signing method. Consult the service documentation for "
       "details."},
      {ErrorCode::ServiceShouldCallSelfApi, 403, "ServiceShouldCallSelfApi", 100011,
       "The service(%s) should call self-api"},
      {ErrorCode::LackPolicy, 403, "LackPolicy", 100012,
       "Request was rejected because of lack of policy."},
      {ErrorCode::GatewayAccessDenied, 403, "AccessDenied", 100013,
       "User is not authorized to perform: %s on resource: %s"},
      {ErrorCode::InternalError, 500, "InternalError", 100014,
       "Service has some internal Error. Pls Contact With Admin"},
      {ErrorCode::InvalidAuthorization, 400, "InvalidAuthorization", std::nullopt,
       "Invalid 'Authorization' header, Pls check authorization header."},
      {ErrorCode::InvalidCredential, 400, "InvalidCredential", std::nullopt,
       "Invalid credential in 'Authorization', Pls check credential in authorization header."},
      {ErrorCode::InvalidSecretToken, 401, "InvalidSecretToken", std::nullopt,
       "Invalid secret token, msg: %s."},
      {ErrorCode::LackProjectPolicy, 403, "LackProjectPolicy", std::nullopt,
       "Request was rejected because of lack of project policy."},
  };
  return rows;
}

TEST(VolcengineErrors, EveryCodeMatchesTheSpecTable) {
  for (const SpecRow& row : spec_table()) {
    const ErrorInfo& info = error_info(row.code);
    SCOPED_TRACE(std::string(info.name));
    EXPECT_EQ(info.code, row.code);
    EXPECT_EQ(info.http_status, row.status);
    EXPECT_EQ(info.wire_code, row.wire);
    EXPECT_EQ(info.code_n, row.code_n);
    EXPECT_EQ(info.message_template, row.message_template);
  }
}

// The spec gives no text for FlowLimitExceeded; only its status and code are pinned.
TEST(VolcengineErrors, FlowLimitExceededIs429WithoutCodeN) {
  const ErrorInfo& info = error_info(ErrorCode::FlowLimitExceeded);
  EXPECT_EQ(info.http_status, 429);
  EXPECT_EQ(info.wire_code, "FlowLimitExceeded");
  EXPECT_FALSE(info.code_n);
  EXPECT_FALSE(info.message_template.empty());
}

TEST(VolcengineErrors, AllErrorsListsEachCodeOnceInEnumOrder) {
  const auto all = all_errors();
  ASSERT_EQ(all.size(), spec_table().size() + 1);  // + FlowLimitExceeded
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(all[i].code), i);
    EXPECT_EQ(&error_info(all[i].code), &all[i]);
    EXPECT_FALSE(all[i].name.empty());
  }
}

TEST(VolcengineErrors, WireCodeAndCodeNIdentifyAnEntry) {
  std::set<std::pair<std::string_view, std::optional<int>>> seen;
  std::set<int> code_ns;
  for (const ErrorInfo& info : all_errors()) {
    EXPECT_TRUE(seen.emplace(info.wire_code, info.code_n).second) << info.name;
    if (info.code_n) {
      EXPECT_TRUE(code_ns.insert(*info.code_n).second) << info.name;
    }
  }
}

TEST(VolcengineErrors, FormatMessageFillsPlaceholdersInOrder) {
  EXPECT_EQ(format_message(ErrorCode::NotFound, {"keyring", "demo_keyring11111"}),
            "Not found keyring [demo_keyring11111].");
  EXPECT_EQ(format_message(ErrorCode::InvalidKeyStatus, {"Disable"}),
            "Current key status: Disable does not allow to perform this action");
  EXPECT_EQ(format_message(ErrorCode::InvalidActionOrVersion, {"Foo", "2021-02-18"}),
            "Could not find operation Foo for version 2021-02-18");
}

TEST(VolcengineErrors, FormatMessageToleratesWrongArgumentCounts) {
  EXPECT_EQ(format_message(ErrorCode::NotFound, {"key"}), "Not found key [].");
  EXPECT_EQ(format_message(ErrorCode::MissingSignature, {"ignored"}),
            "The request is missing signature.");
  EXPECT_EQ(format_message(ErrorCode::InvalidParameter, {}), "The request parameter  is invalid.");
}

TEST(VolcengineErrors, FormatMessageDoesNotExpandPlaceholdersInArguments) {
  EXPECT_EQ(format_message(ErrorCode::NotFound, {"%s", "x"}), "Not found %s [x].");
}

TEST(VolcengineErrors, SpanOverloadMatchesInitializerList) {
  const std::vector<std::string> args{"keyring", "ring"};
  EXPECT_EQ(format_message(ErrorCode::Conflict, args),
            format_message(ErrorCode::Conflict, {"keyring", "ring"}));
  EXPECT_EQ(format_message(ErrorCode::Conflict, args), "The keyring resource ring is conflict.");
}

TEST(VolcengineErrors, FromWireRoundTripsEveryEntry) {
  for (const ErrorInfo& info : all_errors()) {
    EXPECT_EQ(error_code_from_wire(info.wire_code, info.code_n), info.code) << info.name;
  }
}

TEST(VolcengineErrors, FromWireSeparatesTheTwoAccessDenied) {
  EXPECT_EQ(error_code_from_wire("AccessDenied", std::nullopt), ErrorCode::AccessDenied);
  EXPECT_EQ(error_code_from_wire("AccessDenied", 100013), ErrorCode::GatewayAccessDenied);
}

TEST(VolcengineErrors, FromWireAcceptsGatewayFormOfUndefinedError) {
  EXPECT_EQ(error_code_from_wire("UndefinedError", 100001), ErrorCode::UndefinedError);
  EXPECT_FALSE(error_info(ErrorCode::UndefinedError).code_n);  // rendered in business form
}

TEST(VolcengineErrors, FromWireAcceptsGatewayCodesSentWithoutCodeN) {
  EXPECT_EQ(error_code_from_wire("SignatureDoesNotMatch", std::nullopt),
            ErrorCode::SignatureDoesNotMatch);
}

TEST(VolcengineErrors, FromWireMapsLegacyNamesByCodeN) {
  EXPECT_EQ(error_code_from_wire("ServiceUnavailable", 100007), ErrorCode::ServiceNotFound);
  EXPECT_EQ(error_code_from_wire("InvalidClientTokenId", 100009), ErrorCode::InvalidAccessKey);
}

TEST(VolcengineErrors, FromWireRejectsUnknownCodes) {
  EXPECT_FALSE(error_code_from_wire("NoSuchCode", std::nullopt));
  EXPECT_FALSE(error_code_from_wire("NoSuchCode", 424242));
  EXPECT_FALSE(error_code_from_wire("NotFound", std::nullopt));  // the wire has a space
  EXPECT_FALSE(error_code_from_wire("invalidparameter", std::nullopt));
  EXPECT_FALSE(error_code_from_wire("", std::nullopt));
}

}  // namespace
}  // namespace kmsconf::volcengine
