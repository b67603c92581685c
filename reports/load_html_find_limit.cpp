// The load report's find-limit section: the conclusion, the search's settings and its steps.
#include <cctype>
#include <string>

#include "loadgen/find_limit.hpp"
#include "loadgen/find_limit_report.hpp"
#include "reports/html_page.hpp"
#include "reports/load_html_parts.hpp"
#include "reports/svg_chart.hpp"

namespace kmsconf::reports::load_html {
namespace {

// The console's conclusion (find_limit_report.hpp) as a sentence.
std::string conclusion(const json& block) {
  std::string line = loadgen::find_limit_conclusion(block);
  if (!line.empty()) line[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(line[0])));
  return line + ".";
}

std::string share_text(const json& criteria, const char* key) {
  const auto share = number(criteria, key);
  return share ? format_fixed(100 * *share, 1) + "%" : "-";
}

// The p99 ceiling when --p99-ceiling was not given (null in the block): LimitCriteria's rule.
std::string automatic_p99_ceiling() {
  const loadgen::LimitCriteria defaults;
  return number_text(defaults.latency_factor) + " times the first held step's (at least " +
         number_text(defaults.latency_floor_ms) + " ms)";
}

// What the search was asked: where it started, how far it could go, when a step is refused.
std::string criteria_text(const json& criteria) {
  const auto ceiling = number(criteria, "p99_ceiling_ms");
  return "from " + rps_value_text(number(criteria, "start_rate")) + " up to " +
         rps_value_text(number(criteria, "max_rate")) + " in " +
         value_text(member(criteria, "step_s")) + " s steps, to within " +
         share_text(criteria, "precision") + "; a step is refused above " +
         share_text(criteria, "throttled_share") + " throttled, " +
         share_text(criteria, "failure_share") + " failed, or a p99 of " +
         (ceiling ? ms_text(ceiling) + " ms" : automatic_p99_ceiling());
}

std::string search_facts(const json& block) {
  std::string out = "<dl class=\"facts\">\n";
  const auto seconds = number(block, "burst_seconds");
  out += fact("burst", loadgen::find_limit_burst(block) +
                           (seconds ? " (" + format_fixed(*seconds, 2) + " s)" : ""));
  out += fact("drain", std::to_string(count(block, "drain_requests")) +
                           " requests sent to empty the limiter's bucket before steps");
  out += fact("criteria", criteria_text(member(block, "criteria")));
  if (member(block, "budget_spent") == true) {
    out += fact("budget", "--duration ended the search before it converged");
  }
  return out + "</dl>\n";
}

// The verdicts a step can have; only these become a CSS class.
bool known_verdict(const std::string& verdict) {
  return verdict == "held" || verdict == "throttled" || verdict == "capacity" ||
         verdict == "unjudgeable";
}

std::string step_chart(const json& steps) {
  Chart chart;
  chart.aria_label = "offered and accepted rate per find-limit step";
  chart.x_title = "step";
  chart.y_title = "requests per second";
  chart.unit = "req/s";
  chart.digits = 1;
  ChartSeries offered{"offered rate", "#1565c0", {}}, accepted{"accepted rate", "#2e7d32", {}};
  for (size_t i = 0; i < steps.size(); ++i) {
    const json& step = steps[i];
    chart.x.push_back(static_cast<double>(i + 1));
    chart.point_labels.push_back("step " + std::to_string(i + 1) + " (" + text(step, "phase") +
                                 ", " + text(step, "verdict") + ")");
    offered.values.push_back(number(step, "rate").value_or(0));
    accepted.values.push_back(number(step, "accepted_rps").value_or(0));
  }
  chart.series = {offered, accepted};
  return figure("find-limit-chart", line_chart(chart), chart_legend(chart.series),
                "Each step's offered rate and the rate the endpoint accepted (ok answers per "
                "second).");
}

std::string step_row(size_t index, const json& step) {
  const std::string verdict = text(step, "verdict");
  std::string row = "<tr><td class=\"num\">" + std::to_string(index + 1) + "</td><td>" +
                    esc(text(step, "phase")) + "</td><td class=\"num\">" +
                    esc(rps_value_text(number(step, "rate"))) + "</td><td class=\"num\">" +
                    esc(value_text(member(step, "duration_s"))) + "</td>";
  for (const char* key : {"requests", "ok", "throttled", "client_errors", "errors", "unsent"}) {
    row += "<td class=\"num\">" + std::to_string(count(step, key)) + "</td>";
  }
  return row + "<td class=\"num\">" + esc(rps_value_text(number(step, "accepted_rps"))) +
         "</td><td class=\"num\">" + ms_text(number(step, "p99_ms")) + "</td><td><span class=\"" +
         (known_verdict(verdict) ? "verdict-" + verdict : std::string("verdict-other")) + "\">" +
         esc(verdict) + "</span></td></tr>\n";
}

std::string step_table(const json& steps) {
  std::string out =
      "<div class=\"wide\"><table class=\"find-limit-steps\">\n<thead><tr><th>step</th>"
      "<th>phase</th><th>offered</th><th>seconds</th><th>requests</th><th>ok</th>"
      "<th>throttled</th><th>client errors</th><th>errors</th><th>unsent</th><th>accepted</th>"
      "<th>p99 ms</th><th>verdict</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < steps.size(); ++i) out += step_row(i, steps[i]);
  return out + "</tbody>\n</table></div>\n";
}

}  // namespace

std::string find_limit_section(const json& result) {
  const json& block = member(result, "find_limit");
  if (!block.is_object()) return "";
  std::string out = "<section id=\"find-limit\">\n<h2>Find limit</h2>\n<p class=\"conclusion\">" +
                    esc(conclusion(block)) + "</p>\n";
  if (const std::string why = loadgen::find_limit_unjudged(block); !why.empty()) {
    out += verdict_paragraph("warn", "Not judged: " + why);
  }
  out += search_facts(block);
  const json& steps = member(block, "steps");
  if (!steps.is_array() || steps.empty()) {
    return out + "<p class=\"empty\">No steps recorded.</p>\n</section>\n";
  }
  return out + step_chart(steps) + step_table(steps) + "</section>\n";
}

}  // namespace kmsconf::reports::load_html
