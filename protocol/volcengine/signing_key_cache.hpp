// Derived Volcengine signing keys cached per thread: the key depends only on (secret, date,
// region, service), so it changes once a day while every request would otherwise pay four HMACs.
#pragma once

#include <string>
#include <string_view>

namespace kmsconf::volcengine {

// derive_signing_key's value, from this thread's cache when it holds it. The cache keeps a few
// entries (a load run or a server sees few secrets at once) and compares secrets in constant
// time.
std::string signing_key(std::string_view secret_access_key, std::string_view date,
                        std::string_view region, std::string_view service);

// Process-wide switch for benchmarks that measure the derivation itself; on by default.
void set_signing_key_cache_enabled(bool enabled);
bool signing_key_cache_enabled();

}  // namespace kmsconf::volcengine
