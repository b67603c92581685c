// Dialect-neutral failures of the engine. Adapters map each kind to their own error catalog.
#pragma once

#include <stdexcept>
#include <string>

#include "reference_server/engine/model.hpp"
#include "reference_server/engine/state_policy.hpp"

namespace kmsconf::engine {

enum class ErrorKind {
  InvalidParameter,      // subject: the neutral field name (see Field)
  InvalidOperation,      // the key's kind, role or spec does not support the operation
  InvalidKeyState,       // the key's state forbids the operation; state is set
  UnsupportedOperation,  // the policy answers "unsupported" (e.g. rotation of a disabled key);
                         // state and op are set
  DeletionProtected,     // deletion protection forbids the operation
  NotFound,              // subject: resource kind ("keyring", "key", "alias", ...); detail: name/id
  Conflict,              // subject: resource kind; detail: name/id
  InvalidReplicaRegion,  // subject: region
  InvalidCiphertext,     // a blob that is malformed, tampered, or bound to another context
  LimitExceeded,         // subject: what ran out (versions, tags, aliases)
  Internal,
};

// Neutral names of request fields the engine itself can find wrong; adapters rename them.
enum class Field {
  None,
  KeyName,
  KeyringName,
  KeySpec,
  KeyUsage,
  Origin,
  CiphertextBlob,
  EncryptionContext,
  Plaintext,
  NumberOfBytes,
  Algorithm,
  Message,
  MessageType,
  Signature,
  Mac,
  ImportToken,
  EncryptedKeyMaterial,
  WrappingSpec,
  ValidTo,
  PendingWindow,
  RotationInterval,
  PrimaryRegion,
  ReplicaRegion,
  Tags,
  PageToken,
  Alias,
};

class EngineError : public std::runtime_error {
 public:
  EngineError(ErrorKind kind, std::string subject, std::string detail = {})
      : std::runtime_error(subject + (detail.empty() ? "" : " " + detail)),
        kind_(kind),
        subject_(std::move(subject)),
        detail_(std::move(detail)) {}

  static EngineError invalid_parameter(Field field, std::string detail = {});
  static EngineError invalid_state(KeyState state, KeyOp op);
  static EngineError unsupported(KeyState state, KeyOp op);
  static EngineError not_found(std::string kind, std::string id) {
    return {ErrorKind::NotFound, std::move(kind), std::move(id)};
  }
  static EngineError conflict(std::string kind, std::string id) {
    return {ErrorKind::Conflict, std::move(kind), std::move(id)};
  }
  static EngineError invalid_operation(std::string why) {
    return {ErrorKind::InvalidOperation, std::move(why)};
  }

  ErrorKind kind() const { return kind_; }
  const std::string& subject() const { return subject_; }
  const std::string& detail() const { return detail_; }
  Field field() const { return field_; }
  KeyState state() const { return state_; }
  KeyOp op() const { return op_; }  // the operation a state refused

 private:
  ErrorKind kind_;
  std::string subject_;
  std::string detail_;
  Field field_ = Field::None;
  KeyState state_ = KeyState::Enabled;
  KeyOp op_ = KeyOp::Describe;
};

inline EngineError EngineError::invalid_parameter(Field field, std::string detail) {
  EngineError e(ErrorKind::InvalidParameter, {}, std::move(detail));
  e.field_ = field;
  return e;
}

inline EngineError EngineError::invalid_state(KeyState state, KeyOp op) {
  EngineError e(ErrorKind::InvalidKeyState, {});
  e.state_ = state;
  e.op_ = op;
  return e;
}

inline EngineError EngineError::unsupported(KeyState state, KeyOp op) {
  EngineError e(ErrorKind::UnsupportedOperation, "state");
  e.state_ = state;
  e.op_ = op;
  return e;
}

}  // namespace kmsconf::engine
