// Bring your own key: import tokens, wrapped material, re-import, expiry and deletion of the
// material.
#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

class ImportTest : public EngineTest {
 protected:
  KeyInfo external_key(KeySpec spec = KeySpec::Aes256, KeyUsage usage = KeyUsage::EncryptDecrypt,
                       ProtectionLevel protection = ProtectionLevel::Software) {
    CreateKeyRequest request;
    request.origin = Origin::External;
    request.spec = spec;
    request.usage = usage;
    request.protection = protection;
    return create_key(request);
  }

  ImportParameters parameters(const KeyInfo& key,
                              WrappingAlgorithm algorithm = WrappingAlgorithm::RsaesOaepSha256) {
    WrappingKeySpec spec =
        algorithm == WrappingAlgorithm::Sm2Pke ? WrappingKeySpec::EcSm2 : WrappingKeySpec::Rsa2048;
    return engine_->get_parameters_for_import(scope_, id_of(key), spec, algorithm);
  }

  static std::string wrap(const ImportParameters& params, std::string_view material,
                          WrappingAlgorithm algorithm = WrappingAlgorithm::RsaesOaepSha256) {
    auto wrapped = crypto::wrap_for_import(params.public_key_der, algorithm, material);
    EXPECT_TRUE(wrapped.has_value());
    return wrapped.value_or("");
  }

  // Fetches fresh parameters and imports `material`.
  void import(const KeyInfo& key, std::string_view material,
              std::optional<TimePoint> expires = std::nullopt) {
    ImportParameters params = parameters(key);
    engine_->import_key_material(scope_, id_of(key),
                                 {wrap(params, material), params.import_token, expires});
  }

  EngineError import_error(const KeyInfo& key, const ImportMaterialRequest& request) {
    return expect_engine_error(ErrorKind::InvalidParameter,
                               [&] { engine_->import_key_material(scope_, id_of(key), request); });
  }

  const std::string material_ = random_bytes(32);
};

TEST_F(ImportTest, ImportEnablesTheKey) {
  KeyInfo key = external_key();
  ImportParameters params = parameters(key);
  EXPECT_EQ(params.key.id, key.id);
  EXPECT_FALSE(params.public_key_der.empty());
  EXPECT_FALSE(params.import_token.empty());
  EXPECT_EQ(params.token_expires, start_time() + std::chrono::hours(24));
  EXPECT_EQ(state_of(key), KeyState::PendingImport) << "parameters alone change nothing";

  engine_->import_key_material(scope_, id_of(key),
                               {wrap(params, material_), params.import_token, std::nullopt});
  KeyInfo imported = describe(key);
  EXPECT_EQ(imported.state, KeyState::Enabled);
  EXPECT_FALSE(imported.material_expires_at.has_value());
  ASSERT_EQ(imported.versions.size(), 1u);
  EXPECT_EQ(imported.versions[0].id, key.versions[0].id)
      << "the reserved version gets the material";

  auto sealed = engine_->encrypt(scope_, id_of(key), "byok", {});
  EXPECT_EQ(engine_->decrypt(scope_, sealed.ciphertext_blob, {}).plaintext, "byok");
}

TEST_F(ImportTest, Sm2WrappingAndSpecMismatch) {
  KeyInfo key = external_key(KeySpec::Aes256, KeyUsage::EncryptDecrypt, ProtectionLevel::Hsm);
  ImportParameters params = parameters(key, WrappingAlgorithm::Sm2Pke);
  engine_->import_key_material(
      scope_, id_of(key),
      {wrap(params, material_, WrappingAlgorithm::Sm2Pke), params.import_token, std::nullopt});
  EXPECT_EQ(state_of(key), KeyState::Enabled);

  KeyInfo other = external_key();
  EngineError e = expect_engine_error(ErrorKind::InvalidParameter, [&] {
    engine_->get_parameters_for_import(scope_, id_of(other), WrappingKeySpec::EcSm2,
                                       WrappingAlgorithm::RsaesOaepSha256);
  });
  EXPECT_EQ(e.field(), Field::WrappingSpec);
  expect_engine_error(ErrorKind::InvalidParameter, [&] {
    engine_->get_parameters_for_import(scope_, id_of(other), WrappingKeySpec::Rsa2048,
                                       WrappingAlgorithm::Sm2Pke);
  });
}

TEST_F(ImportTest, Sm2WrappingIsForHsmKeysOnly) {
  KeyInfo software = external_key();
  EngineError e = expect_engine_error(ErrorKind::InvalidParameter, [&] {
    engine_->get_parameters_for_import(scope_, id_of(software), WrappingKeySpec::EcSm2,
                                       WrappingAlgorithm::Sm2Pke);
  });
  EXPECT_EQ(e.field(), Field::WrappingSpec);
  // The refusal left no import session behind: no token is valid for the key.
  EXPECT_EQ(import_error(software, {"anything", "token", std::nullopt}).field(),
            Field::ImportToken);
  EXPECT_EQ(state_of(software), KeyState::PendingImport);
  // RSA wrapping stays available to the same key, and an HSM key gets an SM2 wrapping key.
  import(software, material_);
  EXPECT_EQ(state_of(software), KeyState::Enabled);
  KeyInfo hsm = external_key(KeySpec::Aes256, KeyUsage::EncryptDecrypt, ProtectionLevel::Hsm);
  EXPECT_FALSE(parameters(hsm, WrappingAlgorithm::Sm2Pke).public_key_der.empty());
}

TEST_F(ImportTest, TokenMismatchMissingAndExpired) {
  KeyInfo key = external_key();
  // No parameters asked for yet: no token is valid.
  EXPECT_EQ(import_error(key, {"anything", "token", std::nullopt}).field(), Field::ImportToken);

  ImportParameters params = parameters(key);
  std::string wrapped = wrap(params, material_);
  EXPECT_EQ(import_error(key, {wrapped, params.import_token + "x", std::nullopt}).field(),
            Field::ImportToken);
  EXPECT_EQ(import_error(key, {wrapped, "", std::nullopt}).field(), Field::ImportToken);

  // A token belongs to its key.
  KeyInfo other = external_key();
  parameters(other);
  EXPECT_EQ(import_error(other, {wrapped, params.import_token, std::nullopt}).field(),
            Field::ImportToken);

  // Fresh parameters replace the old token.
  ImportParameters fresh = parameters(key);
  EXPECT_NE(fresh.import_token, params.import_token);
  EXPECT_EQ(import_error(key, {wrapped, params.import_token, std::nullopt}).field(),
            Field::ImportToken);

  // The token expires after import_token_lifetime.
  clock_->advance(std::chrono::hours(24));
  EXPECT_EQ(import_error(key, {wrap(fresh, material_), fresh.import_token, std::nullopt}).field(),
            Field::ImportToken);
  EXPECT_EQ(state_of(key), KeyState::PendingImport);
}

TEST_F(ImportTest, TokenLifetimeComesFromTheOptions) {
  make_engine(layout(),
              [](EngineOptions& o) { o.import_token_lifetime = std::chrono::seconds(60); });
  KeyInfo key = external_key();
  ImportParameters params = parameters(key);
  EXPECT_EQ(params.token_expires, start_time() + 60s);
  clock_->advance(59s);
  engine_->import_key_material(scope_, id_of(key),
                               {wrap(params, material_), params.import_token, std::nullopt});
  EXPECT_EQ(state_of(key), KeyState::Enabled);

  KeyInfo late = external_key();
  ImportParameters late_params = parameters(late);
  clock_->advance(61s);
  EXPECT_EQ(
      import_error(late, {wrap(late_params, material_), late_params.import_token, std::nullopt})
          .field(),
      Field::ImportToken);
}

TEST_F(ImportTest, BadMaterial) {
  KeyInfo key = external_key();
  ImportParameters params = parameters(key);
  // Wrong length for AES-256.
  EXPECT_EQ(import_error(key, {wrap(params, random_bytes(16)), params.import_token, std::nullopt})
                .field(),
            Field::EncryptedKeyMaterial);
  EXPECT_EQ(import_error(key, {wrap(params, random_bytes(33)), params.import_token, std::nullopt})
                .field(),
            Field::EncryptedKeyMaterial);
  // Not wrapped to this wrapping key at all.
  EXPECT_EQ(import_error(key, {std::string(256, 'x'), params.import_token, std::nullopt}).field(),
            Field::EncryptedKeyMaterial);
  EXPECT_EQ(import_error(key, {"", params.import_token, std::nullopt}).field(),
            Field::EncryptedKeyMaterial);
  // A failed import leaves the token usable.
  engine_->import_key_material(scope_, id_of(key),
                               {wrap(params, material_), params.import_token, std::nullopt});
  EXPECT_EQ(state_of(key), KeyState::Enabled);
}

TEST_F(ImportTest, ReImportIdenticalOnly) {
  KeyInfo key = external_key();
  import(key, material_);
  std::string blob = engine_->encrypt(scope_, id_of(key), "before", {}).ciphertext_blob;

  // The token is single-use.
  ImportParameters params = parameters(key);
  engine_->import_key_material(scope_, id_of(key),
                               {wrap(params, material_), params.import_token, std::nullopt});
  EXPECT_EQ(import_error(key, {wrap(params, material_), params.import_token, std::nullopt}).field(),
            Field::ImportToken);

  EXPECT_NO_THROW(import(key, material_)) << "identical material: fine, any number of times";
  EXPECT_EQ(state_of(key), KeyState::Enabled);

  ImportParameters again = parameters(key);
  EngineError different =
      import_error(key, {wrap(again, random_bytes(32)), again.import_token, std::nullopt});
  EXPECT_EQ(different.field(), Field::EncryptedKeyMaterial);
  EXPECT_EQ(engine_->decrypt(scope_, blob, {}).plaintext, "before") << "material unchanged";
}

TEST_F(ImportTest, MaterialExpiry) {
  KeyInfo key = external_key();
  EXPECT_EQ(import_error(key, {"x", parameters(key).import_token, start_time()}).field(),
            Field::ValidTo)
      << "an expiry that has already passed";

  import(key, material_, start_time() + std::chrono::hours(1));
  KeyInfo imported = describe(key);
  EXPECT_EQ(imported.state, KeyState::Enabled);
  EXPECT_EQ(imported.material_expires_at, start_time() + std::chrono::hours(1));
  std::string blob = engine_->encrypt(scope_, id_of(key), "expiring", {}).ciphertext_blob;

  clock_->advance(std::chrono::hours(1) - 1s);
  EXPECT_EQ(state_of(key), KeyState::Enabled);
  clock_->advance(1s);
  KeyInfo expired = describe(key);
  EXPECT_EQ(expired.state, KeyState::PendingImport);
  EXPECT_FALSE(expired.material_expires_at.has_value());
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidKeyState,
                                [&] { engine_->encrypt(scope_, id_of(key), "x", {}); })
                .state(),
            KeyState::PendingImport);
  expect_engine_error(ErrorKind::InvalidKeyState, [&] { engine_->decrypt(scope_, blob, {}); });

  // The same material brings the key and its old ciphertexts back.
  import(key, material_);
  EXPECT_EQ(state_of(key), KeyState::Enabled);
  EXPECT_EQ(engine_->decrypt(scope_, blob, {}).plaintext, "expiring");
}

TEST_F(ImportTest, DeleteKeyMaterial) {
  KeyInfo key = external_key();
  // Nothing imported yet: the policy refuses deletion while PendingImport.
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidKeyState,
                                [&] { engine_->delete_key_material(scope_, id_of(key)); })
                .state(),
            KeyState::PendingImport);

  import(key, material_, start_time() + std::chrono::hours(5));
  std::string blob = engine_->encrypt(scope_, id_of(key), "gone", {}).ciphertext_blob;
  engine_->delete_key_material(scope_, id_of(key));
  KeyInfo deleted = describe(key);
  EXPECT_EQ(deleted.state, KeyState::PendingImport);
  EXPECT_FALSE(deleted.material_expires_at.has_value());
  expect_engine_error(ErrorKind::InvalidKeyState, [&] { engine_->decrypt(scope_, blob, {}); });

  // Disabled keys may lose their material too, and re-import restores Enabled.
  import(key, material_);
  engine_->disable_key(scope_, id_of(key));
  engine_->delete_key_material(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::PendingImport);
  import(key, material_);
  EXPECT_EQ(state_of(key), KeyState::Enabled);
  EXPECT_EQ(engine_->decrypt(scope_, blob, {}).plaintext, "gone");
}

TEST_F(ImportTest, OnlyExternalKeys) {
  KeyInfo kms = symmetric_key();
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->get_parameters_for_import(scope_, id_of(kms), WrappingKeySpec::Rsa2048,
                                       WrappingAlgorithm::RsaesOaepSha256);
  });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->import_key_material(scope_, id_of(kms), {"x", "y", std::nullopt});
  });
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->delete_key_material(scope_, id_of(kms)); });

  KeyInfo key = external_key();
  import(key, material_);
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->create_key_version(scope_, id_of(key)); });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->enable_rotation(scope_, id_of(key), std::chrono::seconds(90 * 86400));
  });
}

TEST_F(ImportTest, AsymmetricMaterial) {
  // PKCS#8 of a P-256 key pair, imported into a SIGN_VERIFY key.
  std::string pkcs8 = crypto::fingerprint(*crypto::generate(KeySpec::EcP256));
  KeyInfo key = external_key(KeySpec::EcP256, KeyUsage::SignVerify);
  import(key, pkcs8);
  EXPECT_EQ(state_of(key), KeyState::Enabled);
  std::string signature =
      engine_->sign(scope_, id_of(key), SigningAlgorithm::EcdsaSha256, MessageType::Raw, "m").value;
  EXPECT_TRUE(engine_->verify(scope_, id_of(key), SigningAlgorithm::EcdsaSha256, MessageType::Raw,
                              "m", signature));

  // A secp256k1 key does not fit a P-256 key.
  KeyInfo other = external_key(KeySpec::EcP256, KeyUsage::SignVerify);
  ImportParameters params = parameters(other);
  std::string k1 = crypto::fingerprint(*crypto::generate(KeySpec::EcP256K));
  EXPECT_EQ(import_error(other, {wrap(params, k1), params.import_token, std::nullopt}).field(),
            Field::EncryptedKeyMaterial);
}

}  // namespace
}  // namespace kmsconf::engine::testing
