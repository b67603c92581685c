// Splitting one load over N generators (shard.hpp).
#include "loadgen/shard.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace kmsconf::loadgen {
namespace {

const std::string kShardForm = "I/N with 0 <= I < N <= " + std::to_string(kMaxShards);

// A whole number of decimal digits only: no sign, space or exponent a typo could hide in.
std::optional<int> whole_number(std::string_view text) {
  if (text.empty() || text.size() > 4 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// A share of at least one when the whole has any: a shard without keys could send nothing.
int share_of_at_least_one(int total, const Shard& shard) {
  if (total <= 0) return total;
  const auto share =
      even_share(static_cast<std::size_t>(total), static_cast<std::size_t>(shard.index),
                 static_cast<std::size_t>(shard.count));
  return std::max(1, static_cast<int>(share));
}

}  // namespace

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    throw std::invalid_argument(std::string(text) + ": not " + kShardForm);
  }
  const auto index = whole_number(text.substr(0, slash));
  const auto count = whole_number(text.substr(slash + 1));
  if (!index || !count) throw std::invalid_argument(std::string(text) + ": not " + kShardForm);
  if (*count < 1 || *count > kMaxShards) {
    throw std::invalid_argument(std::string(text) + ": N must be 1.." + std::to_string(kMaxShards));
  }
  if (*index >= *count) {
    throw std::invalid_argument(std::string(text) + ": I counts from 0 and must be below N");
  }
  return {*index, *count};
}

std::string shard_text(const Shard& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

std::size_t even_share(std::size_t total, std::size_t index, std::size_t parts) {
  return total / parts + (index < total % parts ? 1 : 0);
}

double shard_rate(double rate, const std::optional<Shard>& shard) {
  return shard ? rate / shard->count : rate;
}

Workload shard_workload(const Workload& workload, const std::optional<Shard>& shard) {
  if (!shard) return workload;
  Workload part = workload;
  part.setup.keys = share_of_at_least_one(workload.setup.keys, *shard);
  part.setup.ciphertexts = share_of_at_least_one(workload.setup.ciphertexts, *shard);
  return part;
}

std::string shard_run_prefix(const std::string& run_prefix, const std::optional<Shard>& shard) {
  return shard ? run_prefix + "-s" + std::to_string(shard->index) : run_prefix;
}

nlohmann::json shard_json(const Shard& shard) {
  return {{"index", shard.index}, {"count", shard.count}};
}

std::optional<Shard> shard_from_json(const nlohmann::json& j) {
  if (!j.is_object() || j.size() != 2) return std::nullopt;
  const auto index = j.find("index");
  const auto count = j.find("count");
  if (index == j.end() || count == j.end() || !index->is_number_integer() ||
      !count->is_number_integer()) {
    return std::nullopt;
  }
  const auto i = index->get<int64_t>();
  const auto n = count->get<int64_t>();
  if (n < 1 || n > kMaxShards || i < 0 || i >= n) return std::nullopt;
  return Shard{static_cast<int>(i), static_cast<int>(n)};
}

}  // namespace kmsconf::loadgen
