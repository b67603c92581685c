// kmsconf demo: starts the reference KMS in-process and walks a real scenario through it over
// HTTP with signed requests, printing what happens. Exit 0 only when every step behaved as the
// documentation says.
#include <iostream>

#include "cli/commands.hpp"
#include "conformance/alibaba_client.hpp"
#include "conformance/volcengine_client.hpp"
#include "protocol/encoding.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::cli {
namespace {

using nlohmann::json;

// What a step saw, in dialect-neutral terms.
struct Outcome {
  int status = 0;
  std::string code;
  std::string message;
  json body;
};

Outcome outcome_of(const client::CallResult& r) {
  return {r.parsed.status, r.parsed.error_code.value_or(""), r.parsed.message, r.result()};
}

Outcome outcome_of(const client::AlibabaCallResult& r) {
  return {r.parsed.status, r.parsed.error_code.value_or(""), r.parsed.message, r.body()};
}

class Scenario {
 public:
  // Checks status and error code of one call; returns its result for chaining.
  template <typename Call>
  json step(const std::string& what, const std::string& action, Call&& call, int want_status,
            const std::string& want_code = "") {
    Outcome o = outcome_of(call());
    bool ok = o.status == want_status && o.code == want_code;
    failures_ += ok ? 0 : 1;
    std::cout << (ok ? "  ok   " : "  FAIL ") << what << "\n         " << action << " -> HTTP "
              << o.status;
    if (!o.code.empty()) std::cout << " " << o.code << ": " << o.message;
    if (!ok) std::cout << "   (expected " << want_status << " " << want_code << ")";
    std::cout << "\n";
    return o.body;
  }

  void check(const std::string& what, bool ok) {
    failures_ += ok ? 0 : 1;
    std::cout << (ok ? "  ok   " : "  FAIL ") << what << "\n";
  }

  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

void volcengine_scenario(Scenario& s) {
  server::ReferenceServer reference;
  reference.start();
  const auto& credential = reference.default_credential();
  std::cout << "Volcengine KMS (Version 2021-02-18) reference server on " << reference.endpoint()
            << "\n";
  client::VolcengineClient kms(*client::Endpoint::parse(reference.endpoint()),
                               {credential.access_key_id, credential.secret_access_key, ""},
                               "cn-beijing");
  auto call = [&](const std::string& action, json params, client::CallOptions options = {}) {
    return [&kms, action, params, options] { return kms.call(action, params, options); };
  };
  std::string plaintext = base64_encode("attack at dawn");
  json context = {{"user", "alice"}, {"path", "reports/q3.txt"}};

  s.step("list the regions this KMS serves", "DescribeRegions",
         call("DescribeRegions", json::object()), 200);
  s.step("create a keyring", "CreateKeyring", call("CreateKeyring", {{"KeyringName", "demo"}}),
         200);
  s.step("a second keyring with the same name conflicts", "CreateKeyring",
         call("CreateKeyring", {{"KeyringName", "demo"}}), 409, "Conflict");
  json key = s.step(
      "create a multi-region AES-256 key", "CreateKey",
      call("CreateKey", {{"KeyringName", "demo"}, {"KeyName", "mrk-demo"}, {"MultiRegion", true}}),
      200);
  std::string key_id = key.value("/Key/ID"_json_pointer, "");
  json sealed =
      s.step("encrypt with an encryption context", "Encrypt",
             call("Encrypt",
                  {{"KeyID", key_id}, {"Plaintext", plaintext}, {"EncryptionContext", context}}),
             200);
  std::string blob = sealed.value("CiphertextBlob", "");
  json opened =
      s.step("decrypt with the same context", "Decrypt",
             call("Decrypt", {{"CiphertextBlob", blob}, {"EncryptionContext", context}}), 200);
  if (opened.value("Plaintext", "") != plaintext) {
    std::cout << "  FAIL decrypted plaintext differs\n";
    s.step(
        "plaintext round trip", "Decrypt", [] { return client::CallResult{}; }, 200);
  }
  s.step("decrypt with a different context is refused", "Decrypt",
         call("Decrypt", {{"CiphertextBlob", blob}, {"EncryptionContext", {{"user", "mallory"}}}}),
         400, "InvalidParameter");
  s.step("generate a 32-byte data key", "GenerateDataKey",
         call("GenerateDataKey", {{"KeyID", key_id}}), 200);
  s.step("replicate the key to cn-shanghai", "ReplicateKey",
         call("ReplicateKey",
              {{"KeyringName", "demo"}, {"KeyName", "mrk-demo"}, {"ReplicaRegion", "cn-shanghai"}}),
         200);
  client::CallOptions shanghai;
  shanghai.region = "cn-shanghai";
  s.step("the replica decrypts the primary's ciphertext in its own region", "Decrypt",
         call("Decrypt", {{"CiphertextBlob", blob}, {"EncryptionContext", context}}, shanghai),
         200);
  s.step("replicating to the same region again conflicts", "ReplicateKey",
         call("ReplicateKey", {{"KeyID", key_id}, {"ReplicaRegion", "cn-shanghai"}}), 409,
         "Conflict");
  s.step("replicating to an unknown region is refused", "ReplicateKey",
         call("ReplicateKey", {{"KeyID", key_id}, {"ReplicaRegion", "mars-north-1"}}), 400,
         "InvalidReplicaRegion");
  s.step("disable the key", "DisableKey", call("DisableKey", {{"KeyID", key_id}}), 200);
  s.step("a disabled key cannot encrypt", "Encrypt",
         call("Encrypt", {{"KeyID", key_id}, {"Plaintext", plaintext}}), 400, "InvalidKeyStatus");
  s.step("an unknown key is not found", "DescribeKey",
         call("DescribeKey", {{"KeyringName", "demo"}, {"KeyName", "no-such-key"}}), 404,
         "Not Found");
  client::CallOptions tampered;
  tampered.after_signing = [](HttpRequest& request) { request.body += " "; };
  s.step("a body changed after signing is rejected", "DescribeKey",
         call("DescribeKey", {{"KeyID", key_id}}, tampered), 401, "SignatureDoesNotMatch");
  s.step("schedule the key's deletion", "ScheduleKeyDeletion",
         call("ScheduleKeyDeletion", {{"KeyID", key_id}, {"PendingWindowInDays", 7}}), 200);
  reference.stop();
}

void alibaba_scenario(Scenario& s) {
  server::ReferenceServerOptions options;
  options.dialect = server::Dialect::Alibaba;
  server::ReferenceServer reference(std::move(options));
  reference.start();
  const auto& credential = reference.default_credential();
  std::cout << "\nAlibaba Cloud KMS (Version 2016-01-20) reference server on "
            << reference.endpoint() << "\n";
  client::AlibabaClient kms(*client::Endpoint::parse(reference.endpoint()),
                            {credential.access_key_id, credential.secret_access_key, ""});
  auto call = [&](const std::string& action, json params, client::AlibabaCallOptions options = {}) {
    return [&kms, action, params, options] { return kms.call(action, params, options); };
  };
  client::AlibabaCallOptions v1;
  v1.signing = client::AlibabaSigning::V1PopCore;
  client::AlibabaCallOptions tea;
  tea.signing = client::AlibabaSigning::V1Tea;
  std::string plaintext = base64_encode("attack at dawn");
  json context = {{"user", "alice"}};

  json created = s.step("create a key (signature V3)", "CreateKey",
                        call("CreateKey", {{"Description", "demo key"}}), 200);
  std::string key_id = created.value("/KeyMetadata/KeyId"_json_pointer, "");
  s.step("describe it (signature V1, pop-core layout)", "DescribeKey",
         call("DescribeKey", {{"KeyId", key_id}}, v1), 200);
  s.step("give it an alias", "CreateAlias",
         call("CreateAlias", {{"AliasName", "alias/demo"}, {"KeyId", key_id}}), 200);
  s.step("the same alias again is refused", "CreateAlias",
         call("CreateAlias", {{"AliasName", "alias/demo"}, {"KeyId", key_id}}), 400,
         "AliasAlreadyExists");
  json sealed = s.step(
      "encrypt through the alias (signature V1, Tea layout)", "Encrypt",
      call("Encrypt",
           {{"KeyId", "alias/demo"}, {"Plaintext", plaintext}, {"EncryptionContext", context}},
           tea),
      200);
  std::string blob = sealed.value("CiphertextBlob", "");
  s.step("decrypt with the same context", "Decrypt",
         call("Decrypt", {{"CiphertextBlob", blob}, {"EncryptionContext", context}}), 200);
  s.step("decrypt with another context is refused", "Decrypt",
         call("Decrypt", {{"CiphertextBlob", blob}, {"EncryptionContext", {{"user", "eve"}}}}), 400,
         "InvalidParameter");
  s.step("an unknown alias is not found", "DescribeKey",
         call("DescribeKey", {{"KeyId", "alias/missing"}}), 404, "Forbidden.AliasNotFound");
  s.step("an unknown key is not found", "DescribeKey",
         call("DescribeKey", {{"KeyId", "00000000-0000-4000-8000-000000000000"}}), 404,
         "Forbidden.KeyNotFound");
  s.step("disable the key", "DisableKey", call("DisableKey", {{"KeyId", key_id}}), 200);
  s.step("a disabled key cannot encrypt", "Encrypt",
         call("Encrypt", {{"KeyId", key_id}, {"Plaintext", plaintext}}), 409, "Rejected.Disabled");
  HttpRequest signed_once = kms.build("DescribeKey", {{"KeyId", key_id}}, v1);
  s.step(
      "a signed V1 request is accepted once", "DescribeKey",
      [&] {
        client::AlibabaCallResult r;
        r.response = kms.http().send(signed_once);
        r.parsed = *alibaba::parse_response(r.response);
        return r;
      },
      200);
  s.step(
      "the same request replayed is refused", "DescribeKey",
      [&] {
        client::AlibabaCallResult r;
        r.response = kms.http().send(signed_once);
        r.parsed = *alibaba::parse_response(r.response);
        return r;
      },
      400, "SignatureNonceUsed");
  s.step("schedule the key's deletion", "ScheduleKeyDeletion",
         call("ScheduleKeyDeletion", {{"KeyId", key_id}, {"PendingWindowInDays", 7}}), 200);
  reference.stop();
}

int run_demo() {
  Scenario s;
  volcengine_scenario(s);
  alibaba_scenario(s);
  std::cout << "\n"
            << (s.failures() == 0 ? "demo passed" : "demo FAILED") << ": " << s.failures()
            << " unexpected result(s)\n";
  return s.failures() == 0 ? 0 : 1;
}

}  // namespace

void add_demo_command(CLI::App& app, std::function<int()>* run) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Start the reference KMS in-process and walk a signed scenario through it");
  cmd->callback([run] { *run = run_demo; });
}

}  // namespace kmsconf::cli
