// The load report page (load_html.hpp): header, summary, checks and operations; the charts are in
// load_html_charts.cpp, shards and config in load_html_config.cpp.
#include "reports/load_html.hpp"

#include <optional>
#include <vector>

#include "loadgen/result.hpp"
#include "loadgen/thresholds.hpp"
#include "reports/html_page.hpp"
#include "reports/load_html_parts.hpp"
#include "reports/svg_chart.hpp"
#include "reports/text.hpp"

namespace kmsconf::reports {

namespace {

using namespace load_html;  // NOLINT: the page's own helpers

std::string seconds_text(std::optional<double> seconds) {
  return seconds ? format_fixed(*seconds, 2) + " s" : "-";
}

// The rate asked for: a number in open loop (where --stages start), where a --find-limit search
// starts, "closed loop" otherwise.
std::string rate_text(const json& config) {
  const std::string mode = text(config, "mode");
  if (mode == "closed") return "closed loop";
  const auto rate = number(config, "rate");
  const std::string asked = rate ? number_text(*rate) + " req/s" : "-";
  if (mode == "find-limit") return "steps from " + asked;
  const json& stages = member(config, "stages");
  if (stages.is_array())
    return "from " + asked + " in " + std::to_string(stages.size()) + " stages";
  return asked;
}

std::string mode_text(const json& config) {
  const std::string mode = text(config, "mode");
  if (mode == "open") return "open loop";
  if (mode == "closed") return "closed loop";
  if (mode == "find-limit") return "find-limit search";
  return or_dash(mode);
}

// ---- header and summary ----------------------------------------------------------------------

std::vector<PageFact> header_facts(const json& result) {
  const json& config = member(result, "config");
  std::vector<PageFact> facts = {
      {"kmsconf", or_dash(text(result, "kmsconf_version"))},
      {"endpoint", or_dash(text(config, "endpoint"))},
  };
  const std::string url = text(config, "endpoint_url");
  if (!url.empty() && url != text(config, "endpoint")) facts.push_back({"requests to", url});
  facts.push_back({"dialect", or_dash(text(config, "dialect"))});
  facts.push_back({"mode", mode_text(config)});
  facts.push_back({"rate", rate_text(config)});
  const std::string started = text(member(result, "summary"), "started_at");
  if (!started.empty()) facts.push_back({"started", started});
  facts.push_back({"duration", "asked " + seconds_text(number(config, "duration_s")) + ", ran " +
                                   seconds_text(number(member(result, "summary"), "duration_s"))});
  if (const std::string shard = shard_text(member(config, "shard")); !shard.empty()) {
    facts.push_back({"shard", shard});
  }
  return facts;
}

const char* verdict_class(const loadgen::ResultVerdict& verdict) {
  if (!verdict.unjudged.empty()) return "warn";
  return verdict.passed ? "good" : "bad";
}

// "12 (0.1%)": a count and its share of the requests.
std::string count_share(uint64_t n, uint64_t requests) {
  return std::to_string(n) + " (" + percent_text(n, requests) + "%)";
}

std::string rate_metric(const loadgen::MetricLookup& metrics, const std::string& operation,
                        loadgen::Metric metric) {
  const auto value = metrics(operation, metric);
  return value ? loadgen::format_metric_value(metric, *value) : "-";
}

std::string summary_facts(const json& result) {
  const json& summary = member(result, "summary");
  const json& outcomes = member(summary, "outcomes");
  const uint64_t requests = count(summary, "requests");
  const auto metrics = loadgen::metrics_of(result);
  std::string out = "<dl class=\"facts\">\n";
  out += fact("requests", std::to_string(requests) + " in " +
                              seconds_text(number(summary, "duration_s")) + ", " +
                              rate_metric(metrics, "", loadgen::Metric::Rps));
  out += fact("error rate", rate_metric(metrics, "", loadgen::Metric::ErrorRate) +
                                " (errors and unsent among the requests due)");
  out += fact("late", count_share(count(outcomes, "late"), requests));
  out += fact("unsent", std::to_string(count(summary, "unsent")));
  out +=
      fact("connections", std::to_string(count(summary, "connections_opened")) + " opened, " +
                              std::to_string(count(summary, "connection_failures")) + " failed; " +
                              std::to_string(count(summary, "retried")) + " requests retried");
  const std::string reason = text(summary, "stop_reason");
  if (member(summary, "interrupted") == true || !reason.empty()) {
    out += fact("stopped early", reason.empty() ? "interrupted" : reason);
  }
  return out + "</dl>\n";
}

std::string outcome_table(const json& summary) {
  const json& outcomes = member(summary, "outcomes");
  const uint64_t requests = count(summary, "requests");
  std::vector<Share> shares;
  for (loadgen::Outcome o : loadgen::kOutcomes) {
    const std::string name(loadgen::outcome_name(o));
    shares.push_back({name, outcome_color(o), count(outcomes, name.c_str())});
  }
  std::string out = distribution_bar(shares, "outcome distribution") +
                    "<table class=\"outcomes\">\n<thead><tr><th>outcome</th><th>requests</th>"
                    "<th>%</th></tr></thead>\n<tbody>\n";
  for (const Share& share : shares) {
    out += "<tr><td><span class=\"swatch\" style=\"background:" + share.color + "\"></span>" +
           esc(share.label) + "</td><td class=\"num\">" + std::to_string(share.count) +
           "</td><td class=\"num\">" + percent_text(share.count, requests) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

// One latency cell: "-" when there are no values behind the block.
std::string latency_cell(const json& block, const char* key) {
  const std::string cell = count(block, "count") == 0 ? "-" : ms_text(number(block, key));
  return "<td class=\"num\">" + cell + "</td>";
}

constexpr const char* kLatencyKeys[] = {"p50", "p90", "p99", "p999", "max", "mean"};

std::string latency_table(const json& result) {
  std::string out =
      "<table class=\"latency\">\n<thead><tr><th>ms</th><th>p50</th><th>p90</th><th>p99</th>"
      "<th>p99.9</th><th>max</th><th>mean</th><th>values</th></tr></thead>\n<tbody>\n";
  const std::pair<const char*, const char*> rows[] = {
      {"latency (from the intended send)", "latency_ms"},
      {"service time (from the actual send)", "service_time_ms"}};
  for (const auto& [label, key] : rows) {
    const json& block = member(result, key);
    out += "<tr><th>" + esc(label) + "</th>";
    for (const char* field : kLatencyKeys) out += latency_cell(block, field);
    out += "<td class=\"num\">" + std::to_string(count(block, "count")) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string summary_section(const json& result, const loadgen::ResultVerdict& verdict) {
  return "<section id=\"summary\">\n<h2>Summary</h2>\n" +
         verdict_paragraph(verdict_class(verdict), verdict.text()) + summary_facts(result) +
         outcome_table(member(result, "summary")) + latency_table(result) + "</section>\n";
}

// ---- thresholds and baseline -----------------------------------------------------------------

std::string badge(bool passed) {
  return passed ? "<span class=\"badge pass\">passed</span>"
                : "<span class=\"badge fail\">failed</span>";
}

// A gate's value in its metric's unit ("12.40 ms", "0.1%"), or "no value".
std::string metric_value(const json& check, const char* key) {
  const auto value = number(check, key);
  if (!value) return "no value";
  const auto metric = loadgen::metric_from_name(text(check, "metric"));
  return metric ? loadgen::format_metric_value(*metric, *value) : number_text(*value);
}

std::string scope_text(const json& check) {
  const std::string operation = text(check, "operation");
  return operation.empty() ? "whole run" : operation;
}

std::string thresholds_table(const json& thresholds) {
  if (!thresholds.is_array() || thresholds.empty()) {
    return "<p class=\"empty\">No thresholds (--threshold) were given.</p>\n";
  }
  std::string out =
      "<table class=\"thresholds\">\n<thead><tr><th>result</th><th>threshold</th>"
      "<th>scope</th><th>actual</th><th>limit</th><th>message</th></tr></thead>\n<tbody>\n";
  for (const json& t : thresholds) {
    out += "<tr><td>" + badge(member(t, "passed") == true) + "</td><td><code>" +
           esc(text(t, "expression")) + "</code></td><td>" + esc(scope_text(t)) +
           "</td><td class=\"num\">" + esc(metric_value(t, "actual")) + "</td><td class=\"num\">" +
           esc(text(t, "comparison") + " " + metric_value(t, "limit")) + "</td><td>" +
           esc(text(t, "message")) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string baseline_block(const json& baseline) {
  if (!baseline.is_object()) return "";
  std::string out = "<h3>Baseline <code>" + esc(text(baseline, "path")) + "</code></h3>\n";
  const json& regressions = member(baseline, "regressions");
  if (!regressions.is_array() || regressions.empty()) {
    return out + "<p class=\"empty\">No regression checks.</p>\n";
  }
  out +=
      "<table class=\"regressions\">\n<thead><tr><th>result</th><th>scope</th><th>metric</th>"
      "<th>baseline</th><th>this run</th><th>worst allowed</th><th>message</th></tr></thead>\n"
      "<tbody>\n";
  for (const json& r : regressions) {
    out += "<tr><td>" + badge(member(r, "passed") == true) + "</td><td>" + esc(scope_text(r)) +
           "</td><td><code>" + esc(text(r, "metric")) + "</code></td><td class=\"num\">" +
           esc(metric_value(r, "baseline")) + "</td><td class=\"num\">" +
           esc(metric_value(r, "current")) + "</td><td class=\"num\">" +
           esc(metric_value(r, "limit")) + "</td><td>" + esc(text(r, "message")) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string checks_section(const json& result) {
  return "<section id=\"checks\">\n<h2>Thresholds and baseline</h2>\n" +
         thresholds_table(member(result, "thresholds")) +
         baseline_block(member(result, "baseline")) + "</section>\n";
}

// ---- operations ------------------------------------------------------------------------------

// Requests per second as a bare number, for a column whose header names the unit.
std::string rps_text(std::optional<double> rps) {
  return rps ? format_fixed(*rps, 1) : "-";
}

// "client_<wbr>error": a name that may wrap after its underscores in a narrow header.
std::string breakable(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += c;
    if (c == '_') out += "<wbr>";
  }
  return out;
}

std::string operation_row(const std::string& name, const json& op,
                          const loadgen::MetricLookup& metrics) {
  const json& outcomes = member(op, "outcomes");
  const json& latency = member(op, "latency_ms");
  std::string out = "<tr><th><code>" + esc(name) + "</code></th><td class=\"num\">" +
                    std::to_string(count(op, "requests")) + "</td><td class=\"num\">" +
                    rps_text(metrics(name, loadgen::Metric::Rps)) + "</td>";
  for (loadgen::Outcome o : loadgen::kOutcomes) {
    const uint64_t n = count(outcomes, std::string(loadgen::outcome_name(o)).c_str());
    out += std::string("<td class=\"num") + (n == 0 ? " zero" : "") + "\">" + std::to_string(n) +
           "</td>";
  }
  out += "<td class=\"num\">" + std::to_string(count(outcomes, "late")) +
         "</td><td class=\"num\">" + esc(rate_metric(metrics, name, loadgen::Metric::ErrorRate)) +
         "</td>";
  for (const char* key : {"p50", "p99", "p999", "max"}) out += latency_cell(latency, key);
  return out + latency_cell(member(op, "service_time_ms"), "p99") + "</tr>\n";
}

std::string operations_section(const json& result) {
  const json& per_op = member(result, "per_op");
  std::string out = "<section id=\"operations\">\n<h2>Operations</h2>\n";
  if (!per_op.is_object() || per_op.empty()) {
    return out + "<p class=\"empty\">No operations recorded.</p>\n</section>\n";
  }
  out +=
      "<div class=\"wide\"><table class=\"operations\">\n<thead><tr><th>operation</th>"
      "<th>requests</th><th>req/s</th>";
  for (loadgen::Outcome o : loadgen::kOutcomes)
    out += "<th>" + breakable(loadgen::outcome_name(o)) + "</th>";
  out +=
      "<th>late</th><th>error rate</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th>"
      "<th>max ms</th><th>service p99 ms</th></tr></thead>\n<tbody>\n";
  const auto metrics = loadgen::metrics_of(result);
  for (const auto& [name, op] : per_op.items()) out += operation_row(name, op, metrics);
  return out + "</tbody>\n</table></div>\n</section>\n";
}

// ---- the page --------------------------------------------------------------------------------

constexpr std::string_view kStyle = R"CSS(
h3 { font-size: 1.05em; margin: 16px 0 4px; }
.badge.pass { background: #2e7d32; } .badge.fail { background: #c62828; }
.wide { overflow-x: auto; }
table.config td { font-family: ui-monospace, monospace; word-break: break-all; }
table.operations, table.find-limit-steps { font-size: 0.9em; }
table.find-limit-steps td.num { white-space: nowrap; }
table.operations th { vertical-align: bottom; }
figure.chart-figure { margin: 12px 0; }
.conclusion { font-weight: 600; }
[class^="verdict-"] { font-weight: 600; }
.verdict-held { color: #2e7d32; } .verdict-throttled { color: #b28704; }
.verdict-capacity { color: #c62828; } .verdict-unjudgeable { color: #6a1b9a; }
)CSS";

std::vector<PageFact> nav(const json& result) {
  std::vector<PageFact> links = {{"summary", "Summary"},
                                 {"checks", "Checks"},
                                 {"timeline", "Over time"},
                                 {"percentiles", "Percentiles"},
                                 {"operations", "Operations"}};
  if (member(result, "find_limit").is_object()) links.push_back({"find-limit", "Find limit"});
  if (member(result, "merged_from").is_array() ||
      member(member(result, "config"), "shard").is_object()) {
    links.push_back({"shards", "Shards"});
  }
  links.push_back({"config", "Configuration"});
  return links;
}

}  // namespace

std::string render_load_html(const json& result) {
  const loadgen::ResultVerdict verdict = loadgen::verdict_of(result);
  std::string out = page_start("kmsconf load report: " + verdict.text(),
                               std::string(chart_style()) + std::string(kStyle));
  out += page_header("kmsconf load report", header_facts(result), nav(result));
  out += summary_section(result, verdict);
  out += checks_section(result);
  out += timeline_section(result);
  out += percentiles_section(result);
  out += operations_section(result);
  out += find_limit_section(result);
  out += shards_section(result);
  out += config_section(result);
  out += page_end("Made by kmsconf from a load result file; the run was made by kmsconf " +
                      or_dash(text(result, "kmsconf_version")) +
                      ". No secret is written in a result file.",
                  "");
  return out;
}

void write_load_html(const json& result, const std::string& path) {
  write_text_file(path, render_load_html(result));
}

}  // namespace kmsconf::reports
