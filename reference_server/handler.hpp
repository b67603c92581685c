// What an operation handler of any dialect receives and returns, plus the list helpers (paging,
// filters) both dialects' list operations share.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference_server/engine/engine.hpp"
#include "reference_server/params.hpp"

namespace kmsconf::server {

struct Call {
  engine::Engine& engine;
  engine::Scope scope;
  const Params& params;
};

// Returns the operation's result object, or nullopt for operations that answer without one.
using Handler = std::optional<nlohmann::json> (*)(Call& call);

struct HandlerEntry {
  std::string_view action;
  Handler handler;
};

// A dialect's handlers by action, gathered from its families (one per handlers_*.cpp).
using HandlerTable = std::map<std::string, Handler, std::less<>>;
using HandlerFamily = std::vector<HandlerEntry> (*)();
HandlerTable handler_table(std::initializer_list<HandlerFamily> families);

// [begin, end) of the 1-based page `page` of `size` items out of `total`.
struct PageWindow {
  size_t begin = 0;
  size_t end = 0;
};
PageWindow page_window(size_t total, size_t page, size_t size);

// A {"Key": k, "Values": [...]} filter; OR within the values, AND across filters.
struct Filter {
  std::string key;
  std::vector<std::string> values;
};

// Reads a filter list (JSON array, JSON string holding one, or flattened) whose keys must be
// among allowed and which hold 1..max_values string values. Throws ParamError naming `name`.
std::vector<Filter> parse_filter_list(const Params& params, std::string_view name,
                                      const std::vector<std::string_view>& allowed,
                                      size_t max_values);
bool matches_any(const Filter& filter, const std::string& value, bool fuzzy);

}  // namespace kmsconf::server
