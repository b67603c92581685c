// Result objects of spec §3.2 and the shared selector/filter helpers of §3.0.
#include <algorithm>

#include "protocol/encoding.hpp"
#include "protocol/time_format.hpp"
#include "reference_server/volcengine/call.hpp"
#include "reference_server/volcengine/names.hpp"

namespace kmsconf::server::volcengine {
namespace {

using nlohmann::json;
constexpr int kBeijingOffsetMinutes = 8 * 60;  // string times are +08:00 (§4.9)

std::string trn(const std::string& region, const std::string& account, const std::string& path) {
  return "trn:kms:" + region + ":" + account + ":" + path;
}

std::string key_trn(const engine::KeyInfo& key, const std::string& region) {
  return trn(region, key.account_id, "keyrings/" + key.keyring_name + "/keys/" + key.name);
}

json regional_ref(const engine::KeyInfo& key, const engine::RegionalKeyRef& ref) {
  return {{"Trn", key_trn(key, ref.region)}, {"Region", ref.region}};
}

}  // namespace

engine::KeySelector key_selector(const Params& params) {
  if (auto id = params.text("KeyID", kKeyIdRule)) return engine::KeySelector::by_id(*id);
  auto ring = params.text("KeyringName", kNameRule);
  auto name = params.text("KeyName", kNameRule);
  if (!ring && !name) throw ParamError("KeyID", ParamError::Reason::Missing, "KeyID or names");
  if (!ring) throw ParamError("KeyringName", ParamError::Reason::Missing, "required");
  if (!name) throw ParamError("KeyName", ParamError::Reason::Missing, "required");
  return engine::KeySelector::by_name(*ring, *name);
}

engine::KeyringSelector keyring_selector(const Params& params) {
  if (auto id = params.text("KeyringID", kKeyIdRule)) return {*id, {}};
  auto name = params.text("KeyringName", kNameRule);
  if (!name) throw ParamError("KeyringName", ParamError::Reason::Missing, "required");
  return {{}, *name};
}

engine::EncryptionContext encryption_context(const Params& params, std::string_view name) {
  return params.string_map(name).value_or(engine::EncryptionContext{});
}

json key_json(const engine::KeyInfo& key) {
  json out = {{"ID", key.id},
              {"KeyName", key.name},
              {"KeySpec", wire_name(key_specs(), key.spec)},
              {"KeyUsage", wire_name(key_usages(), key.usage)},
              {"KeyState", wire_name(key_states(), key.state)},
              {"ProtectionLevel", wire_name(protection_levels(), key.protection)},
              {"Origin", wire_name(origins(), key.origin)},
              {"CreationDate", unix_seconds(key.created)},
              {"UpdateDate", unix_millis(key.updated)},
              {"RotationState", key.rotation.enabled ? "Enable" : "Disable"},
              {"Trn", key_trn(key, key.region)},
              {"MultiRegion", key.multi_region.role != engine::MultiRegionRole::None}};
  if (!key.description.empty()) out["Description"] = key.description;
  if (key.rotation.last) {
    out["LastRotationTime"] = rfc3339_nanos(*key.rotation.last, kBeijingOffsetMinutes);
  }
  if (key.rotation.enabled && key.rotation.next) {
    out["ScheduleRotationTime"] = rfc3339_nanos(*key.rotation.next, kBeijingOffsetMinutes);
  }
  if (key.state == engine::KeyState::PendingDeletion && key.delete_at) {
    out["ScheduleDeleteTime"] = rfc3339_nanos(*key.delete_at, kBeijingOffsetMinutes);
  }
  if (key.material_expires_at) {
    out["KeyMaterialExpireTime"] = rfc3339_nanos(*key.material_expires_at, kBeijingOffsetMinutes);
  }
  if (key.multi_region.role != engine::MultiRegionRole::None) {
    json replicas = json::array();
    for (const auto& ref : key.multi_region.replicas) replicas.push_back(regional_ref(key, ref));
    out["MultiRegionConfiguration"] = {
        {"MultiRegionKeyType", wire_name(multi_region_roles(), key.multi_region.role)},
        {"PrimaryKey", regional_ref(key, key.multi_region.primary)},
        {"ReplicaKeys", replicas}};
  }
  if (!key.tags.empty()) {
    json tags = json::array();
    for (const auto& [name, value] : key.tags) tags.push_back({{"Key", name}, {"Value", value}});
    out["Tags"] = tags;
  }
  return out;
}

json keyring_json(const engine::KeyringInfo& ring) {
  json out = {{"ID", ring.id},
              {"KeyringName", ring.name},
              {"KeyringType", ring.type},
              {"UID", ring.account_id},
              {"TRN", trn(ring.region, ring.account_id, "keyrings/" + ring.name)},
              {"CreationDate", unix_seconds(ring.created)},
              {"UpdateDate", unix_millis(ring.updated)}};
  if (!ring.description.empty()) out["Description"] = ring.description;
  return out;
}

json page_info(size_t total, size_t page_size, size_t current_page, size_t count) {
  return {{"TotalCount", total},
          {"PageSize", page_size},
          {"CurrentPage", current_page},
          {"Count", count}};
}

std::vector<Filter> parse_filters(const Params& params, std::string_view name,
                                  const std::vector<FilterSpec>& allowed) {
  std::vector<std::string_view> keys;
  for (const auto& spec : allowed) keys.push_back(spec.key);
  std::vector<Filter> filters = parse_filter_list(params, name, keys, 10);
  for (const auto& filter : filters) {
    bool range = filter.key.ends_with("DateRange");
    if (range &&
        (filter.values.size() != 2 || !parse_wall_time(filter.values[0], kBeijingOffsetMinutes) ||
         !parse_wall_time(filter.values[1], kBeijingOffsetMinutes))) {
      throw ParamError(std::string(name), ParamError::Reason::Invalid, "bad date range");
    }
  }
  return filters;
}

bool matches(const Filter& filter, const std::vector<FilterSpec>& specs, const std::string& value) {
  auto spec = std::find_if(specs.begin(), specs.end(),
                           [&](const FilterSpec& s) { return s.key == filter.key; });
  return matches_any(filter, value, spec != specs.end() && spec->fuzzy);
}

bool in_date_range(const Filter& filter, engine::TimePoint t) {
  auto start = parse_wall_time(filter.values[0], kBeijingOffsetMinutes);
  auto end = parse_wall_time(filter.values[1], kBeijingOffsetMinutes);
  return start && end && *start <= t && t <= *end;
}

}  // namespace kmsconf::server::volcengine
