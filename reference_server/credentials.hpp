// Who may call the reference server: access keys, their accounts and allowed actions.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace kmsconf::server {

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
  std::vector<std::string> allowed_actions{"*"};  // "*" allows every action
  std::string session_token;                      // non-empty: an STS-style temporary key

  bool allows(const std::string& action) const;
};

struct AccountSettings {
  bool service_open = true;  // false: every call answers "service not open"
};

// A configuration file that cannot be used; the message names the file and the field.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CredentialStore {
 public:
  void add(Credential credential);
  void set_account(const std::string& account_id, AccountSettings settings);

  const Credential* find(const std::string& access_key_id) const;
  AccountSettings account(const std::string& account_id) const;
  const std::vector<Credential>& all() const { return credentials_; }
  const std::map<std::string, AccountSettings>& accounts() const { return accounts_; }

  // {"credentials":[{"access_key_id","secret_access_key","account_id","allowed_actions",
  //  "session_token"}], "accounts":[{"account_id","service_open"}]}
  static CredentialStore from_json_text(const std::string& text, const std::string& origin);
  static CredentialStore load_file(const std::string& path);

  // A fresh random credential for demos and tests (account 2100042018).
  static Credential random_demo();

 private:
  std::vector<Credential> credentials_;
  std::map<std::string, AccountSettings> accounts_;
};

}  // namespace kmsconf::server
