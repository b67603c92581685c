// Key creation, lookup, listing and metadata updates.
#include <algorithm>

#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

bool usage_fits(KeySpec spec, KeyUsage usage) {
  switch (usage) {
    case KeyUsage::EncryptDecrypt:
      return is_symmetric(spec) || is_rsa(spec) || spec == KeySpec::EcSm2;
    case KeyUsage::SignVerify:
      return !is_symmetric(spec);
    case KeyUsage::GenerateVerifyMac:
      return spec == KeySpec::Aes256;
  }
  return false;
}

void validate_create(const CreateKeyRequest& request) {
  if (!usage_fits(request.spec, request.usage)) {
    throw EngineError::invalid_parameter(Field::KeyUsage);
  }
  if (request.origin == Origin::ExternalKeyStore) {
    throw EngineError::invalid_parameter(Field::Origin, "external key stores are not supported");
  }
  if (request.rotation_interval &&
      (!is_symmetric(request.spec) || request.usage != KeyUsage::EncryptDecrypt ||
       request.origin != Origin::Kms)) {
    throw EngineError::invalid_parameter(Field::RotationInterval);
  }
}

}  // namespace

KeyInfo Engine::create_key(const Scope& scope, const CreateKeyRequest& request) {
  validate_create(request);
  // Key generation (RSA-4096 takes a while) happens before taking the lock.
  KeyMaterialPtr material;
  if (request.origin == Origin::Kms) material = state_->keys.generate(request.spec);

  std::lock_guard lock(state_->mutex);
  RegionState& reg = state_->region(scope);
  KeyRecord key;
  if (!request.keyring_name.empty()) {
    KeyringRecord* ring = state_->find_keyring_by_name(reg, request.keyring_name);
    if (ring == nullptr) throw EngineError::not_found("keyring", request.keyring_name);
    for (const auto& [id, other] : reg.keys) {
      if (other.info.keyring_id == ring->info.id && other.info.name == request.name) {
        throw EngineError::conflict("key", request.name);
      }
    }
    key.info.keyring_id = ring->info.id;
    key.info.keyring_name = ring->info.name;
  }
  TimePoint t = state_->now();
  key.info.id = uuid_v4();
  key.info.account_id = scope.account_id;
  key.info.region = scope.region;
  key.info.name = request.name;
  key.info.spec = request.spec;
  key.info.usage = request.usage;
  key.info.origin = request.origin;
  key.info.protection = request.protection;
  key.info.description = request.description;
  key.info.creator = request.creator.empty() ? scope.account_id : request.creator;
  key.info.created = key.info.updated = t;
  key.sequence = state_->next_sequence();
  key.info.tags = request.tags;
  key.info.deletion_protection = request.deletion_protection;
  key.info.deletion_protection_description =
      request.deletion_protection ? request.deletion_protection_description : "";
  key.info.policy = request.policy;
  key.info.instance_id = request.instance_id;
  key.family_id = key.info.id;
  key.material = std::make_shared<MaterialSet>();
  if (request.rotation_interval) {
    key.info.rotation.enabled = true;
    key.info.rotation.interval = *request.rotation_interval;
    key.info.rotation.next = t + *request.rotation_interval;
  }
  if (request.multi_region) {
    key.family = std::make_shared<MultiRegionFamily>();
    key.family->primary = {scope.region, key.info.id};
  }
  key.info.state = request.origin == Origin::External ? KeyState::PendingImport : KeyState::Enabled;
  auto [it, inserted] = reg.keys.emplace(key.info.id, std::move(key));
  KeyRecord& stored = it->second;
  if (material) {
    state_->add_version(stored, reg, std::move(material));
  } else {
    state_->add_version(stored, reg, nullptr);  // version id reserved for the imported material
  }
  reg.family_index[stored.family_id] = stored.info.id;
  return state_->snapshot(stored);
}

KeyInfo Engine::describe_key(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::Describe);
  return state_->snapshot(key);
}

std::vector<KeyInfo> Engine::list_keys(const Scope& scope,
                                       const std::optional<KeyringSelector>& keyring) {
  std::lock_guard lock(state_->mutex);
  state_->settle_all(scope);
  std::string keyring_id;
  if (keyring) keyring_id = state_->resolve_keyring(scope, *keyring).info.id;
  std::vector<const KeyRecord*> keys;
  for (const auto& [id, key] : state_->region(scope).keys) {
    if (!keyring || key.info.keyring_id == keyring_id) keys.push_back(&key);
  }
  std::sort(keys.begin(), keys.end(), created_before<KeyRecord>);
  std::vector<KeyInfo> out;
  for (const KeyRecord* key : keys) out.push_back(state_->snapshot(*key));
  return out;
}

void Engine::update_key(const Scope& scope, const KeySelector& selector, const KeyUpdate& update) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::Update);
  if (update.new_name && *update.new_name != key.info.name) {
    for (const auto& [id, other] : state_->region(scope).keys) {
      if (id != key.info.id && other.info.keyring_id == key.info.keyring_id &&
          other.info.name == *update.new_name) {
        throw EngineError::conflict("key", *update.new_name);
      }
    }
    key.info.name = *update.new_name;
  }
  if (update.description) key.info.description = *update.description;
  state_->touch(key);
}

void Engine::set_deletion_protection(const Scope& scope, const KeySelector& selector, bool enabled,
                                     const std::string& description) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::SetDeletionProtection);
  key.info.deletion_protection = enabled;
  key.info.deletion_protection_description = enabled ? description : "";
  state_->touch(key);
}

KeyVersionInfo Engine::create_key_version(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::CreateVersion);
  if (key.info.origin != Origin::Kms) throw EngineError::invalid_operation("imported key");
  size_t limit = state_->options.max_versions_per_key;
  if (limit > 0 && key.material->versions.size() >= limit) {
    throw EngineError(ErrorKind::LimitExceeded, "versions");
  }
  TimePoint last = key.material->versions.back().info.created;
  if (state_->now() - last < state_->options.min_manual_version_interval) {
    throw EngineError::unsupported(key.info.state, KeyOp::CreateVersion);
  }
  KeyVersionInfo info =
      state_->add_version(key, state_->region(scope), state_->keys.generate(key.info.spec)).info;
  state_->touch(key);
  return info;
}

}  // namespace kmsconf::engine
