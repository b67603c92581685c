// Happy paths of the version (spec §3.3) and alias (§3.4) operations over HTTP: CreateKeyVersion,
// ListKeyVersions, DescribeKeyVersion, CreateAlias, UpdateAlias, DeleteAlias, ListAliases,
// ListAliasesByKeyId. Response fields one by one, and the effect: an alias or a key ARN works
// wherever a KeyId is accepted.
#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "tests/reference_server/alibaba/operations_support.hpp"

namespace kmsconf::testing {
namespace {

using AlibabaVersionOperationsTest = AlibabaOperationsTest;
using AlibabaAliasOperationsTest = AlibabaOperationsTest;

// A KeyVersion object (§3.1): exactly KeyId, KeyVersionId, CreationDate.
void expect_key_version(const json& version, const std::string& key_id,
                        const std::string& version_id, TimePoint created) {
  SCOPED_TRACE("KeyVersion " + version.dump());
  EXPECT_EQ(names_of(version), (std::set<std::string>{"KeyId", "KeyVersionId", "CreationDate"}));
  EXPECT_EQ(version.value("KeyId", json()), key_id);
  EXPECT_TRUE(is_uuid_v4(version.value("KeyVersionId", json())));
  if (!version_id.empty()) {
    EXPECT_EQ(version.value("KeyVersionId", json()), version_id);
  }
  EXPECT_TRUE(is_iso_z(version.value("CreationDate", json())));
  EXPECT_EQ(version.value("CreationDate", json()), iso_z(created));
}

// An Alias item (§3.1): exactly AliasName, AliasArn, KeyId.
void expect_alias(const json& alias, const std::string& name, const std::string& key_id) {
  SCOPED_TRACE("Alias " + alias.dump());
  EXPECT_EQ(names_of(alias), (std::set<std::string>{"AliasName", "AliasArn", "KeyId"}));
  EXPECT_EQ(alias.value("AliasName", json()), name);
  EXPECT_EQ(alias.value("AliasArn", json()), alias_arn(name));
  EXPECT_EQ(alias.value("KeyId", json()), key_id);
}

const std::set<std::string> kListVersionFields{"KeyVersions", "TotalCount", "PageNumber",
                                               "PageSize"};
const std::set<std::string> kListAliasFields{"Aliases", "TotalCount", "PageNumber", "PageSize"};

// ---- CreateKeyVersion ------------------------------------------------------------------------

TEST_F(AlibabaVersionOperationsTest, CreateKeyVersionAddsAPrimaryVersionToAnAsymmetricKey) {
  TimePoint t0 = now();
  std::string id = create_key({{"KeySpec", "RSA_2048"}, {"KeyUsage", "SIGN/VERIFY"}});
  json first = success("ListKeyVersions", {{"KeyId", id}}, kListVersionFields);
  auto before = items(first, "KeyVersions", "KeyVersion");
  ASSERT_EQ(before.size(), 1u);
  std::string v1 = before[0].value("KeyVersionId", "");

  // Manual versions are at least 7 days apart (§4.4).
  clock_->advance(days(7));
  TimePoint t1 = now();
  json body = success("CreateKeyVersion", {{"KeyId", id}}, {"KeyVersion"},
                      signed_with(AlibabaSigning::V1PopCore));
  expect_key_version(body["KeyVersion"], id, "", t1);
  std::string v2 = body["KeyVersion"].value("KeyVersionId", "");
  EXPECT_NE(v2, v1);

  // Effect: both versions are listed, oldest first, and each has its own key pair.
  json listed = success("ListKeyVersions", {{"KeyId", id}}, kListVersionFields);
  auto rows = items(listed, "KeyVersions", "KeyVersion");
  ASSERT_EQ(rows.size(), 2u);
  expect_key_version(rows[0], id, v1, t0);
  expect_key_version(rows[1], id, v2, t1);
  json pem1 = success("GetPublicKey", {{"KeyId", id}, {"KeyVersionId", v1}},
                      {"PublicKey", "KeyId", "KeyVersionId"});
  json pem2 = success("GetPublicKey", {{"KeyId", id}, {"KeyVersionId", v2}},
                      {"PublicKey", "KeyId", "KeyVersionId"});
  EXPECT_NE(pem1["PublicKey"], pem2["PublicKey"]);
  std::string digest = sha256("signed by the new version");
  json signature = success("AsymmetricSign",
                           {{"KeyId", id},
                            {"KeyVersionId", v2},
                            {"Algorithm", "RSA_PSS_SHA_256"},
                            {"Digest", b64(digest)}},
                           {"Value", "KeyId", "KeyVersionId"});
  namespace crypto = engine::crypto;
  EXPECT_TRUE(crypto::verify_with_public_key(
      pem_to_der(pem2.value("PublicKey", "")), engine::KeySpec::Rsa2048,
      engine::SigningAlgorithm::RsaPssSha256, engine::MessageType::Digest, digest,
      unbase64(signature["Value"])));
  EXPECT_FALSE(crypto::verify_with_public_key(
      pem_to_der(pem1.value("PublicKey", "")), engine::KeySpec::Rsa2048,
      engine::SigningAlgorithm::RsaPssSha256, engine::MessageType::Digest, digest,
      unbase64(signature["Value"])));
  // LastRotationDate names the newest version's creation (the 7-day spacing is measured from it).
  EXPECT_EQ(describe(id).value("LastRotationDate", json()), iso_z(t1));

  // A second one by alias, 7 days later, GET with V3.
  done("CreateAlias", {{"AliasName", "alias/signer"}, {"KeyId", id}});
  clock_->advance(days(7));
  TimePoint t2 = now();
  json third = success("CreateKeyVersion", {{"KeyId", "alias/signer"}}, {"KeyVersion"},
                       signed_with(AlibabaSigning::V3, "GET"));
  expect_key_version(third["KeyVersion"], id, "", t2);
}

// ---- ListKeyVersions -------------------------------------------------------------------------

TEST_F(AlibabaVersionOperationsTest, ListKeyVersionsPagesOldestFirst) {
  TimePoint t0 = now();
  std::string id = create_key();
  done("UpdateRotationPolicy",
       {{"KeyId", id}, {"EnableAutomaticRotation", true}, {"RotationInterval", "7d"}});
  std::vector<std::string> versions{describe(id).value("PrimaryKeyVersion", "")};
  std::vector<TimePoint> created{t0};
  for (int i = 0; i < 2; ++i) {
    clock_->advance(days(7));
    versions.push_back(describe(id).value("PrimaryKeyVersion", ""));
    created.push_back(now());
  }
  json all = success("ListKeyVersions", {{"KeyId", id}}, kListVersionFields,
                     signed_with(AlibabaSigning::V1Tea));
  auto rows = items(all, "KeyVersions", "KeyVersion");
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 0; i < 3; ++i) expect_key_version(rows[i], id, versions[i], created[i]);
  expect_paging(all, 3, 1, 10);

  json second =
      success("ListKeyVersions", {{"KeyId", key_arn(id)}, {"PageNumber", 2}, {"PageSize", 2}},
              kListVersionFields, signed_with(AlibabaSigning::V3FormBody, "GET"));
  auto tail = items(second, "KeyVersions", "KeyVersion");
  ASSERT_EQ(tail.size(), 1u);
  expect_key_version(tail[0], id, versions[2], created[2]);
  expect_paging(second, 3, 2, 2);
}

// ---- DescribeKeyVersion ----------------------------------------------------------------------

TEST_F(AlibabaVersionOperationsTest, DescribeKeyVersionReturnsTheVersion) {
  TimePoint t = now();
  std::string id = create_key();
  std::string version = describe(id).value("PrimaryKeyVersion", "");
  json body = success("DescribeKeyVersion", {{"KeyId", id}, {"KeyVersionId", version}},
                      {"KeyVersion"}, signed_with(AlibabaSigning::V1PopCore, "GET"));
  expect_key_version(body["KeyVersion"], id, version, t);
  done("CreateAlias", {{"AliasName", "alias/versioned"}, {"KeyId", id}});
  json by_alias =
      success("DescribeKeyVersion", {{"KeyId", "alias/versioned"}, {"KeyVersionId", version}},
              {"KeyVersion"});
  EXPECT_EQ(by_alias["KeyVersion"], body["KeyVersion"]);
}

// ---- CreateAlias -----------------------------------------------------------------------------

TEST_F(AlibabaAliasOperationsTest, CreateAliasMakesTheAliasUsableWhereverAKeyIdIs) {
  std::string id = create_key();
  done("CreateAlias", {{"AliasName", "alias/app_key-1/prod"}, {"KeyId", id}},
       signed_with(AlibabaSigning::V1Tea));
  json listed = success("ListAliases", json::object(), kListAliasFields);
  auto rows = items(listed, "Aliases", "Alias");
  ASSERT_EQ(rows.size(), 1u);
  expect_alias(rows[0], "alias/app_key-1/prod", id);

  // Encrypt by alias; the response names the real key (§3.0); Decrypt needs no KeyId.
  json sealed = success("Encrypt", {{"KeyId", "alias/app_key-1/prod"}, {"Plaintext", b64("hi")}},
                        {"CiphertextBlob", "KeyId", "KeyVersionId"});
  EXPECT_EQ(sealed.value("KeyId", json()), id);
  EXPECT_EQ(decrypt(sealed.value("CiphertextBlob", "")), "hi");
  json data_key = success("GenerateDataKey", {{"KeyId", "alias/app_key-1/prod"}},
                          {"CiphertextBlob", "KeyId", "KeyVersionId", "Plaintext"});
  EXPECT_EQ(data_key.value("KeyId", json()), id);
  EXPECT_EQ(describe("alias/app_key-1/prod").value("KeyId", json()), id);
  done("UpdateKeyDescription", {{"KeyId", "alias/app_key-1/prod"}, {"Description", "via alias"}});
  EXPECT_EQ(describe(id).value("Description", json()), "via alias");

  // A key may have several aliases; CreateAlias takes the key by ARN too.
  done("CreateAlias", {{"AliasName", "alias/second"}, {"KeyId", key_arn(id)}},
       signed_with(AlibabaSigning::V3, "GET"));
  EXPECT_EQ(describe("alias/second").value("KeyId", json()), id);
}

// ---- UpdateAlias -----------------------------------------------------------------------------

TEST_F(AlibabaAliasOperationsTest, UpdateAliasPointsTheAliasAtAnotherKey) {
  std::string first = create_key();
  std::string second = create_key();
  done("CreateAlias", {{"AliasName", "alias/moving"}, {"KeyId", first}});
  std::string old_blob = encrypt("alias/moving", "old").value("CiphertextBlob", "");
  done("UpdateAlias", {{"AliasName", "alias/moving"}, {"KeyId", second}},
       signed_with(AlibabaSigning::V3FormBody));
  auto rows = items(success("ListAliases", json::object(), kListAliasFields), "Aliases", "Alias");
  ASSERT_EQ(rows.size(), 1u);
  expect_alias(rows[0], "alias/moving", second);
  EXPECT_EQ(encrypt("alias/moving", "new").value("KeyId", json()), second);
  EXPECT_EQ(describe("alias/moving").value("KeyId", json()), second);
  // Ciphertexts made through the alias before still decrypt under the first key.
  EXPECT_EQ(decrypt(old_blob), "old");
  // The target may be named by ARN.
  done("UpdateAlias", {{"AliasName", "alias/moving"}, {"KeyId", key_arn(first)}},
       signed_with(AlibabaSigning::V1PopCore, "GET"));
  EXPECT_EQ(describe("alias/moving").value("KeyId", json()), first);
}

// ---- DeleteAlias -----------------------------------------------------------------------------

TEST_F(AlibabaAliasOperationsTest, DeleteAliasRemovesOnlyTheAlias) {
  std::string id = create_key();
  done("CreateAlias", {{"AliasName", "alias/doomed"}, {"KeyId", id}});
  done("CreateAlias", {{"AliasName", "alias/kept"}, {"KeyId", id}});
  done("DeleteAlias", {{"AliasName", "alias/doomed"}}, signed_with(AlibabaSigning::V1Tea, "GET"));
  expect_error("DescribeKey", {{"KeyId", "alias/doomed"}}, ErrorCode::ForbiddenAliasNotFound);
  auto rows = items(success("ListAliases", json::object(), kListAliasFields), "Aliases", "Alias");
  ASSERT_EQ(rows.size(), 1u);
  expect_alias(rows[0], "alias/kept", id);
  EXPECT_EQ(describe(id).value("KeyState", json()), "Enabled");
  // The name is free again.
  std::string other = create_key();
  done("CreateAlias", {{"AliasName", "alias/doomed"}, {"KeyId", other}});
  EXPECT_EQ(describe("alias/doomed").value("KeyId", json()), other);
}

// ---- ListAliases / ListAliasesByKeyId --------------------------------------------------------

TEST_F(AlibabaAliasOperationsTest, ListAliasesPagesByName) {
  std::string a = create_key();
  std::string b = create_key();
  for (const char* name : {"alias/d", "alias/b", "alias/a"}) {
    done("CreateAlias", {{"AliasName", name}, {"KeyId", a}});
  }
  done("CreateAlias", {{"AliasName", "alias/c"}, {"KeyId", b}});

  json all = success("ListAliases", json::object(), kListAliasFields,
                     signed_with(AlibabaSigning::V3, "GET"));
  auto rows = items(all, "Aliases", "Alias");
  ASSERT_EQ(rows.size(), 4u);
  expect_alias(rows[0], "alias/a", a);
  expect_alias(rows[1], "alias/b", a);
  expect_alias(rows[2], "alias/c", b);
  expect_alias(rows[3], "alias/d", a);
  expect_paging(all, 4, 1, 10);

  json page = success("ListAliases", {{"PageNumber", 2}, {"PageSize", 3}}, kListAliasFields,
                      signed_with(AlibabaSigning::V1PopCore));
  auto last = items(page, "Aliases", "Alias");
  ASSERT_EQ(last.size(), 1u);
  expect_alias(last[0], "alias/d", a);
  expect_paging(page, 4, 2, 3);
}

TEST_F(AlibabaAliasOperationsTest, ListAliasesByKeyIdListsOnlyThatKeysAliases) {
  std::string a = create_key();
  std::string b = create_key();
  done("CreateAlias", {{"AliasName", "alias/a2"}, {"KeyId", a}});
  done("CreateAlias", {{"AliasName", "alias/b1"}, {"KeyId", b}});
  done("CreateAlias", {{"AliasName", "alias/a1"}, {"KeyId", a}});

  json body = success("ListAliasesByKeyId", {{"KeyId", a}}, kListAliasFields,
                      signed_with(AlibabaSigning::V1Tea));
  auto rows = items(body, "Aliases", "Alias");
  ASSERT_EQ(rows.size(), 2u);
  expect_alias(rows[0], "alias/a1", a);
  expect_alias(rows[1], "alias/a2", a);
  expect_paging(body, 2, 1, 10);

  // The key named by one of its aliases; paging.
  json page =
      success("ListAliasesByKeyId", {{"KeyId", "alias/a2"}, {"PageSize", 1}, {"PageNumber", 2}},
              kListAliasFields, signed_with(AlibabaSigning::V3FormBody, "GET"));
  auto second = items(page, "Aliases", "Alias");
  ASSERT_EQ(second.size(), 1u);
  expect_alias(second[0], "alias/a2", a);
  expect_paging(page, 2, 2, 1);

  // A key without aliases: an empty, still wrapped list.
  std::string lonely = create_key();
  json none = success("ListAliasesByKeyId", {{"KeyId", lonely}}, kListAliasFields);
  EXPECT_TRUE(items(none, "Aliases", "Alias").empty());
  expect_paging(none, 0, 1, 10);
}

}  // namespace
}  // namespace kmsconf::testing
