#include "reference_server/credentials.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "protocol/dialect_id.hpp"
#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::server {
namespace {

using nlohmann::json;

std::string required_string(const json& object, const char* field, const std::string& where) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw ConfigError(where + ": field '" + field + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

Credential parse_credential(const json& entry, const std::string& where) {
  if (!entry.is_object()) throw ConfigError(where + ": must be an object");
  Credential c;
  c.access_key_id = required_string(entry, "access_key_id", where);
  c.secret_access_key = required_string(entry, "secret_access_key", where);
  c.account_id = required_string(entry, "account_id", where);
  if (auto it = entry.find("allowed_actions"); it != entry.end()) {
    if (!it->is_array()) throw ConfigError(where + ": field 'allowed_actions' must be an array");
    c.allowed_actions.clear();
    for (const auto& action : *it) {
      if (!action.is_string()) {
        throw ConfigError(where + ": field 'allowed_actions' must hold strings");
      }
      c.allowed_actions.push_back(action.get<std::string>());
    }
  }
  if (auto it = entry.find("session_token"); it != entry.end()) {
    if (!it->is_string()) throw ConfigError(where + ": field 'session_token' must be a string");
    c.session_token = it->get<std::string>();
  }
  return c;
}

}  // namespace

bool Credential::allows(const std::string& action) const {
  return std::any_of(
      allowed_actions.begin(), allowed_actions.end(),
      [&](const std::string& allowed) { return allowed == "*" || allowed == action; });
}

void CredentialStore::add(Credential credential) {
  credentials_.push_back(std::move(credential));
}

void CredentialStore::set_account(const std::string& account_id, AccountSettings settings) {
  accounts_[account_id] = settings;
}

const Credential* CredentialStore::find(const std::string& access_key_id) const {
  for (const auto& c : credentials_) {
    if (c.access_key_id == access_key_id) return &c;
  }
  return nullptr;
}

AccountSettings CredentialStore::account(const std::string& account_id) const {
  auto it = accounts_.find(account_id);
  return it == accounts_.end() ? AccountSettings{} : it->second;
}

CredentialStore CredentialStore::from_json_text(const std::string& text,
                                                const std::string& origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(origin + ": not valid JSON (" + e.what() + ")");
  }
  const bool names_a_dialect =
      doc.is_object() && std::any_of(kDialectIds.begin(), kDialectIds.end(),
                                     [&](DialectId id) { return doc.contains(dialect_name(id)); });
  if (names_a_dialect && !doc.contains("credentials")) {
    // The other command's file: kmsconf test's per-dialect client credentials.
    throw ConfigError(origin +
                      ": this is kmsconf test's credentials format ({\"volcengine\": {...}}); "
                      "kmsconf serve takes a credential store: {\"credentials\": "
                      "[{\"access_key_id\": ..., \"secret_access_key\": ..., \"account_id\": "
                      "...}]}");
  }
  if (!doc.is_object() || !doc.contains("credentials") || !doc["credentials"].is_array()) {
    throw ConfigError(origin + ": field 'credentials' must be an array");
  }
  CredentialStore store;
  const auto& list = doc["credentials"];
  for (size_t i = 0; i < list.size(); ++i) {
    std::string where = origin + ": credentials[" + std::to_string(i) + "]";
    Credential c = parse_credential(list[i], where);
    if (store.find(c.access_key_id)) throw ConfigError(where + ": duplicate access_key_id");
    store.add(std::move(c));
  }
  if (auto it = doc.find("accounts"); it != doc.end()) {
    if (!it->is_array()) throw ConfigError(origin + ": field 'accounts' must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      std::string where = origin + ": accounts[" + std::to_string(i) + "]";
      const auto& entry = (*it)[i];
      if (!entry.is_object()) throw ConfigError(where + ": must be an object");
      AccountSettings settings;
      if (auto open = entry.find("service_open"); open != entry.end()) {
        if (!open->is_boolean())
          throw ConfigError(where + ": field 'service_open' must be a boolean");
        settings.service_open = open->get<bool>();
      }
      store.set_account(required_string(entry, "account_id", where), settings);
    }
  }
  return store;
}

CredentialStore CredentialStore::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return from_json_text(text.str(), path);
}

Credential CredentialStore::random_demo() {
  Credential c;
  c.access_key_id = "AKLT" + hex_encode_upper(random_bytes(12));
  c.secret_access_key = base64_encode(random_bytes(30));
  c.account_id = "2100042018";
  return c;
}

}  // namespace kmsconf::server
