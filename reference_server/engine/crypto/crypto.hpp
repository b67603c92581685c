// Real cryptography for the engine, over OpenSSL 3. Every function either returns a result,
// returns nullopt/false for input that fails authentication, or throws EngineError with
// InvalidParameter for input the algorithm cannot take (too long, wrong digest length).
//
// Misuse by the caller also throws EngineError: InvalidOperation when the key's kind cannot do
// the operation at all (an AES key asked to sign, an RSA key asked to seal or MAC), and
// InvalidParameter(Field::Algorithm) when the algorithm does not fit the key's spec (see fits()).
// std::runtime_error means OpenSSL itself failed (key generation, an out-of-memory); untrusted
// bytes (ciphertexts, signatures, imported or wrapped material) never cause it.
//
// KeyMaterial is immutable once built, so one KeyMaterialPtr may be used from many threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference_server/engine/model.hpp"

namespace kmsconf::engine::crypto {

// Fresh material: AES key bytes for symmetric specs (also used as HMAC secret for MAC keys),
// a key pair for RSA/EC/SM2 specs.
KeyMaterialPtr generate(KeySpec spec);

KeySpec spec_of(const KeyMaterial& material);

// RSA key pairs from PEM "PRIVATE KEY" (PKCS#8) blocks, in file order, each with the RSA spec
// of its modulus size. For trusted, pre-generated material (crypto/key_pool.hpp): unlike
// from_imported the pairs are not checked for consistency, which would cost a primality test
// each. Throws std::invalid_argument naming `origin` and the line of a block that does not
// parse or is not RSA-2048, -3072 or -4096.
std::vector<KeyMaterialPtr> rsa_pairs_from_pem(std::string_view pem, const std::string& origin);

// Material from imported bytes: raw secret for symmetric specs; PKCS#8 DER private key for
// asymmetric specs. nullopt when the bytes do not fit the spec (length, curve, modulus).
std::optional<KeyMaterialPtr> from_imported(KeySpec spec, std::string_view bytes);

// Raw bytes of the material as it would be imported (for byte-identical re-import checks):
// the secret for symmetric specs; for asymmetric specs the exact bytes given to from_imported,
// or a PKCS#8 DER encoding of a generated key pair.
std::string fingerprint(const KeyMaterial& material);

// AES-GCM with the key's own size (AES-256 or AES-128), a fresh random 12-byte IV per seal.
// aes_gcm_open: nullopt when the IV is not 12 bytes, the input is shorter than the tag, or the
// tag does not authenticate ciphertext, IV and AAD.
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

// RSAES-OAEP (MGF1 with the same hash, empty label) or SM2 public key encryption (DER
// SM2Ciphertext C1|C3|C2). Throws InvalidParameter(Plaintext) when the plaintext is longer than
// the OAEP limit (modulus bytes - 2 * hash bytes - 2), or for SM2 empty or over 1 MiB.
// asymmetric_decrypt returns nullopt for any ciphertext that does not decrypt; it never throws for
// bad bytes.
std::string asymmetric_encrypt(const KeyMaterial& key, EncryptionAlgorithm algorithm,
                               std::string_view plaintext);
std::optional<std::string> asymmetric_decrypt(const KeyMaterial& key, EncryptionAlgorithm algorithm,
                                              std::string_view ciphertext);

// RSASSA-PSS (MGF1 with the same hash, salt length = hash length), RSASSA-PKCS1-v1_5, ECDSA
// (DER Ecdsa-Sig-Value) and SM2DSA (DER, SM3). MessageType::Raw hashes the message with the
// algorithm's hash; MessageType::Digest takes that hash, which must be digest_length() bytes
// long or InvalidParameter(Message) is thrown (by verify too). SM2DSA: Raw signs
// SM3(Z || M) with Z computed from the default distinguishing id "1234567812345678"; Digest
// signs the given 32 bytes as e directly (the caller has already computed SM3(Z || M)).
// verify returns false for any signature that does not verify, however malformed.
std::string sign(const KeyMaterial& key, SigningAlgorithm algorithm, MessageType type,
                 std::string_view message);
bool verify(const KeyMaterial& key, SigningAlgorithm algorithm, MessageType type,
            std::string_view message, std::string_view signature);

// HMAC-SHA256 / HMAC-SM3 keyed with the secret of a symmetric key.
std::string mac(const KeyMaterial& key, MacAlgorithm algorithm, std::string_view message);
bool verify_mac(const KeyMaterial& key, MacAlgorithm algorithm, std::string_view message,
                std::string_view mac_value);  // constant time

std::string public_key_pem(const KeyMaterial& key);  // SubjectPublicKeyInfo, PEM text
std::string public_key_der(const KeyMaterial& key);  // SubjectPublicKeyInfo, DER bytes

// BYOK: a fresh wrapping key pair, and unwrapping of material encrypted to its public key.
// RSAES_* need an RSA wrapping key, Sm2Pke an SM2 one; unwrap returns nullopt for a mismatch
// and for anything that does not decrypt. RsaesPkcs1V15 is there for compatibility only.
KeySpec wrapping_key_spec(WrappingKeySpec spec);
KeyMaterialPtr generate_wrapping_key(WrappingKeySpec spec);
std::optional<std::string> unwrap(const KeyMaterial& wrapping_key, WrappingAlgorithm algorithm,
                                  std::string_view wrapped);
// Client side of BYOK (tests, runner): encrypt material to a DER SubjectPublicKeyInfo. nullopt
// when the DER does not parse, does not fit the algorithm, or the material is too long/empty.
std::optional<std::string> wrap_for_import(std::string_view public_key_der,
                                           WrappingAlgorithm algorithm, std::string_view material);

// Client side verification with a DER SubjectPublicKeyInfo (tests, runner). false when the DER
// does not parse or is not a key of `spec`; throws like verify() for a misfit algorithm or a
// wrong-length digest.
bool verify_with_public_key(std::string_view public_key_der, KeySpec spec,
                            SigningAlgorithm algorithm, MessageType type, std::string_view message,
                            std::string_view signature);

}  // namespace kmsconf::engine::crypto
