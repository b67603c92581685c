// The dialect-neutral KMS: accounts, regions, keyrings, keys, versions, states, crypto,
// replication, tags, rotation and deletion windows. No HTTP and no wire names in here:
// adapters translate requests into these calls and EngineError kinds into their catalogs.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reference_server/engine/clock.hpp"
#include "reference_server/engine/errors.hpp"
#include "reference_server/engine/model.hpp"
#include "reference_server/engine/state_policy.hpp"

namespace kmsconf::engine {
namespace crypto {
class KeyPool;
}

// Where a request acts: the caller's account and the region the endpoint serves.
struct Scope {
  std::string account_id;
  std::string region;
};

// Exactly one way of naming a key: id, (keyring name, key name), or alias. version_id picks a
// version for the asymmetric operations and public keys; empty means the primary version.
struct KeySelector {
  std::string key_id;
  std::string keyring_name;
  std::string key_name;
  std::string alias;
  std::string version_id;

  static KeySelector by_id(std::string id) {
    KeySelector s;
    s.key_id = std::move(id);
    return s;
  }
  static KeySelector by_name(std::string ring, std::string name) {
    KeySelector s;
    s.keyring_name = std::move(ring);
    s.key_name = std::move(name);
    return s;
  }
  static KeySelector by_alias(std::string alias) {
    KeySelector s;
    s.alias = std::move(alias);
    return s;
  }
};

struct KeyringSelector {
  std::string id;
  std::string name;
};

using EncryptionContext = std::map<std::string, std::string>;

// How ciphertext blobs name their key version. Both are opaque to clients.
enum class CiphertextLayout {
  KeyIdAndVersionNumber,  // key uuid (16 raw bytes) | version (2 bytes BE) | iv | ct | tag
  VersionIdText,          // version uuid (36 ASCII bytes) | iv | ct | tag
};

struct EngineOptions {
  std::shared_ptr<const Clock> clock;
  std::vector<std::string> regions;  // regions this KMS knows (replica targets)
  StatePolicy policy{};
  CiphertextLayout layout = CiphertextLayout::KeyIdAndVersionNumber;
  int min_pending_window_days = 7;
  int max_pending_window_days = 30;
  std::chrono::seconds import_token_lifetime{24 * 3600};
  size_t max_versions_per_key = 0;                      // 0 = unlimited
  std::chrono::seconds min_manual_version_interval{0};  // between CreateKeyVersion calls
  // Pre-generated RSA pairs to hand out before generating any (crypto/key_pool.hpp); null:
  // always generate.
  std::shared_ptr<const crypto::KeyPool> key_pool;
};

struct AliasInfo {
  std::string name;
  std::string key_id;
  TimePoint created;
};

struct CreateKeyringRequest {
  std::string name;
  std::string type = "CustomKeyring";
  std::string description;
  std::string project = "default";
};

struct CreateKeyRequest {
  std::string keyring_name;  // empty: a key outside any keyring
  std::string name;          // empty: unnamed key
  KeySpec spec = KeySpec::Aes256;
  KeyUsage usage = KeyUsage::EncryptDecrypt;
  Origin origin = Origin::Kms;
  ProtectionLevel protection = ProtectionLevel::Software;
  std::string description;
  std::string creator;
  bool multi_region = false;
  std::optional<std::chrono::seconds> rotation_interval;  // set: automatic rotation on
  std::map<std::string, std::string> tags;
  bool deletion_protection = false;
  std::string deletion_protection_description;
  std::string policy;
  std::string instance_id;  // dedicated KMS instance, empty on the shared gateway
};

struct KeyUpdate {
  std::optional<std::string> new_name;
  std::optional<std::string> description;
};

struct KeyringUpdate {
  std::optional<std::string> new_name;
  std::optional<std::string> description;
};

struct EncryptResult {
  std::string ciphertext_blob;
  KeyInfo key;
  std::string version_id;
};

struct DecryptResult {
  std::string plaintext;
  KeyInfo key;
  std::string version_id;
};

struct DataKey {
  std::string plaintext;
  std::string ciphertext_blob;
  KeyInfo key;
  std::string version_id;
};

struct ReEncryptResult {
  std::string ciphertext_blob;
  KeyInfo source_key;
  std::string source_version_id;
  KeyInfo destination_key;
  std::string destination_version_id;
};

struct AsymmetricResult {
  std::string value;  // ciphertext, plaintext, signature or public key, per operation
  KeyInfo key;
  std::string version_id;
};

struct PublicKeyResult {
  std::string pem;  // SubjectPublicKeyInfo, PEM text
  std::string der;  // SubjectPublicKeyInfo, DER bytes
  KeyInfo key;
  std::string version_id;
};

struct ImportParameters {
  KeyInfo key;
  std::string public_key_der;
  std::string import_token;
  TimePoint token_expires;
};

struct ImportMaterialRequest {
  std::string encrypted_material;
  std::string import_token;
  std::optional<TimePoint> expires;  // none: material does not expire
};

struct TagResult {
  std::string key_id;
  std::string key;
  std::string value;
};

class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::vector<std::string>& regions() const;
  const Clock& clock() const;

  // Accounts appear on first use; one marked closed answers every call with ServiceNotOpen
  // at the adapter (the engine just records the flag).
  void set_service_open(const std::string& account_id, bool open);
  bool service_open(const std::string& account_id) const;

  // Keyrings.
  KeyringInfo create_keyring(const Scope& scope, const CreateKeyringRequest& request);
  KeyringInfo get_keyring(const Scope& scope, const KeyringSelector& selector) const;
  std::vector<KeyringInfo> list_keyrings(const Scope& scope) const;  // oldest first
  void update_keyring(const Scope& scope, const KeyringSelector& selector,
                      const KeyringUpdate& update);
  void delete_keyring(const Scope& scope, const KeyringSelector& selector);

  // Keys and their lifecycle.
  KeyInfo create_key(const Scope& scope, const CreateKeyRequest& request);
  KeyInfo describe_key(const Scope& scope, const KeySelector& selector);
  std::vector<KeyInfo> list_keys(const Scope& scope, const std::optional<KeyringSelector>& keyring);
  void update_key(const Scope& scope, const KeySelector& selector, const KeyUpdate& update);
  void enable_key(const Scope& scope, const KeySelector& selector);
  void disable_key(const Scope& scope, const KeySelector& selector);
  void archive_key(const Scope& scope, const KeySelector& selector);
  void cancel_archive_key(const Scope& scope, const KeySelector& selector);
  KeyInfo schedule_key_deletion(const Scope& scope, const KeySelector& selector, int window_days);
  void cancel_key_deletion(const Scope& scope, const KeySelector& selector);
  void enable_rotation(const Scope& scope, const KeySelector& selector,
                       std::chrono::seconds interval);
  void disable_rotation(const Scope& scope, const KeySelector& selector);
  void set_deletion_protection(const Scope& scope, const KeySelector& selector, bool enabled,
                               const std::string& description);
  KeyVersionInfo create_key_version(const Scope& scope, const KeySelector& selector);
  KeyVersionInfo describe_key_version(const Scope& scope, const KeySelector& selector,
                                      const std::string& version_id);
  void set_key_policy(const Scope& scope, const KeySelector& selector, const std::string& policy);

  // Aliases: names for keys, unique per account and region; a key may have many.
  void create_alias(const Scope& scope, const std::string& alias, const KeySelector& target);
  void update_alias(const Scope& scope, const std::string& alias, const KeySelector& target);
  void delete_alias(const Scope& scope, const std::string& alias);
  std::vector<AliasInfo> list_aliases(const Scope& scope) const;  // by name

  // Symmetric cryptography.
  EncryptResult encrypt(const Scope& scope, const KeySelector& selector, std::string_view plaintext,
                        const EncryptionContext& context);
  DecryptResult decrypt(const Scope& scope, std::string_view ciphertext_blob,
                        const EncryptionContext& context);
  DataKey generate_data_key(const Scope& scope, const KeySelector& selector, size_t bytes,
                            const EncryptionContext& context);
  ReEncryptResult re_encrypt(const Scope& scope, std::string_view ciphertext_blob,
                             const EncryptionContext& source_context,
                             const KeySelector& destination,
                             const EncryptionContext& destination_context);

  // Asymmetric cryptography and MACs.
  AsymmetricResult asymmetric_encrypt(const Scope& scope, const KeySelector& selector,
                                      EncryptionAlgorithm algorithm, std::string_view plaintext);
  AsymmetricResult asymmetric_decrypt(const Scope& scope, const KeySelector& selector,
                                      EncryptionAlgorithm algorithm, std::string_view ciphertext);
  AsymmetricResult sign(const Scope& scope, const KeySelector& selector, SigningAlgorithm algorithm,
                        MessageType type, std::string_view message);
  bool verify(const Scope& scope, const KeySelector& selector, SigningAlgorithm algorithm,
              MessageType type, std::string_view message, std::string_view signature,
              KeyInfo* key_out = nullptr);
  PublicKeyResult get_public_key(const Scope& scope, const KeySelector& selector);
  AsymmetricResult generate_mac(const Scope& scope, const KeySelector& selector,
                                MacAlgorithm algorithm, std::string_view message);
  bool verify_mac(const Scope& scope, const KeySelector& selector, MacAlgorithm algorithm,
                  std::string_view message, std::string_view mac, KeyInfo* key_out = nullptr);

  // Bring your own key.
  ImportParameters get_parameters_for_import(const Scope& scope, const KeySelector& selector,
                                             WrappingKeySpec spec, WrappingAlgorithm algorithm);
  void import_key_material(const Scope& scope, const KeySelector& selector,
                           const ImportMaterialRequest& request);
  void delete_key_material(const Scope& scope, const KeySelector& selector);

  // Multi-region keys.
  KeyInfo replicate_key(const Scope& scope, const KeySelector& selector,
                        const std::string& replica_region, const std::string& description,
                        const std::map<std::string, std::string>& tags);
  void update_primary_region(const Scope& scope, const KeySelector& selector,
                             const std::string& primary_region);

  // Tags on keys.
  void tag_keys(const Scope& scope, const std::vector<std::string>& key_ids,
                const std::map<std::string, std::string>& tags);
  void untag_keys(const Scope& scope, const std::vector<std::string>& key_ids,
                  const std::vector<std::string>& tag_keys);

  // Test hook: a deliberate deviation from documented behaviour, for mutation tests
  // (tests/conformance/mutation_test.cpp); never reachable from the wire. Names, each a one-line
  // deviation where the behaviour lives (docs/reference-server.md lists what each changes):
  // ignore-encryption-context, cancel-deletion-disables, ignore-pending-window,
  // verify-always-valid, mac-verify-always-valid, disable-keeps-state,
  // decrypt-returns-other-bytes. Any other name changes nothing.
  void set_mutation(const std::string& name);

  // How many RSA pairs came from the key pool and how many had to be generated.
  struct KeyMaterialCounts {
    size_t pooled = 0;
    size_t generated = 0;
  };
  KeyMaterialCounts key_material_counts() const;

  struct State;  // defined in engine/state.hpp; public so operation files can share it

 private:
  std::unique_ptr<State> state_;
};

}  // namespace kmsconf::engine
