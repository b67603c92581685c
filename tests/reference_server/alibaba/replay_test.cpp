// Replay protection of spec §2.6 over HTTP: the nonce (V1 SignatureNonce, V3
// x-acs-signature-nonce) of an authenticated request is remembered per AccessKeyId for the
// clock window (900 s) plus skew (§6.1), so the same signed request sent again answers 400
// SignatureNonceUsed; a request whose signature does not hold never burns a nonce; and after
// the window the nonce may be used again (re-signed with the new time).
#include <array>
#include <chrono>
#include <string>

#include "protocol/alibaba/signer.hpp"
#include "tests/reference_server/alibaba/error_support.hpp"
#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing {
namespace {

using alibaba::ErrorCode;
using client::AlibabaCallOptions;
using client::AlibabaSigning;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kOtherAk = "LTAIreplayotherkey001";
constexpr const char* kOtherSk = "replay-other-secret";
constexpr const char* kOtherAccount = "1540355698841111";

// The nonce memory: the ±900 s clock window plus the same again for skew (§6.1).
constexpr seconds kNonceWindow{1800};

constexpr std::array kAllSignings{AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea,
                                  AlibabaSigning::V3, AlibabaSigning::V3FormBody};

std::string nonce_for(AlibabaSigning signing, const std::string& tag) {
  static const char* names[] = {"pop", "tea", "v3", "v3form"};
  return "replay-" + tag + "-" + names[static_cast<int>(signing)];
}

class AlibabaReplayTest : public AlibabaServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.credentials.add({kOtherAk, kOtherSk, kOtherAccount, {"*"}, ""});
  }

  AlibabaCallOptions signed_at_now(AlibabaSigning signing, const std::string& nonce) {
    AlibabaCallOptions options;
    options.signing = signing;
    options.nonce = nonce;
    options.timestamp = iso8601_utc(clock_->now());
    return options;
  }

  // Sends an already signed request as it is.
  client::AlibabaCallResult resend(const HttpRequest& request) {
    client::AlibabaCallResult out;
    out.request = request;
    out.response = client_->http().send(request);
    out.parsed = ali::envelope_of(out.response);
    return out;
  }

  size_t key_count() { return ok("ListKeys", {{"PageSize", 100}}).value("TotalCount", 0u); }
};

TEST_F(AlibabaReplayTest, TheSameSignedRequestTwiceIsRefusedTheSecondTime) {
  for (auto signing : kAllSignings) {
    // CreateKey: a replay that got through would leave a second key behind.
    HttpRequest request =
        client_->build("CreateKey", {{"Description", "once"}}, signed_at_now(signing, ""));
    auto first = resend(request);
    ASSERT_TRUE(first.ok()) << first.parsed.message;
    const size_t keys = key_count();
    auto second = resend(request);
    EXPECT_TRUE(ali::is_error(second, ErrorCode::SignatureNonceUsed)) << static_cast<int>(signing);
    EXPECT_EQ(key_count(), keys) << "the replay created a key";
    // Still refused later in the window, and on a fresh connection.
    clock_->advance(seconds(600));
    client_->http().close();
    EXPECT_TRUE(ali::is_error(resend(request), ErrorCode::SignatureNonceUsed));
  }
}

TEST_F(AlibabaReplayTest, TheSignatureVectorsReplayCase) {
  // reject-v1-nonce-replay of alibaba-sign-vectors.json, on a V1 GET with the vector's nonce.
  AlibabaCallOptions options =
      signed_at_now(AlibabaSigning::V1PopCore, "c0ffee00-1234-4abc-8def-0123456789ab");
  options.method = "GET";
  HttpRequest request =
      client_->build("DescribeKey", {{"KeyId", "05754286-3ba2-4fa6-8d41-4323aca6f8a1"}}, options);
  auto first = resend(request);
  EXPECT_TRUE(ali::is_error(first, ErrorCode::ForbiddenKeyNotFound));
  // The business refusal does not spare the nonce: it authenticated, so it is spent.
  EXPECT_TRUE(ali::is_error(resend(request), ErrorCode::SignatureNonceUsed));
}

TEST_F(AlibabaReplayTest, ANonceIsSpentWhateverTheRequestAroundIt) {
  // A new request, new timestamp and all, re-signed with a spent nonce is still a replay; V1
  // and V3 share the memory of one AccessKeyId.
  ASSERT_TRUE(
      call("ListKeys", json::object(), signed_at_now(AlibabaSigning::V1PopCore, "n-1")).ok());
  clock_->advance(seconds(5));
  for (auto signing : kAllSignings) {
    EXPECT_TRUE(
        ali::is_error(call("DescribeRegions", json::object(), signed_at_now(signing, "n-1")),
                      ErrorCode::SignatureNonceUsed))
        << static_cast<int>(signing);
  }
}

TEST_F(AlibabaReplayTest, NoncesArePerAccessKeyId) {
  auto other = make_client(kOtherAk, kOtherSk);
  for (auto signing : kAllSignings) {
    const std::string nonce = nonce_for(signing, "per-ak");
    ASSERT_TRUE(call("ListKeys", json::object(), signed_at_now(signing, nonce)).ok());
    auto theirs = other->call("ListKeys", json::object(), signed_at_now(signing, nonce));
    EXPECT_TRUE(theirs.ok()) << theirs.parsed.message;
    EXPECT_TRUE(
        ali::is_error(other->call("ListKeys", json::object(), signed_at_now(signing, nonce)),
                      ErrorCode::SignatureNonceUsed));
  }
}

TEST_F(AlibabaReplayTest, AForgedRequestDoesNotBurnALegitimateNonce) {
  auto forger = make_client(kAliAccessKey, "a-guessed-secret");
  for (auto signing : kAllSignings) {
    const std::string nonce = nonce_for(signing, "forged");
    // The forger goes first with the nonce the client is about to use.
    EXPECT_TRUE(
        ali::is_error(forger->call("CreateKey", json::object(), signed_at_now(signing, nonce)),
                      ErrorCode::SignatureDoesNotMatch));
    // A legitimate request tampered with on the way (so its signature no longer holds) does not
    // burn it either.
    AlibabaCallOptions tampered = signed_at_now(signing, nonce);
    tampered.after_signing = [](HttpRequest& r) {
      r.raw_query += r.raw_query.empty() ? "Injected=1" : "&Injected=1";
    };
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), tampered),
                              ErrorCode::SignatureDoesNotMatch));
    // The legitimate client's request with that nonce goes through...
    auto legit = call("ListKeys", json::object(), signed_at_now(signing, nonce));
    EXPECT_TRUE(legit.ok()) << legit.parsed.error_code.value_or("") << " " << legit.parsed.message;
    // ...and afterwards the forger still meets the signature check, not the nonce check.
    EXPECT_TRUE(
        ali::is_error(forger->call("CreateKey", json::object(), signed_at_now(signing, nonce)),
                      ErrorCode::SignatureDoesNotMatch));
  }
}

TEST_F(AlibabaReplayTest, RequestsRefusedBeforeTheSignatureCheckDoNotBurnTheNonce) {
  for (auto signing : kAllSignings) {
    const std::string nonce = nonce_for(signing, "early");
    AlibabaCallOptions stale = signed_at_now(signing, nonce);
    stale.timestamp = iso8601_utc(clock_->now() - std::chrono::minutes(20));
    EXPECT_TRUE(
        ali::is_error(call("ListKeys", json::object(), stale), ErrorCode::InvalidTimeStampExpired));
    auto stranger = make_client("LTAIunknownreplayak01", kAliSecret);
    EXPECT_TRUE(
        ali::is_error(stranger->call("ListKeys", json::object(), signed_at_now(signing, nonce)),
                      ErrorCode::InvalidAccessKeyIdNotFound));
    EXPECT_TRUE(call("ListKeys", json::object(), signed_at_now(signing, nonce)).ok());
  }
}

TEST_F(AlibabaReplayTest, NoncesExpireAfterTheWindow) {
  for (auto signing : kAllSignings) {
    const std::string nonce = nonce_for(signing, "expiry");
    ASSERT_TRUE(call("ListKeys", json::object(), signed_at_now(signing, nonce)).ok());
    // One second before the memory ends, re-signed with the new time: still a replay.
    clock_->advance(kNonceWindow - seconds(1));
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), signed_at_now(signing, nonce)),
                              ErrorCode::SignatureNonceUsed))
        << static_cast<int>(signing);
    // After it, the same nonce with the new time is accepted (and remembered afresh).
    clock_->advance(seconds(2));
    auto again = call("ListKeys", json::object(), signed_at_now(signing, nonce));
    EXPECT_TRUE(again.ok()) << again.parsed.error_code.value_or("") << " " << again.parsed.message;
    EXPECT_TRUE(ali::is_error(call("ListKeys", json::object(), signed_at_now(signing, nonce)),
                              ErrorCode::SignatureNonceUsed));
  }
}

TEST_F(AlibabaReplayTest, AnOldSignedRequestIsStaleBeforeItsNonceIsForgotten) {
  // The window of the clock check is shorter than the nonce memory, so the original bytes can
  // never be replayed successfully: first the nonce refuses them, then the timestamp.
  HttpRequest request =
      client_->build("ListKeys", json::object(), signed_at_now(AlibabaSigning::V1PopCore, ""));
  ASSERT_TRUE(resend(request).ok());
  clock_->advance(seconds(899));
  EXPECT_TRUE(ali::is_error(resend(request), ErrorCode::SignatureNonceUsed));
  clock_->advance(kNonceWindow);
  EXPECT_TRUE(ali::is_error(resend(request), ErrorCode::InvalidTimeStampExpired));
}

class NonceOptionalTest : public AlibabaReplayTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    AlibabaReplayTest::configure(options);
    options.require_nonce = false;  // the "legacy" switch of §1.2 / §6.1
  }
};

TEST_F(NonceOptionalTest, AV1RequestWithoutANonceIsAcceptedAndNotReplayGuarded) {
  // Signed without a nonce (the KMS doc example's shape).
  HttpRequest request;
  request.method = "POST";
  request.headers["Host"] = client_->http().endpoint().host_header();
  alibaba::V1SignOptions sign;
  sign.action = "ListKeys";
  sign.timestamp = iso8601_utc(clock_->now());
  sign.send_nonce = false;
  alibaba::sign_v1(request, {kAliAccessKey, kAliSecret, ""}, sign);
  EXPECT_TRUE(resend(request).ok());
  EXPECT_TRUE(resend(request).ok());  // nothing to remember it by
  // A V1 request with a nonce is still guarded.
  HttpRequest guarded =
      client_->build("ListKeys", json::object(), signed_at_now(AlibabaSigning::V1PopCore, "g-1"));
  EXPECT_TRUE(resend(guarded).ok());
  EXPECT_TRUE(ali::is_error(resend(guarded), ErrorCode::SignatureNonceUsed));
}

TEST_F(AlibabaReplayTest, AV1RequestWithoutANonceIsRefusedByDefault) {
  HttpRequest request;
  request.method = "POST";
  request.headers["Host"] = client_->http().endpoint().host_header();
  alibaba::V1SignOptions sign;
  sign.action = "ListKeys";
  sign.timestamp = iso8601_utc(clock_->now());
  sign.send_nonce = false;
  alibaba::sign_v1(request, {kAliAccessKey, kAliSecret, ""}, sign);
  EXPECT_TRUE(ali::is_error(resend(request), ErrorCode::MissingParameter, {"SignatureNonce"}));
}

}  // namespace
}  // namespace kmsconf::testing
