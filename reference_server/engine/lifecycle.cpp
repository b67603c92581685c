// Key state transitions: enable, disable, archive, deletion windows and rotation settings.
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

void set_state(Engine::State& state, KeyRecord& key, KeyState next) {
  if (key.info.state == next) return;
  // Rotation waits while the key is not Enabled. On resuming, an overdue rotation happens once
  // (on the next settle), not once per date missed while suspended.
  auto& rotation = key.info.rotation;
  if (next == KeyState::Enabled && rotation.enabled && rotation.next &&
      *rotation.next < state.now()) {
    rotation.next = state.now();
  }
  key.info.state = next;
  state.touch(key);
}

}  // namespace

void Engine::enable_key(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::Enable);
  set_state(*state_, key, KeyState::Enabled);
}

void Engine::disable_key(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::Disable);
  // Mutation hook for the runner's mutation test: answer success, change nothing.
  set_state(*state_, key,
            state_->mutated("disable-keeps-state") ? key.info.state : KeyState::Disabled);
}

void Engine::archive_key(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::Archive);
  set_state(*state_, key, KeyState::Archived);
}

void Engine::cancel_archive_key(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::CancelArchive);
  set_state(*state_, key, KeyState::Enabled);
}

KeyInfo Engine::schedule_key_deletion(const Scope& scope, const KeySelector& selector,
                                      int window_days) {
  std::lock_guard lock(state_->mutex);
  const auto& options = state_->options;
  if (window_days < options.min_pending_window_days ||
      window_days > options.max_pending_window_days) {
    throw EngineError::invalid_parameter(Field::PendingWindow);
  }
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::ScheduleDeletion);
  if (key.info.deletion_protection) {
    throw EngineError(ErrorKind::DeletionProtected, "key", key.info.id);
  }
  // Mutation hook for the runner's mutation test: the longest window, whatever was asked.
  if (state_->mutated("ignore-pending-window")) window_days = options.max_pending_window_days;
  key.info.delete_at = state_->now() + std::chrono::hours(24) * window_days;
  set_state(*state_, key, KeyState::PendingDeletion);
  return state_->snapshot(key);
}

void Engine::cancel_key_deletion(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::CancelDeletion);
  key.info.delete_at.reset();
  // Mutation hook for the runner's mutation test: AWS-style restore to Disabled.
  set_state(*state_, key,
            state_->mutated("cancel-deletion-disables") ? KeyState::Disabled : KeyState::Enabled);
}

void Engine::enable_rotation(const Scope& scope, const KeySelector& selector,
                             std::chrono::seconds interval) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::EnableRotation);
  Engine::State::require_symmetric(key);
  Engine::State::require_usage(key, KeyUsage::EncryptDecrypt);
  if (key.info.origin != Origin::Kms) throw EngineError::invalid_operation("imported key");
  auto& rotation = key.info.rotation;
  rotation.enabled = true;
  rotation.interval = interval;
  rotation.next = state_->now() + interval;
  state_->touch(key);
}

void Engine::disable_rotation(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::DisableRotation);
  Engine::State::require_symmetric(key);
  auto& rotation = key.info.rotation;
  rotation.enabled = false;
  rotation.next.reset();
  state_->touch(key);
}

}  // namespace kmsconf::engine
