#include "reference_server/alibaba/nonce_cache.hpp"

#include "protocol/digest.hpp"

namespace kmsconf::server::alibaba {
namespace {

// Length-prefixed so ("ab", "c") and ("a", "bc") differ, then hashed to a fixed size.
std::string key_of(std::string_view access_key_id, std::string_view nonce) {
  std::string material = std::to_string(access_key_id.size());
  material.push_back(':');
  material += access_key_id;
  material += nonce;
  return sha256(material);
}

}  // namespace

NonceCache::NonceCache(Options options) : options_(options) {}

bool NonceCache::seen_or_record(std::string_view access_key_id, std::string_view nonce,
                                TimePoint now) {
  std::string key = key_of(access_key_id, nonce);
  const std::lock_guard lock(mutex_);
  purge_expired(now);
  auto [it, inserted] = entries_.try_emplace(std::move(key), Entry{now, next_sequence_});
  if (!inserted) {
    if (now < it->second.recorded + options_.window) return true;
    it->second = Entry{now, next_sequence_};  // expired but not yet purged: a fresh sighting
  }
  order_.emplace_back(&it->first, next_sequence_++);
  evict_to(options_.max_entries);
  return false;
}

size_t NonceCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

void NonceCache::clear() {
  const std::lock_guard lock(mutex_);
  order_.clear();
  entries_.clear();
}

void NonceCache::pop_oldest() {
  const auto [key, sequence] = order_.front();
  order_.pop_front();
  auto it = entries_.find(*key);
  if (it != entries_.end() && it->second.sequence == sequence) entries_.erase(it);
}

// Stops at the first live entry that has not expired; with a monotonic clock that is exact.
void NonceCache::purge_expired(TimePoint now) {
  while (!order_.empty()) {
    const auto& [key, sequence] = order_.front();
    const Entry& entry = entries_.at(*key);
    if (entry.sequence == sequence && now < entry.recorded + options_.window) return;
    pop_oldest();
  }
}

void NonceCache::evict_to(size_t max_entries) {
  while (entries_.size() > max_entries && !order_.empty()) pop_oldest();
}

}  // namespace kmsconf::server::alibaba
