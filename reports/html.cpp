// The conformance report as one HTML page (html.hpp).
#include "reports/html.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "reports/html_page.hpp"
#include "reports/text.hpp"

namespace kmsconf::reports {
namespace {

using conformance::CaseResult;
using conformance::Outcome;
using conformance::RunReport;

constexpr const auto& kOutcomes = conformance::kAllOutcomes;
constexpr size_t kMaxExchangePart = 64 * 1024;  // per request / response shown in the page

std::string esc(std::string_view text) {
  return html_escape(text);
}
std::string name(Outcome outcome) {
  return std::string(outcome_label(outcome));
}

size_t outcome_index(Outcome outcome) {
  for (size_t i = 0; i < kOutcomes.size(); ++i) {
    if (kOutcomes[i] == outcome) return i;
  }
  return 0;
}

const char* color(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass:
      return "#2e7d32";
    case Outcome::Fail:
      return "#c62828";
    case Outcome::Error:
      return "#6a1b9a";
    case Outcome::Skip:
      return "#f9a825";
    case Outcome::Disabled:
      return "#9e9e9e";
    case Outcome::XFail:
      return "#00838f";
    case Outcome::XPass:
      return "#ef6c00";
    case Outcome::NotRun:
      return "#5d4037";
  }
  return "#000000";
}

const char* meaning(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass:
      return "every expectation held";
    case Outcome::Fail:
      return "an expectation broke";
    case Outcome::Error:
      return "the runner could not run the case";
    case Outcome::Skip:
      return "a step before the checking one failed";
    case Outcome::Disabled:
      return "a required feature is off";
    case Outcome::XFail:
      return "expected failure: listed, and failed";
    case Outcome::XPass:
      return "listed as expected failure but passed: the list is stale";
    case Outcome::NotRun:
      return "never started: the run stopped first";
  }
  return "";
}

std::string number(double value) {
  return format_fixed(value, 2);
}

std::string percent(size_t part, size_t whole) {
  return percent_text(part, whole);
}

std::string milliseconds(std::chrono::milliseconds elapsed) {
  return std::to_string(elapsed.count()) + " ms";
}

bool has_tag(const CaseResult& result, std::string_view tag) {
  return std::find(result.tags.begin(), result.tags.end(), tag) != result.tags.end();
}

// An exact-match filter token "key:value" (dialect, outcome, tag, op); whitespace inside the
// value becomes '_' so a token is one word.
std::string filter_token(std::string_view key, std::string value) {
  for (char& c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') c = '_';
  }
  return std::string(key) + ":" + value;
}

using Row = std::array<size_t, kOutcomes.size()>;

std::string plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The headline, with the exit code docs/case-format.md gives for such a run.
std::string verdict(const RunReport& report) {
  const size_t fail = report.count(Outcome::Fail), xpass = report.count(Outcome::XPass),
               error = report.count(Outcome::Error), not_run = report.count(Outcome::NotRun);
  if (!report.stopped.empty()) {
    const bool judged_failed = xpass > 0 || (fail > 0 && report.shared_cause.empty());
    const std::string exit = report.stopped == "interrupted" ? "128+signal"
                             : judged_failed                 ? "1"
                                                             : "3";
    return "INCOMPLETE: " + report.stop_message + " (" + plural(not_run, "case", "cases") +
           " not run" + (fail + xpass > 0 ? ", " + std::to_string(fail + xpass) + " failed" : "") +
           "; exit code " + exit + ")";
  }
  const std::string file_errors =
      report.file_errors.empty()
          ? std::string()
          : "; " + plural(report.file_errors.size(), "case-file error", "case-file errors");
  const std::string not_run_text = not_run > 0 ? ", " + std::to_string(not_run) + " not run" : "";
  if (xpass == 0 && fail > 0 && !report.shared_cause.empty()) {
    return "NO VERDICT: " + report.shared_cause + " (exit code 3)";
  }
  if (fail + xpass > 0) {
    return "FAILED: " + std::to_string(fail) + " failed, " + std::to_string(xpass) +
           " unexpectedly passed, " + plural(error, "error", "errors") + not_run_text +
           file_errors + " (exit code 1)";
  }
  if (error + not_run > 0) {
    return "ENGINE ERRORS: " + plural(error, "case", "cases") + " could not run" + not_run_text +
           file_errors + " (exit code 3)";
  }
  if (!report.file_errors.empty()) {
    return "NO FAILURES, BUT " +
           plural(report.file_errors.size(), "case-file error", "case-file errors");
  }
  return "PASSED: no failures (exit code 0)";
}

const char* verdict_class(const RunReport& report) {
  if (report.count(Outcome::XPass) > 0) return "bad";
  if (report.count(Outcome::Fail) > 0) return report.shared_cause.empty() ? "bad" : "warn";
  if (report.count(Outcome::Error) + report.count(Outcome::NotRun) > 0 ||
      !report.file_errors.empty() || !report.stopped.empty()) {
    return "warn";
  }
  return "good";
}

void write_header(std::string& out, const RunReport& report) {
  out += page_header("kmsconf conformance report",
                     {{"endpoint", report.endpoint.empty() ? "-" : report.endpoint},
                      {"started", report.started_at.empty() ? "-" : report.started_at},
                      {"elapsed", milliseconds(report.elapsed)},
                      {"run prefix", report.run_prefix.empty() ? "-" : report.run_prefix},
                      {"kmsconf", report.tool_version.empty() ? "-" : report.tool_version}},
                     {{"summary", "Summary"},
                      {"plots", "Plots"},
                      {"operations", "Operations"},
                      {"tags", "Tags"},
                      {"cases", "Cases"}});
}

// Each outcome's count, colour and name, in the order of kOutcomes.
std::vector<Share> outcome_shares(const RunReport& report) {
  std::vector<Share> shares;
  for (Outcome outcome : kOutcomes)
    shares.push_back({name(outcome), color(outcome), report.count(outcome)});
  return shares;
}

void write_summary(std::string& out, const RunReport& report) {
  const size_t total = report.results.size();
  out += "<section id=\"summary\">\n<h2>Summary</h2>\n";
  out += verdict_paragraph(verdict_class(report), verdict(report));
  out += "<p>" + std::to_string(total) + " cases</p>\n";
  out += distribution_bar(outcome_shares(report), "outcome distribution");
  out +=
      "<table class=\"counts\">\n<thead><tr><th>outcome</th><th>cases</th>"
      "<th>%</th><th>meaning</th></tr></thead>\n<tbody>\n";
  for (Outcome outcome : kOutcomes) {
    const size_t n = report.count(outcome);
    out += "<tr><td><span class=\"badge o-" + name(outcome) + "\">" + name(outcome) +
           "</span></td><td class=\"num\">" + std::to_string(n) + "</td><td class=\"num\">" +
           percent(n, total) + "</td><td>" + meaning(outcome) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";
}

void write_file_errors(std::string& out, const RunReport& report) {
  if (report.file_errors.empty()) return;
  out +=
      "<section id=\"file-errors\">\n<h2>Case-file errors</h2>\n"
      "<p>These files (or parts of them) could not be read; their other cases ran.</p>\n<ul>\n";
  for (const auto& error : report.file_errors) out += "<li><code>" + esc(error) + "</code></li>\n";
  out += "</ul>\n</section>\n";
}

void write_reference_behaviour(std::string& out, const RunReport& report) {
  if (!report.shared_cause.empty()) {
    // The failures share a cause outside conformance (credentials, region): no row is judged.
    out += "<section id=\"shared-cause\">\n<h2>Shared cause</h2>\n<p>" + esc(report.shared_cause) +
           "</p>\n</section>\n";
    return;
  }
  std::vector<const CaseResult*> inferred;
  for (const auto& result : report.results) {
    if (result.outcome == Outcome::Fail && has_tag(result, "inferred")) inferred.push_back(&result);
  }
  if (inferred.empty()) return;
  out +=
      "<section id=\"reference-behaviour\">\n<h2>Reference-server behaviour</h2>\n"
      "<p>These failures check rows the specification marks as inferred: the endpoint may be "
      "right and the reference server's reading wrong.</p>\n<ul>\n";
  for (const auto* result : inferred) {
    out += "<li><code>" + esc(result->id) + "</code> " + esc(result->title) + "</li>\n";
  }
  out += "</ul>\n</section>\n";
}

std::string donut(const RunReport& report) {
  const size_t total = report.results.size();
  constexpr double kRadius = 15.915494309189533;  // circumference 100
  std::string svg =
      "<svg class=\"donut\" viewBox=\"0 0 42 42\" width=\"220\" height=\"220\" role=\"img\" "
      "aria-label=\"outcome donut\">\n"
      "<circle cx=\"21\" cy=\"21\" r=\"" +
      number(kRadius) + "\" fill=\"none\" stroke=\"#eeeeee\" stroke-width=\"6\"></circle>\n";
  double offset = 0;
  for (Outcome outcome : kOutcomes) {
    const size_t n = report.count(outcome);
    if (n == 0 || total == 0) continue;
    const double share = 100.0 * static_cast<double>(n) / static_cast<double>(total);
    svg += "<circle cx=\"21\" cy=\"21\" r=\"" + number(kRadius) + "\" fill=\"none\" stroke=\"" +
           color(outcome) + "\" stroke-width=\"6\" stroke-dasharray=\"" + number(share) + " " +
           number(100.0 - share) + "\" stroke-dashoffset=\"" + number(25.0 - offset) +
           "\"><title>" + name(outcome) + ": " + std::to_string(n) + " (" + percent(n, total) +
           "%)</title></circle>\n";
    offset += share;
  }
  svg += "<text x=\"21\" y=\"22.5\" text-anchor=\"middle\" class=\"donut-total\">" +
         std::to_string(total) +
         "</text>\n<text x=\"21\" y=\"27\" text-anchor=\"middle\" "
         "class=\"donut-label\">cases</text>\n</svg>\n";
  return svg;
}

struct Bucket {
  long long upper_ms;  // exclusive; -1 = unbounded
  const char* label;
};
constexpr std::array<Bucket, 11> kBuckets = {{{10, "<10ms"},
                                              {25, "10-25ms"},
                                              {50, "25-50ms"},
                                              {100, "50-100ms"},
                                              {250, "0.1-0.25s"},
                                              {500, "0.25-0.5s"},
                                              {1000, "0.5-1s"},
                                              {2500, "1-2.5s"},
                                              {5000, "2.5-5s"},
                                              {10000, "5-10s"},
                                              {-1, "10s+"}}};

std::string histogram(const RunReport& report) {
  std::array<size_t, kBuckets.size()> counts{};
  for (const auto& result : report.results) {
    const long long ms = result.elapsed.count();
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      if (kBuckets[i].upper_ms < 0 || ms < kBuckets[i].upper_ms) {
        ++counts[i];
        break;
      }
    }
  }
  const size_t highest = std::max<size_t>(1, *std::max_element(counts.begin(), counts.end()));
  constexpr double kLeft = 40, kTop = 10, kBarWidth = 44, kGap = 6, kPlotHeight = 160;
  const double width = kLeft + kBuckets.size() * (kBarWidth + kGap) + 10;
  std::string svg = "<svg class=\"histogram\" viewBox=\"0 0 " + number(width) + " 220\" width=\"" +
                    number(width) +
                    "\" height=\"220\" role=\"img\" aria-label=\"per-case latency histogram\">\n";
  svg += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(kTop + kPlotHeight) + "\" x2=\"" +
         number(width - 10) + "\" y2=\"" + number(kTop + kPlotHeight) +
         "\" stroke=\"#888888\"></line>\n";
  svg += "<text x=\"" + number(kLeft - 6) + "\" y=\"" + number(kTop + 8) +
         "\" text-anchor=\"end\" class=\"axis\">" + std::to_string(highest) + "</text>\n";
  svg += "<text x=\"" + number(kLeft - 6) + "\" y=\"" + number(kTop + kPlotHeight) +
         "\" text-anchor=\"end\" class=\"axis\">0</text>\n";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    const double x = kLeft + kGap / 2 + i * (kBarWidth + kGap);
    const double height =
        kPlotHeight * static_cast<double>(counts[i]) / static_cast<double>(highest);
    svg += "<rect x=\"" + number(x) + "\" y=\"" + number(kTop + kPlotHeight - height) +
           "\" width=\"" + number(kBarWidth) + "\" height=\"" + number(height) +
           "\" fill=\"#1565c0\"><title>" + esc(kBuckets[i].label) + ": " +
           std::to_string(counts[i]) + " cases</title></rect>\n";
    if (counts[i] > 0) {
      svg += "<text x=\"" + number(x + kBarWidth / 2) + "\" y=\"" +
             number(kTop + kPlotHeight - height - 3) +
             "\" text-anchor=\"middle\" "
             "class=\"axis\">" +
             std::to_string(counts[i]) + "</text>\n";
    }
    svg += "<text x=\"" + number(x + kBarWidth / 2) + "\" y=\"" + number(kTop + kPlotHeight + 16) +
           "\" text-anchor=\"middle\" class=\"axis\">" + esc(kBuckets[i].label) + "</text>\n";
  }
  svg += "<text x=\"" + number(width / 2) +
         "\" y=\"212\" text-anchor=\"middle\" "
         "class=\"axis\">case duration</text>\n</svg>\n";
  return svg;
}

void write_plots(std::string& out, const RunReport& report) {
  out += "<section id=\"plots\">\n<h2>Plots</h2>\n<div class=\"plots\">\n";
  std::vector<Share> present;
  for (const Share& share : outcome_shares(report)) {
    if (share.count > 0) present.push_back(share);
  }
  out += "<figure id=\"outcome-donut\">\n" + donut(report) + "<figcaption>" +
         legend(present, true) + "Outcomes</figcaption>\n</figure>\n";
  out += "<figure id=\"latency-histogram\">\n" + histogram(report) +
         "<figcaption>Per-case latency (all steps and cleanup)</figcaption>\n</figure>\n";
  out += "</div>\n</section>\n";
}

// rows: label -> counts per outcome; key: the filter token prefix ("op" or "tag").
void write_matrix(std::string& out, const std::map<std::string, Row>& rows, std::string_view key,
                  std::string_view heading) {
  out += "<table class=\"matrix\">\n<thead><tr><th>" + esc(heading) + "</th><th>cases</th>";
  for (Outcome outcome : kOutcomes) {
    out += "<th><span class=\"badge o-" + name(outcome) + "\">" + name(outcome) + "</span></th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& [label, counts] : rows) {
    size_t total = 0;
    for (size_t n : counts) total += n;
    const std::string token = filter_token(key, label);
    out += "<tr><th><button type=\"button\" class=\"filter-link\" data-filter=\"" + esc(token) +
           "\">" + esc(label) + "</button></th><td class=\"num\">" + std::to_string(total) +
           "</td>";
    for (size_t i = 0; i < kOutcomes.size(); ++i) {
      if (counts[i] == 0) {
        out += "<td class=\"num zero\">0</td>";
      } else {
        out += "<td class=\"num hit o-" + name(kOutcomes[i]) +
               "\"><button type=\"button\" class=\"filter-link\" data-filter=\"" + esc(token) +
               " " + esc(filter_token("outcome", name(kOutcomes[i]))) + "\">" +
               std::to_string(counts[i]) + "</button></td>";
      }
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

void write_operations(std::string& out, const RunReport& report) {
  std::map<std::string, Row> rows;
  for (const auto& result : report.results) {
    const std::set<std::string> actions(result.actions.begin(), result.actions.end());
    for (const auto& action : actions) ++rows[action][outcome_index(result.outcome)];
  }
  out +=
      "<section id=\"operations\">\n<h2>Operations &times; outcomes</h2>\n"
      "<p>Cases per outcome among the cases that call each operation (a case calling several "
      "operations counts once for each).</p>\n";
  if (rows.empty()) {
    out += "<p class=\"empty\">No operations recorded.</p>\n";
  } else {
    write_matrix(out, rows, "op", "operation");
  }
  out += "</section>\n";
}

void write_tags(std::string& out, const RunReport& report) {
  std::map<std::string, Row> rows;
  for (const auto& result : report.results) {
    const std::set<std::string> tags(result.tags.begin(), result.tags.end());
    for (const auto& tag : tags) ++rows[tag][outcome_index(result.outcome)];
  }
  out += "<section id=\"tags\">\n<h2>Tags</h2>\n";
  if (rows.empty()) {
    out += "<p class=\"empty\">No tags.</p>\n";
  } else {
    write_matrix(out, rows, "tag", "tag");
  }
  out += "</section>\n";
}

std::string capped(std::string_view part) {
  const std::string clean = sanitize_text(part);
  if (clean.size() <= kMaxExchangePart) return esc(clean);
  const auto kept = truncate_utf8(clean, kMaxExchangePart);
  return esc(kept) + "\n… (" + std::to_string(clean.size() - kept.size()) +
         " more bytes in the JSON report)";
}

std::string filter_tokens(const CaseResult& result) {
  std::string text =
      filter_token("dialect", result.dialect) + " " + filter_token("outcome", name(result.outcome));
  // Appended piecewise: GCC 12 -O3 reports a false -Wrestrict for " " + std::string&&.
  for (const auto& tag : result.tags) text.append(" ").append(filter_token("tag", tag));
  for (const auto& action : result.actions) text.append(" ").append(filter_token("op", action));
  return text;
}

// Substring-match text: id, title, doc, file, message, xfail reason and the tokens.
std::string search_text(const CaseResult& result) {
  std::string text = result.id + " " + result.title + " " + result.doc + " " + result.file + " " +
                     result.message + " " + result.xfail_reason + " " + filter_tokens(result);
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

void write_case(std::string& out, const CaseResult& result, size_t index) {
  const std::string outcome = name(result.outcome);
  out += "<details class=\"case\" id=\"case-" + std::to_string(index) + "\" data-outcome=\"" +
         outcome + "\" data-tokens=\"" + esc(filter_tokens(result)) + "\" data-search=\"" +
         esc(search_text(result)) + "\">\n";
  out += "<summary><span class=\"badge o-" + outcome + "\">" + outcome + "</span> <code>" +
         esc(result.id) + "</code> <span class=\"title\">" + esc(result.title) +
         "</span> <span class=\"ms\">" + milliseconds(result.elapsed) + "</span></summary>\n";
  out += "<div class=\"case-body\">\n";
  if (!result.message.empty()) out += "<pre class=\"message\">" + esc(result.message) + "</pre>\n";
  if (!result.xfail_reason.empty()) {
    out += "<p class=\"xfail\">expected failure: " + esc(result.xfail_reason) + "</p>\n";
  }
  out += "<dl class=\"facts\">\n";
  auto fact = [&](std::string_view label, const std::string& value) {
    if (!value.empty()) out += "<dt>" + esc(label) + "</dt><dd>" + esc(value) + "</dd>\n";
  };
  auto joined = [](const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
  };
  fact("dialect", result.dialect);
  fact("doc", result.doc);
  fact("tags", joined(result.tags));
  fact("operations", joined(result.actions));
  fact("case file",
       result.file.empty()
           ? std::string()
           : result.file + (result.line > 0 ? ":" + std::to_string(result.line) : std::string()));
  out += "</dl>\n";
  if (!result.exchanges.empty()) {
    out += "<h4>Recorded exchanges</h4>\n";
    for (const auto& exchange : result.exchanges) {
      out += "<details class=\"exchange\"><summary><code>" + esc(exchange.step) + "</code> HTTP " +
             std::to_string(exchange.status) + " &middot; " + milliseconds(exchange.elapsed) +
             "</summary>\n<div class=\"rr\"><div><h5>Request"
             "</h5><pre>" +
             capped(exchange.request) + "</pre></div><div><h5>Response</h5><pre>" +
             capped(exchange.response) + "</pre></div></div>\n</details>\n";
    }
  }
  out += "</div>\n</details>\n";
}

void write_cases(std::string& out, const RunReport& report) {
  out +=
      "<section id=\"cases\">\n<h2>Cases</h2>\n<div class=\"controls\">\n"
      "<input id=\"filter\" type=\"search\" autocomplete=\"off\" spellcheck=\"false\" "
      "placeholder=\"filter: id, title, message, tag:keys, op:Encrypt, outcome:Fail\" "
      "aria-label=\"filter cases\">\n<span id=\"outcome-toggles\">";
  for (Outcome outcome : kOutcomes) {
    out += "<label><input type=\"checkbox\" checked data-outcome=\"" + name(outcome) +
           "\"> <span class=\"badge o-" + name(outcome) + "\">" + name(outcome) + "</span> " +
           std::to_string(report.count(outcome)) + "</label> ";
  }
  out +=
      "</span>\n<button type=\"button\" id=\"problems-only\">problems only</button> "
      "<button type=\"button\" id=\"show-all\">show all</button> "
      "<button type=\"button\" id=\"expand-all\">expand shown</button> "
      "<button type=\"button\" id=\"collapse-all\">collapse all</button>\n"
      "<span id=\"shown\">" +
      std::to_string(report.results.size()) + " cases</span>\n</div>\n<div id=\"case-list\">\n";
  for (size_t i = 0; i < report.results.size(); ++i) write_case(out, report.results[i], i);
  if (report.results.empty()) out += "<p class=\"empty\">No cases ran.</p>\n";
  out += "</div>\n</section>\n";
}

// The parts only this page has; the rest is the shared look (html_page.hpp).
constexpr std::string_view kStyle = R"CSS(
.o-Skip.badge { color: #212121; }
td.hit.o-Fail, td.hit.o-Error, td.hit.o-XPass { background: #ffebee; font-weight: 600; }
td.hit.o-Pass { background: #e8f5e9; }
.filter-link { border: none; background: none; padding: 0; color: #1565c0; cursor: pointer;
  font: inherit; text-align: left; }
.filter-link:hover { text-decoration: underline; }
.donut-total { font-size: 8px; font-weight: 600; fill: #212121; }
.donut-label { font-size: 3px; fill: #757575; }
.controls { position: sticky; top: 0; background: #fafafa; padding: 8px 0; z-index: 1;
  display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
#filter { flex: 1 1 320px; padding: 6px 8px; font-size: 1em; }
#outcome-toggles label { white-space: nowrap; margin-right: 4px; }
#shown { color: #616161; }
details.case { background: #fff; border: 1px solid #e0e0e0; border-radius: 4px; margin: 4px 0; }
details.case > summary { cursor: pointer; padding: 6px 8px; }
details.case > summary .ms { color: #9e9e9e; float: right; }
.case-body { padding: 4px 12px 12px; border-top: 1px solid #eee; }
pre.message { background: #fff8e1; }
details.exchange { margin: 4px 0; } details.exchange > summary { cursor: pointer; }
.rr { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.rr h5 { margin: 4px 0; }
@media (max-width: 800px) { .rr { grid-template-columns: 1fr; } }
)CSS";

// One badge colour per outcome, from color(), so every outcome (NotRun too) has one.
std::string badge_style() {
  std::string css;
  for (Outcome outcome : kOutcomes) {
    css += ".o-" + name(outcome) + ".badge { background: " + color(outcome) + "; }\n";
  }
  return css;
}

// No '<' in the script, so it cannot end its own element early.
constexpr std::string_view kScript = R"JS(
(function () {
  'use strict';
  var input = document.getElementById('filter');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#outcome-toggles input'));
  var cases = Array.prototype.slice.call(document.querySelectorAll('#case-list details.case'));
  var haystacks = cases.map(function (c) { return (c.getAttribute('data-search') || '').toLowerCase(); });
  var tokens = cases.map(function (c) { return (c.getAttribute('data-tokens') || '').toLowerCase().split(' '); });
  var exact = /^(dialect|outcome|tag|op):./;
  var shown = document.getElementById('shown');
  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length; });
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute('data-outcome')] = b.checked; });
    var count = 0;
    cases.forEach(function (c, i) {
      var visible = on[c.getAttribute('data-outcome')] === true && terms.every(function (t) {
        return exact.test(t) ? tokens[i].indexOf(t) !== -1 : haystacks[i].indexOf(t) !== -1;
      });
      c.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = count + ' of ' + cases.length + ' cases shown';
  }
  function setOutcomes(list) {
    boxes.forEach(function (b) {
      b.checked = list === null || list.indexOf(b.getAttribute('data-outcome')) !== -1;
    });
    apply();
  }
  input.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  document.getElementById('problems-only').addEventListener('click', function () {
    setOutcomes(['Fail', 'Error', 'XPass', 'Skip', 'NotRun']);
  });
  document.getElementById('show-all').addEventListener('click', function () {
    input.value = '';
    setOutcomes(null);
  });
  document.getElementById('expand-all').addEventListener('click', function () {
    cases.forEach(function (c) { if (!c.hidden) { c.open = true; } });
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    cases.forEach(function (c) { c.open = false; });
  });
  Array.prototype.forEach.call(document.querySelectorAll('.filter-link'), function (link) {
    link.addEventListener('click', function () {
      input.value = link.getAttribute('data-filter');
      setOutcomes(null);
      document.getElementById('cases').scrollIntoView();
    });
  });
  apply();
})();
)JS";

}  // namespace

std::string to_html(const RunReport& report) {
  const size_t problems = report.count(Outcome::Fail) + report.count(Outcome::XPass) +
                          report.count(Outcome::Error) + report.count(Outcome::NotRun);
  std::string out;
  out.reserve(64 * 1024);
  out += page_start("kmsconf report: " + std::to_string(report.results.size()) + " cases, " +
                        std::to_string(problems) + " problems",
                    badge_style() + std::string(kStyle));
  write_header(out, report);
  write_summary(out, report);
  write_file_errors(out, report);
  write_reference_behaviour(out, report);
  write_plots(out, report);
  write_operations(out, report);
  write_tags(out, report);
  write_cases(out, report);
  out += page_end("Generated by kmsconf" +
                      (report.tool_version.empty() ? std::string() : " " + report.tool_version) +
                      ". Requests and responses were redacted by the runner.",
                  kScript);
  return out;
}

void write_html(const RunReport& report, const std::string& path) {
  write_text_file(path, to_html(report));
}

}  // namespace kmsconf::reports
