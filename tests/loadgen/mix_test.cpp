// The operation mix: smooth weighted round-robin's sequence, shares and spreading, as defined
// by nginx (add each weight to its score, take the highest, first on a tie, subtract the total).
#include "loadgen/mix.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace kmsconf::loadgen {
namespace {

// A workload of distinct operations with these weights, in kWorkloadOperations order.
Workload weighted(const std::vector<double>& weights) {
  Workload w;
  w.name = "mix";
  for (std::size_t i = 0; i < weights.size(); ++i) {
    WorkloadOperation op;
    op.op = std::string(kWorkloadOperations[i]);
    op.weight = weights[i];
    w.operations.push_back(op);
  }
  return w;
}

// The first `n` picks, as letters: operation 0 is 'a', 1 is 'b', ...
std::string picks(const Workload& workload, std::size_t n) {
  OperationMix mix(workload);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('a' + mix.next());
  return out;
}

std::size_t longest_run(const std::string& sequence, char op) {
  std::size_t run = 0, longest = 0;
  for (char c : sequence) longest = std::max(longest, run = c == op ? run + 1 : 0);
  return longest;
}

TEST(OperationMix, NginxExample) {
  // nginx's description of smooth weighted round-robin: weights 5, 1, 1 give a a b a c a a.
  EXPECT_EQ(picks(weighted({5, 1, 1}), 14),
            "aabacaa"
            "aabacaa");
}

TEST(OperationMix, SeventyTwentyTenSequence) {
  // By hand from the definition, scores after adding (then after subtracting 100):
  // 70,20,10 a | 40,40,20 a (tie, first) | 10,60,30 b | 80,-20,40 a | 50,0,50 a (tie) |
  // 20,20,60 c | 90,40,-30 a | 60,60,-20 a (tie) | 30,80,-10 b | 100,0,0 a -> all back to 0.
  EXPECT_EQ(picks(weighted({70, 20, 10}), 20),
            "aabaacaaba"
            "aabaacaaba");
}

TEST(OperationMix, SeventyTwentyTenSharesOverAThousandPicks) {
  const std::vector<double> weights = {70, 20, 10};
  const std::string sequence = picks(weighted(weights), 1000);
  std::vector<int> counts(3, 0);
  for (std::size_t n = 1; n <= sequence.size(); ++n) {
    ++counts[sequence[n - 1] - 'a'];
    for (std::size_t i = 0; i < 3; ++i) {
      const double expected = n * weights[i] / 100;
      ASSERT_LE(std::abs(counts[i] - expected), 1.0) << "op " << i << " after " << n << " picks";
    }
  }
  EXPECT_EQ(counts, (std::vector<int>{700, 200, 100}));
}

TEST(OperationMix, SeventyTwentyTenIsSpreadOut) {
  const std::string sequence = picks(weighted({70, 20, 10}), 1000);
  // 70 among the 30 others can come at most ceil(70/30) = 3 in a row; the light ones never
  // repeat back to back.
  EXPECT_EQ(longest_run(sequence, 'a'), 3u);
  EXPECT_EQ(longest_run(sequence, 'b'), 1u);
  EXPECT_EQ(longest_run(sequence, 'c'), 1u);
  // The sequence repeats every 10 picks, so any 10 in a row hold exactly 7, 2 and 1.
  for (std::size_t start = 0; start + 10 <= sequence.size(); ++start) {
    const std::string window = sequence.substr(start, 10);
    ASSERT_EQ(std::count(window.begin(), window.end(), 'a'), 7) << start;
    ASSERT_EQ(std::count(window.begin(), window.end(), 'b'), 2) << start;
    ASSERT_EQ(std::count(window.begin(), window.end(), 'c'), 1) << start;
  }
}

TEST(OperationMix, WeightsCountInThousandthsSoScaleDoesNotMatter) {
  const std::string whole = picks(weighted({70, 20, 10}), 200);
  EXPECT_EQ(picks(weighted({7, 2, 1}), 200), whole);
  EXPECT_EQ(picks(weighted({0.7, 0.2, 0.1}), 200), whole);
  EXPECT_EQ(picks(weighted({0.07, 0.02, 0.01}), 200), whole);
}

TEST(OperationMix, WithinOneOfTheShareAndExactEveryPeriodForTwoOrThreeOperations) {
  // Random whole weights, fixed seed: over every prefix of three periods (W = the weights' sum)
  // each count is within 1 of N*w/W, and every period holds exactly w of each operation.
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t ops = 2 + trial % 2;
    std::vector<double> weights;
    int total = 0;
    for (std::size_t i = 0; i < ops; ++i) {
      weights.push_back(static_cast<double>(1 + rng() % 60));
      total += static_cast<int>(weights.back());
    }
    const std::string sequence = picks(weighted(weights), 3 * total);
    std::vector<int> counts(ops, 0);
    for (std::size_t n = 1; n <= sequence.size(); ++n) {
      ++counts[sequence[n - 1] - 'a'];
      for (std::size_t i = 0; i < ops; ++i) {
        ASSERT_LE(std::abs(counts[i] - n * weights[i] / total), 1.0)
            << "trial " << trial << " op " << i << " after " << n;
      }
    }
    for (std::size_t i = 0; i < ops; ++i) EXPECT_EQ(counts[i], 3 * weights[i]) << trial;
    EXPECT_EQ(sequence.substr(0, total), sequence.substr(total, total)) << trial;
  }
}

TEST(OperationMix, FiveOperationsKeepTheirExactSharesPerPeriod) {
  const std::vector<double> weights = {40, 25, 20, 10, 5};
  const std::string sequence = picks(weighted(weights), 1000);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    EXPECT_EQ(std::count(sequence.begin(), sequence.end(), static_cast<char>('a' + i)),
              10 * weights[i])
        << i;
  }
}

TEST(OperationMix, DeterministicAndEachMixHasItsOwnState) {
  const Workload w = weighted({3, 5, 2});
  OperationMix first(w), second(w);
  for (int i = 0; i < 5; ++i) first.next();  // advancing one leaves the other alone
  OperationMix fresh(w);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(second.next(), fresh.next()) << i;
}

TEST(OperationMix, OneOperationIsAlwaysPicked) {
  OperationMix mix(weighted({0.5}));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(mix.next(), 0u);
}

TEST(OperationMix, RejectsWhatTheLoaderWouldHaveRejected) {
  EXPECT_THROW(OperationMix(weighted({})), std::invalid_argument);
  EXPECT_THROW(OperationMix(weighted({1, 0})), std::invalid_argument);
  EXPECT_THROW(OperationMix(weighted({1, 2e6})), std::invalid_argument);
}

TEST(OperationMix, FollowsALoadedWorkload) {
  const Workload w = single_operation_workload("DescribeRegions");
  OperationMix mix(w);
  EXPECT_EQ(w.operations[mix.next()].op, "DescribeRegions");
}

}  // namespace
}  // namespace kmsconf::loadgen
