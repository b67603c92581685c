// UTF-8 reading and XML escaping shared by the Alibaba XML envelope and the reports, so both
// judge bytes by the same RFC 3629 rules. What each does with a bad sequence or a control
// character stays its own choice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kmsconf {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

inline bool is_utf8_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

struct Utf8Sequence {
  bool valid = false;
  // Bytes of the sequence; when invalid, of its longest well-formed start (at least 1), which
  // Unicode replaces by one U+FFFD.
  size_t length = 0;
  uint32_t code_point = 0;  // when valid
};

// The sequence starting at text[pos] (pos < text.size()): no overlong forms, no surrogates,
// nothing above U+10FFFF.
Utf8Sequence utf8_sequence_at(std::string_view text, size_t pos);

// "&amp;", "&lt;", "&gt;", "&quot;" or "&apos;" for & < > " ', empty for any other character.
std::string_view xml_entity(char c);

}  // namespace kmsconf
