// Shared fixture of the engine unit tests: an Engine on a ManualClock with three regions, a
// state policy defined here (not an adapter's), and helpers to create keys and catch errors.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "reference_server/engine/engine.hpp"

namespace kmsconf::engine::testing {

using namespace std::chrono_literals;

inline constexpr std::chrono::hours kDay{24};

// The policy of these tests. It follows the Volcengine table in spirit, with two deliberate
// differences so both verdicts are exercised: rotation settings of a Disabled key answer
// Unsupported, and CreateVersion is rejected while Archived.
inline StatePolicy test_policy() {
  constexpr Verdict A = Verdict::Allow;
  constexpr Verdict R = Verdict::Reject;
  constexpr Verdict U = Verdict::Unsupported;
  // Columns: Enabled, Disabled, PendingDeletion, Archived, PendingImport.
  return StatePolicy{
      {KeyOp::Enable, {A, A, R, R, R}},
      {KeyOp::Disable, {A, A, R, R, R}},
      {KeyOp::Archive, {A, R, R, R, R}},
      {KeyOp::CancelArchive, {R, R, R, A, R}},
      {KeyOp::ScheduleDeletion, {A, A, R, A, A}},
      {KeyOp::CancelDeletion, {R, R, A, R, R}},
      {KeyOp::Encrypt, {A, R, R, R, R}},
      {KeyOp::GenerateDataKey, {A, R, R, R, R}},
      {KeyOp::AsymmetricEncrypt, {A, R, R, R, R}},
      {KeyOp::Sign, {A, R, R, R, R}},
      {KeyOp::GenerateMac, {A, R, R, R, R}},
      {KeyOp::GetPublicKey, {A, R, R, R, R}},
      {KeyOp::Decrypt, {A, R, R, A, R}},
      {KeyOp::AsymmetricDecrypt, {A, R, R, A, R}},
      {KeyOp::ReEncryptSource, {A, R, R, A, R}},
      {KeyOp::ReEncryptDestination, {A, R, R, R, R}},
      {KeyOp::Verify, {A, R, R, R, R}},
      {KeyOp::VerifyMac, {A, R, R, R, R}},
      {KeyOp::EnableRotation, {A, U, R, R, R}},
      {KeyOp::DisableRotation, {A, U, R, R, R}},
      {KeyOp::GetParametersForImport, {A, A, R, R, A}},
      {KeyOp::ImportKeyMaterial, {A, A, R, R, A}},
      {KeyOp::DeleteKeyMaterial, {A, A, R, R, R}},
      {KeyOp::Replicate, {A, R, R, R, R}},
      {KeyOp::UpdatePrimaryRegion, {A, R, R, R, R}},
      {KeyOp::CreateVersion, {A, A, R, R, R}},
  };
}

// Runs `call`, which must throw EngineError of `kind`; returns the error for further checks.
template <typename F>
EngineError expect_engine_error(ErrorKind kind, F&& call) {
  try {
    call();
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), kind) << "unexpected kind; what(): " << e.what();
    return e;
  }
  ADD_FAILURE() << "no EngineError thrown";
  return EngineError(ErrorKind::Internal, "none");
}

inline KeySelector id_of(const KeyInfo& key) {
  return KeySelector::by_id(key.id);
}

class EngineTest : public ::testing::Test {
 protected:
  static constexpr const char* kAccount = "2100042018";

  // 2024-01-01T00:00:00Z: far from the real clock, so nothing accidentally uses it.
  static TimePoint start_time() { return std::chrono::sys_days{std::chrono::year{2024} / 1 / 1}; }

  virtual CiphertextLayout layout() const { return CiphertextLayout::KeyIdAndVersionNumber; }

  void SetUp() override { make_engine(layout()); }

  void make_engine(CiphertextLayout layout, const std::function<void(EngineOptions&)>& tweak = {}) {
    clock_ = std::make_shared<ManualClock>(start_time());
    EngineOptions options;
    options.clock = clock_;
    options.regions = {"r1", "r2", "r3"};
    options.policy = test_policy();
    options.layout = layout;
    if (tweak) tweak(options);
    engine_ = std::make_unique<Engine>(std::move(options));
  }

  Scope in(const std::string& region) const { return {kAccount, region}; }

  KeyInfo create_key(CreateKeyRequest request) { return engine_->create_key(scope_, request); }

  KeyInfo symmetric_key(std::optional<std::chrono::seconds> rotation = std::nullopt,
                        bool multi_region = false) {
    CreateKeyRequest request;
    request.rotation_interval = rotation;
    request.multi_region = multi_region;
    return create_key(request);
  }

  KeyInfo key_of(KeySpec spec, KeyUsage usage) {
    CreateKeyRequest request;
    request.spec = spec;
    request.usage = usage;
    return create_key(request);
  }

  KeyInfo describe(const KeyInfo& key) { return engine_->describe_key(scope_, id_of(key)); }
  KeyState state_of(const KeyInfo& key) { return describe(key).state; }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Engine> engine_;
  Scope scope_{kAccount, "r1"};
};

// The same tests under both ciphertext layouts.
class LayoutTest : public EngineTest, public ::testing::WithParamInterface<CiphertextLayout> {
 protected:
  CiphertextLayout layout() const override { return GetParam(); }
};

inline std::string layout_name(const ::testing::TestParamInfo<CiphertextLayout>& info) {
  return info.param == CiphertextLayout::KeyIdAndVersionNumber ? "KeyIdAndVersionNumber"
                                                               : "VersionIdText";
}

#define KMSCONF_BOTH_LAYOUTS(suite)                                                                \
  INSTANTIATE_TEST_SUITE_P(                                                                        \
      Layouts, suite,                                                                              \
      ::testing::Values(CiphertextLayout::KeyIdAndVersionNumber, CiphertextLayout::VersionIdText), \
      ::kmsconf::engine::testing::layout_name)

}  // namespace kmsconf::engine::testing
