// Error-message templates with %s placeholders, shared by the dialects' error catalogs.
#pragma once

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

}  // namespace kmsconf
