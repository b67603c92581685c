// Latency histogram of the load generator: log-linear buckets in the spirit of HdrHistogram.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kmsconf::loadgen {

namespace histogram_layout {

// 2048 = the smallest power of two that keeps 3 significant digits (> 2 * 10^3 steps per
// doubling, so a bucket is at most 1/1000 of its values wide).
inline constexpr int kSubBucketBits = 11;
inline constexpr int kHalfBits = kSubBucketBits - 1;
inline constexpr uint64_t kSubBucketMask = (uint64_t{1} << kSubBucketBits) - 1;

// Below 2048 the index is the value itself. From there, power-of-two range b (values in
// [1024 << b, 2048 << b)) holds buckets of width 2^b, and the index is b * 1024 + (value >> b).
constexpr std::size_t index_of(int64_t value) {
  const auto v = static_cast<uint64_t>(value);
  const int shift = (63 - std::countl_zero(v | kSubBucketMask)) - kHalfBits;
  return (static_cast<std::size_t>(shift) << kHalfBits) + static_cast<std::size_t>(v >> shift);
}
constexpr int shift_of_index(std::size_t index) {
  return std::max(0, static_cast<int>(index >> kHalfBits) - 1);
}
constexpr int64_t lowest_of_index(std::size_t index) {
  const int shift = shift_of_index(index);
  return static_cast<int64_t>(index - (static_cast<std::size_t>(shift) << kHalfBits)) << shift;
}
constexpr int64_t highest_of_index(std::size_t index) {
  return lowest_of_index(index) + (int64_t{1} << shift_of_index(index)) - 1;
}

}  // namespace histogram_layout

// Values are microseconds, 1 us to 60 s, kept to 3 significant decimal digits: every power of two
// from 2048 up is split into 1024 equal buckets (below 2048 every value has its own bucket), so a
// bucket is never wider than 1/1024 of the values in it. The counts are one flat array sized at
// construction; recording is an index computation and a few adds, with no allocation.
//
// Not thread-safe: each worker thread records into its own Histogram and they are merged at the
// end. A moved-from Histogram may only be assigned to or destroyed.
class Histogram {
 public:
  static constexpr int64_t kLowestUs = 1;
  static constexpr int64_t kHighestUs = 60'000'000;
  static constexpr int kSignificantDigits = 3;
  // Length of the counts array: one past the bucket of kHighestUs.
  static constexpr std::size_t kBucketCount = histogram_layout::index_of(kHighestUs) + 1;

  Histogram();

  // Values below 1 count as 1 (a clock that did not tick); values above kHighestUs count as
  // kHighestUs and in saturated(), so a hung request still weighs on the percentiles.
  void record(int64_t value_us) {
    saturated_ += static_cast<uint64_t>(value_us > kHighestUs);
    const int64_t value = std::clamp(value_us, kLowestUs, kHighestUs);
    ++counts_[histogram_layout::index_of(value)];
    ++count_;
    sum_ += static_cast<uint64_t>(value);
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  void record_n(int64_t value_us, uint64_t n);

  // Adds other's counts; both have the same fixed layout, so any two histograms merge.
  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return count_; }
  uint64_t saturated() const { return saturated_; }
  // Exact recorded extremes (after clamping); 0 when empty.
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return count_ == 0 ? 0 : max_; }
  // The exact sum of the recorded (clamped) values, so mean() = sum() / count() is exact too,
  // not estimated from bucket midpoints. It wraps only after about 3e11 values of 60 s. Both are
  // 0 when empty.
  uint64_t sum() const { return sum_; }
  double mean() const;

  // The highest value of the lowest bucket at which at least p% of the values are at or below
  // it (HdrHistogram semantics), capped at max(). p is clamped to [0, 100] (NaN counts as 0);
  // p = 0 gives min(), p = 100 gives max(), an empty histogram gives 0.
  int64_t percentile(double p) const;

  // The same whatever has been recorded: the counts array never grows.
  std::size_t memory_bytes() const;

  // Sparse: only non-empty buckets, as [lowest value of the bucket, count] pairs, in increasing
  // order. from_json() of it, merged into another histogram, gives the same result as having
  // recorded everything in one.
  nlohmann::json to_json() const;
  // Throws std::invalid_argument naming the offending field ("histogram.buckets[3]: ...");
  // refuses a different unit, range or precision, and counts that contradict each other.
  static Histogram from_json(const nlohmann::json& j);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t saturated_ = 0;
  uint64_t sum_ = 0;
  int64_t min_ = std::numeric_limits<int64_t>::max();  // neutral for std::min while empty
  int64_t max_ = 0;
};

}  // namespace kmsconf::loadgen
