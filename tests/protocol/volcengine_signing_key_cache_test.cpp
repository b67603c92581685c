// The per-thread signing-key cache gives exactly the spec's derived key (§2.3: HMAC chain
// secret -> date -> region -> service -> "request") for every (secret, date, region, service),
// however entries come and go.
#include "protocol/volcengine/signing_key_cache.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/digest.hpp"
#include "protocol/volcengine/signer.hpp"

namespace kmsconf::volcengine {
namespace {

// The chain written out from the spec, independently of derive_signing_key.
std::string spec_key(const std::string& secret, const std::string& date, const std::string& region,
                     const std::string& service) {
  return hmac_sha256(hmac_sha256(hmac_sha256(hmac_sha256(secret, date), region), service),
                     "request");
}

TEST(SigningKeyCache, HitsAndMissesAlwaysGiveTheSpecKey) {
  set_signing_key_cache_enabled(true);
  std::vector<std::string> secrets;
  for (int i = 0; i < 7; ++i) secrets.push_back("secret-number-" + std::to_string(i));
  // Twice round more secrets than the cache holds, interleaving dates and regions.
  for (int round = 0; round < 2; ++round) {
    for (const auto& secret : secrets) {
      for (const char* date : {"20241219", "20241220"}) {
        for (const char* region : {"cn-beijing", "cn-shanghai"}) {
          EXPECT_EQ(signing_key(secret, date, region, "kms"), spec_key(secret, date, region, "kms"))
              << secret << " " << date << " " << region;
          // The same again right away: a hit.
          EXPECT_EQ(signing_key(secret, date, region, "kms"),
                    spec_key(secret, date, region, "kms"));
        }
      }
    }
  }
}

TEST(SigningKeyCache, SecretsThatShareAPrefixAreNotConfused) {
  set_signing_key_cache_enabled(true);
  EXPECT_EQ(signing_key("abc", "20241219", "cn-beijing", "kms"),
            spec_key("abc", "20241219", "cn-beijing", "kms"));
  EXPECT_EQ(signing_key("abcd", "20241219", "cn-beijing", "kms"),
            spec_key("abcd", "20241219", "cn-beijing", "kms"));
  EXPECT_NE(signing_key("abc", "20241219", "cn-beijing", "kms"),
            signing_key("abcd", "20241219", "cn-beijing", "kms"));
  EXPECT_EQ(signing_key("abc", "20241219", "cn-beijing", "iam"),
            spec_key("abc", "20241219", "cn-beijing", "iam"));
}

TEST(SigningKeyCache, DisabledDerivesEveryTimeWithTheSameResult) {
  set_signing_key_cache_enabled(false);
  EXPECT_FALSE(signing_key_cache_enabled());
  EXPECT_EQ(signing_key("s", "20241219", "cn-beijing", "kms"),
            spec_key("s", "20241219", "cn-beijing", "kms"));
  set_signing_key_cache_enabled(true);
  EXPECT_TRUE(signing_key_cache_enabled());
}

}  // namespace
}  // namespace kmsconf::volcengine
