// Latency histogram of the load generator: statistics, merging and the JSON result format.
#include "loadgen/histogram.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace kmsconf::loadgen {

namespace {

using namespace histogram_layout;
using nlohmann::json;

constexpr char kUnit[] = "us";

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
  throw std::invalid_argument("histogram" + field + ": " + problem);
}

// nlohmann keeps a non-negative integer as signed or unsigned depending on where it came from
// (parsed text or a C++ int), so accept both.
bool is_non_negative_integer(const json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
}

uint64_t get_count(const json& value, const std::string& field) {
  if (!is_non_negative_integer(value)) fail(field, "must be a non-negative integer");
  return value.get<uint64_t>();
}

const json& require(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) fail(std::string(".") + name, "missing");
  return *it;
}

}  // namespace

// The layout is checked at compile time: the buckets tile 1..kHighestUs without gaps, each
// value maps back to the bucket that contains it, and a bucket wider than 1 is at most a
// thousandth of its lowest value (the 3-digit promise).
static_assert([] {
  for (std::size_t i = 1; i < Histogram::kBucketCount; ++i) {
    const int64_t lowest = lowest_of_index(i), highest = highest_of_index(i);
    const int64_t width = highest - lowest + 1;
    if (index_of(lowest) != i || index_of(highest) != i) return false;
    if (i > 1 && lowest != highest_of_index(i - 1) + 1) return false;
    if (width > 1 && width * 1000 > lowest) return false;
  }
  return lowest_of_index(1) == Histogram::kLowestUs &&
         highest_of_index(Histogram::kBucketCount - 1) >= Histogram::kHighestUs;
}());

Histogram::Histogram() : counts_(kBucketCount, 0) {}

void Histogram::record_n(int64_t value_us, uint64_t n) {
  if (n == 0) return;  // an empty batch must not move min or max
  if (value_us > kHighestUs) saturated_ += n;
  const int64_t value = std::clamp(value_us, kLowestUs, kHighestUs);
  counts_[index_of(value)] += n;
  count_ += n;
  sum_ += static_cast<uint64_t>(value) * n;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  saturated_ += other.saturated_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = saturated_ = sum_ = 0;
  min_ = std::numeric_limits<int64_t>::max();
  max_ = 0;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

int64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0.0)) return min_;  // also NaN
  if (p >= 100.0) return max_;
  // The rank needed is ceil(p% of count). p comes as a decimal like 99.9 that binary cannot hold
  // exactly, so a product within rounding noise of a whole number is taken as that number
  // (otherwise ceil would ask for one value more than 99.9% of 1000).
  const long double exact = static_cast<long double>(p) * count_ / 100.0L;
  const long double nearest = std::round(exact);
  const long double rank =
      std::fabs(exact - nearest) <= exact * 1e-12L ? nearest : std::ceil(exact);
  const uint64_t needed = std::max<uint64_t>(1, static_cast<uint64_t>(rank));
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= needed) return std::min(highest_of_index(i), max_);
  }
  return max_;  // unreachable while count_ is the sum of the buckets
}

std::size_t Histogram::memory_bytes() const {
  return sizeof(Histogram) + counts_.capacity() * sizeof(uint64_t);
}

json Histogram::to_json() const {
  json buckets = json::array();
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) buckets.push_back(json::array({lowest_of_index(i), counts_[i]}));
  }
  return json{{"unit", kUnit},         {"lowest", kLowestUs},
              {"highest", kHighestUs}, {"significant_digits", kSignificantDigits},
              {"count", count_},       {"saturated", saturated_},
              {"min", min()},          {"max", max()},
              {"sum", sum_},           {"buckets", std::move(buckets)}};
}

Histogram Histogram::from_json(const json& j) {
  if (!j.is_object()) fail("", "must be an object");

  const json& unit = require(j, "unit");
  if (unit != kUnit) fail(".unit", "must be \"us\" (microseconds), got " + unit.dump());
  // A different range or precision means a different bucket layout: merging would be wrong.
  const auto expect = [&](const char* name, int64_t wanted) {
    const json& value = require(j, name);
    if (!value.is_number_integer() || value.get<int64_t>() != wanted) {
      fail(std::string(".") + name,
           "must be " + std::to_string(wanted) + " (this histogram's layout), got " + value.dump());
    }
  };
  expect("lowest", kLowestUs);
  expect("highest", kHighestUs);
  expect("significant_digits", kSignificantDigits);

  const uint64_t count = get_count(require(j, "count"), ".count");
  const uint64_t saturated = get_count(require(j, "saturated"), ".saturated");
  const uint64_t sum = get_count(require(j, "sum"), ".sum");
  const uint64_t min = get_count(require(j, "min"), ".min");
  const uint64_t max = get_count(require(j, "max"), ".max");

  const json& buckets = require(j, "buckets");
  if (!buckets.is_array()) fail(".buckets", "must be an array of [value, count] pairs");

  Histogram h;
  uint64_t total = 0;
  std::size_t first = kBucketCount, last = 0;  // non-empty buckets, for the min/max checks
  std::size_t next_index = 0;                  // buckets must come in increasing order
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    const std::string field = ".buckets[" + std::to_string(k) + "]";
    const json& pair = buckets[k];
    if (!pair.is_array() || pair.size() != 2) fail(field, "must be a [value, count] pair");
    const json& value = pair[0];
    if (!value.is_number_integer() || value.get<int64_t>() < kLowestUs ||
        value.get<int64_t>() > kHighestUs) {
      fail(field, "value must be an integer from 1 to 60000000, got " + value.dump());
    }
    const std::size_t index = index_of(value.get<int64_t>());
    if (index < next_index) fail(field, "value must be in a higher bucket than the one before");
    next_index = index + 1;
    if (!is_non_negative_integer(pair[1])) fail(field, "count must be a non-negative integer");
    const uint64_t n = pair[1].get<uint64_t>();
    if (n == 0) continue;
    if (total + n < total) fail(field, "counts add up to more than 2^64");
    total += n;
    h.counts_[index] = n;
    first = std::min(first, index);
    last = index;
  }

  // The totals are stored beside the buckets; a file where they disagree was edited or
  // truncated, and its percentiles cannot be trusted.
  if (count != total) {
    fail(".count", std::to_string(count) + " is not the buckets' total " + std::to_string(total));
  }
  if (count == 0) {
    if (min != 0 || max != 0 || sum != 0 || saturated != 0) {
      fail(".count", "is 0 but min, max, sum or saturated is not");
    }
    return h;
  }
  const auto within = [](uint64_t v, std::size_t index) {
    return v >= static_cast<uint64_t>(lowest_of_index(index)) &&
           v <= static_cast<uint64_t>(highest_of_index(index));
  };
  if (!within(min, first)) fail(".min", std::to_string(min) + " is not in the lowest bucket");
  if (!within(max, last)) fail(".max", std::to_string(max) + " is not in the highest bucket");
  if (min > max) fail(".min", "is above max");
  if (saturated > h.counts_[index_of(kHighestUs)]) {
    fail(".saturated", "is more than the count of the highest bucket");
  }
  h.count_ = count;
  h.saturated_ = saturated;
  h.sum_ = sum;
  h.min_ = static_cast<int64_t>(min);
  h.max_ = static_cast<int64_t>(max);
  return h;
}

}  // namespace kmsconf::loadgen
