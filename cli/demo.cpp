// kmsconf demo: starts the reference KMS in-process and walks a real scenario through it over
// HTTP with signed requests, printing what happens. Exit 0 only when every step behaved as the
// documentation says.
#include <iostream>

#include "cli/commands.hpp"
#include "conformance/volcengine_client.hpp"
#include "protocol/encoding.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::cli {
namespace {

using nlohmann::json;

class Scenario {
 public:
  explicit Scenario(client::VolcengineClient& client) : client_(client) {}

  // Sends one call and checks status and error code; returns the result for chaining.
  json step(const std::string& what, const std::string& action, const json& params,
            int want_status, const std::string& want_code = "",
            const client::CallOptions& options = {}) {
    client::CallResult r = client_.call(action, params, options);
    std::string code = r.parsed.error_code.value_or("");
    bool ok = r.parsed.status == want_status && code == want_code;
    failures_ += ok ? 0 : 1;
    std::cout << (ok ? "  ok   " : "  FAIL ") << what << "\n         " << action << " -> HTTP "
              << r.parsed.status;
    if (!code.empty()) std::cout << " " << code << ": " << r.parsed.message;
    if (!ok) std::cout << "   (expected " << want_status << " " << want_code << ")";
    std::cout << "\n";
    return r.result();
  }

  int failures() const { return failures_; }

 private:
  client::VolcengineClient& client_;
  int failures_ = 0;
};

int run_demo() {
  server::ReferenceServer reference;
  reference.start();
  const auto& credential = reference.default_credential();
  std::cout << "Reference KMS (Volcengine dialect, Version 2021-02-18) on " << reference.endpoint()
            << "\n\n";
  client::VolcengineClient kms(*client::Endpoint::parse(reference.endpoint()),
                               {credential.access_key_id, credential.secret_access_key, ""},
                               "cn-beijing");
  Scenario s(kms);
  std::string plaintext = base64_encode("attack at dawn");
  json context = {{"user", "alice"}, {"path", "reports/q3.txt"}};

  s.step("list the regions this KMS serves", "DescribeRegions", json::object(), 200);
  s.step("create a keyring", "CreateKeyring", {{"KeyringName", "demo"}}, 200);
  s.step("a second keyring with the same name conflicts", "CreateKeyring",
         {{"KeyringName", "demo"}}, 409, "Conflict");
  json key = s.step("create a multi-region AES-256 key", "CreateKey",
                    {{"KeyringName", "demo"}, {"KeyName", "mrk-demo"}, {"MultiRegion", true}}, 200);
  std::string key_id = key.value("/Key/ID"_json_pointer, "");
  json sealed = s.step("encrypt with an encryption context", "Encrypt",
                       {{"KeyID", key_id}, {"Plaintext", plaintext}, {"EncryptionContext", context}},
                       200);
  std::string blob = sealed.value("CiphertextBlob", "");
  json opened = s.step("decrypt with the same context", "Decrypt",
                       {{"CiphertextBlob", blob}, {"EncryptionContext", context}}, 200);
  if (opened.value("Plaintext", "") != plaintext) {
    std::cout << "  FAIL decrypted plaintext differs\n";
    return 1;
  }
  s.step("decrypt with a different context is refused", "Decrypt",
         {{"CiphertextBlob", blob}, {"EncryptionContext", {{"user", "mallory"}}}}, 400,
         "InvalidParameter");
  s.step("generate a 32-byte data key", "GenerateDataKey", {{"KeyID", key_id}}, 200);
  s.step("replicate the key to cn-shanghai", "ReplicateKey",
         {{"KeyringName", "demo"}, {"KeyName", "mrk-demo"}, {"ReplicaRegion", "cn-shanghai"}},
         200);
  client::CallOptions shanghai;
  shanghai.region = "cn-shanghai";
  s.step("the replica decrypts the primary's ciphertext in its own region", "Decrypt",
         {{"CiphertextBlob", blob}, {"EncryptionContext", context}}, 200, "", shanghai);
  s.step("replicating to the same region again conflicts", "ReplicateKey",
         {{"KeyID", key_id}, {"ReplicaRegion", "cn-shanghai"}}, 409, "Conflict");
  s.step("replicating to an unknown region is refused", "ReplicateKey",
         {{"KeyID", key_id}, {"ReplicaRegion", "mars-north-1"}}, 400, "InvalidReplicaRegion");
  s.step("disable the key", "DisableKey", {{"KeyID", key_id}}, 200);
  s.step("a disabled key cannot encrypt", "Encrypt", {{"KeyID", key_id}, {"Plaintext", plaintext}},
         400, "InvalidKeyStatus");
  s.step("an unknown key is not found", "DescribeKey",
         {{"KeyringName", "demo"}, {"KeyName", "no-such-key"}}, 404, "Not Found");
  client::CallOptions tampered;
  tampered.after_signing = [](HttpRequest& request) { request.body += " "; };
  s.step("a body changed after signing is rejected", "DescribeKey", {{"KeyID", key_id}}, 401,
         "SignatureDoesNotMatch", tampered);
  s.step("schedule the key's deletion", "ScheduleKeyDeletion",
         {{"KeyID", key_id}, {"PendingWindowInDays", 7}}, 200);

  std::cout << "\n" << (s.failures() == 0 ? "demo passed" : "demo FAILED") << ": "
            << s.failures() << " unexpected result(s)\n";
  reference.stop();
  return s.failures() == 0 ? 0 : 1;
}

}  // namespace

void add_demo_command(CLI::App& app, std::function<int()>* run) {
  CLI::App* cmd = app.add_subcommand(
      "demo", "Start the reference KMS in-process and walk a signed scenario through it");
  cmd->callback([run] { *run = run_demo; });
}

}  // namespace kmsconf::cli
