// Tests of the latency histogram against percentiles computed exactly from sorted samples.
#include "loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using kmsconf::loadgen::Histogram;
using nlohmann::json;

// Percentiles as integers in thousandths of a percent, so the exact rank below is integer
// arithmetic and does not depend on how 99.9 rounds in binary.
const std::vector<int64_t> kMilliPercents = {0,     1,     1000,  10000, 25000, 50000, 75000, 90000,
                                             95000, 99000, 99500, 99900, 99990, 99999, 100000};

// The smallest sample such that at least p% of the samples are at or below it.
int64_t exact_percentile(const std::vector<int64_t>& sorted, int64_t milli_percent) {
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t rank = std::max<int64_t>(1, (milli_percent * n + 99'999) / 100'000);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

// Bucket width by the design (2048 sub-buckets per power of two): exact below 2048, then each
// doubling of the value doubles the width, starting at 2 for [2048, 4096).
int64_t bucket_width(int64_t value) {
  if (value < 2048) return 1;
  return int64_t{1} << (std::bit_width(static_cast<uint64_t>(value)) - 11);
}

Histogram record_all(const std::vector<int64_t>& samples) {
  Histogram h;
  for (int64_t v : samples) h.record(v);
  return h;
}

void expect_percentiles_match(const Histogram& h, std::vector<int64_t> samples) {
  std::sort(samples.begin(), samples.end());
  ASSERT_EQ(h.count(), samples.size());
  EXPECT_EQ(h.min(), samples.front());
  EXPECT_EQ(h.max(), samples.back());
  for (int64_t mp : kMilliPercents) {
    const int64_t exact = exact_percentile(samples, mp);
    const int64_t reported = h.percentile(static_cast<double>(mp) / 1000.0);
    SCOPED_TRACE(testing::Message() << "p" << mp / 1000.0 << " exact " << exact);
    // Highest-equivalent semantics: at or above the exact value, in the same bucket, so within
    // 0.1% of it; and never beyond the largest value recorded.
    EXPECT_GE(reported, exact);
    EXPECT_LT(reported - exact, bucket_width(exact));
    EXPECT_LE(static_cast<double>(reported - exact), static_cast<double>(exact) * 0.001);
    EXPECT_LE(reported, samples.back());
  }
}

std::vector<int64_t> one_to(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t v = 1; v <= n; ++v) out.push_back(v);
  return out;
}

// Latencies of a service: median about 20 ms, a long tail, kept within 50 us..10 s.
std::vector<int64_t> log_normal_sample(std::size_t n, uint64_t seed = 20240611) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(20'000.0), 1.6);
  std::vector<int64_t> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::clamp<int64_t>(std::llround(dist(rng)), 50, 10'000'000));
  }
  return out;
}

// A cache in front of a slow backend: 75% hits around 200 us, 25% misses around 1.5 s.
std::vector<int64_t> bimodal_sample(std::size_t n) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> hit(200.0, 20.0), miss(1'500'000.0, 100'000.0);
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = i % 4 == 3 ? miss(rng) : hit(rng);
    out.push_back(std::max<int64_t>(1, std::llround(v)));
  }
  return out;
}

double exact_mean(const std::vector<int64_t>& samples) {
  long double sum = 0;
  for (int64_t v : samples) sum += v;
  return static_cast<double>(sum / samples.size());
}

TEST(Histogram, PercentilesOfOneToHundredThousand) {
  const auto samples = one_to(100'000);
  const Histogram h = record_all(samples);
  expect_percentiles_match(h, samples);
  EXPECT_DOUBLE_EQ(h.mean(), 50'000.5);
  EXPECT_EQ(h.sum(), uint64_t{100'000} * 100'001 / 2);
  // Below 2048 every value has its own bucket, so those percentiles are exact.
  EXPECT_EQ(h.percentile(1.0), 1000);
  EXPECT_EQ(h.percentile(2.0), 2000);
}

TEST(Histogram, PercentilesOfLogNormalSample) {
  const auto samples = log_normal_sample(200'000);
  const Histogram h = record_all(samples);
  expect_percentiles_match(h, samples);
  EXPECT_NEAR(h.mean(), exact_mean(samples), exact_mean(samples) * 1e-12);
  EXPECT_EQ(h.saturated(), 0u);
}

TEST(Histogram, PercentilesOfBimodalSample) {
  const auto samples = bimodal_sample(200'000);
  const Histogram h = record_all(samples);
  expect_percentiles_match(h, samples);
  // The median is a cache hit, p90 a miss: nothing is smeared between the modes.
  EXPECT_LT(h.percentile(50), 1'000);
  EXPECT_GT(h.percentile(90), 1'000'000);
}

TEST(Histogram, EveryValueIsWithinATenthOfAPercent) {
  // p100 is the exact max, so use p50 of a single value recorded twice with a larger one: the
  // reported value is the top of the first value's bucket.
  for (int64_t v : {1, 999, 1000, 2047, 2048, 2049, 4095, 4096, 123'457, 1'048'577, 59'999'999}) {
    Histogram h;
    h.record(v);
    h.record(Histogram::kHighestUs);
    const int64_t reported = h.percentile(50);
    SCOPED_TRACE(v);
    EXPECT_GE(reported, v);
    EXPECT_LT(reported - v, bucket_width(v));
    EXPECT_LE(static_cast<double>(reported - v), static_cast<double>(v) * 0.001);
  }
}

TEST(Histogram, MinMaxCountExact) {
  Histogram h;
  for (int64_t v : {700, 3, 5'000'001, 42, 12'345}) h.record(v);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.min(), 3);
  EXPECT_EQ(h.max(), 5'000'001);
  EXPECT_EQ(h.sum(), 700u + 3 + 5'000'001 + 42 + 12'345);
}

TEST(Histogram, ClampsAndCountsSaturation) {
  Histogram h;
  h.record(0);
  h.record(-5);
  h.record(std::numeric_limits<int64_t>::min());
  h.record(Histogram::kHighestUs);  // the limit itself is representable
  h.record(Histogram::kHighestUs + 1);
  h.record(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(h.count(), 6u);
  EXPECT_EQ(h.saturated(), 2u);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), Histogram::kHighestUs);
  EXPECT_EQ(h.sum(), 3u + 3u * 60'000'000u);
  EXPECT_EQ(h.percentile(0), 1);
  EXPECT_EQ(h.percentile(50), 1);
  EXPECT_EQ(h.percentile(51), Histogram::kHighestUs);
  EXPECT_EQ(h.percentile(100), Histogram::kHighestUs);
}

TEST(Histogram, EmptyReportsZero) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.saturated(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  for (double p : {0.0, 50.0, 99.9, 100.0}) EXPECT_EQ(h.percentile(p), 0) << p;
}

TEST(Histogram, ZeroAndHundredAreMinAndMax) {
  Histogram h;
  for (int64_t v : {5'000, 7'777, 100'001}) h.record(v);
  EXPECT_EQ(h.percentile(0), 5'000);
  EXPECT_EQ(h.percentile(100), 100'001);
  // Out of range p is clamped, NaN counts as 0.
  EXPECT_EQ(h.percentile(-3), 5'000);
  EXPECT_EQ(h.percentile(std::nan("")), 5'000);
  EXPECT_EQ(h.percentile(250), 100'001);
}

TEST(Histogram, NeverAboveMax) {
  // 100001 sits in a bucket 64 wide (99968..100031); the top of that bucket was never seen.
  Histogram h;
  h.record(100'001);
  for (double p : {0.001, 50.0, 99.0, 99.999}) EXPECT_EQ(h.percentile(p), 100'001) << p;
}

TEST(Histogram, RankRoundsUpToWholeValues) {
  // 1000 values 1..1000: p99.9 is the 999th value exactly, p99.95 needs the 1000th.
  const Histogram h = record_all(one_to(1000));
  EXPECT_EQ(h.percentile(99.9), 999);
  EXPECT_EQ(h.percentile(99.95), 1000);
  EXPECT_EQ(h.percentile(0.1), 1);
  EXPECT_EQ(h.percentile(0.15), 2);
  EXPECT_EQ(h.percentile(50), 500);
}

TEST(Histogram, RecordNEqualsRepeatedRecord) {
  Histogram batched, single;
  batched.record_n(250, 3);
  batched.record_n(70'000'000, 2);
  batched.record_n(9, 0);  // nothing, and no effect on min
  for (int i = 0; i < 3; ++i) single.record(250);
  for (int i = 0; i < 2; ++i) single.record(70'000'000);
  EXPECT_EQ(batched.to_json(), single.to_json());
  EXPECT_EQ(batched.min(), 250);
  EXPECT_EQ(batched.saturated(), 2u);

  Histogram untouched;
  untouched.record_n(9, 0);
  EXPECT_EQ(untouched.count(), 0u);
  EXPECT_EQ(untouched.min(), 0);
}

void expect_same(const Histogram& a, const Histogram& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.saturated(), b.saturated());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_EQ(a.sum(), b.sum());
  for (int tenth = 0; tenth <= 1000; ++tenth) {
    const double p = tenth / 10.0;
    ASSERT_EQ(a.percentile(p), b.percentile(p)) << "p" << p;
  }
  for (double p : {99.95, 99.99, 99.999, 99.9999}) EXPECT_EQ(a.percentile(p), b.percentile(p)) << p;
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  auto samples = log_normal_sample(200'000);
  samples.push_back(0);
  samples.push_back(90'000'000);
  Histogram parts[3], all;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    parts[i % 3].record(samples[i]);
    all.record(samples[i]);
  }
  Histogram merged;  // starts empty, like the collector's
  for (const Histogram& part : parts) merged.merge(part);
  expect_same(merged, all);
  EXPECT_EQ(merged.to_json(), all.to_json());
  EXPECT_EQ(merged.saturated(), 1u);

  Histogram with_empty = all;
  with_empty.merge(Histogram());
  expect_same(with_empty, all);
}

TEST(Histogram, ResetEmpties) {
  Histogram h = record_all(one_to(5000));
  h.reset();
  EXPECT_EQ(h.to_json(), Histogram().to_json());
  h.record(17);
  EXPECT_EQ(h.min(), 17);
  EXPECT_EQ(h.percentile(50), 17);
}

TEST(Histogram, JsonIsSparse) {
  Histogram h;
  for (int64_t v : {5, 5, 7, 3000, 3001}) h.record(v);  // 3000 and 3001 share a 2-wide bucket
  const json j = h.to_json();
  EXPECT_EQ(j.at("unit"), "us");
  EXPECT_EQ(j.at("lowest"), 1);
  EXPECT_EQ(j.at("highest"), 60'000'000);
  EXPECT_EQ(j.at("significant_digits"), 3);
  EXPECT_EQ(j.at("count"), 5);
  EXPECT_EQ(j.at("saturated"), 0);
  EXPECT_EQ(j.at("min"), 5);
  EXPECT_EQ(j.at("max"), 3001);
  EXPECT_EQ(j.at("sum"), 6018);
  EXPECT_EQ(j.at("buckets"), json::parse("[[5,2],[7,1],[3000,2]]"));
}

TEST(Histogram, JsonRoundTrip) {
  auto samples = bimodal_sample(50'000);
  const auto more = log_normal_sample(50'000);
  samples.insert(samples.end(), more.begin(), more.end());
  samples.push_back(61'000'000);
  const Histogram h = record_all(samples);
  // Through text, as result files are.
  const Histogram back = Histogram::from_json(json::parse(h.to_json().dump()));
  expect_same(back, h);
  EXPECT_EQ(back.to_json(), h.to_json());
  EXPECT_EQ(back.mean(), h.mean());

  const Histogram empty = Histogram::from_json(Histogram().to_json());
  EXPECT_EQ(empty.count(), 0u);
  EXPECT_EQ(empty.percentile(99), 0);
}

TEST(Histogram, ResultFilesFromSeveralMachinesMerge) {
  const auto samples = log_normal_sample(90'000, 99);
  Histogram machines[2], all;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    machines[i < 30'000 ? 0 : 1].record(samples[i]);
    all.record(samples[i]);
  }
  Histogram merged;
  for (const Histogram& m : machines)
    merged.merge(Histogram::from_json(json::parse(m.to_json().dump())));
  expect_same(merged, all);
}

void expect_refused(const json& j, const std::string& message_start) {
  try {
    Histogram::from_json(j);
    ADD_FAILURE() << "accepted " << j.dump();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), testing::StartsWith(message_start)) << j.dump();
  }
}

json valid() {
  Histogram h;
  for (int64_t v : {5, 5, 7, 3000, 3001}) h.record(v);
  return h.to_json();
}

TEST(Histogram, FromJsonNamesTheBadField) {
  expect_refused(json::array(), "histogram: must be an object");
  expect_refused("histogram", "histogram: must be an object");

  json j = valid();
  j.erase("buckets");
  expect_refused(j, "histogram.buckets: missing");

  j = valid();
  j["buckets"] = json::object();
  expect_refused(j, "histogram.buckets: must be an array");

  j = valid();
  j["unit"] = "ms";
  expect_refused(j, "histogram.unit: must be \"us\"");

  j = valid();
  j["highest"] = 3'600'000'000;
  expect_refused(j, "histogram.highest: must be 60000000");

  j = valid();
  j["significant_digits"] = 2;
  expect_refused(j, "histogram.significant_digits: must be 3");

  j = valid();
  j["buckets"][1][1] = -1;
  expect_refused(j, "histogram.buckets[1]: count must be a non-negative integer");

  j = valid();
  j["buckets"][2][1] = 1.5;
  expect_refused(j, "histogram.buckets[2]: count must be a non-negative integer");

  j = valid();
  j["buckets"][0][0] = 0;
  expect_refused(j, "histogram.buckets[0]: value must be an integer from 1 to 60000000");

  j = valid();
  j["buckets"][2][0] = 60'000'001;
  expect_refused(j, "histogram.buckets[2]: value must be an integer from 1 to 60000000");

  j = valid();
  j["buckets"][1] = 7;
  expect_refused(j, "histogram.buckets[1]: must be a [value, count] pair");

  j = valid();
  std::swap(j["buckets"][0], j["buckets"][1]);
  expect_refused(j, "histogram.buckets[1]: value must be in a higher bucket");

  j = valid();
  j["count"] = "5";
  expect_refused(j, "histogram.count: must be a non-negative integer");

  j = valid();
  j["count"] = 6;
  expect_refused(j, "histogram.count: 6 is not the buckets' total 5");

  j = valid();
  j["min"] = 4;
  expect_refused(j, "histogram.min: 4 is not in the lowest bucket");

  j = valid();
  j["max"] = 3002;
  expect_refused(j, "histogram.max: 3002 is not in the highest bucket");

  j = valid();
  j["saturated"] = 1;
  expect_refused(j, "histogram.saturated");

  j = valid();
  j.erase("sum");
  expect_refused(j, "histogram.sum: missing");
}

TEST(Histogram, MemoryIsFixed) {
  Histogram h;
  const std::size_t before = h.memory_bytes();
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> any(-10, 70'000'000);
  for (int i = 0; i < 1'000'000; ++i) h.record(any(rng));
  EXPECT_EQ(h.memory_bytes(), before);
  h.merge(h);
  EXPECT_EQ(h.memory_bytes(), before);
  EXPECT_EQ(Histogram::from_json(h.to_json()).memory_bytes(), before);
  EXPECT_LT(before, std::size_t{256} * 1024);  // small enough for one per worker thread
}

}  // namespace
