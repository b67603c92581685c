// Keyring operations (spec §3.3).
#include "reference_server/volcengine/call.hpp"

namespace kmsconf::server::volcengine {
namespace {

using nlohmann::json;

const std::vector<FilterSpec>& keyring_filters() {
  static const std::vector<FilterSpec> specs{{"KeyringName", true},
                                             {"KeyringType", false},
                                             {"Description", true},
                                             {"CreationDateRange", false},
                                             {"UpdateDateRange", false}};
  return specs;
}

bool keep(const engine::KeyringInfo& ring, const std::vector<Filter>& filters) {
  for (const auto& filter : filters) {
    bool ok = true;
    if (filter.key == "KeyringName") ok = matches(filter, keyring_filters(), ring.name);
    if (filter.key == "KeyringType") ok = matches(filter, keyring_filters(), ring.type);
    if (filter.key == "Description") ok = matches(filter, keyring_filters(), ring.description);
    if (filter.key == "CreationDateRange") ok = in_date_range(filter, ring.created);
    if (filter.key == "UpdateDateRange") ok = in_date_range(filter, ring.updated);
    if (!ok) return false;
  }
  return true;
}

std::optional<json> create_keyring(Call& call) {
  engine::CreateKeyringRequest request;
  request.name = call.params.required_text("KeyringName", kNameRule);
  request.type = call.params.text("KeyringType", TextRule{1, 64}).value_or("CustomKeyring");
  if (request.type != "CustomKeyring") {
    throw ParamError("KeyringType", ParamError::Reason::Invalid, "only CustomKeyring");
  }
  request.description = call.params.text("Description", kDescriptionRule).value_or("");
  request.project = call.params.text("ProjectName", TextRule{1, 64}).value_or("default");
  return json{{"Keyring", keyring_json(call.engine.create_keyring(call.scope, request))}};
}

std::optional<json> describe_keyrings(Call& call) {
  auto page = static_cast<size_t>(call.params.integer("CurrentPage", 1, 1'000'000).value_or(1));
  auto size = static_cast<size_t>(call.params.integer("PageSize", 1, 100).value_or(20));
  auto filters = parse_filters(call.params, "Filters", keyring_filters());
  std::vector<engine::KeyringInfo> rings;
  for (auto& ring : call.engine.list_keyrings(call.scope)) {
    if (keep(ring, filters)) rings.push_back(std::move(ring));
  }
  json items = json::array();
  PageWindow window = page_window(rings.size(), page, size);
  for (size_t i = window.begin; i < window.end; ++i) {
    json item = keyring_json(rings[i]);
    item["KeyCount"] = rings[i].key_count;
    items.push_back(std::move(item));
  }
  size_t count = items.size();
  return json{{"Keyrings", std::move(items)},
              {"PageInfo", page_info(rings.size(), size, page, count)}};
}

std::optional<json> query_keyring(Call& call) {
  engine::KeyringInfo ring = call.engine.get_keyring(call.scope, keyring_selector(call.params));
  json out = keyring_json(ring);
  out["ProjectName"] = ring.project;
  return json{{"Keyring", std::move(out)}};
}

std::optional<json> update_keyring(Call& call) {
  engine::KeyringUpdate update;
  update.description = call.params.text("Description", kDescriptionRule);
  update.new_name = call.params.text("NewKeyringName", kNameRule);
  call.engine.update_keyring(call.scope, keyring_selector(call.params), update);
  return std::nullopt;
}

std::optional<json> delete_keyring(Call& call) {
  call.engine.delete_keyring(call.scope, keyring_selector(call.params));
  return std::nullopt;
}

}  // namespace

std::vector<HandlerEntry> keyring_handlers() {
  return {{"CreateKeyring", create_keyring},
          {"DescribeKeyrings", describe_keyrings},
          {"QueryKeyring", query_keyring},
          {"UpdateKeyring", update_keyring},
          {"DeleteKeyring", delete_keyring}};
}

}  // namespace kmsconf::server::volcengine
