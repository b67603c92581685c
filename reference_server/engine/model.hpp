// The dialect-neutral key model: enums, key material handles and the metadata snapshots that
// engine operations return. Spellings on the wire belong to the dialect adapters.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reference_server/engine/clock.hpp"

namespace kmsconf::engine {

enum class KeyState { Enabled, Disabled, PendingDeletion, Archived, PendingImport };

enum class KeySpec {
  Aes256,
  Aes128,
  Rsa2048,
  Rsa3072,
  Rsa4096,
  EcP256,
  EcP256K,
  EcP384,
  EcP521,
  EcSm2,
};

enum class KeyUsage { EncryptDecrypt, SignVerify, GenerateVerifyMac };
enum class Origin { Kms, External, ExternalKeyStore };
enum class ProtectionLevel { Software, Hsm };
enum class MultiRegionRole { None, Primary, Replica };

enum class EncryptionAlgorithm { RsaesOaepSha256, RsaesOaepSha1, Sm2Pke };
enum class SigningAlgorithm {
  RsaPssSha256,
  RsaPssSha384,
  RsaPssSha512,
  RsaPkcs1Sha256,
  RsaPkcs1Sha384,
  RsaPkcs1Sha512,
  EcdsaSha256,
  EcdsaSha384,
  EcdsaSha512,
  Sm2Dsa,
};
enum class MacAlgorithm { HmacSha256, HmacSm3, HmacSha224, HmacSha384, HmacSha512 };
enum class MessageType { Raw, Digest };
enum class WrappingAlgorithm { RsaesOaepSha256, RsaesOaepSha1, RsaesPkcs1V15, Sm2Pke };
enum class WrappingKeySpec { Rsa2048, EcSm2 };

inline bool is_symmetric(KeySpec spec) {
  return spec == KeySpec::Aes256 || spec == KeySpec::Aes128;
}
inline bool is_rsa(KeySpec spec) {
  return spec == KeySpec::Rsa2048 || spec == KeySpec::Rsa3072 || spec == KeySpec::Rsa4096;
}
inline bool is_ec(KeySpec spec) {
  return !is_symmetric(spec) && !is_rsa(spec);
}

// Secret material of one key version. Opaque outside engine/crypto.cpp.
class KeyMaterial;
using KeyMaterialPtr = std::shared_ptr<const KeyMaterial>;

struct RegionalKeyRef {
  std::string region;
  std::string key_id;
};

struct MultiRegionInfo {
  MultiRegionRole role = MultiRegionRole::None;
  RegionalKeyRef primary;
  std::vector<RegionalKeyRef> replicas;
};

struct RotationInfo {
  bool enabled = false;
  bool suspended = false;  // enabled, but the key is not Enabled so rotation waits
  std::chrono::seconds interval{0};
  std::optional<TimePoint> last;
  std::optional<TimePoint> next;
};

struct KeyVersionInfo {
  std::string id;
  uint16_t number = 0;
  TimePoint created;
};

// A consistent copy of a key's public metadata, taken under the engine lock.
struct KeyInfo {
  std::string id;
  std::string account_id;
  std::string region;
  std::string keyring_id;    // empty for dialects without keyrings
  std::string keyring_name;  // empty for dialects without keyrings
  std::string name;          // empty for dialects without key names
  KeySpec spec = KeySpec::Aes256;
  KeyUsage usage = KeyUsage::EncryptDecrypt;
  Origin origin = Origin::Kms;
  ProtectionLevel protection = ProtectionLevel::Software;
  std::string description;
  std::string creator;
  KeyState state = KeyState::Enabled;
  TimePoint created;
  TimePoint updated;
  RotationInfo rotation;
  std::optional<TimePoint> delete_at;
  std::optional<TimePoint> material_expires_at;
  bool deletion_protection = false;
  std::string deletion_protection_description;
  MultiRegionInfo multi_region;
  std::map<std::string, std::string> tags;
  std::vector<KeyVersionInfo> versions;  // oldest first; the last one is primary
  std::string instance_id;               // dedicated instance, empty when shared
  std::string policy;                    // key policy document, JSON text
};

struct KeyringInfo {
  std::string id;
  std::string account_id;
  std::string region;
  std::string name;
  std::string type;
  std::string description;
  std::string project;
  TimePoint created;
  TimePoint updated;
  size_t key_count = 0;
};

}  // namespace kmsconf::engine
