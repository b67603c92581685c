// Tags on keys (all-or-nothing batches) and the isolation of accounts.
#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using TagTest = EngineTest;
using AccountTest = EngineTest;
using Tags = std::map<std::string, std::string>;

TEST_F(TagTest, TagAndUntagSeveralKeys) {
  CreateKeyRequest request;
  request.tags = {{"keep", "1"}};
  KeyInfo a = create_key(request);
  KeyInfo b = create_key(request);
  clock_->advance(1s);
  engine_->tag_keys(scope_, {a.id, b.id}, {{"env", "prod"}, {"keep", "2"}});
  EXPECT_EQ(describe(a).tags, (Tags{{"env", "prod"}, {"keep", "2"}})) << "values are replaced";
  EXPECT_EQ(describe(b).tags, (Tags{{"env", "prod"}, {"keep", "2"}}));
  EXPECT_EQ(describe(a).updated, start_time() + 1s);

  engine_->untag_keys(scope_, {a.id}, {"env", "absent"});
  EXPECT_EQ(describe(a).tags, (Tags{{"keep", "2"}})) << "absent names are ignored";
  EXPECT_EQ(describe(b).tags, (Tags{{"env", "prod"}, {"keep", "2"}}));
}

TEST_F(TagTest, BadIdInABatchChangesNothing) {
  KeyInfo a = symmetric_key();
  KeyInfo b = symmetric_key();
  engine_->tag_keys(scope_, {a.id}, {{"old", "1"}});
  clock_->advance(1s);
  const std::string missing = "00000000-0000-4000-8000-000000000000";

  EngineError e = expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->tag_keys(scope_, {a.id, missing, b.id}, {{"new", "1"}});
  });
  EXPECT_EQ(e.detail(), missing);
  EXPECT_EQ(describe(a).tags, (Tags{{"old", "1"}}));
  EXPECT_TRUE(describe(b).tags.empty());
  EXPECT_EQ(describe(a).updated, start_time()) << "not even touched";

  expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->untag_keys(scope_, {a.id, missing}, {"old"});
  });
  EXPECT_EQ(describe(a).tags, (Tags{{"old", "1"}}));

  // A key of another region is as unknown as a made-up id.
  KeyInfo elsewhere = engine_->create_key(in("r2"), {});
  expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->tag_keys(scope_, {a.id, elsewhere.id}, {{"x", "y"}});
  });
  EXPECT_EQ(describe(a).tags, (Tags{{"old", "1"}}));

  expect_engine_error(ErrorKind::InvalidParameter, [&] { engine_->tag_keys(scope_, {}, {}); });
}

TEST_F(TagTest, TagsWorkInEveryState) {
  KeyInfo key = symmetric_key();
  engine_->disable_key(scope_, id_of(key));
  engine_->tag_keys(scope_, {key.id}, {{"a", "b"}});
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  engine_->untag_keys(scope_, {key.id}, {"a"});
  EXPECT_TRUE(describe(key).tags.empty());
}

TEST_F(AccountTest, SameNamesInTwoAccounts) {
  Scope alice{"1000000001", "r1"};
  Scope bob{"1000000002", "r1"};
  for (const Scope& scope : {alice, bob}) {
    engine_->create_keyring(scope, {"ring", "CustomKeyring", "", "default"});
  }
  CreateKeyRequest request;
  request.keyring_name = "ring";
  request.name = "k";
  KeyInfo a = engine_->create_key(alice, request);
  KeyInfo b = engine_->create_key(bob, request);
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(a.account_id, "1000000001");
  EXPECT_EQ(b.account_id, "1000000002");

  EXPECT_EQ(engine_->describe_key(alice, KeySelector::by_name("ring", "k")).id, a.id);
  EXPECT_EQ(engine_->describe_key(bob, KeySelector::by_name("ring", "k")).id, b.id);
  EXPECT_EQ(engine_->list_keyrings(alice).size(), 1u);
  EXPECT_EQ(engine_->list_keys(bob, std::nullopt).size(), 1u);

  // Ids and blobs of one account mean nothing in another.
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->describe_key(bob, id_of(a)); });
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->disable_key(bob, id_of(a)); });
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->tag_keys(bob, {a.id}, {{"x", "y"}}); });
  std::string blob = engine_->encrypt(alice, id_of(a), "alice only", {}).ciphertext_blob;
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->decrypt(bob, blob, {}); });
  EXPECT_EQ(engine_->decrypt(alice, blob, {}).plaintext, "alice only");

  // Deleting in one account leaves the other alone.
  engine_->schedule_key_deletion(alice, id_of(a), 7);
  clock_->advance(7 * kDay);
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->describe_key(alice, id_of(a)); });
  EXPECT_EQ(engine_->describe_key(bob, id_of(b)).state, KeyState::Enabled);
}

TEST_F(AccountTest, ServiceOpenFlag) {
  EXPECT_TRUE(engine_->service_open("never-seen")) << "accounts are open by default";
  engine_->set_service_open("closed", false);
  EXPECT_FALSE(engine_->service_open("closed"));
  EXPECT_TRUE(engine_->service_open(kAccount)) << "only that account";
  engine_->set_service_open("closed", true);
  EXPECT_TRUE(engine_->service_open("closed"));

  // The engine only records the flag; adapters refuse the calls.
  engine_->set_service_open(kAccount, false);
  EXPECT_NO_THROW(symmetric_key());
}

TEST_F(AccountTest, RegionsAndClockAreTheConfiguredOnes) {
  EXPECT_EQ(engine_->regions(), (std::vector<std::string>{"r1", "r2", "r3"}));
  EXPECT_EQ(engine_->clock().now(), start_time());
  clock_->advance(1h);
  EXPECT_EQ(engine_->clock().now(), start_time() + 1h);
}

}  // namespace
}  // namespace kmsconf::engine::testing
