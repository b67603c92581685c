// Happy paths of symmetric cryptography, data keys and MACs (spec §3.5) over HTTP: Encrypt,
// Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateAndExportDataKey,
// ExportDataKey, ReEncrypt (symmetric and public-key sources), GenerateMac, VerifyMac. Response
// fields one by one, and the effect: what was sealed opens, exported keys open with the caller's
// own private key, data key lengths follow KeySpec/NumberOfBytes.
#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "tests/reference_server/alibaba/operations_support.hpp"

namespace kmsconf::testing {
namespace {

using AlibabaSymmetricOperationsTest = AlibabaOperationsTest;

const std::set<std::string> kSealed{"CiphertextBlob", "KeyId", "KeyVersionId"};
const std::set<std::string> kOpened{"Plaintext", "KeyId", "KeyVersionId"};
const std::set<std::string> kDataKey{"CiphertextBlob", "KeyId", "KeyVersionId", "Plaintext"};
const std::set<std::string> kExported{"CiphertextBlob", "ExportedDataKey", "KeyId", "KeyVersionId"};

// The reference blob (§4.7): KeyVersionId as 36 ASCII bytes | IV(12) | ciphertext | tag(16).
void expect_blob(const json& blob, const std::string& version_id, size_t plaintext_bytes) {
  std::string bytes = unbase64(blob);
  EXPECT_EQ(bytes.size(), 36 + 12 + plaintext_bytes + 16);
  EXPECT_EQ(bytes.substr(0, 36), version_id);
}

class AlibabaExportDataKeyTest : public AlibabaSymmetricOperationsTest {
 protected:
  void SetUp() override {
    AlibabaSymmetricOperationsTest::SetUp();
    ASSERT_TRUE(pair_.valid());
    public_blob_ = b64(pair_.public_der());
  }
  json wrapping(const std::string& algorithm = "RSAES_OAEP_SHA_256") const {
    return {{"PublicKeyBlob", public_blob_},
            {"WrappingAlgorithm", algorithm},
            {"WrappingKeySpec", "RSA_2048"}};
  }
  static json merged(json a, const json& b) {
    a.update(b);
    return a;
  }

  RsaKeyPair pair_;
  std::string public_blob_;
};

// ---- Encrypt ---------------------------------------------------------------------------------

TEST_F(AlibabaSymmetricOperationsTest, EncryptReturnsABlobNamingThePrimaryVersion) {
  std::string id = create_key();
  std::string primary = describe(id).value("PrimaryKeyVersion", "");
  for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea, AlibabaSigning::V3,
                       AlibabaSigning::V3FormBody}) {
    for (const char* method : {"POST", "GET"}) {
      SCOPED_TRACE(std::string(signing_name(signing)) + " " + method);
      json body = success("Encrypt", {{"KeyId", id}, {"Plaintext", b64("hello, kms")}}, kSealed,
                          signed_with(signing, method));
      EXPECT_EQ(body.value("KeyId", json()), id);
      EXPECT_EQ(body.value("KeyVersionId", json()), primary);
      expect_blob(body["CiphertextBlob"], primary, 10);
      EXPECT_EQ(decrypt(body.value("CiphertextBlob", "")), "hello, kms");
    }
  }
  // The 6 KB limit is inclusive (§4.9); binary bytes survive.
  std::string big(6144, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  json body = success("Encrypt", {{"KeyId", id}, {"Plaintext", b64(big)}}, kSealed,
                      signed_with(AlibabaSigning::V3FormBody));
  expect_blob(body["CiphertextBlob"], primary, big.size());
  EXPECT_EQ(decrypt(body.value("CiphertextBlob", "")), big);
  // Two encryptions of the same text differ (fresh IV).
  EXPECT_NE(encrypt(id, "same")["CiphertextBlob"], encrypt(id, "same")["CiphertextBlob"]);
}

TEST_F(AlibabaSymmetricOperationsTest, EncryptTakesTheKeyByAliasOrArn) {
  std::string id = create_key();
  done("CreateAlias", {{"AliasName", "alias/enc"}, {"KeyId", id}});
  for (const std::string& name : {std::string("alias/enc"), key_arn(id)}) {
    SCOPED_TRACE(name);
    json body = encrypt(name, "named");
    EXPECT_EQ(body.value("KeyId", json()), id) << "the real key id, not the name used";
    EXPECT_EQ(decrypt(body.value("CiphertextBlob", "")), "named");
  }
}

// ---- Decrypt ---------------------------------------------------------------------------------

TEST_F(AlibabaSymmetricOperationsTest, DecryptReturnsThePlaintextKeyAndVersion) {
  std::string id = create_key();
  json sealed = encrypt(id, "the plaintext");
  json body = success("Decrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}}, kOpened,
                      signed_with(AlibabaSigning::V1Tea, "GET"));
  EXPECT_EQ(unbase64(body["Plaintext"]), "the plaintext");
  EXPECT_EQ(body.value("KeyId", json()), id);
  EXPECT_EQ(body.value("KeyVersionId", json()), sealed["KeyVersionId"]);
}

TEST_F(AlibabaSymmetricOperationsTest, DecryptNeedsAnEquivalentEncryptionContext) {
  std::string id = create_key();
  json sealed = encrypt(id, "bound", json{{"a", "1"}, {"b", "2"}});
  std::string blob = sealed.value("CiphertextBlob", "");
  // Equivalence is by key/value set, not text (§4.8): another member order opens it.
  EXPECT_EQ(decrypt(blob, R"({"b":"2","a":"1"})"), "bound");
  EXPECT_EQ(decrypt(blob, json{{"a", "1"}, {"b", "2"}}), "bound");
  // Without it, or with another value, it does not open.
  expect_error("Decrypt", {{"CiphertextBlob", blob}}, ErrorCode::InvalidParameter);
  expect_error("Decrypt", {{"CiphertextBlob", blob}, {"EncryptionContext", R"({"a":"1","b":"3"})"}},
               ErrorCode::InvalidParameter);
}

// ---- GenerateDataKey -------------------------------------------------------------------------

TEST_F(AlibabaSymmetricOperationsTest, GenerateDataKeyLengthsFollowKeySpecAndNumberOfBytes) {
  std::string id = create_key();
  std::string primary = describe(id).value("PrimaryKeyVersion", "");
  struct Case {
    json params;
    size_t bytes;
  };
  const std::vector<Case> cases{
      {json::object(), 32},  // default AES_256
      {{{"KeySpec", "AES_256"}}, 32},
      {{{"KeySpec", "AES_128"}}, 16},
      {{{"NumberOfBytes", 1}}, 1},
      {{{"NumberOfBytes", "1024"}}, 1024},
      {{{"KeySpec", "AES_128"}, {"NumberOfBytes", 48}}, 48},  // NumberOfBytes wins (§3.5)
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.params.dump());
    json params = c.params;
    params["KeyId"] = id;
    json body =
        success("GenerateDataKey", params, kDataKey, signed_with(AlibabaSigning::V1PopCore));
    EXPECT_EQ(body.value("KeyId", json()), id);
    EXPECT_EQ(body.value("KeyVersionId", json()), primary);
    std::string plaintext = unbase64(body["Plaintext"]);
    EXPECT_EQ(plaintext.size(), c.bytes);
    expect_blob(body["CiphertextBlob"], primary, c.bytes);
    // The blob holds the very data key.
    EXPECT_EQ(decrypt(body.value("CiphertextBlob", "")), plaintext);
  }
  // Fresh key material every call.
  EXPECT_NE(success("GenerateDataKey", {{"KeyId", id}}, kDataKey)["Plaintext"],
            success("GenerateDataKey", {{"KeyId", id}}, kDataKey)["Plaintext"]);
  // With an encryption context, which Decrypt then needs.
  json bound = success("GenerateDataKey", {{"KeyId", id}, {"EncryptionContext", R"({"k":"v"})"}},
                       kDataKey, signed_with(AlibabaSigning::V3, "GET"));
  EXPECT_EQ(decrypt(bound.value("CiphertextBlob", ""), R"({"k":"v"})"),
            unbase64(bound["Plaintext"]));
}

// ---- GenerateDataKeyWithoutPlaintext ---------------------------------------------------------

TEST_F(AlibabaSymmetricOperationsTest, GenerateDataKeyWithoutPlaintextReturnsOnlyTheSealedKey) {
  std::string id = create_key();
  done("CreateAlias", {{"AliasName", "alias/dk"}, {"KeyId", id}});
  std::string primary = describe(id).value("PrimaryKeyVersion", "");
  json body =
      success("GenerateDataKeyWithoutPlaintext", {{"KeyId", "alias/dk"}},
              {"CiphertextBlob", "KeyId", "KeyVersionId"}, signed_with(AlibabaSigning::V3FormBody));
  EXPECT_EQ(body.value("KeyId", json()), id);
  EXPECT_EQ(body.value("KeyVersionId", json()), primary);
  expect_blob(body["CiphertextBlob"], primary, 32);
  EXPECT_EQ(decrypt(body.value("CiphertextBlob", "")).size(), 32u);

  json short_key = success(
      "GenerateDataKeyWithoutPlaintext", {{"KeyId", key_arn(id)}, {"KeySpec", "AES_128"}},
      {"CiphertextBlob", "KeyId", "KeyVersionId"}, signed_with(AlibabaSigning::V1Tea, "GET"));
  EXPECT_EQ(decrypt(short_key.value("CiphertextBlob", "")).size(), 16u);
  json sized = success("GenerateDataKeyWithoutPlaintext", {{"KeyId", id}, {"NumberOfBytes", 100}},
                       {"CiphertextBlob", "KeyId", "KeyVersionId"});
  EXPECT_EQ(decrypt(sized.value("CiphertextBlob", "")).size(), 100u);
}

// ---- GenerateAndExportDataKey ----------------------------------------------------------------

TEST_F(AlibabaExportDataKeyTest, GenerateAndExportDataKeyWrapsTheKeyToTheCallersPublicKey) {
  std::string id = create_key();
  std::string primary = describe(id).value("PrimaryKeyVersion", "");
  for (const char* algorithm : {"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}) {
    SCOPED_TRACE(algorithm);
    json body = success("GenerateAndExportDataKey", merged({{"KeyId", id}}, wrapping(algorithm)),
                        kExported, signed_with(AlibabaSigning::V1PopCore));
    EXPECT_EQ(body.value("KeyId", json()), id);
    EXPECT_EQ(body.value("KeyVersionId", json()), primary);
    expect_blob(body["CiphertextBlob"], primary, 32);
    std::string exported = unbase64(body["ExportedDataKey"]);
    EXPECT_EQ(exported.size(), 256u) << "one RSA-2048 block";
    auto mine = pair_.oaep_decrypt(exported, algorithm);
    ASSERT_TRUE(mine.has_value()) << "the exported key opens with the caller's private key";
    EXPECT_EQ(mine->size(), 32u);
    // The same data key as the one sealed under the KMS key.
    EXPECT_EQ(decrypt(body.value("CiphertextBlob", "")), *mine);
  }
  // KeySpec and NumberOfBytes size the key as for GenerateDataKey.
  json short_key = success("GenerateAndExportDataKey",
                           merged({{"KeyId", id}, {"KeySpec", "AES_128"}}, wrapping()), kExported,
                           signed_with(AlibabaSigning::V3, "GET"));
  EXPECT_EQ(pair_.oaep_decrypt(unbase64(short_key["ExportedDataKey"]), "RSAES_OAEP_SHA_256")
                .value_or("")
                .size(),
            16u);
  json sized = success(
      "GenerateAndExportDataKey",
      merged(
          {{"KeyId", id}, {"NumberOfBytes", 64}, {"EncryptionContext", R"({"purpose":"export"})"}},
          wrapping()),
      kExported, signed_with(AlibabaSigning::V3FormBody));
  std::string key64 =
      pair_.oaep_decrypt(unbase64(sized["ExportedDataKey"]), "RSAES_OAEP_SHA_256").value_or("");
  EXPECT_EQ(key64.size(), 64u);
  EXPECT_EQ(decrypt(sized.value("CiphertextBlob", ""), R"({"purpose":"export"})"), key64);
}

// ---- ExportDataKey ---------------------------------------------------------------------------

TEST_F(AlibabaExportDataKeyTest, ExportDataKeyRewrapsASealedDataKeyToTheCallersPublicKey) {
  std::string id = create_key();
  json data_key = success("GenerateDataKey", {{"KeyId", id}, {"NumberOfBytes", 24}}, kDataKey);
  std::string plaintext = unbase64(data_key["Plaintext"]);
  for (const char* algorithm : {"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}) {
    SCOPED_TRACE(algorithm);
    json body =
        success("ExportDataKey",
                merged({{"CiphertextBlob", data_key["CiphertextBlob"]}}, wrapping(algorithm)),
                {"ExportedDataKey", "KeyId", "KeyVersionId"}, signed_with(AlibabaSigning::V1Tea));
    EXPECT_EQ(body.value("KeyId", json()), id);
    EXPECT_EQ(body.value("KeyVersionId", json()), data_key["KeyVersionId"]);
    EXPECT_EQ(pair_.oaep_decrypt(unbase64(body["ExportedDataKey"]), algorithm).value_or("<none>"),
              plaintext);
  }
  // A key from GenerateDataKeyWithoutPlaintext, with its encryption context.
  json hidden = success("GenerateDataKeyWithoutPlaintext",
                        {{"KeyId", id}, {"EncryptionContext", R"({"x":"y"})"}},
                        {"CiphertextBlob", "KeyId", "KeyVersionId"});
  json body = success(
      "ExportDataKey",
      merged({{"CiphertextBlob", hidden["CiphertextBlob"]}, {"EncryptionContext", R"({"x":"y"})"}},
             wrapping()),
      {"ExportedDataKey", "KeyId", "KeyVersionId"}, signed_with(AlibabaSigning::V3, "GET"));
  EXPECT_EQ(pair_.oaep_decrypt(unbase64(body["ExportedDataKey"]), "RSAES_OAEP_SHA_256")
                .value_or("<none>"),
            decrypt(hidden.value("CiphertextBlob", ""), R"({"x":"y"})"));
}

// ---- ReEncrypt -------------------------------------------------------------------------------

TEST_F(AlibabaSymmetricOperationsTest, ReEncryptMovesASymmetricCiphertextToTheDestinationKey) {
  std::string source = create_key();
  std::string destination = create_key();
  done("CreateAlias", {{"AliasName", "alias/dest"}, {"KeyId", destination}});
  std::string dest_version = describe(destination).value("PrimaryKeyVersion", "");
  json sealed = encrypt(source, "moving data", json{{"from", "a"}});

  json body = success("ReEncrypt",
                      {{"CiphertextBlob", sealed["CiphertextBlob"]},
                       {"SourceEncryptionContext", R"({"from":"a"})"},
                       {"DestinationKeyId", "alias/dest"},
                       {"DestinationEncryptionContext", R"({"to":"b"})"}},
                      kSealed, signed_with(AlibabaSigning::V1PopCore));
  // KeyId/KeyVersionId name the destination (the docs label them inconsistently, §3.5).
  EXPECT_EQ(body.value("KeyId", json()), destination);
  EXPECT_EQ(body.value("KeyVersionId", json()), dest_version);
  expect_blob(body["CiphertextBlob"], dest_version, 11);
  json opened =
      success("Decrypt",
              {{"CiphertextBlob", body["CiphertextBlob"]}, {"EncryptionContext", R"({"to":"b"})"}},
              kOpened);
  EXPECT_EQ(unbase64(opened["Plaintext"]), "moving data");
  EXPECT_EQ(opened.value("KeyId", json()), destination);

  // No contexts; destination by ARN; GET with V3.
  json plain = encrypt(source, "no context");
  json moved = success(
      "ReEncrypt",
      {{"CiphertextBlob", plain["CiphertextBlob"]}, {"DestinationKeyId", key_arn(destination)}},
      kSealed, signed_with(AlibabaSigning::V3, "GET"));
  EXPECT_EQ(decrypt(moved.value("CiphertextBlob", "")), "no context");
}

TEST_F(AlibabaSymmetricOperationsTest, ReEncryptTakesAPublicKeyCiphertextFromAnAsymmetricKey) {
  std::string source = create_key({{"KeySpec", "RSA_2048"}, {"KeyUsage", "ENCRYPT/DECRYPT"}});
  std::string destination = create_key();
  std::string version = success("ListKeyVersions", {{"KeyId", source}},
                                {"KeyVersions", "TotalCount", "PageNumber",
                                 "PageSize"})["KeyVersions"]["KeyVersion"][0]
                            .value("KeyVersionId", "");
  std::string pem = success("GetPublicKey", {{"KeyId", source}, {"KeyVersionId", version}},
                            {"PublicKey", "KeyId", "KeyVersionId"})
                        .value("PublicKey", "");
  for (const char* algorithm : {"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}) {
    SCOPED_TRACE(algorithm);
    // Encrypted offline with the public key, as a client would.
    auto ciphertext = oaep_encrypt_to(pem_to_der(pem), "offline secret", algorithm);
    ASSERT_TRUE(ciphertext.has_value());
    json body = success("ReEncrypt",
                        {{"CiphertextBlob", b64(*ciphertext)},
                         {"SourceKeyId", source},
                         {"SourceKeyVersionId", version},
                         {"SourceEncryptionAlgorithm", algorithm},
                         {"DestinationKeyId", destination}},
                        kSealed, signed_with(AlibabaSigning::V3FormBody));
    EXPECT_EQ(body.value("KeyId", json()), destination);
    EXPECT_EQ(body.value("KeyVersionId", json()), describe(destination)["PrimaryKeyVersion"]);
    EXPECT_EQ(decrypt(body.value("CiphertextBlob", "")), "offline secret");
  }
}

// ---- GenerateMac / VerifyMac -----------------------------------------------------------------

TEST_F(AlibabaSymmetricOperationsTest, GenerateMacAndVerifyMacWithEveryAlgorithm) {
  // MAC keys: Aliyun_AES_256 with GENERATE/VERIFY_MAC, the server's extension (docs).
  std::string id = create_key({{"KeyUsage", "GENERATE/VERIFY_MAC"}});
  const std::map<std::string, size_t> lengths{{"HMAC_SM3", 32},
                                              {"HMAC_SHA_224", 28},
                                              {"HMAC_SHA_256", 32},
                                              {"HMAC_SHA_384", 48},
                                              {"HMAC_SHA_512", 64}};
  std::string message = b64("message to authenticate");
  for (const auto& [algorithm, length] : lengths) {
    SCOPED_TRACE(algorithm);
    json mac =
        success("GenerateMac", {{"KeyId", id}, {"Algorithm", algorithm}, {"Message", message}},
                {"Mac", "Algorithm", "KeyId"}, signed_with(AlibabaSigning::V1Tea));
    EXPECT_EQ(mac.value("Algorithm", json()), algorithm);
    EXPECT_EQ(mac.value("KeyId", json()), id);
    EXPECT_EQ(unbase64(mac["Mac"]).size(), length);
    // Deterministic.
    EXPECT_EQ(
        success("GenerateMac", {{"KeyId", id}, {"Algorithm", algorithm}, {"Message", message}},
                {"Mac", "Algorithm", "KeyId"})["Mac"],
        mac["Mac"]);

    json good = success(
        "VerifyMac",
        {{"KeyId", id}, {"Algorithm", algorithm}, {"Message", message}, {"Mac", mac["Mac"]}},
        {"Value", "Algorithm", "KeyId"}, signed_with(AlibabaSigning::V3, "GET"));
    ASSERT_TRUE(good["Value"].is_boolean()) << "Value is a JSON boolean";
    EXPECT_TRUE(good["Value"].get<bool>());
    EXPECT_EQ(good.value("Algorithm", json()), algorithm);
    EXPECT_EQ(good.value("KeyId", json()), id);

    std::string tampered = unbase64(mac["Mac"]);
    tampered[0] = static_cast<char>(tampered[0] ^ 1);
    json bad = success(
        "VerifyMac",
        {{"KeyId", id}, {"Algorithm", algorithm}, {"Message", message}, {"Mac", b64(tampered)}},
        {"Value", "Algorithm", "KeyId"});
    EXPECT_EQ(bad["Value"], false);
    json other = success(
        "VerifyMac",
        {{"KeyId", id}, {"Algorithm", algorithm}, {"Message", b64("other")}, {"Mac", mac["Mac"]}},
        {"Value", "Algorithm", "KeyId"});
    EXPECT_EQ(other["Value"], false);
  }
}

TEST_F(AlibabaSymmetricOperationsTest, GenerateMacIsHmacUnderTheKeysMaterial) {
  // An imported MAC key, so the test knows the secret and can compute the HMAC itself.
  std::string id = create_key({{"Origin", "EXTERNAL"}, {"KeyUsage", "GENERATE/VERIFY_MAC"}});
  json params = success(
      "GetParametersForImport",
      {{"KeyId", id}, {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"}, {"WrappingKeySpec", "RSA_2048"}},
      {"KeyId", "ImportToken", "PublicKey", "TokenExpireTime"});
  std::string secret = random_bytes(32);
  auto wrapped = engine::crypto::wrap_for_import(
      unbase64(params["PublicKey"]), engine::WrappingAlgorithm::RsaesOaepSha256, secret);
  ASSERT_TRUE(wrapped.has_value());
  done("ImportKeyMaterial", {{"KeyId", id},
                             {"EncryptedKeyMaterial", b64(*wrapped)},
                             {"ImportToken", params["ImportToken"]}});
  json mac = success("GenerateMac",
                     {{"KeyId", id}, {"Algorithm", "HMAC_SHA_256"}, {"Message", b64("known")}},
                     {"Mac", "Algorithm", "KeyId"}, signed_with(AlibabaSigning::V1PopCore, "GET"));
  EXPECT_EQ(unbase64(mac["Mac"]), hmac_sha256(secret, "known"));
  json ok = success("VerifyMac",
                    {{"KeyId", id},
                     {"Algorithm", "HMAC_SHA_256"},
                     {"Message", b64("known")},
                     {"Mac", b64(hmac_sha256(secret, "known"))}},
                    {"Value", "Algorithm", "KeyId"}, signed_with(AlibabaSigning::V3FormBody));
  EXPECT_EQ(ok["Value"], true);
}

}  // namespace
}  // namespace kmsconf::testing
