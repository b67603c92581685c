// What a Volcengine operation handler receives, and the handler table's shape. Handlers parse
// and validate parameters, call the engine, and build the Result object.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "reference_server/engine/engine.hpp"
#include "reference_server/handler.hpp"
#include "reference_server/params.hpp"

namespace kmsconf::server::volcengine {

// One list per operation family (one file each); the adapter merges them into its table.
std::vector<HandlerEntry> keyring_handlers();
std::vector<HandlerEntry> key_handlers();
std::vector<HandlerEntry> symmetric_handlers();
std::vector<HandlerEntry> asymmetric_handlers();
std::vector<HandlerEntry> import_handlers();
std::vector<HandlerEntry> multi_region_handlers();
std::vector<HandlerEntry> tag_handlers();

// Shared parameter rules of spec §3.0.
inline constexpr TextRule kNameRule{2, 31, true};
inline constexpr TextRule kDescriptionRule{0, 8192, false};
inline constexpr TextRule kKeyIdRule{1, 128, false};
inline constexpr TextRule kRegionRule{1, 64, false};

// KeySel: KeyID, or KeyringName + KeyName. Throws ParamError when neither is complete.
engine::KeySelector key_selector(const Params& params);
// RingSel: KeyringID or KeyringName.
engine::KeyringSelector keyring_selector(const Params& params);
engine::EncryptionContext encryption_context(const Params& params, std::string_view name);

// Result objects of spec §3.2.
nlohmann::json key_json(const engine::KeyInfo& key);
nlohmann::json keyring_json(const engine::KeyringInfo& ring);
nlohmann::json page_info(size_t total, size_t page_size, size_t current_page, size_t count);

// Filters of DescribeKeyrings / DescribeKeys (§3.3): fuzzy or exact per key, and date ranges
// given as two "YYYY-MM-DD HH:MM:SS" values in UTC+8.
struct FilterSpec {
  std::string_view key;
  bool fuzzy;  // case-insensitive substring match instead of equality
};
std::vector<Filter> parse_filters(const Params& params, std::string_view name,
                                  const std::vector<FilterSpec>& allowed);
bool matches(const Filter& filter, const std::vector<FilterSpec>& specs, const std::string& value);
bool in_date_range(const Filter& filter, engine::TimePoint t);

}  // namespace kmsconf::server::volcengine
