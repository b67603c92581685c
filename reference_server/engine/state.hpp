// Engine internals shared by the operation files (keyrings.cpp, keys.cpp, symmetric.cpp, ...).
// Everything here is guarded by State::mutex; crypto runs on copied material outside the lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/key_pool.hpp"
#include "reference_server/engine/engine.hpp"

namespace kmsconf::engine {

struct VersionRecord {
  KeyVersionInfo info;
  KeyMaterialPtr material;  // null while imported material is absent
};

// Versions are shared by every member of a multi-region family, so a rotation of the primary
// is visible to replicas and a replica decrypts the primary's ciphertexts.
struct MaterialSet {
  std::vector<VersionRecord> versions;  // oldest first; back() is primary
};

struct MultiRegionFamily {
  RegionalKeyRef primary;
  std::vector<RegionalKeyRef> replicas;
};

struct ImportSession {
  KeyMaterialPtr wrapping_key;
  WrappingAlgorithm algorithm = WrappingAlgorithm::RsaesOaepSha256;
  std::string token;
  TimePoint expires;
};

struct KeyRecord {
  KeyInfo info;           // versions and multi_region are filled in by snapshot()
  std::string family_id;  // id carried by ciphertext blobs; the key's own id unless replicated
  std::shared_ptr<MaterialSet> material;
  std::shared_ptr<MultiRegionFamily> family;  // null unless multi-region
  std::optional<ImportSession> import_session;
  std::string imported_fingerprint;  // bytes of the first imported material
  uint64_t sequence = 0;             // creation order (see created_before)
};

struct KeyringRecord {
  KeyringInfo info;
  uint64_t sequence = 0;  // creation order (see created_before)
};

struct RegionState {
  std::map<std::string, KeyringRecord> keyrings;     // by id
  std::map<std::string, KeyRecord> keys;             // by id
  std::map<std::string, std::string> family_index;   // family id -> key id
  std::map<std::string, std::string> version_index;  // version id -> key id
  std::map<std::string, AliasInfo> aliases;          // alias name -> alias
};

struct AccountState {
  bool service_open = true;
  std::map<std::string, RegionState> regions;
};

struct Engine::State {
  explicit State(EngineOptions opts) : options(std::move(opts)), keys(options.key_pool) {}

  EngineOptions options;
  crypto::KeySource keys;  // fresh material; thread-safe, so used outside the lock too
  std::mutex mutex;
  std::map<std::string, AccountState> accounts;
  std::string mutation;
  uint64_t last_sequence = 0;

  // Numbers records in creation order, so listings stay oldest first within one clock tick.
  uint64_t next_sequence() { return ++last_sequence; }

  TimePoint now() const { return options.clock->now(); }
  bool mutated(std::string_view name) const { return mutation == name; }

  RegionState& region(const Scope& scope) {
    return accounts[scope.account_id].regions[scope.region];
  }
  bool region_known(const std::string& region) const;

  // Lookups that throw NotFound. resolve_key also applies due deletions and rotations.
  KeyRecord& resolve_key(const Scope& scope, const KeySelector& selector);
  KeyringRecord& resolve_keyring(const Scope& scope, const KeyringSelector& selector);
  KeyringRecord* find_keyring_by_name(RegionState& region, const std::string& name);

  // Applies what the clock says is due: rotation, material expiry, end of a deletion window.
  // Returns false when the key has been destroyed (and removed from its region).
  bool settle(const Scope& scope, const std::string& key_id);
  void settle_all(const Scope& scope);
  void destroy(RegionState& region, const std::string& key_id);
  void rotate(KeyRecord& key, RegionState& region);

  // Policy and kind checks; throw EngineError.
  void require(const KeyRecord& key, KeyOp op) const;
  static void require_usage(const KeyRecord& key, KeyUsage usage);
  static void require_symmetric(const KeyRecord& key);

  // The selected version (selector.version_id), or the primary one; NotFound("version").
  const VersionRecord& find_version(const KeyRecord& key, const std::string& version_id) const;
  VersionRecord& add_version(KeyRecord& key, RegionState& region, KeyMaterialPtr material);
  void index_versions(RegionState& region, const KeyRecord& key);
  KeyInfo snapshot(const KeyRecord& key) const;
  void touch(KeyRecord& key) { key.info.updated = now(); }
};

// Oldest first: by creation time, then by creation order for records created in one tick.
template <typename Record>
bool created_before(const Record* a, const Record* b) {
  if (a->info.created != b->info.created) return a->info.created < b->info.created;
  return a->sequence < b->sequence;
}

// Ciphertext blob framing (layout chosen by EngineOptions).
struct BlobParts {
  std::string key_ref;  // family id (KeyIdAndVersionNumber) or version id (VersionIdText)
  uint16_t version_number = 0;
  std::string iv;
  std::string ciphertext_and_tag;
};
std::string encode_blob(CiphertextLayout layout, const std::string& family_id,
                        const KeyVersionInfo& version, const std::string& iv,
                        const std::string& ciphertext_and_tag);
std::optional<BlobParts> decode_blob(CiphertextLayout layout, std::string_view blob);

// Order-insensitive, unambiguous encoding of an encryption context used as AES-GCM AAD.
std::string canonical_context(const EncryptionContext& context);

}  // namespace kmsconf::engine
