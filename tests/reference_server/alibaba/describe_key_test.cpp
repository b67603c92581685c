// DescribeKey against the seed page (shared/seeds/alibaba-DescribeKey.txt): every field of its
// KeyMetadata table with type and format, in each key state (Enabled, Disabled, PendingDeletion,
// PendingImport), the fields that only appear under conditions (DeleteDate, NextRotationDate,
// RotationInterval, PrimaryKeyVersion, DKMSInstanceId, MaterialExpireTime, DeletionProtection*),
// and the page's four errors with the §1.5 error envelope.
#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "tests/reference_server/alibaba/operations_support.hpp"

namespace kmsconf::testing {
namespace {

// The seed's KeyMetadata table, all 20 rows.
const std::set<std::string> kSeedFields{"DeletionProtection",
                                        "KeyId",
                                        "NextRotationDate",
                                        "KeyState",
                                        "RotationInterval",
                                        "Arn",
                                        "Creator",
                                        "LastRotationDate",
                                        "DeleteDate",
                                        "PrimaryKeyVersion",
                                        "Description",
                                        "KeySpec",
                                        "Origin",
                                        "MaterialExpireTime",
                                        "DeletionProtectionDescription",
                                        "AutomaticRotation",
                                        "ProtectionLevel",
                                        "KeyUsage",
                                        "CreationDate",
                                        "DKMSInstanceId"};

class AlibabaDescribeKeyTest : public AlibabaOperationsTest {
 protected:
  MetaExpect expected(const std::string& id, TimePoint created) {
    MetaExpect e = meta_expect(id, created);
    e.describe = true;
    return e;
  }

  // Describes the key by id in every signing mode and method, checks each answer against `e`,
  // and checks they agree.
  void expect_described(const std::string& id, const MetaExpect& e) {
    json first;
    for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea, AlibabaSigning::V3,
                         AlibabaSigning::V3FormBody}) {
      for (const char* method : {"POST", "GET"}) {
        SCOPED_TRACE(std::string(signing_name(signing)) + " " + method);
        json meta = describe(id, signed_with(signing, method));
        expect_key_metadata(meta, e);
        if (first.is_null()) first = meta;
        EXPECT_EQ(meta, first);
      }
    }
  }

  std::string import_material(const std::string& id, const std::string& material,
                              std::optional<int64_t> expire_unix = std::nullopt) {
    json params = success("GetParametersForImport",
                          {{"KeyId", id},
                           {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                           {"WrappingKeySpec", "RSA_2048"}},
                          {"KeyId", "ImportToken", "PublicKey", "TokenExpireTime"});
    auto wrapped = engine::crypto::wrap_for_import(
        unbase64(params["PublicKey"]), engine::WrappingAlgorithm::RsaesOaepSha256, material);
    EXPECT_TRUE(wrapped.has_value());
    json request{{"KeyId", id},
                 {"EncryptedKeyMaterial", b64(wrapped.value_or(""))},
                 {"ImportToken", params["ImportToken"]}};
    if (expire_unix) request["KeyMaterialExpireUnix"] = *expire_unix;
    done("ImportKeyMaterial", request);
    return material;
  }
};

// ---- every field -----------------------------------------------------------------------------

TEST_F(AlibabaDescribeKeyTest, AKeyLikeTheSeedExampleCarriesEveryFieldOfTheTable) {
  // Rotation on, an instance id, and a deletion scheduled: every conditional field is present.
  TimePoint t = now();
  std::string id = create_key({{"Description", "key description example"},
                               {"ProtectionLevel", "HSM"},
                               {"EnableAutomaticRotation", true},
                               {"RotationInterval", "365d"},
                               {"DKMSInstanceId", "kst-bjj62d8f5e0sgtx8h0000"}});
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  json meta = describe(id);
  EXPECT_EQ(names_of(meta), kSeedFields);
  for (const auto& name : kSeedFields) {
    EXPECT_TRUE(meta.value(name, json()).is_string()) << name << " is a string (seed: string)";
  }
  MetaExpect e = expected(id, t);
  e.description = "key description example";
  e.protection = "HSM";
  e.state = "PendingDeletion";
  e.delete_date = t + days(7);
  e.rotation = "Suspended";  // rotation on, key not Enabled
  e.interval = "31536000s";  // the seed's own example value for 365 days
  e.next_rotation = t + days(365);
  e.instance = "kst-bjj62d8f5e0sgtx8h0000";
  expect_key_metadata(meta, e);
}

// ---- each state ------------------------------------------------------------------------------

TEST_F(AlibabaDescribeKeyTest, EnabledKey) {
  TimePoint t = now();
  std::string id = create_key({{"Description", "enabled"}});
  MetaExpect e = expected(id, t);
  e.description = "enabled";
  expect_described(id, e);

  // With rotation: AutomaticRotation Enabled, RotationInterval and NextRotationDate appear.
  TimePoint t2 = now();
  std::string rotating =
      create_key({{"EnableAutomaticRotation", true}, {"RotationInterval", "2592000s"}});
  MetaExpect r = expected(rotating, t2);
  r.rotation = "Enabled";
  r.interval = "2592000s";
  r.next_rotation = t2 + days(30);
  expect_described(rotating, r);
}

TEST_F(AlibabaDescribeKeyTest, DisabledKey) {
  TimePoint t = now();
  std::string id = create_key();
  done("DisableKey", {{"KeyId", id}});
  MetaExpect e = expected(id, t);
  e.state = "Disabled";
  expect_described(id, e);

  // Rotation on while Disabled: Suspended, and the fields stay (seed: Enabled or Suspended).
  std::string rotating =
      create_key({{"EnableAutomaticRotation", true}, {"RotationInterval", "7d"}});
  done("DisableKey", {{"KeyId", rotating}});
  MetaExpect r = expected(rotating, t);
  r.state = "Disabled";
  r.rotation = "Suspended";
  r.interval = "604800s";
  r.next_rotation = t + days(7);
  expect_described(rotating, r);
  // Suspended means suspended: no rotation while Disabled, even past the date.
  std::string version = describe(rotating).value("PrimaryKeyVersion", "");
  clock_->advance(days(8));
  json suspended = describe(rotating);
  EXPECT_EQ(suspended.value("PrimaryKeyVersion", json()), version);
  EXPECT_EQ(suspended.value("AutomaticRotation", json()), "Suspended");
  EXPECT_EQ(suspended.value("LastRotationDate", json()), iso_z(t));
  // Re-enabled: Enabled again, and the overdue rotation happens once.
  done("EnableKey", {{"KeyId", rotating}});
  json resumed = describe(rotating);
  EXPECT_EQ(resumed.value("AutomaticRotation", json()), "Enabled");
  EXPECT_NE(resumed.value("PrimaryKeyVersion", json()), version);
  EXPECT_EQ(resumed.value("LastRotationDate", json()), iso_z(now()));
  EXPECT_EQ(resumed.value("NextRotationDate", json()), iso_z(now() + days(7)));
}

TEST_F(AlibabaDescribeKeyTest, PendingDeletionKeyHasDeleteDate) {
  TimePoint t = now();
  std::string id = create_key();
  clock_->advance(std::chrono::hours(5));
  TimePoint scheduled = now();
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 10}});
  MetaExpect e = expected(id, t);
  e.state = "PendingDeletion";
  e.delete_date = scheduled + days(10);
  expect_described(id, e);

  // From Disabled, with rotation on: Suspended.
  std::string rotating =
      create_key({{"EnableAutomaticRotation", true}, {"RotationInterval", "7d"}});
  done("DisableKey", {{"KeyId", rotating}});
  done("ScheduleKeyDeletion", {{"KeyId", rotating}, {"PendingWindowInDays", 7}});
  MetaExpect r = expected(rotating, scheduled);
  r.state = "PendingDeletion";
  r.delete_date = scheduled + days(7);
  r.rotation = "Suspended";
  r.interval = "604800s";
  r.next_rotation = scheduled + days(7);
  expect_described(rotating, r);

  // DeleteDate only in PendingDeletion: cancelling removes it; rotation is Enabled again.
  done("CancelKeyDeletion", {{"KeyId", rotating}});
  r.state = "Enabled";
  r.delete_date.reset();
  r.rotation = "Enabled";
  expect_described(rotating, r);
}

TEST_F(AlibabaDescribeKeyTest, PendingImportKey) {
  TimePoint t = now();
  std::string id = create_key({{"Origin", "EXTERNAL"}, {"Description", "byok"}});
  MetaExpect e = expected(id, t);
  e.origin = "EXTERNAL";
  e.state = "PendingImport";
  e.description = "byok";
  expect_described(id, e);

  // PendingImport -> PendingDeletion keeps the version fields and adds DeleteDate.
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  e.state = "PendingDeletion";
  e.delete_date = t + days(7);
  expect_described(id, e);
}

TEST_F(AlibabaDescribeKeyTest, AsymmetricKeysHaveNoPrimaryKeyVersionInAnyState) {
  TimePoint t = now();
  std::string id = create_key({{"KeySpec", "RSA_2048"}, {"KeyUsage", "SIGN/VERIFY"}});
  MetaExpect e = expected(id, t);
  e.spec = "RSA_2048";
  e.usage = "SIGN/VERIFY";
  expect_described(id, e);
  done("DisableKey", {{"KeyId", id}});
  e.state = "Disabled";
  expect_described(id, e);
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  e.state = "PendingDeletion";
  e.delete_date = t + days(7);
  expect_described(id, e);
}

// ---- conditional fields ----------------------------------------------------------------------

TEST_F(AlibabaDescribeKeyTest, PrimaryKeyVersionIsTheVersionEncryptUses) {
  std::string id = create_key();
  json meta = describe(id);
  json sealed = encrypt(id, "x");
  EXPECT_EQ(meta.value("PrimaryKeyVersion", json()), sealed["KeyVersionId"]);
  auto versions = items(success("ListKeyVersions", {{"KeyId", id}},
                                {"KeyVersions", "TotalCount", "PageNumber", "PageSize"}),
                        "KeyVersions", "KeyVersion");
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0]["KeyVersionId"], meta["PrimaryKeyVersion"]);
  // LastRotationDate of a new key = creation of its initial version.
  EXPECT_EQ(meta["LastRotationDate"], versions[0]["CreationDate"]);
  EXPECT_EQ(meta["LastRotationDate"], meta["CreationDate"]);
}

TEST_F(AlibabaDescribeKeyTest, LastRotationDateIsTheInitialVersionUntilARotation) {
  TimePoint t = now();
  std::string id = create_key();
  clock_->advance(days(3));
  EXPECT_EQ(describe(id).value("LastRotationDate", json()), iso_z(t));
  done("UpdateRotationPolicy",
       {{"KeyId", id}, {"EnableAutomaticRotation", true}, {"RotationInterval", "7d"}});
  TimePoint enabled = now();
  EXPECT_EQ(describe(id).value("LastRotationDate", json()), iso_z(t));
  clock_->advance(days(7));
  json rotated = describe(id);
  EXPECT_EQ(rotated.value("LastRotationDate", json()), iso_z(enabled + days(7)));
  EXPECT_EQ(rotated.value("NextRotationDate", json()), iso_z(enabled + days(14)));
}

TEST_F(AlibabaDescribeKeyTest, DeletionProtectionFieldsFollowSetDeletionProtection) {
  TimePoint t = now();
  std::string id = create_key();
  MetaExpect e = expected(id, t);
  expect_key_metadata(describe(id), e);  // Disabled, ""
  done("SetDeletionProtection", {{"KeyId", id},
                                 {"EnableDeletionProtection", true},
                                 {"DeletionProtectionDescription",
                                  "The CMK is being used by XXX. Deletion protection is set."}});
  e.deletion_protection = true;
  e.deletion_protection_description = "The CMK is being used by XXX. Deletion protection is set.";
  expect_described(id, e);
  // Protection without a description; in Disabled and PendingImport states too.
  done("DisableKey", {{"KeyId", id}});
  done("SetDeletionProtection", {{"KeyId", id}, {"EnableDeletionProtection", true}});
  e.state = "Disabled";
  e.deletion_protection_description = "";
  expect_described(id, e);

  std::string external = create_key({{"Origin", "EXTERNAL"}});
  done("SetDeletionProtection", {{"ProtectedResourceArn", key_arn(external)},
                                 {"EnableDeletionProtection", true},
                                 {"DeletionProtectionDescription", "imported later"}});
  json meta = describe(external);
  EXPECT_EQ(meta.value("DeletionProtection", json()), "Enabled");
  EXPECT_EQ(meta.value("DeletionProtectionDescription", json()), "imported later");
  EXPECT_EQ(meta.value("KeyState", json()), "PendingImport");
}

TEST_F(AlibabaDescribeKeyTest, DKMSInstanceIdOnlyWhenCreateKeyGotOne) {
  TimePoint t = now();
  std::string in_instance = create_key({{"DKMSInstanceId", "kst-hzz62f1cb66fa42qo1234"}});
  MetaExpect e = expected(in_instance, t);
  e.instance = "kst-hzz62f1cb66fa42qo1234";
  expect_described(in_instance, e);
  std::string shared = create_key();
  EXPECT_FALSE(describe(shared).contains("DKMSInstanceId"));
}

TEST_F(AlibabaDescribeKeyTest, MaterialExpireTimeForImportedMaterialWithAnExpiry) {
  TimePoint t = now();
  std::string id = create_key({{"Origin", "EXTERNAL"}});
  int64_t expire = seconds_of(t) + 3600;
  import_material(id, random_bytes(32), expire);
  MetaExpect e = expected(id, t);
  e.origin = "EXTERNAL";
  e.material_expires = from_unix_seconds(expire);
  expect_described(id, e);
  // Disabled keeps it.
  done("DisableKey", {{"KeyId", id}});
  e.state = "Disabled";
  expect_key_metadata(describe(id), e);
  done("EnableKey", {{"KeyId", id}});

  // When the material expires the key becomes unusable: PendingImport, no expiry shown (§4.1).
  clock_->advance(std::chrono::seconds(3601));
  e.state = "PendingImport";
  e.material_expires.reset();
  expect_key_metadata(describe(id), e);

  // Material without an expiry: "" (never expires).
  std::string forever = create_key({{"Origin", "EXTERNAL"}});
  import_material(forever, random_bytes(32));
  EXPECT_EQ(describe(forever).value("MaterialExpireTime", json()), "");
}

TEST_F(AlibabaDescribeKeyTest, CreatorIsTheAccountUid) {
  std::string id = create_key();
  json meta = describe(id);
  EXPECT_EQ(meta.value("Creator", json()), kAliAccount);
  // The ARN carries the same UID and the endpoint's region.
  EXPECT_EQ(meta.value("Arn", json()),
            std::string("acs:kms:cn-hangzhou:") + kAliAccount + ":key/" + id);
}

// ---- the seed's errors -----------------------------------------------------------------------

TEST_F(AlibabaDescribeKeyTest, InvalidParameterForAMalformedKeyId) {
  expect_error("DescribeKey", {{"KeyId", ""}}, ErrorCode::InvalidParameter);
  // An ARN that names something other than a key.
  expect_error("DescribeKey",
               {{"KeyId", std::string("acs:kms:cn-hangzhou:") + kAliAccount + ":secret/x"}},
               ErrorCode::InvalidParameter, signed_with(AlibabaSigning::V1PopCore, "GET"));
  expect_error("DescribeKey", {{"KeyId", std::string(513, 'k')}}, ErrorCode::InvalidParameter,
               signed_with(AlibabaSigning::V3FormBody));
}

TEST_F(AlibabaDescribeKeyTest, ForbiddenKeyNotFoundForAnUnknownOrDeletedKey) {
  expect_error("DescribeKey", {{"KeyId", "05754286-3ba2-4fa6-8d41-4323aca60000"}},
               ErrorCode::ForbiddenKeyNotFound);
  expect_error("DescribeKey", {{"KeyId", key_arn("05754286-3ba2-4fa6-8d41-4323aca60000")}},
               ErrorCode::ForbiddenKeyNotFound, signed_with(AlibabaSigning::V1Tea));
  std::string id = create_key();
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  clock_->advance(days(7) + std::chrono::seconds(1));
  expect_error("DescribeKey", {{"KeyId", id}}, ErrorCode::ForbiddenKeyNotFound,
               signed_with(AlibabaSigning::V3, "GET"));
}

TEST_F(AlibabaDescribeKeyTest, ForbiddenAliasNotFoundForAnUnknownAlias) {
  expect_error("DescribeKey", {{"KeyId", "alias/missing"}}, ErrorCode::ForbiddenAliasNotFound);
  // An alias whose key was deleted goes with it.
  std::string id = create_key();
  done("CreateAlias", {{"AliasName", "alias/short-lived"}, {"KeyId", id}});
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  EXPECT_EQ(describe("alias/short-lived").value("KeyId", json()), id);
  clock_->advance(days(8));
  expect_error("DescribeKey", {{"KeyId", "alias/short-lived"}}, ErrorCode::ForbiddenAliasNotFound,
               signed_with(AlibabaSigning::V1PopCore));
}

TEST_F(AlibabaDescribeKeyTest, InvalidAccessKeyIdNotFoundForAnUnknownAccessKey) {
  std::string id = create_key();
  auto stranger = make_client("LTAIunknownaccesskey99", "some-secret");
  for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V3}) {
    SCOPED_TRACE(signing_name(signing));
    auto r = stranger->call("DescribeKey", {{"KeyId", id}}, at_server_time(signed_with(signing)));
    expect_error(r, ErrorCode::InvalidAccessKeyIdNotFound);
  }
}

}  // namespace
}  // namespace kmsconf::testing
