// Token buckets per (account, pool) on a manual clock, and the --quotas file format.
#include "reference_server/throttle.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "reference_server/credentials.hpp"

namespace kmsconf::server {
namespace {

using namespace std::chrono_literals;

class ThrottlerTest : public ::testing::Test {
 protected:
  std::shared_ptr<engine::ManualClock> clock_ = std::make_shared<engine::ManualClock>();

  // Takes tokens until refused; returns how many were granted (bounded).
  static int drain(Throttler& t, const std::string& account, const std::string& action) {
    int granted = 0;
    while (granted < 10000 && t.try_acquire(account, action)) ++granted;
    return granted;
  }
};

TEST_F(ThrottlerTest, BurstThenRefusal) {
  QuotaConfig config;
  config.default_quota = {2, 5};
  Throttler t(config, clock_);
  EXPECT_EQ(drain(t, "acct", "Encrypt"), 5);
  EXPECT_FALSE(t.try_acquire("acct", "Encrypt"));
  EXPECT_FALSE(t.try_acquire("acct", "Encrypt")) << "a refusal takes no token and stays refused";
}

TEST_F(ThrottlerTest, RefillsAtTheConfiguredRate) {
  QuotaConfig config;
  config.default_quota = {2, 5};  // 2 tokens per second
  Throttler t(config, clock_);
  ASSERT_EQ(drain(t, "acct", "Encrypt"), 5);

  clock_->advance(400ms);  // 0.8 tokens: not yet one
  EXPECT_FALSE(t.try_acquire("acct", "Encrypt"));
  clock_->advance(200ms);  // 1.2 tokens in total
  EXPECT_TRUE(t.try_acquire("acct", "Encrypt"));
  EXPECT_FALSE(t.try_acquire("acct", "Encrypt")) << "0.2 tokens left";

  clock_->advance(1500ms);  // 3.2 tokens
  EXPECT_EQ(drain(t, "acct", "Encrypt"), 3);

  // A long idle period refills only up to the burst.
  clock_->advance(1h);
  EXPECT_EQ(drain(t, "acct", "Encrypt"), 5);

  // A clock stepping backwards adds nothing.
  clock_->advance(-10s);
  EXPECT_FALSE(t.try_acquire("acct", "Encrypt"));
}

TEST_F(ThrottlerTest, PoolsAreSharedAcrossTheirActions) {
  QuotaConfig config;
  config.default_quota = {100, 100};
  config.merge_json_text(
      R"({"pools":{"symmetric":{"rate":1,"burst":3,"actions":["Encrypt","Decrypt"]}}})", "test");
  EXPECT_EQ(config.pool_of("Encrypt"), "symmetric");
  EXPECT_EQ(config.pool_of("Decrypt"), "symmetric");
  EXPECT_EQ(config.pool_of("DescribeKey"), "DescribeKey");

  Throttler t(config, clock_);
  EXPECT_TRUE(t.try_acquire("acct", "Encrypt"));
  EXPECT_TRUE(t.try_acquire("acct", "Decrypt"));
  EXPECT_TRUE(t.try_acquire("acct", "Encrypt"));
  EXPECT_FALSE(t.try_acquire("acct", "Decrypt")) << "the pool's three tokens are gone";
  EXPECT_FALSE(t.try_acquire("acct", "Encrypt"));
  EXPECT_TRUE(t.try_acquire("acct", "DescribeKey")) << "other actions have their own buckets";
  clock_->advance(1s);
  EXPECT_TRUE(t.try_acquire("acct", "Decrypt"));
  EXPECT_FALSE(t.try_acquire("acct", "Encrypt"));
}

TEST_F(ThrottlerTest, AccountsHaveSeparateBuckets) {
  QuotaConfig config;
  config.default_quota = {1, 2};
  Throttler t(config, clock_);
  EXPECT_EQ(drain(t, "a", "Encrypt"), 2);
  EXPECT_EQ(drain(t, "b", "Encrypt"), 2);
  EXPECT_FALSE(t.try_acquire("a", "Encrypt"));
  EXPECT_EQ(drain(t, "a", "Decrypt"), 2) << "separate actions without a pool are separate buckets";
}

TEST(QuotaConfig, MergesDefaultActionsAndPools) {
  QuotaConfig config;
  config.merge_json_text(R"({
    "default": {"rate": 10, "burst": 20},
    "actions": {"Encrypt": {"rate": 1.5, "burst": 2}},
    "pools": {"keys": {"rate": 3, "burst": 4, "actions": ["CreateKey", "DescribeKey"]}}
  })",
                         "quotas.json");
  EXPECT_EQ(config.default_quota.rate_per_second, 10);
  EXPECT_EQ(config.default_quota.burst, 20);
  EXPECT_EQ(config.pool_of("Encrypt"), "Encrypt");
  EXPECT_EQ(config.quota_of("Encrypt").rate_per_second, 1.5);
  EXPECT_EQ(config.quota_of("Encrypt").burst, 2);
  EXPECT_EQ(config.pool_of("DescribeKey"), "keys");
  EXPECT_EQ(config.quota_of("keys").burst, 4);
  EXPECT_EQ(config.quota_of("Decrypt").rate_per_second, 10) << "unlisted: the default";

  // A later file giving an action its own quota takes it out of its pool.
  config.merge_json_text(R"({"actions": {"DescribeKey": {"rate": 7, "burst": 8}}})", "second.json");
  EXPECT_EQ(config.pool_of("DescribeKey"), "DescribeKey");
  EXPECT_EQ(config.quota_of("DescribeKey").burst, 8);
  EXPECT_EQ(config.pool_of("CreateKey"), "keys");
}

// The message of the ConfigError thrown for `text`; fails the test when nothing is thrown.
std::string config_error(const std::string& text) {
  QuotaConfig config;
  try {
    config.merge_json_text(text, "q.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for " << text;
  return {};
}

TEST(QuotaConfig, ErrorsNameOriginAndField) {
  struct Case {
    const char* text;
    const char* mentions;
  };
  for (const Case& c : {
           Case{"{", "not valid JSON"},
           Case{"[]", "must be a JSON object"},
           Case{R"({"default": 5})", "default"},
           Case{R"({"default": {"burst": 2}})", "'rate'"},
           Case{R"({"default": {"rate": 1}})", "'burst'"},
           Case{R"({"default": {"rate": 0, "burst": 2}})", "'rate'"},
           Case{R"({"default": {"rate": 1, "burst": -2}})", "'burst'"},
           Case{R"({"default": {"rate": "1", "burst": 2}})", "'rate'"},
           Case{R"({"actions": {"Encrypt": {"rate": 1}}})", "actions.Encrypt"},
           Case{R"({"actions": []})", "'actions'"},
           Case{R"({"pools": {"p": {"rate": 1, "burst": 1}}})", "pools.p"},
           Case{R"({"pools": {"p": {"rate": 1, "burst": 1, "actions": "Encrypt"}}})",
                "field 'actions'"},
           Case{R"({"pools": {"p": {"rate": 1, "burst": 1, "actions": [1]}}})", "pools.p"},
           Case{R"({"limits": {}})", "'limits'"},
       }) {
    std::string message = config_error(c.text);
    EXPECT_EQ(message.rfind("q.json", 0), 0u) << message;
    EXPECT_NE(message.find(c.mentions), std::string::npos) << c.text << " -> " << message;
  }
}

TEST(QuotaConfig, MissingFileNamesThePath) {
  QuotaConfig config;
  try {
    config.merge_file("/nonexistent/quotas.json");
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/quotas.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace kmsconf::server
