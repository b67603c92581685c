// Text helpers every report format shares: making arbitrary bytes (response bodies, messages)
// safe to put into XML and HTML, and writing a report file with an error that names the path.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "conformance/results.hpp"

namespace kmsconf::reports {

// The outcome as docs/case-format.md names it: Pass, Fail, Error, Skip, Disabled, XFail, XPass.
std::string_view outcome_label(conformance::Outcome outcome);

// Valid UTF-8 out of any bytes: each invalid sequence (stray continuation byte, truncated or
// overlong sequence, surrogate, above U+10FFFF) becomes U+FFFD; control characters other than
// tab, LF and CR (C0, DEL, C1) and the non-characters U+FFFE/U+FFFF are removed, so the result
// holds only characters XML 1.0 allows.
std::string sanitize_text(std::string_view text);

// At most max_bytes bytes of text, cut on a code point boundary (assumes sanitized input).
std::string_view truncate_utf8(std::string_view text, size_t max_bytes);

// sanitize_text, then & < > " ' as entities: safe in XML element content.
std::string xml_escape_text(std::string_view text);
// As xml_escape_text, plus tab, LF and CR as character references, so attribute-value
// normalization keeps them.
std::string xml_escape_attribute(std::string_view text);
// sanitize_text, then & < > " ' as entities: safe in HTML text and quoted attribute values.
std::string html_escape(std::string_view text);

// "1.234": seconds with millisecond precision, as JUnit's time attributes want.
std::string format_seconds(std::chrono::milliseconds elapsed);

// Writes content to path (replacing it). Throws std::runtime_error naming the path and the
// reason when the file cannot be opened or written.
void write_text_file(const std::string& path, std::string_view content);
// The whole file. Throws std::runtime_error naming the path and the reason.
std::string read_text_file(const std::string& path);

}  // namespace kmsconf::reports
