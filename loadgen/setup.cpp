// Setup and teardown of a load run's keys and ciphertexts, per dialect (setup.hpp).
#include "loadgen/setup.hpp"

#include <algorithm>
#include <random>

#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::loadgen {
namespace {

using nlohmann::json;

// The few wire names that differ between the dialects for what a load run calls.
struct Vocabulary {
  const char* key_param;        // the key selector of Encrypt, GenerateDataKey, DescribeKey, ...
  const char* created_key_id;   // JSON pointer to the new key's id in CreateKey's answer
  const char* ciphertext_blob;  // JSON pointer to Encrypt's CiphertextBlob
};

Vocabulary vocabulary(DialectId id) {
  switch (id) {
    case DialectId::Volcengine:
      return {"KeyID", "/Result/Key/ID", "/Result/CiphertextBlob"};
    case DialectId::Alibaba:
      return {"KeyId", "/KeyMetadata/KeyId", "/CiphertextBlob"};
  }
  return {"KeyId", "", ""};
}

// One signed call, synchronously; throws SetupError unless it succeeded.
json call(client::HttpClient& http, const Target& target, const std::string& action,
          const json& params) {
  const auto& dialect = *target.dialect;
  const std::string host = target.endpoint.host_header();
  HttpResponse response;
  try {
    response = http.send(dialect.build({action, params, target.credentials, target.region, host}));
  } catch (const client::TransportError& e) {
    throw SetupError(action + " during setup: " + e.what());
  }
  auto answer = dialect.parse(response);
  if (!answer) {
    throw SetupError(action + " during setup: the answer (HTTP " + std::to_string(response.status) +
                     ") is not a " + std::string(dialect.title) + " envelope");
  }
  if (client::classify(dialect, *answer) != client::AnswerClass::Ok) {
    throw SetupError(action + " during setup was refused: HTTP " + std::to_string(answer->status) +
                     " " + answer->code + " " + answer->message);
  }
  return std::move(answer->body);
}

std::string text_at(const json& body, const char* pointer, const std::string& action) {
  const json::json_pointer at(pointer);
  if (!body.contains(at) || !body.at(at).is_string()) {
    throw SetupError(action + " during setup: its answer has no " + std::string(pointer));
  }
  return body.at(at).get<std::string>();
}

std::string create_key(client::HttpClient& http, const Target& target, const std::string& prefix,
                       int index) {
  const auto v = vocabulary(target.dialect->id);
  const std::string description = "kmsconf load " + prefix;
  json params;
  switch (target.dialect->id) {
    case DialectId::Volcengine:
      params = {{"KeyringName", prefix + "-load"},
                {"KeyName", prefix + "-k" + std::to_string(index)},
                {"Description", description}};
      break;
    case DialectId::Alibaba:
      params = {{"Description", description}};
      break;
  }
  return text_at(call(http, target, "CreateKey", params), v.created_key_id, "CreateKey");
}

void create_keyring(client::HttpClient& http, const Target& target, const std::string& prefix) {
  if (target.dialect->id != DialectId::Volcengine) return;
  call(http, target, "CreateKeyring",
       {{"KeyringName", prefix + "-load"}, {"Description", "kmsconf load " + prefix}});
}

bool uses_context(const Workload& workload, const std::string& op) {
  return std::any_of(
      workload.operations.begin(), workload.operations.end(),
      [&](const WorkloadOperation& o) { return o.op == op && o.encryption_context; });
}

}  // namespace

bool needs_keys(const Workload& workload) {
  return std::any_of(workload.operations.begin(), workload.operations.end(),
                     [](const WorkloadOperation& o) { return o.op != "DescribeRegions"; });
}

json operation_params(const Target& target, const WorkloadOperation& op, const std::string& key_id,
                      const std::string& plaintext_b64, const std::string& ciphertext,
                      const json& context) {
  const auto v = vocabulary(target.dialect->id);
  json params = json::object();
  if (op.op == "Encrypt") {
    params[v.key_param] = key_id;
    params["Plaintext"] = plaintext_b64;
  } else if (op.op == "Decrypt") {
    params["CiphertextBlob"] = ciphertext;
  } else if (op.op == "GenerateDataKey") {
    params[v.key_param] = key_id;
    params["NumberOfBytes"] = op.number_of_bytes;
  } else if (op.op == "DescribeKey") {
    params[v.key_param] = key_id;
  }
  if (op.encryption_context) params["EncryptionContext"] = context;
  return params;
}

Material set_up(const Target& target, const Workload& workload, const std::string& run_prefix) {
  Material material;
  material.run_prefix = run_prefix;
  material.context = {{"kmsconf", "load"}, {"run", run_prefix}};
  if (!target.dialect || !needs_keys(workload)) return material;
  client::HttpClient http(target.endpoint, target.transport);
  create_keyring(http, target, run_prefix);
  for (int i = 0; i < workload.setup.keys; ++i) {
    material.key_ids.push_back(create_key(http, target, run_prefix, i));
  }
  const bool decrypt_context = uses_context(workload, "Decrypt");
  const auto v = vocabulary(target.dialect->id);
  const PayloadSizes sizes = workload.setup_plaintext_sizes();
  std::mt19937_64 rng(0x6b6d73636f6e66);  // fixed: the same run makes the same pool
  for (int i = 0; i < workload.setup.ciphertexts; ++i) {
    WorkloadOperation encrypt;
    encrypt.op = "Encrypt";
    encrypt.encryption_context = decrypt_context;
    const std::string& key =
        material.key_ids[static_cast<std::size_t>(i) % material.key_ids.size()];
    json params = operation_params(
        target, encrypt, key, base64_encode(random_bytes(sizes.sample(rng))), "", material.context);
    material.ciphertexts.push_back(
        text_at(call(http, target, "Encrypt", params), v.ciphertext_blob, "Encrypt"));
  }
  return material;
}

TeardownReport tear_down(const Target& target, const Workload& workload, const Material& material) {
  TeardownReport report;
  if (!target.dialect || !workload.teardown.schedule_deletion) return report;
  client::HttpClient http(target.endpoint, target.transport);
  const auto v = vocabulary(target.dialect->id);
  for (const auto& key : material.key_ids) {
    try {
      call(http, target, "ScheduleKeyDeletion",
           {{v.key_param, key}, {"PendingWindowInDays", workload.teardown.pending_window_days}});
      ++report.scheduled;
    } catch (const SetupError& e) {
      report.failures.push_back(key + ": " + e.what());
    }
  }
  return report;
}

}  // namespace kmsconf::loadgen
