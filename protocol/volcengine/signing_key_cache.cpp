// The per-thread signing-key cache (signing_key_cache.hpp).
#include "protocol/volcengine/signing_key_cache.hpp"

#include <array>
#include <atomic>
#include <cstddef>

#include "protocol/digest.hpp"
#include "protocol/volcengine/signer.hpp"

namespace kmsconf::volcengine {
namespace {

std::atomic<bool> g_enabled{true};

struct Entry {
  std::string secret;
  std::string date;
  std::string region;
  std::string service;
  std::string key;  // empty: unused slot
};

// Four slots replaced in turn: enough for the secrets a worker or a server thread meets in one
// day, and a linear scan of four is cheaper than hashing the key.
struct Cache {
  std::array<Entry, 4> entries;
  std::size_t next = 0;

  const Entry* find(std::string_view secret, std::string_view date, std::string_view region,
                    std::string_view service) const {
    for (const Entry& e : entries) {
      if (!e.key.empty() && e.date == date && e.region == region && e.service == service &&
          constant_time_equal(e.secret, secret)) {
        return &e;
      }
    }
    return nullptr;
  }

  const Entry& insert(std::string_view secret, std::string_view date, std::string_view region,
                      std::string_view service) {
    Entry& e = entries[next];
    next = (next + 1) % entries.size();
    e.secret.assign(secret);
    e.date.assign(date);
    e.region.assign(region);
    e.service.assign(service);
    e.key = derive_signing_key(secret, date, region, service);
    return e;
  }
};

}  // namespace

std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service) {
  if (!g_enabled.load(std::memory_order_relaxed)) {
    return derive_signing_key(secret_access_key, date, region, service);
  }
  thread_local Cache cache;
  if (const Entry* hit = cache.find(secret_access_key, date, region, service)) return hit->key;
  return cache.insert(secret_access_key, date, region, service).key;
}

void set_signing_key_cache_enabled(bool enabled) {
  g_enabled.store(enabled, std::memory_order_relaxed);
}

bool signing_key_cache_enabled() {
  return g_enabled.load(std::memory_order_relaxed);
}

}  // namespace kmsconf::volcengine
