// Symmetric cryptography under both ciphertext layouts: context binding, tampering, data keys,
// re-encryption, and the two mutation hooks.
#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using SymmetricTest = LayoutTest;
KMSCONF_BOTH_LAYOUTS(SymmetricTest);

constexpr size_t kIv = 12;
constexpr size_t kTag = 16;

size_t header_size(CiphertextLayout layout) {
  return layout == CiphertextLayout::KeyIdAndVersionNumber ? 16 + 2 : 36;
}

std::string uuid_bytes_hex(const std::string& uuid) {
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex.push_back(c);
  }
  return hex;
}

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

TEST_P(SymmetricTest, RoundTripAndBlobLayout) {
  KeyInfo key = symmetric_key();
  auto sealed = engine_->encrypt(scope_, id_of(key), "hello world", {});
  EXPECT_EQ(sealed.key.id, key.id);
  EXPECT_EQ(sealed.version_id, key.versions[0].id);
  const std::string& blob = sealed.ciphertext_blob;
  ASSERT_EQ(blob.size(), header_size(GetParam()) + kIv + 11 + kTag);
  if (GetParam() == CiphertextLayout::KeyIdAndVersionNumber) {
    EXPECT_EQ(to_hex(blob.substr(0, 16)), uuid_bytes_hex(key.id)) << "spec §4.10: key id first";
    EXPECT_EQ(blob.substr(16, 2), std::string("\x00\x01", 2)) << "then the version, big-endian";
  } else {
    EXPECT_EQ(blob.substr(0, 36), key.versions[0].id);
  }
  auto opened = engine_->decrypt(scope_, blob, {});
  EXPECT_EQ(opened.plaintext, "hello world");
  EXPECT_EQ(opened.key.id, key.id);
  EXPECT_EQ(opened.version_id, key.versions[0].id);

  // Fresh IV per call: the same plaintext seals differently.
  EXPECT_NE(engine_->encrypt(scope_, id_of(key), "hello world", {}).ciphertext_blob, blob);

  // Binary plaintext, including NUL bytes, survives.
  std::string binary("\x00\x01\xff\x00", 4);
  EXPECT_EQ(
      engine_->decrypt(scope_, engine_->encrypt(scope_, id_of(key), binary, {}).ciphertext_blob, {})
          .plaintext,
      binary);
}

TEST_P(SymmetricTest, Aes128KeysWorkToo) {
  KeyInfo key = key_of(KeySpec::Aes128, KeyUsage::EncryptDecrypt);
  auto sealed = engine_->encrypt(scope_, id_of(key), "short key", {{"k", "v"}});
  EXPECT_EQ(engine_->decrypt(scope_, sealed.ciphertext_blob, {{"k", "v"}}).plaintext, "short key");
}

TEST_P(SymmetricTest, EmptyPlaintextIsInvalid) {
  KeyInfo key = symmetric_key();
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidParameter,
                                [&] { engine_->encrypt(scope_, id_of(key), "", {}); })
                .field(),
            Field::Plaintext);
}

TEST_P(SymmetricTest, EncryptionContextIsBoundAndOrderInsensitive) {
  KeyInfo key = symmetric_key();
  EncryptionContext context;
  context["user"] = "alice";
  context["path"] = "path/to/alice";
  std::string blob = engine_->encrypt(scope_, id_of(key), "secret", context).ciphertext_blob;

  EncryptionContext reordered;
  reordered["path"] = "path/to/alice";
  reordered["user"] = "alice";
  EXPECT_EQ(engine_->decrypt(scope_, blob, reordered).plaintext, "secret");

  for (const EncryptionContext& wrong : {
           EncryptionContext{},
           EncryptionContext{{"user", "alice"}},
           EncryptionContext{{"user", "bob"}, {"path", "path/to/alice"}},
           EncryptionContext{{"user", "alice"}, {"path", "path/to/alice"}, {"x", ""}},
           EncryptionContext{{"User", "alice"}, {"path", "path/to/alice"}},
       }) {
    expect_engine_error(ErrorKind::InvalidCiphertext,
                        [&] { engine_->decrypt(scope_, blob, wrong); });
  }

  // The binding is unambiguous: moving characters between name and value is another context.
  std::string ab = engine_->encrypt(scope_, id_of(key), "x", {{"a", "bc"}}).ciphertext_blob;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->decrypt(scope_, ab, {{"ab", "c"}});
  });
  std::string two =
      engine_->encrypt(scope_, id_of(key), "x", {{"a", "b"}, {"c", "d"}}).ciphertext_blob;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->decrypt(scope_, two, {{"a", "b1:c1:d"}});
  });

  // No context at encryption means none at decryption.
  std::string bare = engine_->encrypt(scope_, id_of(key), "x", {}).ciphertext_blob;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->decrypt(scope_, bare, {{"a", "b"}});
  });
}

TEST_P(SymmetricTest, TamperedAndTruncatedBlobs) {
  KeyInfo key = symmetric_key();
  std::string blob = engine_->encrypt(scope_, id_of(key), "payload", {}).ciphertext_blob;
  size_t header = header_size(GetParam());

  // Any flipped bit after the header fails authentication: IV, ciphertext, tag.
  for (size_t pos : {header, header + kIv, blob.size() - 1}) {
    std::string tampered = blob;
    tampered[pos] = static_cast<char>(tampered[pos] ^ 0x01);
    EngineError e = expect_engine_error(ErrorKind::InvalidCiphertext,
                                        [&] { engine_->decrypt(scope_, tampered, {}); });
    EXPECT_EQ(e.subject(), "authentication") << pos;
  }

  // Truncation: still long enough to parse (authentication fails), or too short to parse.
  for (size_t length : {blob.size() - 1, header + kIv + kTag, header + kIv + kTag - 1, header,
                        size_t{5}, size_t{0}}) {
    expect_engine_error(ErrorKind::InvalidCiphertext,
                        [&] { engine_->decrypt(scope_, blob.substr(0, length), {}); });
  }

  // Extra bytes appended are not ignored.
  expect_engine_error(ErrorKind::InvalidCiphertext,
                      [&] { engine_->decrypt(scope_, blob + "x", {}); });
  // Random bytes of a plausible size name no key.
  std::string noise(blob.size(), 'Z');
  EngineError noise_error = [&] {
    try {
      engine_->decrypt(scope_, noise, {});
    } catch (const EngineError& e) {
      return e;
    }
    ADD_FAILURE() << "noise decrypted";
    return EngineError(ErrorKind::Internal, "");
  }();
  EXPECT_TRUE(noise_error.kind() == ErrorKind::NotFound ||
              noise_error.kind() == ErrorKind::InvalidCiphertext)
      << noise_error.what();
}

TEST_P(SymmetricTest, BlobNamingAnUnknownVersionIsInvalid) {
  KeyInfo key = symmetric_key();
  std::string blob = engine_->encrypt(scope_, id_of(key), "payload", {}).ciphertext_blob;
  if (GetParam() == CiphertextLayout::KeyIdAndVersionNumber) {
    std::string other_version = blob;
    other_version[17] = 9;  // version 9 of a key with one version
    EXPECT_EQ(expect_engine_error(ErrorKind::InvalidCiphertext,
                                  [&] { engine_->decrypt(scope_, other_version, {}); })
                  .subject(),
              "version");
  } else {
    std::string other_version = blob;
    other_version.replace(0, 36, "00000000-0000-4000-8000-000000000000");
    expect_engine_error(ErrorKind::NotFound, [&] { engine_->decrypt(scope_, other_version, {}); });
  }
}

TEST_P(SymmetricTest, WrongKeyKinds) {
  KeyInfo rsa = key_of(KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->encrypt(scope_, id_of(rsa), "x", {}); });
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->generate_data_key(scope_, id_of(rsa), 32, {}); });
  KeyInfo mac = key_of(KeySpec::Aes256, KeyUsage::GenerateVerifyMac);
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->encrypt(scope_, id_of(mac), "x", {}); });
}

TEST_P(SymmetricTest, GenerateDataKey) {
  KeyInfo key = symmetric_key();
  for (size_t bytes : {size_t{0}, size_t{1025}, size_t{1} << 20}) {
    EngineError e = expect_engine_error(ErrorKind::InvalidParameter, [&] {
      engine_->generate_data_key(scope_, id_of(key), bytes, {});
    });
    EXPECT_EQ(e.field(), Field::NumberOfBytes) << bytes;
  }
  for (size_t bytes : {size_t{1}, size_t{32}, size_t{1024}}) {
    DataKey data_key = engine_->generate_data_key(scope_, id_of(key), bytes, {{"purpose", "dk"}});
    EXPECT_EQ(data_key.plaintext.size(), bytes);
    EXPECT_EQ(data_key.key.id, key.id);
    EXPECT_EQ(data_key.version_id, key.versions[0].id);
    EXPECT_EQ(data_key.ciphertext_blob.size(), header_size(GetParam()) + kIv + bytes + kTag);
    EXPECT_EQ(engine_->decrypt(scope_, data_key.ciphertext_blob, {{"purpose", "dk"}}).plaintext,
              data_key.plaintext);
    expect_engine_error(ErrorKind::InvalidCiphertext,
                        [&] { engine_->decrypt(scope_, data_key.ciphertext_blob, {}); });
  }
  EXPECT_NE(engine_->generate_data_key(scope_, id_of(key), 32, {}).plaintext,
            engine_->generate_data_key(scope_, id_of(key), 32, {}).plaintext);
}

TEST_P(SymmetricTest, ReEncryptAcrossKeys) {
  KeyInfo source = symmetric_key();
  KeyInfo destination = symmetric_key();
  std::string blob =
      engine_->encrypt(scope_, id_of(source), "moving", {{"from", "a"}}).ciphertext_blob;

  ReEncryptResult moved =
      engine_->re_encrypt(scope_, blob, {{"from", "a"}}, id_of(destination), {{"to", "b"}});
  EXPECT_EQ(moved.source_key.id, source.id);
  EXPECT_EQ(moved.source_version_id, source.versions[0].id);
  EXPECT_EQ(moved.destination_key.id, destination.id);
  EXPECT_EQ(moved.destination_version_id, destination.versions[0].id);
  DecryptResult opened = engine_->decrypt(scope_, moved.ciphertext_blob, {{"to", "b"}});
  EXPECT_EQ(opened.plaintext, "moving");
  EXPECT_EQ(opened.key.id, destination.id);
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->decrypt(scope_, moved.ciphertext_blob, {{"from", "a"}});
  });

  // The source context must match; the destination must be able to encrypt.
  expect_engine_error(ErrorKind::InvalidCiphertext,
                      [&] { engine_->re_encrypt(scope_, blob, {}, id_of(destination), {}); });
  engine_->disable_key(scope_, id_of(destination));
  EngineError e = expect_engine_error(ErrorKind::InvalidKeyState, [&] {
    engine_->re_encrypt(scope_, blob, {{"from", "a"}}, id_of(destination), {});
  });
  EXPECT_EQ(e.state(), KeyState::Disabled);
  engine_->enable_key(scope_, id_of(destination));

  // An archived source may still be re-encrypted away from (decrypt-only).
  engine_->archive_key(scope_, id_of(source));
  EXPECT_NO_THROW(engine_->re_encrypt(scope_, blob, {{"from", "a"}}, id_of(destination), {}));
  // Re-encrypting onto the same key rotates the blob onto its newest version.
  engine_->cancel_archive_key(scope_, id_of(source));
  KeyVersionInfo v2 = engine_->create_key_version(scope_, id_of(source));
  ReEncryptResult same = engine_->re_encrypt(scope_, blob, {{"from", "a"}}, id_of(source), {});
  EXPECT_EQ(same.source_version_id, source.versions[0].id);
  EXPECT_EQ(same.destination_version_id, v2.id);
}

TEST_P(SymmetricTest, BlobsDoNotCrossRegionsOrAccounts) {
  KeyInfo key = symmetric_key();
  std::string blob = engine_->encrypt(scope_, id_of(key), "local", {}).ciphertext_blob;
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->decrypt(in("r2"), blob, {}); });
  expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->decrypt(Scope{"other-account", "r1"}, blob, {});
  });
}

// --- Mutation hooks --------------------------------------------------------------------------

TEST_P(SymmetricTest, MutationIgnoreEncryptionContext) {
  KeyInfo key = symmetric_key();
  std::string bound = engine_->encrypt(scope_, id_of(key), "ctx", {{"a", "b"}}).ciphertext_blob;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->decrypt(scope_, bound, {{"a", "c"}});
  });

  engine_->set_mutation("ignore-encryption-context");
  std::string loose = engine_->encrypt(scope_, id_of(key), "ctx", {{"a", "b"}}).ciphertext_blob;
  // Exactly the named behaviour: a mismatched (or missing) context now decrypts...
  EXPECT_EQ(engine_->decrypt(scope_, loose, {{"a", "c"}}).plaintext, "ctx");
  EXPECT_EQ(engine_->decrypt(scope_, loose, {}).plaintext, "ctx");
  // ...while everything else still holds: tampering is caught, round trips work, and
  // cancelling a deletion still restores Enabled.
  std::string tampered = loose;
  tampered.back() = static_cast<char>(tampered.back() ^ 0x01);
  expect_engine_error(ErrorKind::InvalidCiphertext,
                      [&] { engine_->decrypt(scope_, tampered, {}); });
  DataKey dk = engine_->generate_data_key(scope_, id_of(key), 16, {});
  EXPECT_EQ(engine_->decrypt(scope_, dk.ciphertext_blob, {}).plaintext, dk.plaintext);
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  engine_->cancel_key_deletion(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Enabled);

  // Clearing the hook restores the binding.
  engine_->set_mutation("");
  std::string rebound = engine_->encrypt(scope_, id_of(key), "ctx", {{"a", "b"}}).ciphertext_blob;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] {
    engine_->decrypt(scope_, rebound, {{"a", "c"}});
  });
  EXPECT_EQ(engine_->decrypt(scope_, rebound, {{"a", "b"}}).plaintext, "ctx");
}

TEST_P(SymmetricTest, MutationCancelDeletionDisables) {
  KeyInfo key = symmetric_key();
  engine_->set_mutation("cancel-deletion-disables");
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  engine_->cancel_key_deletion(scope_, id_of(key));
  KeyInfo restored = describe(key);
  // Exactly the named behaviour: the AWS-style restore to Disabled...
  EXPECT_EQ(restored.state, KeyState::Disabled);
  EXPECT_FALSE(restored.delete_at.has_value());
  // ...while everything else still holds: contexts bind, and other transitions are unchanged.
  engine_->enable_key(scope_, id_of(key));
  std::string blob = engine_->encrypt(scope_, id_of(key), "x", {{"a", "b"}}).ciphertext_blob;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] { engine_->decrypt(scope_, blob, {}); });
  engine_->archive_key(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Archived);
  engine_->cancel_archive_key(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Enabled);

  engine_->set_mutation("");
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  engine_->cancel_key_deletion(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Enabled);
}

TEST_P(SymmetricTest, UnknownMutationChangesNothing) {
  KeyInfo key = symmetric_key();
  engine_->set_mutation("no-such-mutation");
  std::string blob = engine_->encrypt(scope_, id_of(key), "x", {{"a", "b"}}).ciphertext_blob;
  expect_engine_error(ErrorKind::InvalidCiphertext, [&] { engine_->decrypt(scope_, blob, {}); });
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  engine_->cancel_key_deletion(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Enabled);
}

}  // namespace
}  // namespace kmsconf::engine::testing
