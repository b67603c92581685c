// Drawing the reports' inline SVG charts (svg_chart.hpp).
#include "reports/svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include "reports/html_page.hpp"
#include "reports/text.hpp"

namespace kmsconf::reports {
namespace {

// The drawing area inside the viewBox; the margins hold the axis labels and titles.
constexpr double kWidth = 960, kHeight = 280;
constexpr double kLeft = 70, kRight = 16, kTop = 14, kBottom = 46;
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;
constexpr size_t kMostMarkers = 60;  // beyond that, dots would hide the line
constexpr int kYTicks = 5, kXTicks = 10;
constexpr int kMostTicks = 50;  // a bound for any tick loop, whatever the numbers

double finite(double value) {
  return std::isfinite(value) ? value : 0.0;
}

std::string coord(double value) {
  return format_fixed(value, 1);
}

// 1, 2 or 5 times a power of ten, the smallest at least span / ticks: ticks people can read.
double round_step(double span, int ticks) {
  if (!(span > 0) || !std::isfinite(span)) return 1;
  const double raw = span / ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

// Enough decimals to tell ticks `step` apart.
int decimals_for(double step) {
  return step >= 1 ? 0 : std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
}

// Where values land: x in [x_lo, x_hi], y in [0, y_hi].
struct Frame {
  double x_lo = 0, x_hi = 1, y_hi = 1, y_step = 0.2;

  double px(double x) const { return kLeft + (x - x_lo) / (x_hi - x_lo) * kPlotWidth; }
  double py(double y) const { return kTop + kPlotHeight - std::max(0.0, y) / y_hi * kPlotHeight; }
};

Frame frame_for(const Chart& chart, double x_end_extra, double y_max) {
  Frame f;
  const auto [lo, hi] = std::minmax_element(chart.x.begin(), chart.x.end());
  f.x_lo = chart.x_min.value_or(finite(*lo));
  f.x_hi = chart.x_max.value_or(finite(*hi) + x_end_extra);
  if (!(f.x_hi > f.x_lo)) {  // one point, or a range given backwards
    f.x_lo -= 0.5;
    f.x_hi = f.x_lo + 1;
  }
  f.y_step = round_step(y_max, kYTicks);
  f.y_hi = y_max > 0 ? std::ceil(y_max / f.y_step - 1e-9) * f.y_step : f.y_step * kYTicks;
  return f;
}

std::string svg_open(const Chart& chart) {
  return "<svg class=\"chart\" viewBox=\"0 0 " + coord(kWidth) + " " + coord(kHeight) +
         "\" width=\"" + coord(kWidth) + "\" height=\"" + coord(kHeight) +
         "\" role=\"img\" aria-label=\"" + html_escape(chart.aria_label) + "\">\n";
}

std::string text_at(double x, double y, const char* anchor, const std::string& text,
                    const std::string& extra = "") {
  return "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" text-anchor=\"" + anchor +
         "\" class=\"axis\"" + extra + ">" + html_escape(text) + "</text>\n";
}

std::string y_axis(const Chart& chart, const Frame& f) {
  std::string out;
  const int digits = decimals_for(f.y_step);
  const int ticks = std::min(kMostTicks, static_cast<int>(std::lround(f.y_hi / f.y_step)));
  for (int i = 0; i <= ticks; ++i) {
    const double value = i * f.y_step;
    const double y = f.py(value);
    out += "<line x1=\"" + coord(kLeft) + "\" y1=\"" + coord(y) + "\" x2=\"" +
           coord(kLeft + kPlotWidth) + "\" y2=\"" + coord(y) + "\" class=\"grid\"></line>\n";
    out += text_at(kLeft - 6, y + 3, "end", format_fixed(value, digits));
  }
  const double middle = kTop + kPlotHeight / 2;
  out += text_at(14, middle, "middle", chart.y_title,
                 " transform=\"rotate(-90 14 " + coord(middle) + ")\"");
  return out;
}

std::vector<ChartTick> round_x_ticks(const Frame& f) {
  const double step = round_step(f.x_hi - f.x_lo, kXTicks);
  const int digits = decimals_for(step);
  std::vector<ChartTick> ticks;
  for (double at = std::ceil(f.x_lo / step - 1e-9) * step;
       at <= f.x_hi + step * 1e-9 && ticks.size() < kMostTicks; at += step) {
    ticks.push_back({at, format_fixed(at == 0 ? 0.0 : at, digits)});  // never "-0.0"
  }
  return ticks;
}

std::string x_axis(const Chart& chart, const Frame& f) {
  const double bottom = kTop + kPlotHeight;
  std::string out = "<line x1=\"" + coord(kLeft) + "\" y1=\"" + coord(bottom) + "\" x2=\"" +
                    coord(kLeft + kPlotWidth) + "\" y2=\"" + coord(bottom) +
                    "\" class=\"baseline\"></line>\n";
  for (const ChartTick& tick : chart.x_ticks.empty() ? round_x_ticks(f) : chart.x_ticks) {
    if (!std::isfinite(tick.at) || tick.at < f.x_lo || tick.at > f.x_hi) continue;
    const double x = f.px(tick.at);
    out += "<line x1=\"" + coord(x) + "\" y1=\"" + coord(bottom) + "\" x2=\"" + coord(x) +
           "\" y2=\"" + coord(bottom + 4) + "\" class=\"baseline\"></line>\n";
    out += text_at(x, bottom + 16, "middle", tick.label);
  }
  out += text_at(kLeft + kPlotWidth / 2, kHeight - 6, "middle", chart.x_title);
  return out;
}

double value_at(const ChartSeries& series, size_t i) {
  return i < series.values.size() ? std::max(0.0, finite(series.values[i])) : 0.0;
}

std::string point_label(const Chart& chart, size_t i) {
  if (i < chart.point_labels.size()) return chart.point_labels[i];
  return format_fixed(chart.x[i], decimals_for(std::fabs(chart.x[i])));
}

std::string value_text(const Chart& chart, double value) {
  return format_fixed(value, chart.digits) + (chart.unit.empty() ? "" : " " + chart.unit);
}

// An invisible column over point i (between the midpoints to its neighbours) whose tooltip
// lists every series' value there.
std::string hover_column(const Chart& chart, const Frame& f, size_t i) {
  const double x = f.px(finite(chart.x[i]));
  const double left = i == 0 ? kLeft : (x + f.px(finite(chart.x[i - 1]))) / 2;
  const double right =
      i + 1 == chart.x.size() ? kLeft + kPlotWidth : (x + f.px(finite(chart.x[i + 1]))) / 2;
  std::string tip = point_label(chart, i);
  for (const ChartSeries& series : chart.series) {
    tip += "\n" + series.name + ": " + value_text(chart, value_at(series, i));
  }
  return "<rect class=\"hover\" x=\"" + coord(std::min(left, right)) + "\" y=\"" + coord(kTop) +
         "\" width=\"" + coord(std::fabs(right - left)) + "\" height=\"" + coord(kPlotHeight) +
         "\"><title>" + html_escape(tip) + "</title></rect>\n";
}

std::string line_series(const Chart& chart, const Frame& f, const ChartSeries& series) {
  std::string points;
  std::string markers;
  for (size_t i = 0; i < chart.x.size(); ++i) {
    const std::string x = coord(f.px(finite(chart.x[i])));
    const std::string y = coord(f.py(value_at(series, i)));
    points += (points.empty() ? "" : " ") + x + "," + y;
    if (chart.x.size() <= kMostMarkers) {
      markers += "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"3\"></circle>";
    }
  }
  return "<g class=\"series\" data-series=\"" + html_escape(series.name) + "\" stroke=\"" +
         series.color + "\" fill=\"" + series.color + "\"><polyline fill=\"none\" points=\"" +
         points + "\"></polyline>" + markers + "</g>\n";
}

bool drawable(const Chart& chart) {
  return !chart.x.empty() && !chart.series.empty();
}

}  // namespace

std::string line_chart(const Chart& chart) {
  if (!drawable(chart)) return "";
  double y_max = 0;
  for (const ChartSeries& series : chart.series) {
    for (size_t i = 0; i < chart.x.size(); ++i) y_max = std::max(y_max, value_at(series, i));
  }
  const Frame f = frame_for(chart, 0, y_max);
  std::string out = svg_open(chart) + y_axis(chart, f) + x_axis(chart, f);
  for (const ChartSeries& series : chart.series) out += line_series(chart, f, series);
  for (size_t i = 0; i < chart.x.size(); ++i) out += hover_column(chart, f, i);
  return out + "</svg>\n";
}

std::string stacked_bar_chart(const Chart& chart) {
  if (!drawable(chart)) return "";
  std::vector<double> base(chart.x.size(), 0.0);  // each bar's height so far
  double y_max = 0;
  for (size_t i = 0; i < chart.x.size(); ++i) {
    double total = 0;
    for (const ChartSeries& series : chart.series) total += value_at(series, i);
    y_max = std::max(y_max, total);
  }
  const double width = std::max(0.0, finite(chart.bar_width));
  const Frame f = frame_for(chart, width, y_max);
  const double pixels = width / (f.x_hi - f.x_lo) * kPlotWidth;
  const double gap = pixels >= 4 ? pixels * 0.1 : 0;  // thin bars touch, or nothing is left
  std::string out = svg_open(chart) + y_axis(chart, f) + x_axis(chart, f);
  for (const ChartSeries& series : chart.series) {
    out += "<g class=\"series\" data-series=\"" + html_escape(series.name) + "\" fill=\"" +
           series.color + "\">\n";
    for (size_t i = 0; i < chart.x.size(); ++i) {
      const double value = value_at(series, i);
      if (value <= 0) continue;
      const double top = f.py(base[i] + value), bottom = f.py(base[i]);
      base[i] += value;
      out +=
          "<rect x=\"" + coord(f.px(finite(chart.x[i])) + gap / 2) + "\" y=\"" + coord(top) +
          "\" width=\"" + coord(std::max(0.5, pixels - gap)) + "\" height=\"" +
          coord(bottom - top) + "\"><title>" +
          html_escape(point_label(chart, i) + ": " + series.name + " " + value_text(chart, value)) +
          "</title></rect>\n";
    }
    out += "</g>\n";
  }
  return out + "</svg>\n";
}

std::string_view chart_style() {
  return R"CSS(
svg.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid #e0e0e0; }
svg.chart .grid { stroke: #eeeeee; }
svg.chart .baseline { stroke: #888888; }
svg.chart polyline { stroke-width: 2; stroke-linejoin: round; }
svg.chart .hover { fill: #000000; fill-opacity: 0; }
svg.chart .hover:hover { fill-opacity: 0.06; }
)CSS";
}

std::string chart_legend(const std::vector<ChartSeries>& series) {
  std::vector<Share> shares;
  for (const ChartSeries& s : series) shares.push_back({s.name, s.color, 0});
  return legend(shares, false);
}

}  // namespace kmsconf::reports
