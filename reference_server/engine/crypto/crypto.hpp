// Real cryptography for the engine, over OpenSSL 3. Every function either returns a result,
// returns nullopt/false for input that fails authentication, or throws EngineError with
// InvalidParameter for input the algorithm cannot take (too long, wrong digest length).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "reference_server/engine/model.hpp"

namespace kmsconf::engine::crypto {

// Fresh material: AES key bytes for symmetric specs (also used as HMAC secret for MAC keys),
// a key pair for RSA/EC/SM2 specs.
KeyMaterialPtr generate(KeySpec spec);

// Material from imported bytes: raw secret for symmetric specs; PKCS#8 DER private key for
// asymmetric specs. nullopt when the bytes do not fit the spec (length, curve, modulus).
std::optional<KeyMaterialPtr> from_imported(KeySpec spec, std::string_view bytes);

// Raw bytes of the material as it would be imported (for byte-identical re-import checks).
std::string fingerprint(const KeyMaterial& material);

struct Sealed {
  std::string iv;                  // 12 bytes
  std::string ciphertext_and_tag;  // ciphertext followed by the 16-byte GCM tag
};
Sealed aes_gcm_seal(const KeyMaterial& key, std::string_view plaintext, std::string_view aad);
std::optional<std::string> aes_gcm_open(const KeyMaterial& key, std::string_view iv,
                                        std::string_view ciphertext_and_tag, std::string_view aad);

bool fits(KeySpec spec, EncryptionAlgorithm algorithm);
bool fits(KeySpec spec, SigningAlgorithm algorithm);
size_t digest_length(SigningAlgorithm algorithm);  // bytes a DIGEST message must have

std::string asymmetric_encrypt(const KeyMaterial& key, EncryptionAlgorithm algorithm,
                               std::string_view plaintext);
std::optional<std::string> asymmetric_decrypt(const KeyMaterial& key,
                                              EncryptionAlgorithm algorithm,
                                              std::string_view ciphertext);

std::string sign(const KeyMaterial& key, SigningAlgorithm algorithm, MessageType type,
                 std::string_view message);
bool verify(const KeyMaterial& key, SigningAlgorithm algorithm, MessageType type,
            std::string_view message, std::string_view signature);

std::string mac(const KeyMaterial& key, MacAlgorithm algorithm, std::string_view message);
bool verify_mac(const KeyMaterial& key, MacAlgorithm algorithm, std::string_view message,
                std::string_view mac_value);  // constant time

std::string public_key_pem(const KeyMaterial& key);  // SubjectPublicKeyInfo, PEM text
std::string public_key_der(const KeyMaterial& key);  // SubjectPublicKeyInfo, DER bytes

// BYOK: a fresh wrapping key pair, and unwrapping of material encrypted to its public key.
KeyMaterialPtr generate_wrapping_key(WrappingKeySpec spec);
std::optional<std::string> unwrap(const KeyMaterial& wrapping_key, WrappingAlgorithm algorithm,
                                  std::string_view wrapped);
// Client side of BYOK (tests, runner): encrypt material to a DER public key.
std::optional<std::string> wrap_for_import(std::string_view public_key_der,
                                           WrappingAlgorithm algorithm,
                                           std::string_view material);

// Client side verification with a DER public key (tests, runner).
bool verify_with_public_key(std::string_view public_key_der, KeySpec spec,
                            SigningAlgorithm algorithm, MessageType type,
                            std::string_view message, std::string_view signature);

}  // namespace kmsconf::engine::crypto
