// Key states, the policy's verdicts, deletion windows and automatic rotation on the clock.
#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using LifecycleTest = EngineTest;

constexpr std::chrono::seconds kInterval =
    std::chrono::duration_cast<std::chrono::seconds>(90 * kDay);

TEST_F(LifecycleTest, EnableDisableArchive) {
  KeyInfo key = symmetric_key();
  clock_->advance(1s);
  engine_->disable_key(scope_, id_of(key));
  KeyInfo disabled = describe(key);
  EXPECT_EQ(disabled.state, KeyState::Disabled);
  EXPECT_EQ(disabled.updated, start_time() + 1s);
  EXPECT_NO_THROW(engine_->disable_key(scope_, id_of(key))) << "disable is idempotent";
  EXPECT_EQ(describe(key).updated, start_time() + 1s) << "a no-op changes nothing";

  EngineError archive_disabled = expect_engine_error(
      ErrorKind::InvalidKeyState, [&] { engine_->archive_key(scope_, id_of(key)); });
  EXPECT_EQ(archive_disabled.state(), KeyState::Disabled);
  EXPECT_EQ(archive_disabled.op(), KeyOp::Archive);

  engine_->enable_key(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Enabled);
  EXPECT_NO_THROW(engine_->enable_key(scope_, id_of(key))) << "enable is idempotent";

  EngineError cancel_enabled = expect_engine_error(
      ErrorKind::InvalidKeyState, [&] { engine_->cancel_archive_key(scope_, id_of(key)); });
  EXPECT_EQ(cancel_enabled.state(), KeyState::Enabled);

  engine_->archive_key(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Archived);
  EngineError enable_archived = expect_engine_error(
      ErrorKind::InvalidKeyState, [&] { engine_->enable_key(scope_, id_of(key)); });
  EXPECT_EQ(enable_archived.state(), KeyState::Archived);
  engine_->cancel_archive_key(scope_, id_of(key));
  EXPECT_EQ(state_of(key), KeyState::Enabled);
}

TEST_F(LifecycleTest, PolicyVerdictsOnCryptography) {
  KeyInfo key = symmetric_key();
  std::string blob = engine_->encrypt(scope_, id_of(key), "secret", {}).ciphertext_blob;

  // Archived keys decrypt but do not encrypt (the policy says so, not the engine).
  engine_->archive_key(scope_, id_of(key));
  EngineError e = expect_engine_error(ErrorKind::InvalidKeyState,
                                      [&] { engine_->encrypt(scope_, id_of(key), "x", {}); });
  EXPECT_EQ(e.state(), KeyState::Archived);
  EXPECT_EQ(e.op(), KeyOp::Encrypt);
  EXPECT_EQ(engine_->decrypt(scope_, blob, {}).plaintext, "secret");
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidKeyState,
                                [&] { engine_->generate_data_key(scope_, id_of(key), 32, {}); })
                .op(),
            KeyOp::GenerateDataKey);
  engine_->cancel_archive_key(scope_, id_of(key));

  // Disabled keys do neither.
  engine_->disable_key(scope_, id_of(key));
  EXPECT_EQ(
      expect_engine_error(ErrorKind::InvalidKeyState, [&] { engine_->decrypt(scope_, blob, {}); })
          .state(),
      KeyState::Disabled);
  EXPECT_EQ(expect_engine_error(ErrorKind::InvalidKeyState,
                                [&] { engine_->encrypt(scope_, id_of(key), "x", {}); })
                .state(),
            KeyState::Disabled);
  EXPECT_NO_THROW(describe(key)) << "Describe is in no row: allowed in every state";

  // Unsupported is its own kind, carrying the state too.
  EngineError unsupported = expect_engine_error(ErrorKind::UnsupportedOperation, [&] {
    engine_->enable_rotation(scope_, id_of(key), kInterval);
  });
  EXPECT_EQ(unsupported.state(), KeyState::Disabled);
  EXPECT_EQ(unsupported.op(), KeyOp::EnableRotation);
  expect_engine_error(ErrorKind::UnsupportedOperation,
                      [&] { engine_->disable_rotation(scope_, id_of(key)); });

  // Verdicts come before kind checks: a disabled asymmetric key reports its state, not its kind.
  KeyInfo rsa = key_of(KeySpec::Rsa2048, KeyUsage::SignVerify);
  engine_->disable_key(scope_, id_of(rsa));
  expect_engine_error(ErrorKind::InvalidKeyState,
                      [&] { engine_->encrypt(scope_, id_of(rsa), "x", {}); });
}

TEST_F(LifecycleTest, PolicyTableIsWhatTheEngineApplies) {
  // The same engine code under an all-allow policy lets a disabled key encrypt.
  make_engine(layout(), [](EngineOptions& o) { o.policy = StatePolicy{}; });
  KeyInfo key = symmetric_key();
  engine_->disable_key(scope_, id_of(key));
  EXPECT_NO_THROW(engine_->encrypt(scope_, id_of(key), "x", {}));

  // And under an all-unsupported row, Enabled keys are refused as unsupported.
  constexpr Verdict U = Verdict::Unsupported;
  make_engine(layout(), [&](EngineOptions& o) {
    o.policy = StatePolicy{{KeyOp::Encrypt, {U, U, U, U, U}}};
  });
  KeyInfo other = symmetric_key();
  EngineError e = expect_engine_error(ErrorKind::UnsupportedOperation,
                                      [&] { engine_->encrypt(scope_, id_of(other), "x", {}); });
  EXPECT_EQ(e.state(), KeyState::Enabled);
}

TEST_F(LifecycleTest, DeletionWindowBounds) {
  KeyInfo key = symmetric_key();
  for (int days : {-1, 0, 6, 31, 365}) {
    EngineError e = expect_engine_error(ErrorKind::InvalidParameter, [&] {
      engine_->schedule_key_deletion(scope_, id_of(key), days);
    });
    EXPECT_EQ(e.field(), Field::PendingWindow) << days;
  }
  EXPECT_EQ(state_of(key), KeyState::Enabled);

  KeyInfo scheduled = engine_->schedule_key_deletion(scope_, id_of(key), 30);
  EXPECT_EQ(scheduled.state, KeyState::PendingDeletion);
  EXPECT_EQ(scheduled.delete_at, start_time() + 30 * kDay);
  engine_->cancel_key_deletion(scope_, id_of(key));

  scheduled = engine_->schedule_key_deletion(scope_, id_of(key), 7);
  EXPECT_EQ(scheduled.delete_at, start_time() + 7 * kDay);

  // The bounds come from the options.
  make_engine(layout(), [](EngineOptions& o) {
    o.min_pending_window_days = 1;
    o.max_pending_window_days = 2;
  });
  KeyInfo other = symmetric_key();
  expect_engine_error(ErrorKind::InvalidParameter,
                      [&] { engine_->schedule_key_deletion(scope_, id_of(other), 3); });
  EXPECT_EQ(engine_->schedule_key_deletion(scope_, id_of(other), 1).delete_at, start_time() + kDay);
}

TEST_F(LifecycleTest, PendingDeletionRefusesMostOperations) {
  KeyInfo key = symmetric_key();
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  EngineError again = expect_engine_error(
      ErrorKind::InvalidKeyState, [&] { engine_->schedule_key_deletion(scope_, id_of(key), 7); });
  EXPECT_EQ(again.state(), KeyState::PendingDeletion);
  expect_engine_error(ErrorKind::InvalidKeyState, [&] { engine_->enable_key(scope_, id_of(key)); });
  expect_engine_error(ErrorKind::InvalidKeyState,
                      [&] { engine_->encrypt(scope_, id_of(key), "x", {}); });
  KeyUpdate update;
  update.description = "still editable";
  EXPECT_NO_THROW(engine_->update_key(scope_, id_of(key), update));
}

TEST_F(LifecycleTest, DeletionProtection) {
  CreateKeyRequest request;
  request.deletion_protection = true;
  KeyInfo key = create_key(request);
  EngineError e = expect_engine_error(
      ErrorKind::DeletionProtected, [&] { engine_->schedule_key_deletion(scope_, id_of(key), 7); });
  EXPECT_EQ(e.detail(), key.id);
  EXPECT_EQ(state_of(key), KeyState::Enabled);

  engine_->set_deletion_protection(scope_, id_of(key), false, "ignored");
  KeyInfo unprotected = describe(key);
  EXPECT_FALSE(unprotected.deletion_protection);
  EXPECT_EQ(unprotected.deletion_protection_description, "");
  EXPECT_EQ(engine_->schedule_key_deletion(scope_, id_of(key), 7).state, KeyState::PendingDeletion);
  engine_->cancel_key_deletion(scope_, id_of(key));

  engine_->set_deletion_protection(scope_, id_of(key), true, "audit");
  EXPECT_EQ(describe(key).deletion_protection_description, "audit");
  expect_engine_error(ErrorKind::DeletionProtected,
                      [&] { engine_->schedule_key_deletion(scope_, id_of(key), 7); });
}

TEST_F(LifecycleTest, KeyDisappearsAtTheEndOfTheWindow) {
  KeyInfo key = symmetric_key();
  KeyInfo keep = symmetric_key();
  std::string blob = engine_->encrypt(scope_, id_of(key), "secret", {{"a", "b"}}).ciphertext_blob;
  engine_->schedule_key_deletion(scope_, id_of(key), 7);

  clock_->advance(7 * kDay - 1s);
  EXPECT_EQ(state_of(key), KeyState::PendingDeletion) << "one second before the end";
  expect_engine_error(ErrorKind::InvalidKeyState, [&] {
    engine_->decrypt(scope_, blob, {{"a", "b"}});
  });

  clock_->advance(1s);
  EngineError gone = expect_engine_error(ErrorKind::NotFound, [&] { describe(key); });
  EXPECT_EQ(gone.subject(), "key");
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->decrypt(scope_, blob, {{"a", "b"}}); });
  expect_engine_error(ErrorKind::NotFound,
                      [&] { engine_->cancel_key_deletion(scope_, id_of(key)); });
  auto remaining = engine_->list_keys(scope_, std::nullopt);
  ASSERT_EQ(remaining.size(), 1u);
  EXPECT_EQ(remaining[0].id, keep.id);
}

TEST_F(LifecycleTest, DecryptAfterDeletionIsNotFoundEvenWithoutATouch) {
  // The blob is the first thing to name the key after the window ended.
  KeyInfo key = symmetric_key();
  std::string blob = engine_->encrypt(scope_, id_of(key), "secret", {}).ciphertext_blob;
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  clock_->advance(8 * kDay);
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->decrypt(scope_, blob, {}); });
}

TEST_F(LifecycleTest, CancelDeletionRestoresEnabled) {
  KeyInfo key = symmetric_key();
  engine_->disable_key(scope_, id_of(key));
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  clock_->advance(6 * kDay);
  engine_->cancel_key_deletion(scope_, id_of(key));
  KeyInfo restored = describe(key);
  EXPECT_EQ(restored.state, KeyState::Enabled) << "Volcengine restores Enable, not Disable";
  EXPECT_FALSE(restored.delete_at.has_value());
  clock_->advance(30 * kDay);
  EXPECT_EQ(state_of(key), KeyState::Enabled) << "the old window no longer applies";

  EngineError not_pending = expect_engine_error(
      ErrorKind::InvalidKeyState, [&] { engine_->cancel_key_deletion(scope_, id_of(key)); });
  EXPECT_EQ(not_pending.state(), KeyState::Enabled);
}

// --- Rotation ------------------------------------------------------------------------------

TEST_F(LifecycleTest, RotationAddsOneVersionPerElapsedInterval) {
  KeyInfo key = symmetric_key(kInterval);
  std::string v1_blob = engine_->encrypt(scope_, id_of(key), "one", {}).ciphertext_blob;

  clock_->advance(kInterval - 1s);
  EXPECT_EQ(describe(key).versions.size(), 1u);
  clock_->advance(1s);
  KeyInfo once = describe(key);
  ASSERT_EQ(once.versions.size(), 2u);
  EXPECT_EQ(once.rotation.last, start_time() + kInterval);
  EXPECT_EQ(once.rotation.next, start_time() + 2 * kInterval);
  std::string v2_blob = engine_->encrypt(scope_, id_of(key), "two", {}).ciphertext_blob;

  // Three intervals pass untouched: three versions on the next touch, schedule kept.
  clock_->advance(3 * kInterval + 1h);
  KeyInfo later = describe(key);
  ASSERT_EQ(later.versions.size(), 5u);
  EXPECT_EQ(later.rotation.last, start_time() + 4 * kInterval);
  EXPECT_EQ(later.rotation.next, start_time() + 5 * kInterval);
  for (size_t i = 0; i < later.versions.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(later.versions[i].number), i + 1);
  }

  // New encryptions use the newest version; old blobs still decrypt with theirs.
  auto sealed = engine_->encrypt(scope_, id_of(key), "five", {});
  EXPECT_EQ(sealed.version_id, later.versions.back().id);
  auto one = engine_->decrypt(scope_, v1_blob, {});
  EXPECT_EQ(one.plaintext, "one");
  EXPECT_EQ(one.version_id, later.versions[0].id);
  auto two = engine_->decrypt(scope_, v2_blob, {});
  EXPECT_EQ(two.plaintext, "two");
  EXPECT_EQ(two.version_id, later.versions[1].id);
  EXPECT_EQ(engine_->decrypt(scope_, sealed.ciphertext_blob, {}).plaintext, "five");
}

TEST_F(LifecycleTest, RotationCatchUpIsBounded) {
  KeyInfo key = symmetric_key(kInterval);
  clock_->advance(200 * kInterval);  // ~49 years, well past the catch-up bound
  KeyInfo caught_up = describe(key);
  EXPECT_GT(caught_up.versions.size(), 1u);
  EXPECT_LE(caught_up.versions.size(), 65u);
  ASSERT_TRUE(caught_up.rotation.next.has_value());
  EXPECT_GT(*caught_up.rotation.next, clock_->now()) << "no backlog left behind";
  EXPECT_EQ(describe(key).versions.size(), caught_up.versions.size());
  clock_->advance(kInterval);
  EXPECT_EQ(describe(key).versions.size(), caught_up.versions.size() + 1);
}

TEST_F(LifecycleTest, RotationSuspendedWhileDisabledAndResumes) {
  KeyInfo key = symmetric_key(kInterval);
  clock_->advance(10 * kDay);
  engine_->disable_key(scope_, id_of(key));
  KeyInfo disabled = describe(key);
  EXPECT_TRUE(disabled.rotation.enabled);
  EXPECT_TRUE(disabled.rotation.suspended);

  // Two rotation dates pass while disabled: nothing rotates.
  clock_->advance(2 * kInterval);
  KeyInfo waited = describe(key);
  EXPECT_EQ(waited.versions.size(), 1u);
  EXPECT_TRUE(waited.rotation.suspended);

  // Enabled again: the overdue rotation happens once, not once per missed date, and the
  // schedule restarts from there.
  engine_->enable_key(scope_, id_of(key));
  KeyInfo resumed = describe(key);
  EXPECT_FALSE(resumed.rotation.suspended);
  EXPECT_EQ(resumed.versions.size(), 2u);
  EXPECT_EQ(resumed.rotation.last, clock_->now());
  EXPECT_EQ(resumed.rotation.next, clock_->now() + kInterval);

  clock_->advance(kInterval);
  EXPECT_EQ(describe(key).versions.size(), 3u);

  // Archived keys do not rotate either.
  engine_->archive_key(scope_, id_of(key));
  EXPECT_TRUE(describe(key).rotation.suspended);
  clock_->advance(kInterval);
  EXPECT_EQ(describe(key).versions.size(), 3u);
}

TEST_F(LifecycleTest, EnableAndDisableRotation) {
  KeyInfo key = symmetric_key();
  clock_->advance(1h);
  engine_->enable_rotation(scope_, id_of(key), kInterval);
  KeyInfo on = describe(key);
  EXPECT_TRUE(on.rotation.enabled);
  EXPECT_EQ(on.rotation.interval, kInterval);
  EXPECT_EQ(on.rotation.next, start_time() + 1h + kInterval);

  clock_->advance(kInterval / 2);
  engine_->disable_rotation(scope_, id_of(key));
  KeyInfo off = describe(key);
  EXPECT_FALSE(off.rotation.enabled);
  EXPECT_FALSE(off.rotation.suspended);
  EXPECT_FALSE(off.rotation.next.has_value());
  clock_->advance(3 * kInterval);
  EXPECT_EQ(describe(key).versions.size(), 1u);

  KeyInfo rsa = key_of(KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->enable_rotation(scope_, id_of(rsa), kInterval); });
  CreateKeyRequest mac;
  mac.usage = KeyUsage::GenerateVerifyMac;
  KeyInfo mac_key = create_key(mac);
  expect_engine_error(ErrorKind::InvalidOperation,
                      [&] { engine_->enable_rotation(scope_, id_of(mac_key), kInterval); });
}

TEST_F(LifecycleTest, CreateVersionFollowsThePolicy) {
  KeyInfo key = symmetric_key();
  engine_->archive_key(scope_, id_of(key));
  EngineError e = expect_engine_error(ErrorKind::InvalidKeyState,
                                      [&] { engine_->create_key_version(scope_, id_of(key)); });
  EXPECT_EQ(e.state(), KeyState::Archived);
  EXPECT_EQ(e.op(), KeyOp::CreateVersion);
}

}  // namespace
}  // namespace kmsconf::engine::testing
