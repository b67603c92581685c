// protocol/digest: the published test vectors of SHA-256 (FIPS 180-2 examples), HMAC-SHA256
// (RFC 4231, including a key longer than the block) and HMAC-SHA1 (RFC 2202), computed on two
// threads so each thread's own fetched algorithms are exercised.
#include "protocol/digest.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "protocol/encoding.hpp"

namespace kmsconf {
namespace {

void check_vectors() {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231 test case 1.
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // RFC 4231 test case 2: a key shorter than the output.
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 6: a 131-byte key, hashed before use.
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'),
                                   "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // RFC 2202 test case 2 (HMAC-SHA1).
  EXPECT_EQ(hex_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  // RFC 2202 test case 6: an 80-byte key, longer than SHA-1's 64-byte block.
  EXPECT_EQ(hex_encode(hmac_sha1(std::string(80, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(Digest, PublishedVectors) {
  check_vectors();
}

TEST(Digest, PublishedVectorsOnAnotherThread) {
  std::thread other(check_vectors);
  other.join();
  check_vectors();  // and this thread's contexts still work after the other thread's ended
}

}  // namespace
}  // namespace kmsconf
