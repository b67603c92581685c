// Error-message templates with %s placeholders and the catalog order check, shared by the
// dialects' error catalogs.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

namespace kmsconf {

inline constexpr std::string_view kMessagePlaceholder = "%s";

// Fills pattern's %s placeholders in order from args (any range of string-like values); missing
// arguments become empty, extra ones are ignored, and argument text is never re-scanned for
// placeholders.
template <typename Args>
std::string fill_placeholders(std::string_view pattern, const Args& args) {
  std::string out;
  out.reserve(pattern.size() + 32);
  auto next_arg = std::begin(args);
  size_t pos = 0;
  for (size_t hit; (hit = pattern.find(kMessagePlaceholder, pos)) != std::string_view::npos;) {
    out.append(pattern.substr(pos, hit - pos));
    if (next_arg != std::end(args)) out.append(*next_arg++);
    pos = hit + kMessagePlaceholder.size();
  }
  out.append(pattern.substr(pos));
  return out;
}

// True when entry i of the catalog holds the i-th code, so a code indexes its own entry.
template <typename Catalog>
constexpr bool is_indexed_by_code(const Catalog& catalog) {
  for (std::size_t i = 0; i < std::size(catalog); ++i) {
    if (static_cast<std::size_t>(catalog[i].code) != i) return false;
  }
  return true;
}

}  // namespace kmsconf
