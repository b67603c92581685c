// Asymmetric encryption, signatures, public keys and MACs on the key's primary version.
#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

struct Target {
  KeyInfo key;
  std::string version_id;
  KeyMaterialPtr material;
};

// Resolves the key, applies the state policy, then checks usage; kind checks come after state
// checks, as the spec orders them.
Target target(Engine::State& state, const Scope& scope, const KeySelector& selector, KeyOp op,
              KeyUsage usage) {
  std::lock_guard lock(state.mutex);
  KeyRecord& key = state.resolve_key(scope, selector);
  state.require(key, op);
  Engine::State::require_usage(key, usage);
  const VersionRecord& version = state.find_version(key, selector.version_id);
  if (!version.material) throw EngineError::invalid_state(KeyState::PendingImport, op);
  return {state.snapshot(key), version.info.id, version.material};
}

Target asymmetric_target(Engine::State& state, const Scope& scope, const KeySelector& selector,
                         KeyOp op, KeyUsage usage) {
  Target t = target(state, scope, selector, op, usage);
  if (is_symmetric(t.key.spec)) throw EngineError::invalid_operation("key spec");
  return t;
}

template <typename Algorithm>
void require_fit(const Target& t, Algorithm algorithm) {
  if (!crypto::fits(t.key.spec, algorithm)) throw EngineError::invalid_parameter(Field::Algorithm);
}

}  // namespace

AsymmetricResult Engine::asymmetric_encrypt(const Scope& scope, const KeySelector& selector,
                                            EncryptionAlgorithm algorithm,
                                            std::string_view plaintext) {
  Target t = asymmetric_target(*state_, scope, selector, KeyOp::AsymmetricEncrypt,
                               KeyUsage::EncryptDecrypt);
  require_fit(t, algorithm);
  std::string ciphertext = crypto::asymmetric_encrypt(*t.material, algorithm, plaintext);
  return {std::move(ciphertext), std::move(t.key), std::move(t.version_id)};
}

AsymmetricResult Engine::asymmetric_decrypt(const Scope& scope, const KeySelector& selector,
                                            EncryptionAlgorithm algorithm,
                                            std::string_view ciphertext) {
  Target t = asymmetric_target(*state_, scope, selector, KeyOp::AsymmetricDecrypt,
                               KeyUsage::EncryptDecrypt);
  require_fit(t, algorithm);
  auto plaintext = crypto::asymmetric_decrypt(*t.material, algorithm, ciphertext);
  if (!plaintext) throw EngineError(ErrorKind::InvalidCiphertext, "asymmetric");
  return {std::move(*plaintext), std::move(t.key), std::move(t.version_id)};
}

AsymmetricResult Engine::sign(const Scope& scope, const KeySelector& selector,
                              SigningAlgorithm algorithm, MessageType type,
                              std::string_view message) {
  Target t = asymmetric_target(*state_, scope, selector, KeyOp::Sign, KeyUsage::SignVerify);
  require_fit(t, algorithm);
  std::string signature = crypto::sign(*t.material, algorithm, type, message);
  return {std::move(signature), std::move(t.key), std::move(t.version_id)};
}

bool Engine::verify(const Scope& scope, const KeySelector& selector, SigningAlgorithm algorithm,
                    MessageType type, std::string_view message, std::string_view signature,
                    KeyInfo* key_out) {
  Target t = asymmetric_target(*state_, scope, selector, KeyOp::Verify, KeyUsage::SignVerify);
  require_fit(t, algorithm);
  // Mutation hook for the runner's mutation test: every signature verifies.
  bool valid = state_->mutated("verify-always-valid") ||
               crypto::verify(*t.material, algorithm, type, message, signature);
  if (key_out) *key_out = std::move(t.key);
  return valid;
}

PublicKeyResult Engine::get_public_key(const Scope& scope, const KeySelector& selector) {
  std::lock_guard lock(state_->mutex);
  KeyRecord& key = state_->resolve_key(scope, selector);
  state_->require(key, KeyOp::GetPublicKey);
  if (is_symmetric(key.info.spec)) throw EngineError::invalid_operation("key spec");
  const VersionRecord& version = state_->find_version(key, selector.version_id);
  if (!version.material) {
    throw EngineError::invalid_state(KeyState::PendingImport, KeyOp::GetPublicKey);
  }
  return {crypto::public_key_pem(*version.material), crypto::public_key_der(*version.material),
          state_->snapshot(key), version.info.id};
}

AsymmetricResult Engine::generate_mac(const Scope& scope, const KeySelector& selector,
                                      MacAlgorithm algorithm, std::string_view message) {
  Target t = target(*state_, scope, selector, KeyOp::GenerateMac, KeyUsage::GenerateVerifyMac);
  std::string mac = crypto::mac(*t.material, algorithm, message);
  return {std::move(mac), std::move(t.key), std::move(t.version_id)};
}

bool Engine::verify_mac(const Scope& scope, const KeySelector& selector, MacAlgorithm algorithm,
                        std::string_view message, std::string_view mac, KeyInfo* key_out) {
  Target t = target(*state_, scope, selector, KeyOp::VerifyMac, KeyUsage::GenerateVerifyMac);
  // Mutation hook for the runner's mutation test: every MAC verifies.
  bool valid = state_->mutated("mac-verify-always-valid") ||
               crypto::verify_mac(*t.material, algorithm, message, mac);
  if (key_out) *key_out = std::move(t.key);
  return valid;
}

}  // namespace kmsconf::engine
