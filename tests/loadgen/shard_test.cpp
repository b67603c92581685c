// Shards of one load (`--shard I/N`): the accepted forms, each shard's rate and keys as
// docs/load.md "Scale past one machine" gives them, and the run prefix `kmsconf test --sweep` still
// finds.
#include "loadgen/shard.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "client/run_prefix.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;

TEST(Shard, ParsesIndexOfCount) {
  EXPECT_EQ(parse_shard("0/2"), (Shard{0, 2}));
  EXPECT_EQ(parse_shard("1/2"), (Shard{1, 2}));
  EXPECT_EQ(parse_shard("0/1"), (Shard{0, 1}));
  EXPECT_EQ(parse_shard("999/1000"), (Shard{999, 1000}));
  EXPECT_EQ(shard_text(Shard{3, 8}), "3/8");
}

TEST(Shard, RefusesEveryOtherForm) {
  for (const char* bad : {"", "1", "/2", "1/", "2/2", "3/2", "1/0", "0/0", "-1/2", "+1/2", "1/1001",
                          "0/99999", "a/b", "1/2/3", " 1/2", "1 /2", "1/2 ", "1.0/2", "1e0/2"}) {
    EXPECT_THROW(parse_shard(bad), std::invalid_argument) << "\"" << bad << "\"";
  }
}

TEST(Shard, MessagesSayWhatIsWrong) {
  const auto message = [](const char* text) {
    try {
      parse_shard(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("<accepted>");
  };
  EXPECT_EQ(message("2/2"), "2/2: I counts from 0 and must be below N");
  EXPECT_EQ(message("0/1001"), "0/1001: N must be 1..1000");
  EXPECT_EQ(message("x"), "x: not I/N with 0 <= I < N <= 1000");
}

// docs/load.md: each shard sends 1/N of --rate, so N shards together send the rate asked for.
TEST(Shard, RateIsOneNthOfTheWhole) {
  EXPECT_DOUBLE_EQ(shard_rate(1000, Shard{0, 4}), 250);
  EXPECT_DOUBLE_EQ(shard_rate(1000, Shard{3, 4}), 250);
  EXPECT_DOUBLE_EQ(shard_rate(100, Shard{1, 3}), 100.0 / 3);
  EXPECT_DOUBLE_EQ(shard_rate(1000, std::nullopt), 1000);
  double sum = 0;
  for (int i = 0; i < 7; ++i) sum += shard_rate(700, Shard{i, 7});
  EXPECT_NEAR(sum, 700, 1e-9);
}

TEST(Shard, EvenShareGivesTheFirstOnesTheRemainder) {
  EXPECT_EQ(even_share(10, 0, 3), 4u);
  EXPECT_EQ(even_share(10, 1, 3), 3u);
  EXPECT_EQ(even_share(10, 2, 3), 3u);
  EXPECT_EQ(even_share(2, 2, 3), 0u);
}

Workload with_setup(int keys, int ciphertexts) {
  Workload w = single_operation_workload("Decrypt");
  w.setup.keys = keys;
  w.setup.ciphertexts = ciphertexts;
  return w;
}

// docs/load.md: shard I of N sets up its even share of the keys (and Decrypt's ciphertexts), the
// first (keys mod N) shards one more, never fewer than one.
TEST(Shard, KeysAndCiphertextsAreSplitEvenlyAtLeastOneEach) {
  const Workload whole = with_setup(10, 64);
  const std::vector<int> keys{3, 3, 2, 2};
  const std::vector<int> ciphertexts{16, 16, 16, 16};
  for (int i = 0; i < 4; ++i) {
    const Workload part = shard_workload(whole, Shard{i, 4});
    EXPECT_EQ(part.setup.keys, keys[static_cast<size_t>(i)]) << "shard " << i;
    EXPECT_EQ(part.setup.ciphertexts, ciphertexts[static_cast<size_t>(i)]) << "shard " << i;
    // What is sent does not change, only how much is set up for it.
    EXPECT_EQ(part.to_json()["operations"], whole.to_json()["operations"]);
    EXPECT_EQ(part.to_json()["teardown"], whole.to_json()["teardown"]);
  }
  const Workload one_key = with_setup(1, 1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(shard_workload(one_key, Shard{i, 3}).setup.keys, 1);
    EXPECT_EQ(shard_workload(one_key, Shard{i, 3}).setup.ciphertexts, 1);
  }
  // No Decrypt, no ciphertexts: a shard does not make any either.
  Workload encrypt = single_operation_workload("Encrypt");
  encrypt.setup.keys = 5;
  EXPECT_EQ(shard_workload(encrypt, Shard{4, 5}).setup.ciphertexts, 0);
  EXPECT_EQ(shard_workload(encrypt, Shard{4, 5}).setup.keys, 1);
  EXPECT_EQ(shard_workload(encrypt, std::nullopt).setup.keys, 5);
}

TEST(Shard, RunPrefixNamesTheShardAndIsStillSwept) {
  const std::string prefix = "kc-261207t1839-fc42";
  EXPECT_EQ(shard_run_prefix(prefix, Shard{3, 4}), "kc-261207t1839-fc42-s3");
  EXPECT_EQ(shard_run_prefix(prefix, std::nullopt), prefix);
  const std::string longest = shard_run_prefix(prefix, Shard{999, 1000});
  EXPECT_TRUE(client::has_run_prefix(longest + "-load"));
  EXPECT_EQ(client::run_prefix_time(longest + "-k0"), client::run_prefix_time(prefix));
  // setup.cpp names the Volcengine keyring PREFIX-load and keys PREFIX-kNN: within 31 characters.
  EXPECT_LE((longest + "-load").size(), 31u);
  EXPECT_LE((longest + "-k99").size(), 31u);
}

TEST(Shard, JsonFormRoundTrips) {
  EXPECT_EQ(shard_json(Shard{1, 3}), json::parse(R"({"index": 1, "count": 3})"));
  EXPECT_EQ(shard_from_json(shard_json(Shard{1, 3})), (Shard{1, 3}));
  for (const char* bad : {R"({"index": 3, "count": 3})", R"({"index": -1, "count": 3})",
                          R"({"index": 0, "count": 1001})", R"({"index": "0", "count": 2})",
                          R"({"index": 0})", R"({"index": 0, "count": 2, "x": 1})", "null",
                          "[0, 2]", R"({"index": 0, "count": 10000000000})"}) {
    EXPECT_EQ(shard_from_json(json::parse(bad)), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace kmsconf::loadgen
