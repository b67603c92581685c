#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "protocol/alibaba/signer.hpp"
#include "reference_server/alibaba/nonce_cache.hpp"
#include "tests/protocol/alibaba_test_support.hpp"

namespace kmsconf::server::alibaba {
namespace {

using namespace std::chrono_literals;
using kmsconf::alibaba::testing::vectors_now;

const NonceCache::TimePoint kStart = vectors_now();

// prefix + number, appended rather than prepended (GCC 12 misreads "x" + std::to_string(n) under
// -Wrestrict).
std::string numbered(std::string prefix, int number) {
  prefix += std::to_string(number);
  return prefix;
}

TEST(AlibabaNonceCache, SecondSightingIsAReplay) {
  NonceCache cache;
  EXPECT_FALSE(cache.seen_or_record("ak", "n1", kStart));
  EXPECT_TRUE(cache.seen_or_record("ak", "n1", kStart + 1s));
  EXPECT_TRUE(cache.seen_or_record("ak", "n1", kStart + 2s));
  EXPECT_FALSE(cache.seen_or_record("ak", "n2", kStart + 2s));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(AlibabaNonceCache, NoncesAreScopedPerAccessKey) {
  NonceCache cache;
  EXPECT_FALSE(cache.seen_or_record("ak1", "n", kStart));
  EXPECT_FALSE(cache.seen_or_record("ak2", "n", kStart));
  EXPECT_TRUE(cache.seen_or_record("ak2", "n", kStart));
  // The key/nonce boundary is unambiguous.
  EXPECT_FALSE(cache.seen_or_record("ab", "c", kStart));
  EXPECT_FALSE(cache.seen_or_record("a", "bc", kStart));
}

TEST(AlibabaNonceCache, DefaultWindowCoversTwiceTheClockSkew) {
  EXPECT_EQ(NonceCache().options().window, 1800s);
}

TEST(AlibabaNonceCache, EntriesExpireAfterTheWindow) {
  NonceCache cache(NonceCache::Options{.window = 60s, .max_entries = 100});
  EXPECT_FALSE(cache.seen_or_record("ak", "n", kStart));
  EXPECT_TRUE(cache.seen_or_record("ak", "n", kStart + 59s));
  EXPECT_FALSE(cache.seen_or_record("ak", "n", kStart + 60s));  // forgotten, recorded afresh
  EXPECT_TRUE(cache.seen_or_record("ak", "n", kStart + 61s));
  EXPECT_FALSE(cache.seen_or_record("ak", "other", kStart + 200s));
  EXPECT_EQ(cache.size(), 1u);  // the expired pair was purged
}

TEST(AlibabaNonceCache, OldestAreEvictedFirstPastTheBound) {
  NonceCache cache(NonceCache::Options{.window = 3600s, .max_entries = 3});
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(cache.seen_or_record("ak", numbered("n", i), kStart + i * 1s));
    EXPECT_LE(cache.size(), 3u);
  }
  EXPECT_TRUE(cache.seen_or_record("ak", "n4", kStart + 10s));
  EXPECT_TRUE(cache.seen_or_record("ak", "n3", kStart + 10s));
  EXPECT_TRUE(cache.seen_or_record("ak", "n2", kStart + 10s));
  EXPECT_FALSE(cache.seen_or_record("ak", "n0", kStart + 10s));  // evicted, so new again
  EXPECT_EQ(cache.size(), 3u);
}

TEST(AlibabaNonceCache, ClockGoingBackwardsStaysConservative) {
  NonceCache cache(NonceCache::Options{.window = 60s, .max_entries = 100});
  EXPECT_FALSE(cache.seen_or_record("ak", "late", kStart + 100s));
  EXPECT_FALSE(cache.seen_or_record("ak", "early", kStart));
  EXPECT_TRUE(cache.seen_or_record("ak", "late", kStart + 10s));  // recorded "in the future"
  // "early" expires although "late" (ahead of it in recording order) has not: found on lookup.
  EXPECT_FALSE(cache.seen_or_record("ak", "early", kStart + 61s));
  EXPECT_TRUE(cache.seen_or_record("ak", "early", kStart + 62s));
  EXPECT_FALSE(cache.seen_or_record("ak", "late", kStart + 500s));
}

TEST(AlibabaNonceCache, ClearForgetsEverything) {
  NonceCache cache;
  cache.seen_or_record("ak", "n", kStart);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.seen_or_record("ak", "n", kStart));
}

TEST(AlibabaNonceCache, ConcurrentSightingsRecordEachPairOnce) {
  NonceCache cache;
  constexpr int kThreads = 8;
  constexpr int kNonces = 2000;
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kNonces; ++i) {
        const int n = (i + t * 97) % kNonces;  // threads race on the same pairs
        if (!cache.seen_or_record(numbered("ak", n % 3), numbered("n", n), kStart)) {
          ++fresh;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(fresh.load(), kNonces);
  EXPECT_EQ(cache.size(), static_cast<size_t>(kNonces));
}

TEST(AlibabaNonceCache, ConcurrentEvictionKeepsTheBound) {
  NonceCache cache(NonceCache::Options{.window = 3600s, .max_entries = 64});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        cache.seen_or_record("ak", numbered(numbered("", t) + ":", i), kStart + i * 1ms);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(cache.size(), 64u);
}

// The server wiring: the cache behind VerifyOptions::nonce_seen answers the vectors file's
// reject-v1-nonce-replay case.
TEST(AlibabaNonceCache, PlugsIntoTheVerifier) {
  using namespace kmsconf::alibaba;
  NonceCache cache;
  VerifyOptions options;
  options.now = vectors_now();
  options.nonce_seen = [&](std::string_view ak, std::string_view nonce) {
    return cache.seen_or_record(ak, nonce, options.now);
  };
  const SecretLookup lookup = [](std::string_view) {
    return std::optional<std::string>("testAccessKeySecret");
  };
  const HttpRequest request = kmsconf::alibaba::testing::signed_request_of(
      kmsconf::alibaba::testing::vector_by_id("v1-get-DescribeKey"));
  EXPECT_TRUE(std::holds_alternative<VerifiedCaller>(verify_request(request, lookup, options)));
  const auto replay = verify_request(request, lookup, options);
  ASSERT_TRUE(std::holds_alternative<AuthFailure>(replay));
  EXPECT_EQ(std::get<AuthFailure>(replay).code, ErrorCode::SignatureNonceUsed);
  options.now += 1801s;  // past the window the pair is forgotten (the timestamp check is not)
  options.check_timestamp = false;
  EXPECT_TRUE(std::holds_alternative<VerifiedCaller>(verify_request(request, lookup, options)));
}

}  // namespace
}  // namespace kmsconf::server::alibaba
