// CredentialStore: the credentials file format, its errors, and what a credential allows.
#include "reference_server/credentials.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace kmsconf::server {
namespace {

std::string load_error(const std::string& text, const std::string& origin = "creds.json") {
  try {
    CredentialStore::from_json_text(text, origin);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for " << text;
  return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(CredentialStore, ParsesCredentialsAndAccounts) {
  CredentialStore store = CredentialStore::from_json_text(R"({
    "credentials": [
      {"access_key_id": "AK1", "secret_access_key": "S1", "account_id": "2100042018"},
      {"access_key_id": "AK2", "secret_access_key": "S2", "account_id": "2100042019",
       "allowed_actions": ["Encrypt", "Decrypt"], "session_token": "tok"}
    ],
    "accounts": [
      {"account_id": "2100042019", "service_open": false},
      {"account_id": "2100042020"}
    ]
  })",
                                                          "creds.json");
  ASSERT_EQ(store.all().size(), 2u);
  const Credential* first = store.find("AK1");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->secret_access_key, "S1");
  EXPECT_EQ(first->account_id, "2100042018");
  EXPECT_EQ(first->allowed_actions, std::vector<std::string>{"*"}) << "default: everything";
  EXPECT_EQ(first->session_token, "");

  const Credential* second = store.find("AK2");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->session_token, "tok");
  EXPECT_EQ(second->allowed_actions, (std::vector<std::string>{"Encrypt", "Decrypt"}));
  EXPECT_EQ(store.find("AK3"), nullptr);
  EXPECT_EQ(store.find("ak1"), nullptr) << "access key ids are case-sensitive";

  EXPECT_FALSE(store.account("2100042019").service_open);
  EXPECT_TRUE(store.account("2100042020").service_open);
  EXPECT_TRUE(store.account("2100042018").service_open) << "unlisted accounts are open";
  EXPECT_EQ(store.accounts().size(), 2u);
}

TEST(CredentialStore, EmptyListAndNoAccounts) {
  CredentialStore store = CredentialStore::from_json_text(R"({"credentials": []})", "x");
  EXPECT_TRUE(store.all().empty());
  EXPECT_TRUE(store.accounts().empty());
}

TEST(CredentialStore, DuplicateAccessKeyNamesTheEntry) {
  std::string message = load_error(R"({"credentials": [
    {"access_key_id": "AK1", "secret_access_key": "S1", "account_id": "1"},
    {"access_key_id": "AK1", "secret_access_key": "S2", "account_id": "2"}]})");
  EXPECT_TRUE(contains(message, "creds.json")) << message;
  EXPECT_TRUE(contains(message, "credentials[1]")) << message;
  EXPECT_TRUE(contains(message, "duplicate")) << message;
}

TEST(CredentialStore, MissingFieldsNameFileIndexAndField) {
  struct Case {
    const char* text;
    const char* where;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"credentials": [{"secret_access_key": "S", "account_id": "1"}]})",
                "credentials[0]", "'access_key_id'"},
           Case{R"({"credentials": [
                  {"access_key_id": "AK0", "secret_access_key": "S", "account_id": "1"},
                  {"access_key_id": "AK1", "account_id": "1"}]})",
                "credentials[1]", "'secret_access_key'"},
           Case{R"({"credentials": [
                  {"access_key_id": "AK0", "secret_access_key": "S", "account_id": "1"},
                  {"access_key_id": "AK1", "secret_access_key": "S", "account_id": "1"},
                  {"access_key_id": "AK2", "secret_access_key": "S", "account_id": ""}]})",
                "credentials[2]", "'account_id'"},
           Case{R"({"credentials": [{"access_key_id": 5, "secret_access_key": "S",
                  "account_id": "1"}]})",
                "credentials[0]", "'access_key_id'"},
           Case{R"({"credentials": [{"access_key_id": "A", "secret_access_key": "S",
                  "account_id": "1", "allowed_actions": "Encrypt"}]})",
                "credentials[0]", "'allowed_actions'"},
           Case{R"({"credentials": [{"access_key_id": "A", "secret_access_key": "S",
                  "account_id": "1", "allowed_actions": [1]}]})",
                "credentials[0]", "'allowed_actions'"},
           Case{R"({"credentials": [{"access_key_id": "A", "secret_access_key": "S",
                  "account_id": "1", "session_token": 1}]})",
                "credentials[0]", "'session_token'"},
           Case{R"({"credentials": ["AK"]})", "credentials[0]", "object"},
           Case{R"({"credentials": [], "accounts": [{"service_open": true}]})", "accounts[0]",
                "'account_id'"},
           Case{R"({"credentials": [], "accounts": [{"account_id": "1"},
                  {"account_id": "2", "service_open": "no"}]})",
                "accounts[1]", "'service_open'"},
           Case{R"({"credentials": [], "accounts": {}})", "creds.json", "'accounts'"},
           Case{R"({"credentials": [], "accounts": [7]})", "accounts[0]", "object"},
           Case{R"({"accounts": []})", "creds.json", "'credentials'"},
           Case{R"({"credentials": {}})", "creds.json", "'credentials'"},
           Case{R"([])", "creds.json", "'credentials'"},
           Case{R"({"credentials": [)", "creds.json", "not valid JSON"},
       }) {
    std::string message = load_error(c.text);
    EXPECT_EQ(message.rfind("creds.json", 0), 0u) << message;
    EXPECT_TRUE(contains(message, c.where)) << c.text << " -> " << message;
    EXPECT_TRUE(contains(message, c.field)) << c.text << " -> " << message;
  }
}

TEST(CredentialStore, LoadFileNamesThePath) {
  std::string path = ::testing::TempDir() + "kmsconf_credentials_test.json";
  {
    std::ofstream out(path);
    out << R"({"credentials": [{"access_key_id": "AK", "secret_access_key": "S"}]})";
  }
  try {
    CredentialStore::load_file(path);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": credentials[0]", 0), 0u) << e.what();
    EXPECT_TRUE(contains(e.what(), "'account_id'")) << e.what();
  }
  {
    std::ofstream out(path);
    out << R"({"credentials": [{"access_key_id": "AK", "secret_access_key": "S",
                                "account_id": "1"}]})";
  }
  EXPECT_NE(CredentialStore::load_file(path).find("AK"), nullptr);
  std::remove(path.c_str());

  try {
    CredentialStore::load_file("/nonexistent/creds.json");
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent/creds.json")) << e.what();
  }
}

TEST(Credential, Allows) {
  Credential all{"AK", "S", "1", {"*"}, ""};
  EXPECT_TRUE(all.allows("Encrypt"));
  EXPECT_TRUE(all.allows("AnythingAtAll"));

  Credential some{"AK", "S", "1", {"Encrypt", "Decrypt"}, ""};
  EXPECT_TRUE(some.allows("Encrypt"));
  EXPECT_TRUE(some.allows("Decrypt"));
  EXPECT_FALSE(some.allows("CreateKey"));
  EXPECT_FALSE(some.allows("encrypt")) << "action names are case-sensitive";

  Credential none{"AK", "S", "1", {}, ""};
  EXPECT_FALSE(none.allows("Encrypt"));

  Credential defaulted;
  EXPECT_TRUE(defaulted.allows("Encrypt")) << "the default allows every action";
}

TEST(CredentialStore, AddFindAndAccountSettings) {
  CredentialStore store;
  store.add({"AK1", "S1", "1", {"*"}, ""});
  ASSERT_NE(store.find("AK1"), nullptr);
  EXPECT_EQ(store.find("AK1")->account_id, "1");
  EXPECT_TRUE(store.account("1").service_open);
  store.set_account("1", AccountSettings{false});
  EXPECT_FALSE(store.account("1").service_open);
  store.set_account("1", AccountSettings{true});
  EXPECT_TRUE(store.account("1").service_open);
}

TEST(CredentialStore, RandomDemoCredential) {
  Credential a = CredentialStore::random_demo();
  Credential b = CredentialStore::random_demo();
  EXPECT_EQ(a.account_id, "2100042018");
  EXPECT_EQ(a.access_key_id.rfind("AKLT", 0), 0u);
  EXPECT_NE(a.access_key_id, b.access_key_id);
  EXPECT_NE(a.secret_access_key, b.secret_access_key);
  EXPECT_TRUE(a.allows("Encrypt"));
}

}  // namespace
}  // namespace kmsconf::server
