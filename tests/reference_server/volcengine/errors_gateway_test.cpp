// The gateway errors of the Volcengine catalog (spec §2.6) provoked over HTTP in the verification
// order of §2.4, and checked field by field against the catalog. Each test starts from the code's
// provocation (errors_provocations.cpp) and adds the other ways of provoking it.
#include <chrono>
#include <string>
#include <vector>

#include "tests/reference_server/volcengine/errors_fixture.hpp"

namespace kmsconf::testing::volc_errors {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Gateway codes (§2.6), in the order of §2.4.

TEST_F(ErrorCatalogHttpTest, MissingParameterWithoutActionOrVersion) {
  EXPECT_TRUE(provokes(ErrorCode::MissingParameter));  // the query holds only Version
  auto query = [](std::string q) { return [q](HttpRequest& r) { r.raw_query = q; }; };
  EXPECT_TRUE(wire::is_error(
      call("DescribeRegions", json::object(), tampered(query("Action=&Version=2021-02-18"))),
      ErrorCode::MissingParameter, {"Action"}));
  EXPECT_TRUE(wire::is_error(
      call("DescribeRegions", json::object(), tampered(query("Action=DescribeRegions"))),
      ErrorCode::MissingParameter, {"Version"}));
  // Action and Version live in the query even for POST; a body copy does not count.
  EXPECT_TRUE(wire::is_error(call("DescribeRegions", {{"Action", "DescribeRegions"}},
                                  tampered(query("Version=2021-02-18"))),
                             ErrorCode::MissingParameter, {"Action"}));
}

TEST_F(ErrorCatalogHttpTest, InvalidActionOrVersion) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidActionOrVersion));  // NoSuchAction
  // A Secrets Manager action of the same Version is not served by this KMS.
  EXPECT_TRUE(wire::is_error(call("CreateSecret", {{"SecretName", "s1"}}),
                             ErrorCode::InvalidActionOrVersion, {"CreateSecret", wire::kVersion}));
  auto version = [](HttpRequest& r) { r.raw_query = "Action=Encrypt&Version=2020-01-01"; };
  EXPECT_TRUE(wire::is_error(call("Encrypt", json::object(), tampered(version)),
                             ErrorCode::InvalidActionOrVersion, {"Encrypt", "2020-01-01"}));
  // Checked before authentication: no signature needed to learn the action is unknown.
  EXPECT_TRUE(
      wire::is_error(call("NoSuchAction", json::object(), tampered(erase_header("Authorization"))),
                     ErrorCode::InvalidActionOrVersion, {"NoSuchAction", wire::kVersion}));
}

TEST_F(ErrorCatalogHttpTest, MissingAuthenticationToken) {
  EXPECT_TRUE(provokes(ErrorCode::MissingAuthenticationToken));  // no Authorization header
  EXPECT_TRUE(wire::is_error(
      call("DescribeRegions", json::object(), tampered(set_header("Authorization", ""))),
      ErrorCode::MissingAuthenticationToken));
}

TEST_F(ErrorCatalogHttpTest, InvalidAuthorization) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidAuthorization));  // Bearer
  for (const char* value :
       {"HMAC-SHA1 Credential=a/20240101/cn-beijing/kms/request", "HMAC-SHA256 garbage",
        "HMAC-SHA256 Credential=AKLT/20241219/cn-beijing/kms/request, Signature=ab",
        "HMAC-SHA256 Credential=AKLT/20241219/cn-beijing/kms/request, "
        "SignedHeaders=x-date, Signature=ab, Extra=1"}) {
    EXPECT_TRUE(wire::is_error(
        call("DescribeRegions", json::object(), tampered(set_header("Authorization", value))),
        ErrorCode::InvalidAuthorization))
        << value;
  }
}

TEST_F(ErrorCatalogHttpTest, InvalidCredential) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidCredential));  // a 7-digit scope date
  for (const char* credential :
       {"AKLT/20241219/cn-beijing/kms", "AKLT/20241219/cn-beijing/kms/response",
        "/20241219/cn-beijing/kms/request"}) {
    std::string value = std::string("HMAC-SHA256 Credential=") + credential +
                        ", SignedHeaders=x-date, Signature=abcdef";
    EXPECT_TRUE(wire::is_error(
        call("DescribeRegions", json::object(), tampered(set_header("Authorization", value))),
        ErrorCode::InvalidCredential))
        << value;
  }
  EXPECT_TRUE(wire::is_error(
      call("DescribeRegions", json::object(),
           tampered(set_header("Authorization", "HMAC-SHA256 SignedHeaders=x-date, Signature=ab"))),
      ErrorCode::InvalidCredential));
}

TEST_F(ErrorCatalogHttpTest, MissingSignature) {
  EXPECT_TRUE(provokes(ErrorCode::MissingSignature));  // no ", Signature=" part
  auto empty_signature = [](HttpRequest& r) {
    std::string& value = r.headers["Authorization"];
    value.erase(value.find("Signature=") + 10);
  };
  EXPECT_TRUE(wire::is_error(call("DescribeRegions", json::object(), tampered(empty_signature)),
                             ErrorCode::MissingSignature));
}

TEST_F(ErrorCatalogHttpTest, MissingRequestInfoForAForeignServiceOrAnUnknownRegion) {
  EXPECT_TRUE(wire::is_error(
      call("DescribeRegions", json::object(),
           tampered(replace_in_header("Authorization", "/kms/request", "/iam/request"))),
      ErrorCode::MissingRequestInfo, {"service"}));
  EXPECT_TRUE(provokes(ErrorCode::MissingRequestInfo));  // region mars-north-1
  EXPECT_TRUE(
      wire::is_error(call("DescribeRegions", json::object(), tampered(erase_header("X-Date"))),
                     ErrorCode::MissingRequestInfo, {"X-Date"}));
  // The legacy alias of §5 is a known region.
  client::CallOptions legacy;
  legacy.region = "cn-north-1";
  EXPECT_TRUE(call("DescribeRegions", json::object(), legacy).ok());
}

TEST_F(ErrorCatalogHttpTest, InvalidTimestampOutsideTheSkewWindowBothWays) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidTimestamp));  // 16 min ahead
  using std::chrono::minutes;
  for (auto offset : {-minutes(16), minutes(60 * 24), -minutes(60 * 24)}) {
    client::CallOptions options;
    options.x_date = volcengine::format_x_date(clock_->now() + offset);
    EXPECT_TRUE(wire::is_error(call("DescribeRegions", json::object(), options),
                               ErrorCode::InvalidTimestamp))
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
  EXPECT_TRUE(provokes(ErrorCode::InvalidAccessKey));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithAWrongSecret) {
  EXPECT_TRUE(provokes(ErrorCode::SignatureDoesNotMatch));
  // Refused before IAM: a restricted credential with a wrong secret is not "AccessDenied".
  auto restricted_wrong = make_client(kRestrictedAk, kSecretKey);
  EXPECT_TRUE(wire::is_error(call_as(*restricted_wrong, "ReplicateKey",
                                     {{"KeyID", kUnknownKeyId}, {"ReplicaRegion", "cn-shanghai"}}),
                             ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithATamperedBody) {
  std::string id = create_key("ring", "key");
  // The stated X-Content-Sha256 is left as signed; the server hashes what it received.
  auto body = [](HttpRequest& r) { r.body.replace(r.body.find("aGk="), 4, "aG8="); };
  EXPECT_TRUE(
      wire::is_error(call("Encrypt", {{"KeyID", id}, {"Plaintext", "aGk="}}, tampered(body)),
                     ErrorCode::SignatureDoesNotMatch));
  // Dropping the stated hash does not help: the body is covered by the signature.
  auto body_and_hash = [&](HttpRequest& r) {
    body(r);
    r.headers.erase("X-Content-Sha256");
  };
  EXPECT_TRUE(wire::is_error(
      call("Encrypt", {{"KeyID", id}, {"Plaintext", "aGk="}}, tampered(body_and_hash)),
      ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithATamperedQuery) {
  auto extra = [](HttpRequest& r) { r.raw_query += "&CurrentPage=2"; };
  EXPECT_TRUE(wire::is_error(call("DescribeKeyrings", json::object(), tampered(extra)),
                             ErrorCode::SignatureDoesNotMatch));
  client::CallOptions get = tampered([](HttpRequest& r) {
    auto at = r.raw_query.find("KeyringName=ring");
    ASSERT_NE(at, std::string::npos);
    r.raw_query.replace(at, 16, "KeyringName=rong");
  });
  get.placement = client::Placement::Query;
  EXPECT_TRUE(wire::is_error(call("CreateKeyring", {{"KeyringName", "ring"}}, get),
                             ErrorCode::SignatureDoesNotMatch));
  // Action changed after signing (vector S6's tampering, on a fresh request).
  auto action = [](HttpRequest& r) { r.raw_query = "Action=DescribeKeys&Version=2021-02-18"; };
  EXPECT_TRUE(wire::is_error(call("DescribeKeyrings", json::object(), tampered(action)),
                             ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWithAChangedSignedHeader) {
  // Go style signs content-type and host.
  client::CallOptions go = tampered(set_header("Content-Type", "application/json"));
  go.style = volcengine::SignerStyle::Go;
  EXPECT_TRUE(wire::is_error(call("DescribeRegions", json::object(), go),
                             ErrorCode::SignatureDoesNotMatch));
  client::CallOptions host = tampered(set_header("Host", "kms.cn-beijing.volcengineapi.com"));
  host.style = volcengine::SignerStyle::Go;
  EXPECT_TRUE(wire::is_error(call("DescribeRegions", json::object(), host),
                             ErrorCode::SignatureDoesNotMatch));
  // A signed header that is missing altogether.
  client::CallOptions gone = tampered(erase_header("Content-Type"));
  gone.style = volcengine::SignerStyle::Go;
  EXPECT_TRUE(wire::is_error(call("DescribeRegions", json::object(), gone),
                             ErrorCode::SignatureDoesNotMatch));
  // X-Date moved by one second (vector S7's tampering).
  auto later = [this](HttpRequest& r) {
    r.headers["X-Date"] = volcengine::format_x_date(clock_->now() + std::chrono::seconds(1));
  };
  EXPECT_TRUE(wire::is_error(call("DescribeRegions", json::object(), tampered(later)),
                             ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, SignatureDoesNotMatchWhenXDateIsNotSigned) {
  volcengine::SignOptions sign;
  sign.signed_headers_override = std::vector<std::string>{"x-content-sha256"};
  EXPECT_TRUE(
      wire::is_error(send_signed(wire::post_request(endpoint(), "DescribeRegions", "{}"), sign),
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
  EXPECT_TRUE(wire::is_error(call("DescribeRegions", json::object(), tampered(next_day)),
                             ErrorCode::SignatureDoesNotMatch));
}

TEST_F(ErrorCatalogHttpTest, InvalidSecretTokenForAnStsCredential) {
  EXPECT_TRUE(provokes(ErrorCode::InvalidSecretToken));  // another key's token
  auto no_token = make_client(kStsAk, kStsSk);
  EXPECT_TRUE(wire::is_error(call_as(*no_token, "DescribeRegions"), ErrorCode::InvalidSecretToken,
                             {"token does not match the access key"}));
  auto right = make_client(kStsAk, kStsSk, kStsToken);
  auto accepted = call_as(*right, "DescribeRegions");
  EXPECT_TRUE(accepted.ok()) << accepted.parsed.message;
  // The token is signed: changing it after signing is a signature mismatch, not a token error.
  auto changed = call_as(*right, "DescribeRegions", json::object(),
                         tampered(set_header("X-Security-Token", "STS2Y2hhbmdlZA==")));
  EXPECT_TRUE(wire::is_error(changed, ErrorCode::SignatureDoesNotMatch));
}

}  // namespace
}  // namespace kmsconf::testing::volc_errors
