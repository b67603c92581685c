#include "reports/text.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kmsconf::reports {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

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
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        attribute ? out += "&#10;" : out += c;
        break;
      case '\t':
        attribute ? out += "&#9;" : out += c;
        break;
      default:
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
  }
  return "Unknown";
}

std::string sanitize_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t cp = 0;
    // Bounds on the second byte exclude overlong forms, surrogates and values above U+10FFFF.
    unsigned char low = 0x80, high = 0xBF;
    if (lead < 0x80) {
      length = 1;
      cp = lead;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      cp = lead & 0x0F;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      cp = lead & 0x07;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      out += kReplacement;
      ++i;
      continue;
    }
    // Consume the longest valid prefix; an incomplete sequence is one U+FFFD.
    size_t consumed = 1;
    bool valid = true;
    for (; consumed < length; ++consumed) {
      if (i + consumed >= n) {
        valid = false;
        break;
      }
      const auto c = static_cast<unsigned char>(text[i + consumed]);
      const bool in_range = consumed == 1 ? (c >= low && c <= high) : is_continuation(c);
      if (!in_range) {
        valid = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!valid) {
      out += kReplacement;
      i += consumed;
      continue;
    }
    if (keep_code_point(cp)) out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string_view truncate_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && is_continuation(static_cast<unsigned char>(text[cut]))) --cut;
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
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
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
