// Hashes, MACs and randomness over OpenSSL, as raw byte strings.
#pragma once

#include <string>
#include <string_view>

namespace kmsconf {

std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_sha1(std::string_view key, std::string_view data);

// Constant-time equality for MACs and signatures: time depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

std::string random_bytes(size_t count);  // CSPRNG
std::string uuid_v4();                   // lowercase, hyphenated

}  // namespace kmsconf
