// Multi-region operations (spec §3.7, seed page ReplicateKey), regions and tags (§3.8).
#include "reference_server/volcengine/call.hpp"

namespace kmsconf::server::volcengine {
namespace {

using nlohmann::json;

std::optional<json> replicate_key(Call& call) {
  std::string region = call.params.required_text("ReplicaRegion", kRegionRule);
  std::string description = call.params.text("Description", kDescriptionRule).value_or("");
  auto tags = call.params.tags("Tags").value_or(std::map<std::string, std::string>{});
  auto replica =
      call.engine.replicate_key(call.scope, key_selector(call.params), region, description, tags);
  return json{{"ReplicaKey", key_json(replica)}};
}

std::optional<json> update_primary_region(Call& call) {
  std::string region = call.params.required_text("PrimaryRegion", kRegionRule);
  call.engine.update_primary_region(call.scope, key_selector(call.params), region);
  return std::nullopt;
}

std::optional<json> describe_regions(Call& call) {
  json regions = json::array();
  for (const auto& region : call.engine.regions()) regions.push_back({{"RegionId", region}});
  return json{{"Regions", regions}};
}

void require_keys_resource(const Params& params) {
  if (params.required_text("ResourceType", TextRule{1, 64}) != "keys") {
    throw ParamError("ResourceType", ParamError::Reason::Invalid, "only keys");
  }
}

std::vector<std::string> resource_ids(const Params& params) {
  auto ids = params.string_list("ResourceIds");
  if (!ids || ids->empty())
    throw ParamError("ResourceIds", ParamError::Reason::Missing, "required");
  return *ids;
}

std::optional<json> tag_resources(Call& call) {
  require_keys_resource(call.params);
  auto tags = call.params.tags("Tags");
  if (!tags || tags->empty()) throw ParamError("Tags", ParamError::Reason::Missing, "required");
  call.engine.tag_keys(call.scope, resource_ids(call.params), *tags);
  return std::nullopt;
}

std::optional<json> untag_resources(Call& call) {
  require_keys_resource(call.params);
  auto keys = call.params.string_list("TagKeys");
  if (!keys || keys->empty()) throw ParamError("TagKeys", ParamError::Reason::Missing, "required");
  call.engine.untag_keys(call.scope, resource_ids(call.params), *keys);
  return std::nullopt;
}

std::optional<json> list_tags_for_resources(Call& call) {
  require_keys_resource(call.params);
  auto max = static_cast<size_t>(call.params.integer("MaxResults", 1, 100).value_or(100));
  size_t offset = 0;
  if (auto token = call.params.text("NextToken", TextRule{1, 32})) {
    if (token->find_first_not_of("0123456789") != std::string::npos || token->size() > 9) {
      throw ParamError("NextToken", ParamError::Reason::Invalid, "not a token of ours");
    }
    offset = std::stoul(*token);
  }
  json rows = json::array();
  for (const auto& id : resource_ids(call.params)) {
    auto key = call.engine.describe_key(call.scope, engine::KeySelector::by_id(id));
    for (const auto& [name, value] : key.tags) {
      rows.push_back(
          {{"ResourceId", id}, {"ResourceType", "keys"}, {"TagKey", name}, {"TagValue", value}});
    }
  }
  json page = json::array();
  for (size_t i = offset; i < rows.size() && page.size() < max; ++i) page.push_back(rows[i]);
  json out{{"ResourceTags", page}};
  if (offset + page.size() < rows.size()) out["NextToken"] = std::to_string(offset + page.size());
  return out;
}

}  // namespace

std::vector<HandlerEntry> multi_region_handlers() {
  return {{"ReplicateKey", replicate_key},
          {"UpdatePrimaryRegion", update_primary_region},
          {"DescribeRegions", describe_regions}};
}

std::vector<HandlerEntry> tag_handlers() {
  return {{"TagResources", tag_resources},
          {"UntagResources", untag_resources},
          {"ListTagsForResources", list_tags_for_resources}};
}

}  // namespace kmsconf::server::volcengine
