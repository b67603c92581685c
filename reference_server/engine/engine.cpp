// Engine construction and the State helpers every operation file uses.
#include "reference_server/engine/engine.hpp"

#include <algorithm>

#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {

Engine::Engine(EngineOptions options) : state_(std::make_unique<State>(std::move(options))) {
  if (!state_->options.clock) state_->options.clock = std::make_shared<SystemClock>();
}

Engine::~Engine() = default;

const std::vector<std::string>& Engine::regions() const {
  return state_->options.regions;
}
const Clock& Engine::clock() const {
  return *state_->options.clock;
}

void Engine::set_service_open(const std::string& account_id, bool open) {
  std::lock_guard lock(state_->mutex);
  state_->accounts[account_id].service_open = open;
}

bool Engine::service_open(const std::string& account_id) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->accounts.find(account_id);
  return it == state_->accounts.end() || it->second.service_open;
}

void Engine::set_mutation(const std::string& name) {
  std::lock_guard lock(state_->mutex);
  state_->mutation = name;
}

Engine::KeyMaterialCounts Engine::key_material_counts() const {
  crypto::KeySource::Counts counts = state_->keys.counts();
  return {counts.pooled, counts.generated};
}

bool Engine::State::region_known(const std::string& name) const {
  const auto& known = options.regions;
  return std::find(known.begin(), known.end(), name) != known.end();
}

KeyRecord& Engine::State::resolve_key(const Scope& scope, const KeySelector& selector) {
  RegionState& reg = region(scope);
  std::string id = selector.key_id;
  std::string shown = selector.key_id;
  if (id.empty() && !selector.alias.empty()) {
    auto alias = reg.aliases.find(selector.alias);
    if (alias == reg.aliases.end()) throw EngineError::not_found("alias", selector.alias);
    id = alias->second.key_id;
    shown = selector.alias;
  } else if (id.empty()) {
    if (selector.key_name.empty()) throw EngineError::invalid_parameter(Field::KeyName);
    shown = selector.key_name;
    KeyringRecord* ring = find_keyring_by_name(reg, selector.keyring_name);
    if (ring == nullptr) throw EngineError::not_found("keyring", selector.keyring_name);
    for (auto& [key_id, key] : reg.keys) {
      if (key.info.keyring_id == ring->info.id && key.info.name == selector.key_name) {
        id = key_id;
        break;
      }
    }
  }
  if (id.empty() || !reg.keys.count(id) || !settle(scope, id)) {
    // A key destroyed by this very settle took its aliases with it: named by one, it is the
    // alias that is now missing, as on every later call.
    bool by_alias = selector.key_id.empty() && !selector.alias.empty();
    throw EngineError::not_found(by_alias ? "alias" : "key", shown);
  }
  return reg.keys.at(id);
}

KeyringRecord* Engine::State::find_keyring_by_name(RegionState& reg, const std::string& name) {
  for (auto& [id, ring] : reg.keyrings) {
    if (ring.info.name == name) return &ring;
  }
  return nullptr;
}

KeyringRecord& Engine::State::resolve_keyring(const Scope& scope, const KeyringSelector& selector) {
  RegionState& reg = region(scope);
  if (!selector.id.empty()) {
    auto it = reg.keyrings.find(selector.id);
    if (it == reg.keyrings.end()) throw EngineError::not_found("keyring", selector.id);
    return it->second;
  }
  if (selector.name.empty()) throw EngineError::invalid_parameter(Field::KeyringName);
  KeyringRecord* ring = find_keyring_by_name(reg, selector.name);
  if (ring == nullptr) throw EngineError::not_found("keyring", selector.name);
  return *ring;
}

void Engine::State::require(const KeyRecord& key, KeyOp op) const {
  switch (options.policy.verdict(op, key.info.state)) {
    case Verdict::Allow:
      return;
    case Verdict::Reject:
      throw EngineError::invalid_state(key.info.state, op);
    case Verdict::Unsupported:
      throw EngineError::unsupported(key.info.state, op);
  }
}

void Engine::State::require_usage(const KeyRecord& key, KeyUsage usage) {
  if (key.info.usage != usage) throw EngineError::invalid_operation("key usage");
}

void Engine::State::require_symmetric(const KeyRecord& key) {
  if (!is_symmetric(key.info.spec)) throw EngineError::invalid_operation("key spec");
}

VersionRecord& Engine::State::add_version(KeyRecord& key, RegionState& reg,
                                          KeyMaterialPtr material) {
  auto& versions = key.material->versions;
  VersionRecord version;
  version.info.id = uuid_v4();
  version.info.number = static_cast<uint16_t>(versions.size() + 1);
  version.info.created = now();
  version.material = std::move(material);
  versions.push_back(std::move(version));
  const std::string& id = versions.back().info.id;
  reg.version_index[id] = key.info.id;
  if (key.family) {
    // Replicas share the versions, so each member's region must find the new one too.
    auto& account = accounts[key.info.account_id];
    account.regions[key.family->primary.region].version_index[id] = key.family->primary.key_id;
    for (const auto& ref : key.family->replicas)
      account.regions[ref.region].version_index[id] = ref.key_id;
  }
  return versions.back();
}

const VersionRecord& Engine::State::find_version(const KeyRecord& key,
                                                 const std::string& version_id) const {
  const auto& versions = key.material->versions;
  if (version_id.empty()) return versions.back();
  for (const auto& version : versions) {
    if (version.info.id == version_id) return version;
  }
  throw EngineError::not_found("version", version_id);
}

void Engine::State::index_versions(RegionState& reg, const KeyRecord& key) {
  for (const auto& version : key.material->versions)
    reg.version_index[version.info.id] = key.info.id;
  reg.family_index[key.family_id] = key.info.id;
}

KeyInfo Engine::State::snapshot(const KeyRecord& key) const {
  KeyInfo info = key.info;
  info.versions.clear();
  for (const auto& version : key.material->versions) info.versions.push_back(version.info);
  if (key.family) {
    info.multi_region.role = key.family->primary.region == info.region ? MultiRegionRole::Primary
                                                                       : MultiRegionRole::Replica;
    info.multi_region.primary = key.family->primary;
    info.multi_region.replicas = key.family->replicas;
  }
  info.rotation.suspended = info.rotation.enabled && info.state != KeyState::Enabled;
  return info;
}

}  // namespace kmsconf::engine
