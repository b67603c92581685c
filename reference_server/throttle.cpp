#include "reference_server/throttle.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reference_server/credentials.hpp"

namespace kmsconf::server {
namespace {

using nlohmann::json;

Quota parse_quota(const json& value, const std::string& where) {
  if (!value.is_object()) throw ConfigError(where + ": must be an object");
  Quota q;
  for (const char* field : {"rate", "burst"}) {
    auto it = value.find(field);
    if (it == value.end() || !it->is_number() || it->get<double>() <= 0) {
      throw ConfigError(where + ": field '" + field + "' must be a positive number");
    }
  }
  q.rate_per_second = value["rate"].get<double>();
  q.burst = value["burst"].get<double>();
  return q;
}

}  // namespace

void QuotaConfig::merge_json_text(const std::string& text, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(origin + ": not valid JSON (" + e.what() + ")");
  }
  if (!doc.is_object()) throw ConfigError(origin + ": must be a JSON object");
  for (const auto& [name, value] : doc.items()) {
    bool known = name == "default" || ((name == "actions" || name == "pools") && value.is_object());
    if (!known) {
      throw ConfigError(origin + ": unknown or malformed field '" + name +
                        "' (expected default, actions, pools)");
    }
  }
  if (auto it = doc.find("default"); it != doc.end()) {
    default_quota = parse_quota(*it, origin + ": default");
  }
  if (auto it = doc.find("pools"); it != doc.end()) {
    for (const auto& [pool, entry] : it->items()) {
      std::string where = origin + ": pools." + pool;
      pools[pool] = parse_quota(entry, where);
      auto actions = entry.find("actions");
      if (actions == entry.end() || !actions->is_array()) {
        throw ConfigError(where + ": field 'actions' must be an array of action names");
      }
      for (const auto& action : *actions) {
        if (!action.is_string()) throw ConfigError(where + ": field 'actions' must hold strings");
        action_pool[action.get<std::string>()] = pool;
      }
    }
  }
  // Last, whatever the key order in the file: an action-level quota takes the action out of
  // its pool, in the same file as in a later one.
  if (auto it = doc.find("actions"); it != doc.end()) {
    for (const auto& [action, quota] : it->items()) {
      pools[action] = parse_quota(quota, origin + ": actions." + action);
      action_pool.erase(action);
    }
  }
}

void QuotaConfig::merge_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  merge_json_text(text.str(), path);
}

QuotaConfig QuotaConfig::over(const QuotaConfig& defaults) const {
  QuotaConfig merged = defaults;
  merged.default_quota = default_quota;
  for (const auto& [pool, quota] : pools) {
    merged.pools[pool] = quota;
    merged.action_pool.erase(pool);  // an action-level quota takes the action out of its pool
  }
  for (const auto& [action, pool] : action_pool) merged.action_pool[action] = pool;
  return merged;
}

std::string QuotaConfig::pool_of(const std::string& action) const {
  auto it = action_pool.find(action);
  return it == action_pool.end() ? action : it->second;
}

Quota QuotaConfig::quota_of(const std::string& pool) const {
  auto it = pools.find(pool);
  return it == pools.end() ? default_quota : it->second;
}

Throttler::Throttler(QuotaConfig config, std::shared_ptr<const engine::Clock> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

bool Throttler::try_acquire(const std::string& account_id, const std::string& action) {
  std::string pool = config_.pool_of(action);
  Quota quota = config_.quota_of(pool);
  engine::TimePoint now = clock_->now();
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(account_id + '\n' + pool);
  Bucket& bucket = it->second;
  if (fresh) {
    bucket.tokens = quota.burst;
  } else {
    double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    bucket.tokens =
        std::min(quota.burst, bucket.tokens + std::max(0.0, elapsed) * quota.rate_per_second);
  }
  bucket.last = now;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace kmsconf::server
