// Key versions (§3.3) and aliases (§3.4).
#include "reference_server/alibaba/call.hpp"

namespace kmsconf::server::alibaba {
namespace {

using nlohmann::json;

std::optional<json> create_key_version(Call& call) {
  engine::KeySelector selector = key_selector(call.params);
  auto key = call.engine.describe_key(call.scope, selector);
  if (engine::is_symmetric(key.spec)) {
    throw engine::EngineError::invalid_operation("manual versions are for asymmetric keys");
  }
  auto version = call.engine.create_key_version(call.scope, selector);
  return json{{"KeyVersion", key_version(key, version)}};
}

std::optional<json> list_key_versions(Call& call) {
  Paging page = paging(call.params);
  auto key = call.engine.describe_key(call.scope, key_selector(call.params));
  std::vector<json> rows;
  for (const auto& version : key.versions) rows.push_back(key_version(key, version));
  return paged("KeyVersions", "KeyVersion", rows, page);
}

std::optional<json> describe_key_version(Call& call) {
  engine::KeySelector selector = key_selector(call.params);
  std::string version_id = call.params.required_text("KeyVersionId", kKeyIdRule);
  auto key = call.engine.describe_key(call.scope, selector);
  auto version = call.engine.describe_key_version(call.scope, selector, version_id);
  return json{{"KeyVersion", key_version(key, version)}};
}

json alias_row(const engine::Scope& scope, const engine::AliasInfo& alias) {
  return {{"AliasName", alias.name},
          {"AliasArn", alias_arn(scope, alias.name)},
          {"KeyId", alias.key_id}};
}

std::optional<json> create_alias(Call& call) {
  std::string alias = alias_name(call.params);
  call.engine.create_alias(call.scope, alias, key_selector(call.params));
  return std::nullopt;
}

std::optional<json> update_alias(Call& call) {
  std::string alias = alias_name(call.params);
  call.engine.update_alias(call.scope, alias, key_selector(call.params));
  return std::nullopt;
}

std::optional<json> delete_alias(Call& call) {
  call.engine.delete_alias(call.scope, alias_name(call.params));
  return std::nullopt;
}

std::optional<json> list_aliases(Call& call) {
  Paging page = paging(call.params);
  std::vector<json> rows;
  for (const auto& alias : call.engine.list_aliases(call.scope)) {
    rows.push_back(alias_row(call.scope, alias));
  }
  return paged("Aliases", "Alias", rows, page);
}

std::optional<json> list_aliases_by_key_id(Call& call) {
  Paging page = paging(call.params);
  auto key = call.engine.describe_key(call.scope, key_selector(call.params));
  std::vector<json> rows;
  for (const auto& alias : call.engine.list_aliases(call.scope)) {
    if (alias.key_id == key.id) rows.push_back(alias_row(call.scope, alias));
  }
  return paged("Aliases", "Alias", rows, page);
}

}  // namespace

std::vector<HandlerEntry> version_handlers() {
  return {{"CreateKeyVersion", create_key_version},
          {"ListKeyVersions", list_key_versions},
          {"DescribeKeyVersion", describe_key_version}};
}

std::vector<HandlerEntry> alias_handlers() {
  return {{"CreateAlias", create_alias},
          {"UpdateAlias", update_alias},
          {"DeleteAlias", delete_alias},
          {"ListAliases", list_aliases},
          {"ListAliasesByKeyId", list_aliases_by_key_id}};
}

}  // namespace kmsconf::server::alibaba
