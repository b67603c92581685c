// Tags (§3.8: the per-key and the batch APIs) and account/service calls (§3.9).
#include "reference_server/alibaba/call.hpp"

namespace kmsconf::server::alibaba {
namespace {

using nlohmann::json;

constexpr size_t kMaxTagsPerCall = 10;  // TagResource
constexpr size_t kMaxBatchTags = 20;    // TagResources / UntagResources
constexpr size_t kMaxBatchResources = 50;
constexpr size_t kTagRowsPerPage = 200;

void check_tag_text(const std::string& text, const char* param, bool is_key) {
  if (text.size() > 128 ||
      (is_key && (text.empty() || text.starts_with("aliyun") || text.starts_with("acs:")))) {
    throw ParamError(param, ParamError::Reason::Invalid, "tag key or value");
  }
}

std::map<std::string, std::string> checked_tags(std::map<std::string, std::string> tags,
                                                const char* param, size_t limit) {
  if (tags.empty() || tags.size() > limit) {
    throw ParamError(param, ParamError::Reason::Invalid, "tag count");
  }
  for (const auto& [key, value] : tags) {
    check_tag_text(key, param, true);
    check_tag_text(value, param, false);
  }
  return tags;
}

std::string resolve_id(Call& call, const engine::KeySelector& selector) {
  return call.engine.describe_key(call.scope, selector).id;
}

std::optional<json> tag_resource(Call& call) {
  auto tags = call.params.tags("Tags", "TagKey", "TagValue");
  if (!tags) throw ParamError("Tags", ParamError::Reason::Missing, "required");
  std::string id = resolve_id(call, key_selector(call.params));
  call.engine.tag_keys(call.scope, {id}, checked_tags(*tags, "Tags", kMaxTagsPerCall));
  return std::nullopt;
}

std::optional<json> untag_resource(Call& call) {
  auto keys = call.params.string_list("TagKeys");
  if (!keys || keys->empty()) throw ParamError("TagKeys", ParamError::Reason::Missing, "required");
  std::string id = resolve_id(call, key_selector(call.params));
  call.engine.untag_keys(call.scope, {id}, *keys);
  return std::nullopt;
}

std::optional<json> list_resource_tags(Call& call) {
  auto key = call.engine.describe_key(call.scope, key_selector(call.params));
  json rows = json::array();
  for (const auto& [name, value] : key.tags) {
    rows.push_back({{"KeyId", key.id}, {"TagKey", name}, {"TagValue", value}});
  }
  return json{{"Tags", {{"Tag", rows}}}};
}

// Batch APIs: RegionId and ResourceType=key are required; ResourceId.N names up to 50 keys.
std::vector<std::string> batch_resources(const Params& params, bool required) {
  params.required_text("RegionId", TextRule{1, 64});
  if (params.required_text("ResourceType", TextRule{1, 16}) != "key") {
    throw ParamError("ResourceType", ParamError::Reason::Invalid, "only key");
  }
  auto ids = params.string_list("ResourceId").value_or(std::vector<std::string>{});
  if (required && ids.empty()) {
    throw ParamError("ResourceId.1", ParamError::Reason::Missing, "required");
  }
  if (ids.size() > kMaxBatchResources) {
    throw ParamError("ResourceId", ParamError::Reason::Invalid, "1..50 resource ids");
  }
  return ids;
}

std::optional<json> tag_resources(Call& call) {
  auto ids = batch_resources(call.params, true);
  auto tags = call.params.tags("Tag");
  if (!tags) throw ParamError("Tag", ParamError::Reason::Missing, "required");
  call.engine.tag_keys(call.scope, ids, checked_tags(*tags, "Tag", kMaxBatchTags));
  return std::nullopt;
}

std::optional<json> untag_resources(Call& call) {
  auto ids = batch_resources(call.params, true);
  auto keys = call.params.string_list("TagKey").value_or(std::vector<std::string>{});
  bool all = call.params.boolean("All").value_or(false);
  if (all == !keys.empty() || keys.size() > kMaxBatchTags) {
    throw ParamError("TagKey", ParamError::Reason::Invalid, "TagKey.N or All, not both");
  }
  if (all) {
    for (const auto& id : ids) {
      auto key = call.engine.describe_key(call.scope, engine::KeySelector::by_id(id));
      for (const auto& [name, value] : key.tags) keys.push_back(name);
    }
  }
  call.engine.untag_keys(call.scope, ids, keys);
  return std::nullopt;
}

std::optional<json> list_tag_resources(Call& call) {
  auto ids = batch_resources(call.params, false);
  auto wanted = call.params.tags("Tag").value_or(std::map<std::string, std::string>{});
  size_t offset = 0;
  if (auto token = call.params.text("NextToken", TextRule{0, 16}); token && !token->empty()) {
    if (token->find_first_not_of("0123456789") != std::string::npos || token->size() > 9) {
      throw ParamError("NextToken", ParamError::Reason::Invalid, "not a token of ours");
    }
    offset = std::stoul(*token);
  }
  std::vector<engine::KeyInfo> keys;
  if (ids.empty()) {
    keys = call.engine.list_keys(call.scope, std::nullopt);
  } else {
    for (const auto& id : ids)
      keys.push_back(call.engine.describe_key(call.scope, engine::KeySelector::by_id(id)));
  }
  std::vector<json> rows;
  for (const auto& key : keys) {
    for (const auto& [name, value] : key.tags) {
      auto filter = wanted.find(name);
      if (!wanted.empty() &&
          (filter == wanted.end() || (!filter->second.empty() && filter->second != value))) {
        continue;
      }
      rows.push_back(
          {{"ResourceId", key.id}, {"ResourceType", "key"}, {"TagKey", name}, {"TagValue", value}});
    }
  }
  json page = json::array();
  for (size_t i = offset; i < rows.size() && page.size() < kTagRowsPerPage; ++i) {
    page.push_back(rows[i]);
  }
  size_t next = offset + page.size();
  return json{{"TagResources", {{"TagResource", page}}},
              {"NextToken", next < rows.size() ? std::to_string(next) : ""}};
}

std::optional<json> describe_regions(Call& call) {
  json regions = json::array();
  for (const auto& region : call.engine.regions()) regions.push_back({{"RegionId", region}});
  return json{{"Regions", {{"Region", regions}}}};
}

std::optional<json> describe_account_kms_status(Call& call) {
  bool open = call.engine.service_open(call.scope.account_id);
  return json{{"AccountStatus", open ? "Enabled" : "NotEnabled"}};
}

}  // namespace

std::vector<HandlerEntry> tag_handlers() {
  return {{"TagResource", tag_resource},
          {"UntagResource", untag_resource},
          {"ListResourceTags", list_resource_tags},
          {"TagResources", tag_resources},
          {"UntagResources", untag_resources},
          {"ListTagResources", list_tag_resources}};
}

std::vector<HandlerEntry> account_handlers() {
  return {{"DescribeRegions", describe_regions},
          {"DescribeAccountKmsStatus", describe_account_kms_status}};
}

}  // namespace kmsconf::server::alibaba
