// `kmsconf report html` and `kmsconf load --report-html` through the real binary: the page is
// written where asked, and unreadable, invalid or foreign files exit 2 naming the file.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/cli/child_process.hpp"
#include "tests/cli/test_command_support.hpp"

namespace kmsconf::testing {
namespace {

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// A result as docs/load-results.md's example has it (histograms and timeline left out: a result
// file is user input, and the page copes without them): 1100 Encrypt requests, no thresholds.
json hand_written_result() {
  const json outcomes = {{"ok", 1089},        {"throttled", 6},       {"client_error", 2},
                         {"server_error", 1}, {"transport_error", 1}, {"timeout", 1},
                         {"late", 7}};
  const json latency = {{"count", 1100},   {"p50", 450.047}, {"p90", 890.367}, {"p99", 989.183},
                        {"p999", 999.423}, {"max", 1000.0},  {"mean", 455.182}};
  return {{"kmsconf_version", "0.1.0 (commit 1a2b3c4d5e6f, Release)"},
          {"config",
           {{"dialect", "volcengine"},
            {"endpoint", "https://kms.cn-beijing.volcengineapi.com"},
            {"endpoint_url", "https://kms.cn-beijing.volcengineapi.com"},
            {"in_process", false},
            {"region", "cn-beijing"},
            {"mode", "open"},
            {"rate", 110.0},
            {"connections", 16},
            {"threads", 2},
            {"duration_s", 10.0},
            {"timeout_ms", 5000},
            {"late_after_us", 1000},
            {"workload", {{"name", "encrypt"}, {"operations", {{{"op", "Encrypt"}}}}}},
            {"workload_fingerprint", "295ada19f986"},
            {"access_key_id", "AKLTexampleKeyId"}}},
          {"summary",
           {{"requests", 1100},
            {"duration_s", 10.0},
            {"requests_per_second", 110.0},
            {"outcomes", outcomes},
            {"unsent", 3},
            {"connections_opened", 8},
            {"connection_failures", 1},
            {"retried", 0},
            {"interrupted", false},
            {"stop_reason", nullptr}}},
          {"latency_ms", latency},
          {"service_time_ms", latency},
          {"per_op",
           {{"Encrypt",
             {{"requests", 1100},
              {"outcomes", outcomes},
              {"latency_ms", latency},
              {"service_time_ms", latency}}}}},
          {"thresholds", json::array()},
          {"passed", true}};
}

class ReportHtmlCommandTest : public TestCommandTest {
 protected:
  std::string write_result(const std::string& name, const json& result) {
    const std::string file = path(name);
    write_file(file, result.dump(2));
    return file;
  }

  // A usage error of `kmsconf report html`: exit 2, the message on stderr, no page written.
  void expect_refused(const std::vector<std::string>& args, const std::string& message,
                      const std::string& page) {
    SCOPED_TRACE("kmsconf report html " + args.front());
    std::vector<std::string> all{"report", "html"};
    all.insert(all.end(), args.begin(), args.end());
    RunResult run = kmsconf(all);
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_TRUE(has(run.err, message)) << "expected \"" << message << "\" in: " << run.err;
    EXPECT_FALSE(fs::exists(page)) << page;
  }
};

TEST_F(ReportHtmlCommandTest, WritesThePageBesideTheResultByDefault) {
  const std::string result = write_result("run.json", hand_written_result());
  RunResult run = kmsconf({"report", "html", result});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string page = path("run.html");
  EXPECT_TRUE(has(run.out, "HTML report: " + page)) << run.out;
  const std::string html = read_file(page);
  EXPECT_TRUE(has(html, "<!DOCTYPE html>"));
  EXPECT_TRUE(has(html, "<p class=\"verdict good\">PASS (no thresholds or baseline to check)</p>"))
      << html;
  EXPECT_TRUE(has(html, "<tr><th><code>Encrypt</code></th><td class=\"num\">1100</td>")) << html;
  EXPECT_TRUE(has(html, "histograms.latency is missing")) << html;
}

TEST_F(ReportHtmlCommandTest, WritesWhereDashOSays) {
  const std::string result = write_result("run.json", hand_written_result());
  const std::string page = path("elsewhere.html");
  RunResult run = kmsconf({"report", "html", result, "-o", page});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(fs::exists(page));
  EXPECT_FALSE(fs::exists(path("run.html")));
}

TEST_F(ReportHtmlCommandTest, InvalidJsonExitsTwoNamingFileAndLine) {
  const std::string file = path("broken.json");
  write_file(file, "{\n  \"summary\": oops\n}\n");
  expect_refused({file}, file + ":2: invalid JSON", path("broken.html"));
}

TEST_F(ReportHtmlCommandTest, MissingFileExitsTwoNamingIt) {
  const std::string file = path("no-such.json");
  expect_refused({file}, file + ": cannot open", path("no-such.html"));
}

TEST_F(ReportHtmlCommandTest, AFileThatIsNoLoadResultExitsTwo) {
  // A `kmsconf test` JSON report, say.
  const std::string file = write_result("conformance.json", {{"results", json::array()}});
  expect_refused({file},
                 file +
                     " is not a kmsconf load result: missing kmsconf_version, config, summary, "
                     "latency_ms, service_time_ms, per_op",
                 path("conformance.html"));
  const std::string array = write_result("array.json", json::array({1, 2}));
  expect_refused({array}, array + " is not a kmsconf load result: not a JSON object",
                 path("array.html"));
}

TEST_F(ReportHtmlCommandTest, NeverOverwritesTheResultOrWritesNowhere) {
  const std::string result = write_result("run.html", hand_written_result());
  RunResult same = kmsconf({"report", "html", result});
  EXPECT_EQ(same.exit_code, 2) << same.out << same.err;
  EXPECT_TRUE(has(same.err, "would overwrite " + result)) << same.err;
  EXPECT_EQ(json::parse(read_file(result)), hand_written_result());

  const std::string json_file = write_result("run.json", hand_written_result());
  const std::string nowhere = path("no-such-dir") + "/run.html";
  expect_refused({json_file, "-o", nowhere}, nowhere, nowhere);
}

// --report-html: the page of the run just made, the same page `report html` makes of its --out.
TEST_F(ReportHtmlCommandTest, LoadWritesTheRunsPage) {
  const std::string out = path("load.json"), page = path("load.html");
  RunResult run = kmsconf({"load", "--dialect", "volcengine", "--rate", "50", "--duration", "1s",
                           "--threshold", "error_rate<50%", "--out", out, "--report-html", page});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(has(run.out, "HTML report: " + page)) << run.out;
  const json result = parse_report(out);
  const std::string html = read_file(page);
  EXPECT_TRUE(has(html, "<p class=\"verdict good\">PASS</p>")) << html;
  EXPECT_TRUE(has(html, "<tr><th><code>Encrypt</code></th><td class=\"num\">" +
                            std::to_string(result["per_op"]["Encrypt"].value("requests", -1)) +
                            "</td>"))
      << html;
  EXPECT_TRUE(has(html, "<code>error_rate&lt;50%</code>")) << html;

  const std::string again = path("again.html");
  RunResult rendered = kmsconf({"report", "html", out, "-o", again});
  ASSERT_EQ(rendered.exit_code, 0) << rendered.out << rendered.err;
  EXPECT_EQ(read_file(again), html);
}

TEST_F(ReportHtmlCommandTest, LoadChecksTheReportPathBeforeSending) {
  const std::string nowhere = path("no-such-dir") + "/load.html";
  RunResult run = kmsconf({"load", "--dialect", "volcengine", "--rate", "50", "--duration", "1s",
                           "--report-html", nowhere});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(has(run.err, "--report-html " + nowhere + ": the directory " + path("no-such-dir") +
                               " does not exist"))
      << run.err;
  EXPECT_EQ(run.out, "") << "nothing is started";
  const std::string both = path("same.out");
  RunResult same = kmsconf({"load", "--dialect", "volcengine", "--rate", "50", "--duration", "1s",
                            "--out", both, "--report-html", both});
  EXPECT_EQ(same.exit_code, 2) << same.out << same.err;
  EXPECT_TRUE(has(same.err, "--report-html " + both + ": the same file as --out")) << same.err;
}

TEST_F(ReportHtmlCommandTest, HelpNamesTheOptionAndTheCommand) {
  RunResult load = kmsconf({"load", "--help"});
  EXPECT_EQ(load.exit_code, 0);
  EXPECT_TRUE(has(load.out, "--report-html")) << load.out;
  RunResult report = kmsconf({"report", "html", "--help"});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  const std::string text =
      std::regex_replace(report.out + report.err, std::regex(R"(\s+)"), std::string(" "));
  EXPECT_TRUE(has(text, "Exit codes: 0 written, 2 the file cannot be read")) << text;
  EXPECT_TRUE(has(text, "-o,--out")) << text;
}

}  // namespace
}  // namespace kmsconf::testing
