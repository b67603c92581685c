// Per-account QPS quotas of spec §4.9 over HTTP: 429 Rejected.Throttling once a pool is empty.
// Encrypt, Decrypt, GenerateDataKey and GenerateDataKeyWithoutPlaintext share one pool (1000),
// the asymmetric operations another (200), ReEncrypt its own (750). Refused requests take no
// token and change nothing; the server's clock refills the buckets.
#include <chrono>
#include <string>
#include <vector>

#include "reference_server/alibaba/adapter.hpp"
#include "tests/reference_server/alibaba/error_support.hpp"
#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing {
namespace {

using alibaba::ErrorCode;
using client::AlibabaSigning;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kOtherAk = "LTAIthrottleother0001";
constexpr const char* kOtherSk = "throttle-other-secret";
constexpr const char* kOtherAccount = "1540355698842222";
constexpr const char* kRestrictedAk = "LTAIthrottlerestrict1";
constexpr const char* kRestrictedSk = "throttle-restricted-secret";
constexpr const char* kClosedAk = "LTAIthrottleclosed001";
constexpr const char* kClosedSk = "throttle-closed-secret";
constexpr const char* kClosedAccount = "1540355698843333";

const std::vector<std::string> kSymmetricPool{"Encrypt", "Decrypt", "GenerateDataKey",
                                              "GenerateDataKeyWithoutPlaintext"};
const std::vector<std::string> kAsymmetricPool{
    "AsymmetricEncrypt", "AsymmetricDecrypt", "AsymmetricSign", "AsymmetricVerify", "GetPublicKey"};

::testing::AssertionResult throttled(const client::AlibabaCallResult& r) {
  return ali::is_error(r, ErrorCode::RejectedThrottling);
}

TEST(AlibabaDefaultQuotasTest, ThePoolsOfSection49) {
  server::QuotaConfig quotas = server::alibaba::default_quotas();
  const std::string symmetric = quotas.pool_of("Encrypt");
  for (const auto& action : kSymmetricPool) {
    EXPECT_EQ(quotas.pool_of(action), symmetric) << action;
  }
  EXPECT_EQ(quotas.quota_of(symmetric).rate_per_second, 1000);
  EXPECT_EQ(quotas.quota_of(symmetric).burst, 1000);
  const std::string asymmetric = quotas.pool_of("AsymmetricSign");
  EXPECT_NE(asymmetric, symmetric);
  for (const auto& action : kAsymmetricPool) {
    EXPECT_EQ(quotas.pool_of(action), asymmetric) << action;
  }
  EXPECT_EQ(quotas.quota_of(asymmetric).rate_per_second, 200);
  const std::string reencrypt = quotas.pool_of("ReEncrypt");
  EXPECT_NE(reencrypt, symmetric);
  EXPECT_NE(reencrypt, asymmetric);
  EXPECT_EQ(quotas.quota_of(reencrypt).rate_per_second, 750);
  // Everything else has a bucket of its own.
  EXPECT_EQ(quotas.pool_of("DescribeKey"), "DescribeKey");
}

// ---------------------------------------------------------------------------------------------
// The default quotas, with the server's clock frozen so nothing refills mid-burst.

class AlibabaDefaultThrottlingTest : public AlibabaServerTest {};

TEST_F(AlibabaDefaultThrottlingTest, OneThousandSymmetricCallsAcrossThePoolThenRefusals) {
  std::string id = create_key();
  std::string ec = create_key({{"KeySpec", "EC_P256"}});
  std::string ec_version =
      ok("ListKeyVersions", {{"KeyId", ec}})["KeyVersions"]["KeyVersion"][0].value("KeyVersionId",
                                                                                   "");
  json sealed = ok("Encrypt", {{"KeyId", id}, {"Plaintext", base64_encode("burst")}});
  // 1 token spent above; 999 more, round-robin over Encrypt / Decrypt / GenerateDataKey.
  constexpr int kBurst = 1000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int admitted = 1;
  for (int i = 0; i < kBurst + 100 && std::chrono::steady_clock::now() < deadline; ++i) {
    client::AlibabaCallResult r;
    switch (i % 3) {
      case 0:
        r = call("Encrypt", {{"KeyId", id}, {"Plaintext", base64_encode("burst")}});
        break;
      case 1:
        r = call("Decrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}});
        break;
      default:
        r = call("GenerateDataKey", {{"KeyId", id}, {"NumberOfBytes", 16}});
        break;
    }
    if (!r.ok()) {
      ASSERT_TRUE(throttled(r)) << "call " << i << ": " << r.parsed.message;
      break;
    }
    ++admitted;
  }
  EXPECT_EQ(admitted, kBurst);
  for (const auto& action : kSymmetricPool) {
    json params = action == "Decrypt"   ? json{{"CiphertextBlob", sealed["CiphertextBlob"]}}
                  : action == "Encrypt" ? json{{"KeyId", id}, {"Plaintext", base64_encode("x")}}
                                        : json{{"KeyId", id}};
    EXPECT_TRUE(throttled(call(action, params))) << action;
  }
  // The asymmetric pool and ReEncrypt's are separate, and other actions are unaffected.
  EXPECT_TRUE(call("AsymmetricSign", {{"KeyId", ec},
                                      {"KeyVersionId", ec_version},
                                      {"Algorithm", "ECDSA_SHA_256"},
                                      {"Digest", base64_encode(std::string(32, 'd'))}})
                  .ok());
  EXPECT_TRUE(
      call("ReEncrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}, {"DestinationKeyId", id}})
          .ok());
  EXPECT_TRUE(call("DescribeKey", {{"KeyId", id}}).ok());
  // A millisecond of the server's time is one token at 1000/s.
  clock_->advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(call("Encrypt", {{"KeyId", id}, {"Plaintext", base64_encode("x")}}).ok());
  EXPECT_TRUE(throttled(call("Encrypt", {{"KeyId", id}, {"Plaintext", base64_encode("x")}})));
}

// ---------------------------------------------------------------------------------------------
// Small pools (one token per 1000 s of the server's clock) to see the edges.

constexpr auto kOneToken = seconds(1000);

class AlibabaThrottlingTest : public AlibabaServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.quotas.merge_json_text(R"({
      "pools": {
        "symmetric": {"rate": 0.001, "burst": 3,
                      "actions": ["Encrypt", "Decrypt", "GenerateDataKey",
                                  "GenerateDataKeyWithoutPlaintext"]},
        "asymmetric": {"rate": 0.001, "burst": 2,
                       "actions": ["AsymmetricEncrypt", "AsymmetricDecrypt", "AsymmetricSign",
                                   "AsymmetricVerify", "GetPublicKey"]}
      },
      "actions": {
        "CreateKey": {"rate": 0.001, "burst": 4},
        "CreateAlias": {"rate": 0.001, "burst": 1},
        "ScheduleKeyDeletion": {"rate": 0.001, "burst": 1},
        "UpdateKeyDescription": {"rate": 0.001, "burst": 1}
      }
    })",
                                   "throttling_test quotas");
    options.credentials.add({kOtherAk, kOtherSk, kOtherAccount, {"*"}, ""});
    options.credentials.add({kRestrictedAk, kRestrictedSk, kAliAccount, {"DescribeKey"}, ""});
    options.credentials.add({kClosedAk, kClosedSk, kClosedAccount, {"*"}, ""});
    options.credentials.set_account(kClosedAccount, server::AccountSettings{false});
  }

  void SetUp() override {
    AlibabaServerTest::SetUp();
    key_ = create_key();
    ec_ = create_key({{"KeySpec", "EC_P256"}});
    ec_version_ = ok("ListKeyVersions", {{"KeyId", ec_}})["KeyVersions"]["KeyVersion"][0].value(
        "KeyVersionId", "");
  }

  client::AlibabaCallResult encrypt(AlibabaSigning signing = AlibabaSigning::V3) {
    client::AlibabaCallOptions options;
    options.signing = signing;
    return call("Encrypt", {{"KeyId", key_}, {"Plaintext", base64_encode("throttled?")}}, options);
  }

  client::AlibabaCallResult sign() {
    return call("AsymmetricSign", {{"KeyId", ec_},
                                   {"KeyVersionId", ec_version_},
                                   {"Algorithm", "ECDSA_SHA_256"},
                                   {"Digest", base64_encode(std::string(32, 'd'))}});
  }

  size_t key_count() { return ok("ListKeys", {{"PageSize", 100}}).value("TotalCount", 0u); }

  std::string key_;
  std::string ec_;
  std::string ec_version_;
};

TEST_F(AlibabaThrottlingTest, EncryptDecryptAndGenerateDataKeyShareOneBucket) {
  auto first = encrypt();
  ASSERT_TRUE(first.ok()) << first.parsed.message;
  const std::string blob = first.body().value("CiphertextBlob", "");
  ASSERT_TRUE(call("Decrypt", {{"CiphertextBlob", blob}}).ok());
  ASSERT_TRUE(call("GenerateDataKey", {{"KeyId", key_}}).ok());
  // The third call emptied the pool for all four actions, whichever signing.
  for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea, AlibabaSigning::V3,
                       AlibabaSigning::V3FormBody}) {
    EXPECT_TRUE(throttled(encrypt(signing)));
  }
  EXPECT_TRUE(throttled(call("Decrypt", {{"CiphertextBlob", blob}})));
  EXPECT_TRUE(throttled(call("GenerateDataKey", {{"KeyId", key_}})));
  EXPECT_TRUE(throttled(call("GenerateDataKeyWithoutPlaintext", {{"KeyId", key_}})));
  // Other actions keep their own buckets.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(call("DescribeKey", {{"KeyId", key_}}).ok());
}

TEST_F(AlibabaThrottlingTest, TheAsymmetricPoolIsSeparate) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(encrypt().ok());
  ASSERT_TRUE(throttled(encrypt()));
  // A full asymmetric bucket (2), shared by sign and GetPublicKey.
  EXPECT_TRUE(sign().ok());
  EXPECT_TRUE(call("GetPublicKey", {{"KeyId", ec_}, {"KeyVersionId", ec_version_}}).ok());
  EXPECT_TRUE(throttled(sign()));
  EXPECT_TRUE(throttled(call("GetPublicKey", {{"KeyId", ec_}, {"KeyVersionId", ec_version_}})));
  // Refilling one pool's token does not touch the other's accounting.
  clock_->advance(kOneToken);
  EXPECT_TRUE(sign().ok());
  EXPECT_TRUE(throttled(sign()));
  EXPECT_TRUE(encrypt().ok());
  EXPECT_TRUE(throttled(encrypt()));
}

TEST_F(AlibabaThrottlingTest, TheClockRefillsUpToTheBurst) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(encrypt().ok());
  ASSERT_TRUE(throttled(encrypt()));
  clock_->advance(kOneToken / 2);
  EXPECT_TRUE(throttled(encrypt()));  // half a token is no token
  clock_->advance(kOneToken / 2);
  EXPECT_TRUE(encrypt().ok());
  EXPECT_TRUE(throttled(encrypt()));
  // A long pause refills to the burst (3), not beyond. (The timestamps follow the clock, so
  // the requests stay inside the ±15 min window.)
  clock_->advance(kOneToken * 100);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(encrypt().ok()) << i;
  EXPECT_TRUE(throttled(encrypt()));
}

TEST_F(AlibabaThrottlingTest, RefusedRequestsTakeNoToken) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(encrypt().ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(throttled(encrypt()));
  // Ten refusals later, one refill is exactly one call.
  clock_->advance(kOneToken);
  EXPECT_TRUE(encrypt().ok());
  EXPECT_TRUE(throttled(encrypt()));
}

TEST_F(AlibabaThrottlingTest, RequestsRefusedBeforeTheThrottleTakeNoToken) {
  auto wrong_secret = make_client(kAliAccessKey, "wrong-secret-value");
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  const json params{{"KeyId", key_}, {"Plaintext", base64_encode("x")}};
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(ali::is_error(wrong_secret->call("Encrypt", params, at_server_time()),
                              ErrorCode::SignatureDoesNotMatch));
    EXPECT_TRUE(ali::is_error(restricted->call("Encrypt", params, at_server_time()),
                              ErrorCode::ForbiddenNoPermission));
    client::AlibabaCallOptions stale;
    stale.timestamp = iso8601_utc(clock_->now() - std::chrono::minutes(20));
    EXPECT_TRUE(ali::is_error(call("Encrypt", params, stale), ErrorCode::InvalidTimeStampExpired));
  }
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(encrypt().ok()) << i;
  EXPECT_TRUE(throttled(encrypt()));
}

TEST_F(AlibabaThrottlingTest, AdmittedCallsTakeATokenEvenWhenTheyFail) {
  // Throttling comes before the handler (§2.5 gateway), so a call refused by the service
  // afterwards (here: no such key) has used its token.
  EXPECT_TRUE(ali::is_error(
      call("Encrypt", {{"KeyId", "alias/none-such"}, {"Plaintext", base64_encode("x")}}),
      ErrorCode::ForbiddenAliasNotFound));
  EXPECT_TRUE(encrypt().ok());
  EXPECT_TRUE(encrypt().ok());
  EXPECT_TRUE(throttled(encrypt()));
}

TEST_F(AlibabaThrottlingTest, BucketsArePerAccount) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(encrypt().ok());
  ASSERT_TRUE(throttled(encrypt()));
  // Another account has full buckets of its own (its lookup of our key fails after admission).
  auto other = make_client(kOtherAk, kOtherSk);
  auto r = other->call("Encrypt", {{"KeyId", key_}, {"Plaintext", base64_encode("x")}},
                       at_server_time());
  EXPECT_TRUE(ali::is_error(r, ErrorCode::ForbiddenKeyNotFound));
  // A closed account is refused before the throttle, whatever its buckets.
  auto closed = make_client(kClosedAk, kClosedSk);
  EXPECT_TRUE(ali::is_error(
      closed->call("Encrypt", {{"KeyId", key_}, {"Plaintext", "eA=="}}, at_server_time()),
      ErrorCode::ForbiddenKmsServiceNotEnabled));
}

TEST_F(AlibabaThrottlingTest, ThrottledCallsChangeNothing) {
  // CreateKey: 2 of its 4 tokens went to SetUp, one goes to `other`.
  std::string other = create_key();
  const size_t keys = key_count();
  ASSERT_TRUE(call("CreateKey", {{"Description", "fourth"}}).ok());
  EXPECT_TRUE(throttled(call("CreateKey", {{"Description", "fifth"}})));
  EXPECT_EQ(key_count(), keys + 1);

  // CreateAlias: the refused alias does not exist and its name is not reserved.
  ASSERT_TRUE(call("CreateAlias", {{"KeyId", key_}, {"AliasName", "alias/first"}}).ok());
  EXPECT_TRUE(throttled(call("CreateAlias", {{"KeyId", key_}, {"AliasName", "alias/second"}})));
  EXPECT_TRUE(ali::is_error(call("DescribeKey", {{"KeyId", "alias/second"}}),
                            ErrorCode::ForbiddenAliasNotFound));

  // ScheduleKeyDeletion: the key stays Enabled, without DeleteDate, and survives the window.
  ASSERT_TRUE(call("ScheduleKeyDeletion", {{"KeyId", ec_}, {"PendingWindowInDays", 7}}).ok());
  EXPECT_TRUE(
      throttled(call("ScheduleKeyDeletion", {{"KeyId", other}, {"PendingWindowInDays", 7}})));
  json meta = ok("DescribeKey", {{"KeyId", other}})["KeyMetadata"];
  EXPECT_EQ(meta.value("KeyState", ""), "Enabled");
  EXPECT_EQ(meta.value("DeleteDate", ""), "");

  // UpdateKeyDescription: the description is the old one.
  ASSERT_TRUE(call("UpdateKeyDescription", {{"KeyId", other}, {"Description", "kept"}}).ok());
  EXPECT_TRUE(throttled(call("UpdateKeyDescription", {{"KeyId", other}, {"Description", "lost"}})));
  EXPECT_EQ(ok("DescribeKey", {{"KeyId", other}})["KeyMetadata"].value("Description", ""), "kept");

  clock_->advance(std::chrono::hours(24 * 7) + seconds(1));
  EXPECT_EQ(ok("DescribeKey", {{"KeyId", other}})["KeyMetadata"].value("KeyState", ""), "Enabled");
  EXPECT_TRUE(
      ali::is_error(call("DescribeKey", {{"KeyId", ec_}}), ErrorCode::ForbiddenKeyNotFound));
  // Once refilled, the refused alias can be created: nothing was half-done.
  EXPECT_TRUE(call("CreateAlias", {{"KeyId", key_}, {"AliasName", "alias/second"}}).ok());
}

}  // namespace
}  // namespace kmsconf::testing
