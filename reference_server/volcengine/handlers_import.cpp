// Bring-your-own-key operations (spec §3.6).
#include "protocol/encoding.hpp"
#include "protocol/time_format.hpp"
#include "reference_server/volcengine/call.hpp"
#include "reference_server/volcengine/names.hpp"

namespace kmsconf::server::volcengine {
namespace {

using nlohmann::json;

std::optional<json> get_parameters_for_import(Call& call) {
  auto spec = call.params.choice("WrappingKeySpec", wrapping_key_specs())
                  .value_or(engine::WrappingKeySpec::Rsa2048);
  auto algorithm = call.params.choice("WrappingAlgorithm", wrapping_algorithms())
                       .value_or(engine::WrappingAlgorithm::RsaesOaepSha256);
  auto result =
      call.engine.get_parameters_for_import(call.scope, key_selector(call.params), spec, algorithm);
  return json{{"KeyID", result.key.id},
              {"KeyringID", result.key.keyring_id},
              {"PublicKey", base64_encode(result.public_key_der)},
              {"ImportToken", result.import_token},
              {"TokenExpireTime", iso8601_utc(result.token_expires)}};
}

std::optional<json> import_key_material(Call& call) {
  engine::ImportMaterialRequest request;
  request.encrypted_material = call.params.required_base64("EncryptedKeyMaterial", 1, 8192);
  request.import_token = call.params.required_text("ImportToken", TextRule{1, 8192});
  auto model =
      call.params.text("ExpirationModel", TextRule{1, 64}).value_or("KEY_MATERIAL_DOES_NOT_EXPIRE");
  if (model == "KEY_MATERIAL_EXPIRES") {
    auto valid_to = call.params.integer("ValidTo", 1, INT64_MAX / 2);
    if (!valid_to) throw ParamError("ValidTo", ParamError::Reason::Missing, "required");
    request.expires = from_unix_seconds(*valid_to);
  } else if (model != "KEY_MATERIAL_DOES_NOT_EXPIRE") {
    throw ParamError("ExpirationModel", ParamError::Reason::Invalid, "unknown value");
  }
  call.engine.import_key_material(call.scope, key_selector(call.params), request);
  return std::nullopt;
}

std::optional<json> delete_key_material(Call& call) {
  call.engine.delete_key_material(call.scope, key_selector(call.params));
  return std::nullopt;
}

}  // namespace

std::vector<HandlerEntry> import_handlers() {
  return {{"GetParametersForImport", get_parameters_for_import},
          {"ImportKeyMaterial", import_key_material},
          {"DeleteKeyMaterial", delete_key_material}};
}

}  // namespace kmsconf::server::volcengine
