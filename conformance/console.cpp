#include "conformance/console.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>

namespace kmsconf::conformance {
namespace {

constexpr const auto& kOutcomes = kAllOutcomes;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

using Counts = std::array<size_t, kOutcomes.size()>;

size_t index_of(Outcome outcome) {
  return static_cast<size_t>(std::find(kOutcomes.begin(), kOutcomes.end(), outcome) -
                             kOutcomes.begin());
}

std::string pad(std::string text, size_t width, bool right = false) {
  if (text.size() >= width) return text;
  std::string fill(width - text.size(), ' ');
  return right ? fill + text : text + fill;
}

void table(std::ostringstream& out, const std::string& title,
           const std::map<std::string, Counts>& rows) {
  if (rows.empty()) return;
  size_t name_width = title.size();
  for (const auto& [name, counts] : rows) name_width = std::max(name_width, name.size());
  name_width = std::min<size_t>(name_width, 48);
  out << pad(title, name_width) << "  " << pad("cases", 5, true);
  for (Outcome o : kOutcomes) {
    std::string label(to_string(o));
    out << "  " << pad(label, std::max<size_t>(label.size(), 4), true);
  }
  out << "\n";
  for (const auto& [name, counts] : rows) {
    size_t total = 0;
    for (size_t c : counts) total += c;
    out << pad(name, name_width) << "  " << pad(std::to_string(total), 5, true);
    for (Outcome o : kOutcomes) {
      std::string label(to_string(o));
      size_t n = counts[index_of(o)];
      out << "  " << pad(n == 0 ? "." : std::to_string(n), std::max<size_t>(label.size(), 4), true);
    }
    out << "\n";
  }
}

}  // namespace

std::string failure_line(const CaseResult& result, bool include_skips) {
  switch (result.outcome) {
    case Outcome::Fail:
    case Outcome::Error:
    case Outcome::XPass:
      break;
    case Outcome::Skip:
      if (include_skips) break;
      return "";
    default:
      return "";
  }
  return pad(upper(to_string(result.outcome)), 5) + " " + result.id + "  " +
         first_line(result.message);
}

ConsoleProgress::ConsoleProgress(std::ostream& out, bool tty, bool show_skips,
                                 std::chrono::milliseconds plain_every)
    : out_(out), tty_(tty), show_skips_(show_skips), plain_every_(plain_every) {}

void ConsoleProgress::started(size_t total) {
  std::lock_guard lock(mutex_);
  total_ = total;
  start_ = last_plain_ = Clock::now();
  if (tty_) {
    std::ostringstream text;
    text << "[0/" << total << "] starting";
    std::string line = text.str();
    out_ << "\r" << line << std::flush;
    line_width_ = line.size();
  } else {
    out_ << "running " << total << " cases\n" << std::flush;
  }
}

void ConsoleProgress::clear() {
  std::lock_guard lock(mutex_);
  clear_locked();
}

void ConsoleProgress::clear_locked() {
  if (tty_ && line_width_ > 0) {
    out_ << "\r" << std::string(line_width_, ' ') << "\r" << std::flush;
    line_width_ = 0;
  }
}

void ConsoleProgress::end() {
  std::lock_guard lock(mutex_);
  clear_locked();
  ended_ = true;
}

void ConsoleProgress::say(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  clear_locked();
  out_ << line << "\n" << std::flush;
}

void ConsoleProgress::plain_line_locked() {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start_).count();
  out_ << "progress: " << done_ << "/" << total_ << " cases, " << failures_ << " failing, "
       << seconds << " s\n"
       << std::flush;
  last_plain_ = Clock::now();
}

void ConsoleProgress::tick() {
  std::lock_guard lock(mutex_);
  if (!ended_ && !tty_ && total_ > 0 && done_ < total_ &&
      Clock::now() - last_plain_ >= plain_every_) {
    plain_line_locked();
  }
}

void ConsoleProgress::finished(const CaseResult& result, size_t done, size_t total) {
  std::lock_guard lock(mutex_);
  done_ = done;
  total_ = total;
  std::string failure = failure_line(result, show_skips_);
  if (result.outcome == Outcome::Fail || result.outcome == Outcome::Error ||
      result.outcome == Outcome::XPass) {
    ++failures_;
  }
  if (!failure.empty()) {
    clear_locked();
    out_ << failure << "\n";
  }
  if (tty_) {
    std::ostringstream text;
    text << '[' << done << '/' << total << "] " << failures_ << " failing  " << result.id;
    std::string line = text.str();
    if (line.size() > 100) line = line.substr(0, 100);
    std::string blank =
        line_width_ > line.size() ? std::string(line_width_ - line.size(), ' ') : "";
    out_ << "\r" << line << blank << std::flush;
    line_width_ = line.size();
    if (done == total) clear_locked();
  } else {
    if (Clock::now() - last_plain_ >= plain_every_) plain_line_locked();
    out_ << std::flush;
  }
}

std::string disabled_summary(const RunReport& report) {
  std::map<std::string, size_t> by_feature;
  size_t total = 0;
  static const std::string kPrefix = "feature \"";
  for (const auto& r : report.results) {
    if (r.outcome != Outcome::Disabled) continue;
    ++total;
    std::string feature = r.message;
    if (feature.starts_with(kPrefix)) {
      feature = feature.substr(kPrefix.size(), feature.find('"', kPrefix.size()) - kPrefix.size());
    }
    ++by_feature[feature];
  }
  if (total == 0) return "";
  std::ostringstream out;
  out << total << (total == 1 ? " case" : " cases") << " Disabled:";
  bool first = true;
  for (const auto& [feature, n] : by_feature) {
    out << (first ? " " : ", ") << n << " need feature \"" << feature << "\"";
    first = false;
  }
  out << " (enable features with --features FILE)";
  return out.str();
}

std::string summary_table(const RunReport& report) {
  std::map<std::string, Counts> by_operation;
  std::map<std::string, Counts> by_tag;
  for (const auto& r : report.results) {
    for (const auto& action : r.actions) by_operation[action][index_of(r.outcome)]++;
    for (const auto& tag : r.tags) by_tag[tag][index_of(r.outcome)]++;
  }
  std::ostringstream out;
  table(out, "operation", by_operation);
  if (!by_operation.empty() && !by_tag.empty()) out << "\n";
  table(out, "tag", by_tag);
  return out.str();
}

std::string totals_line(const RunReport& report) {
  std::ostringstream out;
  out << report.results.size() << " cases:";
  bool first = true;
  for (Outcome o : kOutcomes) {
    size_t n = report.count(o);
    if (n == 0 && o != Outcome::Pass && o != Outcome::Fail) continue;
    out << (first ? " " : ", ") << n << " " << to_string(o);
    first = false;
  }
  if (!report.file_errors.empty()) out << ", " << report.file_errors.size() << " case-file errors";
  out << " in " << report.elapsed.count() / 1000 << "." << (report.elapsed.count() % 1000) / 100
      << " s";
  if (!report.run_prefix.empty()) out << " (run prefix " << report.run_prefix << ")";
  if (!report.stopped.empty()) {
    out << "\nSTOPPED: " << report.stop_message << "; " << report.count(Outcome::NotRun)
        << " cases not run";
  }
  if (!report.shared_cause.empty()) out << "\nCAUSE: " << report.shared_cause;
  if (std::string disabled = disabled_summary(report); !disabled.empty()) out << "\n" << disabled;
  for (const auto& note : report.notes) out << "\nnote: " << note;
  return out.str();
}

}  // namespace kmsconf::conformance
