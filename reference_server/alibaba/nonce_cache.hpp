// Replay guard for the Alibaba dialect (spec §2.6): remembers (AccessKeyId, nonce) pairs of
// accepted requests for a window, so a second request with the same SignatureNonce /
// x-acs-signature-nonce is answered SignatureNonceUsed. The verifier asks it through
// alibaba::VerifyOptions::nonce_seen, only once a request's signature holds.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace kmsconf::server::alibaba {

class NonceCache {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  struct Options {
    // A request passes the clock check while its timestamp is within ±900 s of the server's
    // clock, so a replay can arrive up to 1800 s after the first sighting (§6.1: 900 s + skew).
    std::chrono::seconds window{1800};
    // Bound on remembered pairs; past it the oldest are forgotten first. Each entry takes a
    // fixed ~150 bytes whatever the nonce's length (pairs are kept as SHA-256 digests).
    size_t max_entries = size_t{1} << 20;
  };

  NonceCache() : NonceCache(Options{}) {}
  explicit NonceCache(Options options);

  // True when (access_key_id, nonce) was recorded less than `window` before now: a replay.
  // Otherwise records it at now and returns false. Nonces are scoped per access key id. Safe to
  // call from any thread; `now` need not be monotonic (a pair recorded "in the future" counts as
  // seen).
  bool seen_or_record(std::string_view access_key_id, std::string_view nonce, TimePoint now);

  size_t size() const;  // pairs currently remembered, expired ones not yet purged included
  void clear();
  const Options& options() const { return options_; }

 private:
  struct Entry {
    TimePoint recorded;
    std::uint64_t sequence;  // of the order_ element that currently stands for this entry
  };
  // Recording order. Points at the map's key (node-based, so stable until that node is erased);
  // an element whose sequence no longer matches its entry's is stale and simply dropped.
  using OrderItem = std::pair<const std::string*, std::uint64_t>;

  void purge_expired(TimePoint now);
  void evict_to(size_t max_entries);
  void pop_oldest();

  const Options options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<OrderItem> order_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace kmsconf::server::alibaba
