#include "reports/text.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "protocol/xml_text.hpp"

namespace kmsconf::reports {
namespace {

// Characters XML 1.0 allows, minus the discouraged control characters.
bool keep_code_point(uint32_t cp) {
  if (cp == 0x09 || cp == 0x0A || cp == 0x0D) return true;
  if (cp < 0x20) return false;
  if (cp >= 0x7F && cp <= 0x9F) return false;
  if (cp == 0xFFFE || cp == 0xFFFF) return false;
  return true;
}

std::string escape(std::string_view text, bool attribute) {
  const std::string clean = sanitize_text(text);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (char c : clean) {
    if (std::string_view entity = xml_entity(c); !entity.empty()) {
      out += entity;
    } else if (c == '\r') {
      out += "&#13;";
    } else if (attribute && c == '\n') {
      out += "&#10;";
    } else if (attribute && c == '\t') {
      out += "&#9;";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view outcome_label(conformance::Outcome outcome) {
  using conformance::Outcome;
  switch (outcome) {
    case Outcome::Pass:
      return "Pass";
    case Outcome::Fail:
      return "Fail";
    case Outcome::Error:
      return "Error";
    case Outcome::Skip:
      return "Skip";
    case Outcome::Disabled:
      return "Disabled";
    case Outcome::XFail:
      return "XFail";
    case Outcome::XPass:
      return "XPass";
    case Outcome::NotRun:
      return "NotRun";
  }
  return "Unknown";
}

std::string sanitize_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Sequence sequence = utf8_sequence_at(text, pos);
    if (!sequence.valid) {
      out += kReplacementCharacter;
    } else if (keep_code_point(sequence.code_point)) {
      out.append(text.substr(pos, sequence.length));
    }
    pos += sequence.length;
  }
  return out;
}

std::string_view truncate_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && is_utf8_continuation(static_cast<unsigned char>(text[cut]))) --cut;
  return text.substr(0, cut);
}

std::string xml_escape_text(std::string_view text) {
  return escape(text, false);
}
std::string xml_escape_attribute(std::string_view text) {
  return escape(text, true);
}

std::string html_escape(std::string_view text) {
  const std::string clean = sanitize_text(text);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (char c : clean) {
    if (c == '\'') {
      out += "&#39;";  // &apos; is not HTML 4
    } else if (std::string_view entity = xml_entity(c); !entity.empty()) {
      out += entity;
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_seconds(std::chrono::milliseconds elapsed) {
  long long ms = elapsed.count();
  if (ms < 0) ms = 0;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%03lld", ms / 1000, ms % 1000);
  return buffer;
}

void write_text_file(const std::string& path, std::string_view content) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    const int error = errno;
    throw std::runtime_error("cannot write " + path + ": " +
                             (error != 0 ? std::strerror(error) : "cannot open the file"));
  }
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    const int error = errno;
    throw std::runtime_error("cannot write " + path + ": " +
                             (error != 0 ? std::strerror(error) : "write failed"));
  }
}

std::string read_text_file(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw std::runtime_error("cannot read " + path + ": it is a directory");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw std::runtime_error("cannot read " + path + ": " +
                             (error != 0 ? std::strerror(error) : "cannot open the file"));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    const int error = errno;
    throw std::runtime_error("cannot read " + path + ": " +
                             (error != 0 ? std::strerror(error) : "read failed"));
  }
  return content.str();
}

}  // namespace kmsconf::reports
