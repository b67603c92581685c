// Keyrings: named containers of keys within an account and region.
#include <algorithm>

#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

size_t count_keys(const RegionState& reg, const std::string& keyring_id) {
  size_t n = 0;
  for (const auto& [id, key] : reg.keys) n += key.info.keyring_id == keyring_id ? 1 : 0;
  return n;
}

}  // namespace

KeyringInfo Engine::create_keyring(const Scope& scope, const CreateKeyringRequest& request) {
  std::lock_guard lock(state_->mutex);
  RegionState& reg = state_->region(scope);
  if (state_->find_keyring_by_name(reg, request.name)) {
    throw EngineError::conflict("keyring", request.name);
  }
  KeyringRecord ring;
  ring.info.id = uuid_v4();
  ring.info.account_id = scope.account_id;
  ring.info.region = scope.region;
  ring.info.name = request.name;
  ring.info.type = request.type;
  ring.info.description = request.description;
  ring.info.project = request.project;
  ring.info.created = ring.info.updated = state_->now();
  ring.sequence = state_->next_sequence();
  auto [it, inserted] = reg.keyrings.emplace(ring.info.id, std::move(ring));
  return it->second.info;
}

KeyringInfo Engine::get_keyring(const Scope& scope, const KeyringSelector& selector) const {
  std::lock_guard lock(state_->mutex);
  state_->settle_all(scope);
  KeyringRecord& ring = state_->resolve_keyring(scope, selector);
  KeyringInfo info = ring.info;
  info.key_count = count_keys(state_->region(scope), info.id);
  return info;
}

std::vector<KeyringInfo> Engine::list_keyrings(const Scope& scope) const {
  std::lock_guard lock(state_->mutex);
  state_->settle_all(scope);
  RegionState& reg = state_->region(scope);
  std::vector<const KeyringRecord*> rings;
  for (const auto& [id, ring] : reg.keyrings) rings.push_back(&ring);
  std::sort(rings.begin(), rings.end(), created_before<KeyringRecord>);
  std::vector<KeyringInfo> out;
  for (const KeyringRecord* ring : rings) {
    out.push_back(ring->info);
    out.back().key_count = count_keys(reg, ring->info.id);
  }
  return out;
}

void Engine::update_keyring(const Scope& scope, const KeyringSelector& selector,
                            const KeyringUpdate& update) {
  std::lock_guard lock(state_->mutex);
  KeyringRecord& ring = state_->resolve_keyring(scope, selector);
  if (update.new_name && *update.new_name != ring.info.name) {
    if (state_->find_keyring_by_name(state_->region(scope), *update.new_name)) {
      throw EngineError::conflict("keyring", *update.new_name);
    }
    ring.info.name = *update.new_name;
    for (auto& [id, key] : state_->region(scope).keys) {
      if (key.info.keyring_id == ring.info.id) key.info.keyring_name = ring.info.name;
    }
  }
  if (update.description) ring.info.description = *update.description;
  ring.info.updated = state_->now();
}

void Engine::delete_keyring(const Scope& scope, const KeyringSelector& selector) {
  std::lock_guard lock(state_->mutex);
  state_->settle_all(scope);
  KeyringRecord& ring = state_->resolve_keyring(scope, selector);
  RegionState& reg = state_->region(scope);
  if (count_keys(reg, ring.info.id) > 0) throw EngineError::invalid_operation("keyring not empty");
  reg.keyrings.erase(ring.info.id);
}

}  // namespace kmsconf::engine
