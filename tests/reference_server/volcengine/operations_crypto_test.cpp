// Happy paths of the cryptographic and BYOK operations (spec §3.1 #18-31) over HTTP: the
// response shape field by field, and the effect (round trips, local verification with the
// exported public key, version handling of imported material).
#include "protocol/digest.hpp"
#include "protocol/volcengine/errors.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "tests/reference_server/volcengine/operations_support.hpp"

namespace kmsconf::testing {
namespace {

using client::Placement;
using volcengine::SignerStyle;
namespace crypto = engine::crypto;

constexpr size_t kBlobOverhead = 16 + 2 + 12 + 16;  // reference layout (§4.10 [INF])

std::string all_bytes() {
  std::string out;
  for (int i = 0; i < 256; ++i) out.push_back(static_cast<char>(i));
  return out;
}

using SymmetricOperationsTest = OperationsTest;
using AsymmetricOperationsTest = OperationsTest;
using MacOperationsTest = OperationsTest;
using ImportOperationsTest = OperationsTest;

// ---- #18 Encrypt -----------------------------------------------------------------------------

TEST_F(SymmetricOperationsTest, EncryptReturnsAnOpaqueBase64Blob) {
  std::string id = create_key("ring", "enc");
  json result =
      success("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("seven b")}}, Has::Result);
  EXPECT_EQ(names_of(result), std::set<std::string>{"CiphertextBlob"});
  EXPECT_TRUE(is_base64(result.value("CiphertextBlob", json())));
  std::string blob = unbase64(result.value("CiphertextBlob", json()));
  EXPECT_EQ(blob.size(), kBlobOverhead + 7);
  EXPECT_EQ(blob_key_id(blob), id);  // §4.10: the blob names its key
  EXPECT_GE(result.value("CiphertextBlob", "").size(), 19u) << "Decrypt needs > 18 chars";
  EXPECT_EQ(decrypt(result["CiphertextBlob"]), "seven b");

  // A fresh IV each time: the same plaintext never gives the same blob.
  std::string again = encrypt(id, "seven b");
  EXPECT_NE(again, result["CiphertextBlob"]);
  EXPECT_EQ(decrypt(again), "seven b");

  // By names, over GET with the context as a JSON string, and over a form body.
  json by_get = success("Encrypt",
                        {{"KeyringName", "ring"},
                         {"KeyName", "enc"},
                         {"Plaintext", base64_encode(all_bytes())},
                         {"EncryptionContext", R"({"purpose":"get"})"}},
                        Has::Result, placed(Placement::Query, SignerStyle::Go));
  EXPECT_EQ(names_of(by_get), std::set<std::string>{"CiphertextBlob"});
  EXPECT_EQ(decrypt(by_get["CiphertextBlob"], json{{"purpose", "get"}}), all_bytes());
  json by_form = success("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("form")}},
                         Has::Result, placed(Placement::FormBody));
  EXPECT_EQ(decrypt(by_form["CiphertextBlob"]), "form");
}

// ---- #19 Decrypt -----------------------------------------------------------------------------

TEST_F(SymmetricOperationsTest, DecryptReturnsPlaintextAndTheKeyNames) {
  std::string id = create_key("dec-ring", "dec-key");
  std::string blob = encrypt(id, "hello, world");
  json result = success("Decrypt", {{"CiphertextBlob", blob}}, Has::Result);
  EXPECT_EQ(names_of(result), (std::set<std::string>{"Plaintext", "KeyringName", "KeyName"}));
  EXPECT_TRUE(is_base64(result.value("Plaintext", json())));
  EXPECT_EQ(result.value("Plaintext", json()), base64_encode("hello, world"));
  EXPECT_EQ(result.value("KeyringName", json()), "dec-ring");
  EXPECT_EQ(result.value("KeyName", json()), "dec-key");

  // GET and form placements.
  EXPECT_EQ(decrypt(blob, json(), placed(Placement::Query)), "hello, world");
  EXPECT_EQ(decrypt(blob, json(), placed(Placement::FormBody, SignerStyle::Go)), "hello, world");
}

TEST_F(SymmetricOperationsTest, EncryptionContextObjectAndStringAreEquivalentAndUnordered) {
  std::string id = create_key("ring", "ctx");
  // The doc example's context, sent as a JSON string with "user" first.
  const std::string user_first = R"({"user":"alice","path":"path/to/alice/plaintext.txt"})";
  const std::string path_first = R"({"path":"path/to/alice/plaintext.txt","user":"alice"})";
  const json as_object{{"user", "alice"}, {"path", "path/to/alice/plaintext.txt"}};

  std::string from_string = encrypt(id, "secret", user_first);
  std::string from_object = encrypt(id, "secret", as_object);
  for (const std::string& blob : {from_string, from_object}) {
    EXPECT_EQ(decrypt(blob, as_object), "secret");
    EXPECT_EQ(decrypt(blob, user_first), "secret");
    EXPECT_EQ(decrypt(blob, path_first), "secret");
    EXPECT_EQ(decrypt(blob, path_first, placed(Placement::Query)), "secret");
    EXPECT_EQ(decrypt(blob, as_object, placed(Placement::FormBody)), "secret");
  }

  // The context is bound: a different or missing one does not open the blob.
  expect_error(call("Decrypt", {{"CiphertextBlob", from_string},
                                {"EncryptionContext",
                                 R"({"user":"bob","path":"path/to/alice/plaintext.txt"})"}}),
               400, "InvalidParameter");
  expect_error(call("Decrypt", {{"CiphertextBlob", from_object}}), 400, "InvalidParameter");
  expect_error(call("Decrypt",
                    {{"CiphertextBlob", from_object}, {"EncryptionContext", {{"user", "alice"}}}}),
               400, "InvalidParameter");
}

// ---- #20 GenerateDataKey ---------------------------------------------------------------------

TEST_F(SymmetricOperationsTest, GenerateDataKeyReturnsPlaintextAndItsSealedCopy) {
  std::string id = create_key("ring", "dek");
  json result =
      success("GenerateDataKey",
              {{"KeyID", id}, {"NumberOfBytes", 64}, {"EncryptionContext", {{"app", "billing"}}}},
              Has::Result);
  EXPECT_EQ(names_of(result), (std::set<std::string>{"Plaintext", "CiphertextBlob"}));
  std::string plaintext = unbase64(result.value("Plaintext", json()));
  EXPECT_EQ(plaintext.size(), 64u);
  std::string blob = unbase64(result.value("CiphertextBlob", json()));
  EXPECT_EQ(blob.size(), kBlobOverhead + 64);
  EXPECT_EQ(blob_key_id(blob), id);
  EXPECT_EQ(decrypt(result["CiphertextBlob"], R"({"app":"billing"})"), plaintext);

  // Default 32 bytes [INF]; by names, form body with the integer as text; fresh each time.
  json small = success("GenerateDataKey", {{"KeyringName", "ring"}, {"KeyName", "dek"}},
                       Has::Result, placed(Placement::FormBody));
  std::string small_plain = unbase64(small.value("Plaintext", json()));
  EXPECT_EQ(small_plain.size(), 32u);
  EXPECT_EQ(decrypt(small["CiphertextBlob"]), small_plain);
  json one = success("GenerateDataKey", {{"KeyID", id}, {"NumberOfBytes", "1"}}, Has::Result,
                     placed(Placement::Query));
  EXPECT_EQ(unbase64(one.value("Plaintext", json())).size(), 1u);
  json other = success("GenerateDataKey", {{"KeyID", id}}, Has::Result);
  EXPECT_NE(other["Plaintext"], small["Plaintext"]);
}

// ---- #21 ReEncrypt ---------------------------------------------------------------------------

TEST_F(SymmetricOperationsTest, ReEncryptMovesACiphertextUnderTheNewKey) {
  std::string source = create_key("ring", "source");
  std::string target = create_key("ring", "target");
  std::string blob = encrypt(source, "moving data", json{{"stage", "old"}});

  json result = success("ReEncrypt",
                        {{"CiphertextBlob", blob},
                         {"NewKeyID", target},
                         {"OldEncryptionContext", {{"stage", "old"}}},
                         {"NewEncryptionContext", R"({"stage":"new","v":"2"})"}},
                        Has::Result);
  EXPECT_EQ(names_of(result), std::set<std::string>{"CiphertextBlob"});
  std::string moved = result.value("CiphertextBlob", "");
  EXPECT_EQ(blob_key_id(unbase64(moved)), target);

  json opened = success(
      "Decrypt", {{"CiphertextBlob", moved}, {"EncryptionContext", {{"v", "2"}, {"stage", "new"}}}},
      Has::Result);
  EXPECT_EQ(opened.value("Plaintext", json()), base64_encode("moving data"));
  EXPECT_EQ(opened.value("KeyName", json()), "target");
  expect_error(
      call("Decrypt", {{"CiphertextBlob", moved}, {"EncryptionContext", {{"stage", "old"}}}}), 400,
      "InvalidParameter");

  // It no longer needs the source key.
  success("DisableKey", {{"KeyID", source}}, Has::NoResult);
  EXPECT_EQ(decrypt(moved, json{{"stage", "new"}, {"v", "2"}}), "moving data");
  success("EnableKey", {{"KeyID", source}}, Has::NoResult);

  // Destination by names, over GET, contexts as strings.
  json by_names = success("ReEncrypt",
                          {{"CiphertextBlob", blob},
                           {"NewKeyringName", "ring"},
                           {"NewKeyName", "target"},
                           {"OldEncryptionContext", R"({"stage":"old"})"}},
                          Has::Result, placed(Placement::Query));
  EXPECT_EQ(blob_key_id(unbase64(by_names.value("CiphertextBlob", ""))), target);
  EXPECT_EQ(decrypt(by_names["CiphertextBlob"]), "moving data");
}

TEST_F(SymmetricOperationsTest, ReEncryptFromAnArchivedSourceKey) {
  // Archived keys still decrypt, so they can hand their ciphertexts over [INF].
  std::string source = create_key("ring", "retired");
  std::string target = create_key("ring", "current");
  std::string blob = encrypt(source, "legacy");
  success("ArchiveKey", {{"KeyID", source}}, Has::NoResult);
  json result = success("ReEncrypt", {{"CiphertextBlob", blob}, {"NewKeyID", target}}, Has::Result,
                        placed(Placement::FormBody, SignerStyle::Go));
  EXPECT_EQ(names_of(result), std::set<std::string>{"CiphertextBlob"});
  EXPECT_EQ(blob_key_id(unbase64(result.value("CiphertextBlob", json()))), target);
  EXPECT_EQ(decrypt(result["CiphertextBlob"]), "legacy");
}

// ---- #22 AsymmetricEncrypt, #23 AsymmetricDecrypt --------------------------------------------

TEST_F(AsymmetricOperationsTest, AsymmetricEncryptDecryptWithRsaOaep) {
  std::string id = create_key("ring", "rsa-enc", {{"KeySpec", "RSA_2048"}});
  json sealed = success("AsymmetricEncrypt",
                        {{"KeyID", id},
                         {"Algorithm", "RSAES_OAEP_SHA_256"},
                         {"Plaintext", base64_encode("asymmetric secret")}},
                        Has::Result);
  EXPECT_EQ(names_of(sealed), (std::set<std::string>{"CiphertextBlob", "KeyID"}));
  EXPECT_EQ(sealed.value("KeyID", json()), id);
  EXPECT_EQ(unbase64(sealed.value("CiphertextBlob", json())).size(), 256u);  // RSA-2048

  json opened = success("AsymmetricDecrypt",
                        {{"KeyringName", "ring"},
                         {"KeyName", "rsa-enc"},
                         {"Algorithm", "RSAES_OAEP_SHA_256"},
                         {"CiphertextBlob", sealed["CiphertextBlob"]}},
                        Has::Result);
  EXPECT_EQ(names_of(opened), (std::set<std::string>{"Plaintext", "KeyID"}));
  EXPECT_EQ(opened.value("KeyID", json()), id);
  EXPECT_EQ(opened.value("Plaintext", json()), base64_encode("asymmetric secret"));

  // OAEP is randomized; both ciphertexts open.
  json again = success("AsymmetricEncrypt",
                       {{"KeyID", id},
                        {"Algorithm", "RSAES_OAEP_SHA_256"},
                        {"Plaintext", base64_encode("asymmetric secret")}},
                       Has::Result, placed(Placement::FormBody));
  EXPECT_NE(again["CiphertextBlob"], sealed["CiphertextBlob"]);

  // A ciphertext made locally with the exported public key opens too.
  json pub = success("GetPublicKey", {{"KeyID", id}}, Has::Result);
  std::string der = pem_to_der(pub.value("PublicKey", ""));
  ASSERT_FALSE(der.empty());
  auto local =
      crypto::wrap_for_import(der, engine::WrappingAlgorithm::RsaesOaepSha256, "made locally");
  ASSERT_TRUE(local.has_value());
  json local_opened = success("AsymmetricDecrypt",
                              {{"KeyID", id},
                               {"Algorithm", "RSAES_OAEP_SHA_256"},
                               {"CiphertextBlob", base64_encode(*local)}},
                              Has::Result, placed(Placement::Query));
  EXPECT_EQ(unbase64(local_opened.value("Plaintext", json())), "made locally");
}

TEST_F(AsymmetricOperationsTest, AsymmetricEncryptDecryptWithSm2) {
  std::string id = create_key("ring", "sm2-enc", {{"KeySpec", "EC_SM2"}});
  json sealed = success(
      "AsymmetricEncrypt",
      {{"KeyID", id}, {"Algorithm", "SM2PKE"}, {"Plaintext", base64_encode("sm2")}}, Has::Result);
  EXPECT_EQ(names_of(sealed), (std::set<std::string>{"CiphertextBlob", "KeyID"}));
  EXPECT_EQ(sealed.value("KeyID", json()), id);
  EXPECT_TRUE(is_base64(sealed.value("CiphertextBlob", json())));
  json opened = success(
      "AsymmetricDecrypt",
      {{"KeyID", id}, {"Algorithm", "SM2PKE"}, {"CiphertextBlob", sealed["CiphertextBlob"]}},
      Has::Result, placed(Placement::FormBody, SignerStyle::Go));
  EXPECT_EQ(names_of(opened), (std::set<std::string>{"Plaintext", "KeyID"}));
  EXPECT_EQ(unbase64(opened.value("Plaintext", json())), "sm2");
}

// ---- #24 AsymmetricSign, #25 AsymmetricVerify, #26 GetPublicKey ------------------------------

struct SigningCase {
  const char* key_spec;
  engine::KeySpec spec;
  const char* algorithm;
  engine::SigningAlgorithm algo;
  bool digest_is_sha256;
};

class SigningOperationsTest : public OperationsTest,
                              public ::testing::WithParamInterface<SigningCase> {};

TEST_P(SigningOperationsTest, SignVerifyAndVerifyLocallyWithThePublicKey) {
  const SigningCase& c = GetParam();
  std::string id =
      create_key("ring", "signer", {{"KeySpec", c.key_spec}, {"KeyUsage", "SIGN_VERIFY"}});
  const std::string message = "message to be signed";

  // #24 AsymmetricSign (RAW is the default MessageType).
  json signed_raw =
      success("AsymmetricSign",
              {{"KeyID", id}, {"Algorithm", c.algorithm}, {"Message", base64_encode(message)}},
              Has::Result);
  EXPECT_EQ(names_of(signed_raw), (std::set<std::string>{"Signature", "KeyID"}));
  EXPECT_EQ(signed_raw.value("KeyID", json()), id);
  std::string signature = unbase64(signed_raw.value("Signature", json()));
  ASSERT_FALSE(signature.empty());

  // #25 AsymmetricVerify: true for the signature, false for a tampered one or another message.
  auto verify = [&](const std::string& msg, const std::string& sig, const char* type,
                    client::CallOptions options) {
    json result = success("AsymmetricVerify",
                          {{"KeyringName", "ring"},
                           {"KeyName", "signer"},
                           {"Algorithm", c.algorithm},
                           {"MessageType", type},
                           {"Message", base64_encode(msg)},
                           {"Signature", base64_encode(sig)}},
                          Has::Result, std::move(options));
    EXPECT_EQ(names_of(result), (std::set<std::string>{"SignatureValid", "KeyID"}));
    EXPECT_EQ(result.value("KeyID", json()), id);
    EXPECT_TRUE(result.value("SignatureValid", json()).is_boolean()) << result.dump();
    return result.value("SignatureValid", json()) == true;
  };
  std::string tampered = signature;
  tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x01);
  EXPECT_TRUE(verify(message, signature, "RAW", {}));
  EXPECT_FALSE(verify(message, tampered, "RAW", {}));
  EXPECT_FALSE(verify(message + "!", signature, "RAW", placed(Placement::Query)));

  // #26 GetPublicKey: PEM SubjectPublicKeyInfo that verifies the server's signatures.
  json pub = success("GetPublicKey", {{"KeyID", id}}, Has::Result,
                     placed(Placement::FormBody, SignerStyle::Go));
  EXPECT_EQ(names_of(pub), (std::set<std::string>{"PublicKey", "KeyID"}));
  EXPECT_EQ(pub.value("KeyID", json()), id);
  std::string pem = pub.value("PublicKey", "");
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u) << pem;
  EXPECT_TRUE(pem.ends_with("-----END PUBLIC KEY-----\n")) << pem;
  std::string der = pem_to_der(pem);
  ASSERT_FALSE(der.empty());
  EXPECT_TRUE(crypto::verify_with_public_key(der, c.spec, c.algo, engine::MessageType::Raw, message,
                                             signature));
  EXPECT_FALSE(crypto::verify_with_public_key(der, c.spec, c.algo, engine::MessageType::Raw,
                                              message, tampered));
  EXPECT_FALSE(crypto::verify_with_public_key(der, c.spec, c.algo, engine::MessageType::Raw,
                                              message + "!", signature));
  // By names gives the same key.
  EXPECT_EQ(success("GetPublicKey", {{"KeyringName", "ring"}, {"KeyName", "signer"}},
                    Has::Result)["PublicKey"],
            pem);

  // DIGEST: the caller hashes (SHA-256 cases); the signature verifies the RAW message locally.
  if (c.digest_is_sha256) {
    std::string digest = sha256(message);
    json signed_digest = success("AsymmetricSign",
                                 {{"KeyID", id},
                                  {"Algorithm", c.algorithm},
                                  {"MessageType", "DIGEST"},
                                  {"Message", base64_encode(digest)}},
                                 Has::Result, placed(Placement::Query));
    EXPECT_EQ(names_of(signed_digest), (std::set<std::string>{"Signature", "KeyID"}));
    std::string digest_sig = unbase64(signed_digest.value("Signature", json()));
    EXPECT_TRUE(crypto::verify_with_public_key(der, c.spec, c.algo, engine::MessageType::Raw,
                                               message, digest_sig));
    EXPECT_TRUE(verify(digest, digest_sig, "DIGEST", {}));
    EXPECT_TRUE(verify(message, digest_sig, "RAW", {}));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Specs, SigningOperationsTest,
    ::testing::Values(SigningCase{"EC_P256", engine::KeySpec::EcP256, "ECDSA_SHA_256",
                                  engine::SigningAlgorithm::EcdsaSha256, true},
                      SigningCase{"EC_P384", engine::KeySpec::EcP384, "ECDSA_SHA_384",
                                  engine::SigningAlgorithm::EcdsaSha384, false},
                      SigningCase{"RSA_2048", engine::KeySpec::Rsa2048, "RSA_PSS_SHA_256",
                                  engine::SigningAlgorithm::RsaPssSha256, true},
                      SigningCase{"RSA_2048", engine::KeySpec::Rsa2048, "RSA_PKCS1_SHA_256",
                                  engine::SigningAlgorithm::RsaPkcs1Sha256, true},
                      SigningCase{"EC_SM2", engine::KeySpec::EcSm2, "SM2_DSA",
                                  engine::SigningAlgorithm::Sm2Dsa, false}),
    [](const ::testing::TestParamInfo<SigningCase>& info) {
      std::string name = info.param.algorithm;
      std::erase(name, '_');
      return name;
    });

// ---- #27 GenerateMac, #28 VerifyMac ----------------------------------------------------------

TEST_F(MacOperationsTest, GenerateMacAndVerifyMac) {
  std::string id = create_key("ring", "mac", {{"KeyUsage", "GENERATE_VERIFY_MAC"}});
  for (const char* algorithm : {"HMAC_SHA_256", "HMAC_SM3"}) {
    SCOPED_TRACE(algorithm);
    json result =
        success("GenerateMac",
                {{"KeyID", id}, {"MacAlgorithm", algorithm}, {"Message", base64_encode("data")}},
                Has::Result);
    EXPECT_EQ(names_of(result), (std::set<std::string>{"Mac", "KeyID"}));
    EXPECT_EQ(result.value("KeyID", json()), id);
    std::string mac = unbase64(result.value("Mac", json()));
    EXPECT_EQ(mac.size(), 32u);

    // Deterministic for the same message, different for another.
    json same = success("GenerateMac",
                        {{"KeyringName", "ring"},
                         {"KeyName", "mac"},
                         {"MacAlgorithm", algorithm},
                         {"Message", base64_encode("data")}},
                        Has::Result, placed(Placement::Query));
    EXPECT_EQ(same["Mac"], result["Mac"]);
    json other =
        success("GenerateMac",
                {{"KeyID", id}, {"MacAlgorithm", algorithm}, {"Message", base64_encode("datA")}},
                Has::Result);
    EXPECT_NE(other["Mac"], result["Mac"]);

    auto verify = [&](const std::string& message, const std::string& mac_value) {
      json v = success("VerifyMac",
                       {{"KeyID", id},
                        {"MacAlgorithm", algorithm},
                        {"Message", base64_encode(message)},
                        {"Mac", base64_encode(mac_value)}},
                       Has::Result, placed(Placement::FormBody));
      EXPECT_EQ(names_of(v), (std::set<std::string>{"MacValid", "KeyID"}));
      EXPECT_EQ(v.value("KeyID", json()), id);
      EXPECT_TRUE(v.value("MacValid", json()).is_boolean()) << v.dump();
      return v.value("MacValid", json()) == true;
    };
    std::string tampered = mac;
    tampered[0] = static_cast<char>(tampered[0] ^ 0x80);
    EXPECT_TRUE(verify("data", mac));
    EXPECT_FALSE(verify("data", tampered));
    EXPECT_FALSE(verify("datA", mac));
    EXPECT_FALSE(verify("data", mac.substr(0, 16)));
  }
  // The algorithms give different MACs.
  json sha =
      success("GenerateMac",
              {{"KeyID", id}, {"MacAlgorithm", "HMAC_SHA_256"}, {"Message", base64_encode("x")}},
              Has::Result);
  json sm3 = success("GenerateMac",
                     {{"KeyID", id}, {"MacAlgorithm", "HMAC_SM3"}, {"Message", base64_encode("x")}},
                     Has::Result);
  EXPECT_NE(sha["Mac"], sm3["Mac"]);
}

// ---- #29 GetParametersForImport, #30 ImportKeyMaterial, #31 DeleteKeyMaterial ----------------

// TokenExpireTime's format is not published (§6): accept ISO 8601 UTC or RFC 3339 at +08:00,
// and compare to the second.
std::optional<int64_t> parse_token_time(const std::string& text) {
  static const std::regex utc("^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})Z$");
  static const std::regex cst(
      "^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(\\.\\d{1,9})?\\+08:00$");
  std::smatch m;
  int offset_hours = 0;
  if (std::regex_match(text, m, utc)) {
    offset_hours = 0;
  } else if (std::regex_match(text, m, cst)) {
    offset_hours = 8;
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{std::stoi(m[1])}, month{static_cast<unsigned>(std::stoi(m[2]))},
                     day{static_cast<unsigned>(std::stoi(m[3]))}};
  if (!ymd.ok()) return std::nullopt;
  auto t = sys_days{ymd} + hours{std::stoi(m[4]) - offset_hours} + minutes{std::stoi(m[5])} +
           seconds{std::stoi(m[6])};
  return duration_cast<seconds>(t.time_since_epoch()).count();
}

class ImportFlowTest : public OperationsTest {
 protected:
  // GetParametersForImport + wrap + ImportKeyMaterial; returns the import call's result.
  client::CallResult import_material(const std::string& id, const std::string& material,
                                     json extra = json::object()) {
    json params = success("GetParametersForImport", {{"KeyID", id}}, Has::Result);
    std::string der = unbase64(params.value("PublicKey", json()));
    auto wrapped =
        crypto::wrap_for_import(der, engine::WrappingAlgorithm::RsaesOaepSha256, material);
    EXPECT_TRUE(wrapped.has_value());
    extra["KeyID"] = id;
    extra["EncryptedKeyMaterial"] = base64_encode(wrapped.value_or(""));
    extra["ImportToken"] = params.value("ImportToken", "");
    return call("ImportKeyMaterial", extra);
  }
};

TEST_F(ImportFlowTest, GetParametersForImportImportKeyMaterialDeleteKeyMaterial) {
  TimePoint created = now();
  std::string ring_id = create_keyring("byok-ring");
  std::string id = create_key("byok-ring", "byok", {{"Origin", "External"}});
  KeyExpect expected =
      key_expect(id, "byok-ring", "byok", created, created).with_origin("External");
  expect_key(describe_key(id), KeyExpect(expected).with_state("PendingImport"));

  // #29: every field of the result.
  clock_->advance(std::chrono::seconds(1));
  TimePoint asked = now();
  json params = success("GetParametersForImport",
                        {{"KeyringName", "byok-ring"},
                         {"KeyName", "byok"},
                         {"WrappingKeySpec", "RSA_2048"},
                         {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"}},
                        Has::Result);
  EXPECT_EQ(names_of(params), (std::set<std::string>{"KeyID", "KeyringID", "PublicKey",
                                                     "ImportToken", "TokenExpireTime"}));
  EXPECT_EQ(params.value("KeyID", json()), id);
  EXPECT_EQ(params.value("KeyringID", json()), ring_id);
  std::string der = unbase64(params.value("PublicKey", json()));
  ASSERT_FALSE(der.empty());
  EXPECT_TRUE(is_base64(params.value("ImportToken", json())));
  ASSERT_TRUE(params.value("TokenExpireTime", json()).is_string());
  auto expires = parse_token_time(params["TokenExpireTime"].get<std::string>());
  ASSERT_TRUE(expires.has_value()) << params["TokenExpireTime"];
  EXPECT_EQ(*expires, seconds_of(asked + std::chrono::hours(24))) << "24 h token lifetime [INF]";

  // #30: 32 random bytes wrapped to the public key.
  const std::string material = random_bytes(32);
  auto wrapped = crypto::wrap_for_import(der, engine::WrappingAlgorithm::RsaesOaepSha256, material);
  ASSERT_TRUE(wrapped.has_value());
  clock_->advance(std::chrono::seconds(1));
  TimePoint imported = now();
  success("ImportKeyMaterial",
          {{"KeyID", id},
           {"EncryptedKeyMaterial", base64_encode(*wrapped)},
           {"ImportToken", params["ImportToken"]},
           {"ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE"}},
          Has::NoResult);
  expected.updated = imported;
  expect_key(describe_key(id), expected);
  std::string blob = encrypt(id, "under imported material");
  EXPECT_EQ(decrypt(blob), "under imported material");

  // One material per key for life: different bytes are refused and change nothing.
  expect_error(import_material(id, random_bytes(32)), 400, "InvalidParameter");
  expect_key(describe_key(id), expected);
  EXPECT_EQ(decrypt(blob), "under imported material");
  // The same bytes again are accepted (GET), state unchanged.
  {
    json p =
        success("GetParametersForImport", {{"KeyID", id}}, Has::Result, placed(Placement::Query));
    auto again = crypto::wrap_for_import(unbase64(p.value("PublicKey", json())),
                                         engine::WrappingAlgorithm::RsaesOaepSha256, material);
    ASSERT_TRUE(again.has_value());
    success("ImportKeyMaterial",
            {{"KeyID", id},
             {"EncryptedKeyMaterial", base64_encode(*again)},
             {"ImportToken", p["ImportToken"]}},
            Has::NoResult, placed(Placement::Query));
    EXPECT_EQ(describe_key(id).value("KeyState", json()), "Enable");
  }

  // #31: the key waits for material again.
  clock_->advance(std::chrono::seconds(1));
  TimePoint deleted = now();
  success("DeleteKeyMaterial", {{"KeyringName", "byok-ring"}, {"KeyName", "byok"}}, Has::NoResult,
          placed(Placement::FormBody));
  expected.updated = deleted;
  expect_key(describe_key(id), KeyExpect(expected).with_state("PendingImport"));
  expect_error(call("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("x")}}), 400,
               "InvalidKeyStatus",
               "Current key status: PendingImport does not allow to perform this action");
  expect_error(call("Decrypt", {{"CiphertextBlob", blob}}), 400, "InvalidKeyStatus");

  // Re-importing the same bytes restores the key and its old ciphertexts.
  auto restored = import_material(id, material);
  check_success(restored, "ImportKeyMaterial", Has::NoResult, kRegion);
  EXPECT_EQ(describe_key(id).value("KeyState", json()), "Enable");
  EXPECT_EQ(decrypt(blob), "under imported material");
}

// EC_SM2 wrapping keys are for HSM keys only [TF]; the refusal code is InvalidParameter [INF].
TEST_F(ImportFlowTest, Sm2WrappingKeySpecIsRefusedForASoftwareKey) {
  const json sm2{{"WrappingKeySpec", "EC_SM2"}, {"WrappingAlgorithm", "SM2PKE"}};
  std::string software = create_key("byok-ring", "soft", {{"Origin", "External"}});
  EXPECT_EQ(describe_key(software).value("ProtectionLevel", json()), "SOFTWARE");
  json params = sm2;
  params["KeyID"] = software;
  expect_error(
      call("GetParametersForImport", params), 400, "InvalidParameter",
      volcengine::format_message(volcengine::ErrorCode::InvalidParameter, {"WrappingKeySpec"}));
  // Refused before any token was issued: the key still waits for material, and RSA wrapping
  // works for it.
  EXPECT_EQ(describe_key(software).value("KeyState", json()), "PendingImport");
  check_success(import_material(software, random_bytes(32)), "ImportKeyMaterial", Has::NoResult,
                kRegion);

  // An HSM key gets an SM2 wrapping key, and material wrapped to it imports.
  std::string hsm =
      create_key("byok-ring", "hsm", {{"Origin", "External"}, {"ProtectionLevel", "HSM"}});
  params["KeyID"] = hsm;
  json granted = success("GetParametersForImport", params, Has::Result);
  auto wrapped = crypto::wrap_for_import(unbase64(granted.value("PublicKey", json())),
                                         engine::WrappingAlgorithm::Sm2Pke, random_bytes(32));
  ASSERT_TRUE(wrapped.has_value());
  success("ImportKeyMaterial",
          {{"KeyID", hsm},
           {"EncryptedKeyMaterial", base64_encode(*wrapped)},
           {"ImportToken", granted["ImportToken"]}},
          Has::NoResult);
  EXPECT_EQ(describe_key(hsm).value("KeyState", json()), "Enable");
}

TEST_F(ImportFlowTest, ExpiringMaterialShowsItsExpiryAndLapses) {
  TimePoint created = now();
  std::string id = create_key("ring", "expiring", {{"Origin", "External"}});
  int64_t valid_to = seconds_of(now()) + 3600;
  auto r = import_material(id, random_bytes(32),
                           {{"ExpirationModel", "KEY_MATERIAL_EXPIRES"}, {"ValidTo", valid_to}});
  check_success(r, "ImportKeyMaterial", Has::NoResult, kRegion);
  TimePoint expiry{std::chrono::seconds(valid_to)};
  expect_key(describe_key(id), key_expect(id, "ring", "expiring", created, created)
                                   .with_origin("External")
                                   .with_material_expires(expiry));
  EXPECT_EQ(describe_key(id).value("KeyMaterialExpireTime", json()), rfc3339_beijing(expiry));
  std::string blob = encrypt(id, "short-lived");

  clock_->advance(std::chrono::seconds(3601));
  json key = describe_key(id);
  EXPECT_EQ(key.value("KeyState", json()), "PendingImport");
  EXPECT_EQ(key.count("KeyMaterialExpireTime"), 0u);
  expect_error(call("Decrypt", {{"CiphertextBlob", blob}}), 400, "InvalidKeyStatus");
}

}  // namespace
}  // namespace kmsconf::testing
