// Inline SVG charts for the HTML reports (lines over x, stacked bars), readable without script.
//
// Each chart is one <svg> sized by its viewBox, with a y axis from 0 with round ticks, x ticks,
// and a native tooltip (<title>) on every point or bar segment, so hovering works without
// JavaScript. Each series is one <g class="series" data-series="NAME">. Non-finite values are
// drawn as 0: a chart never holds NaN.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kmsconf::reports {

struct ChartSeries {
  std::string name;            // plain text (escaped where written)
  std::string color;           // a CSS colour from the program, never from a file
  std::vector<double> values;  // one per point of the chart
};

struct ChartTick {
  double at = 0;      // in x units
  std::string label;  // plain text
};

struct Chart {
  std::string aria_label;  // what the chart shows, for screen readers
  std::string x_title;     // under the x axis
  std::string y_title;     // beside the y axis
  std::vector<double> x;   // each point's position (lines) or each bar's left edge (bars)
  // Tooltip heading of each point ("second 12"); empty: the x value.
  std::vector<std::string> point_labels;
  std::vector<ChartTick> x_ticks;      // empty: round numbers over the x range
  std::optional<double> x_min, x_max;  // the x range; default: the points' (bars: + bar_width)
  double bar_width = 1;                // bars: each bar's width in x units
  std::string unit;                    // after each value in tooltips: "ms", "req/s"
  int digits = 2;                      // decimals of values in tooltips
  std::vector<ChartSeries> series;
};

// Each series as a line through its points (with a dot on each when there are few), over an
// axis from 0 to a round number above the largest value. "" when there is no point or series.
std::string line_chart(const Chart& chart);

// At each x, one bar stacking every series' value in order (the first at the bottom).
// "" when there is no point or series.
std::string stacked_bar_chart(const Chart& chart);

// The CSS the charts need, for the page's <style>.
std::string_view chart_style();

// The colour legend of the series (html_page.hpp's legend).
std::string chart_legend(const std::vector<ChartSeries>& series);

}  // namespace kmsconf::reports
