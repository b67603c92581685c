// The frame and look every kmsconf HTML page shares: head, style, header, footer, small parts.
//
// A page is self-contained: inline CSS and script, inline SVG, and a Content-Security-Policy
// meta that forbids any fetch, so it can be archived as a CI artifact and opened anywhere. Text
// from reports and result files goes through html_escape (reports/text.hpp) before it gets here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kmsconf::reports {

// "<!DOCTYPE html>" up to and including "<body>": the CSP, the shared style, then extra_style.
// title is plain text (escaped here).
std::string page_start(std::string_view title, std::string_view extra_style);

// A label and its value, both plain text (escaped where written).
using PageFact = std::pair<std::string, std::string>;

// <header> with the heading, a row of facts, and a nav bar linking to the given section ids
// (pairs of id and label).
std::string page_header(std::string_view heading, const std::vector<PageFact>& facts,
                        const std::vector<PageFact>& nav);

// The footer (plain text), the script (may be empty; must hold no '<') and the closing tags.
std::string page_end(std::string_view footer, std::string_view script);

// value with `digits` decimals, "0" for NaN or infinity (SVG and CSS take no NaN).
std::string format_fixed(double value, int digits);

// 100 * part / whole with one decimal; "0.0" when whole is 0.
std::string percent_text(uint64_t part, uint64_t whole);

// One part of a whole drawn by distribution_bar and listed by legend.
struct Share {
  std::string label;  // plain text
  std::string color;  // CSS colour, written as is (from the program, never from a file)
  uint64_t count = 0;
};

// A horizontal bar split in proportion to the shares (empty ones left out), each part
// titled "label: count (p%)".
std::string distribution_bar(const std::vector<Share>& shares, std::string_view aria_label);

// <ul class="legend"> with a colour swatch and the label of each share; with counts when
// with_counts is set.
std::string legend(const std::vector<Share>& shares, bool with_counts);

// <p class="verdict good|bad|warn">text</p>
std::string verdict_paragraph(std::string_view css_class, std::string_view text);

}  // namespace kmsconf::reports
