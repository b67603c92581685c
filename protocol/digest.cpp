#include "protocol/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <stdexcept>

#include "protocol/encoding.hpp"

namespace kmsconf {
namespace {

// OpenSSL 3's one-shot HMAC() and SHA256() look their algorithm up on every call, which costs
// more than hashing a short request. Each thread fetches once and reuses its contexts: signing
// and verifying sit on the load generator's and the server's hot paths.
struct FetchedAlgorithms {
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD_CTX* digest = EVP_MD_CTX_new();
  FetchedAlgorithms() = default;
  FetchedAlgorithms(const FetchedAlgorithms&) = delete;
  FetchedAlgorithms& operator=(const FetchedAlgorithms&) = delete;
  ~FetchedAlgorithms() {
    EVP_MD_CTX_free(digest);
    EVP_MD_free(sha1);
    EVP_MD_free(sha256);
  }
};

FetchedAlgorithms& fetched() {
  thread_local FetchedAlgorithms algorithms;
  if (!algorithms.sha256 || !algorithms.sha1 || !algorithms.digest) {
    throw std::runtime_error("OpenSSL: SHA-256/SHA-1 unavailable");
  }
  return algorithms;
}

std::string digest_with(const EVP_MD* md, std::string_view data) {
  EVP_MD_CTX* ctx = fetched().digest;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestInit_ex(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out, &len) != 1) {
    throw std::runtime_error("digest failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

// HMAC (RFC 2104) over the thread's fetched digest: H((K^opad) || H((K^ipad) || data)).
std::string hmac_with(const EVP_MD* md, std::string_view key, std::string_view data) {
  const int block = EVP_MD_get_block_size(md);
  unsigned char padded[EVP_MAX_MD_SIZE * 2] = {};
  std::string hashed_key;
  if (static_cast<int>(key.size()) > block) {
    hashed_key = digest_with(md, key);
    key = hashed_key;
  }
  std::copy(key.begin(), key.end(), padded);
  unsigned char inner_pad[EVP_MAX_MD_SIZE * 2];
  unsigned char outer_pad[EVP_MAX_MD_SIZE * 2];
  for (int i = 0; i < block; ++i) {
    inner_pad[i] = padded[i] ^ 0x36;
    outer_pad[i] = padded[i] ^ 0x5c;
  }
  EVP_MD_CTX* ctx = fetched().digest;
  unsigned char inner[EVP_MAX_MD_SIZE];
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int inner_len = 0;
  unsigned int len = 0;
  const bool ok =
      EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
      EVP_DigestUpdate(ctx, inner_pad, static_cast<size_t>(block)) == 1 &&
      EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
      EVP_DigestFinal_ex(ctx, inner, &inner_len) == 1 && EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
      EVP_DigestUpdate(ctx, outer_pad, static_cast<size_t>(block)) == 1 &&
      EVP_DigestUpdate(ctx, inner, inner_len) == 1 && EVP_DigestFinal_ex(ctx, out, &len) == 1;
  OPENSSL_cleanse(padded, sizeof padded);
  OPENSSL_cleanse(inner_pad, sizeof inner_pad);
  OPENSSL_cleanse(outer_pad, sizeof outer_pad);
  if (!ok) throw std::runtime_error("HMAC failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string sha256(std::string_view data) {
  return digest_with(fetched().sha256, data);
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(sha256(data));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac_with(fetched().sha256, key, data);
}

std::string hmac_sha1(std::string_view key, std::string_view data) {
  return hmac_with(fetched().sha1, key, data);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t count) {
  std::string out(count, '\0');
  if (count > 0 &&
      RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string uuid_v4() {
  std::string raw = random_bytes(16);
  raw[6] = static_cast<char>((raw[6] & 0x0F) | 0x40);
  raw[8] = static_cast<char>((raw[8] & 0x3F) | 0x80);
  std::string hex = hex_encode(raw);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace kmsconf
