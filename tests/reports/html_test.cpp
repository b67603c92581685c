// The HTML page: self-contained (nothing fetched from the network), everything escaped, tags
// balanced, and the summary, plots, matrices and case list present.
#include "reports/html.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "reports/text.hpp"
#include "tests/reports/html_checks.hpp"
#include "tests/reports/report_samples.hpp"

namespace kmsconf::testing {
namespace {

TEST(Html, IsSelfContained) {
  for (const RunReport& report : {sample_report(), evil_report()}) {
    expect_self_contained(reports::to_html(report), 1);  // the one inline script, without src
  }
}

TEST(Html, EscapesEverything) {
  const std::string html = reports::to_html(evil_report());
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;id&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find("<img src=x>"), std::string::npos);
  EXPECT_NE(html.find("https://evil.example/&quot;&gt;&lt;img src=x&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<tag>"), std::string::npos);
  EXPECT_EQ(html.find("<Op>"), std::string::npos);
  EXPECT_EQ(html.find("<html>oops"), std::string::npos);
  EXPECT_NE(html.find("&lt;html&gt;oops&lt;/html&gt;"), std::string::npos);
  EXPECT_NE(html.find("POST /?a=1&amp;b=&lt;2&gt; HTTP/1.1"), std::string::npos);
  // Valid UTF-8 with no control characters but whitespace: sanitize_text leaves it alone.
  EXPECT_EQ(reports::sanitize_text(html), html);
  EXPECT_TRUE(tag_balance_errors(html).empty())
      << ::testing::PrintToString(tag_balance_errors(html));
}

TEST(Html, TagsAreBalanced) {
  const auto errors = tag_balance_errors(reports::to_html(sample_report()));
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  const auto empty_errors = tag_balance_errors(reports::to_html(RunReport{}));
  EXPECT_TRUE(empty_errors.empty()) << ::testing::PrintToString(empty_errors);
}

TEST(Html, HasTheKeySections) {
  const RunReport report = sample_report();
  const std::string html = reports::to_html(report);
  for (const char* id : {"summary", "file-errors", "reference-behaviour", "plots", "outcome-donut",
                         "latency-histogram", "operations", "tags", "cases", "filter",
                         "outcome-toggles", "case-list"}) {
    EXPECT_NE(html.find("id=\"" + std::string(id) + "\""), std::string::npos) << id;
  }
  EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.find("class=\"bar\""), std::string::npos);
  EXPECT_EQ(occurrences(html, "<svg"), 2u);
  EXPECT_EQ(occurrences(html, "<details class=\"case\""), report.results.size());
  EXPECT_EQ(occurrences(html, "<details class=\"exchange\""), 3u);
  EXPECT_NE(html.find("FAILED: 2 failed, 1 unexpectedly passed, 1 error, 1 not run; 1 case-file "
                      "error (exit code 1)"),
            std::string::npos);
  // Matrix rows and a cell that filters on operation and outcome.
  EXPECT_NE(html.find("data-filter=\"op:ReplicateKey\""), std::string::npos);
  EXPECT_NE(html.find("data-filter=\"op:ReplicateKey outcome:Fail\""), std::string::npos);
  EXPECT_NE(html.find("data-filter=\"tag:multi-region\""), std::string::npos);
  // The case body: message, recorded request and response.
  EXPECT_NE(html.find("steps[3] ReplicateKey: expect.status: expected 409, got 200"),
            std::string::npos);
  EXPECT_NE(html.find("Authorization: &lt;redacted&gt;"), std::string::npos);
  EXPECT_NE(html.find("{&quot;Result&quot;:{&quot;CiphertextBlob&quot;:&quot;AAAA&quot;}}"),
            std::string::npos);
  EXPECT_NE(html.find("cases[3].steps[0].expect.status: must be an integer"), std::string::npos);
  EXPECT_NE(html.find("issue 12: endpoint ignores EncryptionContext"), std::string::npos);
}

TEST(Html, VerdictFollowsTheExitCodeRules) {
  RunReport report;
  report.results.push_back(make_case("a", Outcome::Pass));
  report.results.push_back(make_case("b", Outcome::XFail));
  EXPECT_NE(reports::to_html(report).find("PASSED"), std::string::npos);
  report.file_errors.push_back("fixtures/x.json:1: cases: must be an array");
  EXPECT_NE(reports::to_html(report).find("NO FAILURES, BUT 1 case-file error"), std::string::npos);
  report.file_errors.clear();
  report.results.push_back(make_case("c", Outcome::Error));
  EXPECT_NE(reports::to_html(report).find("ENGINE ERRORS: 1 case could not run (exit code 3)"),
            std::string::npos);
  report.results.push_back(make_case("d", Outcome::XPass));
  EXPECT_NE(reports::to_html(report).find("(exit code 1)"), std::string::npos);
}

TEST(Html, EmptyRun) {
  const std::string html = reports::to_html(RunReport{});
  EXPECT_NE(html.find("No cases ran."), std::string::npos);
  EXPECT_EQ(html.find("id=\"file-errors\""), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex("(^|[^a-zA-Z])-?nan([^a-zA-Z]|$)|NaN|inf\\b")));
}

TEST(Html, WriteHtmlNamesAnUnwritablePath) {
  TempDir dir;
  const std::string path = dir.file("report.html");
  reports::write_html(sample_report(), path);
  EXPECT_EQ(reports::read_text_file(path), reports::to_html(sample_report()));
  const std::string bad = dir.file("no/dir/report.html");
  expect_error_naming([&] { reports::write_html(sample_report(), bad); }, bad);
}

// ---- The page's script, run by Node (when installed) against a minimal DOM stand-in built
// from the page's own case attributes.

std::string html_unescape(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> kEntities = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [entity, character] : kEntities) {
      if (text.compare(i, entity.size(), entity) == 0) {
        out += character;
        i += entity.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

std::string run_command(const std::string& command, int& status) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string output;
  std::array<char, 4096> buffer{};
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) {
    output.append(buffer.data(), n);
  }
  status = pclose(pipe.release());
  return output;
}

constexpr const char* kDomShim = R"JS(
function el(attrs) {
  return { attrs: attrs, hidden: false, open: false, checked: true, value: '', textContent: '',
    listeners: {},
    getAttribute(n) { return n in this.attrs ? this.attrs[n] : null; },
    addEventListener(t, f) { (this.listeners[t] = this.listeners[t] || []).push(f); },
    fire(t) { (this.listeners[t] || []).forEach(function (f) { f(); }); },
    scrollIntoView() {} };
}
const caseEls = data.cases.map(function (c) { return el(c); });
const boxes = data.outcomes.map(function (o) { return el({'data-outcome': o}); });
const links = data.links.map(function (f) { return el({'data-filter': f}); });
const byId = {};
['filter', 'shown', 'problems-only', 'show-all', 'expand-all', 'collapse-all', 'cases']
  .forEach(function (id) { byId[id] = el({}); });
global.document = {
  getElementById: function (id) { return byId[id] || null; },
  querySelectorAll: function (sel) {
    return sel === '#outcome-toggles input' ? boxes
         : sel === '#case-list details.case' ? caseEls
         : sel === '.filter-link' ? links : [];
  }
};
)JS";

constexpr const char* kScenario = R"JS(
function visible() {
  return caseEls.map(function (c, i) { return c.hidden ? -1 : i; }).filter(function (i) { return i >= 0; });
}
function filter(text) { byId.filter.value = text; byId.filter.fire('input'); return visible(); }
const out = {};
out.initial = visible();
out.initial_shown = byId.shown.textContent;
out.op_exact = filter('op:CreateKeyring');
out.op_lower = filter('op:createkey');
out.op_prefix = filter('op:Create');
out.substring = filter('createkey');
out.tag_exact = filter('tag:multi');
out.tag_word = filter('multi');
out.outcome = filter('outcome:Fail');
out.two_terms = filter('replicate   conflict');
out.shown = byId.shown.textContent;
links.filter(function (l) { return l.attrs['data-filter'] === 'op:DescribeKey outcome:Error'; })
  .forEach(function (l) { l.fire('click'); });
out.link = visible();
out.link_value = byId.filter.value;
byId['show-all'].fire('click');
out.show_all = visible();
byId['problems-only'].fire('click');
out.problems = visible();
byId['show-all'].fire('click');
boxes.filter(function (b) { return b.attrs['data-outcome'] === 'Pass'; })
  .forEach(function (b) { b.checked = false; b.fire('change'); });
out.no_pass = visible();
byId['expand-all'].fire('click');
out.opened = caseEls.filter(function (c) { return c.open; }).length;
console.log(JSON.stringify(out));
)JS";

TEST(HtmlScript, FiltersTheCaseList) {
  // scripts/install-deps installs nodejs: its absence is a broken setup, not a reason to skip.
  ASSERT_EQ(std::system("command -v node >/dev/null 2>&1"), 0)
      << "node not installed (scripts/install-deps installs nodejs)";
  const std::string html = reports::to_html(sample_report());
  nlohmann::json data = {{"cases", nlohmann::json::array()},
                         {"outcomes", nlohmann::json::array()},
                         {"links", nlohmann::json::array()}};
  const std::regex case_re(
      "<details class=\"case\" id=\"case-[0-9]+\" data-outcome=\"([^\"]*)\" "
      "data-tokens=\"([^\"]*)\" data-search=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), case_re);
       it != std::sregex_iterator(); ++it) {
    data["cases"].push_back({{"data-outcome", html_unescape((*it)[1])},
                             {"data-tokens", html_unescape((*it)[2])},
                             {"data-search", html_unescape((*it)[3])}});
  }
  const std::regex box_re("<input type=\"checkbox\" checked data-outcome=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), box_re);
       it != std::sregex_iterator(); ++it) {
    data["outcomes"].push_back(html_unescape((*it)[1]));
  }
  const std::regex link_re("class=\"filter-link\" data-filter=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), link_re);
       it != std::sregex_iterator(); ++it) {
    data["links"].push_back(html_unescape((*it)[1]));
  }
  ASSERT_EQ(data["cases"].size(), 9u);
  ASSERT_EQ(data["outcomes"].size(), 8u);  // one checkbox per outcome, NotRun included

  const size_t begin = html.find("<script>") + 8;
  const std::string script = html.substr(begin, html.find("</script>") - begin);
  TempDir dir;
  const std::string path = dir.file("page.js");
  reports::write_text_file(path,
                           "const data = " + data.dump() + ";\n" + kDomShim + script + kScenario);
  int status = 0;
  const std::string output = run_command("node '" + path + "' 2>&1", status);
  ASSERT_EQ(status, 0) << output;
  const auto out = nlohmann::json::parse(output);
  using V = std::vector<int>;
  // Sample order: 0 Pass, 1 Fail, 2 Error, 3 Skip, 4 Disabled, 5 XFail, 6 XPass, 7 Fail, 8 NotRun
  // (of a CreateKey case).
  EXPECT_EQ(out["initial"].get<V>(), (V{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(out["initial_shown"], "9 of 9 cases shown");
  EXPECT_EQ(out["op_exact"].get<V>(), (V{0, 1}));
  EXPECT_EQ(out["op_lower"].get<V>(), (V{0, 1, 3, 8}));
  EXPECT_EQ(out["op_prefix"].get<V>(), V{});
  EXPECT_EQ(out["substring"].get<V>(), (V{0, 1, 3, 8}));
  EXPECT_EQ(out["tag_exact"].get<V>(), V{});
  EXPECT_EQ(out["tag_word"].get<V>(), (V{1, 4}));
  EXPECT_EQ(out["outcome"].get<V>(), (V{1, 7}));
  EXPECT_EQ(out["two_terms"].get<V>(), V{1});
  EXPECT_EQ(out["shown"], "1 of 9 cases shown");
  EXPECT_EQ(out["link"].get<V>(), V{2});
  EXPECT_EQ(out["link_value"], "op:DescribeKey outcome:Error");
  EXPECT_EQ(out["show_all"].get<V>(), (V{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  // A case never run is a problem too: no verdict on it.
  EXPECT_EQ(out["problems"].get<V>(), (V{1, 2, 3, 6, 7, 8}));
  EXPECT_EQ(out["no_pass"].get<V>(), (V{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(out["opened"], 8);
}

}  // namespace
}  // namespace kmsconf::testing
