// Key lifecycle operations (§3.2).
#include "reference_server/alibaba/call.hpp"
#include "reference_server/alibaba/names.hpp"

namespace kmsconf::server::alibaba {
namespace {

using nlohmann::json;

constexpr auto kMinRotation = std::chrono::hours(24 * 7);
constexpr auto kMaxRotation = std::chrono::hours(24 * 730);
constexpr size_t kMaxPolicyBytes = 32768;
constexpr size_t kMaxCreateTags = 20;

std::chrono::seconds rotation_interval(const Params& params) {
  auto text = params.text("RotationInterval", TextRule{2, 16});
  if (!text) throw ParamError("RotationInterval", ParamError::Reason::Missing, "required");
  auto interval = parse_interval(*text);
  if (!interval || *interval < kMinRotation || *interval > kMaxRotation) {
    throw ParamError("RotationInterval", ParamError::Reason::Invalid, "7d..730d");
  }
  return *interval;
}

engine::KeyUsage default_usage(engine::KeySpec spec) {
  bool sign_only = spec == engine::KeySpec::EcP256 || spec == engine::KeySpec::EcP256K;
  return sign_only ? engine::KeyUsage::SignVerify : engine::KeyUsage::EncryptDecrypt;
}

std::optional<json> create_key(Call& call) {
  const Params& p = call.params;
  engine::CreateKeyRequest request;
  request.spec = p.choice("KeySpec", key_specs()).value_or(engine::KeySpec::Aes256);
  request.usage = p.choice("KeyUsage", key_usages()).value_or(default_usage(request.spec));
  request.origin = p.choice("Origin", origins()).value_or(engine::Origin::Kms);
  request.protection =
      p.choice("ProtectionLevel", protection_levels()).value_or(engine::ProtectionLevel::Software);
  request.description = p.text("Description", kDescriptionRule).value_or("");
  request.creator = call.scope.account_id;
  if (request.origin == engine::Origin::External && !engine::is_symmetric(request.spec)) {
    throw ParamError("Origin", ParamError::Reason::Invalid, "EXTERNAL needs a symmetric spec");
  }
  if (p.boolean("EnableAutomaticRotation").value_or(false)) {
    request.rotation_interval = rotation_interval(p);
  }
  request.tags =
      p.tags("Tags", "TagKey", "TagValue").value_or(std::map<std::string, std::string>{});
  if (request.tags.size() > kMaxCreateTags) {
    throw ParamError("Tags", ParamError::Reason::Invalid, "at most 20 tags");
  }
  request.policy = p.text("Policy", TextRule{1, kMaxPolicyBytes}).value_or("");
  request.instance_id = p.text("DKMSInstanceId", TextRule{1, 64}).value_or("");
  return json{{"KeyMetadata", key_metadata(call.engine.create_key(call.scope, request), false)}};
}

std::optional<json> describe_key(Call& call) {
  auto key = call.engine.describe_key(call.scope, key_selector(call.params));
  return json{{"KeyMetadata", key_metadata(key, true)}};
}

// The values a key offers for a ListKeys filter key (§3.2); tags and aliases offer several.
std::vector<std::string> filter_values(const engine::KeyInfo& key, const std::string& name,
                                       const std::vector<engine::AliasInfo>& aliases) {
  if (name == "KeyState") return {std::string(wire_name(key_states(), key.state))};
  if (name == "KeySpec") return {std::string(wire_name(key_specs(), key.spec))};
  if (name == "KeyUsage") return {std::string(wire_name(key_usages(), key.usage))};
  if (name == "ProtectionLevel")
    return {std::string(wire_name(protection_levels(), key.protection))};
  if (name == "CreatorType") return {"User"};
  if (name == "DKMSInstanceId") return {key.instance_id};
  if (name == "keyId") return {key.id};
  if (name == "Creator") return {key.creator};
  std::vector<std::string> out;
  if (name == "AliasName") {
    for (const auto& alias : aliases) {
      if (alias.key_id == key.id) out.push_back(alias.name);
    }
  }
  for (const auto& [tag, value] : key.tags) {
    if (name == "TagKey") out.push_back(tag);
    if (name == "TagValue") out.push_back(value);
  }
  return out;
}

std::optional<json> list_keys(Call& call) {
  static const std::vector<std::string_view> keys{
      "KeyState", "KeySpec",   "KeyUsage", "ProtectionLevel", "CreatorType", "DKMSInstanceId",
      "keyId",    "AliasName", "Creator",  "TagKey",          "TagValue"};
  Paging page = paging(call.params);
  std::vector<Filter> filters = parse_filter_list(call.params, "Filters", keys, 10);
  if (filters.size() > 10) throw ParamError("Filters", ParamError::Reason::Invalid, "at most 10");
  auto aliases = call.engine.list_aliases(call.scope);
  std::vector<json> rows;
  for (const auto& key : call.engine.list_keys(call.scope, std::nullopt)) {
    // Entries with the same Key are ORed together, different Keys ANDed (§3.2).
    std::map<std::string, bool> satisfied;
    for (const auto& filter : filters) {
      bool hit = false;
      for (const auto& value : filter_values(key, filter.key, aliases)) {
        hit = hit || matches_any(filter, value, false);
      }
      satisfied[filter.key] = satisfied[filter.key] || hit;
    }
    bool keep = std::all_of(satisfied.begin(), satisfied.end(), [](auto& s) { return s.second; });
    if (keep) rows.push_back({{"KeyId", key.id}, {"KeyArn", key_arn(key)}});
  }
  return paged("Keys", "Key", rows, page);
}

template <void (engine::Engine::*Transition)(const engine::Scope&, const engine::KeySelector&)>
std::optional<json> transition(Call& call) {
  (call.engine.*Transition)(call.scope, key_selector(call.params));
  return std::nullopt;
}

std::optional<json> schedule_key_deletion(Call& call) {
  auto window = call.params.integer("PendingWindowInDays", INT32_MIN, INT32_MAX);
  if (!window) throw ParamError("PendingWindowInDays", ParamError::Reason::Missing, "required");
  call.engine.schedule_key_deletion(call.scope, key_selector(call.params),
                                    static_cast<int>(*window));
  return std::nullopt;
}

std::optional<json> update_key_description(Call& call) {
  engine::KeyUpdate update;
  update.description = call.params.required_text("Description", kDescriptionRule);
  call.engine.update_key(call.scope, key_selector(call.params), update);
  return std::nullopt;
}

std::optional<json> set_deletion_protection(Call& call) {
  auto enabled = call.params.boolean("EnableDeletionProtection");
  if (!enabled) {
    throw ParamError("EnableDeletionProtection", ParamError::Reason::Missing, "required");
  }
  std::string description =
      call.params.text("DeletionProtectionDescription", kDescriptionRule).value_or("");
  engine::KeySelector selector = call.params.has("ProtectedResourceArn")
                                     ? key_selector(call.params, "ProtectedResourceArn")
                                     : key_selector(call.params);
  call.engine.set_deletion_protection(call.scope, selector, *enabled, description);
  return std::nullopt;
}

std::optional<json> update_rotation_policy(Call& call) {
  auto enabled = call.params.boolean("EnableAutomaticRotation");
  if (!enabled) {
    throw ParamError("EnableAutomaticRotation", ParamError::Reason::Missing, "required");
  }
  engine::KeySelector selector = key_selector(call.params);
  if (*enabled) {
    call.engine.enable_rotation(call.scope, selector, rotation_interval(call.params));
  } else {
    call.engine.disable_rotation(call.scope, selector);
  }
  return std::nullopt;
}

void require_default_policy_name(const Params& params) {
  if (params.text("PolicyName", TextRule{1, 64}).value_or("default") != "default") {
    throw ParamError("PolicyName", ParamError::Reason::Invalid, "only default");
  }
}

std::optional<json> get_key_policy(Call& call) {
  require_default_policy_name(call.params);
  auto key = call.engine.describe_key(call.scope, key_selector(call.params));
  return json{{"Policy", key.policy.empty() ? R"({"Version":"1","Statement":[]})" : key.policy}};
}

std::optional<json> set_key_policy(Call& call) {
  require_default_policy_name(call.params);
  std::string policy = call.params.required_text("Policy", TextRule{1, kMaxPolicyBytes});
  if (nlohmann::json::parse(policy, nullptr, false).is_discarded()) {
    throw ParamError("Policy", ParamError::Reason::Invalid, "not JSON");
  }
  call.engine.set_key_policy(call.scope, key_selector(call.params), policy);
  return std::nullopt;
}

}  // namespace

std::vector<HandlerEntry> key_handlers() {
  using E = engine::Engine;
  return {{"CreateKey", create_key},
          {"DescribeKey", describe_key},
          {"ListKeys", list_keys},
          {"EnableKey", transition<&E::enable_key>},
          {"DisableKey", transition<&E::disable_key>},
          {"ScheduleKeyDeletion", schedule_key_deletion},
          {"CancelKeyDeletion", transition<&E::cancel_key_deletion>},
          {"UpdateKeyDescription", update_key_description},
          {"SetDeletionProtection", set_deletion_protection},
          {"UpdateRotationPolicy", update_rotation_policy},
          {"GetKeyPolicy", get_key_policy},
          {"SetKeyPolicy", set_key_policy}};
}

}  // namespace kmsconf::server::alibaba
