#include "protocol/xml_text.hpp"

#include <gtest/gtest.h>

namespace kmsconf {
namespace {

TEST(Utf8SequenceAt, ReadsWellFormedSequences) {
  const Utf8Sequence ascii = utf8_sequence_at("a", 0);
  EXPECT_TRUE(ascii.valid);
  EXPECT_EQ(ascii.length, 1u);
  EXPECT_EQ(ascii.code_point, 0x61u);
  const Utf8Sequence euro = utf8_sequence_at("x\xE2\x82\xAC", 1);
  EXPECT_TRUE(euro.valid);
  EXPECT_EQ(euro.length, 3u);
  EXPECT_EQ(euro.code_point, 0x20ACu);
}

TEST(Utf8SequenceAt, InvalidSpansItsLongestWellFormedStart) {
  EXPECT_EQ(utf8_sequence_at("\xFF", 0).length, 1u);
  EXPECT_EQ(utf8_sequence_at("\xE2\x82x", 0).length, 2u);     // truncated in the middle
  EXPECT_EQ(utf8_sequence_at("\xF0\x9F\x98", 0).length, 3u);  // truncated at the end
  EXPECT_FALSE(utf8_sequence_at("\xC0\xAF", 0).valid);        // overlong
  EXPECT_FALSE(utf8_sequence_at("\xED\xA0\x80", 0).valid);    // surrogate
  EXPECT_EQ(utf8_sequence_at("\xED\xA0\x80", 0).length, 1u);
  EXPECT_FALSE(utf8_sequence_at("\xF4\x90\x80\x80", 0).valid);  // above U+10FFFF
}

TEST(XmlEntity, CoversMarkupOnly) {
  EXPECT_EQ(xml_entity('&'), "&amp;");
  EXPECT_EQ(xml_entity('\''), "&apos;");
  EXPECT_EQ(xml_entity('a'), "");
  EXPECT_EQ(xml_entity('\n'), "");
}

}  // namespace
}  // namespace kmsconf
