// Happy paths of the multi-region operations (spec §3.1 #32-33, §3.7) over HTTP, with the
// seed page's ReplicateKey example as the expected ReplicaKey object.
#include "tests/reference_server/volcengine/operations_support.hpp"

namespace kmsconf::testing {
namespace {

using client::Placement;
using volcengine::SignerStyle;

// The ReplicaKey object of the seed page's response example (volcengine-ReplicateKey.txt). Its
// account (2100042018) is the fixture's, its request the one ReplicateKeyMatchesTheSeedPage
// sends.
constexpr const char* kSeedReplicaKey = R"({
  "ID": "d24a9f14-1a8b-4393-b66e-b77b766b5735",
  "CreationDate": 1625818017,
  "UpdateDate": 1625818017591,
  "KeyName": "mrk-test",
  "KeySpec": "SYMMETRIC_256",
  "Description": "replica key",
  "KeyState": "Enable",
  "KeyUsage": "ENCRYPT_DECRYPT",
  "ProtectionLevel": "SOFTWARE",
  "Origin": "CloudKMS",
  "MultiRegion": true,
  "MultiRegionConfiguration": {
     "MultiRegionKeyType": "REPLICA",
     "PrimaryKey": {
        "Trn": "trn:kms:cn-beijing:2100042018:keyrings/test/keys/mrk-test",
        "Region": "cn-beijing"
     },
     "ReplicaKeys": [
        {
           "Trn": "trn:kms:cn-shanghai:2100042018:keyrings/test/keys/mrk-test",
           "Region": "cn-shanghai"
        }
     ]
  }
})";

class MultiRegionOperationsTest : public OperationsTest {
 protected:
  // keyring "test", key "mrk-test" (multi-region) in cn-beijing; returns its id.
  std::string create_primary() {
    created_ = now();
    ring_id_ = create_keyring("test");
    return create_key("test", "mrk-test", {{"MultiRegion", true}});
  }

  json replicate(const std::string& region, client::CallOptions options = {}) {
    json result = success("ReplicateKey",
                          {{"KeyringName", "test"},
                           {"KeyName", "mrk-test"},
                           {"ReplicaRegion", region},
                           {"Description", "replica key"}},
                          Has::Result, std::move(options));
    EXPECT_EQ(names_of(result), std::set<std::string>{"ReplicaKey"});
    return result.value("ReplicaKey", json());
  }

  json config(const std::string& type, const std::string& primary,
              std::vector<std::string> replicas) {
    return multi_region_config(type, primary, std::move(replicas), "test", "mrk-test");
  }

  TimePoint created_;
  std::string ring_id_;
};

// ---- #32 ReplicateKey ------------------------------------------------------------------------

TEST_F(MultiRegionOperationsTest, ReplicateKeyMatchesTheSeedPage) {
  std::string primary = create_primary();
  std::string blob = encrypt(primary, "sealed in beijing");
  clock_->advance(std::chrono::seconds(2));
  TimePoint t = now();

  // The seed's request: JSON body, names, ReplicaRegion, Description; signed for cn-beijing.
  json replica = replicate(kShanghai);
  const json seed = json::parse(kSeedReplicaKey);

  // Every field of the seed object is there, with the seed's JSON type and value; the spec's
  // Key object (§3.2, §3.7) adds Trn (in the replica region) and RotationState.
  std::set<std::string> expected_fields = names_of(seed);
  expected_fields.insert("Trn");
  expected_fields.insert("RotationState");
  EXPECT_EQ(names_of(replica), expected_fields);
  for (const auto& [name, value] : seed.items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(replica.contains(name));
    EXPECT_EQ(replica[name].type_name(), std::string(value.type_name()));
    if (name == "ID" || name == "CreationDate" || name == "UpdateDate") continue;
    EXPECT_EQ(replica[name], value);
  }
  // The instance-specific ones: a fresh UUID v4 [INF], seconds and milliseconds (§4.9).
  EXPECT_TRUE(is_uuid_v4(replica.value("ID", json())));
  EXPECT_NE(replica.value("ID", json()), primary);
  EXPECT_EQ(replica.value("CreationDate", json()), seconds_of(t));
  EXPECT_EQ(replica.value("UpdateDate", json()), millis_of(t));
  EXPECT_EQ(replica.value("Trn", json()), key_trn(kShanghai, "test", "mrk-test"));
  EXPECT_EQ(replica.value("RotationState", json()), "Disable");
  const std::string replica_id = replica.value("ID", "");
  expect_key(replica, key_expect(replica_id, "test", "mrk-test", t, t)
                          .in(kShanghai)
                          .with_description("replica key")
                          .with_multi_region(seed["MultiRegionConfiguration"]));

  // The primary now lists the replica.
  expect_key(describe_key(primary),
             key_expect(primary, "test", "mrk-test", created_, t)
                 .with_multi_region(config("PRIMARY", kRegion, {kShanghai})));

  // The replica lives in cn-shanghai: same object there, by id or by names.
  json there = describe_key(replica_id, in_region(kShanghai));
  EXPECT_EQ(there, replica);
  json by_names = success("DescribeKey", {{"KeyringName", "test"}, {"KeyName", "mrk-test"}},
                          Has::Result, in_region(kShanghai, Placement::Query));
  EXPECT_EQ(by_names["Key"], replica);
  // ... and not in cn-beijing under its own id.
  expect_error(call("DescribeKey", {{"KeyID", replica_id}}), 404, "Not Found");

  // Shared material: the replica opens the primary's ciphertext and vice versa.
  EXPECT_EQ(decrypt(blob, json(), in_region(kShanghai)), "sealed in beijing");
  json sealed_there =
      success("Encrypt", {{"KeyID", replica_id}, {"Plaintext", base64_encode("shanghai")}},
              Has::Result, in_region(kShanghai, Placement::FormBody));
  EXPECT_EQ(decrypt(sealed_there.value("CiphertextBlob", "")), "shanghai");

  // The keyring was created in the replica region too.
  json ring_there = success("QueryKeyring", {{"KeyringName", "test"}}, Has::Result,
                            in_region(kShanghai))["Keyring"];
  expect_keyring(ring_there,
                 keyring_expect("", "test", t, t).in(kShanghai).with_project("default"));
  EXPECT_NE(ring_there.value("ID", json()), ring_id_);
  json listed =
      success("DescribeKeys", {{"KeyringName", "test"}}, Has::Result, in_region(kShanghai));
  ASSERT_EQ(listed["Keys"].size(), 1u);
  EXPECT_EQ(listed["Keys"][0], replica);
}

TEST_F(MultiRegionOperationsTest, ReplicateKeyByIdOverGetToASecondRegion) {
  std::string primary = create_primary();
  replicate(kShanghai);
  clock_->advance(std::chrono::seconds(1));
  TimePoint t = now();
  json second = success("ReplicateKey", {{"KeyID", primary}, {"ReplicaRegion", "cn-guangzhou"}},
                        Has::Result, placed(Placement::Query, SignerStyle::Go));
  EXPECT_EQ(names_of(second), std::set<std::string>{"ReplicaKey"});
  expect_key(second["ReplicaKey"],
             key_expect("", "test", "mrk-test", t, t)
                 .in("cn-guangzhou")
                 .with_multi_region(config("REPLICA", kRegion, {kShanghai, "cn-guangzhou"})));
  expect_key(describe_key(primary),
             key_expect(primary, "test", "mrk-test", created_, t)
                 .with_multi_region(config("PRIMARY", kRegion, {kShanghai, "cn-guangzhou"})));
}

// ---- #33 UpdatePrimaryRegion -----------------------------------------------------------------

TEST_F(MultiRegionOperationsTest, UpdatePrimaryRegionSwapsTheRoles) {
  std::string primary = create_primary();
  std::string blob = encrypt(primary, "before the move");
  clock_->advance(std::chrono::seconds(1));
  TimePoint replicated = now();
  std::string replica = replicate(kShanghai).value("ID", "");

  clock_->advance(std::chrono::seconds(1));
  TimePoint moved = now();
  // No result: the reference server omits it (§1.2; docs show "{}").
  success("UpdatePrimaryRegion", {{"KeyID", primary}, {"PrimaryRegion", kShanghai}}, Has::NoResult);

  expect_key(describe_key(primary),
             key_expect(primary, "test", "mrk-test", created_, moved)
                 .with_multi_region(config("REPLICA", kShanghai, {kRegion})));
  // Both copies changed (their roles and PrimaryKey), so both show the update.
  expect_key(describe_key(replica, in_region(kShanghai)),
             key_expect(replica, "test", "mrk-test", replicated, moved)
                 .in(kShanghai)
                 .with_description("replica key")
                 .with_multi_region(config("PRIMARY", kShanghai, {kRegion})));

  // Only the new primary replicates or moves the primary role now.
  expect_error(call("ReplicateKey", {{"KeyID", primary}, {"ReplicaRegion", "cn-guangzhou"}}), 400,
               "InvalidOperation");
  expect_error(call("UpdatePrimaryRegion", {{"KeyID", primary}, {"PrimaryRegion", kShanghai}}), 400,
               "InvalidOperation");
  json third = success("ReplicateKey", {{"KeyID", replica}, {"ReplicaRegion", "cn-guangzhou"}},
                       Has::Result, in_region(kShanghai));
  EXPECT_EQ(third["ReplicaKey"].value("MultiRegionConfiguration", json()),
            config("REPLICA", kShanghai, {kRegion, "cn-guangzhou"}));

  // Every copy still opens old ciphertexts.
  EXPECT_EQ(decrypt(blob), "before the move");
  EXPECT_EQ(decrypt(blob, json(), in_region(kShanghai)), "before the move");
  EXPECT_EQ(decrypt(blob, json(), in_region("cn-guangzhou")), "before the move");
  const std::string third_id = third["ReplicaKey"].value("ID", "");

  // And back, from the new primary's region, by names over a form body.
  clock_->advance(std::chrono::seconds(1));
  TimePoint back = now();
  success("UpdatePrimaryRegion",
          {{"KeyringName", "test"}, {"KeyName", "mrk-test"}, {"PrimaryRegion", kRegion}},
          Has::NoResult, in_region(kShanghai, Placement::FormBody));
  expect_key(describe_key(primary),
             key_expect(primary, "test", "mrk-test", created_, back)
                 .with_multi_region(config("PRIMARY", kRegion, {kShanghai, "cn-guangzhou"})));
  expect_key(describe_key(replica, in_region(kShanghai)),
             key_expect(replica, "test", "mrk-test", replicated, back)
                 .in(kShanghai)
                 .with_description("replica key")
                 .with_multi_region(config("REPLICA", kRegion, {kShanghai, "cn-guangzhou"})));
  EXPECT_EQ(
      describe_key(third_id, in_region("cn-guangzhou")).value("MultiRegionConfiguration", json()),
      config("REPLICA", kRegion, {kShanghai, "cn-guangzhou"}));
}

TEST_F(MultiRegionOperationsTest, RotationOfThePrimaryReachesTheReplica) {
  created_ = now();
  std::string primary =
      create_key("test", "mrk-test",
                 {{"MultiRegion", true}, {"RotateState", "Enable"}, {"RotateInterval", 90}});
  std::string replica = replicate(kShanghai).value("ID", "");
  std::string v1 = encrypt(primary, "first version");
  EXPECT_EQ(blob_version(unbase64(v1)), 1);

  clock_->advance(days(90));
  TimePoint rotated = now();
  json key = describe_key(primary);  // the primary rotates when due
  EXPECT_EQ(key.value("LastRotationTime", json()), rfc3339_beijing(rotated));
  json sealed = success("Encrypt", {{"KeyID", replica}, {"Plaintext", base64_encode("second")}},
                        Has::Result, in_region(kShanghai));
  std::string v2 = sealed.value("CiphertextBlob", "");
  EXPECT_EQ(blob_version(unbase64(v2)), 2) << "the replica uses the primary's new version";
  EXPECT_EQ(blob_key_id(unbase64(v2)), primary) << "blobs carry the family (primary) id";
  EXPECT_EQ(decrypt(v2), "second");
  EXPECT_EQ(decrypt(v1, json(), in_region(kShanghai)), "first version");
}

}  // namespace
}  // namespace kmsconf::testing
