// Tags on keys. Every id is checked before any key changes, so a bad id changes nothing.
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

std::vector<KeyRecord*> resolve_all(Engine::State& state, const Scope& scope,
                                    const std::vector<std::string>& key_ids) {
  if (key_ids.empty()) throw EngineError::invalid_parameter(Field::None, "no resource ids");
  std::vector<KeyRecord*> keys;
  for (const auto& id : key_ids) {
    KeyRecord& key = state.resolve_key(scope, KeySelector::by_id(id));
    state.require(key, KeyOp::Tag);
    keys.push_back(&key);
  }
  return keys;
}

}  // namespace

void Engine::tag_keys(const Scope& scope, const std::vector<std::string>& key_ids,
                      const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(state_->mutex);
  for (KeyRecord* key : resolve_all(*state_, scope, key_ids)) {
    for (const auto& [name, value] : tags) key->info.tags[name] = value;
    state_->touch(*key);
  }
}

void Engine::untag_keys(const Scope& scope, const std::vector<std::string>& key_ids,
                        const std::vector<std::string>& tag_keys) {
  std::lock_guard lock(state_->mutex);
  for (KeyRecord* key : resolve_all(*state_, scope, key_ids)) {
    for (const auto& name : tag_keys) key->info.tags.erase(name);
    state_->touch(*key);
  }
}

}  // namespace kmsconf::engine
