// Asymmetric keys (§3.6) and bring-your-own-key (§3.7). Asymmetric calls always name a version.
#include "protocol/encoding.hpp"
#include "protocol/time_format.hpp"
#include "reference_server/alibaba/call.hpp"
#include "reference_server/alibaba/names.hpp"

namespace kmsconf::server::alibaba {
namespace {

using nlohmann::json;

json key_fields(const engine::KeyInfo& key, const std::string& version_id) {
  return {{"KeyId", key.id}, {"KeyVersionId", version_id}};
}

std::optional<json> get_public_key(Call& call) {
  auto result = call.engine.get_public_key(call.scope, versioned_key_selector(call.params));
  json out = key_fields(result.key, result.version_id);
  out["PublicKey"] = result.pem;
  return out;
}

std::optional<json> asymmetric_encrypt(Call& call) {
  auto selector = versioned_key_selector(call.params);
  auto algorithm = call.params.required_choice("Algorithm", encryption_algorithms());
  std::string plaintext = call.params.required_base64("Plaintext", 1, 8192);
  auto result = call.engine.asymmetric_encrypt(call.scope, selector, algorithm, plaintext);
  json out = key_fields(result.key, result.version_id);
  out["CiphertextBlob"] = base64_encode(result.value);
  return out;
}

std::optional<json> asymmetric_decrypt(Call& call) {
  auto selector = versioned_key_selector(call.params);
  auto algorithm = call.params.required_choice("Algorithm", encryption_algorithms());
  std::string ciphertext = call.params.required_base64("CiphertextBlob", 1, 8192);
  auto result = call.engine.asymmetric_decrypt(call.scope, selector, algorithm, ciphertext);
  json out = key_fields(result.key, result.version_id);
  out["Plaintext"] = base64_encode(result.value);
  return out;
}

std::optional<json> asymmetric_sign(Call& call) {
  auto selector = versioned_key_selector(call.params);
  auto algorithm = call.params.required_choice("Algorithm", signing_algorithms());
  std::string digest = call.params.required_base64("Digest", 1, 1024);
  auto result =
      call.engine.sign(call.scope, selector, algorithm, engine::MessageType::Digest, digest);
  json out = key_fields(result.key, result.version_id);
  out["Value"] = base64_encode(result.value);
  return out;
}

std::optional<json> asymmetric_verify(Call& call) {
  auto selector = versioned_key_selector(call.params);
  auto algorithm = call.params.required_choice("Algorithm", signing_algorithms());
  std::string digest = call.params.required_base64("Digest", 1, 1024);
  std::string signature = call.params.required_base64("Value", 1, 8192);
  engine::KeyInfo key;
  bool valid = call.engine.verify(call.scope, selector, algorithm, engine::MessageType::Digest,
                                  digest, signature, &key);
  json out = key_fields(key, selector.version_id);
  out["Value"] = valid;
  return out;
}

std::optional<json> get_parameters_for_import(Call& call) {
  auto algorithm = call.params.required_choice("WrappingAlgorithm", wrapping_algorithms());
  auto spec = call.params.required_choice("WrappingKeySpec", wrapping_key_specs());
  auto result =
      call.engine.get_parameters_for_import(call.scope, key_selector(call.params), spec, algorithm);
  return json{{"KeyId", result.key.id},
              {"ImportToken", result.import_token},
              {"PublicKey", base64_encode(result.public_key_der)},
              {"TokenExpireTime", iso8601_utc(result.token_expires)}};
}

std::optional<json> import_key_material(Call& call) {
  engine::ImportMaterialRequest request;
  request.encrypted_material = call.params.required_base64("EncryptedKeyMaterial", 1, 8192);
  request.import_token = call.params.required_text("ImportToken", TextRule{1, 8192});
  // 0 or absent: the material never expires (§3.7).
  auto expire = call.params.integer("KeyMaterialExpireUnix", 0, INT64_MAX / 2).value_or(0);
  if (expire > 0) request.expires = from_unix_seconds(expire);
  call.engine.import_key_material(call.scope, key_selector(call.params), request);
  return std::nullopt;
}

std::optional<json> delete_key_material(Call& call) {
  call.engine.delete_key_material(call.scope, key_selector(call.params));
  return std::nullopt;
}

}  // namespace

std::vector<HandlerEntry> asymmetric_handlers() {
  return {{"GetPublicKey", get_public_key},
          {"AsymmetricEncrypt", asymmetric_encrypt},
          {"AsymmetricDecrypt", asymmetric_decrypt},
          {"AsymmetricSign", asymmetric_sign},
          {"AsymmetricVerify", asymmetric_verify}};
}

std::vector<HandlerEntry> import_handlers() {
  return {{"GetParametersForImport", get_parameters_for_import},
          {"ImportKeyMaterial", import_key_material},
          {"DeleteKeyMaterial", delete_key_material}};
}

}  // namespace kmsconf::server::alibaba
