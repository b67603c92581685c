#include "reference_server/engine/crypto/key_pool.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "reference_server/engine/crypto/crypto.hpp"

namespace kmsconf::engine::crypto {
namespace {

bool is_rsa_spec(KeySpec spec) {
  return spec == KeySpec::Rsa2048 || spec == KeySpec::Rsa3072 || spec == KeySpec::Rsa4096;
}

}  // namespace

std::shared_ptr<const KeyPool> KeyPool::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot read the key pool file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::shared_ptr<const KeyPool> KeyPool::parse(std::string_view pem, const std::string& origin) {
  auto pool = std::make_shared<KeyPool>();
  for (KeyMaterialPtr& pair : rsa_pairs_from_pem(pem, origin)) {
    pool->pairs_[spec_of(*pair)].push_back(std::move(pair));
  }
  return pool;
}

const std::vector<KeyMaterialPtr>& KeyPool::pairs(KeySpec spec) const {
  static const std::vector<KeyMaterialPtr> none;
  auto it = pairs_.find(spec);
  return it == pairs_.end() ? none : it->second;
}

size_t KeyPool::size() const {
  size_t total = 0;
  for (const auto& [spec, list] : pairs_) total += list.size();
  return total;
}

KeyMaterialPtr KeySource::generate(KeySpec spec) {
  if (!is_rsa_spec(spec)) return crypto::generate(spec);  // cheap: nothing to pool
  {
    std::lock_guard lock(mutex_);
    if (pool_) {
      const auto& pairs = pool_->pairs(spec);
      size_t& next = next_[spec];
      if (next < pairs.size()) {
        ++counts_.pooled;
        return pairs[next++];
      }
    }
    ++counts_.generated;
  }
  return crypto::generate(spec);  // outside the lock: slow
}

KeyMaterialPtr KeySource::generate_wrapping_key(WrappingKeySpec spec) {
  return generate(wrapping_key_spec(spec));
}

KeySource::Counts KeySource::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace kmsconf::engine::crypto
