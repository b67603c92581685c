// The load report's chart sections: over time and the percentile spectrum.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/thresholds.hpp"
#include "reports/html_page.hpp"
#include "reports/load_html_parts.hpp"
#include "reports/svg_chart.hpp"
#include "reports/text.hpp"

namespace kmsconf::reports::load_html {
namespace {

using loadgen::kOutcomes;

// ---- over time -------------------------------------------------------------------------------

// Seconds drawn one by one; a longer run is drawn in groups of consecutive seconds.
constexpr size_t kMostPoints = 600;

// One point of the timeline charts: one second, or a group of seconds of a long run.
struct Span {
  double start = 0;                             // seconds since the run's start
  double seconds = 1;                           // how many seconds it covers
  std::array<double, kOutcomes.size()> rate{};  // answers per second, by outcome
  double p50 = 0, p99 = 0, max = 0;             // ms; of a group, its worst second's
  std::string label;                            // the tooltips' heading
};

Span span_of(const json& timeline, size_t first, size_t last) {
  Span span;
  span.start = number(timeline[first], "second").value_or(static_cast<double>(first));
  span.seconds = static_cast<double>(last - first);
  for (size_t i = first; i < last; ++i) {
    const json& outcomes = member(timeline[i], "outcomes");
    for (size_t k = 0; k < kOutcomes.size(); ++k) {
      span.rate[k] += static_cast<double>(
          count(outcomes, std::string(loadgen::outcome_name(kOutcomes[k])).c_str()));
    }
    span.p50 = std::max(span.p50, number(timeline[i], "p50_ms").value_or(0));
    span.p99 = std::max(span.p99, number(timeline[i], "p99_ms").value_or(0));
    span.max = std::max(span.max, number(timeline[i], "max_ms").value_or(0));
  }
  for (double& rate : span.rate) rate /= span.seconds;
  const std::string start = number_text(span.start);
  span.label = last - first == 1
                   ? "second " + start
                   : "seconds " + start + "-" + number_text(span.start + span.seconds - 1) +
                         " (latency: the worst second)";
  return span;
}

std::vector<Span> spans_of(const json& timeline) {
  std::vector<Span> spans;
  if (!timeline.is_array() || timeline.empty()) return spans;
  const size_t group = (timeline.size() + kMostPoints - 1) / kMostPoints;
  for (size_t first = 0; first < timeline.size(); first += group) {
    spans.push_back(span_of(timeline, first, std::min(timeline.size(), first + group)));
  }
  return spans;
}

// The x axis both timeline charts share: seconds since the start.
Chart time_chart(const std::vector<Span>& spans, const char* aria_label, const char* y_title) {
  Chart chart;
  chart.aria_label = aria_label;
  chart.x_title = "seconds since the start";
  chart.y_title = y_title;
  chart.x_min = spans.front().start;
  // Every bar is a group wide, also the last (shorter) group's.
  chart.x_max = spans.back().start + spans.front().seconds;
  for (const Span& span : spans) chart.point_labels.push_back(span.label);
  return chart;
}

std::string latency_over_time(const std::vector<Span>& spans, const std::string& grouping) {
  Chart chart = time_chart(spans, "latency over time", "latency (ms)");
  chart.unit = "ms";
  chart.digits = 3;
  ChartSeries p50{"p50", "#1565c0", {}}, p99{"p99", "#ef6c00", {}}, max{"max", "#c62828", {}};
  for (const Span& span : spans) {
    chart.x.push_back(span.start + span.seconds / 2);
    p50.values.push_back(span.p50);
    p99.values.push_back(span.p99);
    max.values.push_back(span.max);
  }
  chart.series = {p50, p99, max};
  return figure(
      "latency-over-time", line_chart(chart), chart_legend(chart.series),
      "Latency of the answers of each second, from the intended send time" + grouping + ".");
}

std::string throughput_over_time(const std::vector<Span>& spans, const std::string& grouping) {
  Chart chart = time_chart(spans, "answers per second by outcome", "answers per second");
  chart.unit = "req/s";
  chart.digits = 1;
  chart.bar_width = spans.front().seconds;
  for (const Span& span : spans) chart.x.push_back(span.start);
  for (size_t k = 0; k < kOutcomes.size(); ++k) {
    ChartSeries series{
        std::string(loadgen::outcome_name(kOutcomes[k])), outcome_color(kOutcomes[k]), {}};
    double total = 0;
    for (const Span& span : spans) {
      series.values.push_back(span.rate[k]);
      total += span.rate[k];
    }
    if (total > 0) chart.series.push_back(std::move(series));  // only outcomes that happened
  }
  return figure("throughput-over-time", stacked_bar_chart(chart), chart_legend(chart.series),
                "Answers per second by outcome, stacked: a bar's height is the throughput" +
                    grouping + ". The last second is usually partial.");
}

// ---- percentiles -----------------------------------------------------------------------------

// A histogram of the result, or why it cannot be read.
struct Distribution {
  std::string name;
  std::string color;
  std::optional<loadgen::Histogram> histogram;
  std::string problem;
};

Distribution read_distribution(const json& result, const char* key, const char* name,
                               const char* color) {
  Distribution d{name, color, std::nullopt, ""};
  const json& j = member(member(result, "histograms"), key);
  if (j.is_null()) {
    d.problem = std::string("histograms.") + key + " is missing";
    return d;
  }
  try {
    d.histogram = loadgen::Histogram::from_json(j);
  } catch (const std::exception& e) {
    d.problem = std::string("histograms.") + key + " cannot be read: " + e.what();
  }
  return d;
}

// The spectrum's x axis: x = -log10(1 - p/100), so 90%, 99%, 99.9%, 99.99% are evenly spaced
// (each step a ten times rarer tail), and the maximum one step beyond.
constexpr double kSpectrumEnd = 4;  // 99.99%
constexpr double kSpectrumStep = 0.05;
constexpr double kMaxAt = kSpectrumEnd + 1;

double percentile_at(double x) {
  return 100.0 * (1.0 - std::pow(10.0, -x));
}

std::string percentile_label(double p) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "p%.6g", p);
  return buffer;
}

std::string spectrum_chart(const std::vector<Distribution>& distributions) {
  Chart chart;
  chart.aria_label = "latency percentile spectrum";
  chart.x_title = "percentile";
  chart.y_title = "ms";
  chart.unit = "ms";
  chart.digits = 3;
  chart.x_ticks = {{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {kMaxAt, "max"}};
  const int samples = static_cast<int>(std::lround(kSpectrumEnd / kSpectrumStep));
  for (int i = 0; i <= samples; ++i) {
    chart.x.push_back(i * kSpectrumStep);
    chart.point_labels.push_back(percentile_label(percentile_at(i * kSpectrumStep)));
  }
  chart.x.push_back(kMaxAt);
  chart.point_labels.push_back("max");
  for (const Distribution& d : distributions) {
    if (!d.histogram || d.histogram->count() == 0) continue;
    ChartSeries series{d.name, d.color, {}};
    for (double x : chart.x) {
      const double p = x >= kMaxAt ? 100.0 : percentile_at(x);
      series.values.push_back(static_cast<double>(d.histogram->percentile(p)) / 1000.0);
    }
    chart.series.push_back(std::move(series));
  }
  if (chart.series.empty()) return "<p class=\"empty\">No latency was recorded.</p>\n";
  return figure("percentile-spectrum", line_chart(chart), chart_legend(chart.series),
                "Latency at each percentile, from the full histograms: left the typical request, "
                "right the rarest and slowest.");
}

std::string percentile_table(const std::vector<Distribution>& distributions) {
  const std::pair<const char*, double> rows[] = {{"min", 0},  {"p50", 50},     {"p90", 90},
                                                 {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99},
                                                 {"max", 100}};
  std::string out = "<table class=\"percentiles\">\n<thead><tr><th>percentile</th>";
  for (const Distribution& d : distributions) out += "<th>" + esc(d.name) + " ms</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& [label, p] : rows) {
    out += "<tr><th>" + std::string(label) + "</th>";
    for (const Distribution& d : distributions) {
      const bool has = d.histogram && d.histogram->count() > 0;
      out += "<td class=\"num\">" +
             (has ? ms_text(static_cast<double>(d.histogram->percentile(p)) / 1000.0) : "-") +
             "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace

std::string timeline_section(const json& result) {
  const std::vector<Span> spans = spans_of(member(result, "timeline"));
  std::string out = "<section id=\"timeline\">\n<h2>Over time</h2>\n";
  if (spans.empty()) {
    return out +
           "<p class=\"empty\">No second of the run was recorded: nothing was answered."
           "</p>\n</section>\n";
  }
  const std::string grouping =
      spans.front().seconds > 1
          ? " (each point covers " + number_text(spans.front().seconds) + " seconds)"
          : "";
  // A merged file keeps no per-second histogram: its seconds' percentiles are the worst shard's.
  const std::string merged = member(result, "merged_from").is_array()
                                 ? "; merged from shards, each second's p50 and p99 are the "
                                   "worst shard's"
                                 : "";
  return out + latency_over_time(spans, grouping + merged) + throughput_over_time(spans, grouping) +
         "</section>\n";
}

std::string percentiles_section(const json& result) {
  const std::vector<Distribution> distributions = {
      read_distribution(result, "latency", "latency", "#1565c0"),
      read_distribution(result, "service_time", "service time", "#00838f")};
  std::string out = "<section id=\"percentiles\">\n<h2>Latency percentiles</h2>\n";
  for (const Distribution& d : distributions) {
    if (!d.problem.empty()) out += "<p class=\"empty\">" + esc(d.problem) + "</p>\n";
  }
  return out + spectrum_chart(distributions) + percentile_table(distributions) + "</section>\n";
}

}  // namespace kmsconf::reports::load_html
