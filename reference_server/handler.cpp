#include "reference_server/handler.hpp"

#include <algorithm>

namespace kmsconf::server {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

HandlerTable handler_table(std::initializer_list<HandlerFamily> families) {
  HandlerTable table;
  for (HandlerFamily family : families) {
    for (const auto& entry : family()) table.emplace(std::string(entry.action), entry.handler);
  }
  return table;
}

PageWindow page_window(size_t total, size_t page, size_t size) {
  size_t begin = std::min(total, (page - 1) * size);
  return {begin, std::min(total, begin + size)};
}

std::vector<Filter> parse_filter_list(const Params& params, std::string_view name,
                                      const std::vector<std::string_view>& allowed,
                                      size_t max_values) {
  std::vector<Filter> out;
  if (auto text = params.text(name, TextRule{0, 2048}); text && text->empty()) return out;
  auto items = params.list(name);
  if (!items) return out;
  auto bad = [&](const char* why) {
    throw ParamError(std::string(name), ParamError::Reason::Invalid, why);
  };
  for (const auto& item : *items) {
    if (!item.is_object() || !item.contains("Key") || !item["Key"].is_string()) bad("no Key");
    Filter filter{item["Key"].get<std::string>(), {}};
    if (std::find(allowed.begin(), allowed.end(), filter.key) == allowed.end()) bad("unknown Key");
    auto values = item.find("Values");
    if (values == item.end() || !values->is_array() || values->empty() ||
        values->size() > max_values) {
      bad("bad Values");
    }
    for (const auto& value : *values) {
      if (!value.is_string()) bad("Values must be strings");
      filter.values.push_back(value.get<std::string>());
    }
    out.push_back(std::move(filter));
  }
  return out;
}

bool matches_any(const Filter& filter, const std::string& value, bool fuzzy) {
  return std::any_of(filter.values.begin(), filter.values.end(), [&](const std::string& wanted) {
    return fuzzy ? lower(value).find(lower(wanted)) != std::string::npos : value == wanted;
  });
}

}  // namespace kmsconf::server
