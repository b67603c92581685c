// Symmetric cryptography: AES-GCM with the encryption context bound as AAD.
#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

constexpr size_t kMaxDataKeyBytes = 1024;

// What a crypto call needs, copied under the lock so the crypto itself runs without it.
struct SealTarget {
  KeyInfo key;
  std::string family_id;
  KeyVersionInfo version;
  KeyMaterialPtr material;
};

SealTarget seal_target(Engine::State& state, const Scope& scope, const KeySelector& selector,
                       KeyOp op) {
  std::lock_guard lock(state.mutex);
  KeyRecord& key = state.resolve_key(scope, selector);
  state.require(key, op);
  Engine::State::require_symmetric(key);
  Engine::State::require_usage(key, KeyUsage::EncryptDecrypt);
  const VersionRecord& primary = key.material->versions.back();
  if (!primary.material) throw EngineError::invalid_state(KeyState::PendingImport, op);
  return {state.snapshot(key), key.family_id, primary.info, primary.material};
}

SealTarget open_target(Engine::State& state, const Scope& scope, const BlobParts& parts, KeyOp op) {
  std::lock_guard lock(state.mutex);
  RegionState& reg = state.region(scope);
  const auto& index = state.options.layout == CiphertextLayout::KeyIdAndVersionNumber
                          ? reg.family_index
                          : reg.version_index;
  auto found = index.find(parts.key_ref);
  if (found == index.end()) throw EngineError::not_found("key", parts.key_ref);
  KeyRecord& key = state.resolve_key(scope, KeySelector::by_id(found->second));
  state.require(key, op);
  Engine::State::require_symmetric(key);
  Engine::State::require_usage(key, KeyUsage::EncryptDecrypt);
  for (const auto& version : key.material->versions) {
    bool match = state.options.layout == CiphertextLayout::KeyIdAndVersionNumber
                     ? version.info.number == parts.version_number
                     : version.info.id == parts.key_ref;
    if (!match) continue;
    if (!version.material) throw EngineError::invalid_state(KeyState::PendingImport, op);
    return {state.snapshot(key), key.family_id, version.info, version.material};
  }
  throw EngineError(ErrorKind::InvalidCiphertext, "version");
}

// The AAD actually bound. Mutation hook for the runner's mutation test: ignore the context.
std::string bound_context(const Engine::State& state, const EncryptionContext& context) {
  return state.mutated("ignore-encryption-context") ? std::string{} : canonical_context(context);
}

std::string seal(const Engine::State& state, const SealTarget& target, std::string_view plaintext,
                 const EncryptionContext& context) {
  crypto::Sealed sealed =
      crypto::aes_gcm_seal(*target.material, plaintext, bound_context(state, context));
  return encode_blob(state.options.layout, target.family_id, target.version, sealed.iv,
                     sealed.ciphertext_and_tag);
}

DecryptResult open(Engine::State& state, const Scope& scope, std::string_view blob,
                   const EncryptionContext& context, KeyOp op) {
  auto parts = decode_blob(state.options.layout, blob);
  if (!parts) throw EngineError(ErrorKind::InvalidCiphertext, "format");
  SealTarget target = open_target(state, scope, *parts, op);
  auto plaintext = crypto::aes_gcm_open(*target.material, parts->iv, parts->ciphertext_and_tag,
                                        bound_context(state, context));
  if (!plaintext) throw EngineError(ErrorKind::InvalidCiphertext, "authentication");
  return {std::move(*plaintext), std::move(target.key), target.version.id};
}

}  // namespace

EncryptResult Engine::encrypt(const Scope& scope, const KeySelector& selector,
                              std::string_view plaintext, const EncryptionContext& context) {
  if (plaintext.empty()) throw EngineError::invalid_parameter(Field::Plaintext);
  SealTarget target = seal_target(*state_, scope, selector, KeyOp::Encrypt);
  std::string blob = seal(*state_, target, plaintext, context);
  return {std::move(blob), std::move(target.key), target.version.id};
}

DecryptResult Engine::decrypt(const Scope& scope, std::string_view ciphertext_blob,
                              const EncryptionContext& context) {
  DecryptResult result = open(*state_, scope, ciphertext_blob, context, KeyOp::Decrypt);
  // Mutation hook for the runner's mutation test: succeed with one bit of the plaintext flipped.
  if (state_->mutated("decrypt-returns-other-bytes") && !result.plaintext.empty()) {
    result.plaintext[0] ^= 1;
  }
  return result;
}

DataKey Engine::generate_data_key(const Scope& scope, const KeySelector& selector, size_t bytes,
                                  const EncryptionContext& context) {
  if (bytes == 0 || bytes > kMaxDataKeyBytes) {
    throw EngineError::invalid_parameter(Field::NumberOfBytes);
  }
  SealTarget target = seal_target(*state_, scope, selector, KeyOp::GenerateDataKey);
  std::string plaintext = random_bytes(bytes);
  std::string blob = seal(*state_, target, plaintext, context);
  return {std::move(plaintext), std::move(blob), std::move(target.key), target.version.id};
}

ReEncryptResult Engine::re_encrypt(const Scope& scope, std::string_view ciphertext_blob,
                                   const EncryptionContext& source_context,
                                   const KeySelector& destination,
                                   const EncryptionContext& destination_context) {
  DecryptResult source =
      open(*state_, scope, ciphertext_blob, source_context, KeyOp::ReEncryptSource);
  SealTarget target = seal_target(*state_, scope, destination, KeyOp::ReEncryptDestination);
  std::string blob = seal(*state_, target, source.plaintext, destination_context);
  return {std::move(blob), std::move(source.key), std::move(source.version_id),
          std::move(target.key), target.version.id};
}

}  // namespace kmsconf::engine
