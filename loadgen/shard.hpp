// One load split over N generators (`kmsconf load --shard I/N`): shard I's share of the rate and
// of the workload's keys, and how its names and its result file say which shard it was.
#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "loadgen/workload.hpp"

namespace kmsconf::loadgen {

// More generators than this would each send too little to measure anything; the "-sNNN" the
// run prefix gains stays within the 31-character names of the dialects.
inline constexpr int kMaxShards = 1000;

// Shard `index` (0-based) of `count`.
struct Shard {
  int index = 0;
  int count = 1;
  bool operator==(const Shard&) const = default;
};

// "I/N" with 0 <= I < N <= kMaxShards, decimal digits only. std::invalid_argument saying what is
// wrong, without the option's name (the caller knows it).
Shard parse_shard(std::string_view text);
std::string shard_text(const Shard& shard);  // "I/N"

// `total` split over `parts` as evenly as it goes: the first `total % parts` get one more. The
// one rule for connections over worker threads and keys over shards.
std::size_t even_share(std::size_t total, std::size_t index, std::size_t parts);

// The open-loop rate one shard sends: 1/N of the whole, so N shards together send `rate`.
// Unchanged without a shard. Stages, too, scale each of their rates through this.
double shard_rate(double rate, const std::optional<Shard>& shard);

// The workload a shard sets up: its even share of the keys and of Decrypt's ciphertexts, at
// least one of each the workload needs, so N shards together create about what one run would.
// What is sent (operations, sizes) is unchanged.
Workload shard_workload(const Workload& workload, const std::optional<Shard>& shard);

// "kc-261207t1839-fc42-s3": the run prefix naming shard 3, so the shards' keys tell apart and
// still carry the prefix `kmsconf test --sweep` looks for. Unchanged without a shard.
std::string shard_run_prefix(const std::string& run_prefix, const std::optional<Shard>& shard);

// {"index": I, "count": N}, as the result file's config writes it.
nlohmann::json shard_json(const Shard& shard);
// The shard of that form; nullopt for anything else.
std::optional<Shard> shard_from_json(const nlohmann::json& j);

}  // namespace kmsconf::loadgen
