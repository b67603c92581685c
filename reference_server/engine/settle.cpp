// Time-driven changes, applied lazily when a key is touched: automatic rotation, expiry of
// imported material, and destruction at the end of a deletion window.
#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {

// Bound on catch-up rotations for a key untouched for a very long time.
constexpr int kMaxCatchUpRotations = 64;

bool Engine::State::settle(const Scope& scope, const std::string& key_id) {
  RegionState& reg = region(scope);
  auto it = reg.keys.find(key_id);
  if (it == reg.keys.end()) return false;
  KeyRecord& key = it->second;
  TimePoint t = now();
  if (key.info.state == KeyState::PendingDeletion && key.info.delete_at &&
      *key.info.delete_at <= t) {
    destroy(reg, key_id);
    return false;
  }
  if (key.info.material_expires_at && *key.info.material_expires_at <= t &&
      key.info.state != KeyState::PendingDeletion) {
    for (auto& version : key.material->versions) version.material.reset();
    key.info.material_expires_at.reset();
    key.info.state = KeyState::PendingImport;
  }
  auto& rotation = key.info.rotation;
  for (int i = 0; i < kMaxCatchUpRotations && rotation.enabled && rotation.next &&
                  key.info.state == KeyState::Enabled && *rotation.next <= t;
       ++i) {
    rotate(key, reg);
  }
  return true;
}

void Engine::State::settle_all(const Scope& scope) {
  RegionState& reg = region(scope);
  std::vector<std::string> ids;
  for (const auto& [id, key] : reg.keys) ids.push_back(id);
  for (const auto& id : ids) settle(scope, id);
}

void Engine::State::rotate(KeyRecord& key, RegionState& reg) {
  add_version(key, reg, crypto::generate(key.info.spec));
  TimePoint t = now();
  key.info.rotation.last = t;
  key.info.rotation.next = t + key.info.rotation.interval;
  key.info.updated = t;
}

void Engine::State::destroy(RegionState& reg, const std::string& key_id) {
  auto it = reg.keys.find(key_id);
  if (it == reg.keys.end()) return;
  KeyRecord& key = it->second;
  for (const auto& version : key.material->versions) reg.version_index.erase(version.info.id);
  reg.family_index.erase(key.family_id);
  for (auto alias = reg.aliases.begin(); alias != reg.aliases.end();) {
    alias = alias->second.key_id == key_id ? reg.aliases.erase(alias) : std::next(alias);
  }
  if (key.family) {
    auto& replicas = key.family->replicas;
    std::erase_if(replicas, [&](const RegionalKeyRef& ref) { return ref.key_id == key_id; });
  }
  reg.keys.erase(it);
}

}  // namespace kmsconf::engine
