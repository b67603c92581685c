// Which key states allow which operation. The rules differ per documented product, so the
// adapter hands the engine a policy table; the engine applies it uniformly.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <utility>

#include "reference_server/engine/model.hpp"

namespace kmsconf::engine {

enum class KeyOp {
  Describe,
  Update,
  Tag,
  Enable,
  Disable,
  ScheduleDeletion,
  CancelDeletion,
  Archive,
  CancelArchive,
  EnableRotation,
  DisableRotation,
  Encrypt,
  Decrypt,
  GenerateDataKey,
  ReEncryptSource,
  ReEncryptDestination,
  AsymmetricEncrypt,
  AsymmetricDecrypt,
  Sign,
  Verify,
  GetPublicKey,
  GenerateMac,
  VerifyMac,
  GetParametersForImport,
  ImportKeyMaterial,
  DeleteKeyMaterial,
  Replicate,
  UpdatePrimaryRegion,
  SetDeletionProtection,
  CreateVersion,
  CreateAlias,
  UpdateAlias,
  kCount,
};

constexpr size_t kKeyStateCount = 5;
constexpr size_t kKeyOpCount = static_cast<size_t>(KeyOp::kCount);

enum class Verdict : unsigned char { Allow, Reject, Unsupported };

class StatePolicy {
 public:
  struct Row {
    KeyOp op;
    // Verdict per state, in KeyState order: Enabled, Disabled, PendingDeletion, Archived,
    // PendingImport.
    std::array<Verdict, kKeyStateCount> verdicts;
  };

  // Operations not listed are allowed in every state.
  StatePolicy(std::initializer_list<Row> rows);

  Verdict verdict(KeyOp op, KeyState state) const {
    return table_[static_cast<size_t>(op)][static_cast<size_t>(state)];
  }

 private:
  std::array<std::array<Verdict, kKeyStateCount>, kKeyOpCount> table_;
};

}  // namespace kmsconf::engine
