// Checks every HTML page test makes: nothing fetched from the network, tags balanced, counting.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace kmsconf::testing {

inline size_t occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// Every element opened is closed in order (void elements and "/>" aside), with <script> and
// <style> content skipped. Escaped report text holds no '<', so any '<' is markup we wrote.
inline std::vector<std::string> tag_balance_errors(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "input", "br", "hr", "img", "link", "wbr"};
  std::vector<std::string> errors;
  std::vector<std::string> open;
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string::npos) {
    if (html.compare(pos, 2, "<!") == 0) {
      pos = html.find('>', pos);
      if (pos == std::string::npos) break;
      continue;
    }
    const bool closing = html.compare(pos, 2, "</") == 0;
    size_t start = pos + (closing ? 2 : 1);
    size_t end = start;
    while (end < html.size() &&
           (std::isalnum(static_cast<unsigned char>(html[end])) || html[end] == '-')) {
      ++end;
    }
    const std::string name = html.substr(start, end - start);
    if (name.empty()) {
      errors.push_back("stray '<' at " + std::to_string(pos));
      ++pos;
      continue;
    }
    const size_t close = html.find('>', end);
    if (close == std::string::npos) {
      errors.push_back("unterminated tag " + name);
      break;
    }
    if (closing) {
      if (open.empty() || open.back() != name) {
        errors.push_back("</" + name + "> closes " + (open.empty() ? "nothing" : open.back()));
      } else {
        open.pop_back();
      }
    } else if (html[close - 1] != '/' && !kVoid.contains(name)) {
      if (name == "script" || name == "style") {
        const size_t end_tag = html.find("</" + name + ">", close);
        if (end_tag == std::string::npos) {
          errors.push_back("unclosed " + name);
          break;
        }
        pos = end_tag + name.size() + 3;
        continue;
      }
      open.push_back(name);
    }
    pos = close + 1;
  }
  for (const auto& name : open) errors.push_back("unclosed <" + name + ">");
  return errors;
}

// The page fetches nothing: no attribute pointing at a scheme or a protocol-relative URL (local
// "#anchors" only), no CSS import, font or url(), no element that loads, exactly `scripts`
// inline scripts without src, and the Content-Security-Policy that forbids any fetch.
inline void expect_self_contained(const std::string& html, size_t scripts) {
  const std::regex remote(
      R"((?:src|href|action|formaction|poster|srcset|data|xlink:href|background)\s*=\s*["']?\s*(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|//))",
      std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, remote));
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("@font-face"), std::string::npos);
  for (const char* element : {"<link", "<img", "<iframe", "<object", "<embed", "<audio", "<video",
                              "<source", "<base", "<form"}) {
    EXPECT_EQ(html.find(element), std::string::npos) << element;
  }
  EXPECT_EQ(occurrences(html, "<script"), scripts);
  EXPECT_EQ(occurrences(html, "<script>"), scripts);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // Network URLs from the report only ever appear as escaped text.
  EXPECT_EQ(html.find("=\"https://"), std::string::npos);
  EXPECT_EQ(html.find("=\"http://"), std::string::npos);
}

}  // namespace kmsconf::testing
