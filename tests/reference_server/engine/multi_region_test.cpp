// Multi-region keys under both ciphertext layouts: replication rules, shared versions, rotation
// seen from replicas, and moving the primary role.
#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using MultiRegionTest = LayoutTest;
KMSCONF_BOTH_LAYOUTS(MultiRegionTest);

constexpr std::chrono::seconds kInterval =
    std::chrono::duration_cast<std::chrono::seconds>(90 * kDay);

TEST_P(MultiRegionTest, ReplicationRules) {
  KeyInfo primary = symmetric_key(std::nullopt, /*multi_region=*/true);
  EXPECT_EQ(primary.multi_region.role, MultiRegionRole::Primary);
  EXPECT_EQ(primary.multi_region.primary.region, "r1");
  EXPECT_EQ(primary.multi_region.primary.key_id, primary.id);

  EngineError unknown = expect_engine_error(ErrorKind::InvalidReplicaRegion, [&] {
    engine_->replicate_key(scope_, id_of(primary), "r9", "", {});
  });
  EXPECT_EQ(unknown.subject(), "r9");
  EXPECT_EQ(
      expect_engine_error(ErrorKind::InvalidReplicaRegion,
                          [&] { engine_->replicate_key(scope_, id_of(primary), "r1", "", {}); })
          .subject(),
      "r1");

  clock_->advance(1s);
  KeyInfo replica = engine_->replicate_key(scope_, id_of(primary), "r2", "copy", {{"t", "v"}});
  EXPECT_NE(replica.id, primary.id);
  EXPECT_EQ(replica.region, "r2");
  EXPECT_EQ(replica.description, "copy");
  EXPECT_EQ((replica.tags), (std::map<std::string, std::string>{{"t", "v"}}));
  EXPECT_EQ(replica.state, KeyState::Enabled);
  EXPECT_EQ(replica.created, start_time() + 1s);
  EXPECT_EQ(replica.multi_region.role, MultiRegionRole::Replica);
  EXPECT_EQ(replica.multi_region.primary.region, "r1");
  EXPECT_EQ(replica.multi_region.primary.key_id, primary.id);
  ASSERT_EQ(replica.versions.size(), 1u);
  EXPECT_EQ(replica.versions[0].id, primary.versions[0].id) << "versions are shared";

  KeyInfo after = describe(primary);
  ASSERT_EQ(after.multi_region.replicas.size(), 1u);
  EXPECT_EQ(after.multi_region.replicas[0].region, "r2");
  EXPECT_EQ(after.multi_region.replicas[0].key_id, replica.id);
  EXPECT_EQ(engine_->describe_key(in("r2"), id_of(replica)).id, replica.id);

  EngineError twice = expect_engine_error(
      ErrorKind::Conflict, [&] { engine_->replicate_key(scope_, id_of(primary), "r2", "", {}); });
  EXPECT_EQ(twice.subject(), "key");

  // Replicas do not replicate; single-region keys do not either.
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->replicate_key(in("r2"), id_of(replica), "r3", "", {}); });
  KeyInfo single = symmetric_key();
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->replicate_key(scope_, id_of(single), "r2", "", {}); });

  // The state policy applies to the primary.
  engine_->disable_key(scope_, id_of(primary));
  EXPECT_EQ(
      expect_engine_error(ErrorKind::InvalidKeyState,
                          [&] { engine_->replicate_key(scope_, id_of(primary), "r3", "", {}); })
          .state(),
      KeyState::Disabled);
}

TEST_P(MultiRegionTest, ReplicaDecryptsThePrimarysBlobsAndBack) {
  KeyInfo primary = symmetric_key(std::nullopt, true);
  std::string from_primary =
      engine_->encrypt(scope_, id_of(primary), "from r1", {{"c", "1"}}).ciphertext_blob;
  KeyInfo replica = engine_->replicate_key(scope_, id_of(primary), "r2", "", {});

  DecryptResult opened = engine_->decrypt(in("r2"), from_primary, {{"c", "1"}});
  EXPECT_EQ(opened.plaintext, "from r1");
  EXPECT_EQ(opened.key.id, replica.id) << "in r2 the blob resolves to the replica";
  expect_engine_error(ErrorKind::InvalidCiphertext,
                      [&] { engine_->decrypt(in("r2"), from_primary, {}); });

  std::string from_replica =
      engine_->encrypt(in("r2"), id_of(replica), "from r2", {}).ciphertext_blob;
  EXPECT_EQ(engine_->decrypt(scope_, from_replica, {}).plaintext, "from r2");
  EXPECT_EQ(engine_->decrypt(scope_, from_replica, {}).key.id, primary.id);

  // A region without a replica does not know the key.
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->decrypt(in("r3"), from_primary, {}); });

  // Each copy has its own state.
  engine_->disable_key(in("r2"), id_of(replica));
  expect_engine_error(ErrorKind::InvalidKeyState, [&] {
    engine_->decrypt(in("r2"), from_primary, {{"c", "1"}});
  });
  EXPECT_EQ(engine_->decrypt(scope_, from_replica, {}).plaintext, "from r2");
}

TEST_P(MultiRegionTest, ReplicaInAKeyringGetsTheKeyring) {
  engine_->create_keyring(scope_, {"ring", "CustomKeyring", "", "default"});
  CreateKeyRequest request;
  request.keyring_name = "ring";
  request.name = "mrk";
  request.multi_region = true;
  KeyInfo primary = create_key(request);
  KeyInfo replica = engine_->replicate_key(scope_, id_of(primary), "r2", "", {});
  EXPECT_EQ(replica.name, "mrk");
  KeyringInfo ring = engine_->get_keyring(in("r2"), {"", "ring"});
  EXPECT_EQ(replica.keyring_id, ring.id);
  EXPECT_EQ(ring.key_count, 1u);
  EXPECT_EQ(engine_->describe_key(in("r2"), KeySelector::by_name("ring", "mrk")).id, replica.id);
}

TEST_P(MultiRegionTest, RotationOnThePrimaryIsVisibleToReplicas) {
  KeyInfo primary = symmetric_key(kInterval, true);
  std::string old_blob = engine_->encrypt(scope_, id_of(primary), "v1", {}).ciphertext_blob;
  KeyInfo replica = engine_->replicate_key(scope_, id_of(primary), "r2", "", {});

  // Only the replica is touched after the rotation date: it still sees the new version.
  clock_->advance(kInterval);
  KeyInfo seen = engine_->describe_key(in("r2"), id_of(replica));
  ASSERT_EQ(seen.versions.size(), 2u);
  auto sealed = engine_->encrypt(in("r2"), id_of(replica), "v2", {});
  EXPECT_EQ(sealed.version_id, seen.versions[1].id);

  KeyInfo at_primary = describe(primary);
  ASSERT_EQ(at_primary.versions.size(), 2u) << "one rotation, not one per copy";
  EXPECT_EQ(at_primary.versions[1].id, seen.versions[1].id);
  EXPECT_EQ(engine_->decrypt(scope_, sealed.ciphertext_blob, {}).plaintext, "v2");
  EXPECT_EQ(engine_->decrypt(in("r2"), old_blob, {}).plaintext, "v1");

  // Manual versions of the primary are shared the same way.
  KeyVersionInfo v3 = engine_->create_key_version(scope_, id_of(primary));
  EXPECT_EQ(engine_->encrypt(in("r2"), id_of(replica), "v3", {}).version_id, v3.id);
}

TEST_P(MultiRegionTest, UpdatePrimaryRegionSwapsRoles) {
  KeyInfo primary = symmetric_key(std::nullopt, true);
  KeyInfo replica = engine_->replicate_key(scope_, id_of(primary), "r2", "", {});
  std::string blob = engine_->encrypt(scope_, id_of(primary), "swap", {}).ciphertext_blob;

  EXPECT_EQ(
      expect_engine_error(ErrorKind::InvalidParameter,
                          [&] { engine_->update_primary_region(scope_, id_of(primary), "r3"); })
          .field(),
      Field::PrimaryRegion);
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->update_primary_region(in("r2"), id_of(replica), "r1"); });

  engine_->update_primary_region(scope_, id_of(primary), "r2");
  KeyInfo old_primary = describe(primary);
  KeyInfo new_primary = engine_->describe_key(in("r2"), id_of(replica));
  EXPECT_EQ(old_primary.multi_region.role, MultiRegionRole::Replica);
  EXPECT_EQ(new_primary.multi_region.role, MultiRegionRole::Primary);
  EXPECT_EQ(old_primary.multi_region.primary.region, "r2");
  EXPECT_EQ(old_primary.multi_region.primary.key_id, replica.id);
  ASSERT_EQ(new_primary.multi_region.replicas.size(), 1u);
  EXPECT_EQ(new_primary.multi_region.replicas[0].region, "r1");
  EXPECT_EQ(new_primary.multi_region.replicas[0].key_id, primary.id);

  // The old primary is a replica now: it cannot replicate; the new primary can.
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->replicate_key(scope_, id_of(primary), "r3", "", {}); });
  expect_engine_error(ErrorKind::Conflict,
                      [&] { engine_->replicate_key(in("r2"), id_of(replica), "r1", "", {}); });
  KeyInfo third = engine_->replicate_key(in("r2"), id_of(replica), "r3", "", {});
  EXPECT_EQ(third.multi_region.primary.region, "r2");
  EXPECT_EQ(engine_->decrypt(in("r3"), blob, {}).plaintext, "swap");
  EXPECT_EQ(engine_->decrypt(scope_, blob, {}).plaintext, "swap");
}

TEST_P(MultiRegionTest, RotationFollowsThePrimaryRole) {
  KeyInfo primary = symmetric_key(kInterval, true);
  KeyInfo replica = engine_->replicate_key(scope_, id_of(primary), "r2", "", {});
  engine_->update_primary_region(scope_, id_of(primary), "r2");

  KeyInfo new_primary = engine_->describe_key(in("r2"), id_of(replica));
  EXPECT_TRUE(new_primary.rotation.enabled);
  EXPECT_EQ(new_primary.rotation.next, start_time() + kInterval);

  // Touching only the new primary rotates the family, exactly once.
  clock_->advance(kInterval);
  EXPECT_EQ(engine_->describe_key(in("r2"), id_of(replica)).versions.size(), 2u);
  EXPECT_EQ(describe(primary).versions.size(), 2u);
  EXPECT_EQ(engine_->describe_key(in("r2"), id_of(replica)).versions.size(), 2u);
}

TEST_P(MultiRegionTest, DeletedReplicaLeavesTheFamily) {
  KeyInfo primary = symmetric_key(std::nullopt, true);
  KeyInfo replica = engine_->replicate_key(scope_, id_of(primary), "r2", "", {});
  std::string blob = engine_->encrypt(scope_, id_of(primary), "x", {}).ciphertext_blob;
  engine_->schedule_key_deletion(in("r2"), id_of(replica), 7);
  clock_->advance(7 * kDay);
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->decrypt(in("r2"), blob, {}); });
  EXPECT_TRUE(describe(primary).multi_region.replicas.empty());
  EXPECT_EQ(engine_->decrypt(scope_, blob, {}).plaintext, "x") << "the primary is untouched";
  // The region is free for a new replica.
  KeyInfo again = engine_->replicate_key(scope_, id_of(primary), "r2", "", {});
  EXPECT_EQ(engine_->decrypt(in("r2"), blob, {}).key.id, again.id);
}

}  // namespace
}  // namespace kmsconf::engine::testing
