// Pre-generated RSA key pairs, so that test runs need not pay for RSA key generation (hundreds
// of milliseconds per RSA-2048 pair, seconds for RSA-4096) each time a case creates a key.
//
// A KeyPool is the immutable list read from a PEM file; a KeySource is one engine's view of it:
// it hands out each pooled pair at most once, then falls back to generating fresh pairs, so
// keys of one server never share material and behaviour is the same with or without a pool.
// Only the conformance runner's in-process servers (and `kmsconf serve --key-pool`) use one;
// a KMS serving anyone but a test must generate its keys.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reference_server/engine/model.hpp"

namespace kmsconf::engine::crypto {

class KeyPool {
 public:
  // Throws std::invalid_argument naming the file (and line) when it cannot be read or holds a
  // block that is not an RSA-2048/3072/4096 private key.
  static std::shared_ptr<const KeyPool> load(const std::string& path);
  static std::shared_ptr<const KeyPool> parse(std::string_view pem, const std::string& origin);

  const std::vector<KeyMaterialPtr>& pairs(KeySpec spec) const;
  size_t size() const;

 private:
  std::map<KeySpec, std::vector<KeyMaterialPtr>> pairs_;
};

class KeySource {
 public:
  explicit KeySource(std::shared_ptr<const KeyPool> pool = nullptr) : pool_(std::move(pool)) {}

  // Like crypto::generate / generate_wrapping_key, drawing RSA pairs from the pool while it has
  // unused ones. Thread-safe.
  KeyMaterialPtr generate(KeySpec spec);
  KeyMaterialPtr generate_wrapping_key(WrappingKeySpec spec);

  struct Counts {
    size_t pooled = 0;     // RSA pairs taken from the pool
    size_t generated = 0;  // RSA pairs generated because the pool had none left (or no pool)
  };
  Counts counts() const;

 private:
  std::shared_ptr<const KeyPool> pool_;
  mutable std::mutex mutex_;
  std::map<KeySpec, size_t> next_;  // index of the next unused pair per spec
  Counts counts_;
};

}  // namespace kmsconf::engine::crypto
