#include "conformance/console.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>

namespace kmsconf::conformance {
namespace {

constexpr std::array<Outcome, 7> kOutcomes{Outcome::Pass, Outcome::Fail,     Outcome::Error,
                                           Outcome::Skip, Outcome::Disabled, Outcome::XFail,
                                           Outcome::XPass};

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

ConsoleProgress::ConsoleProgress(std::ostream& out, bool tty, bool show_skips)
    : out_(out), tty_(tty), show_skips_(show_skips) {}

void ConsoleProgress::started(size_t total) {
  if (tty_) {
    std::ostringstream text;
    text << "[0/" << total << "] starting";
    std::string line = text.str();
    out_ << "\r" << line << std::flush;
    line_width_ = line.size();
  }
}

void ConsoleProgress::clear() {
  if (tty_ && line_width_ > 0) {
    out_ << "\r" << std::string(line_width_, ' ') << "\r" << std::flush;
    line_width_ = 0;
  }
}

void ConsoleProgress::finished(const CaseResult& result, size_t done, size_t total) {
  std::string failure = failure_line(result, show_skips_);
  if (result.outcome == Outcome::Fail || result.outcome == Outcome::Error ||
      result.outcome == Outcome::XPass) {
    ++failures_;
  }
  if (!failure.empty()) {
    clear();
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
    if (done == total) clear();
  } else {
    out_ << std::flush;
  }
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
  for (const auto& note : report.notes) out << "\nnote: " << note;
  return out.str();
}

}  // namespace kmsconf::conformance
