// The escaping every report relies on: any bytes in, valid UTF-8 with only XML-legal characters
// out, and markup characters as entities.
#include "reports/text.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/reports/report_samples.hpp"

namespace kmsconf::testing {
namespace {

using reports::sanitize_text;

const std::string kFffd = "\xEF\xBF\xBD";

TEST(SanitizeText, KeepsValidUtf8AndWhitespace) {
  const std::string text = "plain \t\r\n caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD";
  EXPECT_EQ(sanitize_text(text), text);
}

TEST(SanitizeText, RemovesControlCharactersAndNonCharacters) {
  EXPECT_EQ(sanitize_text(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(sanitize_text("a\x01\x07\x1b\x1f"
                          "b"),
            "ab");
  EXPECT_EQ(sanitize_text("a\x7f"
                          "b"),
            "ab");  // DEL
  EXPECT_EQ(sanitize_text("a\xC2\x85"
                          "b"),
            "ab");  // C1 NEL
  EXPECT_EQ(sanitize_text("a\xC2\x9F"
                          "b"),
            "ab");  // C1
  EXPECT_EQ(sanitize_text("a\xEF\xBF\xBE"
                          "b"),
            "ab");  // U+FFFE
  EXPECT_EQ(sanitize_text("a\xEF\xBF\xBF"
                          "b"),
            "ab");  // U+FFFF
  EXPECT_EQ(sanitize_text("a\xC2\xA0"
                          "b"),
            "a\xC2\xA0"
            "b");  // NBSP stays
}

TEST(SanitizeText, ReplacesInvalidUtf8) {
  EXPECT_EQ(sanitize_text("a\xFF"
                          "b"),
            "a" + kFffd + "b");
  EXPECT_EQ(sanitize_text("a\x80"
                          "b"),
            "a" + kFffd + "b");                                     // stray continuation
  EXPECT_EQ(sanitize_text("\xC0\xAF"), kFffd + kFffd);              // overlong '/'
  EXPECT_EQ(sanitize_text("\xE0\x80\xAF"), kFffd + kFffd + kFffd);  // overlong
  EXPECT_EQ(sanitize_text("\xED\xA0\x80"), kFffd + kFffd + kFffd);  // surrogate D800
  EXPECT_EQ(sanitize_text("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
  EXPECT_EQ(sanitize_text("x\xE2\x82"), "x" + kFffd);  // truncated at the end
  EXPECT_EQ(sanitize_text("\xE2\x82x"), kFffd + "x");  // truncated in the middle
  EXPECT_EQ(sanitize_text("\xF0\x9F\x98"), kFffd);
  EXPECT_EQ(sanitize_text(""), "");
}

TEST(SanitizeText, OutputIsAFixedPoint) {
  const std::string once = sanitize_text(evil_report().results.back().message);
  EXPECT_EQ(sanitize_text(once), once);
}

TEST(TruncateUtf8, CutsOnCodePointBoundaries) {
  const std::string text =
      "ab\xE2\x82\xAC"
      "cd";  // a b € c d
  EXPECT_EQ(reports::truncate_utf8(text, 100), text);
  EXPECT_EQ(reports::truncate_utf8(text, 2), "ab");
  EXPECT_EQ(reports::truncate_utf8(text, 3), "ab");
  EXPECT_EQ(reports::truncate_utf8(text, 4), "ab");
  EXPECT_EQ(reports::truncate_utf8(text, 5), "ab\xE2\x82\xAC");
  EXPECT_EQ(reports::truncate_utf8(text, 0), "");
}

TEST(XmlEscape, EscapesMarkupInTextAndAttributes) {
  EXPECT_EQ(reports::xml_escape_text("<a href=\"x\">&'</a>]]>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;]]&gt;");
  EXPECT_EQ(reports::xml_escape_text("a\tb\nc\rd"), "a\tb\nc&#13;d");
  EXPECT_EQ(reports::xml_escape_attribute("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
  EXPECT_EQ(reports::xml_escape_attribute("\x01<\xFF"), "&lt;" + kFffd);
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(reports::html_escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
  EXPECT_EQ(reports::html_escape("ok\x1b\xFF"), "ok" + kFffd);
}

TEST(FormatSeconds, MillisecondPrecision) {
  EXPECT_EQ(reports::format_seconds(0ms), "0.000");
  EXPECT_EQ(reports::format_seconds(7ms), "0.007");
  EXPECT_EQ(reports::format_seconds(1234ms), "1.234");
  EXPECT_EQ(reports::format_seconds(61000ms), "61.000");
  EXPECT_EQ(reports::format_seconds(-5ms), "0.000");
}

TEST(OutcomeLabel, NamesOutcomesAsTheDocsDo) {
  EXPECT_EQ(reports::outcome_label(Outcome::Pass), "Pass");
  EXPECT_EQ(reports::outcome_label(Outcome::XFail), "XFail");
  EXPECT_EQ(reports::outcome_label(Outcome::XPass), "XPass");
  EXPECT_EQ(reports::outcome_label(Outcome::Disabled), "Disabled");
}

TEST(TextFiles, WriteThenRead) {
  TempDir dir;
  const std::string path = dir.file("a.txt");
  reports::write_text_file(path, std::string("x\0y", 3));
  EXPECT_EQ(reports::read_text_file(path), std::string("x\0y", 3));
  reports::write_text_file(path, "shorter");
  EXPECT_EQ(reports::read_text_file(path), "shorter");
}

TEST(TextFiles, ErrorsNameThePathAndTheReason) {
  TempDir dir;
  const std::string missing_dir = dir.file("no-such-dir") + "/report.xml";
  expect_error_naming([&] { reports::write_text_file(missing_dir, "x"); }, missing_dir,
                      "No such file or directory");
  expect_error_naming([&] { reports::write_text_file(dir.path().string(), "x"); },
                      dir.path().string());
  expect_error_naming([&] { reports::read_text_file(dir.file("absent.json")); },
                      dir.file("absent.json"), "No such file or directory");
  expect_error_naming([&] { reports::read_text_file(dir.path().string()); }, dir.path().string(),
                      "directory");
}

}  // namespace
}  // namespace kmsconf::testing
