// Token buckets per (account, pool). A pool is one action (Volcengine) or a documented group
// of actions sharing one quota (Alibaba). Refused requests take no token and change nothing.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "reference_server/engine/clock.hpp"

namespace kmsconf::server {

struct Quota {
  double rate_per_second = 0;  // refill rate
  double burst = 0;            // bucket capacity
};

struct QuotaConfig {
  Quota default_quota{1000, 2000};
  std::map<std::string, Quota> pools;              // pool name -> quota
  std::map<std::string, std::string> action_pool;  // action -> pool; absent: the action itself

  // Overrides from a --quotas file:
  // {"default":{"rate":R,"burst":B}, "actions":{"Encrypt":{"rate":R,"burst":B}},
  //  "pools":{"symmetric":{"rate":R,"burst":B,"actions":["Encrypt","Decrypt"]}}}
  void merge_json_text(const std::string& text, const std::string& origin);
  void merge_file(const std::string& path);

  // This configuration laid over a dialect's defaults: its pools and action assignments win,
  // the defaults' others stay; the default quota is this one's.
  QuotaConfig over(const QuotaConfig& defaults) const;

  std::string pool_of(const std::string& action) const;
  Quota quota_of(const std::string& pool) const;
};

class Throttler {
 public:
  Throttler(QuotaConfig config, std::shared_ptr<const engine::Clock> clock);

  // True when the call may proceed (a token was taken).
  bool try_acquire(const std::string& account_id, const std::string& action);
  const QuotaConfig& config() const { return config_; }

 private:
  struct Bucket {
    double tokens = 0;
    engine::TimePoint last;
  };

  QuotaConfig config_;
  std::shared_ptr<const engine::Clock> clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace kmsconf::server
