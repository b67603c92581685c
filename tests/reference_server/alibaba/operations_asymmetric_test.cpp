// Happy paths of the asymmetric (spec §3.6) and bring-your-own-key (§3.7) operations over HTTP:
// GetPublicKey, AsymmetricEncrypt, AsymmetricDecrypt, AsymmetricSign, AsymmetricVerify,
// GetParametersForImport, ImportKeyMaterial, DeleteKeyMaterial. Response fields one by one, and
// the effect checked with the caller's own crypto: the PEM verifies KMS signatures, offline OAEP
// ciphertexts decrypt in KMS, imported material is the key that seals.
#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "tests/reference_server/alibaba/operations_support.hpp"

namespace kmsconf::testing {
namespace {

namespace crypto = engine::crypto;
using engine::KeySpec;
using engine::MessageType;
using engine::SigningAlgorithm;

const std::set<std::string> kKeyFields{"KeyId", "KeyVersionId"};

std::set<std::string> with_key_fields(const std::string& field) {
  std::set<std::string> out = kKeyFields;
  out.insert(field);
  return out;
}

class AlibabaAsymmetricOperationsTest : public AlibabaOperationsTest {
 protected:
  // A key and its only version.
  std::pair<std::string, std::string> create_asymmetric(const std::string& spec,
                                                        const std::string& usage) {
    std::string id = create_key({{"KeySpec", spec}, {"KeyUsage", usage}});
    json list = success("ListKeyVersions", {{"KeyId", id}},
                        {"KeyVersions", "TotalCount", "PageNumber", "PageSize"});
    auto rows = items(list, "KeyVersions", "KeyVersion");
    EXPECT_EQ(rows.size(), 1u);
    return {id, rows.empty() ? "" : rows[0].value("KeyVersionId", "")};
  }

  std::string public_pem(const std::string& id, const std::string& version) {
    return success("GetPublicKey", {{"KeyId", id}, {"KeyVersionId", version}},
                   with_key_fields("PublicKey"))
        .value("PublicKey", "");
  }
};

class AlibabaImportOperationsTest : public AlibabaOperationsTest {
 protected:
  const std::set<std::string> kImportParams{"KeyId", "ImportToken", "PublicKey", "TokenExpireTime"};

  json import_parameters(const std::string& key,
                         const std::string& algorithm = "RSAES_OAEP_SHA_256",
                         const std::string& spec = "RSA_2048",
                         client::AlibabaCallOptions options = {}) {
    return success("GetParametersForImport",
                   {{"KeyId", key}, {"WrappingAlgorithm", algorithm}, {"WrappingKeySpec", spec}},
                   kImportParams, std::move(options));
  }

  // Fresh parameters, then the material wrapped with the client helper and imported.
  void import_material(const std::string& key, const std::string& material,
                       json extra = json::object(), client::AlibabaCallOptions options = {}) {
    json params = import_parameters(key);
    auto wrapped = crypto::wrap_for_import(unbase64(params["PublicKey"]),
                                           engine::WrappingAlgorithm::RsaesOaepSha256, material);
    ASSERT_TRUE(wrapped.has_value());
    extra["KeyId"] = key;
    extra["EncryptedKeyMaterial"] = b64(*wrapped);
    extra["ImportToken"] = params["ImportToken"];
    done("ImportKeyMaterial", extra, std::move(options));
  }
};

// ---- GetPublicKey / AsymmetricSign / AsymmetricVerify ----------------------------------------

struct SignCase {
  const char* spec;
  KeySpec engine_spec;
  const char* algorithm;
  SigningAlgorithm engine_algorithm;
};

TEST_F(AlibabaAsymmetricOperationsTest, GetPublicKeyPemVerifiesTheKeysSignatures) {
  const std::vector<SignCase> cases{
      {"RSA_2048", KeySpec::Rsa2048, "RSA_PSS_SHA_256", SigningAlgorithm::RsaPssSha256},
      {"RSA_2048", KeySpec::Rsa2048, "RSA_PKCS1_SHA_256", SigningAlgorithm::RsaPkcs1Sha256},
      {"RSA_3072", KeySpec::Rsa3072, "RSA_PSS_SHA_256", SigningAlgorithm::RsaPssSha256},
      {"EC_P256", KeySpec::EcP256, "ECDSA_SHA_256", SigningAlgorithm::EcdsaSha256},
      {"EC_P256K", KeySpec::EcP256K, "ECDSA_SHA_256", SigningAlgorithm::EcdsaSha256},
      {"EC_SM2", KeySpec::EcSm2, "SM2DSA", SigningAlgorithm::Sm2Dsa},
  };
  const std::string digest = sha256("the message");  // 32 bytes; for SM2DSA taken as e
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.spec) + " " + c.algorithm);
    auto [id, version] = create_asymmetric(c.spec, "SIGN/VERIFY");
    json key = success("GetPublicKey", {{"KeyId", id}, {"KeyVersionId", version}},
                       with_key_fields("PublicKey"), signed_with(AlibabaSigning::V1Tea, "GET"));
    EXPECT_EQ(key.value("KeyId", json()), id);
    EXPECT_EQ(key.value("KeyVersionId", json()), version);
    std::string pem = key.value("PublicKey", "");
    EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u) << pem;
    EXPECT_NE(pem.find("-----END PUBLIC KEY-----"), std::string::npos);
    std::string der = pem_to_der(pem);
    ASSERT_FALSE(der.empty());

    json signed_body = success("AsymmetricSign",
                               {{"KeyId", id},
                                {"KeyVersionId", version},
                                {"Algorithm", c.algorithm},
                                {"Digest", b64(digest)}},
                               with_key_fields("Value"), signed_with(AlibabaSigning::V1PopCore));
    EXPECT_EQ(signed_body.value("KeyId", json()), id);
    EXPECT_EQ(signed_body.value("KeyVersionId", json()), version);
    std::string signature = unbase64(signed_body["Value"]);
    // The effect: the published public key verifies the signature, offline.
    EXPECT_TRUE(crypto::verify_with_public_key(der, c.engine_spec, c.engine_algorithm,
                                               MessageType::Digest, digest, signature));
    EXPECT_FALSE(crypto::verify_with_public_key(der, c.engine_spec, c.engine_algorithm,
                                                MessageType::Digest, sha256("other"), signature));

    json verified = success("AsymmetricVerify",
                            {{"KeyId", id},
                             {"KeyVersionId", version},
                             {"Algorithm", c.algorithm},
                             {"Digest", b64(digest)},
                             {"Value", signed_body["Value"]}},
                            with_key_fields("Value"), signed_with(AlibabaSigning::V3, "GET"));
    ASSERT_TRUE(verified["Value"].is_boolean()) << "Value is a JSON boolean";
    EXPECT_TRUE(verified["Value"].get<bool>());
    EXPECT_EQ(verified.value("KeyId", json()), id);
    EXPECT_EQ(verified.value("KeyVersionId", json()), version);
    json wrong = success("AsymmetricVerify",
                         {{"KeyId", id},
                          {"KeyVersionId", version},
                          {"Algorithm", c.algorithm},
                          {"Digest", b64(sha256("tampered"))},
                          {"Value", signed_body["Value"]}},
                         with_key_fields("Value"), signed_with(AlibabaSigning::V3FormBody));
    EXPECT_EQ(wrong["Value"], false);
  }
}

TEST_F(AlibabaAsymmetricOperationsTest, AsymmetricCallsTakeTheKeyByAliasAndArn) {
  auto [id, version] = create_asymmetric("EC_P256", "SIGN/VERIFY");
  done("CreateAlias", {{"AliasName", "alias/ec"}, {"KeyId", id}});
  std::string digest = sha256("named");
  json by_alias = success("AsymmetricSign",
                          {{"KeyId", "alias/ec"},
                           {"KeyVersionId", version},
                           {"Algorithm", "ECDSA_SHA_256"},
                           {"Digest", b64(digest)}},
                          with_key_fields("Value"));
  EXPECT_EQ(by_alias.value("KeyId", json()), id);
  json by_arn = success("AsymmetricVerify",
                        {{"KeyId", key_arn(id)},
                         {"KeyVersionId", version},
                         {"Algorithm", "ECDSA_SHA_256"},
                         {"Digest", b64(digest)},
                         {"Value", by_alias["Value"]}},
                        with_key_fields("Value"));
  EXPECT_EQ(by_arn.value("KeyId", json()), id);
  EXPECT_EQ(by_arn["Value"], true);
  EXPECT_EQ(success("GetPublicKey", {{"KeyId", "alias/ec"}, {"KeyVersionId", version}},
                    with_key_fields("PublicKey"))
                .value("KeyId", json()),
            id);
}

// ---- AsymmetricEncrypt / AsymmetricDecrypt ---------------------------------------------------

TEST_F(AlibabaAsymmetricOperationsTest, AsymmetricEncryptAndDecryptRoundTripWithEveryAlgorithm) {
  struct Case {
    const char* spec;
    const char* algorithm;
    size_t max_plaintext;     // §3.6 table
    size_t ciphertext_bytes;  // 0: variable (SM2)
  };
  const std::vector<Case> cases{{"RSA_2048", "RSAES_OAEP_SHA_256", 190, 256},
                                {"RSA_2048", "RSAES_OAEP_SHA_1", 214, 256},
                                {"RSA_3072", "RSAES_OAEP_SHA_256", 318, 384},
                                {"EC_SM2", "SM2PKE", 64, 0}};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.spec) + " " + c.algorithm);
    auto [id, version] = create_asymmetric(c.spec, "ENCRYPT/DECRYPT");
    std::string plaintext(c.max_plaintext, 'p');
    json sealed = success("AsymmetricEncrypt",
                          {{"KeyId", id},
                           {"KeyVersionId", version},
                           {"Algorithm", c.algorithm},
                           {"Plaintext", b64(plaintext)}},
                          with_key_fields("CiphertextBlob"), signed_with(AlibabaSigning::V1Tea));
    EXPECT_EQ(sealed.value("KeyId", json()), id);
    EXPECT_EQ(sealed.value("KeyVersionId", json()), version);
    std::string ciphertext = unbase64(sealed["CiphertextBlob"]);
    if (c.ciphertext_bytes) {
      EXPECT_EQ(ciphertext.size(), c.ciphertext_bytes) << "standard RSA-OAEP output";
    }
    json opened = success("AsymmetricDecrypt",
                          {{"KeyId", id},
                           {"KeyVersionId", version},
                           {"Algorithm", c.algorithm},
                           {"CiphertextBlob", sealed["CiphertextBlob"]}},
                          with_key_fields("Plaintext"), signed_with(AlibabaSigning::V3FormBody));
    EXPECT_EQ(opened.value("KeyId", json()), id);
    EXPECT_EQ(opened.value("KeyVersionId", json()), version);
    EXPECT_EQ(unbase64(opened["Plaintext"]), plaintext);
  }
}

TEST_F(AlibabaAsymmetricOperationsTest, AsymmetricDecryptOpensOfflineOaepCiphertexts) {
  auto [id, version] = create_asymmetric("RSA_2048", "ENCRYPT/DECRYPT");
  std::string der = pem_to_der(public_pem(id, version));
  for (const char* algorithm : {"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}) {
    SCOPED_TRACE(algorithm);
    auto ciphertext = oaep_encrypt_to(der, "sealed offline", algorithm);
    ASSERT_TRUE(ciphertext.has_value());
    json opened =
        success("AsymmetricDecrypt",
                {{"KeyId", id},
                 {"KeyVersionId", version},
                 {"Algorithm", algorithm},
                 {"CiphertextBlob", b64(*ciphertext)}},
                with_key_fields("Plaintext"), signed_with(AlibabaSigning::V1PopCore, "GET"));
    EXPECT_EQ(unbase64(opened["Plaintext"]), "sealed offline");
  }
}

// ---- GetParametersForImport ------------------------------------------------------------------

TEST_F(AlibabaImportOperationsTest, GetParametersForImportReturnsAFreshWrappingKeyAndToken) {
  std::string id = create_key({{"Origin", "EXTERNAL"}});
  for (const char* algorithm : {"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "RSAES_PKCS1_V1_5"}) {
    SCOPED_TRACE(algorithm);
    TimePoint t = now();
    json first = import_parameters(id, algorithm, "RSA_2048", signed_with(AlibabaSigning::V1Tea));
    EXPECT_EQ(first.value("KeyId", json()), id);
    EXPECT_TRUE(first["ImportToken"].is_string());
    EXPECT_FALSE(first.value("ImportToken", "").empty());
    // PublicKey: base64 of a DER SubjectPublicKeyInfo (§3.7), here RSA-2048.
    EXPECT_EQ(rsa_bits(unbase64(first["PublicKey"])), 2048);
    // The token lasts 24 h.
    EXPECT_TRUE(is_iso_z(first["TokenExpireTime"]));
    EXPECT_EQ(first.value("TokenExpireTime", json()), iso_z(t + std::chrono::hours(24)));
    // A new pair each call.
    json second =
        import_parameters(id, algorithm, "RSA_2048", signed_with(AlibabaSigning::V3, "GET"));
    EXPECT_NE(second["PublicKey"], first["PublicKey"]);
    EXPECT_NE(second["ImportToken"], first["ImportToken"]);
  }
  // By alias; the response names the real key.
  done("CreateAlias", {{"AliasName", "alias/byok"}, {"KeyId", id}});
  EXPECT_EQ(import_parameters("alias/byok").value("KeyId", json()), id);
}

// EC_SM2 with SM2PKE is for HSM keys only (§3.7 [D]); the refusal names WrappingKeySpec [I].
TEST_F(AlibabaImportOperationsTest, Sm2WrappingIsForHsmKeysOnly) {
  std::string software = create_key({{"Origin", "EXTERNAL"}});
  auto refused =
      call("GetParametersForImport",
           {{"KeyId", software}, {"WrappingAlgorithm", "SM2PKE"}, {"WrappingKeySpec", "EC_SM2"}});
  expect_error(refused, ErrorCode::InvalidParameter);
  EXPECT_EQ(json::parse(refused.response.body, nullptr, false).value("Message", ""),
            "The specified parameter \"WrappingKeySpec\" is not valid.");

  std::string hsm = create_key({{"Origin", "EXTERNAL"}, {"ProtectionLevel", "HSM"}});
  json params = import_parameters(hsm, "SM2PKE", "EC_SM2");
  auto wrapped = crypto::wrap_for_import(unbase64(params["PublicKey"]),
                                         engine::WrappingAlgorithm::Sm2Pke, random_bytes(32));
  ASSERT_TRUE(wrapped.has_value());
  done("ImportKeyMaterial", {{"KeyId", hsm},
                             {"EncryptedKeyMaterial", b64(*wrapped)},
                             {"ImportToken", params["ImportToken"]}});
  EXPECT_EQ(describe(hsm).value("KeyState", json()), "Enabled");
}

// ---- ImportKeyMaterial -----------------------------------------------------------------------

TEST_F(AlibabaImportOperationsTest, ImportKeyMaterialEnablesTheKeyWithExactlyThatMaterial) {
  TimePoint t = now();
  std::string id = create_key({{"Origin", "EXTERNAL"}});
  std::string material = random_bytes(32);
  import_material(id, material, json::object(), signed_with(AlibabaSigning::V1PopCore));

  MetaExpect e = meta_expect(id, t);
  e.origin = "EXTERNAL";
  e.describe = true;
  expect_key_metadata(describe(id), e);  // Enabled, MaterialExpireTime ""

  // Encrypt works, and the blob opens with the imported bytes themselves (empty context: no AAD).
  json sealed = encrypt(id, "byok plaintext");
  std::string blob = unbase64(sealed["CiphertextBlob"]);
  EXPECT_EQ(open_blob_with(material, blob).value_or("<none>"), "byok plaintext");
  EXPECT_EQ(decrypt(sealed.value("CiphertextBlob", "")), "byok plaintext");

  // Re-import: the same material is accepted, other material is not (§3.7).
  import_material(id, material, json::object(), signed_with(AlibabaSigning::V3FormBody, "GET"));
  json params = import_parameters(id);
  auto other = crypto::wrap_for_import(
      unbase64(params["PublicKey"]), engine::WrappingAlgorithm::RsaesOaepSha256, random_bytes(32));
  ASSERT_TRUE(other.has_value());
  expect_error("ImportKeyMaterial",
               {{"KeyId", id},
                {"EncryptedKeyMaterial", b64(*other)},
                {"ImportToken", params["ImportToken"]}},
               ErrorCode::InvalidKeyMaterial);
  EXPECT_EQ(decrypt(sealed.value("CiphertextBlob", "")), "byok plaintext");
}

TEST_F(AlibabaImportOperationsTest, ImportKeyMaterialWithEachWrappingAlgorithm) {
  const std::vector<std::pair<std::string, engine::WrappingAlgorithm>> algorithms{
      {"RSAES_OAEP_SHA_256", engine::WrappingAlgorithm::RsaesOaepSha256},
      {"RSAES_OAEP_SHA_1", engine::WrappingAlgorithm::RsaesOaepSha1},
      {"RSAES_PKCS1_V1_5", engine::WrappingAlgorithm::RsaesPkcs1V15}};
  for (const auto& [name, algorithm] : algorithms) {
    SCOPED_TRACE(name);
    std::string id = create_key({{"Origin", "EXTERNAL"}});
    json params = import_parameters(id, name);
    std::string material = random_bytes(32);
    auto wrapped = crypto::wrap_for_import(unbase64(params["PublicKey"]), algorithm, material);
    ASSERT_TRUE(wrapped.has_value());
    done("ImportKeyMaterial",
         {{"KeyId", id},
          {"EncryptedKeyMaterial", b64(*wrapped)},
          {"ImportToken", params["ImportToken"]},
          {"KeyMaterialExpireUnix", 0}},
         signed_with(AlibabaSigning::V1Tea, "GET"));
    EXPECT_EQ(describe(id).value("KeyState", json()), "Enabled");
    EXPECT_EQ(describe(id).value("MaterialExpireTime", json()), "") << "0 = never expires";
    json sealed = encrypt(id, "x");
    EXPECT_EQ(open_blob_with(material, unbase64(sealed["CiphertextBlob"])).value_or("<none>"), "x");
  }
}

// ---- DeleteKeyMaterial -----------------------------------------------------------------------

TEST_F(AlibabaImportOperationsTest, DeleteKeyMaterialReturnsTheKeyToPendingImport) {
  TimePoint t = now();
  std::string id = create_key({{"Origin", "EXTERNAL"}});
  std::string material = random_bytes(32);
  import_material(id, material, {{"KeyMaterialExpireUnix", seconds_of(t) + 86400}});
  std::string blob = encrypt(id, "kept for later").value("CiphertextBlob", "");

  done("DeleteKeyMaterial", {{"KeyId", id}}, signed_with(AlibabaSigning::V3, "GET"));
  MetaExpect e = meta_expect(id, t);
  e.origin = "EXTERNAL";
  e.state = "PendingImport";
  e.describe = true;
  expect_key_metadata(describe(id), e);  // MaterialExpireTime back to ""
  expect_error("Encrypt", {{"KeyId", id}, {"Plaintext", b64("x")}},
               ErrorCode::RejectedPendingImport);
  expect_error("Decrypt", {{"CiphertextBlob", blob}}, ErrorCode::RejectedPendingImport);

  // The same material brings the key and its ciphertexts back.
  import_material(id, material, json::object(), signed_with(AlibabaSigning::V1PopCore, "GET"));
  EXPECT_EQ(describe(id).value("KeyState", json()), "Enabled");
  EXPECT_EQ(decrypt(blob), "kept for later");

  // From Disabled too, by alias.
  done("DisableKey", {{"KeyId", id}});
  done("CreateAlias", {{"AliasName", "alias/material"}, {"KeyId", id}});
  done("DeleteKeyMaterial", {{"KeyId", "alias/material"}}, signed_with(AlibabaSigning::V1Tea));
  EXPECT_EQ(describe(id).value("KeyState", json()), "PendingImport");
}

}  // namespace
}  // namespace kmsconf::testing
