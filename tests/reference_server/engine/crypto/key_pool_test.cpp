// Tests of the pre-generated RSA key pool and of KeySource, which hands each pooled pair out
// once per source and then falls back to generating.
#include "reference_server/engine/crypto/key_pool.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "protocol/encoding.hpp"
#include "reference_server/engine/crypto/crypto.hpp"

namespace kmsconf::engine::crypto {
namespace {

const std::string kRepoPool = KMSCONF_SOURCE_DIR "/fixtures/keypool/rsa-test-keys.pem";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first `count` PEM blocks of the repo's pool (RSA-2048 come first).
std::string first_blocks(size_t count) {
  std::string text = read_file(kRepoPool);
  size_t end = 0;
  for (size_t i = 0; i < count; ++i) {
    end = text.find("-----END PRIVATE KEY-----", end);
    if (end == std::string::npos) return {};
    end = text.find('\n', end) + 1;
  }
  return text.substr(0, end);
}

std::string message_of_parse(const std::string& pem) {
  try {
    KeyPool::parse(pem, "pool.pem");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(KeyPool, RepoPoolHoldsDistinctWorkingPairsOfEachRsaSize) {
  auto pool = KeyPool::load(kRepoPool);
  // The suites draw about 140 RSA-2048 pairs per in-process server; the rest is headroom.
  EXPECT_GE(pool->pairs(KeySpec::Rsa2048).size(), 180u);
  EXPECT_GE(pool->pairs(KeySpec::Rsa3072).size(), 10u);
  EXPECT_GE(pool->pairs(KeySpec::Rsa4096).size(), 5u);
  EXPECT_TRUE(pool->pairs(KeySpec::EcP256).empty());
  std::set<std::string> public_keys;
  for (KeySpec spec : {KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096}) {
    for (const auto& pair : pool->pairs(spec)) {
      EXPECT_EQ(spec_of(*pair), spec);
      public_keys.insert(public_key_der(*pair));
    }
  }
  EXPECT_EQ(public_keys.size(), pool->size()) << "a pair appears twice in the pool";
  // A pooled pair signs and verifies like a generated one.
  const auto& pair = pool->pairs(KeySpec::Rsa3072).front();
  std::string signature = sign(*pair, SigningAlgorithm::RsaPssSha256, MessageType::Raw, "m");
  EXPECT_TRUE(verify(*pair, SigningAlgorithm::RsaPssSha256, MessageType::Raw, "m", signature));
  EXPECT_FALSE(verify(*pair, SigningAlgorithm::RsaPssSha256, MessageType::Raw, "n", signature));
}

TEST(KeyPool, TextOutsideBlocksIsIgnored) {
  auto pool = KeyPool::parse("header line\n" + first_blocks(2) + "trailer\n", "pool.pem");
  EXPECT_EQ(pool->size(), 2u);
  EXPECT_EQ(KeyPool::parse("no keys here\n", "empty.pem")->size(), 0u);
}

TEST(KeyPool, BrokenBlockIsNamedByFileAndLine) {
  std::string good = first_blocks(1);
  size_t lines = static_cast<size_t>(std::count(good.begin(), good.end(), '\n'));
  std::string broken = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  std::string message = message_of_parse(good + broken);
  EXPECT_EQ(message,
            "pool.pem:" + std::to_string(lines + 1) + ": not an unencrypted PEM private key");
}

// A pair listed twice would give two keys of one server the same material.
TEST(KeyPool, ARepeatedPairIsRefused) {
  std::string two = first_blocks(2);
  std::string first = first_blocks(1);
  first = first.substr(first.find("-----BEGIN"));  // the block alone, without the file's header
  size_t lines = static_cast<size_t>(std::count(two.begin(), two.end(), '\n'));
  EXPECT_EQ(message_of_parse(two + first), "pool.pem:" + std::to_string(lines + 1) +
                                               ": the same key pair appears earlier in the file");
}

// An encrypted block fails with the file and line; OpenSSL must not prompt for a passphrase
// (a prompt would hang a server starting in CI).
TEST(KeyPool, AnEncryptedKeyIsRefusedWithoutAPrompt) {
  auto pool = KeyPool::parse(first_blocks(1), "one.pem");
  const KeyMaterial& pair = *pool->pairs(KeySpec::Rsa2048).front();
  std::string der = fingerprint(pair);  // PKCS#8 DER, unencrypted
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* pkey = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(pkey, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  const char kPassphrase[] = "pool-passphrase";
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(bio, pkey, EVP_aes_256_cbc(), kPassphrase,
                                    static_cast<int>(sizeof kPassphrase - 1), nullptr, nullptr),
      1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string encrypted(data, static_cast<size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  ASSERT_NE(encrypted.find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(message_of_parse("# header\n" + encrypted),
            "pool.pem:2: not an unencrypted PEM private key");
}

TEST(KeyPool, NonRsaKeyIsRefused) {
  KeyMaterialPtr ec = generate(KeySpec::EcP256);
  std::string der = fingerprint(*ec);  // PKCS#8 DER
  std::string pem = "-----BEGIN PRIVATE KEY-----\n";
  std::string b64 = base64_encode(der);
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END PRIVATE KEY-----\n";
  EXPECT_EQ(message_of_parse(pem), "pool.pem:1: not an RSA-2048, -3072 or -4096 key");
}

TEST(KeyPool, UnreadableFileIsNamed) {
  try {
    KeyPool::load("/nonexistent/pool.pem");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/pool.pem: cannot read the key pool file");
  }
}

TEST(KeySource, HandsOutEachPooledPairOnceThenGenerates) {
  auto pool = KeyPool::parse(first_blocks(2), "two.pem");
  ASSERT_EQ(pool->pairs(KeySpec::Rsa2048).size(), 2u);
  KeySource source(pool);
  KeyMaterialPtr first = source.generate(KeySpec::Rsa2048);
  KeyMaterialPtr second = source.generate_wrapping_key(WrappingKeySpec::Rsa2048);
  EXPECT_EQ(first, pool->pairs(KeySpec::Rsa2048)[0]);
  EXPECT_EQ(second, pool->pairs(KeySpec::Rsa2048)[1]);
  EXPECT_EQ(source.counts().pooled, 2u);
  EXPECT_EQ(source.counts().generated, 0u);

  KeyMaterialPtr third = source.generate(KeySpec::Rsa2048);  // the pool is used up
  EXPECT_EQ(spec_of(*third), KeySpec::Rsa2048);
  EXPECT_NE(public_key_der(*third), public_key_der(*first));
  EXPECT_NE(public_key_der(*third), public_key_der(*second));
  EXPECT_EQ(source.counts().pooled, 2u);
  EXPECT_EQ(source.counts().generated, 1u);
}

TEST(KeySource, EachSourceHasTheWholePool) {
  auto pool = KeyPool::parse(first_blocks(1), "one.pem");
  KeySource a(pool);
  KeySource b(pool);
  EXPECT_EQ(a.generate(KeySpec::Rsa2048), b.generate(KeySpec::Rsa2048));
}

TEST(KeySource, OtherSpecsAndNoPoolAlwaysGenerate) {
  auto pool = KeyPool::parse(first_blocks(1), "one.pem");
  KeySource source(pool);
  KeyMaterialPtr ec = source.generate(KeySpec::EcP256);
  KeyMaterialPtr aes = source.generate(KeySpec::Aes256);
  KeyMaterialPtr sm2 = source.generate_wrapping_key(WrappingKeySpec::EcSm2);
  EXPECT_EQ(spec_of(*ec), KeySpec::EcP256);
  EXPECT_EQ(spec_of(*aes), KeySpec::Aes256);
  EXPECT_EQ(spec_of(*sm2), KeySpec::EcSm2);
  EXPECT_EQ(source.counts().pooled, 0u);  // cheap specs are not counted as pool misses
  EXPECT_EQ(source.counts().generated, 0u);

  KeySource without_pool;
  EXPECT_EQ(spec_of(*without_pool.generate(KeySpec::Rsa2048)), KeySpec::Rsa2048);
  EXPECT_EQ(without_pool.counts().generated, 1u);
}

}  // namespace
}  // namespace kmsconf::engine::crypto
