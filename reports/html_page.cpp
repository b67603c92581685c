// The shared frame and look of kmsconf's HTML pages (html_page.hpp).
#include "reports/html_page.hpp"

#include <cmath>
#include <cstdio>

#include "reports/text.hpp"

namespace kmsconf::reports {
namespace {

// What every page looks like; each page adds the style of its own parts.
constexpr std::string_view kSharedStyle = R"CSS(
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121; }
body { margin: 0 auto; max-width: 1200px; padding: 0 16px 48px; background: #fafafa; }
header { border-bottom: 1px solid #ddd; margin-bottom: 8px; }
h1 { font-size: 1.6em; margin: 16px 0 8px; }
h2 { font-size: 1.25em; border-bottom: 1px solid #e0e0e0; padding-bottom: 4px; margin-top: 28px; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0 0 8px; }
.meta div { display: flex; gap: 6px; }
.meta dt { color: #757575; }
.meta dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
nav { margin: 8px 0; display: flex; flex-wrap: wrap; gap: 16px; }
nav a { color: #1565c0; text-decoration: none; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.verdict { font-weight: 600; padding: 8px 12px; border-radius: 4px; }
.verdict.good { background: #e8f5e9; color: #1b5e20; }
.verdict.bad { background: #ffebee; color: #b71c1c; }
.verdict.warn { background: #f3e5f5; color: #4a148c; }
.bar { display: flex; height: 22px; border-radius: 4px; overflow: hidden; background: #eee; }
.bar .segment { display: block; height: 100%; }
table { border-collapse: collapse; margin: 8px 0; background: #fff; }
th, td { border: 1px solid #e0e0e0; padding: 3px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #bdbdbd; }
.badge { display: inline-block; min-width: 4.5em; text-align: center; border-radius: 3px;
  color: #fff; font-size: 0.8em; font-weight: 600; padding: 1px 4px; }
.plots { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
figure { margin: 0; }
figcaption { color: #616161; font-size: 0.9em; }
.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.axis { font-size: 10px; fill: #616161; }
pre { background: #f5f5f5; padding: 8px; overflow-x: auto; white-space: pre-wrap;
  word-break: break-all; margin: 4px 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
.facts dt { color: #757575; } .facts dd { margin: 0; }
.empty { color: #9e9e9e; }
footer { margin-top: 32px; color: #9e9e9e; font-size: 0.85em; }
)CSS";

}  // namespace

std::string page_start(std::string_view title, std::string_view extra_style) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
         "base-uri 'none'; form-action 'none'\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n<title>" +
         html_escape(title) + "</title>\n<style>" + std::string(kSharedStyle) +
         std::string(extra_style) + "</style>\n</head>\n<body>\n";
}

std::string page_header(std::string_view heading, const std::vector<PageFact>& facts,
                        const std::vector<PageFact>& nav) {
  std::string out = "<header>\n<h1>" + html_escape(heading) + "</h1>\n<dl class=\"meta\">\n";
  for (const auto& [label, value] : facts) {
    out += "<div><dt>" + html_escape(label) + "</dt><dd>" + html_escape(value) + "</dd></div>\n";
  }
  out += "</dl>\n<nav>";
  for (const auto& [id, label] : nav) {
    out += "<a href=\"#" + html_escape(id) + "\">" + html_escape(label) + "</a> ";
  }
  out += "</nav>\n</header>\n";
  return out;
}

std::string page_end(std::string_view footer, std::string_view script) {
  std::string out = "<footer>" + html_escape(footer) + "</footer>\n";
  if (!script.empty()) out += "<script>" + std::string(script) + "</script>\n";
  return out + "</body>\n</html>\n";
}

std::string format_fixed(double value, int digits) {
  if (!std::isfinite(value)) return "0";
  char buffer[512];  // holds any finite double in %f
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string percent_text(uint64_t part, uint64_t whole) {
  if (whole == 0) return "0.0";
  return format_fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1);
}

std::string distribution_bar(const std::vector<Share>& shares, std::string_view aria_label) {
  uint64_t total = 0;
  for (const Share& share : shares) total += share.count;
  std::string out =
      "<div class=\"bar\" role=\"img\" aria-label=\"" + html_escape(aria_label) + "\">";
  for (const Share& share : shares) {
    if (share.count == 0) continue;
    const std::string part = percent_text(share.count, total);
    out += "<span class=\"segment\" style=\"width:" + part + "%;background:" + share.color +
           "\" title=\"" + html_escape(share.label) + ": " + std::to_string(share.count) + " (" +
           part + "%)\"></span>";
  }
  return out + "</div>\n";
}

std::string legend(const std::vector<Share>& shares, bool with_counts) {
  std::string out = "<ul class=\"legend\">";
  for (const Share& share : shares) {
    out += "<li><span class=\"swatch\" style=\"background:" + share.color + "\"></span>" +
           html_escape(share.label);
    if (with_counts) out.append(" ").append(std::to_string(share.count));
    out += "</li>";
  }
  return out + "</ul>";
}

std::string verdict_paragraph(std::string_view css_class, std::string_view text) {
  return "<p class=\"verdict " + std::string(css_class) + "\">" + html_escape(text) + "</p>\n";
}

}  // namespace kmsconf::reports
