// JUnit XML: well-formed, valid against the junit-10 schema (checked twice: by a structural
// validator here that needs nothing installed, and by xmllint against tests/data/junit-10.xsd
// when xmllint is on the PATH), with the counts, classnames and elements CI systems read.
#include "reports/junit.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "reports/text.hpp"
#include "tests/reports/report_samples.hpp"

namespace kmsconf::testing {
namespace {

// ---- A small, strict XML parser: elements, attributes, text, the five entities and
// character references. No comments, CDATA, DOCTYPE or processing instructions except the
// leading XML declaration (the writer emits none).

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlElement> children;
  std::string text;  // concatenated character data, entities decoded

  const std::string* attribute(const std::string& key) const {
    for (const auto& [k, v] : attributes) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  std::vector<const XmlElement*> all(const std::string& child) const {
    std::vector<const XmlElement*> out;
    for (const auto& c : children) {
      if (c.name == child) out.push_back(&c);
    }
    return out;
  }
  const XmlElement* first(const std::string& child) const {
    for (const auto& c : children) {
      if (c.name == child) return &c;
    }
    return nullptr;
  }
};

bool legal_xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class XmlParser {
 public:
  explicit XmlParser(const std::string& doc) : doc_(doc) {}

  XmlElement parse() {
    // Every byte is valid UTF-8 and every character legal in XML 1.0: sanitize_text is the
    // identity on such text (tab, LF, CR are the only controls it keeps).
    if (reports::sanitize_text(doc_) != doc_) fail("not valid UTF-8 or holds illegal characters");
    const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    if (doc_.compare(0, decl.size(), decl) != 0) fail("missing XML declaration");
    pos_ = decl.size();
    skip_space();
    XmlElement root = element();
    skip_space();
    if (pos_ != doc_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("XML offset " + std::to_string(pos_) + ": " + what);
  }
  bool at(std::string_view s) const { return doc_.compare(pos_, s.size(), s) == 0; }
  void expect(std::string_view s) {
    if (!at(s)) fail("expected '" + std::string(s) + "'");
    pos_ += s.size();
  }
  void skip_space() {
    while (pos_ < doc_.size() &&
           std::string_view(" \t\r\n").find(doc_[pos_]) != std::string::npos) {
      ++pos_;
    }
  }
  std::string name() {
    const size_t start = pos_;
    while (pos_ < doc_.size() &&
           (std::isalnum(static_cast<unsigned char>(doc_[pos_])) || doc_[pos_] == '-' ||
            doc_[pos_] == '_' || doc_[pos_] == ':' || doc_[pos_] == '.')) {
      ++pos_;
    }
    if (pos_ == start) fail("expected a name");
    return doc_.substr(start, pos_ - start);
  }
  void reference(std::string& out) {
    expect("&");
    const size_t end = doc_.find(';', pos_);
    if (end == std::string::npos || end - pos_ > 10) fail("unterminated reference");
    const std::string ref = doc_.substr(pos_, end - pos_);
    pos_ = end + 1;
    static const std::map<std::string, std::string> kEntities = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    if (auto it = kEntities.find(ref); it != kEntities.end()) {
      out += it->second;
      return;
    }
    if (ref.size() < 2 || ref[0] != '#') fail("unknown entity &" + ref + ";");
    const bool hex = ref[1] == 'x';
    const std::string digits = ref.substr(hex ? 2 : 1);
    if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") !=
                              std::string::npos) {
      fail("bad character reference &" + ref + ";");
    }
    const auto cp = static_cast<uint32_t>(std::stoul(digits, nullptr, hex ? 16 : 10));
    if (!legal_xml_char(cp)) fail("character reference to an illegal character &" + ref + ";");
    append_utf8(out, cp);
  }
  XmlElement element() {
    expect("<");
    XmlElement e;
    e.name = name();
    std::set<std::string> seen;
    while (true) {
      skip_space();
      if (at("/>")) {
        pos_ += 2;
        return e;
      }
      if (at(">")) {
        ++pos_;
        break;
      }
      std::string key = name();
      if (!seen.insert(key).second) fail("duplicate attribute " + key);
      skip_space();
      expect("=");
      skip_space();
      if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) fail("unquoted value");
      const char quote = doc_[pos_++];
      std::string value;
      while (pos_ < doc_.size() && doc_[pos_] != quote) {
        if (doc_[pos_] == '<') fail("'<' in an attribute value");
        if (doc_[pos_] == '&') {
          reference(value);
        } else {
          value += doc_[pos_++];
        }
      }
      expect(std::string_view(&quote, 1));
      e.attributes.emplace_back(std::move(key), std::move(value));
    }
    while (true) {
      if (pos_ >= doc_.size()) fail("unclosed element " + e.name);
      if (at("</")) {
        pos_ += 2;
        if (name() != e.name) fail("mismatched end tag for " + e.name);
        skip_space();
        expect(">");
        return e;
      }
      if (at("<!") || at("<?")) fail("comment, CDATA or PI where none is expected");
      if (at("<")) {
        e.children.push_back(element());
      } else if (at("&")) {
        reference(e.text);
      } else {
        if (at("]]>")) fail("']]>' in character data");
        e.text += doc_[pos_++];
      }
    }
  }

  const std::string& doc_;
  size_t pos_ = 0;
};

XmlElement parse_xml(const std::string& doc) {
  return XmlParser(doc).parse();
}

// ---- The junit-10 schema as data: per element, its attributes and its content model.

struct Particle {
  std::string element;
  int min;
  int max;  // -1: unbounded
};

struct Rule {
  std::set<std::string> required;
  std::set<std::string> optional;
  std::vector<Particle> sequence;  // element-only content in this order
  bool text = false;               // character data allowed (mixed or simple content)
};

const std::map<std::string, Rule>& junit10() {
  static const std::map<std::string, Rule> rules = {
      {"testsuites",
       {{}, {"name", "time", "tests", "failures", "disabled", "errors"}, {{"testsuite", 0, -1}}}},
      {"testsuite",
       {{"name", "tests"},
        {"failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname", "id",
         "package"},
        {{"properties", 0, 1}, {"testcase", 0, -1}, {"system-out", 0, 1}, {"system-err", 0, 1}}}},
      {"properties", {{}, {}, {{"property", 1, -1}}}},
      {"property", {{"name", "value"}, {}, {}}},
      {"testcase",
       {{"name"},
        {"assertions", "time", "classname", "status"},
        {{"skipped", 0, 1},
         {"error", 0, -1},
         {"failure", 0, -1},
         {"system-out", 0, -1},
         {"system-err", 0, -1}}}},
      {"failure", {{}, {"type", "message"}, {}, true}},
      {"error", {{}, {"type", "message"}, {}, true}},
      {"skipped", {{}, {"message"}, {}, true}},
      {"system-out", {{}, {}, {}, true}},
      {"system-err", {{}, {}, {}, true}},
  };
  return rules;
}

void validate_junit10(const XmlElement& e, const std::string& path,
                      std::vector<std::string>& errors) {
  const std::string here = path + "/" + e.name;
  const auto rule_it = junit10().find(e.name);
  if (rule_it == junit10().end()) {
    errors.push_back(here + ": element not in the schema");
    return;
  }
  const Rule& rule = rule_it->second;
  for (const auto& [key, value] : e.attributes) {
    if (!rule.required.contains(key) && !rule.optional.contains(key)) {
      errors.push_back(here + ": attribute " + key + " not allowed");
    }
  }
  for (const auto& key : rule.required) {
    if (e.attribute(key) == nullptr) errors.push_back(here + ": missing attribute " + key);
  }
  if (!rule.text && e.text.find_first_not_of(" \t\r\n") != std::string::npos) {
    errors.push_back(here + ": character data not allowed");
  }
  size_t particle = 0;
  int occurrences = 0;
  for (const auto& child : e.children) {
    while (particle < rule.sequence.size() && rule.sequence[particle].element != child.name) {
      if (occurrences < rule.sequence[particle].min) {
        errors.push_back(here + ": too few " + rule.sequence[particle].element);
      }
      ++particle;
      occurrences = 0;
    }
    if (particle == rule.sequence.size()) {
      errors.push_back(here + ": child " + child.name + " not allowed here");
      break;
    }
    ++occurrences;
    if (rule.sequence[particle].max >= 0 && occurrences > rule.sequence[particle].max) {
      errors.push_back(here + ": too many " + child.name);
    }
    validate_junit10(child, here, errors);
  }
  for (; particle < rule.sequence.size(); ++particle, occurrences = 0) {
    if (occurrences < rule.sequence[particle].min) {
      errors.push_back(here + ": too few " + rule.sequence[particle].element);
    }
  }
}

std::vector<std::string> junit10_errors(const std::string& xml) {
  std::vector<std::string> errors;
  XmlElement root;
  try {
    root = parse_xml(xml);
  } catch (const std::exception& e) {
    return {std::string("not well-formed: ") + e.what()};
  }
  if (root.name != "testsuites") errors.push_back("root is " + root.name);
  validate_junit10(root, "", errors);
  return errors;
}

std::string attr(const XmlElement& e, const std::string& key) {
  const auto* value = e.attribute(key);
  return value ? *value : "<absent>";
}

const XmlElement* find_case(const XmlElement& root, const std::string& id) {
  for (const auto* suite : root.all("testsuite")) {
    for (const auto* testcase : suite->all("testcase")) {
      if (attr(*testcase, "name") == id) return testcase;
    }
  }
  return nullptr;
}

std::map<std::string, std::string> suite_properties(const XmlElement& suite) {
  std::map<std::string, std::string> out;
  if (const auto* properties = suite.first("properties")) {
    for (const auto* p : properties->all("property")) out[attr(*p, "name")] = attr(*p, "value");
  }
  return out;
}

// ---- The validator itself must reject what the schema rejects.

TEST(JunitValidator, RejectsWhatTheSchemaRejects) {
  const std::string head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  EXPECT_TRUE(junit10_errors(head + "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase "
                                    "name=\"c\"/></testsuite></testsuites>")
                  .empty());
  // properties on a testcase: not in junit-10
  EXPECT_FALSE(junit10_errors(head + "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase "
                                     "name=\"c\"><properties><property name=\"a\" value=\"b\"/>"
                                     "</properties></testcase></testsuite></testsuites>")
                   .empty());
  // failure after system-out
  EXPECT_FALSE(junit10_errors(head + "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase "
                                     "name=\"c\"><system-out/><failure/></testcase></testsuite>"
                                     "</testsuites>")
                   .empty());
  // missing required attribute, unknown attribute, empty properties
  EXPECT_FALSE(junit10_errors(head + "<testsuites><testsuite name=\"s\"/></testsuites>").empty());
  EXPECT_FALSE(junit10_errors(head + "<testsuites><testsuite name=\"s\" tests=\"0\" "
                                     "flaky=\"1\"/></testsuites>")
                   .empty());
  EXPECT_FALSE(junit10_errors(head + "<testsuites><testsuite name=\"s\" tests=\"0\">"
                                     "<properties/></testsuite></testsuites>")
                   .empty());
  // not well-formed: raw '<' or '&', illegal character, bad UTF-8
  EXPECT_FALSE(junit10_errors(head + "<testsuites name=\"a<b\"/>").empty());
  EXPECT_FALSE(junit10_errors(head + "<testsuites name=\"a&b\"/>").empty());
  EXPECT_FALSE(junit10_errors(head + "<testsuites name=\"a\x01\"/>").empty());
  EXPECT_FALSE(junit10_errors(head + "<testsuites name=\"&#1;\"/>").empty());
  EXPECT_FALSE(junit10_errors(head + "<testsuites name=\"\xFF\"/>").empty());
}

// ---- The writer.

TEST(Junit, SampleReportIsValidJunit10) {
  const auto errors = junit10_errors(reports::to_junit_xml(sample_report()));
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

TEST(Junit, HostileTextStaysWellFormedAndValid) {
  const std::string xml = reports::to_junit_xml(evil_report());
  const auto errors = junit10_errors(xml);
  ASSERT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  EXPECT_EQ(xml.find("<script"), std::string::npos);
  EXPECT_EQ(xml.find("]]>"), std::string::npos);

  const XmlElement root = parse_xml(xml);
  const XmlElement* evil = find_case(root, kEvilId);  // decoded back to the original text
  ASSERT_NE(evil, nullptr);
  EXPECT_EQ(attr(*evil, "classname"), "kmsconf.volc<engine>.<tag>");
  const XmlElement* failure = evil->first("failure");
  ASSERT_NE(failure, nullptr);
  // First line only in the attribute; invalid bytes replaced; controls gone.
  EXPECT_EQ(attr(*failure, "message"), "line1 \xEF\xBF\xBD\xEF\xBF\xBD overlong");
  EXPECT_NE(failure->text.find("line2\twith tab"), std::string::npos);
  EXPECT_NE(failure->text.find("<script src=\"https://evil.example/x.js\"></script>"),
            std::string::npos);
  EXPECT_NE(failure->text.find("binary\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(failure->text.find('\x01'), std::string::npos);
}

TEST(Junit, OneSuitePerDialectWithCounts) {
  const XmlElement root = parse_xml(reports::to_junit_xml(sample_report()));
  const auto suites = root.all("testsuite");
  ASSERT_EQ(suites.size(), 3u);  // volcengine, alibaba, case-files
  const auto& volc = *suites[0];
  EXPECT_EQ(attr(volc, "name"), "kmsconf.volcengine");
  EXPECT_EQ(attr(volc, "tests"), "6");
  EXPECT_EQ(attr(volc, "failures"), "1");
  EXPECT_EQ(attr(volc, "errors"), "2");   // Error + NotRun: a case never run is no pass
  EXPECT_EQ(attr(volc, "skipped"), "2");  // Skip + Disabled
  EXPECT_EQ(attr(volc, "time"), "12.462");
  EXPECT_EQ(attr(volc, "timestamp"), "2026-11-22T09:31:00Z");
  EXPECT_EQ(volc.all("testcase").size(), 6u);

  const auto& ali = *suites[1];
  EXPECT_EQ(attr(ali, "name"), "kmsconf.alibaba");
  EXPECT_EQ(attr(ali, "tests"), "3");
  EXPECT_EQ(attr(ali, "failures"), "2");  // XPass + inferred Fail; XFail passes
  EXPECT_EQ(attr(ali, "errors"), "0");
  EXPECT_EQ(attr(ali, "skipped"), "0");

  const auto& files = *suites[2];
  EXPECT_EQ(attr(files, "name"), "kmsconf.case-files");
  EXPECT_EQ(attr(files, "errors"), "1");
  ASSERT_EQ(files.all("testcase").size(), 1u);
  EXPECT_EQ(attr(*files.all("testcase")[0], "name"), "fixtures/volcengine/bad.json:42");
  ASSERT_NE(files.all("testcase")[0]->first("error"), nullptr);

  EXPECT_EQ(attr(root, "tests"), "10");
  EXPECT_EQ(attr(root, "failures"), "3");
  EXPECT_EQ(attr(root, "errors"), "3");
  EXPECT_EQ(attr(root, "time"), "4.321");
}

TEST(Junit, OutcomesMapToJunitElements) {
  const XmlElement root = parse_xml(reports::to_junit_xml(sample_report()));

  const auto* pass = find_case(root, "volc.encrypt.basic");
  ASSERT_NE(pass, nullptr);
  EXPECT_EQ(attr(*pass, "classname"), "kmsconf.volcengine.crypto");
  EXPECT_EQ(attr(*pass, "time"), "0.120");
  EXPECT_EQ(pass->first("failure"), nullptr);
  EXPECT_EQ(pass->first("error"), nullptr);
  EXPECT_EQ(pass->first("skipped"), nullptr);
  ASSERT_NE(pass->first("system-out"), nullptr);
  EXPECT_NE(pass->first("system-out")->text.find("doc: seed Encrypt, request table"),
            std::string::npos);

  const auto* fail = find_case(root, "volc.replicate-key.conflict");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(attr(*fail, "classname"), "kmsconf.volcengine.multi-region");
  ASSERT_NE(fail->first("failure"), nullptr);
  EXPECT_EQ(attr(*fail->first("failure"), "type"), "ExpectationFailed");
  EXPECT_EQ(attr(*fail->first("failure"), "message"),
            "steps[3] ReplicateKey: expect.status: expected 409, got 200");
  const std::string& details = fail->first("failure")->text;
  EXPECT_NE(details.find("second line"), std::string::npos);
  EXPECT_NE(details.find("\nat fixtures/volcengine/keys.json:12\n"), std::string::npos);
  EXPECT_NE(details.find("POST / HTTP/1.1\nAuthorization"), std::string::npos);  // CRLF shown as LF
  EXPECT_NE(details.find("--- steps[3] ReplicateKey (HTTP 200, 7 ms) ---"), std::string::npos);
  EXPECT_NE(details.find("Authorization: <redacted>"), std::string::npos);

  const auto* error = find_case(root, "volc.transport.reset");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(attr(*error, "classname"), "kmsconf.volcengine.transport");  // file stem, no tags
  ASSERT_NE(error->first("error"), nullptr);
  EXPECT_EQ(attr(*error->first("error"), "type"), "EngineError");
  EXPECT_EQ(attr(*error->first("error"), "message"),
            "steps[0] DescribeKey: connection reset by peer");

  const auto* skip = find_case(root, "volc.skip.prereq");
  ASSERT_NE(skip, nullptr);
  ASSERT_NE(skip->first("skipped"), nullptr);
  EXPECT_EQ(attr(*skip->first("skipped"), "message"),
            "steps[0] CreateKey: prerequisite failed: HTTP 500");
  EXPECT_NE(skip->first("system-out")->text.find("HTTP/1.1 500 Internal Server Error"),
            std::string::npos);

  const auto* disabled = find_case(root, "volc.multi-region.replica");
  ASSERT_NE(disabled, nullptr);
  ASSERT_NE(disabled->first("skipped"), nullptr);
  EXPECT_EQ(attr(*disabled->first("skipped"), "message"), "disabled: feature multi-region is off");

  const auto* xfail = find_case(root, "ali.encrypt.context");
  ASSERT_NE(xfail, nullptr);
  EXPECT_EQ(xfail->first("failure"), nullptr);
  EXPECT_EQ(xfail->first("skipped"), nullptr);
  ASSERT_NE(xfail->first("system-out"), nullptr);
  EXPECT_EQ(xfail->first("system-out")
                ->text.rfind(
                    "expected failure (XFail): issue 12: endpoint ignores EncryptionContext\n", 0),
            0u);

  const auto* xpass = find_case(root, "ali.decrypt.context");
  ASSERT_NE(xpass, nullptr);
  ASSERT_NE(xpass->first("failure"), nullptr);
  EXPECT_EQ(attr(*xpass->first("failure"), "type"), "UnexpectedPass");
  EXPECT_NE(attr(*xpass->first("failure"), "message").find("issue 13"), std::string::npos);

  const auto* inferred = find_case(root, "ali.describe.inferred");
  ASSERT_NE(inferred, nullptr);
  ASSERT_NE(inferred->first("failure"), nullptr);
  EXPECT_EQ(attr(*inferred->first("failure"), "type"), "ReferenceServerBehaviour");
}

TEST(Junit, SuitePropertiesCarryRunAndCaseFacts) {
  const XmlElement root = parse_xml(reports::to_junit_xml(sample_report()));
  const auto volc = suite_properties(*root.all("testsuite")[0]);
  EXPECT_EQ(volc.at("kmsconf.dialect"), "volcengine");
  EXPECT_EQ(volc.at("kmsconf.endpoint"), "https://kms.cn-beijing.volces.com");
  EXPECT_EQ(volc.at("kmsconf.run_prefix"), "kc-20261122t0931-4f2a");
  EXPECT_EQ(volc.at("kmsconf.tool_version"), "0.1.0");
  EXPECT_EQ(volc.at("volc.replicate-key.conflict.doc"),
            "seed ReplicateKey, error table row 409 Conflict");
  EXPECT_EQ(volc.at("volc.replicate-key.conflict.tags"), "multi-region,errors");
  const auto ali = suite_properties(*root.all("testsuite")[1]);
  EXPECT_EQ(ali.at("ali.encrypt.context.xfail_reason"),
            "issue 12: endpoint ignores EncryptionContext");
  EXPECT_EQ(ali.at("ali.decrypt.context.xfail_reason"), "issue 13");
}

TEST(Junit, EmptyRunIsValid) {
  conformance::RunReport empty;
  const std::string xml = reports::to_junit_xml(empty);
  EXPECT_TRUE(junit10_errors(xml).empty()) << xml;
  const XmlElement root = parse_xml(xml);
  EXPECT_EQ(attr(root, "tests"), "0");
  EXPECT_TRUE(root.all("testsuite").empty());
}

TEST(Junit, CaseWithoutTagsFileOrDialect) {
  conformance::RunReport report;
  conformance::CaseResult bare;
  bare.id = "bare";
  report.results.push_back(bare);
  const std::string xml = reports::to_junit_xml(report);
  EXPECT_TRUE(junit10_errors(xml).empty()) << xml;
  const XmlElement root = parse_xml(xml);
  EXPECT_EQ(attr(*root.first("testsuite"), "name"), "kmsconf.unknown");
  EXPECT_EQ(attr(*find_case(root, "bare"), "classname"), "kmsconf.unknown.cases");
  EXPECT_EQ(root.first("testsuite")->attribute("timestamp"), nullptr);
}

TEST(Junit, LongExchangesAreCapped) {
  conformance::RunReport report;
  auto big = make_case("big", Outcome::Fail);
  big.exchanges.push_back(make_exchange("steps[0] Encrypt", 200, "POST /",
                                        std::string(100 * 1024, 'x') + "\xE2\x82\xAC"));
  report.results.push_back(big);
  const std::string xml = reports::to_junit_xml(report);
  EXPECT_LT(xml.size(), 20u * 1024);
  EXPECT_NE(xml.find("more bytes in the JSON/HTML report"), std::string::npos);
  EXPECT_TRUE(junit10_errors(xml).empty());
}

TEST(Junit, WriteJunitWritesTheFileAndNamesAnUnwritablePath) {
  TempDir dir;
  const std::string path = dir.file("junit.xml");
  reports::write_junit(sample_report(), path);
  EXPECT_EQ(reports::read_text_file(path), reports::to_junit_xml(sample_report()));

  const std::string bad = dir.file("missing/dir/junit.xml");
  expect_error_naming([&] { reports::write_junit(sample_report(), bad); }, bad);
}

// ---- xmllint against the XSD, when xmllint is installed (scripts/install-deps installs it).

bool have_xmllint() {
  return std::system("command -v xmllint >/dev/null 2>&1") == 0;
}

// Exit status of `xmllint --noout --schema junit-10.xsd file` and its output.
std::pair<int, std::string> xmllint(const std::string& file) {
  const std::string command = std::string("xmllint --noout --schema '") + KMSCONF_TEST_DATA_DIR +
                              "/junit-10.xsd' '" + file + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get()))
    output.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(JunitXmllint, ReportsValidateAgainstTheXsd) {
  ASSERT_TRUE(have_xmllint()) << "xmllint not installed (scripts/install-deps installs "
                                 "libxml2-utils)";
  TempDir dir;
  const std::vector<std::pair<std::string, conformance::RunReport>> reports_to_check = {
      {"sample.xml", sample_report()}, {"evil.xml", evil_report()}, {"empty.xml", {}}};
  for (const auto& [name, report] : reports_to_check) {
    const std::string path = dir.file(name);
    reports::write_junit(report, path);
    const auto [status, output] = xmllint(path);
    EXPECT_EQ(status, 0) << name << ": " << output;
    EXPECT_NE(output.find("validates"), std::string::npos) << output;
  }
}

TEST(JunitXmllint, TheXsdRejectsTestcaseProperties) {
  // The XSD is strict where junit-10 is: this is why per-case facts are suite properties.
  ASSERT_TRUE(have_xmllint()) << "xmllint not installed (scripts/install-deps installs "
                                 "libxml2-utils)";
  TempDir dir;
  const std::string path = dir.file("invalid.xml");
  reports::write_text_file(
      path,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites><testsuite name=\"s\" tests=\"1\">"
      "<testcase name=\"c\"><properties><property name=\"a\" value=\"b\"/></properties>"
      "</testcase></testsuite></testsuites>\n");
  const auto [status, output] = xmllint(path);
  EXPECT_NE(status, 0) << output;
  EXPECT_NE(output.find("fails to validate"), std::string::npos) << output;
}

}  // namespace
}  // namespace kmsconf::testing
