// Key management operations (spec §3.4).
#include "reference_server/volcengine/call.hpp"
#include "reference_server/volcengine/names.hpp"

namespace kmsconf::server::volcengine {
namespace {

using nlohmann::json;

constexpr int64_t kMinRotateDays = 90;
constexpr int64_t kMaxRotateDays = 2560;

std::chrono::seconds days(int64_t n) {
  return std::chrono::hours(24 * n);
}

const std::vector<FilterSpec>& key_filters() {
  static const std::vector<FilterSpec> specs{
      {"KeyName", true},         {"KeySpec", false},  {"Description", true},
      {"KeyState", false},       {"KeyUsage", false}, {"ProtectionLevel", false},
      {"RotateState", false},    {"Origin", false},   {"CreationDateRange", false},
      {"UpdateDateRange", false}};
  return specs;
}

std::string filter_value(const engine::KeyInfo& key, const std::string& name) {
  if (name == "KeyName") return key.name;
  if (name == "KeySpec") return std::string(wire_name(key_specs(), key.spec));
  if (name == "Description") return key.description;
  if (name == "KeyState") return std::string(wire_name(key_states(), key.state));
  if (name == "KeyUsage") return std::string(wire_name(key_usages(), key.usage));
  if (name == "ProtectionLevel") return std::string(wire_name(protection_levels(), key.protection));
  if (name == "RotateState") return key.rotation.enabled ? "Enable" : "Disable";
  if (name == "Origin") return std::string(wire_name(origins(), key.origin));
  return {};
}

bool keep(const engine::KeyInfo& key, const std::vector<Filter>& filters,
          const std::vector<Filter>& tag_filters) {
  for (const auto& filter : filters) {
    if (filter.key == "CreationDateRange") {
      if (!in_date_range(filter, key.created)) return false;
    } else if (filter.key == "UpdateDateRange") {
      if (!in_date_range(filter, key.updated)) return false;
    } else {
      if (!matches(filter, key_filters(), filter_value(key, filter.key))) return false;
    }
  }
  for (const auto& filter : tag_filters) {
    auto tag = key.tags.find(filter.key);
    if (tag == key.tags.end() || !matches_any(filter, tag->second, false)) return false;
  }
  return true;
}

std::vector<Filter> parse_tag_filters(const Params& params) {
  std::vector<Filter> out;
  auto items = params.list("TagFilters");
  if (!items) return out;
  for (const auto& item : *items) {
    if (!item.is_object() || !item.contains("Key") || !item["Key"].is_string() ||
        !item.contains("Values") || !item["Values"].is_array()) {
      throw ParamError("TagFilters", ParamError::Reason::Invalid, "filter");
    }
    Filter filter{item["Key"].get<std::string>(), {}};
    for (const auto& v : item["Values"]) {
      if (!v.is_string()) throw ParamError("TagFilters", ParamError::Reason::Invalid, "filter");
      filter.values.push_back(v.get<std::string>());
    }
    out.push_back(std::move(filter));
  }
  return out;
}

std::optional<json> create_key(Call& call) {
  const Params& p = call.params;
  engine::CreateKeyRequest request;
  request.keyring_name = p.required_text("KeyringName", kNameRule);
  request.name = p.required_text("KeyName", kNameRule);
  request.spec = p.choice("KeySpec", key_specs()).value_or(engine::KeySpec::Aes256);
  request.usage = p.choice("KeyUsage", key_usages()).value_or(engine::KeyUsage::EncryptDecrypt);
  request.protection =
      p.choice("ProtectionLevel", protection_levels()).value_or(engine::ProtectionLevel::Software);
  request.origin = p.choice("Origin", origins()).value_or(engine::Origin::Kms);
  request.description = p.text("Description", kDescriptionRule).value_or("");
  request.multi_region = p.boolean("MultiRegion").value_or(false);
  if (request.multi_region && !request.name.starts_with("mrk-")) {
    throw ParamError("KeyName", ParamError::Reason::Invalid, "multi-region names start mrk-");
  }
  auto rotate = p.text("RotateState", TextRule{1, 16});
  if (rotate && *rotate != "Enable" && *rotate != "Disable") {
    throw ParamError("RotateState", ParamError::Reason::Invalid, "Enable or Disable");
  }
  auto interval = p.integer("RotateInterval", kMinRotateDays, kMaxRotateDays);
  if (rotate == "Enable") request.rotation_interval = days(interval.value_or(365));
  request.tags = p.tags("Tags").value_or(std::map<std::string, std::string>{});
  if (p.has("CustomKeyStoreID") || p.has("XksKeyID")) {
    throw ParamError("CustomKeyStoreID", ParamError::Reason::Invalid, "XKS not supported");
  }
  return json{{"Key", key_json(call.engine.create_key(call.scope, request))}};
}

std::optional<json> describe_key(Call& call) {
  return json{{"Key", key_json(call.engine.describe_key(call.scope, key_selector(call.params)))}};
}

std::optional<json> describe_keys(Call& call) {
  const Params& p = call.params;
  auto page = static_cast<size_t>(p.integer("CurrentPage", 1, 1'000'000).value_or(1));
  auto size = static_cast<size_t>(p.integer("PageSize", 1, 100).value_or(20));
  auto filters = parse_filters(p, "Filters", key_filters());
  auto tag_filters = parse_tag_filters(p);
  std::optional<engine::KeyringSelector> ring;
  if (p.has("KeyringID") || p.has("KeyringName")) ring = keyring_selector(p);
  std::vector<engine::KeyInfo> keys;
  for (auto& key : call.engine.list_keys(call.scope, ring)) {
    if (keep(key, filters, tag_filters)) keys.push_back(std::move(key));
  }
  json items = json::array();
  PageWindow window = page_window(keys.size(), page, size);
  for (size_t i = window.begin; i < window.end; ++i) items.push_back(key_json(keys[i]));
  size_t count = items.size();
  return json{{"Keys", std::move(items)}, {"PageInfo", page_info(keys.size(), size, page, count)}};
}

std::optional<json> update_key(Call& call) {
  engine::KeyUpdate update;
  update.new_name = call.params.text("NewKeyName", kNameRule);
  update.description = call.params.text("Description", kDescriptionRule);
  call.engine.update_key(call.scope, key_selector(call.params), update);
  return std::nullopt;
}

template <void (engine::Engine::*Transition)(const engine::Scope&, const engine::KeySelector&)>
std::optional<json> transition(Call& call) {
  (call.engine.*Transition)(call.scope, key_selector(call.params));
  return std::nullopt;
}

std::optional<json> schedule_key_deletion(Call& call) {
  // Range is the engine's (configurable); any integer is parsed here.
  auto window = call.params.integer("PendingWindowInDays", INT32_MIN, INT32_MAX).value_or(7);
  call.engine.schedule_key_deletion(call.scope, key_selector(call.params),
                                    static_cast<int>(window));
  return std::nullopt;
}

std::optional<json> enable_key_rotation(Call& call) {
  auto interval = call.params.integer("RotateInterval", kMinRotateDays, kMaxRotateDays);
  call.engine.enable_rotation(call.scope, key_selector(call.params), days(interval.value_or(365)));
  return std::nullopt;
}

}  // namespace

std::vector<HandlerEntry> key_handlers() {
  using E = engine::Engine;
  return {{"CreateKey", create_key},
          {"DescribeKey", describe_key},
          {"DescribeKeys", describe_keys},
          {"UpdateKey", update_key},
          {"EnableKey", transition<&E::enable_key>},
          {"DisableKey", transition<&E::disable_key>},
          {"ScheduleKeyDeletion", schedule_key_deletion},
          {"CancelKeyDeletion", transition<&E::cancel_key_deletion>},
          {"ArchiveKey", transition<&E::archive_key>},
          {"CancelArchiveKey", transition<&E::cancel_archive_key>},
          {"EnableKeyRotation", enable_key_rotation},
          {"DisableKeyRotation", transition<&E::disable_rotation>}};
}

}  // namespace kmsconf::server::volcengine
