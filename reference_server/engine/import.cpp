// Bring your own key: wrapping keys, import tokens, importing and deleting key material.
#include "protocol/encoding.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

constexpr size_t kImportTokenBytes = 32;

void require_external(const KeyRecord& key) {
  if (key.info.origin != Origin::External) throw EngineError::invalid_operation("key origin");
}

}  // namespace

ImportParameters Engine::get_parameters_for_import(const Scope& scope, const KeySelector& selector,
                                                   WrappingKeySpec spec,
                                                   WrappingAlgorithm algorithm) {
  bool sm2_spec = spec == WrappingKeySpec::EcSm2;
  bool sm2_algorithm = algorithm == WrappingAlgorithm::Sm2Pke;
  if (sm2_spec != sm2_algorithm) throw EngineError::invalid_parameter(Field::WrappingSpec);
  {
    std::lock_guard lock(state_->mutex);
    KeyRecord& key = state_->resolve_key(scope, selector);
    state_->require(key, KeyOp::GetParametersForImport);
    require_external(key);
    // SM2 wrapping keys live in an HSM: both dialects' docs refuse EC_SM2 for a SOFTWARE key.
    if (sm2_spec && key.info.protection != ProtectionLevel::Hsm) {
      throw EngineError::invalid_parameter(Field::WrappingSpec);
    }
  }
  KeyMaterialPtr wrapping = state_->keys.generate_wrapping_key(spec);  // slow: outside the lock
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  ImportSession session;
  session.wrapping_key = wrapping;
  session.algorithm = algorithm;
  session.token = base64_encode(random_bytes(kImportTokenBytes));
  session.expires = state_->now() + state_->options.import_token_lifetime;
  key.import_session = session;
  return {state_->snapshot(key), crypto::public_key_der(*wrapping), session.token, session.expires};
}

void Engine::import_key_material(const Scope& scope, const KeySelector& selector,
                                 const ImportMaterialRequest& request) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::ImportKeyMaterial);
  require_external(key);
  const auto& session = key.import_session;
  if (!session || !constant_time_equal(session->token, request.import_token)) {
    throw EngineError::invalid_parameter(Field::ImportToken);
  }
  if (session->expires <= state_->now()) {
    throw EngineError::invalid_parameter(Field::ImportToken, "expired");
  }
  if (request.expires && *request.expires <= state_->now()) {
    throw EngineError::invalid_parameter(Field::ValidTo);
  }
  auto raw = crypto::unwrap(*session->wrapping_key, session->algorithm, request.encrypted_material);
  if (!raw) throw EngineError::invalid_parameter(Field::EncryptedKeyMaterial);
  auto material = crypto::from_imported(key.info.spec, *raw);
  if (!material) throw EngineError::invalid_parameter(Field::EncryptedKeyMaterial);
  std::string fingerprint = crypto::fingerprint(**material);
  // One material per key for life: a re-import must carry the very same bytes.
  if (!key.imported_fingerprint.empty() &&
      !constant_time_equal(key.imported_fingerprint, fingerprint)) {
    throw EngineError::invalid_parameter(Field::EncryptedKeyMaterial, "different key material");
  }
  key.imported_fingerprint = fingerprint;
  key.material->versions.back().material = *material;
  key.info.material_expires_at = request.expires;
  key.import_session.reset();
  if (key.info.state == KeyState::PendingImport) key.info.state = KeyState::Enabled;
  state_->touch(key);
}

void Engine::delete_key_material(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::DeleteKeyMaterial);
  require_external(key);
  for (auto& version : key.material->versions) version.material.reset();
  key.info.material_expires_at.reset();
  if (key.info.state != KeyState::PendingDeletion) key.info.state = KeyState::PendingImport;
  state_->touch(key);
}

}  // namespace kmsconf::engine
