// Aliases and per-version lookups: the names a key can go by besides its id.
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {

void Engine::create_alias(const Scope& scope, const std::string& alias, const KeySelector& target) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, target);
  state_->require(key, KeyOp::CreateAlias);
  RegionState& reg = state_->region(scope);
  if (reg.aliases.count(alias)) throw EngineError::conflict("alias", alias);
  reg.aliases[alias] = {alias, key.info.id, state_->now()};
}

void Engine::update_alias(const Scope& scope, const std::string& alias, const KeySelector& target) {
  std::lock_guard lock(state_->mutex);
  RegionState& reg = state_->region(scope);
  auto it = reg.aliases.find(alias);
  if (it == reg.aliases.end()) throw EngineError::not_found("alias", alias);
  KeyRecord& key = state_->resolve_key(scope, target);
  state_->require(key, KeyOp::UpdateAlias);
  it->second.key_id = key.info.id;
}

void Engine::delete_alias(const Scope& scope, const std::string& alias) {
  std::lock_guard lock(state_->mutex);
  if (state_->region(scope).aliases.erase(alias) == 0) {
    throw EngineError::not_found("alias", alias);
  }
}

std::vector<AliasInfo> Engine::list_aliases(const Scope& scope) const {
  std::lock_guard lock(state_->mutex);
  state_->settle_all(scope);
  std::vector<AliasInfo> out;
  for (const auto& [name, alias] : state_->region(scope).aliases) out.push_back(alias);
  return out;
}

KeyVersionInfo Engine::describe_key_version(const Scope& scope, const KeySelector& selector,
                                            const std::string& version_id) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  return state_->find_version(key, version_id).info;
}

void Engine::set_key_policy(const Scope& scope, const KeySelector& selector,
                            const std::string& policy) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  key.info.policy = policy;
  state_->touch(key);
}

}  // namespace kmsconf::engine
