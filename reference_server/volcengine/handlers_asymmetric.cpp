// Asymmetric operations and MACs (spec §3.5).
#include "protocol/encoding.hpp"
#include "reference_server/volcengine/call.hpp"
#include "reference_server/volcengine/names.hpp"

namespace kmsconf::server::volcengine {
namespace {

using nlohmann::json;

std::optional<json> asymmetric_encrypt(Call& call) {
  auto algorithm = call.params.required_choice("Algorithm", encryption_algorithms());
  std::string plaintext = call.params.required_base64("Plaintext", 1, 1024);
  auto result =
      call.engine.asymmetric_encrypt(call.scope, key_selector(call.params), algorithm, plaintext);
  return json{{"CiphertextBlob", base64_encode(result.value)}, {"KeyID", result.key.id}};
}

std::optional<json> asymmetric_decrypt(Call& call) {
  auto algorithm = call.params.required_choice("Algorithm", encryption_algorithms());
  std::string ciphertext = call.params.required_base64("CiphertextBlob", 1, 4096);
  auto result =
      call.engine.asymmetric_decrypt(call.scope, key_selector(call.params), algorithm, ciphertext);
  return json{{"Plaintext", base64_encode(result.value)}, {"KeyID", result.key.id}};
}

// A RAW message is 1..4096 bytes (§3.5); a DIGEST's length is checked against the algorithm.
std::string raw_message(const Params& params, engine::MessageType type) {
  constexpr size_t kMaxRawMessageBytes = 4096;
  std::string message = params.required_base64("Message", 1, 8192);
  if (type == engine::MessageType::Raw && message.size() > kMaxRawMessageBytes) {
    throw ParamError("Message", ParamError::Reason::Invalid, "at most 4096 bytes");
  }
  return message;
}

std::optional<json> asymmetric_sign(Call& call) {
  auto algorithm = call.params.required_choice("Algorithm", signing_algorithms());
  auto type = call.params.choice("MessageType", message_types()).value_or(engine::MessageType::Raw);
  std::string message = raw_message(call.params, type);
  auto result = call.engine.sign(call.scope, key_selector(call.params), algorithm, type, message);
  return json{{"Signature", base64_encode(result.value)}, {"KeyID", result.key.id}};
}

std::optional<json> asymmetric_verify(Call& call) {
  auto algorithm = call.params.required_choice("Algorithm", signing_algorithms());
  auto type = call.params.choice("MessageType", message_types()).value_or(engine::MessageType::Raw);
  std::string message = raw_message(call.params, type);
  std::string signature = call.params.required_base64("Signature", 1, 8192);
  engine::KeyInfo key;
  bool valid = call.engine.verify(call.scope, key_selector(call.params), algorithm, type, message,
                                  signature, &key);
  return json{{"SignatureValid", valid}, {"KeyID", key.id}};
}

std::optional<json> get_public_key(Call& call) {
  auto result = call.engine.get_public_key(call.scope, key_selector(call.params));
  return json{{"PublicKey", result.pem}, {"KeyID", result.key.id}};
}

std::optional<json> generate_mac(Call& call) {
  auto algorithm = call.params.required_choice("MacAlgorithm", mac_algorithms());
  std::string message = call.params.required_base64("Message", 1, 4096);
  auto result = call.engine.generate_mac(call.scope, key_selector(call.params), algorithm, message);
  return json{{"Mac", base64_encode(result.value)}, {"KeyID", result.key.id}};
}

std::optional<json> verify_mac(Call& call) {
  auto algorithm = call.params.required_choice("MacAlgorithm", mac_algorithms());
  std::string message = call.params.required_base64("Message", 1, 4096);
  std::string mac = call.params.required_base64("Mac", 1, 6144);
  engine::KeyInfo key;
  bool valid =
      call.engine.verify_mac(call.scope, key_selector(call.params), algorithm, message, mac, &key);
  return json{{"MacValid", valid}, {"KeyID", key.id}};
}

}  // namespace

std::vector<HandlerEntry> asymmetric_handlers() {
  return {{"AsymmetricEncrypt", asymmetric_encrypt},
          {"AsymmetricDecrypt", asymmetric_decrypt},
          {"AsymmetricSign", asymmetric_sign},
          {"AsymmetricVerify", asymmetric_verify},
          {"GetPublicKey", get_public_key},
          {"GenerateMac", generate_mac},
          {"VerifyMac", verify_mac}};
}

}  // namespace kmsconf::server::volcengine
