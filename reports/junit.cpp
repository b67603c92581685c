#include "reports/junit.hpp"

#include <filesystem>
#include <map>
#include <string_view>
#include <vector>

#include "reports/text.hpp"

namespace kmsconf::reports {
namespace {

using conformance::CaseResult;
using conformance::Outcome;
using conformance::RunReport;

constexpr size_t kMaxMessageAttribute = 1024;  // the one-line summary CI lists show
constexpr size_t kMaxExchangePart = 8 * 1024;  // per request and per response in the details

std::string attr(std::string_view text) {
  return xml_escape_attribute(text);
}
std::string text(std::string_view text) {
  return xml_escape_text(text);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

bool has_tag(const CaseResult& result, std::string_view tag) {
  for (const auto& t : result.tags) {
    if (t == tag) return true;
  }
  return false;
}

std::string dialect_of(const CaseResult& result) {
  return result.dialect.empty() ? std::string("unknown") : result.dialect;
}

std::string classname_of(const CaseResult& result) {
  std::string group;
  if (!result.tags.empty() && !result.tags.front().empty()) {
    group = result.tags.front();
  } else if (!result.file.empty()) {
    group = std::filesystem::path(result.file).stem().string();
  }
  if (group.empty()) group = "cases";
  return "kmsconf." + dialect_of(result) + "." + group;
}

std::string first_line(std::string_view message) {
  const auto end = message.find_first_of("\r\n");
  std::string line(message.substr(0, end));
  std::string clean = sanitize_text(line);
  if (clean.size() > kMaxMessageAttribute) {
    clean = std::string(truncate_utf8(clean, kMaxMessageAttribute)) + "...";
  }
  return clean;
}

// HTTP's CRLF shown as LF: CI viewers print the text, and "&#13;" everywhere helps no one.
std::string crlf_to_lf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

std::string capped(std::string_view part) {
  const std::string clean = sanitize_text(crlf_to_lf(part));
  if (clean.size() <= kMaxExchangePart) return clean;
  const auto kept = truncate_utf8(clean, kMaxExchangePart);
  return std::string(kept) + "\n... (" + std::to_string(clean.size() - kept.size()) +
         " more bytes in the JSON/HTML report)";
}

// Where the case comes from and what it checks: the system-out of every testcase.
std::string case_context(const CaseResult& result) {
  std::string out;
  if (!result.title.empty()) out += "title: " + result.title + "\n";
  if (!result.doc.empty()) out += "doc: " + result.doc + "\n";
  if (!result.tags.empty()) out += "tags: " + join(result.tags, ", ") + "\n";
  if (!result.actions.empty()) out += "operations: " + join(result.actions, ", ") + "\n";
  if (!result.file.empty()) {
    out += "case: " + result.file;
    if (result.line > 0) out += ":" + std::to_string(result.line);
    out += "\n";
  }
  out += "outcome: " + std::string(outcome_label(result.outcome)) + "\n";
  return out;
}

// "at fixtures/volcengine/keys.json:42\n": where the case is, as a stack trace would say.
std::string location(const CaseResult& result) {
  std::string out;
  if (result.file.empty()) return out;
  out += "at ";
  out += result.file;
  if (result.line > 0) {
    out += ':';
    out += std::to_string(result.line);
  }
  out += '\n';
  return out;
}

std::string exchanges_text(const CaseResult& result) {
  std::string out;
  for (const auto& exchange : result.exchanges) {
    out += "\n--- " + exchange.step + " (HTTP " + std::to_string(exchange.status) + ", " +
           std::to_string(exchange.elapsed.count()) + " ms) ---\n";
    out += "> request\n" + capped(exchange.request);
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += "< response\n" + capped(exchange.response);
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
  return out;
}

std::string unexpected_pass_message(const CaseResult& result) {
  std::string message = "passed, but it is listed in the expected failures";
  if (!result.xfail_reason.empty()) message += " (" + result.xfail_reason + ")";
  message += ": remove it from the list";
  return message;
}

void write_property(std::string& out, std::string_view name, std::string_view value) {
  out += "      <property name=\"" + attr(name) + "\" value=\"" + attr(value) + "\"/>\n";
}

void write_testcase(std::string& out, const CaseResult& result) {
  out += "    <testcase classname=\"" + attr(classname_of(result)) + "\" name=\"" +
         attr(result.id) + "\" time=\"" + format_seconds(result.elapsed) + "\">\n";
  std::string system_out;
  switch (result.outcome) {
    case Outcome::Pass:
      break;
    case Outcome::Fail:
    case Outcome::XPass: {
      const bool xpass = result.outcome == Outcome::XPass;
      const std::string message =
          xpass ? unexpected_pass_message(result)
                : (result.message.empty() ? std::string("an expectation broke") : result.message);
      const char* type = xpass                         ? "UnexpectedPass"
                         : has_tag(result, "inferred") ? "ReferenceServerBehaviour"
                                                       : "ExpectationFailed";
      const std::string details = message + "\n" + location(result) + exchanges_text(result);
      out += "      <failure message=\"" + attr(first_line(message)) + "\" type=\"" + type + "\">" +
             text(details) + "</failure>\n";
      break;
    }
    case Outcome::Error:
    case Outcome::NotRun: {
      // A case the run never started is no pass: it is reported as an error, as the exit code is.
      const bool not_run = result.outcome == Outcome::NotRun;
      std::string message = result.message.empty()
                                ? std::string(not_run ? "the run stopped before this case"
                                                      : "the runner could not run the case")
                                : result.message;
      if (not_run) message = "not run: " + message;
      const std::string details = message + "\n" + location(result) + exchanges_text(result);
      out += "      <error message=\"" + attr(first_line(message)) + "\" type=\"" +
             (not_run ? "NotRun" : "EngineError") + "\">" + text(details) + "</error>\n";
      break;
    }
    case Outcome::Skip:
    case Outcome::Disabled: {
      const bool disabled = result.outcome == Outcome::Disabled;
      std::string message = result.message;
      if (message.empty()) {
        message = disabled ? "a required feature is off" : "a prerequisite step failed";
      }
      if (disabled) message = "disabled: " + message;
      out += "      <skipped message=\"" + attr(first_line(message)) + "\"/>\n";
      system_out = message + "\n\n";
      if (!disabled) {
        // The failed prerequisite's exchange is why it was skipped.
        system_out += exchanges_text(result);
        if (!result.exchanges.empty()) system_out += "\n";
      }
      break;
    }
    case Outcome::XFail:
      system_out = "expected failure (XFail)";
      if (!result.xfail_reason.empty()) system_out += ": " + result.xfail_reason;
      system_out += "\n";
      if (!result.message.empty()) system_out += "it failed with: " + result.message + "\n";
      system_out += "\n";
      break;
  }
  system_out += case_context(result);
  out += "      <system-out>" + text(system_out) + "</system-out>\n";
  out += "    </testcase>\n";
}

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::chrono::milliseconds time{0};
};

Counts count(const std::vector<const CaseResult*>& cases) {
  Counts c;
  for (const auto* result : cases) {
    ++c.tests;
    switch (result->outcome) {
      case Outcome::Fail:
      case Outcome::XPass:
        ++c.failures;
        break;
      case Outcome::Error:
      case Outcome::NotRun:
        ++c.errors;
        break;
      case Outcome::Skip:
      case Outcome::Disabled:
        ++c.skipped;
        break;
      case Outcome::Pass:
      case Outcome::XFail:
        break;
    }
    if (result->elapsed.count() > 0) c.time += result->elapsed;
  }
  return c;
}

std::string suite_open(std::string_view name, const Counts& c, const RunReport& report) {
  std::string out = "  <testsuite name=\"" + attr(name) + "\" tests=\"" + std::to_string(c.tests) +
                    "\" failures=\"" + std::to_string(c.failures) + "\" errors=\"" +
                    std::to_string(c.errors) + "\" skipped=\"" + std::to_string(c.skipped) +
                    "\" time=\"" + format_seconds(c.time) + "\"";
  if (!report.started_at.empty()) out += " timestamp=\"" + attr(report.started_at) + "\"";
  out += ">\n";
  return out;
}

void write_run_properties(std::string& out, const RunReport& report, std::string_view dialect) {
  write_property(out, "kmsconf.dialect", dialect);
  if (!report.tool_version.empty())
    write_property(out, "kmsconf.tool_version", report.tool_version);
  if (!report.endpoint.empty()) write_property(out, "kmsconf.endpoint", report.endpoint);
  if (!report.run_prefix.empty()) write_property(out, "kmsconf.run_prefix", report.run_prefix);
  if (!report.started_at.empty()) write_property(out, "kmsconf.started_at", report.started_at);
}

}  // namespace

std::string to_junit_xml(const RunReport& report) {
  std::vector<std::string> dialects;
  std::map<std::string, std::vector<const CaseResult*>> by_dialect;
  for (const auto& result : report.results) {
    const std::string dialect = dialect_of(result);
    auto& cases = by_dialect[dialect];
    if (cases.empty()) dialects.push_back(dialect);
    cases.push_back(&result);
  }

  std::string suites;
  Counts total;
  for (const auto& dialect : dialects) {
    const auto& cases = by_dialect[dialect];
    const Counts c = count(cases);
    total.tests += c.tests;
    total.failures += c.failures;
    total.errors += c.errors;
    total.skipped += c.skipped;
    suites += suite_open("kmsconf." + dialect, c, report);
    suites += "    <properties>\n";
    write_run_properties(suites, report, dialect);
    for (const auto* result : cases) {
      if (!result->doc.empty()) write_property(suites, result->id + ".doc", result->doc);
      if (!result->tags.empty()) {
        write_property(suites, result->id + ".tags", join(result->tags, ","));
      }
      if (!result->xfail_reason.empty() &&
          (result->outcome == Outcome::XFail || result->outcome == Outcome::XPass)) {
        write_property(suites, result->id + ".xfail_reason", result->xfail_reason);
      }
    }
    suites += "    </properties>\n";
    for (const auto* result : cases) write_testcase(suites, *result);
    suites += "  </testsuite>\n";
  }

  if (!report.file_errors.empty()) {
    // A malformed case file is an engine error CI must see, though no case result carries it.
    Counts c;
    c.tests = c.errors = report.file_errors.size();
    total.tests += c.tests;
    total.errors += c.errors;
    suites += suite_open("kmsconf.case-files", c, report);
    suites += "    <properties>\n";
    write_run_properties(suites, report, "case-files");
    suites += "    </properties>\n";
    for (const auto& error : report.file_errors) {
      const auto colon = error.find(": ");
      const std::string where = colon == std::string::npos ? error : error.substr(0, colon);
      suites += "    <testcase classname=\"kmsconf.case-files\" name=\"" + attr(where) +
                "\" time=\"0.000\">\n";
      suites += "      <error message=\"" + attr(first_line(error)) + "\" type=\"CaseFileError\">" +
                text(error) + "</error>\n";
      suites += "    </testcase>\n";
    }
    suites += "  </testsuite>\n";
  }

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"kmsconf\" tests=\"" + std::to_string(total.tests) + "\" failures=\"" +
         std::to_string(total.failures) + "\" errors=\"" + std::to_string(total.errors) +
         "\" time=\"" + format_seconds(report.elapsed) + "\">\n";
  out += suites;
  out += "</testsuites>\n";
  return out;
}

void write_junit(const RunReport& report, const std::string& path) {
  write_text_file(path, to_junit_xml(report));
}

}  // namespace kmsconf::reports
