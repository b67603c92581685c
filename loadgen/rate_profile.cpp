// Piecewise-linear arrival rates and their exact inverse (rate_profile.hpp).
#include "loadgen/rate_profile.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "protocol/duration.hpp"

namespace kmsconf::loadgen {
namespace {

constexpr double kHighestRate = 1'000'000;

double seconds_of(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count()) / 1e9;
}

Stage parse_stage(const std::string& text, std::size_t index) {
  const std::string where = "stage " + std::to_string(index + 1) + " \"" + text + "\"";
  const auto colon = text.find(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument(where + ": expected RATE:DURATION such as 1000:30s");
  }
  Stage stage;
  const auto rate = parse_decimal(text.substr(0, colon));
  if (!rate || !std::isfinite(*rate) || *rate < 0 || *rate > kHighestRate) {
    throw std::invalid_argument(where + ": the rate must be 0..1000000 requests per second");
  }
  stage.target = *rate;
  const auto duration = parse_duration(text.substr(colon + 1));
  if (!duration || duration->count() < 0) {
    throw std::invalid_argument(where + ": the duration must be such as 0s, 500ms, 30s or 2m");
  }
  stage.duration = *duration;
  return stage;
}

}  // namespace

std::vector<Stage> parse_stages(const std::string& text) {
  std::vector<Stage> stages;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto comma = std::min(text.find(',', at), text.size());
    stages.push_back(parse_stage(text.substr(at, comma - at), stages.size()));
    at = comma + 1;
  }
  const bool any_time = std::any_of(stages.begin(), stages.end(),
                                    [](const Stage& s) { return s.duration.count() > 0; });
  if (!any_time) throw std::invalid_argument("the stages last no time at all");
  return stages;
}

RateProfile RateProfile::constant(double rate, std::chrono::nanoseconds length) {
  RateProfile p;
  p.add(seconds_of(length), rate, rate);
  p.length_ = length;
  p.finish();
  return p;
}

RateProfile RateProfile::staged(double start_rate, const std::vector<Stage>& stages) {
  RateProfile p;
  double rate = start_rate;
  for (const Stage& s : stages) {
    p.add(seconds_of(s.duration), rate, s.target);
    p.length_ += s.duration;
    rate = s.target;
  }
  p.finish();
  return p;
}

void RateProfile::add(double seconds, double from_rate, double to_rate) {
  if (seconds <= 0) return;  // a step: only the next stage's starting rate changes
  Segment s;
  s.begin_s = segments_.empty() ? 0 : segments_.back().end_s;
  s.end_s = s.begin_s + seconds;
  s.from_rate = std::max(0.0, from_rate);
  s.to_rate = std::max(0.0, to_rate);
  s.before = segments_.empty() ? 0 : segments_.back().before + segments_.back().count();
  segments_.push_back(s);
}

void RateProfile::finish() {
  const double expected = expected_before(length_);
  // k is scheduled when k < expected (its time is then before the end); the tolerance keeps an
  // exact product such as 1000/s x 1 s at 1000, not 1001.
  total_ = expected > 0 ? static_cast<uint64_t>(std::ceil(expected - 1e-9)) : 0;
}

const RateProfile::Segment* RateProfile::segment_holding(double k) const {
  // The last segment whose expected count starts at or before k and that sends anything.
  const Segment* found = nullptr;
  for (const Segment& s : segments_) {
    if (s.before > k) break;
    if (s.count() > 0) found = &s;
  }
  return found;
}

std::chrono::nanoseconds RateProfile::time_of(uint64_t k) const {
  const double kd = static_cast<double>(k);
  const Segment* s = segment_holding(kd);
  if (!s) return std::chrono::nanoseconds(0);
  const double x = kd - s->before;  // requests into this segment
  const double length = s->end_s - s->begin_s;
  double tau = 0;
  if (x > 0) {
    // Solve from_rate*t + slope*t^2/2 = x; this form stays exact for a flat segment (slope 0)
    // and for a ramp from zero.
    const double slope = (s->to_rate - s->from_rate) / length;
    const double root = std::sqrt(std::max(0.0, s->from_rate * s->from_rate + 2 * slope * x));
    tau = 2 * x / (s->from_rate + root);
  }
  tau = std::clamp(tau, 0.0, length);
  return std::chrono::nanoseconds(std::llround((s->begin_s + tau) * 1e9));
}

double RateProfile::expected_before(std::chrono::nanoseconds at) const {
  const double t = seconds_of(at);
  double total = 0;
  for (const Segment& s : segments_) {
    if (t <= s.begin_s) break;
    const double into = std::min(t, s.end_s) - s.begin_s;
    const double slope = (s.to_rate - s.from_rate) / (s.end_s - s.begin_s);
    total = s.before + s.from_rate * into + slope * into * into / 2;
  }
  return total;
}

double RateProfile::rate_at(std::chrono::nanoseconds at) const {
  const double t = seconds_of(at);
  for (const Segment& s : segments_) {
    if (t < s.end_s) {
      const double into = std::max(0.0, t - s.begin_s);
      return s.from_rate + (s.to_rate - s.from_rate) * into / (s.end_s - s.begin_s);
    }
  }
  return 0;
}

double RateProfile::peak_rate() const {
  double peak = 0;
  for (const Segment& s : segments_) peak = std::max({peak, s.from_rate, s.to_rate});
  return peak;
}

RateProfile RateProfile::scaled(double factor) const {
  RateProfile p;
  for (const Segment& s : segments_) {
    p.add(s.end_s - s.begin_s, s.from_rate * factor, s.to_rate * factor);
  }
  p.length_ = length_;
  p.finish();
  return p;
}

}  // namespace kmsconf::loadgen
