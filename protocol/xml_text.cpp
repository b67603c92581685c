#include "protocol/xml_text.hpp"

namespace kmsconf {

Utf8Sequence utf8_sequence_at(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {true, 1, lead};
  size_t length = 0;
  uint32_t code_point = 0;
  // Bounds on the second byte exclude overlong forms, surrogates and values above U+10FFFF.
  unsigned char second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return {false, 1, 0};
  }
  for (size_t i = 1; i < length; ++i) {
    if (pos + i >= text.size()) return {false, i, 0};
    const unsigned char c = byte(i);
    const bool in_range = i == 1 ? (c >= second_min && c <= second_max) : is_utf8_continuation(c);
    if (!in_range) return {false, i, 0};
    code_point = (code_point << 6) | (c & 0x3F);
  }
  return {true, length, code_point};
}

std::string_view xml_entity(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&apos;";
    default:
      return {};
  }
}

}  // namespace kmsconf
