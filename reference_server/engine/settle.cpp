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
  // A replica shares its primary's versions and rotates with it: settle the primary first, so
  // the replica never serves a version the primary's schedule has already replaced.
  if (key.family && key.family->primary.key_id != key_id) {
    RegionalKeyRef primary = key.family->primary;
    settle(Scope{scope.account_id, primary.region}, primary.key_id);
  }
  auto& rotation = key.info.rotation;
  bool enabled = key.info.state == KeyState::Enabled;
  for (int i = 0; i < kMaxCatchUpRotations && rotation.enabled && rotation.next && enabled &&
                  *rotation.next <= t;
       ++i) {
    rotate(key, reg);
  }
  // Past the catch-up bound the rest of the backlog is dropped, not carried to the next touch.
  if (rotation.enabled && rotation.next && enabled && *rotation.next <= t) {
    rotation.next = t + rotation.interval;
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
  add_version(key, reg, keys.generate(key.info.spec));
  // The rotation counts as done when it was due, so the schedule keeps its period and a key
  // untouched for N intervals catches up with N rotations.
  TimePoint t = now();
  TimePoint due = key.info.rotation.next.value_or(t);
  key.info.rotation.last = due;
  key.info.rotation.next = due + key.info.rotation.interval;
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
