// Many threads on one key while its state flips: no crash, no torn state, and every result is
// either a success or the documented InvalidKeyState.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/reference_server/engine/engine_fixture.hpp"

namespace kmsconf::engine::testing {
namespace {

using ConcurrencyTest = LayoutTest;
KMSCONF_BOTH_LAYOUTS(ConcurrencyTest);

TEST_P(ConcurrencyTest, CryptoWhileDisablingAndEnabling) {
  constexpr int kWorkers = 4;
  constexpr int kIterations = 300;
  constexpr int kToggles = 300;

  KeyInfo key = symmetric_key();
  const EncryptionContext context{{"thread", "shared"}};
  const std::string known_blob =
      engine_->encrypt(scope_, id_of(key), "known", context).ciphertext_blob;

  std::atomic<int> successes{0};
  std::atomic<int> refused{0};
  std::atomic<int> unexpected{0};
  std::atomic<bool> toggling{true};

  auto worker = [&](int index) {
    const std::string plaintext = "payload-" + std::to_string(index);
    for (int i = 0; i < kIterations; ++i) {
      try {
        if (i % 3 == 0) {
          if (engine_->decrypt(scope_, known_blob, context).plaintext != "known") ++unexpected;
        } else if (i % 3 == 1) {
          auto sealed = engine_->encrypt(scope_, id_of(key), plaintext, context);
          // The key may be disabled between the two calls; both outcomes are fine.
          try {
            if (engine_->decrypt(scope_, sealed.ciphertext_blob, context).plaintext != plaintext) {
              ++unexpected;
            }
          } catch (const EngineError& e) {
            if (e.kind() != ErrorKind::InvalidKeyState) ++unexpected;
          }
        } else {
          DataKey dk = engine_->generate_data_key(scope_, id_of(key), 32, context);
          if (dk.plaintext.size() != 32) ++unexpected;
        }
        ++successes;
      } catch (const EngineError& e) {
        if (e.kind() == ErrorKind::InvalidKeyState && e.state() == KeyState::Disabled) {
          ++refused;
        } else {
          ++unexpected;
        }
      } catch (...) {
        ++unexpected;
      }
    }
  };

  std::thread toggler([&] {
    for (int i = 0; i < kToggles; ++i) {
      try {
        engine_->disable_key(scope_, id_of(key));
        engine_->enable_key(scope_, id_of(key));
        if (i % 50 == 0) engine_->create_key_version(scope_, id_of(key));
      } catch (...) {
        ++unexpected;
      }
    }
    toggling = false;
  });
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) workers.emplace_back(worker, i);
  for (auto& t : workers) t.join();
  toggler.join();

  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(successes.load() + refused.load(), kWorkers * kIterations);
  EXPECT_FALSE(toggling.load());
  KeyInfo final_state = describe(key);
  EXPECT_EQ(final_state.state, KeyState::Enabled);
  EXPECT_EQ(final_state.versions.size(), 1u + (kToggles + 49) / 50);
  EXPECT_EQ(engine_->decrypt(scope_, known_blob, context).plaintext, "known");
}

TEST_P(ConcurrencyTest, IndependentKeysAndAccountsInParallel) {
  constexpr int kThreads = 4;
  constexpr int kKeysPerThread = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Scope scope{"acct-" + std::to_string(t % 2), t < 2 ? "r1" : "r2"};
      for (int i = 0; i < kKeysPerThread; ++i) {
        try {
          KeyInfo key = engine_->create_key(scope, {});
          std::string blob = engine_->encrypt(scope, id_of(key), "x", {}).ciphertext_blob;
          if (engine_->decrypt(scope, blob, {}).plaintext != "x") ++failures;
          engine_->tag_keys(scope, {key.id}, {{"t", std::to_string(t)}});
        } catch (...) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  size_t total = 0;
  for (const char* account : {"acct-0", "acct-1"}) {
    for (const char* region : {"r1", "r2"}) {
      total += engine_->list_keys(Scope{account, region}, std::nullopt).size();
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kKeysPerThread));
}

}  // namespace
}  // namespace kmsconf::engine::testing
