// Multi-region keys: replicas share the primary's versions, so each copy decrypts the others'
// ciphertexts; the primary role can move to any replica's region.
#include <algorithm>

#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

void require_primary(const KeyRecord& key, const Scope& scope) {
  if (!key.family) throw EngineError::invalid_operation("not a multi-region key");
  if (key.family->primary.region != scope.region) {
    throw EngineError::invalid_operation("not the primary key");
  }
}

KeyringRecord& ensure_keyring(Engine::State& state, RegionState& target,
                              const KeyringRecord& source, const Scope& target_scope) {
  if (KeyringRecord* existing = state.find_keyring_by_name(target, source.info.name)) {
    return *existing;
  }
  KeyringRecord ring = source;
  ring.info.id = uuid_v4();
  ring.info.region = target_scope.region;
  ring.info.created = ring.info.updated = state.now();
  ring.sequence = state.next_sequence();
  return target.keyrings.emplace(ring.info.id, std::move(ring)).first->second;
}

}  // namespace

KeyInfo Engine::replicate_key(const Scope& scope, const KeySelector& selector,
                              const std::string& replica_region, const std::string& description,
                              const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& primary = state_->resolve_key(scope, selector);
  state_->require(primary, KeyOp::Replicate);
  require_primary(primary, scope);
  if (replica_region == scope.region || !state_->region_known(replica_region)) {
    throw EngineError(ErrorKind::InvalidReplicaRegion, replica_region);
  }
  auto& replicas = primary.family->replicas;
  if (std::any_of(replicas.begin(), replicas.end(),
                  [&](const RegionalKeyRef& ref) { return ref.region == replica_region; })) {
    throw EngineError::conflict("key", primary.info.name + " in " + replica_region);
  }
  Scope target_scope{scope.account_id, replica_region};
  RegionState& target = state_->region(target_scope);
  KeyRecord replica = primary;
  replica.info.id = uuid_v4();
  replica.info.region = replica_region;
  replica.info.description = description;
  replica.info.tags = tags;
  replica.info.created = replica.info.updated = state_->now();
  replica.sequence = state_->next_sequence();
  replica.info.rotation = {};
  replica.info.state = KeyState::Enabled;
  replica.import_session.reset();
  if (!primary.info.keyring_id.empty()) {
    const KeyringRecord& source_ring = state_->region(scope).keyrings.at(primary.info.keyring_id);
    KeyringRecord& ring = ensure_keyring(*state_, target, source_ring, target_scope);
    for (const auto& [id, other] : target.keys) {
      if (other.info.keyring_id == ring.info.id && other.info.name == primary.info.name) {
        throw EngineError::conflict("key", primary.info.name);
      }
    }
    replica.info.keyring_id = ring.info.id;
  }
  replicas.push_back({replica_region, replica.info.id});
  KeyRecord& stored = target.keys.emplace(replica.info.id, std::move(replica)).first->second;
  state_->index_versions(target, stored);
  state_->touch(primary);
  return state_->snapshot(stored);
}

void Engine::update_primary_region(const Scope& scope, const KeySelector& selector,
                                   const std::string& primary_region) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::UpdatePrimaryRegion);
  require_primary(key, scope);
  auto& family = *key.family;
  auto next = std::find_if(family.replicas.begin(), family.replicas.end(),
                           [&](const RegionalKeyRef& ref) { return ref.region == primary_region; });
  if (next == family.replicas.end()) throw EngineError::invalid_parameter(Field::PrimaryRegion);
  RegionalKeyRef old_primary = family.primary;
  family.primary = *next;
  *next = old_primary;
  // Automatic rotation belongs to the primary (replicas settle it first), so its schedule moves
  // with the role; left behind, the family would only rotate when the old primary is touched.
  auto& new_region = state_->region(Scope{scope.account_id, family.primary.region});
  if (auto it = new_region.keys.find(family.primary.key_id); it != new_region.keys.end()) {
    it->second.info.rotation = key.info.rotation;
    key.info.rotation = {};
    state_->touch(it->second);
  }
  state_->touch(key);
}

}  // namespace kmsconf::engine
