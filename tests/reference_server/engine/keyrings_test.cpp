// Keyrings: create, get, list, rename, delete, and the keys that live in them.
#include <string>
#include <vector>

#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using KeyringTest = EngineTest;

CreateKeyringRequest ring(std::string name, std::string description = {}) {
  CreateKeyringRequest request;
  request.name = std::move(name);
  request.description = std::move(description);
  return request;
}

TEST_F(KeyringTest, CreateGetAndList) {
  KeyringInfo a = engine_->create_keyring(scope_, ring("ring-a", "first"));
  clock_->advance(1s);
  KeyringInfo b = engine_->create_keyring(scope_, ring("ring-b"));
  EXPECT_EQ(a.name, "ring-a");
  EXPECT_EQ(a.description, "first");
  EXPECT_EQ(a.type, "CustomKeyring");
  EXPECT_EQ(a.project, "default");
  EXPECT_EQ(a.account_id, kAccount);
  EXPECT_EQ(a.region, "r1");
  EXPECT_EQ(a.created, start_time());
  EXPECT_EQ(a.id.size(), 36u);
  EXPECT_NE(a.id, b.id);

  KeyringInfo by_name = engine_->get_keyring(scope_, {"", "ring-a"});
  KeyringInfo by_id = engine_->get_keyring(scope_, {a.id, ""});
  EXPECT_EQ(by_name.id, a.id);
  EXPECT_EQ(by_id.name, "ring-a");
  EXPECT_EQ(by_id.key_count, 0u);

  auto all = engine_->list_keyrings(scope_);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "ring-a") << "oldest first";
  EXPECT_EQ(all[1].name, "ring-b");
  EXPECT_TRUE(engine_->list_keyrings(in("r2")).empty()) << "keyrings are regional";
}

TEST_F(KeyringTest, ListingKeepsCreationOrderWithinOneClockTick) {
  // A manual clock makes many creations share one timestamp; oldest first still means the
  // order they were created in.
  std::vector<std::string> names;
  for (int i = 0; i < 8; ++i) {
    names.push_back("ring-" + std::to_string(i));
    engine_->create_keyring(scope_, ring(names.back()));
  }
  std::vector<std::string> listed;
  for (const auto& info : engine_->list_keyrings(scope_)) listed.push_back(info.name);
  EXPECT_EQ(listed, names);

  std::vector<std::string> key_ids;
  for (int i = 0; i < 8; ++i) key_ids.push_back(symmetric_key().id);
  std::vector<std::string> listed_keys;
  for (const auto& info : engine_->list_keys(scope_, std::nullopt)) listed_keys.push_back(info.id);
  EXPECT_EQ(listed_keys, key_ids);
}

TEST_F(KeyringTest, NameConflict) {
  engine_->create_keyring(scope_, ring("ring"));
  EngineError e = expect_engine_error(ErrorKind::Conflict,
                                      [&] { engine_->create_keyring(scope_, ring("ring")); });
  EXPECT_EQ(e.subject(), "keyring");
  EXPECT_EQ(e.detail(), "ring");
  // The same name in another region is another keyring.
  EXPECT_NO_THROW(engine_->create_keyring(in("r2"), ring("ring")));
}

TEST_F(KeyringTest, NotFound) {
  EngineError by_name = expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->get_keyring(scope_, {"", "missing"});
  });
  EXPECT_EQ(by_name.subject(), "keyring");
  EXPECT_EQ(by_name.detail(), "missing");
  expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->get_keyring(scope_, {"00000000-0000-4000-8000-000000000000", ""});
  });
  expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->delete_keyring(scope_, {"", "missing"});
  });
  expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->update_keyring(scope_, {"", "missing"}, {});
  });
  expect_engine_error(ErrorKind::NotFound, [&] {
    engine_->list_keys(scope_, KeyringSelector{"", "missing"});
  });
  EngineError empty = expect_engine_error(ErrorKind::InvalidParameter, [&] {
    engine_->get_keyring(scope_, {"", ""});
  });
  EXPECT_EQ(empty.field(), Field::KeyringName);

  CreateKeyRequest key;
  key.keyring_name = "missing";
  key.name = "k";
  EngineError create = expect_engine_error(ErrorKind::NotFound, [&] { create_key(key); });
  EXPECT_EQ(create.subject(), "keyring");
}

TEST_F(KeyringTest, DeleteEmptyAndNonEmpty) {
  engine_->create_keyring(scope_, ring("empty"));
  engine_->delete_keyring(scope_, {"", "empty"});
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->get_keyring(scope_, {"", "empty"}); });

  engine_->create_keyring(scope_, ring("full"));
  CreateKeyRequest request;
  request.keyring_name = "full";
  request.name = "k";
  KeyInfo key = create_key(request);
  EXPECT_EQ(engine_->get_keyring(scope_, {"", "full"}).key_count, 1u);
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->delete_keyring(scope_, {"", "full"});
  });
  EXPECT_NO_THROW(engine_->get_keyring(scope_, {"", "full"})) << "a refused delete changes nothing";

  // Once the key is gone (end of its deletion window) the keyring can go.
  engine_->schedule_key_deletion(scope_, id_of(key), 7);
  expect_engine_error(ErrorKind::InvalidOperation, [&] {
    engine_->delete_keyring(scope_, {"", "full"});
  });
  clock_->advance(7 * kDay);
  EXPECT_EQ(engine_->get_keyring(scope_, {"", "full"}).key_count, 0u);
  EXPECT_NO_THROW(engine_->delete_keyring(scope_, {"", "full"}));
}

TEST_F(KeyringTest, RenameMovesKeysAlong) {
  KeyringInfo original = engine_->create_keyring(scope_, ring("old"));
  CreateKeyRequest request;
  request.keyring_name = "old";
  request.name = "k";
  KeyInfo key = create_key(request);
  EXPECT_EQ(key.keyring_id, original.id);
  EXPECT_EQ(key.keyring_name, "old");

  clock_->advance(1s);
  KeyringUpdate update;
  update.new_name = "new";
  update.description = "renamed";
  engine_->update_keyring(scope_, {"", "old"}, update);

  KeyringInfo renamed = engine_->get_keyring(scope_, {original.id, ""});
  EXPECT_EQ(renamed.name, "new");
  EXPECT_EQ(renamed.description, "renamed");
  EXPECT_EQ(renamed.updated, start_time() + 1s);
  EXPECT_EQ(renamed.created, start_time());
  expect_engine_error(ErrorKind::NotFound, [&] { engine_->get_keyring(scope_, {"", "old"}); });

  EXPECT_EQ(describe(key).keyring_name, "new");
  EXPECT_EQ(engine_->describe_key(scope_, KeySelector::by_name("new", "k")).id, key.id);
  expect_engine_error(ErrorKind::NotFound,
                      [&] { engine_->describe_key(scope_, KeySelector::by_name("old", "k")); });

  // The old name is free again; renaming onto a taken name is a conflict.
  engine_->create_keyring(scope_, ring("old"));
  KeyringUpdate clash;
  clash.new_name = "old";
  EngineError e = expect_engine_error(ErrorKind::Conflict, [&] {
    engine_->update_keyring(scope_, {"", "new"}, clash);
  });
  EXPECT_EQ(e.subject(), "keyring");
  EXPECT_EQ(engine_->get_keyring(scope_, {original.id, ""}).name, "new");

  // Renaming to its own name is not a conflict.
  KeyringUpdate same;
  same.new_name = "new";
  EXPECT_NO_THROW(engine_->update_keyring(scope_, {"", "new"}, same));
}

TEST_F(KeyringTest, ListKeysByKeyring) {
  engine_->create_keyring(scope_, ring("a"));
  engine_->create_keyring(scope_, ring("b"));
  CreateKeyRequest request;
  request.keyring_name = "a";
  request.name = "k1";
  KeyInfo k1 = create_key(request);
  clock_->advance(1s);
  request.name = "k2";
  KeyInfo k2 = create_key(request);
  request.keyring_name = "b";
  request.name = "k1";  // the same key name in another keyring is fine
  KeyInfo k3 = create_key(request);

  auto in_a = engine_->list_keys(scope_, KeyringSelector{"", "a"});
  ASSERT_EQ(in_a.size(), 2u);
  EXPECT_EQ(in_a[0].id, k1.id);
  EXPECT_EQ(in_a[1].id, k2.id);
  auto in_b = engine_->list_keys(scope_, KeyringSelector{"", "b"});
  ASSERT_EQ(in_b.size(), 1u);
  EXPECT_EQ(in_b[0].id, k3.id);
  EXPECT_EQ(engine_->list_keys(scope_, std::nullopt).size(), 3u);
}

}  // namespace
}  // namespace kmsconf::engine::testing
