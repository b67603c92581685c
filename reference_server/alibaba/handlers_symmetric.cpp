// Symmetric cryptography, data keys and MACs (§3.5).
#include "protocol/encoding.hpp"
#include "reference_server/alibaba/call.hpp"
#include "reference_server/alibaba/names.hpp"
#include "reference_server/engine/crypto/crypto.hpp"

namespace kmsconf::server::alibaba {
namespace {

using nlohmann::json;

constexpr size_t kMaxPlaintextBytes = 6144;  // §4.9
constexpr size_t kMaxBlobChars = 16384;

std::string blob(const Params& params) {
  return params.required_base64("CiphertextBlob", 1, kMaxBlobChars);
}

// NumberOfBytes wins over KeySpec (AES_256 → 32, AES_128 → 16); default 32 (§3.5).
size_t data_key_bytes(const Params& params) {
  if (auto n = params.integer("NumberOfBytes", INT32_MIN, INT32_MAX)) {
    return *n < 0 ? 0 : static_cast<size_t>(*n);
  }
  auto spec = params.text("KeySpec", TextRule{1, 16}).value_or("AES_256");
  if (spec == "AES_256") return 32;
  if (spec == "AES_128") return 16;
  throw ParamError("KeySpec", ParamError::Reason::Invalid, "AES_256 or AES_128");
}

// The caller's public key and how to wrap a data key to it (GenerateAndExportDataKey,
// ExportDataKey).
std::string export_to_public_key(const Params& params, const std::string& data_key) {
  std::string public_key = params.required_base64("PublicKeyBlob", 1, 8192);
  auto algorithm = params.required_choice("WrappingAlgorithm", wrapping_algorithms());
  auto spec = params.required_choice("WrappingKeySpec", wrapping_key_specs());
  bool sm2 = spec == engine::WrappingKeySpec::EcSm2;
  if (sm2 != (algorithm == engine::WrappingAlgorithm::Sm2Pke) ||
      algorithm == engine::WrappingAlgorithm::RsaesPkcs1V15) {
    throw ParamError("WrappingAlgorithm", ParamError::Reason::Invalid, "does not fit the spec");
  }
  auto wrapped = engine::crypto::wrap_for_import(public_key, algorithm, data_key);
  if (!wrapped) throw ParamError("PublicKeyBlob", ParamError::Reason::Invalid, "not a usable key");
  return base64_encode(*wrapped);
}

json key_fields(const engine::KeyInfo& key, const std::string& version_id) {
  return {{"KeyId", key.id}, {"KeyVersionId", version_id}};
}

std::optional<json> encrypt(Call& call) {
  std::string plaintext =
      call.params.required_base64("Plaintext", 1, 4 * kMaxPlaintextBytes / 3 + 4);
  if (plaintext.size() > kMaxPlaintextBytes) {
    throw ParamError("Plaintext", ParamError::Reason::Invalid, "at most 6 KB");
  }
  auto result = call.engine.encrypt(call.scope, key_selector(call.params), plaintext,
                                    encryption_context(call.params, "EncryptionContext"));
  json out = key_fields(result.key, result.version_id);
  out["CiphertextBlob"] = base64_encode(result.ciphertext_blob);
  return out;
}

std::optional<json> decrypt(Call& call) {
  auto result = call.engine.decrypt(call.scope, blob(call.params),
                                    encryption_context(call.params, "EncryptionContext"));
  json out = key_fields(result.key, result.version_id);
  out["Plaintext"] = base64_encode(result.plaintext);
  return out;
}

engine::DataKey data_key(Call& call) {
  size_t bytes = data_key_bytes(call.params);
  return call.engine.generate_data_key(call.scope, key_selector(call.params), bytes,
                                       encryption_context(call.params, "EncryptionContext"));
}

std::optional<json> generate_data_key(Call& call) {
  engine::DataKey key = data_key(call);
  json out = key_fields(key.key, key.version_id);
  out["CiphertextBlob"] = base64_encode(key.ciphertext_blob);
  out["Plaintext"] = base64_encode(key.plaintext);
  return out;
}

std::optional<json> generate_data_key_without_plaintext(Call& call) {
  engine::DataKey key = data_key(call);
  json out = key_fields(key.key, key.version_id);
  out["CiphertextBlob"] = base64_encode(key.ciphertext_blob);
  return out;
}

std::optional<json> generate_and_export_data_key(Call& call) {
  engine::DataKey key = data_key(call);
  json out = key_fields(key.key, key.version_id);
  out["CiphertextBlob"] = base64_encode(key.ciphertext_blob);
  out["ExportedDataKey"] = export_to_public_key(call.params, key.plaintext);
  return out;
}

std::optional<json> export_data_key(Call& call) {
  auto result = call.engine.decrypt(call.scope, blob(call.params),
                                    encryption_context(call.params, "EncryptionContext"));
  json out = key_fields(result.key, result.version_id);
  out["ExportedDataKey"] = export_to_public_key(call.params, result.plaintext);
  return out;
}

std::optional<json> re_encrypt(Call& call) {
  const Params& p = call.params;
  std::string ciphertext = blob(p);
  engine::KeySelector destination = key_selector(p, "DestinationKeyId");
  auto destination_context = encryption_context(p, "DestinationEncryptionContext");
  if (p.has("SourceKeyId")) {
    // A public-key ciphertext: decrypt with the named asymmetric key version first.
    engine::KeySelector source = key_selector(p, "SourceKeyId");
    source.version_id = p.required_text("SourceKeyVersionId", kKeyIdRule);
    auto algorithm = p.required_choice("SourceEncryptionAlgorithm", encryption_algorithms());
    auto plain = call.engine.asymmetric_decrypt(call.scope, source, algorithm, ciphertext);
    auto result = call.engine.encrypt(call.scope, destination, plain.value, destination_context);
    json out = key_fields(result.key, result.version_id);
    out["CiphertextBlob"] = base64_encode(result.ciphertext_blob);
    return out;
  }
  auto result = call.engine.re_encrypt(call.scope, ciphertext,
                                       encryption_context(p, "SourceEncryptionContext"),
                                       destination, destination_context);
  json out = key_fields(result.destination_key, result.destination_version_id);
  out["CiphertextBlob"] = base64_encode(result.ciphertext_blob);
  return out;
}

std::optional<json> generate_mac(Call& call) {
  auto algorithm = call.params.required_choice("Algorithm", mac_algorithms());
  std::string message = call.params.required_base64("Message", 1, 8192);
  auto result = call.engine.generate_mac(call.scope, key_selector(call.params), algorithm, message);
  return json{{"Mac", base64_encode(result.value)},
              {"Algorithm", wire_name(mac_algorithms(), algorithm)},
              {"KeyId", result.key.id}};
}

std::optional<json> verify_mac(Call& call) {
  auto algorithm = call.params.required_choice("Algorithm", mac_algorithms());
  std::string message = call.params.required_base64("Message", 1, 8192);
  std::string mac = call.params.required_base64("Mac", 1, 8192);
  engine::KeyInfo key;
  bool valid =
      call.engine.verify_mac(call.scope, key_selector(call.params), algorithm, message, mac, &key);
  return json{
      {"Value", valid}, {"Algorithm", wire_name(mac_algorithms(), algorithm)}, {"KeyId", key.id}};
}

}  // namespace

std::vector<HandlerEntry> symmetric_handlers() {
  return {{"Encrypt", encrypt},
          {"Decrypt", decrypt},
          {"GenerateDataKey", generate_data_key},
          {"GenerateDataKeyWithoutPlaintext", generate_data_key_without_plaintext},
          {"GenerateAndExportDataKey", generate_and_export_data_key},
          {"ExportDataKey", export_data_key},
          {"ReEncrypt", re_encrypt},
          {"GenerateMac", generate_mac},
          {"VerifyMac", verify_mac}};
}

}  // namespace kmsconf::server::alibaba
