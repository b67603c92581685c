// Every error of the Volcengine catalog (protocol/volcengine/errors.hpp, spec §1.4 and §2.6)
// provoked over HTTP and checked field by field against the catalog: HTTP status, Error.Code,
// Error.CodeN (present exactly when the catalog has one) and the formatted Message. The seed
// page's error table (ReplicateKey) is covered code by code; the gateway codes follow the
// verification order of §2.4. Codes a correct server never sends are asserted as catalog
// entries only. The last part feeds the server bad input and checks it never answers 500.
#include <algorithm>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "reference_server/pipeline.hpp"
#include "tests/reference_server/volcengine/fixture.hpp"
#include "tests/reference_server/volcengine/wire_support.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;
using volcengine::ErrorCode;

constexpr const char* kRestrictedAk = "AKLTrestrictedkey0001";
constexpr const char* kRestrictedSk = "cmVzdHJpY3RlZC1zZWNyZXQta2V5";
constexpr const char* kClosedAk = "AKLTclosedaccount0001";
constexpr const char* kClosedSk = "Y2xvc2VkLWFjY291bnQtc2VjcmV0";
constexpr const char* kClosedAccount = "2100000077";
constexpr const char* kStsAk = "AKLTstsaccesskey00001";
constexpr const char* kStsSk = "c3RzLXNlY3JldC1rZXktZm9yLXRlc3Rz";
constexpr const char* kStsToken = "STS2eyJ0ZXN0Ijoic2Vzc2lvbi10b2tlbiJ9";
constexpr const char* kUnknownKeyId = "0b7c5c0e-1111-4222-8333-944455556666";

// ---------------------------------------------------------------------------------------------
// Which catalog entries this file provokes, and which it can only assert as catalog entries.

// Emitted by the reference server; each has at least one test below that provokes it.
const std::vector<ErrorCode>& provokable() {
  static const std::vector<ErrorCode> codes{
      ErrorCode::InvalidParameter,
      ErrorCode::InvalidOperation,
      ErrorCode::InvalidKeyStatus,
      ErrorCode::InvalidReplicaRegion,
      ErrorCode::RejectThrottlingAction,
      ErrorCode::AccessDenied,
      ErrorCode::KmsServiceNotOpen,
      ErrorCode::NotFound,
      ErrorCode::Conflict,
      ErrorCode::UndefinedError,  // through the test-only fault hook
      ErrorCode::MissingParameter,
      ErrorCode::MissingAuthenticationToken,
      ErrorCode::MissingRequestInfo,
      ErrorCode::MissingSignature,
      ErrorCode::InvalidTimestamp,
      ErrorCode::InvalidActionOrVersion,
      ErrorCode::InvalidAccessKey,
      ErrorCode::SignatureDoesNotMatch,
      ErrorCode::InvalidAuthorization,
      ErrorCode::InvalidCredential,
      ErrorCode::InvalidSecretToken,
  };
  return codes;
}

// Gateway codes of other services or other gateway layers: the reference server has no
// projects, no policies beyond allowed_actions (whose refusal is the business AccessDenied), no
// second service to route to and no gateway-level flow limit (KMS documents its own throttling
// code), so it never sends these. Spec status per code, from §2.6.
struct CatalogOnly {
  ErrorCode code;
  int spec_status;
  std::optional<int> spec_code_n;
};
const std::vector<CatalogOnly>& catalog_only() {
  static const std::vector<CatalogOnly> codes{
      {ErrorCode::ServiceNotFound, 404, 100007},
      {ErrorCode::ServiceShouldCallSelfApi, 403, 100011},
      {ErrorCode::LackPolicy, 403, 100012},
      {ErrorCode::LackProjectPolicy, 403, std::nullopt},
      {ErrorCode::GatewayAccessDenied, 403, 100013},
      {ErrorCode::InternalError, 500, 100014},
      {ErrorCode::FlowLimitExceeded, 429, std::nullopt},
  };
  return codes;
}

std::set<ErrorCode>& seen() {
  static std::set<ErrorCode> codes;
  return codes;
}

// is_error, and on success records that the code was provoked over HTTP.
template <typename Response>
::testing::AssertionResult provoked(const Response& response, ErrorCode code,
                                    const std::vector<std::string>& args = {}) {
  auto result = wire::is_error(response, code, args);
  if (result) seen().insert(code);
  return result;
}

// After an unfiltered run, every provokable code must have been seen by some test.
class ProvokedEverything : public ::testing::Environment {
 public:
  void TearDown() override {
    if (std::string(GTEST_FLAG_GET(filter)) != "*") return;  // a partial run proves nothing
    for (ErrorCode code : provokable()) {
      EXPECT_TRUE(seen().count(code)) << volcengine::error_info(code).name
                                      << " is listed as provokable but no test provoked it";
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kProvokedEverything =
    ::testing::AddGlobalTestEnvironment(new ProvokedEverything);

TEST(ErrorCatalogPartitionTest, EveryCatalogEntryIsProvokedOrDocumentedAsCatalogOnly) {
  std::multiset<ErrorCode> listed(provokable().begin(), provokable().end());
  for (const auto& entry : catalog_only()) listed.insert(entry.code);
  for (const volcengine::ErrorInfo& info : volcengine::all_errors()) {
    EXPECT_EQ(listed.count(info.code), 1u) << info.name << " must be in exactly one list";
  }
  EXPECT_EQ(listed.size(), volcengine::all_errors().size());
}

TEST(ErrorCatalogPartitionTest, CatalogOnlyCodesExistWithTheSpecStatus) {
  for (const auto& entry : catalog_only()) {
    const auto& info = volcengine::error_info(entry.code);
    EXPECT_EQ(info.http_status, entry.spec_status) << info.name;
    EXPECT_EQ(info.code_n, entry.spec_code_n) << info.name;
    EXPECT_FALSE(info.wire_code.empty()) << info.name;
    EXPECT_FALSE(info.message_template.empty()) << info.name;
    EXPECT_EQ(volcengine::error_code_from_wire(info.wire_code, info.code_n), entry.code)
        << info.name;
  }
  // The two AccessDenied entries share a wire code; CodeN tells the gateway one apart.
  EXPECT_EQ(volcengine::error_info(ErrorCode::GatewayAccessDenied).wire_code,
            volcengine::error_info(ErrorCode::AccessDenied).wire_code);
  EXPECT_EQ(volcengine::format_message(ErrorCode::ServiceNotFound, {"kms"}),
            "This service[kms] not found.");
}

TEST(ErrorCatalogPartitionTest, UndefinedErrorCatalogEntry) {
  // Spec §1.4 and §2.6: 500, the fixed text; the catalog renders the business form (no CodeN)
  // but still recognises the gateway form with CodeN 100001.
  const auto& info = volcengine::error_info(ErrorCode::UndefinedError);
  EXPECT_EQ(info.http_status, 500);
  EXPECT_EQ(info.wire_code, "UndefinedError");
  EXPECT_EQ(info.code_n, std::nullopt);
  EXPECT_EQ(volcengine::format_message(ErrorCode::UndefinedError, {}),
            "Undefined Internal Error. Pls Contact With Admin.");
  EXPECT_EQ(volcengine::error_code_from_wire("UndefinedError", 100001), ErrorCode::UndefinedError);
  EXPECT_EQ(volcengine::error_code_from_wire("UndefinedError", std::nullopt),
            ErrorCode::UndefinedError);
}

// ---------------------------------------------------------------------------------------------
// Fixture: the default credential plus a restricted one, one of a closed account and an STS one.

class ErrorCatalogHttpTest : public VolcengineServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.credentials.add(
        {kRestrictedAk, kRestrictedSk, kAccount, {"DescribeKey", "DescribeKeys"}, ""});
    options.credentials.add({kClosedAk, kClosedSk, kClosedAccount, {"*"}, ""});
    options.credentials.set_account(kClosedAccount, server::AccountSettings{false});
    options.credentials.add({kStsAk, kStsSk, kAccount, {"*"}, kStsToken});
  }

  client::CallResult call_as(client::VolcengineClient& client, const std::string& action,
                             const json& params = json::object(),
                             client::CallOptions options = {}) {
    return client.call(action, params, at_server_time(std::move(options)));
  }

  // A multi-region primary in cn-beijing.
  std::string create_mrk(const std::string& name) {
    return create_key("ring", name, {{"MultiRegion", true}});
  }

  // Sends a hand-built request signed with the default credential, after `tamper`.
  volcengine::ParsedResponse send_signed(HttpRequest request, volcengine::SignOptions sign,
                                         const std::function<void(HttpRequest&)>& tamper = {}) {
    if (sign.region.empty()) sign.region = kRegion;
    if (sign.x_date.empty()) sign.x_date = volcengine::format_x_date(clock_->now());
    volcengine::sign_request(request, {kAccessKey, kSecretKey, ""}, sign);
    if (tamper) tamper(request);
    return wire::envelope_of(client_->http().send(request));
  }

  client::Endpoint endpoint() const { return *client::Endpoint::parse(server_->endpoint()); }
};

std::function<void(HttpRequest&)> set_header(std::string name, std::string value) {
  return [name, value](HttpRequest& r) { r.headers[name] = value; };
}

std::function<void(HttpRequest&)> erase_header(std::string name) {
  return [name](HttpRequest& r) { r.headers.erase(name); };
}

std::function<void(HttpRequest&)> replace_in_header(std::string name, std::string from,
                                                    std::string to) {
  return [=](HttpRequest& r) {
    std::string& value = r.headers[name];
    auto at = value.find(from);
    ASSERT_NE(at, std::string::npos) << name << ": " << value;
    value.replace(at, from.size(), to);
  };
}

client::CallOptions tampered(std::function<void(HttpRequest&)> hook) {
  client::CallOptions options;
  options.after_signing = std::move(hook);
  return options;
}

// ---------------------------------------------------------------------------------------------
// The seed's table (ReplicateKey), code by code.

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidParameter) {
  std::string id = create_mrk("mrk-a");
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id}}), ErrorCode::InvalidParameter,
                       {"ReplicaRegion"}));
  EXPECT_TRUE(
      provoked(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", std::string(65, 'x')}}),
               ErrorCode::InvalidParameter, {"ReplicaRegion"}));
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"ReplicaRegion", "cn-shanghai"}}),
                       ErrorCode::InvalidParameter, {"KeyID"}));
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id},
                                             {"ReplicaRegion", "cn-shanghai"},
                                             {"Description", std::string(8193, 'd')}}),
                       ErrorCode::InvalidParameter, {"Description"}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidOperation) {
  // Not a multi-region key.
  std::string plain = create_key("ring", "plain");
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", plain}, {"ReplicaRegion", "cn-shanghai"}}),
                       ErrorCode::InvalidOperation));
  // A replica is not the primary.
  std::string primary = create_mrk("mrk-b");
  json replica = ok("ReplicateKey", {{"KeyID", primary}, {"ReplicaRegion", "cn-shanghai"}});
  std::string replica_id = replica["ReplicaKey"]["ID"];
  client::CallOptions in_shanghai;
  in_shanghai.region = "cn-shanghai";
  EXPECT_TRUE(provoked(
      call("ReplicateKey", {{"KeyID", replica_id}, {"ReplicaRegion", "cn-guangzhou"}}, in_shanghai),
      ErrorCode::InvalidOperation));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidReplicaRegion) {
  std::string id = create_mrk("mrk-c");
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "eu-nowhere-9"}}),
                       ErrorCode::InvalidReplicaRegion, {"eu-nowhere-9"}));
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", kRegion}}),
                       ErrorCode::InvalidReplicaRegion, {kRegion}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyInvalidKeyStatus) {
  std::string id = create_mrk("mrk-d");
  ok("DisableKey", {{"KeyID", id}});
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}),
                       ErrorCode::InvalidKeyStatus, {"Disable"}));
  ok("ScheduleKeyDeletion", {{"KeyID", id}});
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}),
                       ErrorCode::InvalidKeyStatus, {"PendingDelete"}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyAccessDeniedForAnActionOutsideAllowedActions) {
  std::string id = create_mrk("mrk-e");
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  EXPECT_TRUE(provoked(
      call_as(*restricted, "ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}),
      ErrorCode::AccessDenied));
  // The refused call changed nothing; an allowed action of the same credential goes through.
  auto described = call_as(*restricted, "DescribeKey", {{"KeyID", id}});
  ASSERT_TRUE(described.ok()) << described.parsed.message;
  EXPECT_EQ(described.result()["Key"]["MultiRegionConfiguration"]["ReplicaKeys"].size(), 0u);
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyServiceNotOpenForAClosedAccount) {
  auto closed = make_client(kClosedAk, kClosedSk);
  EXPECT_TRUE(provoked(call_as(*closed, "ReplicateKey",
                               {{"KeyID", kUnknownKeyId}, {"ReplicaRegion", "cn-shanghai"}}),
                       ErrorCode::KmsServiceNotOpen));
  // Every action, even a read, of that account.
  EXPECT_TRUE(provoked(call_as(*closed, "DescribeRegions"), ErrorCode::KmsServiceNotOpen));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyNotFound) {
  EXPECT_TRUE(
      provoked(call("ReplicateKey", {{"KeyID", kUnknownKeyId}, {"ReplicaRegion", "cn-shanghai"}}),
               ErrorCode::NotFound, {"key", kUnknownKeyId}));
  EXPECT_TRUE(provoked(
      call("ReplicateKey",
           {{"KeyringName", "no-ring"}, {"KeyName", "mrk-x"}, {"ReplicaRegion", "cn-shanghai"}}),
      ErrorCode::NotFound, {"keyring", "no-ring"}));
  create_keyring("ring");
  EXPECT_TRUE(provoked(
      call("ReplicateKey",
           {{"KeyringName", "ring"}, {"KeyName", "mrk-missing"}, {"ReplicaRegion", "cn-shanghai"}}),
      ErrorCode::NotFound, {"key", "mrk-missing"}));
}

TEST_F(ErrorCatalogHttpTest, ReplicateKeyConflictWhenTheReplicaExists) {
  std::string id = create_mrk("mrk-f");
  ok("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}});
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}),
                       ErrorCode::Conflict, {"key", "mrk-f in cn-shanghai"}));
}

TEST_F(ErrorCatalogHttpTest, ConflictOnCreatingAnExistingName) {
  create_keyring("ring");
  EXPECT_TRUE(provoked(call("CreateKeyring", {{"KeyringName", "ring"}}), ErrorCode::Conflict,
                       {"keyring", "ring"}));
  create_key("ring", "key");
  EXPECT_TRUE(provoked(call("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "key"}}),
                       ErrorCode::Conflict, {"key", "key"}));
}

class ThrottledReplicateKeyTest : public ErrorCatalogHttpTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    ErrorCatalogHttpTest::configure(options);
    options.quotas.merge_json_text(R"({"actions":{"ReplicateKey":{"rate":0.0001,"burst":1}}})",
                                   "errors_test quotas");
  }
};

TEST_F(ThrottledReplicateKeyTest, ReplicateKeyRejectThrottlingAction) {
  std::string id = create_mrk("mrk-g");
  ok("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}});
  EXPECT_TRUE(provoked(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-guangzhou"}}),
                       ErrorCode::RejectThrottlingAction, {"ReplicateKey"}));
}

TEST_F(ErrorCatalogHttpTest, InvalidOperationForAMismatchedKeyKind) {
  std::string signing =
      create_key("ring", "signer", {{"KeySpec", "EC_P256"}, {"KeyUsage", "SIGN_VERIFY"}});
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyID", signing}, {"Plaintext", base64_encode("x")}}),
                       ErrorCode::InvalidOperation));
}

// ---------------------------------------------------------------------------------------------
// Gateway codes (§2.6), in the order of §2.4.

TEST_F(ErrorCatalogHttpTest, MissingParameterWithoutActionOrVersion) {
  auto query = [](std::string q) { return [q](HttpRequest& r) { r.raw_query = q; }; };
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(), tampered(query("Version=2021-02-18"))),
               ErrorCode::MissingParameter, {"Action"}));
  EXPECT_TRUE(provoked(
      call("DescribeRegions", json::object(), tampered(query("Action=&Version=2021-02-18"))),
      ErrorCode::MissingParameter, {"Action"}));
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(), tampered(query("Action=DescribeRegions"))),
               ErrorCode::MissingParameter, {"Version"}));
  // Action and Version live in the query even for POST; a body copy does not count.
  EXPECT_TRUE(provoked(call("DescribeRegions", {{"Action", "DescribeRegions"}},
                            tampered(query("Version=2021-02-18"))),
                       ErrorCode::MissingParameter, {"Action"}));
}

TEST_F(ErrorCatalogHttpTest, InvalidActionOrVersion) {
  EXPECT_TRUE(provoked(call("NoSuchAction"), ErrorCode::InvalidActionOrVersion,
                       {"NoSuchAction", wire::kVersion}));
  // A Secrets Manager action of the same Version is not served by this KMS.
  EXPECT_TRUE(provoked(call("CreateSecret", {{"SecretName", "s1"}}),
                       ErrorCode::InvalidActionOrVersion, {"CreateSecret", wire::kVersion}));
  auto version = [](HttpRequest& r) { r.raw_query = "Action=Encrypt&Version=2020-01-01"; };
  EXPECT_TRUE(provoked(call("Encrypt", json::object(), tampered(version)),
                       ErrorCode::InvalidActionOrVersion, {"Encrypt", "2020-01-01"}));
  // Checked before authentication: no signature needed to learn the action is unknown.
  EXPECT_TRUE(
      provoked(call("NoSuchAction", json::object(), tampered(erase_header("Authorization"))),
               ErrorCode::InvalidActionOrVersion, {"NoSuchAction", wire::kVersion}));
}

TEST_F(ErrorCatalogHttpTest, MissingAuthenticationToken) {
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(), tampered(erase_header("Authorization"))),
               ErrorCode::MissingAuthenticationToken));
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(), tampered(set_header("Authorization", ""))),
               ErrorCode::MissingAuthenticationToken));
}

TEST_F(ErrorCatalogHttpTest, InvalidAuthorization) {
  for (const char* value :
       {"Bearer abc", "HMAC-SHA1 Credential=a/20240101/cn-beijing/kms/request",
        "HMAC-SHA256 garbage",
        "HMAC-SHA256 Credential=AKLT/20241219/cn-beijing/kms/request, Signature=ab",
        "HMAC-SHA256 Credential=AKLT/20241219/cn-beijing/kms/request, "
        "SignedHeaders=x-date, Signature=ab, Extra=1"}) {
    EXPECT_TRUE(provoked(
        call("DescribeRegions", json::object(), tampered(set_header("Authorization", value))),
        ErrorCode::InvalidAuthorization))
        << value;
  }
}

TEST_F(ErrorCatalogHttpTest, InvalidCredential) {
  for (const char* credential :
       {"AKLT/2024121/cn-beijing/kms/request", "AKLT/20241219/cn-beijing/kms",
        "AKLT/20241219/cn-beijing/kms/response", "/20241219/cn-beijing/kms/request"}) {
    std::string value = std::string("HMAC-SHA256 Credential=") + credential +
                        ", SignedHeaders=x-date, Signature=abcdef";
    EXPECT_TRUE(provoked(
        call("DescribeRegions", json::object(), tampered(set_header("Authorization", value))),
        ErrorCode::InvalidCredential))
        << value;
  }
  EXPECT_TRUE(provoked(
      call("DescribeRegions", json::object(),
           tampered(set_header("Authorization", "HMAC-SHA256 SignedHeaders=x-date, Signature=ab"))),
      ErrorCode::InvalidCredential));
}

TEST_F(ErrorCatalogHttpTest, MissingSignature) {
  auto drop_signature = [](HttpRequest& r) {
    std::string& value = r.headers["Authorization"];
    value.erase(value.find(", Signature="));
  };
  EXPECT_TRUE(provoked(call("DescribeRegions", json::object(), tampered(drop_signature)),
                       ErrorCode::MissingSignature));
  auto empty_signature = [](HttpRequest& r) {
    std::string& value = r.headers["Authorization"];
    value.erase(value.find("Signature=") + 10);
  };
  EXPECT_TRUE(provoked(call("DescribeRegions", json::object(), tampered(empty_signature)),
                       ErrorCode::MissingSignature));
}

TEST_F(ErrorCatalogHttpTest, MissingRequestInfoForAForeignServiceOrAnUnknownRegion) {
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(),
                    tampered(replace_in_header("Authorization", "/kms/request", "/iam/request"))),
               ErrorCode::MissingRequestInfo, {"service"}));
  client::CallOptions mars;
  mars.region = "mars-north-1";
  EXPECT_TRUE(provoked(call("DescribeRegions", json::object(), mars), ErrorCode::MissingRequestInfo,
                       {"region"}));
  EXPECT_TRUE(provoked(call("DescribeRegions", json::object(), tampered(erase_header("X-Date"))),
                       ErrorCode::MissingRequestInfo, {"X-Date"}));
  // The legacy alias of §5 is a known region.
  client::CallOptions legacy;
  legacy.region = "cn-north-1";
  EXPECT_TRUE(call("DescribeRegions", json::object(), legacy).ok());
}

TEST_F(ErrorCatalogHttpTest, InvalidTimestampOutsideTheSkewWindowBothWays) {
  using std::chrono::minutes;
  for (auto offset : {minutes(16), -minutes(16), minutes(60 * 24), -minutes(60 * 24)}) {
    client::CallOptions options;
    options.x_date = volcengine::format_x_date(clock_->now() + offset);
    EXPECT_TRUE(
        provoked(call("DescribeRegions", json::object(), options), ErrorCode::InvalidTimestamp))
        << offset.count() << " min";
  }
  // Inside the window (±15 min by default) the same request is fine.
  for (auto offset : {minutes(14), -minutes(14)}) {
    client::CallOptions options;
    options.x_date = volcengine::format_x_date(clock_->now() + offset);
    EXPECT_TRUE(call("DescribeRegions", json::object(), options).ok()) << offset.count() << " min";
  }
}

TEST_F(ErrorCatalogHttpTest, InvalidAccessKey) {
  auto stranger = make_client("AKLTnobodyknowsme0001", kSecretKey);
  EXPECT_TRUE(provoked(call_as(*stranger, "DescribeRegions"), ErrorCode::InvalidAccessKey,
                       {"AKLTnobodyknowsme0001"}));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithAWrongSecret) {
  auto wrong = make_client(kAccessKey, "bm90LXRoZS1yaWdodC1zZWNyZXQ=");
  EXPECT_TRUE(provoked(call_as(*wrong, "DescribeRegions"), ErrorCode::SignatureDoesNotMatch));
  // Refused before IAM: a restricted credential with a wrong secret is not "AccessDenied".
  auto restricted_wrong = make_client(kRestrictedAk, kSecretKey);
  EXPECT_TRUE(provoked(call_as(*restricted_wrong, "ReplicateKey",
                               {{"KeyID", kUnknownKeyId}, {"ReplicaRegion", "cn-shanghai"}}),
                       ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithATamperedBody) {
  std::string id = create_key("ring", "key");
  // The stated X-Content-Sha256 is left as signed; the server hashes what it received.
  auto body = [](HttpRequest& r) { r.body.replace(r.body.find("aGk="), 4, "aG8="); };
  EXPECT_TRUE(provoked(call("Encrypt", {{"KeyID", id}, {"Plaintext", "aGk="}}, tampered(body)),
                       ErrorCode::SignatureDoesNotMatch));
  // Dropping the stated hash does not help: the body is covered by the signature.
  auto body_and_hash = [&](HttpRequest& r) {
    body(r);
    r.headers.erase("X-Content-Sha256");
  };
  EXPECT_TRUE(
      provoked(call("Encrypt", {{"KeyID", id}, {"Plaintext", "aGk="}}, tampered(body_and_hash)),
               ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithATamperedQuery) {
  auto extra = [](HttpRequest& r) { r.raw_query += "&CurrentPage=2"; };
  EXPECT_TRUE(provoked(call("DescribeKeyrings", json::object(), tampered(extra)),
                       ErrorCode::SignatureDoesNotMatch));
  client::CallOptions get = tampered([](HttpRequest& r) {
    auto at = r.raw_query.find("KeyringName=ring");
    ASSERT_NE(at, std::string::npos);
    r.raw_query.replace(at, 16, "KeyringName=rong");
  });
  get.placement = client::Placement::Query;
  EXPECT_TRUE(provoked(call("CreateKeyring", {{"KeyringName", "ring"}}, get),
                       ErrorCode::SignatureDoesNotMatch));
  // Action changed after signing (vector S6's tampering, on a fresh request).
  auto action = [](HttpRequest& r) { r.raw_query = "Action=DescribeKeys&Version=2021-02-18"; };
  EXPECT_TRUE(provoked(call("DescribeKeyrings", json::object(), tampered(action)),
                       ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithAChangedSignedHeader) {
  // Go style signs content-type and host.
  client::CallOptions go = tampered(set_header("Content-Type", "application/json"));
  go.style = volcengine::SignerStyle::Go;
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(), go), ErrorCode::SignatureDoesNotMatch));
  client::CallOptions host = tampered(set_header("Host", "kms.cn-beijing.volcengineapi.com"));
  host.style = volcengine::SignerStyle::Go;
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(), host), ErrorCode::SignatureDoesNotMatch));
  // A signed header that is missing altogether.
  client::CallOptions gone = tampered(erase_header("Content-Type"));
  gone.style = volcengine::SignerStyle::Go;
  EXPECT_TRUE(
      provoked(call("DescribeRegions", json::object(), gone), ErrorCode::SignatureDoesNotMatch));
  // X-Date moved by one second (vector S7's tampering).
  auto later = [this](HttpRequest& r) {
    r.headers["X-Date"] = volcengine::format_x_date(clock_->now() + std::chrono::seconds(1));
  };
  EXPECT_TRUE(provoked(call("DescribeRegions", json::object(), tampered(later)),
                       ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWhenXDateIsNotSigned) {
  volcengine::SignOptions sign;
  sign.signed_headers_override = std::vector<std::string>{"x-content-sha256"};
  EXPECT_TRUE(provoked(send_signed(wire::post_request(endpoint(), "DescribeRegions", "{}"), sign),
                       ErrorCode::SignatureDoesNotMatch));
  // The same request signing x-date as well is accepted.
  sign.signed_headers_override = std::vector<std::string>{"x-content-sha256", "x-date"};
  auto accepted = send_signed(wire::post_request(endpoint(), "DescribeRegions", "{}"), sign);
  EXPECT_EQ(accepted.status, 200) << accepted.message;
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWhenTheScopeDateIsNotXDatesDay) {
  using namespace std::chrono;
  // 23:59:50 UTC; X-Date then says 00:00:05 of the next day, inside the skew window.
  auto day = floor<days>(clock_->now());
  clock_->set(day + hours(23) + minutes(59) + seconds(50));
  auto next_day = [&](HttpRequest& r) {
    r.headers["X-Date"] = volcengine::format_x_date(day + days(1) + seconds(5));
  };
  EXPECT_TRUE(provoked(call("DescribeRegions", json::object(), tampered(next_day)),
                       ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, InvalidSecretTokenForAnStsCredential) {
  auto wrong_token = make_client(kStsAk, kStsSk, "STS2bm90LXRoZS10b2tlbg==");
  EXPECT_TRUE(provoked(call_as(*wrong_token, "DescribeRegions"), ErrorCode::InvalidSecretToken,
                       {"token does not match the access key"}));
  auto no_token = make_client(kStsAk, kStsSk);
  EXPECT_TRUE(provoked(call_as(*no_token, "DescribeRegions"), ErrorCode::InvalidSecretToken,
                       {"token does not match the access key"}));
  auto right = make_client(kStsAk, kStsSk, kStsToken);
  auto accepted = call_as(*right, "DescribeRegions");
  EXPECT_TRUE(accepted.ok()) << accepted.parsed.message;
  // The token is signed: changing it after signing is a signature mismatch, not a token error.
  auto changed = call_as(*right, "DescribeRegions", json::object(),
                         tampered(set_header("X-Security-Token", "STS2Y2hhbmdlZA==")));
  EXPECT_TRUE(provoked(changed, ErrorCode::SignatureDoesNotMatch));
}

// ---------------------------------------------------------------------------------------------
// UndefinedError through the test-only fault hook (ReferenceServerOptions::fault_injection).

client::CallOptions with_fault(const std::string& name) {
  client::CallOptions options;
  options.extra_headers[std::string(server::kFaultHeader)] = name;
  return options;
}

class FaultInjectionTest : public ErrorCatalogHttpTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    ErrorCatalogHttpTest::configure(options);
    options.fault_injection = true;
  }
};

TEST_F(FaultInjectionTest, UndefinedErrorForTheSeedsReplicateKeyAndAnyOtherAction) {
  std::string id = create_mrk("mrk-fault");
  const std::string fault(server::kFaultUndefinedError);
  EXPECT_TRUE(provoked(
      call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}, with_fault(fault)),
      ErrorCode::UndefinedError));
  EXPECT_TRUE(provoked(call("DescribeKeyrings", json::object(), with_fault(fault)),
                       ErrorCode::UndefinedError));
  // The failed call did nothing: no replica was made, and without the header it goes through.
  EXPECT_EQ(
      ok("DescribeKey", {{"KeyID", id}})["Key"]["MultiRegionConfiguration"]["ReplicaKeys"].size(),
      0u);
  EXPECT_TRUE(call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}}).ok());
}

TEST_F(FaultInjectionTest, OnlyAfterAuthenticationAndAdmission) {
  const std::string fault(server::kFaultUndefinedError);
  auto wrong_secret = make_client(kAccessKey, "d3Jvbmctc2VjcmV0");
  EXPECT_TRUE(
      provoked(call_as(*wrong_secret, "DescribeKeyrings", json::object(), with_fault(fault)),
               ErrorCode::SignatureDoesNotMatch));
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  EXPECT_TRUE(provoked(call_as(*restricted, "DescribeKeyrings", json::object(), with_fault(fault)),
                       ErrorCode::AccessDenied));
  auto closed = make_client(kClosedAk, kClosedSk);
  EXPECT_TRUE(provoked(call_as(*closed, "DescribeKeyrings", json::object(), with_fault(fault)),
                       ErrorCode::KmsServiceNotOpen));
}

TEST_F(FaultInjectionTest, AnUnknownFaultIsInvalidParameterNamingTheHeader) {
  for (const char* name : {"NoSuchFault", "undefinederror", "InternalFailure"}) {
    EXPECT_TRUE(provoked(call("DescribeKeyrings", json::object(), with_fault(name)),
                         ErrorCode::InvalidParameter, {std::string(server::kFaultHeader)}))
        << "'" << name << "'";
  }
}

TEST_F(ErrorCatalogHttpTest, TheFaultHeaderIsIgnoredWhenTheHookIsOff) {
  for (const std::string& name : {std::string(server::kFaultUndefinedError), std::string("x")}) {
    auto r = call("CreateKeyring", {{"KeyringName", "ring-" + name}}, with_fault(name));
    EXPECT_TRUE(r.ok()) << name << " -> " << r.parsed.status << " " << r.parsed.message;
  }
  EXPECT_EQ(ok("DescribeKeyrings")["Keyrings"].size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// Bad input never yields a 500 or a dead server.

class BadInputTest : public VolcengineServerTest {
 protected:
  client::Endpoint endpoint() const { return *client::Endpoint::parse(server_->endpoint()); }

  // Signs and sends a body as given (not necessarily JSON).
  volcengine::ParsedResponse send_body(const std::string& action, std::string body,
                                       std::string content_type = "application/json; charset=utf-8",
                                       const QueryPairs& extra_query = {}) {
    HttpRequest request = wire::post_request(endpoint(), action, std::move(body),
                                             std::move(content_type), extra_query);
    volcengine::SignOptions sign;
    sign.region = kRegion;
    sign.x_date = volcengine::format_x_date(clock_->now());
    volcengine::sign_request(request, {kAccessKey, kSecretKey, ""}, sign);
    return wire::envelope_of(client_->http().send(request));
  }

  void expect_still_serving() {
    auto r = call("DescribeKeyrings");
    EXPECT_TRUE(r.ok()) << r.parsed.status << " " << r.parsed.message;
  }
};

TEST_F(BadInputTest, MalformedJsonBody) {
  for (const char* body :
       {"{\"KeyID\":", "{KeyID: 1}", "{\"a\":1}}", "\x01\x02", "{\"a\":\"\\x\"}"}) {
    EXPECT_TRUE(
        wire::is_error(send_body("DescribeKey", body), ErrorCode::InvalidParameter, {"Body"}))
        << body;
  }
}

TEST_F(BadInputTest, JsonBodyThatIsNotAnObject) {
  for (const char* body : {"[]", "[{\"KeyID\":\"x\"}]", "42", "\"KeyID\"", "null", "true"}) {
    EXPECT_TRUE(
        wire::is_error(send_body("DescribeKey", body), ErrorCode::InvalidParameter, {"Body"}))
        << body;
  }
}

TEST_F(BadInputTest, DeeplyNestedJsonBody) {
  // Within max_body_bytes (1 MiB by default) but nested far deeper than any request needs.
  constexpr size_t kDepth = 200000;
  for (const std::string& inner : {std::string(kDepth, '['), std::string(kDepth, '{')}) {
    std::string body = "{\"Tags\":" + inner;
    auto r = send_body("CreateKeyring", body);
    EXPECT_TRUE(wire::is_error(r, ErrorCode::InvalidParameter, {"Body"})) << r.message;
  }
  std::string closed = "{\"Tags\":" + std::string(kDepth, '[') + std::string(kDepth, ']') + "}";
  EXPECT_TRUE(
      wire::is_error(send_body("CreateKeyring", closed), ErrorCode::InvalidParameter, {"Body"}));
  // The same depth inside a string parameter (JSON-in-string, §1.1) of a form body.
  // (Half the depth: percent-encoding triples each bracket and the form must fit the limit.)
  std::string nested = std::string(kDepth / 2, '[') + std::string(kDepth / 2, ']');
  auto in_form = send_body(
      "TagResources",
      build_query({{"ResourceType", "keys"}, {"ResourceIds", "[\"x\"]"}, {"Tags", nested}}),
      "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_TRUE(wire::is_error(in_form, ErrorCode::InvalidParameter, {"Tags"})) << in_form.message;
  expect_still_serving();
}

TEST_F(BadInputTest, WrongJsonTypes) {
  struct Case {
    const char* action;
    json params;
    const char* parameter;
  };
  std::string id = create_key("ring", "key");
  const Case cases[] = {
      {"CreateKeyring", {{"KeyringName", 123}}, "KeyringName"},
      {"CreateKeyring", {{"KeyringName", json::array({"ring2"})}}, "KeyringName"},
      {"CreateKeyring", {{"KeyringName", "ring2"}, {"Description", json::object()}}, "Description"},
      {"GenerateDataKey", {{"KeyID", id}, {"NumberOfBytes", "thirty-two"}}, "NumberOfBytes"},
      {"GenerateDataKey", {{"KeyID", id}, {"NumberOfBytes", 32.5}}, "NumberOfBytes"},
      {"GenerateDataKey", {{"KeyID", id}, {"NumberOfBytes", true}}, "NumberOfBytes"},
      {"ScheduleKeyDeletion",
       {{"KeyID", id}, {"PendingWindowInDays", "7d"}},
       "PendingWindowInDays"},
      {"CreateKey",
       {{"KeyringName", "ring"}, {"KeyName", "k2"}, {"MultiRegion", "yes"}},
       "MultiRegion"},
      {"Encrypt", {{"KeyID", id}, {"Plaintext", 12345}}, "Plaintext"},
      {"Encrypt",
       {{"KeyID", id}, {"Plaintext", "aGk="}, {"EncryptionContext", 5}},
       "EncryptionContext"},
      {"Encrypt",
       {{"KeyID", id}, {"Plaintext", "aGk="}, {"EncryptionContext", {{"user", 1}}}},
       "EncryptionContext"},
      {"Encrypt",
       {{"KeyID", id}, {"Plaintext", "aGk="}, {"EncryptionContext", "{not json"}},
       "EncryptionContext"},
      {"DescribeKey", {{"KeyID", 7}}, "KeyID"},
      {"TagResources",
       {{"ResourceType", "keys"}, {"ResourceIds", json::array({id})}, {"Tags", "not a list"}},
       "Tags"},
      {"TagResources",
       {{"ResourceType", "keys"},
        {"ResourceIds", json::array({id})},
        {"Tags", json::parse(R"([{"Key": 1}])")}},
       "Tags"},
      {"DescribeKeys", {{"Filters", json::array()}}, "Filters"},
      {"DescribeKeys", {{"CurrentPage", "0"}}, "CurrentPage"},
  };
  for (const auto& c : cases) {
    auto r = call(c.action, c.params);
    EXPECT_TRUE(wire::is_error(r, ErrorCode::InvalidParameter, {c.parameter}))
        << c.action << " " << c.params.dump();
  }
}

TEST_F(BadInputTest, OversizeDescription) {
  EXPECT_TRUE(wire::is_error(
      call("CreateKeyring", {{"KeyringName", "ring"}, {"Description", std::string(8193, 'd')}}),
      ErrorCode::InvalidParameter, {"Description"}));
  EXPECT_TRUE(
      call("CreateKeyring", {{"KeyringName", "ring"}, {"Description", std::string(8192, 'd')}})
          .ok());
  std::string id = create_key("ring", "key");
  EXPECT_TRUE(
      wire::is_error(call("UpdateKey", {{"KeyID", id}, {"Description", std::string(9000, 'd')}}),
                     ErrorCode::InvalidParameter, {"Description"}));
}

TEST_F(BadInputTest, BadBase64) {
  std::string id = create_key("ring", "key");
  for (const char* text : {"not base64!", "aGVsbG8", "aGVsbG8==", "aGV sbG8=", "====", "aGk=\n"}) {
    EXPECT_TRUE(wire::is_error(call("Encrypt", {{"KeyID", id}, {"Plaintext", text}}),
                               ErrorCode::InvalidParameter, {"Plaintext"}))
        << text;
  }
  EXPECT_TRUE(wire::is_error(call("Decrypt", {{"CiphertextBlob", "%%%%%%%%%%%%%%%%%%%%%%%%"}}),
                             ErrorCode::InvalidParameter, {"CiphertextBlob"}));
  // Well-formed base64 that is not one of our blobs: refused (too short, or naming no key).
  for (size_t size : {10, 40}) {
    auto r = call("Decrypt", {{"CiphertextBlob", base64_encode(std::string(size, 'z'))}});
    EXPECT_TRUE(r.parsed.status == 400 || r.parsed.status == 404) << r.parsed.status;
  }
}

TEST_F(BadInputTest, BadCharsetNames) {
  for (const std::string& name :
       {std::string("bad ring"), std::string("ring!"), std::string("环名称abc"), std::string("a"),
        std::string("r/ing"), std::string(32, 'r')}) {
    EXPECT_TRUE(wire::is_error(call("CreateKeyring", {{"KeyringName", name}}),
                               ErrorCode::InvalidParameter, {"KeyringName"}))
        << name;
  }
  create_keyring("ring");
  for (const char* name : {"key name", "key.name", "x"}) {
    EXPECT_TRUE(wire::is_error(call("CreateKey", {{"KeyringName", "ring"}, {"KeyName", name}}),
                               ErrorCode::InvalidParameter, {"KeyName"}))
        << name;
  }
}

TEST_F(BadInputTest, UnknownEnumValues) {
  create_keyring("ring");
  std::string rsa =
      create_key("ring", "signer", {{"KeySpec", "EC_P256"}, {"KeyUsage", "SIGN_VERIFY"}});
  struct Case {
    const char* action;
    json params;
    const char* parameter;
  };
  const json base{{"KeyringName", "ring"}, {"KeyName", "enum-key"}};
  auto with = [&](json extra) {
    json p = base;
    p.update(extra);
    return p;
  };
  const Case cases[] = {
      {"CreateKey", with({{"KeySpec", "AES_999"}}), "KeySpec"},
      {"CreateKey", with({{"KeySpec", "symmetric_256"}}), "KeySpec"},
      {"CreateKey", with({{"KeyUsage", "SIGN"}}), "KeyUsage"},
      {"CreateKey", with({{"Origin", "Elsewhere"}}), "Origin"},
      {"CreateKey", with({{"ProtectionLevel", "TPM"}}), "ProtectionLevel"},
      {"CreateKey", with({{"RotateState", "Enabled"}}), "RotateState"},
      {"CreateKeyring", {{"KeyringName", "ring2"}, {"KeyringType", "MagicKeyring"}}, "KeyringType"},
      {"AsymmetricSign",
       {{"KeyID", rsa}, {"Algorithm", "MD5"}, {"Message", base64_encode("m")}},
       "Algorithm"},
      {"AsymmetricSign",
       {{"KeyID", rsa},
        {"Algorithm", "ECDSA_SHA_256"},
        {"MessageType", "HASH"},
        {"Message", "bQ=="}},
       "MessageType"},
      {"GenerateMac",
       {{"KeyID", rsa}, {"MacAlgorithm", "HMAC_MD5"}, {"Message", "bQ=="}},
       "MacAlgorithm"},
      {"ListTagsForResources",
       {{"ResourceType", "keyrings"}, {"ResourceIds", json::array({rsa})}},
       "ResourceType"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(
        wire::is_error(call(c.action, c.params), ErrorCode::InvalidParameter, {c.parameter}))
        << c.action << " " << c.params.dump();
  }
}

TEST_F(BadInputTest, MalformedQueryEscape) {
  HttpRequest request = wire::post_request(endpoint(), "DescribeRegions", "{}");
  volcengine::SignOptions sign;
  sign.region = kRegion;
  sign.x_date = volcengine::format_x_date(clock_->now());
  volcengine::sign_request(request, {kAccessKey, kSecretKey, ""}, sign);
  request.raw_query += "&Broken=%zz";  // added after signing: the signer refuses bad escapes
  EXPECT_TRUE(wire::is_error(wire::envelope_of(client_->http().send(request)),
                             ErrorCode::InvalidParameter, {"QueryString"}));
}

TEST_F(BadInputTest, InvalidUtf8IsNotAnInternalError) {
  create_keyring("ring");
  auto raw =
      send_body("UpdateKeyring", "", "",
                {{"KeyringName", "ring"}, {"Description", std::string("caf\xC3\x28 \xFF", 7)}});
  EXPECT_NE(raw.status, 500) << raw.message;
  auto described = send_body("DescribeKeyrings", "{}");
  EXPECT_EQ(described.status, 200) << described.message;
}

class SmallBodyLimitTest : public BadInputTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.max_body_bytes = 2048;
  }
};

TEST_F(SmallBodyLimitTest, BodyOverTheLimitIsTheDialectsInvalidParameter) {
  json params{{"KeyringName", "ring"}, {"Description", std::string(4000, 'd')}};
  auto r = call("CreateKeyring", params);
  EXPECT_EQ(r.response.status, 400);
  EXPECT_EQ(r.parsed.error_code, "InvalidParameter");
  EXPECT_EQ(r.parsed.code_n, std::nullopt);
  // The parameter slot holds the front's reason (whose wording is the HTTP layer's).
  std::string marker = "\x1f";
  std::string shape = volcengine::format_message(ErrorCode::InvalidParameter, {marker});
  std::string prefix = shape.substr(0, shape.find(marker));
  std::string suffix = shape.substr(shape.find(marker) + 1);
  EXPECT_TRUE(r.parsed.message.starts_with(prefix)) << r.parsed.message;
  EXPECT_TRUE(r.parsed.message.ends_with(suffix)) << r.parsed.message;
  EXPECT_NE(r.parsed.message.find("2048"), std::string::npos) << r.parsed.message;
  // Nothing was created, and the server still serves (on a fresh connection).
  client_->http().close();
  auto rings = call("DescribeKeyrings");
  ASSERT_TRUE(rings.ok());
  EXPECT_EQ(rings.result()["Keyrings"].size(), 0u);
}

TEST_F(BadInputTest, GarbageBytesOnTheSocket) {
  const std::string garbage[] = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n",
      std::string("\0\0\0\0\r\n\r\n", 8),
      "GET\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
      "GET / HTTP/7.7\r\n\r\n",
      "GET /?Action=DescribeRegions HTTP/1.1\r\nBad Header Line\r\n\r\n",
      std::string(3000, '\xff') + "\r\n\r\n",
  };
  for (const std::string& bytes : garbage) {
    std::string reply;
    try {
      reply = client::raw_exchange(endpoint(), bytes, std::chrono::milliseconds(3000));
    } catch (const client::TransportError& e) {
      ADD_FAILURE() << "no answer and no close: " << e.what();
      continue;
    }
    if (!reply.empty()) {
      EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply.substr(0, 200);
      EXPECT_EQ(reply.find("HTTP/1.1 500"), std::string::npos);
    }
    expect_still_serving();
  }
}

}  // namespace
}  // namespace kmsconf::testing
