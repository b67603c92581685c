// Symmetric cryptographic operations (spec §3.5: Encrypt, Decrypt, GenerateDataKey, ReEncrypt).
#include "protocol/encoding.hpp"
#include "reference_server/volcengine/call.hpp"

namespace kmsconf::server::volcengine {
namespace {

using nlohmann::json;

constexpr size_t kMaxPlaintextChars = 4096;
constexpr size_t kMinCiphertextChars = 19;  // "> 18" (§3.5)
constexpr size_t kMaxCiphertextChars = 8192;

std::optional<json> encrypt(Call& call) {
  std::string plaintext = call.params.required_base64("Plaintext", 1, kMaxPlaintextChars);
  auto context = encryption_context(call.params, "EncryptionContext");
  auto result = call.engine.encrypt(call.scope, key_selector(call.params), plaintext, context);
  return json{{"CiphertextBlob", base64_encode(result.ciphertext_blob)}};
}

std::optional<json> decrypt(Call& call) {
  std::string blob =
      call.params.required_base64("CiphertextBlob", kMinCiphertextChars, kMaxCiphertextChars);
  auto context = encryption_context(call.params, "EncryptionContext");
  auto result = call.engine.decrypt(call.scope, blob, context);
  json out{{"Plaintext", base64_encode(result.plaintext)}};
  if (!result.key.keyring_name.empty()) out["KeyringName"] = result.key.keyring_name;
  if (!result.key.name.empty()) out["KeyName"] = result.key.name;
  return out;
}

std::optional<json> generate_data_key(Call& call) {
  // Range is the engine's: 1..1024 (§3.5), default 32.
  auto bytes = call.params.integer("NumberOfBytes", INT32_MIN, INT32_MAX).value_or(32);
  auto context = encryption_context(call.params, "EncryptionContext");
  if (bytes < 0) bytes = 0;
  auto key = call.engine.generate_data_key(call.scope, key_selector(call.params),
                                           static_cast<size_t>(bytes), context);
  return json{{"Plaintext", base64_encode(key.plaintext)},
              {"CiphertextBlob", base64_encode(key.ciphertext_blob)}};
}

engine::KeySelector destination_selector(const Params& params) {
  if (auto id = params.text("NewKeyID", kKeyIdRule)) return engine::KeySelector::by_id(*id);
  auto ring = params.text("NewKeyringName", kNameRule);
  auto name = params.text("NewKeyName", kNameRule);
  if (!ring || !name) {
    throw ParamError(ring ? "NewKeyName" : "NewKeyringName", ParamError::Reason::Missing,
                     "NewKeyID or names");
  }
  return engine::KeySelector::by_name(*ring, *name);
}

std::optional<json> re_encrypt(Call& call) {
  std::string blob =
      call.params.required_base64("CiphertextBlob", kMinCiphertextChars, kMaxCiphertextChars);
  auto destination = destination_selector(call.params);
  auto result = call.engine.re_encrypt(
      call.scope, blob, encryption_context(call.params, "OldEncryptionContext"), destination,
      encryption_context(call.params, "NewEncryptionContext"));
  return json{{"CiphertextBlob", base64_encode(result.ciphertext_blob)}};
}

}  // namespace

std::vector<HandlerEntry> symmetric_handlers() {
  return {{"Encrypt", encrypt},
          {"Decrypt", decrypt},
          {"GenerateDataKey", generate_data_key},
          {"ReEncrypt", re_encrypt}};
}

}  // namespace kmsconf::server::volcengine
