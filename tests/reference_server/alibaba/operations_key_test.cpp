// Happy paths of the key lifecycle operations (spec §3.2) over HTTP: CreateKey, DescribeKey,
// ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, UpdateKeyDescription,
// SetDeletionProtection, UpdateRotationPolicy, GetKeyPolicy, SetKeyPolicy. Each checks the
// response field by field and the effect, through every signing mode and both methods.
#include "tests/reference_server/alibaba/operations_support.hpp"

namespace kmsconf::testing {
namespace {

using AlibabaKeyOperationsTest = AlibabaOperationsTest;

// ---- CreateKey -------------------------------------------------------------------------------

TEST_F(AlibabaKeyOperationsTest, CreateKeyWithDefaultsReturnsKeyMetadataWithoutProtectionFields) {
  TimePoint t = now();
  json body = success("CreateKey", json::object(), {"KeyMetadata"});
  // CreateKey's KeyMetadata is DescribeKey's minus DeletionProtection* (§3.1).
  expect_key_metadata(body["KeyMetadata"], meta_expect("", t));

  // Effect: the key exists under that id, with the same metadata.
  std::string id = body["KeyMetadata"].value("KeyId", "");
  MetaExpect described = meta_expect(id, t);
  described.describe = true;
  described.primary_version = body["KeyMetadata"].value("PrimaryKeyVersion", "");
  expect_key_metadata(describe(id), described);
  // A second key gets another id and another version.
  json other = success("CreateKey", json::object(), {"KeyMetadata"})["KeyMetadata"];
  EXPECT_NE(other.value("KeyId", ""), id);
  EXPECT_NE(other.value("PrimaryKeyVersion", ""), described.primary_version);
}

TEST_F(AlibabaKeyOperationsTest, CreateKeyTakesEveryOptionInEachSigningMode) {
  for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea, AlibabaSigning::V3,
                       AlibabaSigning::V3FormBody}) {
    SCOPED_TRACE(signing_name(signing));
    TimePoint t = now();
    const std::string policy = R"({"Version":"1","Statement":[{"Effect":"Allow"}]})";
    json body = success("CreateKey",
                        {{"Description", "key description example & more"},
                         {"KeySpec", "Aliyun_AES_128"},
                         {"KeyUsage", "ENCRYPT/DECRYPT"},
                         {"Origin", "Aliyun_KMS"},
                         {"ProtectionLevel", "HSM"},
                         {"EnableAutomaticRotation", true},
                         {"RotationInterval", "365d"},
                         {"DKMSInstanceId", "kst-bjj62d8f5e0sgtx8habcd"},
                         {"Policy", policy},
                         {"Tags", json::array({{{"TagKey", "env"}, {"TagValue", "prod"}},
                                               {{"TagKey", "team"}, {"TagValue", "kms"}}})}},
                        {"KeyMetadata"}, signed_with(signing));
    MetaExpect e = meta_expect("", t);
    e.description = "key description example & more";
    e.spec = "Aliyun_AES_128";
    e.protection = "HSM";
    e.rotation = "Enabled";
    e.interval = "31536000s";
    e.next_rotation = t + days(365);
    e.instance = "kst-bjj62d8f5e0sgtx8habcd";
    expect_key_metadata(body["KeyMetadata"], e);

    // Effects: tags and policy are stored; the AES-128 key encrypts.
    std::string id = body["KeyMetadata"].value("KeyId", "");
    json tags = success("ListResourceTags", {{"KeyId", id}}, {"Tags"});
    std::map<std::string, std::string> got;
    for (const auto& tag : items(tags, "Tags", "Tag")) {
      got[text_of(tag, "TagKey")] = text_of(tag, "TagValue");
    }
    EXPECT_EQ(got, (std::map<std::string, std::string>{{"env", "prod"}, {"team", "kms"}}));
    EXPECT_EQ(success("GetKeyPolicy", {{"KeyId", id}, {"PolicyName", "default"}}, {"Policy"})
                  .value("Policy", json()),
              policy);
    EXPECT_EQ(decrypt(encrypt(id, "sixteen-byte key").value("CiphertextBlob", "")),
              "sixteen-byte key");
  }
}

TEST_F(AlibabaKeyOperationsTest, CreateKeyAsymmetricAndExternalKeys) {
  TimePoint t = now();
  // RSA_2048 for encryption; GET with V3 query parameters.
  json rsa = success("CreateKey", {{"KeySpec", "RSA_2048"}, {"KeyUsage", "ENCRYPT/DECRYPT"}},
                     {"KeyMetadata"}, signed_with(AlibabaSigning::V3, "GET"));
  MetaExpect e = meta_expect("", t);
  e.spec = "RSA_2048";
  expect_key_metadata(rsa["KeyMetadata"], e);

  // EC_P256 can only sign, so SIGN/VERIFY is the default usage (§3.2); GET with V1.
  json ec = success("CreateKey", {{"KeySpec", "EC_P256"}}, {"KeyMetadata"},
                    signed_with(AlibabaSigning::V1PopCore, "GET"));
  e.spec = "EC_P256";
  e.usage = "SIGN/VERIFY";
  expect_key_metadata(ec["KeyMetadata"], e);

  json sm2 =
      success("CreateKey", {{"KeySpec", "EC_SM2"}, {"KeyUsage", "SIGN/VERIFY"}}, {"KeyMetadata"});
  e.spec = "EC_SM2";
  expect_key_metadata(sm2["KeyMetadata"], e);

  // EXTERNAL: PendingImport until material is imported (§4.1).
  json external = success("CreateKey", {{"Origin", "EXTERNAL"}}, {"KeyMetadata"});
  MetaExpect x = meta_expect("", t);
  x.origin = "EXTERNAL";
  x.state = "PendingImport";
  expect_key_metadata(external["KeyMetadata"], x);
}

// ---- DescribeKey -----------------------------------------------------------------------------

TEST_F(AlibabaKeyOperationsTest, DescribeKeyByIdAliasAndArnGivesTheSameMetadata) {
  TimePoint t = now();
  std::string id = create_key({{"Description", "described"}});
  done("CreateAlias", {{"AliasName", "alias/described"}, {"KeyId", id}});
  MetaExpect e = meta_expect(id, t);
  e.description = "described";
  e.describe = true;
  json by_id = describe(id);
  expect_key_metadata(by_id, e);
  json by_alias = describe("alias/described", signed_with(AlibabaSigning::V1Tea));
  json by_arn = describe(key_arn(id), signed_with(AlibabaSigning::V3FormBody, "GET"));
  // The response names the real key id, whichever way the key was named (§3.0).
  EXPECT_EQ(by_alias, by_id);
  EXPECT_EQ(by_arn, by_id);
}

// ---- ListKeys --------------------------------------------------------------------------------

class AlibabaListKeysTest : public AlibabaOperationsTest {
 protected:
  void SetUp() override {
    AlibabaOperationsTest::SetUp();
    // One second apart, so creation order is well defined.
    for (int i = 0; i < 5; ++i) {
      ids_.push_back(create_key(i == 3 ? json{{"KeySpec", "RSA_2048"}} : json::object()));
      clock_->advance(std::chrono::seconds(1));
    }
  }

  json list(const json& params, client::AlibabaCallOptions options = {}) {
    return success("ListKeys", params, {"Keys", "TotalCount", "PageNumber", "PageSize"},
                   std::move(options));
  }

  // The rows are {KeyId, KeyArn} for exactly these keys, in this order.
  void expect_rows(const json& body, const std::vector<std::string>& ids) {
    auto rows = items(body, "Keys", "Key");
    ASSERT_EQ(rows.size(), ids.size()) << body.dump();
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(names_of(rows[i]), (std::set<std::string>{"KeyId", "KeyArn"}));
      EXPECT_EQ(rows[i].value("KeyId", json()), ids[i]);
      EXPECT_EQ(rows[i].value("KeyArn", json()), key_arn(ids[i]));
    }
  }

  std::vector<std::string> ids_;
};

TEST_F(AlibabaListKeysTest, ListsEveryKeyWithDefaultPaging) {
  json body = list(json::object());
  expect_rows(body, ids_);
  expect_paging(body, 5, 1, 10);
}

TEST_F(AlibabaListKeysTest, PagesThroughTheKeys) {
  json first = list({{"PageNumber", 1}, {"PageSize", 2}}, signed_with(AlibabaSigning::V1Tea));
  expect_rows(first, {ids_[0], ids_[1]});
  expect_paging(first, 5, 1, 2);
  json second = list({{"PageNumber", 2}, {"PageSize", 2}}, signed_with(AlibabaSigning::V3, "GET"));
  expect_rows(second, {ids_[2], ids_[3]});
  expect_paging(second, 5, 2, 2);
  json third =
      list({{"PageNumber", "3"}, {"PageSize", "2"}}, signed_with(AlibabaSigning::V1PopCore, "GET"));
  expect_rows(third, {ids_[4]});
  expect_paging(third, 5, 3, 2);
  // Past the end: an empty list, still wrapped.
  json past = list({{"PageNumber", 4}, {"PageSize", 2}});
  expect_rows(past, {});
  expect_paging(past, 5, 4, 2);
  json all = list({{"PageSize", 100}});
  expect_rows(all, ids_);
  expect_paging(all, 5, 1, 100);
}

TEST_F(AlibabaListKeysTest, FiltersByStateSpecAliasAndTag) {
  done("DisableKey", {{"KeyId", ids_[1]}});
  done("DisableKey", {{"KeyId", ids_[2]}});
  done("CreateAlias", {{"AliasName", "alias/first"}, {"KeyId", ids_[0]}});
  done("CreateAlias", {{"AliasName", "alias/second"}, {"KeyId", ids_[2]}});
  done("TagResource", {{"KeyId", ids_[2]}, {"Tags", R"([{"TagKey":"env","TagValue":"prod"}])"}});
  done("TagResource", {{"KeyId", ids_[4]}, {"Tags", R"([{"TagKey":"env","TagValue":"dev"}])"}});
  done("TagResource", {{"KeyId", ids_[3]}, {"Tags", R"([{"TagKey":"team","TagValue":"x"}])"}});

  auto filtered = [&](const json& filters) {
    // Filters travel as one JSON text parameter (§1.2).
    return list({{"Filters", filters.dump()}});
  };
  json disabled = filtered(json::array({{{"Key", "KeyState"}, {"Values", {"Disabled"}}}}));
  expect_rows(disabled, {ids_[1], ids_[2]});
  expect_paging(disabled, 2, 1, 10);
  expect_rows(filtered(json::array({{{"Key", "KeyState"}, {"Values", {"Enabled"}}}})),
              {ids_[0], ids_[3], ids_[4]});
  expect_rows(filtered(json::array({{{"Key", "KeySpec"}, {"Values", {"RSA_2048"}}}})), {ids_[3]});
  expect_rows(filtered(json::array({{{"Key", "AliasName"}, {"Values", {"alias/second"}}}})),
              {ids_[2]});
  expect_rows(filtered(json::array({{{"Key", "TagKey"}, {"Values", {"env"}}}})),
              {ids_[2], ids_[4]});
  // OR within Values, AND across keys (§3.2).
  expect_rows(filtered(json::array({{{"Key", "TagKey"}, {"Values", {"env", "team"}}}})),
              {ids_[2], ids_[3], ids_[4]});
  expect_rows(filtered(json::array({{{"Key", "TagKey"}, {"Values", {"env"}}},
                                    {{"Key", "KeyState"}, {"Values", {"Disabled"}}}})),
              {ids_[2]});
  expect_rows(filtered(json::array({{{"Key", "AliasName"}, {"Values", {"alias/first"}}},
                                    {{"Key", "KeySpec"}, {"Values", {"RSA_2048"}}}})),
              {});
  // Paging applies to the filtered rows.
  json page =
      list({{"Filters", json::array({{{"Key", "KeyState"}, {"Values", {"Enabled"}}}}).dump()},
            {"PageNumber", 2},
            {"PageSize", 2}});
  expect_rows(page, {ids_[4]});
  expect_paging(page, 3, 2, 2);
}

// ---- EnableKey / DisableKey ------------------------------------------------------------------

TEST_F(AlibabaKeyOperationsTest, DisableKeyThenEnableKeyAnswerOnlyRequestId) {
  TimePoint t = now();
  std::string id = create_key();
  std::string blob = encrypt(id, "secret").value("CiphertextBlob", "");

  done("DisableKey", {{"KeyId", id}}, signed_with(AlibabaSigning::V1PopCore));
  MetaExpect e = meta_expect(id, t);
  e.describe = true;
  e.state = "Disabled";
  expect_key_metadata(describe(id), e);
  expect_error("Decrypt", {{"CiphertextBlob", blob}}, ErrorCode::RejectedDisabled);

  done("EnableKey", {{"KeyId", id}}, signed_with(AlibabaSigning::V3, "GET"));
  e.state = "Enabled";
  expect_key_metadata(describe(id), e);
  EXPECT_EQ(decrypt(blob), "secret");

  // By alias and ARN too (the docs say "ID only"; the server accepts every form, §3.0).
  done("CreateAlias", {{"AliasName", "alias/toggle"}, {"KeyId", id}});
  done("DisableKey", {{"KeyId", "alias/toggle"}}, signed_with(AlibabaSigning::V1Tea, "GET"));
  EXPECT_EQ(describe(id).value("KeyState", json()), "Disabled");
  done("EnableKey", {{"KeyId", key_arn(id)}}, signed_with(AlibabaSigning::V3FormBody));
  EXPECT_EQ(describe(id).value("KeyState", json()), "Enabled");
}

// ---- ScheduleKeyDeletion / CancelKeyDeletion -------------------------------------------------

TEST_F(AlibabaKeyOperationsTest, ScheduleKeyDeletionSetsDeleteDateAndTheKeyGoesAtTheEnd) {
  TimePoint t = now();
  std::string id = create_key();
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}},
       signed_with(AlibabaSigning::V1Tea));
  MetaExpect e = meta_expect(id, t);
  e.describe = true;
  e.state = "PendingDeletion";
  e.delete_date = t + days(7);
  expect_key_metadata(describe(id), e);
  expect_error("Encrypt", {{"KeyId", id}, {"Plaintext", b64("x")}},
               ErrorCode::RejectedPendingDeletion);

  // Still there just before the DeleteDate, gone after it.
  clock_->advance(days(7) - std::chrono::seconds(1));
  EXPECT_EQ(describe(id).value("KeyState", json()), "PendingDeletion");
  clock_->advance(std::chrono::seconds(2));
  expect_error("DescribeKey", {{"KeyId", id}}, ErrorCode::ForbiddenKeyNotFound);

  // The largest window (366 days, §4.3) as a string parameter.
  TimePoint t2 = now();
  std::string other = create_key();
  done("ScheduleKeyDeletion", {{"KeyId", other}, {"PendingWindowInDays", "366"}},
       signed_with(AlibabaSigning::V1PopCore, "GET"));
  EXPECT_EQ(describe(other).value("DeleteDate", json()), iso_z(t2 + days(366)));
}

TEST_F(AlibabaKeyOperationsTest, CancelKeyDeletionReturnsTheKeyToEnabledFromEitherState) {
  TimePoint t = now();
  std::string id = create_key();
  std::string blob = encrypt(id, "kept").value("CiphertextBlob", "");
  done("DisableKey", {{"KeyId", id}});
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 30}});
  done("CancelKeyDeletion", {{"KeyId", id}}, signed_with(AlibabaSigning::V3FormBody));
  // Enabled regardless of the state before the deletion was scheduled (§4.1); no DeleteDate.
  MetaExpect e = meta_expect(id, t);
  e.describe = true;
  expect_key_metadata(describe(id), e);
  EXPECT_EQ(decrypt(blob), "kept");
  // Nothing is deleted when the old window ends.
  clock_->advance(days(31));
  EXPECT_EQ(describe(id).value("KeyState", json()), "Enabled");
}

// ---- UpdateKeyDescription --------------------------------------------------------------------

TEST_F(AlibabaKeyOperationsTest, UpdateKeyDescriptionReplacesTheText) {
  std::string id = create_key({{"Description", "old"}});
  done("UpdateKeyDescription", {{"KeyId", id}, {"Description", "new text / with ümlauts"}},
       signed_with(AlibabaSigning::V1PopCore));
  EXPECT_EQ(describe(id).value("Description", json()), "new text / with ümlauts");
  done("UpdateKeyDescription", {{"KeyId", id}, {"Description", std::string(8192, 'd')}},
       signed_with(AlibabaSigning::V3FormBody));
  EXPECT_EQ(describe(id).value("Description", json()), std::string(8192, 'd'));
  // An empty description clears it (§3.2 [I]).
  done("UpdateKeyDescription", {{"KeyId", id}, {"Description", ""}});
  EXPECT_EQ(describe(id).value("Description", json()), "");
}

// ---- SetDeletionProtection -------------------------------------------------------------------

TEST_F(AlibabaKeyOperationsTest, SetDeletionProtectionBlocksDeletionUntilTurnedOff) {
  TimePoint t = now();
  std::string id = create_key();
  // By ProtectedResourceArn (the older, documented form).
  done("SetDeletionProtection",
       {{"ProtectedResourceArn", key_arn(id)},
        {"EnableDeletionProtection", true},
        {"DeletionProtectionDescription", "The CMK is being used by XXX."}},
       signed_with(AlibabaSigning::V1Tea));
  MetaExpect e = meta_expect(id, t);
  e.describe = true;
  e.deletion_protection = true;
  e.deletion_protection_description = "The CMK is being used by XXX.";
  expect_key_metadata(describe(id), e);
  expect_error("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}},
               ErrorCode::RejectedUnsupportedOperation);

  // By KeyId (the newer form); turning it off drops the description (§4.3).
  done("SetDeletionProtection", {{"KeyId", id}, {"EnableDeletionProtection", "false"}},
       signed_with(AlibabaSigning::V3, "GET"));
  e.deletion_protection = false;
  e.deletion_protection_description = "";
  expect_key_metadata(describe(id), e);
  done("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  EXPECT_EQ(describe(id).value("KeyState", json()), "PendingDeletion");
}

// ---- UpdateRotationPolicy --------------------------------------------------------------------

TEST_F(AlibabaKeyOperationsTest,
       UpdateRotationPolicyRotatesOnScheduleAndOldCiphertextsStillDecrypt) {
  TimePoint t = now();
  std::string id = create_key();
  json before = describe(id);
  std::string v1 = before.value("PrimaryKeyVersion", "");
  json sealed = encrypt(id, "before rotation");
  EXPECT_EQ(sealed.value("KeyVersionId", json()), v1);

  done("UpdateRotationPolicy",
       {{"KeyId", id}, {"EnableAutomaticRotation", true}, {"RotationInterval", "7d"}},
       signed_with(AlibabaSigning::V1PopCore));
  MetaExpect e = meta_expect(id, t);
  e.describe = true;
  e.primary_version = v1;
  e.rotation = "Enabled";
  e.interval = "604800s";
  e.next_rotation = t + days(7);
  expect_key_metadata(describe(id), e);

  // Not yet due: nothing changes.
  clock_->advance(days(7) - std::chrono::seconds(1));
  EXPECT_EQ(describe(id).value("PrimaryKeyVersion", json()), v1);
  // Due: a new primary version; LastRotationDate/NextRotationDate move on by the interval.
  clock_->advance(std::chrono::seconds(2));
  json after = describe(id);
  std::string v2 = after.value("PrimaryKeyVersion", "");
  EXPECT_NE(v2, v1);
  e.primary_version = v2;
  e.last_rotation = t + days(7);
  e.next_rotation = t + days(14);
  expect_key_metadata(after, e);

  // Old ciphertexts name their version (§4.7) and still decrypt; new ones use the new version.
  json opened = success("Decrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}},
                        {"Plaintext", "KeyId", "KeyVersionId"});
  EXPECT_EQ(unbase64(opened["Plaintext"]), "before rotation");
  EXPECT_EQ(opened.value("KeyVersionId", json()), v1);
  json resealed = encrypt(id, "after rotation");
  EXPECT_EQ(resealed.value("KeyVersionId", json()), v2);
  EXPECT_EQ(decrypt(resealed.value("CiphertextBlob", "")), "after rotation");
  json versions = success("ListKeyVersions", {{"KeyId", id}},
                          {"KeyVersions", "TotalCount", "PageNumber", "PageSize"});
  auto rows = items(versions, "KeyVersions", "KeyVersion");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].value("KeyVersionId", json()), v1);
  EXPECT_EQ(rows[1].value("KeyVersionId", json()), v2);
  EXPECT_EQ(rows[1].value("CreationDate", json()), iso_z(now()));

  // Other interval units come back in seconds (§4.4); turning rotation off drops the fields.
  done("UpdateRotationPolicy",
       {{"KeyId", id}, {"EnableAutomaticRotation", "true"}, {"RotationInterval", "240h"}},
       signed_with(AlibabaSigning::V3FormBody, "GET"));
  EXPECT_EQ(describe(id).value("RotationInterval", json()), "864000s");
  EXPECT_EQ(describe(id).value("NextRotationDate", json()), iso_z(now() + days(10)));
  done("UpdateRotationPolicy", {{"KeyId", id}, {"EnableAutomaticRotation", false}},
       signed_with(AlibabaSigning::V1Tea, "GET"));
  e.rotation = "Disabled";
  expect_key_metadata(describe(id), e);
  clock_->advance(days(30));
  EXPECT_EQ(describe(id).value("PrimaryKeyVersion", json()), v2);
}

// ---- GetKeyPolicy / SetKeyPolicy -------------------------------------------------------------

TEST_F(AlibabaKeyOperationsTest, GetKeyPolicyAndSetKeyPolicyRoundTripThePolicyDocument) {
  std::string id = create_key();
  json initial = success("GetKeyPolicy", {{"KeyId", id}, {"PolicyName", "default"}}, {"Policy"},
                         signed_with(AlibabaSigning::V3, "GET"));
  // Policy is JSON text in a string (§3.2), here the empty default document.
  ASSERT_TRUE(initial["Policy"].is_string());
  json doc = json::parse(initial.value("Policy", ""), nullptr, false);
  EXPECT_TRUE(doc.is_object()) << initial["Policy"];

  const std::string policy =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::)" +
      std::string(kAliAccount) + R"(:*"]},"Action":["kms:*"],"Resource":["*"]}]})";
  done("SetKeyPolicy", {{"KeyId", id}, {"PolicyName", "default"}, {"Policy", policy}},
       signed_with(AlibabaSigning::V1PopCore));
  EXPECT_EQ(success("GetKeyPolicy", {{"KeyId", id}, {"PolicyName", "default"}}, {"Policy"})
                .value("Policy", json()),
            policy);
  // PolicyName may be left out (it can only be "default"); by alias too.
  done("CreateAlias", {{"AliasName", "alias/policy"}, {"KeyId", id}});
  EXPECT_EQ(success("GetKeyPolicy", {{"KeyId", "alias/policy"}}, {"Policy"},
                    signed_with(AlibabaSigning::V1Tea))
                .value("Policy", json()),
            policy);
}

}  // namespace
}  // namespace kmsconf::testing
