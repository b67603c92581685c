// Happy paths of the keyring and key-management operations (spec §3.1 #1-17) and of the tag
// and region operations (#34-37) over HTTP: the response shape field by field, and the effect.
#include <tuple>

#include "tests/reference_server/volcengine/operations_support.hpp"

namespace kmsconf::testing {
namespace {

using client::Placement;
using volcengine::SignerStyle;

using KeyringOperationsTest = OperationsTest;
using KeyOperationsTest = OperationsTest;
using LifecycleOperationsTest = OperationsTest;
using RotationOperationsTest = OperationsTest;
using TagOperationsTest = OperationsTest;

// ---- #1 CreateKeyring ------------------------------------------------------------------------

TEST_F(KeyringOperationsTest, CreateKeyringReturnsTheKeyringObject) {
  TimePoint t = now();
  json result = success("CreateKeyring",
                        {{"KeyringName", "ring-a"},
                         {"KeyringType", "CustomKeyring"},
                         {"Description", "first ring"},
                         {"ProjectName", "default"}},
                        Has::Result);
  EXPECT_EQ(names_of(result), std::set<std::string>{"Keyring"});
  expect_keyring(result["Keyring"],
                 keyring_expect("", "ring-a", t, t).with_description("first ring"));

  // Effect: the keyring exists under that id.
  json queried = success("QueryKeyring", {{"KeyringName", "ring-a"}}, Has::Result)["Keyring"];
  EXPECT_EQ(queried.value("ID", json()), result["Keyring"]["ID"]);

  // Defaults: no description, type CustomKeyring; form body, Go signer.
  json minimal = success("CreateKeyring", {{"KeyringName", "ring_b"}}, Has::Result,
                         placed(Placement::FormBody, SignerStyle::Go));
  expect_keyring(minimal["Keyring"], keyring_expect("", "ring_b", t, t));
  EXPECT_NE(minimal["Keyring"]["ID"], result["Keyring"]["ID"]);
}

// ---- #2 DescribeKeyrings ---------------------------------------------------------------------

class DescribeKeyringsTest : public OperationsTest {
 protected:
  void SetUp() override {
    OperationsTest::SetUp();
    // One second apart, so "oldest first" is a well-defined order.
    for (const char* name : {"alpha-one", "Alpha-two", "beta", "gamma-ALPHA", "delta"}) {
      created_[name] = now();
      ids_[name] = create_keyring(name);
      clock_->advance(std::chrono::seconds(1));
    }
    create_key("alpha-one", "k1");
    create_key("alpha-one", "k2");
  }

  void expect_items(const json& items, const std::vector<std::string>& names) {
    ASSERT_TRUE(items.is_array());
    ASSERT_EQ(items.size(), names.size()) << items.dump();
    for (size_t i = 0; i < names.size(); ++i) {
      expect_keyring(
          items[i], keyring_expect(ids_[names[i]], names[i], created_[names[i]], created_[names[i]])
                        .with_key_count(names[i] == "alpha-one" ? 2 : 0));
    }
  }

  std::map<std::string, TimePoint> created_;
  std::map<std::string, std::string> ids_;
};

TEST_F(DescribeKeyringsTest, PagesOldestFirstWithPageInfo) {
  json first = success("DescribeKeyrings", {{"CurrentPage", 1}, {"PageSize", 2}}, Has::Result);
  EXPECT_EQ(names_of(first), (std::set<std::string>{"Keyrings", "PageInfo"}));
  expect_items(first["Keyrings"], {"alpha-one", "Alpha-two"});
  expect_page_info(first["PageInfo"], 5, 2, 1, 2);

  json second = success("DescribeKeyrings", {{"CurrentPage", 2}, {"PageSize", 2}}, Has::Result);
  expect_items(second["Keyrings"], {"beta", "gamma-ALPHA"});
  expect_page_info(second["PageInfo"], 5, 2, 2, 2);

  json last = success("DescribeKeyrings", {{"CurrentPage", 3}, {"PageSize", 2}}, Has::Result);
  expect_items(last["Keyrings"], {"delta"});
  expect_page_info(last["PageInfo"], 5, 2, 3, 1);

  json beyond = success("DescribeKeyrings", {{"CurrentPage", 4}, {"PageSize", 2}}, Has::Result);
  expect_items(beyond["Keyrings"], {});
  expect_page_info(beyond["PageInfo"], 5, 2, 4, 0);

  // Defaults CurrentPage 1, PageSize 20 [INF]; integers as query strings (GET).
  json all = success("DescribeKeyrings", json::object(), Has::Result);
  expect_items(all["Keyrings"], {"alpha-one", "Alpha-two", "beta", "gamma-ALPHA", "delta"});
  expect_page_info(all["PageInfo"], 5, 20, 1, 5);
  json by_query = success("DescribeKeyrings", {{"CurrentPage", "2"}, {"PageSize", "3"}},
                          Has::Result, placed(Placement::Query));
  expect_items(by_query["Keyrings"], {"gamma-ALPHA", "delta"});
  expect_page_info(by_query["PageInfo"], 5, 3, 2, 2);
}

TEST_F(DescribeKeyringsTest, FiltersAreAJsonStringWithFuzzyNames) {
  // KeyringName is fuzzy and case-insensitive.
  json fuzzy = success("DescribeKeyrings",
                       {{"Filters", R"([{"Key":"KeyringName","Values":["alpha"]}])"}}, Has::Result);
  expect_items(fuzzy["Keyrings"], {"alpha-one", "Alpha-two", "gamma-ALPHA"});
  expect_page_info(fuzzy["PageInfo"], 3, 20, 1, 3);

  // OR within a key; in a GET query string.
  json either = success("DescribeKeyrings",
                        {{"Filters", R"([{"Key":"KeyringName","Values":["bet","ELT"]}])"}},
                        Has::Result, placed(Placement::Query, SignerStyle::Go));
  expect_items(either["Keyrings"], {"beta", "delta"});

  // AND across keys; exact KeyringType; paging applies after filtering; form body.
  json both = success(
      "DescribeKeyrings",
      {{"Filters",
        R"([{"Key":"KeyringName","Values":["a-"]},{"Key":"KeyringType","Values":["CustomKeyring"]}])"},
       {"PageSize", 1},
       {"CurrentPage", 2}},
      Has::Result, placed(Placement::FormBody));
  expect_items(both["Keyrings"], {"Alpha-two"});
  expect_page_info(both["PageInfo"], 3, 1, 2, 1);

  json none =
      success("DescribeKeyrings",
              {{"Filters", R"([{"Key":"KeyringType","Values":["ManagedKeyring"]}])"}}, Has::Result);
  expect_items(none["Keyrings"], {});
  expect_page_info(none["PageInfo"], 0, 20, 1, 0);
}

TEST_F(DescribeKeyringsTest, FiltersByCreationDateRangeInBeijingWallTime) {
  // "YYYY-MM-DD HH:MM:SS" at UTC+8, inclusive: [floor(Alpha-two), floor(gamma-ALPHA) + 1 s].
  auto wall = [](TimePoint t) {
    std::string s = rfc3339_beijing(t);  // 2024-05-04T21:48:24.369005772+08:00
    return s.substr(0, 10) + " " + s.substr(11, 8);
  };
  std::string start = wall(created_["Alpha-two"]);
  std::string end = wall(created_["gamma-ALPHA"] + std::chrono::seconds(1));
  json ranged = success(
      "DescribeKeyrings",
      {{"Filters", json::array({{{"Key", "CreationDateRange"}, {"Values", {start, end}}}}).dump()}},
      Has::Result);
  expect_items(ranged["Keyrings"], {"Alpha-two", "beta", "gamma-ALPHA"});
  expect_page_info(ranged["PageInfo"], 3, 20, 1, 3);
}

// ---- #3 QueryKeyring -------------------------------------------------------------------------

TEST_F(KeyringOperationsTest, QueryKeyringByNameOrIdOverGet) {
  TimePoint t = now();
  std::string id =
      success("CreateKeyring",
              {{"KeyringName", "ring-q"}, {"Description", "queried"}, {"ProjectName", "proj-x"}},
              Has::Result)["Keyring"]["ID"];
  clock_->advance(std::chrono::seconds(5));
  create_key("ring-q", "key-1");  // keys do not show as KeyCount here

  KeyringExpect expected =
      keyring_expect(id, "ring-q", t, t).with_description("queried").with_project("proj-x");
  json by_name =
      success("QueryKeyring", {{"KeyringName", "ring-q"}}, Has::Result, placed(Placement::Query));
  EXPECT_EQ(names_of(by_name), std::set<std::string>{"Keyring"});
  expect_keyring(by_name["Keyring"], expected);
  json by_id = success("QueryKeyring", {{"KeyringID", id}}, Has::Result, placed(Placement::Query));
  expect_keyring(by_id["Keyring"], expected);

  // Default project.
  create_keyring("ring-d");
  json other = success("QueryKeyring", {{"KeyringName", "ring-d"}}, Has::Result);
  EXPECT_EQ(other["Keyring"].value("ProjectName", json()), "default");
}

// ---- #4 UpdateKeyring ------------------------------------------------------------------------

TEST_F(KeyringOperationsTest, UpdateKeyringChangesTheDescription) {
  TimePoint created = now();
  std::string id = create_keyring("ring-u");
  clock_->advance(std::chrono::milliseconds(61'234));
  TimePoint updated = now();
  json result = success("UpdateKeyring", {{"KeyringName", "ring-u"}, {"Description", "new text"}},
                        Has::NoResult, placed(Placement::Query));
  EXPECT_TRUE(result.is_null());

  json ring = success("QueryKeyring", {{"KeyringID", id}}, Has::Result)["Keyring"];
  expect_keyring(ring, keyring_expect(id, "ring-u", created, updated)
                           .with_description("new text")
                           .with_project("default"));

  // By id, JSON body.
  success("UpdateKeyring", {{"KeyringID", id}, {"Description", "again"}}, Has::NoResult);
  EXPECT_EQ(success("QueryKeyring", {{"KeyringID", id}}, Has::Result)["Keyring"]["Description"],
            "again");
}

// ---- #5 DeleteKeyring ------------------------------------------------------------------------

TEST_F(KeyringOperationsTest, DeleteKeyringRemovesAnEmptyKeyring) {
  std::string keep = create_keyring("ring-keep");
  std::string id = create_keyring("ring-gone");
  success("DeleteKeyring", {{"KeyringName", "ring-gone"}}, Has::NoResult);

  expect_error(call("QueryKeyring", {{"KeyringName", "ring-gone"}}), 404, "Not Found",
               "Not found keyring [ring-gone].");
  json listed = success("DescribeKeyrings", json::object(), Has::Result);
  ASSERT_EQ(listed["Keyrings"].size(), 1u);
  EXPECT_EQ(listed["Keyrings"][0]["ID"], keep);

  // By id, form body; the name is free again.
  success("DeleteKeyring", {{"KeyringID", keep}}, Has::NoResult, placed(Placement::FormBody));
  expect_error(call("QueryKeyring", {{"KeyringID", keep}}), 404, "Not Found");
  EXPECT_NE(create_keyring("ring-gone"), id);
}

// ---- #6 CreateKey ----------------------------------------------------------------------------

TEST_F(KeyOperationsTest, CreateKeyWithEveryDocumentedParameter) {
  create_keyring("ring");
  TimePoint t = now();
  json result = success(
      "CreateKey",
      {{"KeyringName", "ring"},
       {"KeyName", "full-key"},
       {"KeySpec", "SYMMETRIC_256"},
       {"KeyUsage", "ENCRYPT_DECRYPT"},
       {"ProtectionLevel", "SOFTWARE"},
       {"Origin", "CloudKMS"},
       {"Description", "all parameters"},
       {"MultiRegion", false},
       {"RotateState", "Enable"},
       {"RotateInterval", 90},
       {"Tags", {{{"Key", "env"}, {"Value", "test"}}, {{"Key", "team"}, {"Value", "kms"}}}}},
      Has::Result);
  EXPECT_EQ(names_of(result), std::set<std::string>{"Key"});
  expect_key(result["Key"], key_expect("", "ring", "full-key", t, t)
                                .with_description("all parameters")
                                .with_rotation("Enable")
                                .with_schedule_rotation(t + days(90))
                                .with_tags({{"env", "test"}, {"team", "kms"}}));
  // Effect: the key is usable.
  std::string id = result["Key"]["ID"];
  EXPECT_EQ(decrypt(encrypt(id, "payload")), "payload");
}

TEST_F(KeyOperationsTest, CreateKeyDefaultsOverFormAndGet) {
  create_keyring("ring");
  TimePoint t = now();
  // Only the names, form body, Go signer: the documented defaults.
  json plain = success("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "plain"}}, Has::Result,
                       placed(Placement::FormBody, SignerStyle::Go));
  expect_key(plain["Key"], key_expect("", "ring", "plain", t, t));

  // GET with flattened tags and a boolean as text; a multi-region key.
  json mrk = success("CreateKey",
                     {{"KeyringName", "ring"},
                      {"KeyName", "mrk-get"},
                      {"MultiRegion", "true"},
                      {"Tags.1.Key", "a"},
                      {"Tags.1.Value", "1"},
                      {"Tags.2.Key", "b"},
                      {"Tags.2.Value", "2"}},
                     Has::Result, placed(Placement::Query));
  expect_key(mrk["Key"],
             key_expect("", "ring", "mrk-get", t, t)
                 .with_multi_region(multi_region_config("PRIMARY", kRegion, {}, "ring", "mrk-get"))
                 .with_tags({{"a", "1"}, {"b", "2"}}));

  // Asymmetric and MAC keys; an External key starts PendingImport.
  json rsa = success("CreateKey",
                     {{"KeyringName", "ring"},
                      {"KeyName", "rsa-sign"},
                      {"KeySpec", "RSA_2048"},
                      {"KeyUsage", "SIGN_VERIFY"}},
                     Has::Result);
  expect_key(
      rsa["Key"],
      key_expect("", "ring", "rsa-sign", t, t).with_spec("RSA_2048").with_usage("SIGN_VERIFY"));
  json mac =
      success("CreateKey",
              {{"KeyringName", "ring"}, {"KeyName", "mac"}, {"KeyUsage", "GENERATE_VERIFY_MAC"}},
              Has::Result);
  expect_key(mac["Key"], key_expect("", "ring", "mac", t, t).with_usage("GENERATE_VERIFY_MAC"));
  json external =
      success("CreateKey", {{"KeyringName", "ring"}, {"KeyName", "byok"}, {"Origin", "External"}},
              Has::Result);
  expect_key(
      external["Key"],
      key_expect("", "ring", "byok", t, t).with_state("PendingImport").with_origin("External"));
  std::set<std::string> ids;
  for (const json* k : {&plain, &mrk, &rsa, &mac, &external}) ids.insert((*k)["Key"]["ID"]);
  EXPECT_EQ(ids.size(), 5u);
}

// ---- #7 DescribeKey --------------------------------------------------------------------------

TEST_F(KeyOperationsTest, DescribeKeyByIdOrNames) {
  TimePoint t = now();
  std::string id = create_key("ring", "described", {{"Description", "d"}});
  clock_->advance(std::chrono::seconds(3));
  KeyExpect expected = key_expect(id, "ring", "described", t, t).with_description("d");
  json by_id = success("DescribeKey", {{"KeyID", id}}, Has::Result);
  EXPECT_EQ(names_of(by_id), std::set<std::string>{"Key"});
  expect_key(by_id["Key"], expected);
  json by_names = success("DescribeKey", {{"KeyringName", "ring"}, {"KeyName", "described"}},
                          Has::Result, placed(Placement::Query, SignerStyle::Go));
  expect_key(by_names["Key"], expected);
  EXPECT_EQ(by_names, by_id);
}

// ---- #8 DescribeKeys -------------------------------------------------------------------------

class DescribeKeysTest : public OperationsTest {
 protected:
  void SetUp() override {
    OperationsTest::SetUp();
    add("app-key-1", {});
    add("App-Key-2", {{"Description", "second"}});
    add("other", {{"KeySpec", "SYMMETRIC_128"}});
    add("sign-key", {{"KeySpec", "EC_P256"}, {"KeyUsage", "SIGN_VERIFY"}});
    add("mac-key", {{"KeyUsage", "GENERATE_VERIFY_MAC"}});
    create_key("elsewhere", "app-key-9");  // another keyring
  }

  void add(const std::string& name, json extra) {
    created_[name] = now();
    ids_[name] = create_key("ring", name, extra);
    clock_->advance(std::chrono::seconds(1));
  }

  void expect_names(const json& keys, const std::vector<std::string>& names) {
    ASSERT_TRUE(keys.is_array());
    ASSERT_EQ(keys.size(), names.size()) << keys.dump();
    for (size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(keys[i].value("ID", json()), ids_[names[i]]) << names[i];
      EXPECT_EQ(keys[i].value("KeyName", json()), names[i]);
    }
  }

  std::map<std::string, TimePoint> created_;
  std::map<std::string, std::string> ids_;
};

TEST_F(DescribeKeysTest, PagesTheKeysOfOneKeyring) {
  json first = success("DescribeKeys",
                       {{"KeyringName", "ring"}, {"CurrentPage", 1}, {"PageSize", 2}}, Has::Result);
  EXPECT_EQ(names_of(first), (std::set<std::string>{"Keys", "PageInfo"}));
  expect_names(first["Keys"], {"app-key-1", "App-Key-2"});
  expect_page_info(first["PageInfo"], 5, 2, 1, 2);
  // Items are full Key objects.
  expect_key(first["Keys"][0], key_expect(ids_["app-key-1"], "ring", "app-key-1",
                                          created_["app-key-1"], created_["app-key-1"]));
  expect_key(first["Keys"][1], key_expect(ids_["App-Key-2"], "ring", "App-Key-2",
                                          created_["App-Key-2"], created_["App-Key-2"])
                                   .with_description("second"));

  json third =
      success("DescribeKeys", {{"KeyringName", "ring"}, {"CurrentPage", "3"}, {"PageSize", "2"}},
              Has::Result, placed(Placement::Query));
  expect_names(third["Keys"], {"mac-key"});
  expect_page_info(third["PageInfo"], 5, 2, 3, 1);
  expect_key(third["Keys"][0], key_expect(ids_["mac-key"], "ring", "mac-key", created_["mac-key"],
                                          created_["mac-key"])
                                   .with_usage("GENERATE_VERIFY_MAC"));

  // By keyring id, defaults.
  std::string ring_id =
      success("QueryKeyring", {{"KeyringName", "ring"}}, Has::Result)["Keyring"]["ID"];
  json all =
      success("DescribeKeys", {{"KeyringID", ring_id}}, Has::Result, placed(Placement::FormBody));
  expect_names(all["Keys"], {"app-key-1", "App-Key-2", "other", "sign-key", "mac-key"});
  expect_page_info(all["PageInfo"], 5, 20, 1, 5);
}

TEST_F(DescribeKeysTest, FiltersFuzzyKeyNameAndExactKeySpec) {
  json fuzzy =
      success("DescribeKeys",
              {{"KeyringName", "ring"}, {"Filters", R"([{"Key":"KeyName","Values":["APP-key"]}])"}},
              Has::Result);
  expect_names(fuzzy["Keys"], {"app-key-1", "App-Key-2"});
  expect_page_info(fuzzy["PageInfo"], 2, 20, 1, 2);

  json spec = success(
      "DescribeKeys",
      {{"KeyringName", "ring"}, {"Filters", R"([{"Key":"KeySpec","Values":["SYMMETRIC_256"]}])"}},
      Has::Result, placed(Placement::Query));
  expect_names(spec["Keys"], {"app-key-1", "App-Key-2", "mac-key"});

  // Exact, not fuzzy: a prefix of a spec matches nothing.
  json prefix = success(
      "DescribeKeys",
      {{"KeyringName", "ring"}, {"Filters", R"([{"Key":"KeySpec","Values":["SYMMETRIC"]}])"}},
      Has::Result);
  expect_names(prefix["Keys"], {});
  expect_page_info(prefix["PageInfo"], 0, 20, 1, 0);

  // OR within a key, AND across keys.
  json either =
      success("DescribeKeys",
              {{"KeyringName", "ring"},
               {"Filters", R"([{"Key":"KeySpec","Values":["SYMMETRIC_128","EC_P256"]}])"}},
              Has::Result, placed(Placement::FormBody, SignerStyle::Go));
  expect_names(either["Keys"], {"other", "sign-key"});
  json both = success("DescribeKeys",
                      {{"KeyringName", "ring"},
                       {"Filters", R"([{"Key":"KeyName","Values":["key"]},)"
                                   R"({"Key":"KeySpec","Values":["SYMMETRIC_256"]}])"}},
                      Has::Result);
  expect_names(both["Keys"], {"app-key-1", "App-Key-2", "mac-key"});
  json disjoint = success("DescribeKeys",
                          {{"KeyringName", "ring"},
                           {"Filters", R"([{"Key":"KeyName","Values":["app"]},)"
                                       R"({"Key":"KeySpec","Values":["SYMMETRIC_128"]}])"}},
                          Has::Result);
  expect_names(disjoint["Keys"], {});
}

TEST_F(DescribeKeysTest, FiltersByStateDescriptionAndTags) {
  success("DisableKey", {{"KeyID", ids_["other"]}}, Has::NoResult);
  success("TagResources",
          {{"ResourceType", "keys"},
           {"ResourceIds", {ids_["app-key-1"], ids_["sign-key"]}},
           {"Tags", {{{"Key", "team"}, {"Value", "blue"}}}}},
          Has::NoResult);
  success("TagResources",
          {{"ResourceType", "keys"},
           {"ResourceIds", {ids_["mac-key"]}},
           {"Tags", {{{"Key", "team"}, {"Value", "red"}}}}},
          Has::NoResult);

  json disabled = success(
      "DescribeKeys",
      {{"KeyringName", "ring"}, {"Filters", R"([{"Key":"KeyState","Values":["Disable"]}])"}},
      Has::Result);
  expect_names(disabled["Keys"], {"other"});
  EXPECT_EQ(disabled["Keys"][0].value("KeyState", json()), "Disable");
  json described =
      success("DescribeKeys",
              {{"KeyringName", "ring"}, {"Filters", R"([{"Key":"Description","Values":["SEC"]}])"}},
              Has::Result);
  expect_names(described["Keys"], {"App-Key-2"});
  json usage = success(
      "DescribeKeys",
      {{"KeyringName", "ring"}, {"Filters", R"([{"Key":"KeyUsage","Values":["SIGN_VERIFY"]}])"}},
      Has::Result);
  expect_names(usage["Keys"], {"sign-key"});

  json blue =
      success("DescribeKeys",
              {{"KeyringName", "ring"}, {"TagFilters", {{{"Key", "team"}, {"Values", {"blue"}}}}}},
              Has::Result);
  expect_names(blue["Keys"], {"app-key-1", "sign-key"});
  expect_page_info(blue["PageInfo"], 2, 20, 1, 2);
  json any_team = success(
      "DescribeKeys",
      {{"KeyringName", "ring"}, {"TagFilters", {{{"Key", "team"}, {"Values", {"blue", "red"}}}}}},
      Has::Result);
  expect_names(any_team["Keys"], {"app-key-1", "sign-key", "mac-key"});
}

// ---- #9 UpdateKey ----------------------------------------------------------------------------

TEST_F(KeyOperationsTest, UpdateKeyRenamesAndRedescribes) {
  TimePoint created = now();
  std::string id = create_key("ring", "old-name");
  std::string blob = encrypt(id, "kept");
  clock_->advance(std::chrono::seconds(10));
  TimePoint updated = now();
  success("UpdateKey", {{"KeyID", id}, {"NewKeyName", "new-name"}, {"Description", "renamed"}},
          Has::NoResult);

  json key = describe_key(id);
  expect_key(key, key_expect(id, "ring", "new-name", created, updated).with_description("renamed"));
  json by_new =
      success("DescribeKey", {{"KeyringName", "ring"}, {"KeyName", "new-name"}}, Has::Result);
  EXPECT_EQ(by_new["Key"]["ID"], id);
  expect_error(call("DescribeKey", {{"KeyringName", "ring"}, {"KeyName", "old-name"}}), 404,
               "Not Found", "Not found key [old-name].");
  // Same key material: old ciphertexts still open, and Decrypt names the key by its new name.
  json opened = success("Decrypt", {{"CiphertextBlob", blob}}, Has::Result);
  EXPECT_EQ(opened.value("KeyName", json()), "new-name");

  // By names, description only, GET.
  success("UpdateKey",
          {{"KeyringName", "ring"}, {"KeyName", "new-name"}, {"Description", "second"}},
          Has::NoResult, placed(Placement::Query));
  EXPECT_EQ(describe_key(id).value("Description", json()), "second");
}

// ---- #10 EnableKey, #11 DisableKey -----------------------------------------------------------

TEST_F(LifecycleOperationsTest, DisableKeyThenEnableKey) {
  TimePoint created = now();
  std::string id = create_key("ring", "toggled");
  std::string blob = encrypt(id, "before");

  clock_->advance(std::chrono::seconds(2));
  TimePoint disabled_at = now();
  success("DisableKey", {{"KeyID", id}}, Has::NoResult);
  expect_key(describe_key(id),
             key_expect(id, "ring", "toggled", created, disabled_at).with_state("Disable"));
  expect_error(call("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("x")}}), 400,
               "InvalidKeyStatus",
               "Current key status: Disable does not allow to perform this action");
  expect_error(call("Decrypt", {{"CiphertextBlob", blob}}), 400, "InvalidKeyStatus");

  clock_->advance(std::chrono::seconds(2));
  TimePoint enabled_at = now();
  // EnableKey is a GET in the current Go SDK.
  success("EnableKey", {{"KeyringName", "ring"}, {"KeyName", "toggled"}}, Has::NoResult,
          placed(Placement::Query, SignerStyle::Go));
  expect_key(describe_key(id), key_expect(id, "ring", "toggled", created, enabled_at));
  EXPECT_EQ(decrypt(blob), "before");
  EXPECT_EQ(decrypt(encrypt(id, "after")), "after");
}

// ---- #12 ScheduleKeyDeletion, #13 CancelKeyDeletion ------------------------------------------

TEST_F(LifecycleOperationsTest, ScheduleKeyDeletionDestroysTheKeyAfterTheWindow) {
  TimePoint created = now();
  std::string id = create_key("ring", "doomed");
  std::string other = create_key("ring", "survivor");
  clock_->advance(std::chrono::seconds(1));
  TimePoint scheduled = now();
  // Integer as form text.
  success("ScheduleKeyDeletion", {{"KeyID", id}, {"PendingWindowInDays", 8}}, Has::NoResult,
          placed(Placement::FormBody));
  expect_key(describe_key(id), key_expect(id, "ring", "doomed", created, scheduled)
                                   .with_state("PendingDelete")
                                   .with_schedule_delete(scheduled + days(8)));

  clock_->advance(days(8) - std::chrono::seconds(1));
  EXPECT_EQ(describe_key(id).value("KeyState", json()), "PendingDelete");

  clock_->advance(std::chrono::seconds(2));
  expect_error(call("DescribeKey", {{"KeyID", id}}), 404, "Not Found",
               "Not found key [" + id + "].");
  json listed = success("DescribeKeys", {{"KeyringName", "ring"}}, Has::Result);
  ASSERT_EQ(listed["Keys"].size(), 1u);
  EXPECT_EQ(listed["Keys"][0]["ID"], other);
}

TEST_F(LifecycleOperationsTest, ScheduleKeyDeletionDefaultWindowIsSevenDays) {
  std::string id = create_key("ring", "default-window");
  TimePoint scheduled = now();
  success("ScheduleKeyDeletion", {{"KeyringName", "ring"}, {"KeyName", "default-window"}},
          Has::NoResult);
  EXPECT_EQ(describe_key(id).value("ScheduleDeleteTime", json()),
            rfc3339_beijing(scheduled + days(7)));
  clock_->advance(days(7) + std::chrono::seconds(1));
  expect_error(call("DescribeKey", {{"KeyID", id}}), 404, "Not Found");
}

TEST_F(LifecycleOperationsTest, CancelKeyDeletionRestoresTheKey) {
  TimePoint created = now();
  std::string id = create_key("ring", "reprieved");
  std::string blob = encrypt(id, "kept");
  success("ScheduleKeyDeletion", {{"KeyID", id}, {"PendingWindowInDays", 30}}, Has::NoResult);
  clock_->advance(days(1));
  TimePoint cancelled = now();
  success("CancelKeyDeletion", {{"KeyID", id}}, Has::NoResult);
  // Back to Enable [INF], no ScheduleDeleteTime.
  expect_key(describe_key(id), key_expect(id, "ring", "reprieved", created, cancelled));
  clock_->advance(days(31));
  expect_key(describe_key(id), key_expect(id, "ring", "reprieved", created, cancelled));
  EXPECT_EQ(decrypt(blob), "kept");
}

// ---- #14 ArchiveKey, #15 CancelArchiveKey ----------------------------------------------------

TEST_F(LifecycleOperationsTest, ArchiveKeyIsDecryptOnlyUntilCancelled) {
  TimePoint created = now();
  std::string id = create_key("ring", "archived");
  std::string blob = encrypt(id, "old data");
  clock_->advance(std::chrono::seconds(1));
  TimePoint archived = now();
  // ArchiveKey is a GET in the current Go SDK.
  success("ArchiveKey", {{"KeyID", id}}, Has::NoResult, placed(Placement::Query));
  expect_key(describe_key(id),
             key_expect(id, "ring", "archived", created, archived).with_state("Archived"));
  EXPECT_EQ(decrypt(blob), "old data");
  expect_error(call("Encrypt", {{"KeyID", id}, {"Plaintext", base64_encode("new")}}), 400,
               "InvalidKeyStatus",
               "Current key status: Archived does not allow to perform this action");

  clock_->advance(std::chrono::seconds(1));
  TimePoint restored = now();
  success("CancelArchiveKey", {{"KeyringName", "ring"}, {"KeyName", "archived"}}, Has::NoResult);
  expect_key(describe_key(id), key_expect(id, "ring", "archived", created, restored));
  EXPECT_EQ(decrypt(encrypt(id, "new")), "new");
}

// ---- #16 EnableKeyRotation, #17 DisableKeyRotation -------------------------------------------

TEST_F(RotationOperationsTest, EnableKeyRotationRotatesAndOldCiphertextsStillDecrypt) {
  TimePoint created = now();
  std::string id = create_key("ring", "rotating");
  std::string old_blob = encrypt(id, "version one");
  EXPECT_EQ(blob_key_id(unbase64(old_blob)), id);
  EXPECT_EQ(blob_version(unbase64(old_blob)), 1);

  clock_->advance(std::chrono::seconds(1));
  TimePoint enabled = now();
  success("EnableKeyRotation", {{"KeyID", id}, {"RotateInterval", 90}}, Has::NoResult);
  expect_key(describe_key(id), key_expect(id, "ring", "rotating", created, enabled)
                                   .with_rotation("Enable")
                                   .with_schedule_rotation(enabled + days(90)));

  // Not yet due.
  clock_->advance(days(90) - std::chrono::seconds(1));
  EXPECT_EQ(blob_version(unbase64(encrypt(id, "still one"))), 1);
  EXPECT_EQ(describe_key(id).count("LastRotationTime"), 0u);

  // Due (exactly at ScheduleRotationTime): a new version becomes primary.
  clock_->advance(std::chrono::seconds(1));
  TimePoint rotated = now();
  expect_key(describe_key(id), key_expect(id, "ring", "rotating", created, rotated)
                                   .with_rotation("Enable")
                                   .with_last_rotation(rotated)
                                   .with_schedule_rotation(rotated + days(90)));
  std::string new_blob = encrypt(id, "version two");
  EXPECT_EQ(blob_key_id(unbase64(new_blob)), id);
  EXPECT_EQ(blob_version(unbase64(new_blob)), 2);
  EXPECT_EQ(decrypt(old_blob), "version one");
  EXPECT_EQ(decrypt(new_blob), "version two");

  // Calling again changes the interval [TF]; GET query with the integer as text.
  clock_->advance(std::chrono::seconds(1));
  TimePoint changed = now();
  success("EnableKeyRotation",
          {{"KeyringName", "ring"}, {"KeyName", "rotating"}, {"RotateInterval", "180"}},
          Has::NoResult, placed(Placement::Query));
  json key = describe_key(id);
  EXPECT_EQ(key.value("ScheduleRotationTime", json()), rfc3339_beijing(changed + days(180)));
  EXPECT_EQ(key.value("LastRotationTime", json()), rfc3339_beijing(rotated));
}

TEST_F(RotationOperationsTest, DisableKeyRotationStopsRotation) {
  TimePoint created = now();
  std::string id =
      create_key("ring", "steady", {{"RotateState", "Enable"}, {"RotateInterval", 90}});
  std::string blob = encrypt(id, "v1");
  clock_->advance(std::chrono::seconds(1));
  TimePoint disabled = now();
  // DisableKeyRotation is a GET in the current Go SDK.
  success("DisableKeyRotation", {{"KeyID", id}}, Has::NoResult,
          placed(Placement::Query, SignerStyle::Go));
  KeyExpect expected = key_expect(id, "ring", "steady", created, disabled);
  expect_key(describe_key(id), expected);

  clock_->advance(days(200));
  expect_key(describe_key(id), expected);  // no rotation happened
  EXPECT_EQ(blob_version(unbase64(encrypt(id, "still v1"))), 1);
  EXPECT_EQ(decrypt(blob), "v1");
}

// ---- #34 TagResources, #35 UntagResources, #36 ListTagsForResources --------------------------

TEST_F(TagOperationsTest, TagResourcesInJsonAndFlattenedQuery) {
  TimePoint created = now();
  std::string a = create_key("ring", "tagged-a");
  std::string b = create_key("ring", "tagged-b");
  clock_->advance(std::chrono::seconds(1));
  TimePoint tagged = now();
  success("TagResources",
          {{"ResourceType", "keys"},
           {"ResourceIds", {a, b}},
           {"Tags", {{{"Key", "env"}, {"Value", "prod"}}, {{"Key", "owner"}, {"Value", "alice"}}}}},
          Has::NoResult);
  expect_key(describe_key(a), key_expect(a, "ring", "tagged-a", created, tagged)
                                  .with_tags({{"env", "prod"}, {"owner", "alice"}}));
  expect_key(describe_key(b), key_expect(b, "ring", "tagged-b", created, tagged)
                                  .with_tags({{"env", "prod"}, {"owner", "alice"}}));

  // GET with flattened lists: overwrites one value, adds one tag, only on key a.
  clock_->advance(std::chrono::seconds(1));
  TimePoint retagged = now();
  success("TagResources",
          {{"ResourceType", "keys"},
           {"ResourceIds.1", a},
           {"Tags.1.Key", "env"},
           {"Tags.1.Value", "staging"},
           {"Tags.2.Key", "cost center"},
           {"Tags.2.Value", "4711 / R&D"}},
          Has::NoResult, placed(Placement::Query, SignerStyle::Go));
  expect_key(
      describe_key(a),
      key_expect(a, "ring", "tagged-a", created, retagged)
          .with_tags({{"env", "staging"}, {"owner", "alice"}, {"cost center", "4711 / R&D"}}));
  EXPECT_EQ(describe_key(b).value("Tags", json()).size(), 2u);
}

TEST_F(TagOperationsTest, UntagResourcesRemovesOnlyTheNamedKeys) {
  std::string a = create_key("ring", "untag-a",
                             {{"Tags",
                               {{{"Key", "x"}, {"Value", "1"}},
                                {{"Key", "y"}, {"Value", "2"}},
                                {{"Key", "z"}, {"Value", "3"}}}}});
  std::string b = create_key("ring", "untag-b", {{"Tags", {{{"Key", "x"}, {"Value", "9"}}}}});
  success("UntagResources",
          {{"ResourceType", "keys"}, {"ResourceIds", {a, b}}, {"TagKeys", {"x", "absent"}}},
          Has::NoResult);
  json ka = describe_key(a);
  json kb = describe_key(b);
  EXPECT_EQ(ka.value("Tags", json()),
            json::parse(R"([{"Key":"y","Value":"2"},{"Key":"z","Value":"3"}])"));
  EXPECT_EQ(kb.count("Tags"), 0u) << "no tags left: the field is omitted";

  // Form body with flattened lists.
  success("UntagResources", {{"ResourceType", "keys"}, {"ResourceIds.1", a}, {"TagKeys.1", "z"}},
          Has::NoResult, placed(Placement::FormBody));
  EXPECT_EQ(describe_key(a).value("Tags", json()), json::parse(R"([{"Key":"y","Value":"2"}])"));
}

TEST_F(TagOperationsTest, ListTagsForResourcesPagesWithNextToken) {
  std::string a = create_key("ring", "list-a",
                             {{"Tags",
                               {{{"Key", "a1"}, {"Value", "v1"}},
                                {{"Key", "a2"}, {"Value", "v2"}},
                                {{"Key", "a3"}, {"Value", ""}}}}});
  std::string b = create_key("ring", "list-b",
                             {{"Tags",
                               {{{"Key", "b1"}, {"Value", "w1"}},
                                {{"Key", "b2"}, {"Value", "w2"}},
                                {{"Key", "b3"}, {"Value", "w3"}}}}});
  std::set<std::tuple<std::string, std::string, std::string>> expected{
      {a, "a1", "v1"}, {a, "a2", "v2"}, {a, "a3", ""},
      {b, "b1", "w1"}, {b, "b2", "w2"}, {b, "b3", "w3"}};

  std::set<std::tuple<std::string, std::string, std::string>> seen;
  size_t rows = 0;
  std::string token;
  int pages = 0;
  for (; pages < 10; ++pages) {
    json params{{"ResourceType", "keys"}, {"ResourceIds", {a, b}}, {"MaxResults", 4}};
    if (!token.empty()) params["NextToken"] = token;
    json page = success("ListTagsForResources", params, Has::Result);
    std::set<std::string> fields{"ResourceTags"};
    if (page.contains("NextToken")) fields.insert("NextToken");
    EXPECT_EQ(names_of(page), fields);
    json items = page.value("ResourceTags", json());
    ASSERT_TRUE(items.is_array());
    EXPECT_LE(items.size(), 4u);
    for (const auto& item : items) {
      EXPECT_EQ(names_of(item),
                (std::set<std::string>{"ResourceId", "ResourceType", "TagKey", "TagValue"}));
      EXPECT_EQ(item.value("ResourceType", json()), "keys");
      seen.insert(
          {text_of(item, "ResourceId"), text_of(item, "TagKey"), text_of(item, "TagValue")});
      ++rows;
    }
    if (!page.contains("NextToken")) break;
    ASSERT_TRUE(page["NextToken"].is_string());
    ASSERT_FALSE(page["NextToken"].get<std::string>().empty());
    token = page["NextToken"].get<std::string>();
  }
  EXPECT_EQ(pages, 1) << "6 tags at 4 per page: exactly two pages";
  EXPECT_EQ(rows, 6u);
  EXPECT_EQ(seen, expected);

  // One resource in a GET query, flattened ids; everything fits: no NextToken.
  json single = success("ListTagsForResources", {{"ResourceType", "keys"}, {"ResourceIds.1", b}},
                        Has::Result, placed(Placement::Query));
  EXPECT_EQ(names_of(single), std::set<std::string>{"ResourceTags"});
  EXPECT_EQ(single["ResourceTags"].size(), 3u);
}

// ---- #37 DescribeRegions ---------------------------------------------------------------------

TEST_F(OperationsTest, DescribeRegionsListsTheServedRegions) {
  json result = success("DescribeRegions", json::object(), Has::Result);
  EXPECT_EQ(names_of(result), std::set<std::string>{"Regions"});
  json expected = json::array();
  for (const char* region :
       {"cn-beijing", "cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1"}) {
    expected.push_back({{"RegionId", region}});
  }
  EXPECT_EQ(result.value("Regions", json()), expected);
  // Same answer over GET, and from another region (whose name the metadata echoes).
  EXPECT_EQ(success("DescribeRegions", json::object(), Has::Result, placed(Placement::Query)),
            result);
  EXPECT_EQ(success("DescribeRegions", json::object(), Has::Result, in_region(kShanghai)), result);
  // RequestIds of calls within the same second still differ (random suffix).
  auto first = call("DescribeRegions");
  auto second = call("DescribeRegions");
  EXPECT_EQ(first.parsed.meta.request_id.substr(0, 14),
            second.parsed.meta.request_id.substr(0, 14));
  EXPECT_NE(first.parsed.meta.request_id, second.parsed.meta.request_id);
}

}  // namespace
}  // namespace kmsconf::testing
