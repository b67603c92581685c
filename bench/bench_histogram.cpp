// Cost of the load generator's latency histogram: recording (hot path) and the end-of-run work.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/histogram.hpp"

namespace {

using kmsconf::loadgen::Histogram;

// Latencies spread like a real run (log-normal, median 20 ms, 50 us..10 s), precomputed so the
// benchmark times recording, not the random generator. 64 Ki values: bigger than the branch
// predictor can learn, small enough to stay in cache.
const std::vector<int64_t>& latencies() {
  static const std::vector<int64_t> values = [] {
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> dist(std::log(20'000.0), 1.6);
    std::vector<int64_t> out(1 << 16);
    for (auto& v : out) v = std::clamp<int64_t>(std::llround(dist(rng)), 50, 10'000'000);
    return out;
  }();
  return values;
}

Histogram filled(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(20'000.0), 1.6);
  Histogram h;
  for (int i = 0; i < n; ++i) h.record(std::llround(dist(rng)));
  return h;
}

void BM_Record(benchmark::State& state) {
  const auto& values = latencies();
  const std::size_t mask = values.size() - 1;
  Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & mask]);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Record);

// Half the values out of range (below 1 or above 60 s), to show clamping costs nothing extra.
void BM_RecordClamped(benchmark::State& state) {
  std::vector<int64_t> values = latencies();
  for (std::size_t k = 0; k < values.size(); k += 4) values[k] = -values[k];
  for (std::size_t k = 2; k < values.size(); k += 4) values[k] *= 10'000;
  const std::size_t mask = values.size() - 1;
  Histogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & mask]);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordClamped);

void BM_Percentile(benchmark::State& state) {
  const Histogram h = filled(2, 1'000'000);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.percentile(99.9));
  }
}
BENCHMARK(BM_Percentile);

// One worker's histogram into the collector's.
void BM_Merge(benchmark::State& state) {
  const Histogram worker = filled(3, 1'000'000);
  Histogram total;
  for (auto _ : state) {
    total.merge(worker);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_Merge);

// Including the dump to text, as a result file is written.
void BM_ToJson(benchmark::State& state) {
  const Histogram h = filled(4, 1'000'000);
  state.counters["buckets"] = static_cast<double>(h.to_json().at("buckets").size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.to_json().dump());
  }
}
BENCHMARK(BM_ToJson)->Unit(benchmark::kMicrosecond);

void BM_FromJson(benchmark::State& state) {
  const nlohmann::json j = filled(5, 1'000'000).to_json();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Histogram::from_json(j).count());
  }
}
BENCHMARK(BM_FromJson)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
