// KeyMetadata and the other result objects of §3.1, selectors of §3.0, paging.
#include <algorithm>

#include "protocol/time_format.hpp"
#include "reference_server/alibaba/call.hpp"
#include "reference_server/alibaba/names.hpp"

namespace kmsconf::server::alibaba {
namespace {

using nlohmann::json;

constexpr std::string_view kAliasPrefix = "alias/";
constexpr std::string_view kReservedAliasPrefix = "alias/acs";

bool alias_char(char c) {
  // The spec publishes no charset; the SDK vectors use '.' (alias/app-key_1.v2), so allow it.
  return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
         c == '.';
}

std::string rotation_state(const engine::KeyInfo& key) {
  if (!key.rotation.enabled) return "Disabled";
  return key.rotation.suspended ? "Suspended" : "Enabled";
}

}  // namespace

engine::KeySelector key_selector(const Params& params, std::string_view name) {
  std::string id = params.required_text(name, kKeyIdRule);
  if (id.starts_with(kAliasPrefix)) return engine::KeySelector::by_alias(id);
  if (id.starts_with("acs:kms:")) {
    size_t slash = id.rfind(":key/");
    if (slash == std::string::npos) {
      throw ParamError(std::string(name), ParamError::Reason::Invalid, "not a key ARN");
    }
    return engine::KeySelector::by_id(id.substr(slash + 5));
  }
  return engine::KeySelector::by_id(id);
}

engine::KeySelector versioned_key_selector(const Params& params) {
  engine::KeySelector selector = key_selector(params);
  selector.version_id = params.required_text("KeyVersionId", kKeyIdRule);
  return selector;
}

engine::EncryptionContext encryption_context(const Params& params, std::string_view name) {
  return params.string_map(name).value_or(engine::EncryptionContext{});
}

std::string alias_name(const Params& params) {
  std::string alias = params.required_text("AliasName", TextRule{1, 255});
  if (!alias.starts_with(kAliasPrefix) || alias.size() == kAliasPrefix.size() ||
      alias.starts_with(kReservedAliasPrefix) ||
      !std::all_of(alias.begin(), alias.end(), alias_char)) {
    throw ParamError("AliasName", ParamError::Reason::Invalid, "alias/ name");
  }
  return alias;
}

std::string key_arn(const engine::KeyInfo& key) {
  return "acs:kms:" + key.region + ":" + key.account_id + ":key/" + key.id;
}

std::string alias_arn(const engine::Scope& scope, const std::string& alias) {
  return "acs:kms:" + scope.region + ":" + scope.account_id + ":" + alias;
}

json key_metadata(const engine::KeyInfo& key, bool with_protection) {
  json out = {
      {"KeyId", key.id},
      {"Arn", key_arn(key)},
      {"Description", key.description},
      {"KeySpec", wire_name(key_specs(), key.spec)},
      {"KeyUsage", wire_name(key_usages(), key.usage)},
      {"KeyState", wire_name(key_states(), key.state)},
      {"Origin", wire_name(origins(), key.origin)},
      {"ProtectionLevel", wire_name(protection_levels(), key.protection)},
      {"Creator", key.creator},
      {"CreationDate", iso8601_utc(key.created)},
      {"AutomaticRotation", rotation_state(key)},
      {"MaterialExpireTime", key.material_expires_at ? iso8601_utc(*key.material_expires_at) : ""}};
  if (!key.versions.empty()) {
    // The due time of the last automatic rotation (symmetric keys), else the newest version's
    // creation: the initial version for a new key (§3.1), a CreateKeyVersion one for an
    // asymmetric key, whose 7-day spacing the docs measure from this field (§3.3).
    out["LastRotationDate"] =
        iso8601_utc(key.rotation.last ? *key.rotation.last : key.versions.back().created);
    if (engine::is_symmetric(key.spec)) out["PrimaryKeyVersion"] = key.versions.back().id;
  }
  if (key.state == engine::KeyState::PendingDeletion && key.delete_at) {
    out["DeleteDate"] = iso8601_utc(*key.delete_at);
  }
  if (key.rotation.enabled) {
    out["RotationInterval"] = std::to_string(key.rotation.interval.count()) + "s";
    if (key.rotation.next) out["NextRotationDate"] = iso8601_utc(*key.rotation.next);
  }
  if (with_protection) {
    out["DeletionProtection"] = key.deletion_protection ? "Enabled" : "Disabled";
    out["DeletionProtectionDescription"] = key.deletion_protection_description;
  }
  if (!key.instance_id.empty()) out["DKMSInstanceId"] = key.instance_id;
  return out;
}

json key_version(const engine::KeyInfo& key, const engine::KeyVersionInfo& version) {
  return {{"KeyId", key.id},
          {"KeyVersionId", version.id},
          {"CreationDate", iso8601_utc(version.created)}};
}

Paging paging(const Params& params) {
  Paging p;
  p.number = static_cast<size_t>(params.integer("PageNumber", 1, 1'000'000).value_or(1));
  p.size = static_cast<size_t>(params.integer("PageSize", 1, 100).value_or(10));
  return p;
}

json paged(const char* outer, const char* inner, const std::vector<json>& all,
           const Paging& paging) {
  PageWindow window = page_window(all.size(), paging.number, paging.size);
  json items = json::array();
  for (size_t i = window.begin; i < window.end; ++i) items.push_back(all[i]);
  return {{outer, {{inner, items}}},
          {"TotalCount", all.size()},
          {"PageNumber", paging.number},
          {"PageSize", paging.size}};
}

}  // namespace kmsconf::server::alibaba
