// Asymmetric encryption, signatures, public keys and MACs through the engine: happy paths, usage
// and algorithm checks, and the state policy.
#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/crypto/key_pool.hpp"
#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using AsymmetricTest = EngineTest;

TEST_F(AsymmetricTest, RsaEncryptDecrypt) {
  KeyInfo key = key_of(KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
  for (EncryptionAlgorithm algorithm :
       {EncryptionAlgorithm::RsaesOaepSha256, EncryptionAlgorithm::RsaesOaepSha1}) {
    AsymmetricResult sealed =
        engine_->asymmetric_encrypt(scope_, id_of(key), algorithm, "rsa secret");
    EXPECT_EQ(sealed.value.size(), 256u);
    EXPECT_EQ(sealed.key.id, key.id);
    EXPECT_EQ(sealed.version_id, key.versions[0].id);
    AsymmetricResult opened =
        engine_->asymmetric_decrypt(scope_, id_of(key), algorithm, sealed.value);
    EXPECT_EQ(opened.value, "rsa secret");
  }
  // Decrypting with the other OAEP hash, or garbage, is an invalid ciphertext.
  std::string sealed =
      engine_->asymmetric_encrypt(scope_, id_of(key), EncryptionAlgorithm::RsaesOaepSha256, "x")
          .value;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->asymmetric_decrypt(scope_, id_of(key), EncryptionAlgorithm::RsaesOaepSha1, sealed);
  });
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->asymmetric_decrypt(scope_, id_of(key), EncryptionAlgorithm::RsaesOaepSha256,
                                std::string(256, 'x'));
  });
  EngineError misfit = expect_engine_error(ErrorKind::InvalidParameter, [&] {
    engine_->asymmetric_encrypt(scope_, id_of(key), EncryptionAlgorithm::Sm2Pke, "x");
  });
  EXPECT_EQ(misfit.field(), Field::Algorithm);
  // OAEP-SHA256 on a 2048-bit key takes at most 256 - 2*32 - 2 = 190 bytes.
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidParameter,
                                [&] {
                                  engine_->asymmetric_encrypt(scope_, id_of(key),
                                                              EncryptionAlgorithm::RsaesOaepSha256,
                                                              std::string(191, 'a'));
                                })
                .field(),
            Field::Plaintext);
}

TEST_F(AsymmetricTest, Sm2EncryptDecrypt) {
  KeyInfo key = key_of(KeySpec::EcSm2, KeyUsage::EncryptDecrypt);
  AsymmetricResult sealed =
      engine_->asymmetric_encrypt(scope_, id_of(key), EncryptionAlgorithm::Sm2Pke, "sm2 secret");
  EXPECT_EQ(
      engine_->asymmetric_decrypt(scope_, id_of(key), EncryptionAlgorithm::Sm2Pke, sealed.value)
          .value,
      "sm2 secret");
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidParameter,
                                [&] {
                                  engine_->asymmetric_encrypt(scope_, id_of(key),
                                                              EncryptionAlgorithm::RsaesOaepSha256,
                                                              "x");
                                })
                .field(),
            Field::Algorithm);
}

struct SignCase {
  KeySpec spec;
  SigningAlgorithm algorithm;
  SigningAlgorithm misfit;
};

TEST_F(AsymmetricTest, SignAndVerifyEverySpec) {
  for (const SignCase& c : {
           SignCase{KeySpec::Rsa2048, SigningAlgorithm::RsaPssSha256,
                    SigningAlgorithm::EcdsaSha256},
           SignCase{KeySpec::EcP256, SigningAlgorithm::EcdsaSha256, SigningAlgorithm::EcdsaSha384},
           SignCase{KeySpec::EcP256K, SigningAlgorithm::EcdsaSha256, SigningAlgorithm::Sm2Dsa},
           SignCase{KeySpec::EcP384, SigningAlgorithm::EcdsaSha384, SigningAlgorithm::EcdsaSha256},
           SignCase{KeySpec::EcP521, SigningAlgorithm::EcdsaSha512, SigningAlgorithm::RsaPssSha512},
           SignCase{KeySpec::EcSm2, SigningAlgorithm::Sm2Dsa, SigningAlgorithm::EcdsaSha256},
       }) {
    SCOPED_TRACE(static_cast<int>(c.spec));
    KeyInfo key = key_of(c.spec, KeyUsage::SignVerify);
    AsymmetricResult signature =
        engine_->sign(scope_, id_of(key), c.algorithm, MessageType::Raw, "message");
    EXPECT_EQ(signature.key.id, key.id);
    EXPECT_FALSE(signature.value.empty());
    KeyInfo verified_key;
    EXPECT_TRUE(engine_->verify(scope_, id_of(key), c.algorithm, MessageType::Raw, "message",
                                signature.value, &verified_key));
    EXPECT_EQ(verified_key.id, key.id);
    EXPECT_FALSE(engine_->verify(scope_, id_of(key), c.algorithm, MessageType::Raw, "messagE",
                                 signature.value));
    EXPECT_FALSE(engine_->verify(scope_, id_of(key), c.algorithm, MessageType::Raw, "message",
                                 "not a signature"));

    // The public key verifies it outside the engine.
    PublicKeyResult public_key = engine_->get_public_key(scope_, id_of(key));
    EXPECT_EQ(public_key.pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
    EXPECT_TRUE(crypto::verify_with_public_key(public_key.der, c.spec, c.algorithm,
                                               MessageType::Raw, "message", signature.value));

    EngineError misfit = expect_engine_error(ErrorKind::InvalidParameter, [&] {
      engine_->sign(scope_, id_of(key), c.misfit, MessageType::Raw, "message");
    });
    EXPECT_EQ(misfit.field(), Field::Algorithm);
    expect_engine_error(ErrorKind::InvalidParameter, [&] {
      engine_->verify(scope_, id_of(key), c.misfit, MessageType::Raw, "message", signature.value);
    });
  }
}

TEST_F(AsymmetricTest, RsaSignatureSchemesAndDigests) {
  KeyInfo key = key_of(KeySpec::Rsa2048, KeyUsage::SignVerify);
  for (SigningAlgorithm algorithm :
       {SigningAlgorithm::RsaPssSha256, SigningAlgorithm::RsaPssSha384,
        SigningAlgorithm::RsaPssSha512, SigningAlgorithm::RsaPkcs1Sha256,
        SigningAlgorithm::RsaPkcs1Sha384, SigningAlgorithm::RsaPkcs1Sha512}) {
    std::string signature =
        engine_->sign(scope_, id_of(key), algorithm, MessageType::Raw, "m").value;
    EXPECT_EQ(signature.size(), 256u);
    EXPECT_TRUE(engine_->verify(scope_, id_of(key), algorithm, MessageType::Raw, "m", signature));
  }
  // A DIGEST message is the hash itself: signing sha256(m) as a digest verifies m as raw.
  std::string digest = sha256("m");
  std::string over_digest =
      engine_
          ->sign(scope_, id_of(key), SigningAlgorithm::RsaPkcs1Sha256, MessageType::Digest, digest)
          .value;
  EXPECT_TRUE(engine_->verify(scope_, id_of(key), SigningAlgorithm::RsaPkcs1Sha256,
                              MessageType::Raw, "m", over_digest));
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidParameter,
                                [&] {
                                  engine_->sign(scope_, id_of(key), SigningAlgorithm::RsaPssSha256,
                                                MessageType::Digest, "too short");
                                })
                .field(),
            Field::Message);
}

TEST_F(AsymmetricTest, WrongUsageIsInvalidOperation) {
  KeyInfo encrypt_rsa = key_of(KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
  KeyInfo sign_rsa = key_of(KeySpec::Rsa2048, KeyUsage::SignVerify);
  KeyInfo aes = symmetric_key();

  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->sign(scope_, id_of(encrypt_rsa), SigningAlgorithm::RsaPssSha256, MessageType::Raw,
                  "m");
  });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->verify(scope_, id_of(encrypt_rsa), SigningAlgorithm::RsaPssSha256, MessageType::Raw,
                    "m", "s");
  });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->asymmetric_encrypt(scope_, id_of(sign_rsa), EncryptionAlgorithm::RsaesOaepSha256, "m");
  });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->asymmetric_decrypt(scope_, id_of(sign_rsa), EncryptionAlgorithm::RsaesOaepSha256, "m");
  });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->asymmetric_encrypt(scope_, id_of(aes), EncryptionAlgorithm::RsaesOaepSha256, "m");
  });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->sign(scope_, id_of(aes), SigningAlgorithm::RsaPssSha256, MessageType::Raw, "m");
  });
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->get_public_key(scope_, id_of(aes)); });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->generate_mac(scope_, id_of(sign_rsa), MacAlgorithm::HmacSha256, "m");
  });
  // An encrypt/decrypt RSA key still publishes its public key.
  EXPECT_FALSE(engine_->get_public_key(scope_, id_of(encrypt_rsa)).der.empty());
}

TEST_F(AsymmetricTest, StatePolicyApplies) {
  KeyInfo key = key_of(KeySpec::EcP256, KeyUsage::SignVerify);
  std::string signature =
      engine_->sign(scope_, id_of(key), SigningAlgorithm::EcdsaSha256, MessageType::Raw, "m").value;
  engine_->disable_key(scope_, id_of(key));
  EngineError e = expect_engine_error(ErrorKind::InvalidKeyState, [&] {
    engine_->sign(scope_, id_of(key), SigningAlgorithm::EcdsaSha256, MessageType::Raw, "m");
  });
  EXPECT_EQ(e.state(), KeyState::Disabled);
  expect_engine_error(ErrorKind::InvalidKeyState, [&] {
    engine_->verify(scope_, id_of(key), SigningAlgorithm::EcdsaSha256, MessageType::Raw, "m",
                    signature);
  });
  expect_engine_error(ErrorKind::InvalidKeyState,
                      [&] { engine_->get_public_key(scope_, id_of(key)); });
  // The state is checked before the algorithm fits: a disabled key reports its state.
  expect_engine_error(ErrorKind::InvalidKeyState, [&] {
    engine_->sign(scope_, id_of(key), SigningAlgorithm::Sm2Dsa, MessageType::Raw, "m");
  });
}

TEST_F(AsymmetricTest, MacKeys) {
  KeyInfo key = key_of(KeySpec::Aes256, KeyUsage::GenerateVerifyMac);
  for (MacAlgorithm algorithm : {MacAlgorithm::HmacSha256, MacAlgorithm::HmacSm3}) {
    AsymmetricResult mac = engine_->generate_mac(scope_, id_of(key), algorithm, "message");
    EXPECT_EQ(mac.value.size(), 32u);
    EXPECT_EQ(mac.key.id, key.id);
    EXPECT_EQ(mac.version_id, key.versions[0].id);
    EXPECT_EQ(engine_->generate_mac(scope_, id_of(key), algorithm, "message").value, mac.value)
        << "deterministic";
    KeyInfo out;
    EXPECT_TRUE(engine_->verify_mac(scope_, id_of(key), algorithm, "message", mac.value, &out));
    EXPECT_EQ(out.id, key.id);
    EXPECT_FALSE(engine_->verify_mac(scope_, id_of(key), algorithm, "messagE", mac.value));
    std::string wrong = mac.value;
    wrong[0] = static_cast<char>(wrong[0] ^ 1);
    EXPECT_FALSE(engine_->verify_mac(scope_, id_of(key), algorithm, "message", wrong));
    EXPECT_FALSE(engine_->verify_mac(scope_, id_of(key), algorithm, "message", ""));
  }
  EXPECT_NE(engine_->generate_mac(scope_, id_of(key), MacAlgorithm::HmacSha256, "m").value,
            engine_->generate_mac(scope_, id_of(key), MacAlgorithm::HmacSm3, "m").value);

  // Two MAC keys have different secrets.
  KeyInfo other = key_of(KeySpec::Aes256, KeyUsage::GenerateVerifyMac);
  EXPECT_NE(engine_->generate_mac(scope_, id_of(key), MacAlgorithm::HmacSha256, "m").value,
            engine_->generate_mac(scope_, id_of(other), MacAlgorithm::HmacSha256, "m").value);

  // MACs need a MAC key; MAC keys do nothing else.
  KeyInfo aes = symmetric_key();
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->generate_mac(scope_, id_of(aes), MacAlgorithm::HmacSha256, "m");
  });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->verify_mac(scope_, id_of(aes), MacAlgorithm::HmacSha256, "m", "mac");
  });
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->generate_data_key(scope_, id_of(key), 32, {}); });
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->sign(scope_, id_of(key), SigningAlgorithm::RsaPssSha256, MessageType::Raw, "m");
  });

  engine_->disable_key(scope_, id_of(key));
  EXPECT_EQ(expect_engine_error(
                ErrorKind::InvalidKeyState,
                [&] { engine_->generate_mac(scope_, id_of(key), MacAlgorithm::HmacSha256, "m"); })
                .state(),
            KeyState::Disabled);
}

// With a key pool, RSA keys take pooled pairs (one each, so keys never share material) until
// the pool is used up, then generated ones; the counts say which.
TEST_F(AsymmetricTest, KeyPoolPairsGoToOneKeyEach) {
  auto pool = crypto::KeyPool::load(KMSCONF_SOURCE_DIR "/fixtures/keypool/rsa-test-keys.pem");
  const auto& pooled = pool->pairs(KeySpec::Rsa3072);
  ASSERT_GE(pooled.size(), 2u);
  make_engine(CiphertextLayout::KeyIdAndVersionNumber,
              [&](EngineOptions& options) { options.key_pool = pool; });
  KeyInfo first = key_of(KeySpec::Rsa3072, KeyUsage::SignVerify);
  KeyInfo second = key_of(KeySpec::Rsa3072, KeyUsage::EncryptDecrypt);
  std::string first_der = engine_->get_public_key(scope_, id_of(first)).der;
  std::string second_der = engine_->get_public_key(scope_, id_of(second)).der;
  EXPECT_EQ(first_der, crypto::public_key_der(*pooled[0]));
  EXPECT_EQ(second_der, crypto::public_key_der(*pooled[1]));
  key_of(KeySpec::EcP256, KeyUsage::SignVerify);  // not pooled, not counted
  EXPECT_EQ(engine_->key_material_counts().pooled, 2u);
  EXPECT_EQ(engine_->key_material_counts().generated, 0u);
}

}  // namespace
}  // namespace kmsconf::engine::testing
