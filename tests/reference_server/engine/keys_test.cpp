// Key creation (every spec × usage), selectors, metadata updates and manual versions.
#include <set>
#include <utility>

#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using KeyTest = EngineTest;

constexpr KeySpec kAllSpecs[] = {
    KeySpec::Aes256, KeySpec::Aes128,  KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096,
    KeySpec::EcP256, KeySpec::EcP256K, KeySpec::EcP384,  KeySpec::EcP521,  KeySpec::EcSm2};
constexpr KeyUsage kAllUsages[] = {KeyUsage::EncryptDecrypt, KeyUsage::SignVerify,
                                   KeyUsage::GenerateVerifyMac};

// Spec §4.3: which usages each spec allows.
bool allowed(KeySpec spec, KeyUsage usage) {
  switch (usage) {
    case KeyUsage::EncryptDecrypt:
      return spec == KeySpec::Aes256 || spec == KeySpec::Aes128 || is_rsa(spec) ||
             spec == KeySpec::EcSm2;
    case KeyUsage::SignVerify:
      return is_rsa(spec) || is_ec(spec);
    case KeyUsage::GenerateVerifyMac:
      return spec == KeySpec::Aes256;
  }
  return false;
}

TEST_F(KeyTest, EverySpecAndUsage) {
  int created = 0;
  for (KeySpec spec : kAllSpecs) {
    for (KeyUsage usage : kAllUsages) {
      SCOPED_TRACE(::testing::Message()
                   << "spec " << static_cast<int>(spec) << " usage " << static_cast<int>(usage));
      CreateKeyRequest request;
      request.spec = spec;
      request.usage = usage;
      if (!allowed(spec, usage)) {
        EngineError e =
            expect_engine_error(ErrorKind::InvalidParameter, [&] { create_key(request); });
        EXPECT_EQ(e.field(), Field::KeyUsage);
        continue;
      }
      KeyInfo key = create_key(request);
      ++created;
      EXPECT_EQ(key.spec, spec);
      EXPECT_EQ(key.usage, usage);
      EXPECT_EQ(key.state, KeyState::Enabled);
      EXPECT_EQ(key.origin, Origin::Kms);
      ASSERT_EQ(key.versions.size(), 1u);
      EXPECT_EQ(key.versions[0].number, 1);
      EXPECT_FALSE(key.rotation.enabled);
      // The material is real: the key does what its usage says.
      if (usage == KeyUsage::SignVerify) {
        EXPECT_FALSE(engine_->get_public_key(scope_, id_of(key)).der.empty());
      } else if (usage == KeyUsage::GenerateVerifyMac) {
        EXPECT_EQ(
            engine_->generate_mac(scope_, id_of(key), MacAlgorithm::HmacSha256, "m").value.size(),
            32u);
      } else if (is_symmetric(spec)) {
        auto sealed = engine_->encrypt(scope_, id_of(key), "hello", {});
        EXPECT_EQ(engine_->decrypt(scope_, sealed.ciphertext_blob, {}).plaintext, "hello");
      } else {
        EXPECT_FALSE(engine_->get_public_key(scope_, id_of(key)).pem.empty());
      }
    }
  }
  EXPECT_EQ(created, 2 + 1 + 3 * 2 + 4 + 2);
  EXPECT_EQ(engine_->list_keys(scope_, std::nullopt).size(), static_cast<size_t>(created));
}

TEST_F(KeyTest, CreationRecordsRequestFields) {
  clock_->advance(5s);
  CreateKeyRequest request;
  request.description = "d";
  request.creator = "alice";
  request.protection = ProtectionLevel::Hsm;
  request.tags = {{"env", "prod"}};
  request.deletion_protection = true;
  request.deletion_protection_description = "keep";
  request.policy = R"({"Version":"1"})";
  KeyInfo key = create_key(request);
  EXPECT_EQ(key.description, "d");
  EXPECT_EQ(key.creator, "alice");
  EXPECT_EQ(key.protection, ProtectionLevel::Hsm);
  EXPECT_EQ(key.tags, request.tags);
  EXPECT_TRUE(key.deletion_protection);
  EXPECT_EQ(key.deletion_protection_description, "keep");
  EXPECT_EQ(key.policy, request.policy);
  EXPECT_EQ(key.created, start_time() + 5s);
  EXPECT_EQ(key.updated, key.created);
  EXPECT_EQ(key.account_id, kAccount);
  EXPECT_EQ(key.region, "r1");
  EXPECT_EQ(key.multi_region.role, MultiRegionRole::None);
  EXPECT_EQ(key.id.size(), 36u);
  EXPECT_EQ(symmetric_key().creator, kAccount) << "creator defaults to the account";
}

TEST_F(KeyTest, ExternalOriginStartsPendingImport) {
  CreateKeyRequest request;
  request.origin = Origin::External;
  KeyInfo key = create_key(request);
  EXPECT_EQ(key.state, KeyState::PendingImport);
  EXPECT_EQ(key.origin, Origin::External);
  ASSERT_EQ(key.versions.size(), 1u) << "the version id is reserved for the material";
  EngineError e = expect_engine_error(ErrorKind::InvalidKeyState,
                                      [&] { engine_->encrypt(scope_, id_of(key), "x", {}); });
  EXPECT_EQ(e.state(), KeyState::PendingImport);

  request.origin = Origin::ExternalKeyStore;
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidParameter, [&] { create_key(request); }).field(),
            Field::Origin);
}

TEST_F(KeyTest, RotationIntervalOnlyForSymmetricKmsKeys) {
  auto rejected = [&](CreateKeyRequest request) {
    request.rotation_interval = 90 * kDay;
    EngineError e = expect_engine_error(ErrorKind::InvalidParameter, [&] { create_key(request); });
    EXPECT_EQ(e.field(), Field::RotationInterval);
  };
  CreateKeyRequest rsa;
  rsa.spec = KeySpec::Rsa2048;
  rejected(rsa);
  CreateKeyRequest ec;
  ec.spec = KeySpec::EcP256;
  ec.usage = KeyUsage::SignVerify;
  rejected(ec);
  CreateKeyRequest mac;
  mac.usage = KeyUsage::GenerateVerifyMac;
  rejected(mac);
  CreateKeyRequest external;
  external.origin = Origin::External;
  rejected(external);
  EXPECT_TRUE(engine_->list_keys(scope_, std::nullopt).empty()) << "nothing half-created";

  KeyInfo key = symmetric_key(90 * kDay);
  EXPECT_TRUE(key.rotation.enabled);
  EXPECT_FALSE(key.rotation.suspended);
  EXPECT_EQ(key.rotation.interval, 90 * kDay);
  EXPECT_EQ(key.rotation.next, start_time() + 90 * kDay);
  EXPECT_FALSE(key.rotation.last.has_value());
}

TEST_F(KeyTest, Selectors) {
  engine_->create_keyring(scope_, {"ring", "CustomKeyring", "", "default"});
  CreateKeyRequest request;
  request.keyring_name = "ring";
  request.name = "named";
  KeyInfo key = create_key(request);

  EXPECT_EQ(engine_->describe_key(scope_, KeySelector::by_id(key.id)).id, key.id);
  EXPECT_EQ(engine_->describe_key(scope_, KeySelector::by_name("ring", "named")).id, key.id);

  EngineError missing_id = expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->describe_key(scope_, KeySelector::by_id("00000000-0000-4000-8000-000000000000"));
  });
  EXPECT_EQ(missing_id.subject(), "key");
  EXPECT_EQ(missing_id.detail(), "00000000-0000-4000-8000-000000000000");

  EngineError missing_name = expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->describe_key(scope_, KeySelector::by_name("ring", "x"));
  });
  EXPECT_EQ(missing_name.subject(), "key");
  EXPECT_EQ(missing_name.detail(), "x");

  EngineError missing_ring = expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->describe_key(scope_, KeySelector::by_name("nope", "named"));
  });
  EXPECT_EQ(missing_ring.subject(), "keyring");

  EngineError missing_alias = expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->describe_key(scope_, KeySelector::by_alias("alias/x"));
  });
  EXPECT_EQ(missing_alias.subject(), "alias");
  EXPECT_EQ(missing_alias.detail(), "alias/x");

  EngineError empty = expect_engine_error(ErrorKind::InvalidParameter,
                                          [&] { engine_->describe_key(scope_, KeySelector{}); });
  EXPECT_EQ(empty.field(), Field::KeyName);

  // Keys are regional: the same id in another region is unknown.
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->describe_key(in("r2"), id_of(key)); });
}

TEST_F(KeyTest, NamesAreUniquePerKeyring) {
  engine_->create_keyring(scope_, {"ring", "CustomKeyring", "", "default"});
  CreateKeyRequest request;
  request.keyring_name = "ring";
  request.name = "k";
  KeyInfo first = create_key(request);
  EngineError e = expect_engine_error(ErrorKind::Conflict, [&] { create_key(request); });
  EXPECT_EQ(e.subject(), "key");
  EXPECT_EQ(e.detail(), "k");

  request.name = "other";
  KeyInfo second = create_key(request);
  KeyUpdate rename;
  rename.new_name = "k";
  expect_engine_error(ErrorKind::Conflict,
                      [&] { engine_->update_key(scope_, id_of(second), rename); });
  rename.new_name = "renamed";
  rename.description = "new description";
  clock_->advance(1s);
  engine_->update_key(scope_, id_of(second), rename);
  KeyInfo updated = describe(second);
  EXPECT_EQ(updated.name, "renamed");
  EXPECT_EQ(updated.description, "new description");
  EXPECT_EQ(updated.updated, start_time() + 1s);
  EXPECT_EQ(engine_->describe_key(scope_, KeySelector::by_name("ring", "renamed")).id, second.id);
  (void)first;
}

TEST_F(KeyTest, ManualVersions) {
  KeyInfo key = symmetric_key();
  auto old_blob = engine_->encrypt(scope_, id_of(key), "v1", {}).ciphertext_blob;
  clock_->advance(1s);
  KeyVersionInfo v2 = engine_->create_key_version(scope_, id_of(key));
  EXPECT_EQ(v2.number, 2);
  EXPECT_EQ(v2.created, start_time() + 1s);
  KeyInfo now = describe(key);
  ASSERT_EQ(now.versions.size(), 2u);
  EXPECT_EQ(now.versions.back().id, v2.id);
  EXPECT_EQ(engine_->encrypt(scope_, id_of(key), "v2", {}).version_id, v2.id);
  EXPECT_EQ(engine_->decrypt(scope_, old_blob, {}).version_id, now.versions.front().id);

  std::set<std::string> ids;
  for (const auto& v : now.versions) ids.insert(v.id);
  EXPECT_EQ(ids.size(), 2u);

  CreateKeyRequest external;
  external.origin = Origin::External;
  KeyInfo imported = create_key(external);
  // The test policy rejects CreateVersion while PendingImport (Enabled imported keys: see
  // import_test.cpp).
  expect_engine_error(ErrorKind::InvalidKeyState,
                      [&] { engine_->create_key_version(scope_, id_of(imported)); });
}

TEST_F(KeyTest, VersionLimit) {
  make_engine(layout(), [](EngineOptions& o) { o.max_versions_per_key = 2; });
  KeyInfo key = symmetric_key();
  engine_->create_key_version(scope_, id_of(key));
  EngineError e = expect_engine_error(ErrorKind::LimitExceeded,
                                      [&] { engine_->create_key_version(scope_, id_of(key)); });
  EXPECT_EQ(e.subject(), "versions");
  EXPECT_EQ(describe(key).versions.size(), 2u);
}

}  // namespace
}  // namespace kmsconf::engine::testing
