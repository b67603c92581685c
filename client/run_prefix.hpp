// The run prefix every name a run creates carries ("kc-261122t0931-4f2a"), so `kmsconf test
// --sweep` finds what the runner or the load generator left behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kmsconf::client {

// A per-run prefix for every name a case creates, e.g. "kc-261122t0931-4f2a": "kc-", the UTC
// date and time to the minute (yymmddThhmm, lowercase), "-" and 4 random hex digits. Only
// [a-z0-9-], 19 characters, so names built from it stay within the 2-31 character rules.
std::string make_run_prefix(std::chrono::system_clock::time_point now);
std::string make_run_prefix(std::chrono::system_clock::time_point now, std::uint16_t suffix);

// Whether a name or description carries a run prefix of the "kc-" family (make_run_prefix:
// kc-yymmddthhmm-xxxx), anywhere but glued to a preceding letter or digit.
bool has_run_prefix(std::string_view text);
// When the run of the first run prefix in `text` started (UTC, to the minute); nullopt without
// one.
std::optional<std::chrono::system_clock::time_point> run_prefix_time(std::string_view text);

}  // namespace kmsconf::client
