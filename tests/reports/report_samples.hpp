// Run reports the report tests render: one with every outcome in two dialects, and the same
// with hostile text (markup, quotes, control characters, invalid UTF-8) in every field.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "conformance/results.hpp"

namespace kmsconf::testing {

using conformance::CaseResult;
using conformance::Outcome;
using conformance::RecordedExchange;
using conformance::RunReport;
using namespace std::chrono_literals;

inline CaseResult make_case(std::string id, Outcome outcome, std::string dialect = "volcengine") {
  CaseResult result;
  result.id = std::move(id);
  result.title = "title of " + result.id;
  result.dialect = std::move(dialect);
  result.outcome = outcome;
  result.file = "fixtures/" + result.dialect + "/keys.json";
  result.line = 12;
  result.elapsed = 42ms;
  return result;
}

inline RecordedExchange make_exchange(std::string step, int status, std::string request,
                                      std::string response) {
  RecordedExchange exchange;
  exchange.step = std::move(step);
  exchange.status = status;
  exchange.request = std::move(request);
  exchange.response = std::move(response);
  exchange.elapsed = 7ms;
  return exchange;
}

// Every outcome, two dialects, tags, operations, exchanges, an inferred failure, a file error.
inline RunReport sample_report() {
  RunReport report;
  report.tool_version = "0.1.0";
  report.endpoint = "https://kms.cn-beijing.volces.com";
  report.started_at = "2026-11-22T09:31:00Z";
  report.elapsed = 4321ms;
  report.run_prefix = "kc-20261122t0931-4f2a";
  report.has_identity = true;
  report.identity.dialects = {"alibaba", "volcengine"};
  report.identity.endpoints = {{"volcengine", "https://kms.cn-beijing.volces.com"},
                               {"alibaba", "in-process"}};
  report.identity.suite_fingerprint = "sha256:00";
  report.identity.filters = {"volc.*"};
  report.identity.features = {"volcengine:multi-region"};
  report.identity.regions = {{"volcengine", "cn-beijing"}, {"alibaba", "cn-hangzhou"}};

  auto pass = make_case("volc.encrypt.basic", Outcome::Pass);
  pass.doc = "seed Encrypt, request table";
  pass.tags = {"crypto"};
  pass.actions = {"CreateKeyring", "CreateKey", "Encrypt"};
  pass.elapsed = 120ms;
  pass.exchanges.push_back(make_exchange(
      "steps[2] Encrypt", 200, "POST /?Action=Encrypt&Version=2021-02-18 HTTP/1.1\r\n\r\n{}",
      "HTTP/1.1 200 OK\r\n\r\n{\"Result\":{\"CiphertextBlob\":\"AAAA\"}}"));
  report.results.push_back(pass);

  auto fail = make_case("volc.replicate-key.conflict", Outcome::Fail);
  fail.doc = "seed ReplicateKey, error table row 409 Conflict";
  fail.tags = {"multi-region", "errors"};
  fail.actions = {"CreateKeyring", "CreateKey", "ReplicateKey", "ReplicateKey"};
  fail.message = "steps[3] ReplicateKey: expect.status: expected 409, got 200\nsecond line";
  fail.elapsed = 1800ms;
  fail.exchanges.push_back(make_exchange("steps[3] ReplicateKey", 200,
                                         "POST / HTTP/1.1\r\nAuthorization: <redacted>\r\n\r\n"
                                         "{\"KeyID\":\"k-1\",\"ReplicaRegion\":\"cn-shanghai\"}",
                                         "HTTP/1.1 200 OK\r\n\r\n{\"Result\":{}}"));
  report.results.push_back(fail);

  auto error = make_case("volc.transport.reset", Outcome::Error);
  error.file = "fixtures/volcengine/transport.json";
  error.actions = {"DescribeKey"};
  error.message = "steps[0] DescribeKey: connection reset by peer";
  error.elapsed = 10500ms;
  report.results.push_back(error);

  auto skip = make_case("volc.skip.prereq", Outcome::Skip);
  skip.tags = {"keys"};
  skip.actions = {"CreateKey", "DisableKey"};
  skip.message = "steps[0] CreateKey: prerequisite failed: HTTP 500";
  skip.exchanges.push_back(make_exchange("steps[0] CreateKey", 500, "POST / HTTP/1.1",
                                         "HTTP/1.1 500 Internal Server Error"));
  report.results.push_back(skip);

  auto disabled = make_case("volc.multi-region.replica", Outcome::Disabled);
  disabled.tags = {"multi-region"};
  disabled.message = "feature multi-region is off";
  disabled.elapsed = 0ms;
  report.results.push_back(disabled);

  auto xfail = make_case("ali.encrypt.context", Outcome::XFail, "alibaba");
  xfail.tags = {"crypto"};
  xfail.actions = {"Encrypt"};
  xfail.message = "steps[1] Encrypt: expect.code: expected InvalidParameter, got none";
  xfail.xfail_reason = "issue 12: endpoint ignores EncryptionContext";
  report.results.push_back(xfail);

  auto xpass = make_case("ali.decrypt.context", Outcome::XPass, "alibaba");
  xpass.tags = {"crypto"};
  xpass.actions = {"Decrypt"};
  xpass.xfail_reason = "issue 13";
  report.results.push_back(xpass);

  auto inferred = make_case("ali.describe.inferred", Outcome::Fail, "alibaba");
  inferred.tags = {"keys", "inferred"};
  inferred.actions = {"DescribeKey"};
  inferred.message = "steps[1] DescribeKey: body KeyMetadata.Origin: expected Aliyun_KMS";
  inferred.elapsed = 3ms;
  inferred.failure_code = "InvalidParameter";
  report.results.push_back(inferred);

  auto not_run = make_case("volc.keys.late", Outcome::NotRun);
  not_run.tags = {"keys"};
  not_run.actions = {"CreateKey"};
  not_run.message = "interrupted by SIGTERM";
  not_run.elapsed = 0ms;  // never started
  report.results.push_back(not_run);

  report.file_errors.push_back(
      "fixtures/volcengine/bad.json:42: cases[3].steps[0].expect.status: must be an integer");
  return report;
}

// Markup, quotes, ampersands, control characters, CDATA ends and invalid UTF-8 everywhere.
inline constexpr const char* kEvilId = "<script>alert('x')</script>&\"id\"";
inline RunReport evil_report() {
  RunReport report = sample_report();
  report.endpoint = "https://evil.example/\"><img src=x>";
  report.run_prefix = "kc-\x01\x1b[31m";
  report.tool_version = "0.1.0 <b>";
  auto evil = make_case(kEvilId, Outcome::Fail, "volc<engine>");
  evil.title = "bell\x07 esc\x1b nul-free C1\xc2\x85 BOM-ish\xef\xbf\xbe ]]> <!-- -->";
  evil.doc = "doc & \"quotes\" 'apos' <tag>";
  evil.tags = {"<tag>", "a&b", "bad\xff\xfeutf8"};
  evil.actions = {"<Op>", "Encrypt"};
  evil.message =
      "line1 \xc0\xaf overlong\r\nline2\twith tab \xed\xa0\x80 surrogate ]]> "
      "<script src=\"https://evil.example/x.js\"></script> truncated \xe2\x82";
  evil.xfail_reason = "<reason>";
  evil.file = "fixtures/volc<engine>/evil&.json";
  evil.exchanges.push_back(make_exchange(
      "steps[0] <Encrypt>", 400,
      "POST /?a=1&b=<2> HTTP/1.1\r\n\r\n" + std::string("\0\x01\x02", 3) + "binary\xff",
      "HTTP/1.1 400 Bad\r\n\r\n<html>oops</html>\xf4\x90\x80\x80"));
  report.results.push_back(evil);
  report.file_errors.push_back("fixtures/<evil>.json:1: \x01 & bad");
  return report;
}

// A fresh directory under the system temp directory, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("kmsconf-reports-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs action and expects a std::runtime_error whose message names path (and reason).
inline void expect_error_naming(const std::function<void()>& action, const std::string& path,
                                const std::string& reason = "") {
  try {
    action();
    ADD_FAILURE() << "no exception for " << path;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    if (!reason.empty()) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  }
}

}  // namespace kmsconf::testing
