// The JSON report is the baseline format: it round-trips, carries a schema version, and a bad
// file is refused with a message that names it and says what is wrong.
#include "reports/json_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "reports/text.hpp"
#include "tests/reports/report_samples.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;

void expect_same(const RunReport& a, const RunReport& b) {
  EXPECT_EQ(a.tool_version, b.tool_version);
  EXPECT_EQ(a.endpoint, b.endpoint);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.elapsed, b.elapsed);
  EXPECT_EQ(a.run_prefix, b.run_prefix);
  EXPECT_EQ(a.file_errors, b.file_errors);
  EXPECT_EQ(a.has_identity, b.has_identity);
  EXPECT_TRUE(a.identity == b.identity);
  EXPECT_EQ(a.stopped, b.stopped);
  EXPECT_EQ(a.stop_message, b.stop_message);
  EXPECT_EQ(a.shared_cause, b.shared_cause);
  ASSERT_EQ(a.results.size(), b.results.size());
  for (size_t i = 0; i < a.results.size(); ++i) {
    const auto& x = a.results[i];
    const auto& y = b.results[i];
    SCOPED_TRACE(x.id);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.title, y.title);
    EXPECT_EQ(x.dialect, y.dialect);
    EXPECT_EQ(x.doc, y.doc);
    EXPECT_EQ(x.tags, y.tags);
    EXPECT_EQ(x.actions, y.actions);
    EXPECT_EQ(x.outcome, y.outcome);
    EXPECT_EQ(x.message, y.message);
    EXPECT_EQ(x.xfail_reason, y.xfail_reason);
    EXPECT_EQ(x.failure_code, y.failure_code);
    EXPECT_EQ(x.file, y.file);
    EXPECT_EQ(x.line, y.line);
    EXPECT_EQ(x.elapsed, y.elapsed);
    ASSERT_EQ(x.exchanges.size(), y.exchanges.size());
    for (size_t j = 0; j < x.exchanges.size(); ++j) {
      EXPECT_EQ(x.exchanges[j].step, y.exchanges[j].step);
      EXPECT_EQ(x.exchanges[j].request, y.exchanges[j].request);
      EXPECT_EQ(x.exchanges[j].response, y.exchanges[j].response);
      EXPECT_EQ(x.exchanges[j].status, y.exchanges[j].status);
      EXPECT_EQ(x.exchanges[j].elapsed, y.exchanges[j].elapsed);
    }
  }
}

TEST(JsonReport, CarriesTheSchemaVersion) {
  const json document = reports::to_json_document(sample_report());
  ASSERT_TRUE(document.contains("schema_version"));
  EXPECT_EQ(document["schema_version"], reports::kReportSchemaVersion);
  EXPECT_EQ(reports::kReportSchemaVersion, 1);
  EXPECT_EQ(json::parse(reports::to_json_text(sample_report()))["schema_version"], 1);
}

TEST(JsonReport, RecordsWhatWasRunAndWhyItStopped) {
  RunReport report = sample_report();
  report.stopped = "interrupted";
  report.stop_message = "interrupted by SIGTERM";
  const json document = reports::to_json_document(report);
  const json& identity = document["identity"];
  EXPECT_EQ(identity["dialects"], json({"alibaba", "volcengine"}));
  EXPECT_EQ(identity["endpoints"]["volcengine"], "https://kms.cn-beijing.volces.com");
  EXPECT_EQ(identity["filters"], json({"volc.*"}));
  EXPECT_EQ(identity["features"], json({"volcengine:multi-region"}));
  EXPECT_EQ(identity["regions"]["volcengine"], "cn-beijing");
  EXPECT_EQ(document["stopped"]["reason"], "interrupted");
  EXPECT_EQ(document["stopped"]["message"], "interrupted by SIGTERM");
  EXPECT_EQ(document["summary"]["notrun"], 1);
  // A report without identity (an older kmsconf's) still reads, and says so.
  json old = document;
  old.erase("identity");
  EXPECT_FALSE(reports::from_json_document(old).has_identity);
  expect_same(reports::from_json_document(document), report);
}

TEST(JsonReport, RoundTripsThroughAFile) {
  TempDir dir;
  const std::string path = dir.file("report.json");
  reports::write_json_report(sample_report(), path);
  expect_same(reports::read_json_report(path), sample_report());
}

TEST(JsonReport, InvalidUtf8IsReplacedNotFatal) {
  // A garbage response body must not make the report unwritable.
  const RunReport evil = evil_report();
  std::string text;
  ASSERT_NO_THROW(text = reports::to_json_text(evil));
  const RunReport back = reports::parse_json_report(text);
  ASSERT_EQ(back.results.size(), evil.results.size());
  EXPECT_EQ(back.results.back().id, kEvilId);
  EXPECT_NE(back.results.back().exchanges[0].request.find("binary\xEF\xBF\xBD"), std::string::npos);
}

TEST(JsonReport, MalformedJsonNamesTheFileAndWhere) {
  TempDir dir;
  const std::string path = dir.file("baseline.json");
  reports::write_text_file(path, "{\n  \"schema_version\": 1,\n  \"results\": [\n}\n");
  try {
    reports::read_json_report(path);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("not valid JSON"), std::string::npos) << what;
    EXPECT_NE(what.find("line 4"), std::string::npos) << what;
  }
}

TEST(JsonReport, EmptyFileIsMalformed) {
  TempDir dir;
  const std::string path = dir.file("empty.json");
  reports::write_text_file(path, "");
  expect_error_naming([&] { reports::read_json_report(path); }, path, "not valid JSON");
}

TEST(JsonReport, RefusesDocumentsThatAreNotReports) {
  EXPECT_THROW(
      {
        try {
          reports::parse_json_report("[1, 2]", "b.json");
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(),
                       "b.json: not a kmsconf JSON report: the top level is array, "
                       "not an object");
          throw;
        }
      },
      std::runtime_error);
  expect_error_naming([] { reports::parse_json_report(R"({"results": []})", "b.json"); }, "b.json",
                      "no \"schema_version\" field");
  expect_error_naming(
      [] { reports::parse_json_report(R"({"schema_version": "1", "results": []})", "b.json"); },
      "b.json", "must be an integer");
  expect_error_naming(
      [] { reports::parse_json_report(R"({"schema_version": 0, "results": []})", "b.json"); },
      "b.json", "not a valid report version");
  expect_error_naming(
      [] { reports::parse_json_report(R"({"schema_version": 2, "results": []})", "b.json"); },
      "b.json", "newer than this kmsconf reads");
}

TEST(JsonReport, RefusesAMalformedReportBody) {
  expect_error_naming(
      [] { reports::parse_json_report(R"({"schema_version": 1, "results": {}})", "b.json"); },
      "b.json", "not a valid kmsconf report: ");
  expect_error_naming(
      [] {
        reports::parse_json_report(
            R"({"schema_version": 1, "results": [{"id": "a", "outcome": "bogus"}]})", "b.json");
      },
      "b.json", "bogus");
}

TEST(JsonReport, AcceptsAMinimalReport) {
  const RunReport report = reports::parse_json_report(
      R"({"schema_version": 1, "results": [{"id": "a", "outcome": "fail"}]})");
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].outcome, Outcome::Fail);
}

TEST(JsonReport, UnreadableAndUnwritablePathsAreNamed) {
  TempDir dir;
  expect_error_naming([&] { reports::read_json_report(dir.file("absent.json")); },
                      dir.file("absent.json"), "No such file or directory");
  const std::string bad = dir.file("no/such/dir/report.json");
  expect_error_naming([&] { reports::write_json_report(sample_report(), bad); }, bad,
                      "No such file or directory");
}

}  // namespace
}  // namespace kmsconf::testing
