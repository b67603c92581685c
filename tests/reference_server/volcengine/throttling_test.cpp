// Per-action throttling (spec §1.4 Reject.Throttling.Action, §2.4 step 9) over HTTP with a
// --quotas style configuration, and the parsing of that configuration.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/reference_server/volcengine/fixture.hpp"
#include "tests/reference_server/volcengine/wire_support.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using volcengine::ErrorCode;

constexpr const char* kOtherAk = "AKLTotheraccountkey01";
constexpr const char* kOtherSk = "b3RoZXItYWNjb3VudC1zZWNyZXQ=";
constexpr const char* kOtherAccount = "2100000099";
constexpr const char* kRestrictedAk = "AKLTthrottlerestrict1";
constexpr const char* kRestrictedSk = "dGhyb3R0bGUtcmVzdHJpY3RlZA==";

// Small bursts and a refill of one token per 1000 s: nothing refills unless the test moves
// the clock.
constexpr const char* kQuotas = R"({
  "actions": {
    "Encrypt": {"rate": 0.001, "burst": 3},
    "CreateKey": {"rate": 0.001, "burst": 2},
    "ScheduleKeyDeletion": {"rate": 0.001, "burst": 1}
  }
})";
constexpr auto kOneToken = seconds(1000);

class ThrottlingHttpTest : public VolcengineServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.quotas.merge_json_text(kQuotas, "throttling_test quotas");
    options.credentials.add({kOtherAk, kOtherSk, kOtherAccount, {"*"}, ""});
    options.credentials.add({kRestrictedAk, kRestrictedSk, kAccount, {"DescribeKey"}, ""});
  }

  client::CallResult encrypt(const std::string& id) {
    return call("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("throttled?")}});
  }

  ::testing::AssertionResult throttled(const client::CallResult& r, const std::string& action) {
    return wire::is_error(r, ErrorCode::RejectThrottlingAction, {action});
  }

  size_t key_count(const std::string& ring) {
    auto r = call("DescribeKeys", {{"KeyringName", ring}});
    EXPECT_TRUE(r.ok()) << r.parsed.message;
    return r.result().value("Keys", json::array()).size();
  }
};

TEST_F(ThrottlingHttpTest, EncryptPastItsBurstIsRefusedNamingTheAction) {
  std::string id = create_key("ring", "key");
  std::string blob;
  for (int i = 0; i < 3; ++i) {
    auto r = encrypt(id);
    ASSERT_TRUE(r.ok()) << "call " << i << ": " << r.parsed.message;
    blob = r.result().value("CiphertextBlob", "");
  }
  EXPECT_TRUE(throttled(encrypt(id), "Encrypt"));
  EXPECT_TRUE(throttled(encrypt(id), "Encrypt"));  // refusals take no token and give none back
  // Other actions have their own buckets.
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(call("Decrypt", {{"CiphertextBlob", blob}}).ok());
    EXPECT_TRUE(call("DescribeKey", {{"KeyID", id}}).ok());
  }
  EXPECT_TRUE(call("GenerateDataKey", {{"KeyID", id}}).ok());
}

TEST_F(ThrottlingHttpTest, AdvancingTheClockRefillsTheBucketUpToItsBurst) {
  std::string id = create_key("ring", "key");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(encrypt(id).ok());
  ASSERT_TRUE(throttled(encrypt(id), "Encrypt"));

  clock_->advance(kOneToken / 2);
  EXPECT_TRUE(throttled(encrypt(id), "Encrypt"));  // half a token is no token
  clock_->advance(kOneToken / 2);
  EXPECT_TRUE(encrypt(id).ok());
  EXPECT_TRUE(throttled(encrypt(id), "Encrypt"));

  // A long pause refills to the burst (3), not beyond.
  clock_->advance(kOneToken * 100);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(encrypt(id).ok()) << i;
  EXPECT_TRUE(throttled(encrypt(id), "Encrypt"));
}

TEST_F(ThrottlingHttpTest, ThrottledCreateKeyLeavesNoTrace) {
  create_keyring("ring");
  ASSERT_TRUE(call("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "k1"}}).ok());
  ASSERT_TRUE(call("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "k2"}}).ok());
  EXPECT_TRUE(
      throttled(call("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "k3"}}), "CreateKey"));
  EXPECT_EQ(key_count("ring"), 2u);
  EXPECT_TRUE(wire::is_error(call("DescribeKey", {{"KeyringName", "ring"}, {"KeyName", "k3"}}),
                             ErrorCode::NotFound, {"key", "k3"}));
  // The name was not reserved either: once refilled, the same call creates it.
  clock_->advance(kOneToken);
  EXPECT_TRUE(call("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "k3"}}).ok());
  EXPECT_EQ(key_count("ring"), 3u);
}

TEST_F(ThrottlingHttpTest, ThrottledScheduleKeyDeletionLeavesTheKeyAlone) {
  std::string first = create_key("ring", "first");
  std::string second = create_key("ring", "second");
  ASSERT_TRUE(call("ScheduleKeyDeletion", {{"KeyID", first}}).ok());
  EXPECT_TRUE(
      throttled(call("ScheduleKeyDeletion", {{"KeyID", second}, {"PendingWindowInDays", 7}}),
                "ScheduleKeyDeletion"));
  json key = ok("DescribeKey", {{"KeyID", second}})["Key"];
  EXPECT_EQ(key.value("KeyState", ""), "Enable");
  EXPECT_FALSE(key.contains("ScheduleDeleteTime"));
  EXPECT_TRUE(encrypt(second).ok());
  // A deletion window passing later does not destroy the key that was never scheduled.
  clock_->advance(std::chrono::hours(24 * 8));
  EXPECT_TRUE(
      wire::is_error(call("DescribeKey", {{"KeyID", first}}), ErrorCode::NotFound, {"key", first}));
  EXPECT_EQ(ok("DescribeKey", {{"KeyID", second}})["Key"].value("KeyState", ""), "Enable");
}

TEST_F(ThrottlingHttpTest, BucketsArePerAccount) {
  std::string id = create_key("ring", "key");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(encrypt(id).ok());
  ASSERT_TRUE(throttled(encrypt(id), "Encrypt"));
  // Another account has a full bucket of its own (its key lookup fails, after the throttle).
  auto other = make_client(kOtherAk, kOtherSk);
  auto r =
      other->call("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("x")}}, at_server_time());
  EXPECT_TRUE(wire::is_error(r, ErrorCode::NotFound, {"key", id}));
}

TEST_F(ThrottlingHttpTest, RequestsRefusedBeforeTheThrottleTakeNoToken) {
  std::string id = create_key("ring", "key");
  auto wrong_secret = make_client(kAccessKey, "d3Jvbmctc2VjcmV0LXZhbHVl");
  auto restricted = make_client(kRestrictedAk, kRestrictedSk);
  const json params{{"KeyID", id}, {"Plaintext", base64_encode("x")}};
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(wire::is_error(wrong_secret->call("Encrypt", params, at_server_time()),
                               ErrorCode::SignatureDoesNotMatch));
    EXPECT_TRUE(wire::is_error(restricted->call("Encrypt", params, at_server_time()),
                               ErrorCode::AccessDenied));
  }
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(encrypt(id).ok()) << i;
  EXPECT_TRUE(throttled(encrypt(id), "Encrypt"));
}

class PooledThrottlingTest : public VolcengineServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.quotas.merge_json_text(
        R"({"pools":{"data":{"rate":0.001,"burst":2,"actions":["GenerateDataKey","Decrypt"]}}})",
        "pooled quotas");
  }
};

TEST_F(PooledThrottlingTest, ActionsOfAPoolShareOneBucketAndEachIsNamedWhenRefused) {
  std::string id = create_key("ring", "key");
  json data_key = ok("GenerateDataKey", {{"KeyID", id}});
  ok("Decrypt", {{"CiphertextBlob", data_key["CiphertextBlob"]}});
  EXPECT_TRUE(wire::is_error(call("Decrypt", {{"CiphertextBlob", data_key["CiphertextBlob"]}}),
                             ErrorCode::RejectThrottlingAction, {"Decrypt"}));
  EXPECT_TRUE(wire::is_error(call("GenerateDataKey", {{"KeyID", id}}),
                             ErrorCode::RejectThrottlingAction, {"GenerateDataKey"}));
  EXPECT_TRUE(call("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("x")}}).ok());
}

// ---------------------------------------------------------------------------------------------
// QuotaConfig parsing.

::testing::AssertionResult names_all(const std::string& message,
                                     std::initializer_list<std::string> parts) {
  for (const auto& part : parts) {
    if (message.find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << "'" << message << "' does not name '" << part << "'";
    }
  }
  return ::testing::AssertionSuccess();
}

std::string parse_error(const std::string& text, const std::string& origin = "quotas.json") {
  server::QuotaConfig config;
  try {
    config.merge_json_text(text, origin);
  } catch (const server::ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

TEST(QuotaConfigTest, DefaultsApplyToEveryAction) {
  server::QuotaConfig config;
  EXPECT_EQ(config.pool_of("Encrypt"), "Encrypt");
  EXPECT_EQ(config.quota_of("Encrypt").burst, config.default_quota.burst);
  EXPECT_EQ(config.quota_of("Encrypt").rate_per_second, config.default_quota.rate_per_second);
  EXPECT_GT(config.default_quota.rate_per_second, 0);
  EXPECT_GE(config.default_quota.burst, 1);
}

TEST(QuotaConfigTest, ParsesDefaultActionsAndPools) {
  server::QuotaConfig config;
  config.merge_json_text(R"({"default":{"rate":5,"burst":10},
                             "actions":{"Encrypt":{"rate":1,"burst":2}},
                             "pools":{"data":{"rate":3,"burst":4,"actions":["Decrypt","GenerateDataKey"]}}})",
                         "q.json");
  EXPECT_EQ(config.default_quota.rate_per_second, 5);
  EXPECT_EQ(config.default_quota.burst, 10);
  EXPECT_EQ(config.pool_of("Encrypt"), "Encrypt");
  EXPECT_EQ(config.quota_of("Encrypt").burst, 2);
  EXPECT_EQ(config.pool_of("Decrypt"), "data");
  EXPECT_EQ(config.pool_of("GenerateDataKey"), "data");
  EXPECT_EQ(config.quota_of("data").rate_per_second, 3);
  EXPECT_EQ(config.quota_of(config.pool_of("DescribeKey")).burst, 10);
}

TEST(QuotaConfigTest, AnActionsOwnQuotaWinsOverItsPoolInTheSameFile) {
  // The header's own example lists Encrypt both under "actions" and in a pool; the action-level
  // quota is the more specific one, whatever order the keys come in.
  for (const char* text :
       {R"({"actions":{"Encrypt":{"rate":1,"burst":2}},
            "pools":{"symmetric":{"rate":9,"burst":9,"actions":["Encrypt","Decrypt"]}}})",
        R"({"pools":{"symmetric":{"rate":9,"burst":9,"actions":["Encrypt","Decrypt"]}},
            "actions":{"Encrypt":{"rate":1,"burst":2}}})"}) {
    server::QuotaConfig config;
    config.merge_json_text(text, "q.json");
    EXPECT_EQ(config.pool_of("Encrypt"), "Encrypt") << text;
    EXPECT_EQ(config.quota_of(config.pool_of("Encrypt")).burst, 2) << text;
    EXPECT_EQ(config.pool_of("Decrypt"), "symmetric") << text;
  }
}

TEST(QuotaConfigTest, LaterFilesOverrideEarlierOnes) {
  server::QuotaConfig config;
  config.merge_json_text(
      R"({"pools":{"sym":{"rate":9,"burst":9,"actions":["Encrypt","Decrypt"]}}})", "a.json");
  config.merge_json_text(R"({"actions":{"Encrypt":{"rate":1,"burst":1}}})", "b.json");
  EXPECT_EQ(config.pool_of("Encrypt"), "Encrypt");
  EXPECT_EQ(config.pool_of("Decrypt"), "sym");
}

TEST(QuotaConfigTest, ErrorsNameTheFileAndTheField) {
  EXPECT_TRUE(names_all(parse_error("{not json"), {"quotas.json", "JSON"}));
  EXPECT_TRUE(names_all(parse_error("[1,2]"), {"quotas.json", "object"}));
  EXPECT_TRUE(names_all(parse_error(R"({"default":5})"), {"quotas.json", "default"}));
  EXPECT_TRUE(
      names_all(parse_error(R"({"default":{"rate":1}})"), {"quotas.json", "default", "burst"}));
  EXPECT_TRUE(names_all(parse_error(R"({"actions":{"Encrypt":{"rate":0,"burst":1}}})"),
                        {"quotas.json", "actions.Encrypt", "rate"}));
  EXPECT_TRUE(names_all(parse_error(R"({"actions":{"Encrypt":{"rate":"fast","burst":1}}})"),
                        {"quotas.json", "actions.Encrypt", "rate"}));
  EXPECT_TRUE(names_all(parse_error(R"({"actions":{"Encrypt":{"rate":1,"burst":-2}}})"),
                        {"quotas.json", "actions.Encrypt", "burst"}));
  EXPECT_TRUE(
      names_all(parse_error(R"({"actions":{"Encrypt":7}})"), {"quotas.json", "actions.Encrypt"}));
  EXPECT_TRUE(names_all(parse_error(R"({"actions":["Encrypt"]})"), {"quotas.json", "actions"}));
  EXPECT_TRUE(names_all(parse_error(R"({"pools":{"p":{"rate":1,"burst":1}}})"),
                        {"quotas.json", "pools.p", "actions"}));
  EXPECT_TRUE(names_all(parse_error(R"({"pools":{"p":{"rate":1,"burst":1,"actions":"Encrypt"}}})"),
                        {"quotas.json", "pools.p", "actions"}));
  EXPECT_TRUE(names_all(parse_error(R"({"pools":{"p":{"rate":1,"burst":1,"actions":[1]}}})"),
                        {"quotas.json", "pools.p", "actions"}));
  EXPECT_TRUE(names_all(parse_error(R"({"pools":{"p":{"burst":1,"actions":["Encrypt"]}}})"),
                        {"quotas.json", "pools.p", "rate"}));
  EXPECT_TRUE(names_all(parse_error(R"({"limits":{}})"), {"quotas.json", "limits"}));
}

TEST(QuotaConfigTest, MergeFileNamesThePath) {
  server::QuotaConfig config;
  try {
    config.merge_file("/nonexistent-dir/kmsconf-quotas.json");
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const server::ConfigError& e) {
    EXPECT_TRUE(names_all(e.what(), {"/nonexistent-dir/kmsconf-quotas.json"}));
  }
  std::string path =
      ::testing::TempDir() + "kmsconf-quotas-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(path);
    out << R"({"actions":{"Decrypt":{"rate":1}}})";
  }
  try {
    config.merge_file(path);
    ADD_FAILURE() << "a quota without burst was accepted";
  } catch (const server::ConfigError& e) {
    EXPECT_TRUE(names_all(e.what(), {path, "actions.Decrypt", "burst"}));
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace kmsconf::testing
