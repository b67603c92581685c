#include "conformance/case_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>

namespace kmsconf::conformance {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ElementsAre;
using testing::IsEmpty;

const std::string kSample = std::string(KMSCONF_TEST_DATA_DIR) + "/cases/sample.json";

class CaseFiles : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("kmsconf-case-file-test-" + std::to_string(random()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  LoadedCases load(const std::string& text, const std::string& dialect = "volcengine") {
    return load_case_file(write("t.json", text), dialect);
  }

  // Errors as "file:line: field: reason", the temp dir cut off and regex engine messages
  // (which vary by library) replaced by "...".
  std::vector<std::string> errors(const LoadedCases& loaded) const {
    std::vector<std::string> out;
    const std::string prefix = dir_.string() + "/";
    for (const auto& e : loaded.errors) {
      std::string text = e.to_string();
      for (std::size_t at; (at = text.find(prefix)) != std::string::npos;) {
        text.erase(at, prefix.size());
      }
      out.push_back(
          std::regex_replace(text, std::regex("invalid regex: .*"), "invalid regex: ..."));
    }
    return out;
  }

  static std::vector<std::string> ids(const LoadedCases& loaded) {
    std::vector<std::string> out;
    for (const auto& c : loaded.cases) out.push_back(c.id);
    return out;
  }

  fs::path dir_;
};

// ---- the happy path ------------------------------------------------------------------------

TEST_F(CaseFiles, LoadsTheSampleFile) {
  const LoadedCases loaded = load_case_file(kSample, "volcengine");
  EXPECT_THAT(loaded.errors, IsEmpty()) << loaded.errors.front().to_string();
  ASSERT_EQ(loaded.cases.size(), 6u);

  const Case& conflict = loaded.cases[0];
  EXPECT_EQ(conflict.id, "volc.replicate-key.conflict");
  EXPECT_EQ(conflict.title,
            "ReplicateKey to a region that already holds a replica is a 409 Conflict");
  EXPECT_EQ(conflict.doc, "seed ReplicateKey, error table row 409 Conflict");
  EXPECT_EQ(conflict.dialect, "volcengine");
  EXPECT_THAT(conflict.tags, ElementsAre("keys", "multi-region", "errors"));
  EXPECT_THAT(conflict.features, ElementsAre("multi-region"));
  EXPECT_EQ(conflict.file, kSample);
  EXPECT_EQ(conflict.line, 8);
  ASSERT_EQ(conflict.steps.size(), 4u);
  EXPECT_EQ(conflict.steps[0].action, "CreateKeyring");
  EXPECT_EQ(conflict.steps[0].params, json({{"KeyringName", "{{run_prefix}}-ring"}}));
  EXPECT_EQ(conflict.steps[0].source, kSample + ":15");
  EXPECT_EQ(conflict.steps[1].params["MultiRegion"], true);
  EXPECT_EQ(conflict.steps[1].captures,
            (std::map<std::string, std::string>{{"key_id", "Result.Key.ID"}}));
  EXPECT_EQ(conflict.steps[1].source, kSample + ":16");
  const Step& check = conflict.steps[3];
  EXPECT_EQ(check.source, kSample + ":22");  // after a block comment
  EXPECT_EQ(check.expect.status, 409);
  EXPECT_EQ(check.expect.code, "Conflict");
  EXPECT_EQ(check.expect.message_matches, "[Rr]eplica");
  EXPECT_FALSE(conflict.steps[0].expect.status.has_value());
  EXPECT_FALSE(conflict.steps[0].expect.code.has_value());
  EXPECT_EQ(check.placement, Placement::Auto);
  EXPECT_TRUE(check.region.empty());
  ASSERT_EQ(conflict.cleanup.size(), 1u);
  EXPECT_EQ(conflict.cleanup[0].action, "ScheduleKeyDeletion");
  EXPECT_EQ(conflict.cleanup[0].params["PendingWindowInDays"], 7);

  const Case& describe = loaded.cases[1];
  EXPECT_EQ(describe.id, "volc.describe-key.shape");
  EXPECT_THAT(describe.tags, ElementsAre("keys", "inferred"));  // an assertion is inferred
  const Step& create = describe.steps[1];
  EXPECT_EQ(create.placement, Placement::JsonBody);
  EXPECT_EQ(create.region, "{{region}}");
  ASSERT_TRUE(create.retry.has_value());
  EXPECT_EQ(create.retry->attempts, 5);
  EXPECT_EQ(create.retry->interval, std::chrono::milliseconds(100));
  ASSERT_EQ(create.retry->until.size(), 1u);
  EXPECT_EQ(create.retry->until[0].path, "Result.Key.KeyState");
  EXPECT_EQ(create.retry->until[0].predicate, "equals");
  EXPECT_EQ(create.retry->until[0].argument, "Enable");
  EXPECT_EQ(create.retry->until[0].source, kSample + ":38");
  ASSERT_EQ(create.retry->stop.size(), 1u);
  EXPECT_EQ(create.retry->stop[0].predicate, "one_of");
  const Step& query = describe.steps[2];
  EXPECT_EQ(query.placement, Placement::Query);
  EXPECT_EQ(query.auth.signing, "go");
  EXPECT_EQ(query.auth.time_offset, std::chrono::seconds(-60));
  EXPECT_EQ(query.auth.extra_headers, (std::map<std::string, std::string>{{"X-Extra", "1"}}));
  EXPECT_THAT(query.auth.unsigned_headers, ElementsAre("x-extra"));
  EXPECT_THAT(query.auth.drop_headers, ElementsAre("x-content-sha256"));
  EXPECT_EQ(query.auth.tamper, "header:x-extra");
  EXPECT_EQ(query.auth.method, "GET");
  EXPECT_EQ(query.auth.session_token, "");
  EXPECT_FALSE(query.auth.secret.has_value());
  EXPECT_FALSE(query.auth.unsigned_request);
  EXPECT_FALSE(query.auth.replay);
  EXPECT_EQ(query.expect.status, 200);
  ASSERT_EQ(query.expect.body.size(), 5u);
  EXPECT_EQ(query.expect.body[2].predicate, "epoch_seconds");
  EXPECT_EQ(query.expect.body[2].source, kSample + ":51");
  EXPECT_EQ(query.expect.body[3].predicate, "shape");
  EXPECT_EQ(query.expect.body[3].argument["required"], json({"ID", "KeyState"}));
  EXPECT_EQ(query.expect.body[4].predicate, "absent");
}

TEST_F(CaseFiles, MatricesExpandIntoOneCasePerCell) {
  const LoadedCases loaded = load_case_file(kSample, "volcengine");
  ASSERT_THAT(loaded.errors, IsEmpty());
  // Operations and states in the order the file writes them.
  EXPECT_THAT(
      ids(loaded),
      ElementsAre("volc.replicate-key.conflict", "volc.describe-key.shape",
                  "volc.state-matrix.Encrypt.Enable", "volc.state-matrix.Encrypt.Disable",
                  "volc.state-matrix.DescribeKey.Enable", "volc.state-matrix.DescribeKey.Disable"));
  const Case& enabled = loaded.cases[2];
  EXPECT_EQ(enabled.title, "Encrypt on a key in state Enable");
  EXPECT_EQ(enabled.doc, "spec §4.2");
  EXPECT_EQ(enabled.dialect, "volcengine");
  EXPECT_THAT(enabled.tags, ElementsAre("keys", "state", "state-matrix"));
  EXPECT_EQ(enabled.line, 81);
  ASSERT_EQ(enabled.steps.size(), 3u);  // setup (2) + no state steps + the operation
  EXPECT_EQ(enabled.steps[0].action, "CreateKeyring");
  EXPECT_EQ(enabled.steps[1].captures.at("key_id"), "Result.Key.ID");
  EXPECT_EQ(enabled.steps[2].action, "Encrypt");
  EXPECT_EQ(enabled.steps[2].params["Plaintext"], "aGk=");
  EXPECT_EQ(enabled.steps[2].expect.status, 200);
  EXPECT_EQ(enabled.steps[2].expect.code, "");
  EXPECT_EQ(enabled.steps[2].source, kSample + ":77");
  ASSERT_EQ(enabled.cleanup.size(), 1u);
  EXPECT_FALSE(enabled.steps[1].expect.code.has_value());

  const Case& disabled = loaded.cases[3];
  ASSERT_EQ(disabled.steps.size(), 4u);  // setup + DisableKey + the operation
  EXPECT_EQ(disabled.steps[2].action, "DisableKey");
  EXPECT_EQ(disabled.steps[3].expect.status, 400);
  EXPECT_EQ(disabled.steps[3].expect.code, "InvalidKeyStatus");
  EXPECT_EQ(loaded.cases[5].steps[3].action, "DescribeKey");
  EXPECT_EQ(loaded.cases[5].steps[3].expect.code, "");
}

TEST_F(CaseFiles, CommentsAreAllowedAndLinesStayRight) {
  const auto loaded = load(R"(/* a block comment
   over two lines */ {"dialect": "volcengine", // a line comment with "quotes" and { [
 "cases": [{"id": "a", "title": "a \" // not a comment /* either */",
  "steps": [
    // {"action": "commented out"},
    {"action": "ListKeyrings", "bogus": 1}]}]}
)");
  EXPECT_THAT(errors(loaded),
              ElementsAre("t.json:6: cases[0].steps[0].bogus: unknown field \"bogus\""));
}

TEST_F(CaseFiles, AWellFormedFileHasNoErrors) {
  const auto loaded = load(R"({"dialect": "alibaba", "tags": ["t"],
 "cases": [{"id": "ali.a", "steps": [
   {"action": "CreateKey", "capture": {"key_id": "KeyMetadata.KeyId"}},
   {"action": "DescribeKey", "params": {"KeyId": "{{key_id}}"},
    "auth": {"signing": "v1-tea", "unsigned": false, "replay": true, "secret": "wrong",
             "access_key_id": "AKLTunknown", "tamper": "body"},
    "expect": {"code": "", "body": [{"path": "Keys.Key[0].KeyId", "exists": true}]}}]}]}
)",
                           "alibaba");
  EXPECT_THAT(errors(loaded), IsEmpty());
  ASSERT_EQ(loaded.cases.size(), 1u);
  EXPECT_EQ(loaded.cases[0].dialect, "alibaba");
  EXPECT_EQ(loaded.cases[0].steps[1].auth.signing, "v1-tea");
  EXPECT_TRUE(loaded.cases[0].steps[1].auth.replay);
  EXPECT_EQ(loaded.cases[0].steps[1].auth.secret, "wrong");
  EXPECT_EQ(loaded.cases[0].steps[1].expect.code, "");
}

// ---- errors: file, line, field and reason ------------------------------------------------

TEST_F(CaseFiles, UnknownFieldsAreCaughtWithASuggestion) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "case": [],
 "cases": [
  {"id": "a", "titel": "x",
   "steps": [{"action": "Encrypt", "parms": {},
              "expect": {"status": 200, "bdy": []}}]},
  {"id": "b", "steps": [{"action": "Encrypt"}]}]}
)");
  EXPECT_THAT(
      errors(loaded),
      ElementsAre("t.json:2: case: unknown field \"case\" (did you mean \"cases\"?)",
                  "t.json:4: cases[0].titel: unknown field \"titel\" (did you mean \"title\"?)",
                  "t.json:5: cases[0].steps[0].parms: unknown field \"parms\" (did you "
                  "mean \"params\"?)",
                  "t.json:6: cases[0].steps[0].expect.bdy: unknown field \"bdy\" (did "
                  "you mean \"body\"?)"));
  // The malformed case is skipped; the other one loads.
  EXPECT_THAT(ids(loaded), ElementsAre("b"));
}

TEST_F(CaseFiles, WrongTypes) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "cases": [{"id": "a",
   "title": 5,
   "tags": "x",
   "steps": [{"action": "Encrypt",
              "params": [],
              "expect": {"status": "400", "code": 1}}]},
  {"id": "b", "features": [1, ""], "steps": [{"action": 7}], "cleanup": {}},
  "not a case"]}
)");
  EXPECT_THAT(errors(loaded),
              ElementsAre("t.json:3: cases[0].title: must be a string, got an integer",
                          "t.json:4: cases[0].tags: must be an array, got a string",
                          "t.json:6: cases[0].steps[0].params: must be an object, got an array",
                          "t.json:7: cases[0].steps[0].expect.status: must be an integer, got a "
                          "string",
                          "t.json:7: cases[0].steps[0].expect.code: must be a string, got an "
                          "integer",
                          "t.json:8: cases[1].features[0]: must be a string, got an integer",
                          "t.json:8: cases[1].features[1]: must not be empty",
                          "t.json:8: cases[1].steps[0].action: must be a string, got an integer",
                          "t.json:8: cases[1].cleanup: must be an array, got an object",
                          "t.json:9: cases[2]: must be an object, got a string"));
  EXPECT_THAT(loaded.cases, IsEmpty());
}

TEST_F(CaseFiles, MissingRequiredFields) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "cases": [
  {"title": "no id",
   "steps": [{"params": {}}]},
  {"id": "no-steps"},
  {"id": "empty-steps", "steps": []},
  {"id": "with space", "steps": [{"action": "ListKeyrings"}]},
  {"id": "empty-expect", "steps": [{"action": "ListKeyrings", "expect": {}}]}]}
)");
  EXPECT_THAT(errors(loaded),
              ElementsAre("t.json:3: cases[0].id: is required",
                          "t.json:4: cases[0].steps[0].action: is required",
                          "t.json:5: cases[1].steps: is required",
                          "t.json:6: cases[2].steps: must hold at least one step",
                          "t.json:7: cases[3].id: must not contain spaces or control characters",
                          "t.json:8: cases[4].steps[0].expect: names no expectation: give "
                          "status, code, message_matches or body"));
  EXPECT_THAT(loaded.cases, IsEmpty());
}

TEST_F(CaseFiles, DuplicateIdsInAFile) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "cases": [
  {"id": "a", "steps": [{"action": "ListKeyrings"}]},
  {"id": "b", "steps": [{"action": "ListKeyrings"}]},
  {"id": "a", "steps": [{"action": "ListKeyrings"}]}],
 "matrices": [{"id": "b", "states": {"S": []},
               "operations": {"Op": {"action": "ListKeys"}}, "expect": {"Op": {"S": "ok"}}},
              {"id": "b", "states": {"S": []},
               "operations": {"Op": {"action": "ListKeys"}}, "expect": {"Op": {"S": "ok"}}}]}
)");
  EXPECT_THAT(errors(loaded),
              ElementsAre("t.json:5: cases[2].id: duplicate case id \"a\" (first defined at "
                          "t.json:3)",
                          "t.json:9: matrices[1].expect.Op.S: duplicate case id \"b.Op.S\" "
                          "(first defined at t.json:7)"));
  EXPECT_THAT(ids(loaded), ElementsAre("a", "b", "b.Op.S"));
}

TEST_F(CaseFiles, DuplicateIdsAcrossTheFilesOfADirectory) {
  write("suite/b.json", R"({"dialect": "volcengine",
 "cases": [{"id": "x", "steps": [{"action": "ListKeyrings"}]},
           {"id": "y", "steps": [{"action": "ListKeyrings"}]}]})");
  write("suite/a.json", R"({"dialect": "volcengine",
 "cases": [{"id": "x", "steps": [{"action": "ListKeyrings"}]}]})");
  write("suite/c.json", "{\"dialect\": \"volcengine\",\n \"cases\": [\n");
  write("suite/notes.txt", "not a case file");
  write("suite/sub/d.json", "{ not even read");
  const LoadedCases loaded = load_case_dir((dir_ / "suite").string(), "volcengine");
  EXPECT_THAT(ids(loaded), ElementsAre("x", "y"));  // a.json first: sorted order
  ASSERT_EQ(loaded.errors.size(), 2u);
  EXPECT_EQ(errors(loaded)[0],
            "suite/b.json:2: cases[0].id: duplicate case id \"x\" (first defined at "
            "suite/a.json:2)");
  EXPECT_THAT(errors(loaded)[1], testing::StartsWith("suite/c.json:3: invalid JSON"));
}

TEST_F(CaseFiles, ASyntaxErrorMakesTheWholeFileOneError) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "cases": [
  {"id": "a", "steps": [{"action": "ListKeyrings"}]},
  {"id": "b"
   "steps": []}]}
)");
  EXPECT_THAT(loaded.cases, IsEmpty());
  EXPECT_THAT(errors(loaded),
              ElementsAre("t.json:5: invalid JSON (column 10): syntax error while parsing object "
                          "- unexpected string literal; expected '}'"));
  EXPECT_THAT(errors(load("{\"dialect\": \"volcengine\" /* unterminated")),
              ElementsAre(testing::StartsWith("t.json:1: invalid JSON (column")));
  EXPECT_THAT(errors(load("{\"dialect\": \"volcengine\",\n\"cases\": [],\n}")),
              ElementsAre(testing::StartsWith("t.json:3: invalid JSON (column 1)")));
}

TEST_F(CaseFiles, TopLevelProblems) {
  EXPECT_THAT(
      errors(load(R"({"dialect": "alibaba", "cases": [{"id": "a", "steps": [{"action": "X"}]}]})")),
      ElementsAre("t.json:1: dialect: is \"alibaba\" but the file is in the volcengine suite"));
  EXPECT_THAT(errors(load(R"({"dialect": "aws", "cases": []})", "")),
              ElementsAre("t.json:1: dialect: unknown dialect \"aws\" (volcengine or alibaba)"));
  EXPECT_THAT(errors(load("{\n\"cases\": []}")), ElementsAre("t.json:1: dialect: is required"));
  EXPECT_THAT(errors(load("[1]")),
              ElementsAre("t.json:1: the file must hold a JSON object, got an array"));
  EXPECT_THAT(errors(load("{\"dialect\": \"volcengine\",\n\"tags\": [\"\"], \"cases\": {}}")),
              ElementsAre("t.json:2: tags[0]: must not be empty",
                          "t.json:2: cases: must be an array, got an object"));
  // A broken top level loads no case at all, however well formed.
  EXPECT_THAT(load(R"({"dialect": "volcengine", "tags": 1,
                       "cases": [{"id": "a", "steps": [{"action": "X"}]}]})")
                  .cases,
              IsEmpty());
  // The expected dialect may be left open.
  EXPECT_EQ(
      load(R"({"dialect": "alibaba", "cases": [{"id": "a", "steps": [{"action": "X"}]}]})", "")
          .cases.size(),
      1u);
  // A file with no cases is fine.
  EXPECT_THAT(errors(load(R"({"$schema": "../schema/case.schema.json", "dialect": "volcengine"})")),
              IsEmpty());
}

TEST_F(CaseFiles, UnreadableFilesAndDirectories) {
  const std::string missing = (dir_ / "missing.json").string();
  EXPECT_THAT(errors(load_case_file(missing, "volcengine")),
              ElementsAre("missing.json: cannot read the file: No such file or directory"));
  const auto loaded = load_case_dir((dir_ / "nope").string(), "volcengine");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_THAT(errors(loaded)[0], testing::StartsWith("nope: cannot read the directory: "));
  fs::create_directories(dir_ / "empty");
  const auto empty = load_case_dir((dir_ / "empty").string(), "volcengine");
  EXPECT_THAT(empty.cases, IsEmpty());
  EXPECT_THAT(empty.errors, IsEmpty());
}

TEST_F(CaseFiles, AssertionProblems) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "cases": [{"id": "a", "steps": [{"action": "Encrypt",
  "expect": {"body": [
    {"path": "x", "equal": 1},
    {"path": "x", "gt": "5"},
    {"path": "x", "matches": "("},
    {"path": "x", "equals": 1, "type": "string"},
    {"path": "a..b", "exists": true},
    {"equals": 1},
    "x",
    {"path": "x", "shape": {"properties": {"ID": {"typ": "string"}}}},
    {"path": "x", "exists": true, "inferred": "yes"},
    {"path": "x", "length": {"min": 2, "max": 1}},
    {"path": "x", "uuid": 12, "type": "text"}
  ], "message_matches": "[" }}]}]}
)");
  const std::string at = "cases[0].steps[0].expect.";
  EXPECT_THAT(
      errors(loaded),
      ElementsAre(
          "t.json:4: " + at +
              "body[0].equal: unknown field or predicate \"equal\" (did you mean "
              "\"equals\"?)",
          "t.json:4: " + at + "body[0]: needs one predicate (equals, matches, exists, type, ...)",
          "t.json:5: " + at + "body[1].gt: must be a number",
          "t.json:6: " + at + "body[2].matches: invalid regex: ...",
          "t.json:7: " + at +
              "body[3].type: a second predicate next to \"equals\"; an assertion "
              "has exactly one",
          "t.json:8: " + at + "body[4].path: empty key at offset 2 in \"a..b\"",
          "t.json:9: " + at + "body[5].path: is required",
          "t.json:10: " + at +
              "body[6]: must be an object (a path and one predicate), got a string",
          "t.json:11: " + at +
              "body[7].shape.properties.ID.typ: unknown shape keyword \"typ\" "
              "(supported: type, required, properties, items, enum, pattern, additionalProperties)",
          "t.json:12: " + at + "body[8].inferred: must be a boolean, got a string",
          "t.json:13: " + at + "body[9].length: \"min\" is greater than \"max\"",
          "t.json:14: " + at +
              "body[10].uuid: a second predicate next to \"type\"; an assertion "
              "has exactly one",
          "t.json:15: " + at + "message_matches: invalid regex: ..."));
}

TEST_F(CaseFiles, StepFieldProblems) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "cases": [{"id": "a", "steps": [
  {"action": "ListKeyrings", "placement": "jsn", "region": "",
   "auth": {"secert": "x", "signing": "v3", "tamper": "headers",
            "replay": true, "method": "get", "time_offset_s": 1.5,
            "unsigned_headers": ["x date"], "headers": {"X-A": 1}},
   "retry": {"attempts": 0, "interval_ms": 5},
   "capture": {"1x": "a", "k": "a..b", "region": "x", "v": 3}},
  {"action": "ListKeyrings", "retry": {"until": [], "attempts": 101, "interval_ms": 10001},
   "auth": {"unsigned": "yes", "tamper": "header:", "time_offset_s": 400000000}}
 ]}]}
)");
  const std::string at = "cases[0].steps[0].";
  const std::string at1 = "cases[0].steps[1].";
  EXPECT_THAT(
      errors(loaded),
      ElementsAre(
          "t.json:3: " + at +
              "placement: must be \"auto\", \"query\", \"json\" or \"form\", got "
              "\"jsn\" (did you mean \"json\"?)",
          "t.json:3: " + at + "region: must not be empty",
          "t.json:4: " + at + "auth.secert: unknown field \"secert\" (did you mean \"secret\"?)",
          "t.json:4: " + at +
              "auth.signing: unknown volcengine signer layout \"v3\" (\"node\", "
              "\"go\")",
          "t.json:4: " + at +
              "auth.tamper: must be \"body\", \"query\" or \"header:<name>\", got "
              "\"headers\"",
          "t.json:5: " + at + "auth.time_offset_s: must be an integer, got a number",
          "t.json:5: " + at + "auth.replay: the first step has no previous request to replay",
          "t.json:5: " + at +
              "auth.method: must be an HTTP method in capitals (GET, POST, ...), "
              "got \"get\"",
          "t.json:6: " + at +
              "auth.unsigned_headers[0]: must be an HTTP header name (token "
              "characters only)",
          "t.json:6: " + at + "auth.headers.X-A: must be a string, got an integer",
          "t.json:7: " + at + "retry.until: is required",
          "t.json:7: " + at + "retry.attempts: must be from 1 to 100, got 0",
          "t.json:7: " + at + "retry.interval_ms: must be from 10 to 10000, got 5",
          "t.json:8: " + at + "capture.1x: variable name \"1x\" must match [A-Za-z_][A-Za-z0-9_]*",
          "t.json:8: " + at + "capture.k: bad JSON path: empty key at offset 2 in \"a..b\"",
          "t.json:8: " + at +
              "capture.region: \"region\" is a built-in template and cannot be "
              "captured",
          "t.json:8: " + at + "capture.v: must be a string (a JSON path), got an integer",
          "t.json:9: " + at1 + "retry.until: must hold at least one assertion",
          "t.json:9: " + at1 + "retry.attempts: must be from 1 to 100, got 101",
          "t.json:9: " + at1 + "retry.interval_ms: must be from 10 to 10000, got 10001",
          "t.json:10: " + at1 +
              "auth.time_offset_s: must be from -315360000 to 315360000, got "
              "400000000",
          "t.json:10: " + at1 +
              "auth.tamper: must be \"body\", \"query\" or \"header:<name>\", "
              "got \"header:\"",
          "t.json:10: " + at1 + "auth.unsigned: must be a boolean, got a string"));
}

TEST_F(CaseFiles, TemplateProblems) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "cases": [{"id": "a", "steps": [
  {"action": "DescribeKey", "params": {"KeyID": "{{key_id}}"}},
  {"action": "CreateKey", "params": {"KeyName": "k-{{run_prefix}}"},
   "capture": {"key_id": "Result.Key.ID"},
   "expect": {"body": [{"path": "Result.Key.ID", "equals": "{{key_id}}"}]}},
  {"action": "Encrypt", "params": {"KeyID": "{{key_id}}", "X": "{{random_hex:0}}", "Y": "{{oops"}},
  {"action": "CreateKeyring", "params": {"KeyringName": "fixed-ring"}},
  {"action": "CreateKeyring", "params": {"KeyringName": "a"}, "expect": {"code": "InvalidParameter"}}
 ], "cleanup": [{"action": "ScheduleKeyDeletion", "params": {"KeyID": "{{key_id}}", "Z": "{{kid}}"}}]}]}
)");
  EXPECT_THAT(
      errors(loaded),
      ElementsAre("t.json:3: cases[0].steps[0].params.KeyID: unknown template variable "
                  "\"{{key_id}}\": no earlier step captures it (captured so far: none)",
                  "t.json:7: cases[0].steps[2].params.X: random_hex: needs a byte count from 1 "
                  "to 4096, got \"0\"",
                  "t.json:7: cases[0].steps[2].params.Y: unterminated template \"{{oops\"",
                  "t.json:8: cases[0].steps[3].params.KeyringName: a created name must contain "
                  "{{run_prefix}} (parallel runs must not collide and --sweep must find "
                  "leftovers)",
                  "t.json:10: cases[0].cleanup[0].params.Z: unknown template variable "
                  "\"{{kid}}\": no earlier step captures it (captured so far: key_id)"));
}

TEST_F(CaseFiles, MatrixProblems) {
  const auto loaded = load(R"({"dialect": "volcengine",
 "matrices": [{"id": "m",
   "states": {"Enable": [], "Disable": [{"action": "DisableKey", "params": {"KeyID": "{{kid}}"}}]},
   "setup": [{"action": "CreateKey", "params": {"KeyName": "{{run_prefix}}"}, "capture": {"key_id": "Result.Key.ID"}}],
   "operations": {"Encrypt": {"action": "Encrypt", "expect": {"status": 200}}},
   "expect": {"Encrypt": {"Enable": "ok", "Disabled": "ok", "Other": 5},
              "Decrypt": {"Enable": "fine"}}},
  {"id": "n", "operations": {}, "expect": []},
  {"id": "o", "states": {"A": []}, "operations": {"Op": {"action": "X"}},
   "expect": {"Op": {"A": {"status": "500"}}}}]}
)");
  EXPECT_THAT(
      errors(loaded),
      ElementsAre("t.json:3: matrices[0].states.Disable[0].params.KeyID: unknown template "
                  "variable \"{{kid}}\": no earlier step captures it (captured so far: key_id)",
                  "t.json:5: matrices[0].operations.Encrypt.expect: a matrix operation's "
                  "expectation comes from the matrix's \"expect\" table",
                  "t.json:6: matrices[0].expect.Encrypt.Disabled: \"Disabled\" is not one of the "
                  "matrix's states (did you mean \"Disable\"?)",
                  "t.json:6: matrices[0].expect.Encrypt.Other: \"Other\" is not one of the "
                  "matrix's states",
                  "t.json:6: matrices[0].expect.Encrypt.Disable: missing: operation \"Encrypt\" "
                  "needs an expectation for state \"Disable\"",
                  "t.json:7: matrices[0].expect.Decrypt: \"Decrypt\" is not one of the matrix's "
                  "operations (did you mean \"Encrypt\"?)",
                  "t.json:8: matrices[1].states: is required",
                  "t.json:8: matrices[1].operations: must name at least one operation",
                  "t.json:8: matrices[1].expect: must be an object, got an array",
                  "t.json:10: matrices[2].expect.Op.A.status: must be an integer, got a string"));
  EXPECT_THAT(loaded.cases, IsEmpty());
}

// ---- matrices: after_ok -----------------------------------------------------------------

const char* const kAfterOkMatrix = R"({"dialect": "alibaba",
 "matrices": [{"id": "m",
   "states": {
     "Enabled": [{"action": "CreateKey", "params": {"Description": "{{run_prefix}}"}, "capture": {"key_id": "KeyMetadata.KeyId"}}],
     "Disabled": [{"action": "CreateKey", "params": {"Description": "{{run_prefix}}"}, "capture": {"key_id": "KeyMetadata.KeyId"}},
                  {"action": "DisableKey", "params": {"KeyId": "{{key_id}}"}}],
     "PendingDeletion": [{"action": "CreateKey", "params": {"Description": "{{run_prefix}}"}, "capture": {"key_id": "KeyMetadata.KeyId"}},
                         {"action": "ScheduleKeyDeletion", "params": {"KeyId": "{{key_id}}", "PendingWindowInDays": 7}}]},
   "operations": {
     "DisableKey": {"action": "DisableKey", "params": {"KeyId": "{{key_id}}"}},
     "DescribeKey": {"action": "DescribeKey", "params": {"KeyId": "{{key_id}}"}, "capture": {"state": "KeyMetadata.KeyState"}}},
   "after_ok": {
     "DisableKey": {
       "result": [{"path": "RequestId", "exists": true}],
       "then": [{"action": "DescribeKey", "params": {"KeyId": "{{key_id}}"},
                 "expect": {"body": [{"path": "KeyMetadata.KeyState", "equals": "Disabled"}]}}]},
     "DescribeKey": {"result": [{"path": "KeyMetadata.KeyState", "equals": "{{state}}"}]}},
   "expect": {
     "DisableKey": {"Enabled": "ok", "Disabled": "ok",
                    "PendingDeletion": {"status": 409, "code": "Rejected.StateModifiedFailed"}},
     "DescribeKey": {"Enabled": {"body": [{"path": "KeyMetadata.KeyId", "equals": "{{key_id}}"}]},
                     "Disabled": "ok",
                     "PendingDeletion": {"ok": {"then": [{"action": "DescribeKey", "params": {"KeyId": "{{key_id}}"},
                       "expect": {"body": [{"path": "KeyMetadata.DeleteDate", "near_time": {"from": "now", "plus": "+7d", "tolerance": "10m"}, "inferred": true}]}}]}}}},
   "cleanup": [{"action": "ScheduleKeyDeletion", "params": {"KeyId": "{{key_id}}", "PendingWindowInDays": 7}}]}]}
)";

const Case& case_named(const LoadedCases& loaded, const std::string& id) {
  for (const auto& c : loaded.cases) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no case " + id);
}

TEST_F(CaseFiles, AfterOkAddsResultAssertionsAndThenStepsToSuccessCells) {
  const auto loaded = load(kAfterOkMatrix, "alibaba");
  ASSERT_THAT(errors(loaded), IsEmpty());
  ASSERT_EQ(loaded.cases.size(), 6u);

  // An "ok" transition cell: the operation checks its result, then the state it leads to.
  const Case& disable = case_named(loaded, "m.DisableKey.Enabled");
  ASSERT_EQ(disable.steps.size(), 3u);  // CreateKey, DisableKey, DescribeKey
  const Step& op = disable.steps[1];
  EXPECT_EQ(op.action, "DisableKey");
  EXPECT_EQ(op.expect.status, 200);
  EXPECT_EQ(op.expect.code, "");
  ASSERT_EQ(op.expect.body.size(), 1u);
  EXPECT_EQ(op.expect.body[0].path, "RequestId");
  EXPECT_EQ(op.expect.body[0].source, dir_.string() + "/t.json:14");
  const Step& then = disable.steps[2];
  EXPECT_EQ(then.action, "DescribeKey");
  ASSERT_EQ(then.expect.body.size(), 1u);
  EXPECT_EQ(then.expect.body[0].argument, "Disabled");
  EXPECT_EQ(then.source, dir_.string() + "/t.json:15");
  EXPECT_THAT(disable.cleanup, testing::SizeIs(1));
  EXPECT_EQ(case_named(loaded, "m.DisableKey.Disabled").steps.size(), 4u);

  // An error cell gets nothing of it.
  const Case& refused = case_named(loaded, "m.DisableKey.PendingDeletion");
  ASSERT_EQ(refused.steps.size(), 3u);  // CreateKey, ScheduleKeyDeletion, DisableKey
  EXPECT_EQ(refused.steps[2].expect.code, "Rejected.StateModifiedFailed");
  EXPECT_THAT(refused.steps[2].expect.body, IsEmpty());

  // A body-only cell expects success: its own assertions, then the operation's result ones.
  const Case& described = case_named(loaded, "m.DescribeKey.Enabled");
  ASSERT_EQ(described.steps.size(), 2u);
  ASSERT_EQ(described.steps[1].expect.body.size(), 2u);
  EXPECT_EQ(described.steps[1].expect.body[0].path, "KeyMetadata.KeyId");
  EXPECT_EQ(described.steps[1].expect.body[1].argument, "{{state}}");
  EXPECT_EQ(case_named(loaded, "m.DescribeKey.Disabled").steps[2].expect.body.size(), 1u);

  // An {"ok": {...}} cell: success, with its own block instead of the operation's.
  const Case& pending = case_named(loaded, "m.DescribeKey.PendingDeletion");
  ASSERT_EQ(pending.steps.size(), 4u);
  EXPECT_EQ(pending.steps[2].expect.status, 200);
  EXPECT_THAT(pending.steps[2].expect.body, IsEmpty());
  ASSERT_EQ(pending.steps[3].expect.body.size(), 1u);
  EXPECT_EQ(pending.steps[3].expect.body[0].predicate, "near_time");

  // An inferred assertion in an after_ok block tags only the cells that use it.
  for (const auto& c : loaded.cases) {
    const bool inferred = std::find(c.tags.begin(), c.tags.end(), "inferred") != c.tags.end();
    EXPECT_EQ(inferred, c.id == "m.DescribeKey.PendingDeletion") << c.id;
  }
}

TEST_F(CaseFiles, AfterOkProblems) {
  const auto loaded = load(R"({"dialect": "alibaba",
 "matrices": [{"id": "m",
   "states": {"Enabled": [{"action": "CreateKey", "params": {"Description": "{{run_prefix}}"}, "capture": {"key_id": "KeyMetadata.KeyId"}}]},
   "operations": {"DisableKey": {"action": "DisableKey", "params": {"KeyId": "{{key_id}}"}}},
   "after_ok": {"DisableKy": {"result": [{"path": "RequestId", "exists": true}]},
                "DisableKey": {"reslt": [], "then": []}},
   "expect": {"DisableKey": {"Enabled": {"ok": {"then": [{"action": "DescribeKey", "params": {"KeyId": "{{key_id}}"}}]}, "status": 200}}}},
  {"id": "n",
   "states": {"Enabled": [{"action": "CreateKey", "params": {"Description": "{{run_prefix}}"}, "capture": {"key_id": "KeyMetadata.KeyId"}}]},
   "operations": {"DisableKey": {"action": "DisableKey", "params": {"KeyId": "{{key_id}}"}}},
   "after_ok": {"DisableKey": {"result": [{"path": "X", "equals": "{{nope}}"}],
                               "then": [{"action": "DescribeKey", "params": {"KeyId": "{{kid}}"}, "expect": {"status": 200}}]}},
   "expect": {"DisableKey": {"Enabled": "ok"}}},
  {"id": "o",
   "states": {"Enabled": [{"action": "CreateKey", "params": {"Description": "{{run_prefix}}"}, "capture": {"key_id": "KeyMetadata.KeyId"}}]},
   "operations": {"DisableKey": {"action": "DisableKey", "params": {"KeyId": "{{key_id}}"}}},
   "after_ok": {"DisableKey": {"then": [{"action": "DescribeKey", "params": {"KeyId": "{{key_id}}"}, "expect": {"status": 200}}]}},
   "expect": {"DisableKey": {"Enabled": {"status": 409, "code": "Rejected.StateModifiedFailed"}}}},
  {"id": "p",
   "states": {"Enabled": []},
   "operations": {"DisableKey": {"action": "DisableKey"}},
   "after_ok": {"DisableKey": "Disabled"},
   "expect": {"DisableKey": {"Enabled": {"ok": {}}}}}]}
)",
                           "alibaba");
  EXPECT_THAT(
      errors(loaded),
      ElementsAre(
          "t.json:5: matrices[0].after_ok.DisableKy: \"DisableKy\" is not one of the matrix's "
          "operations (did you mean \"DisableKey\"?)",
          "t.json:6: matrices[0].after_ok.DisableKey.reslt: unknown field \"reslt\" (did you mean "
          "\"result\"?)",
          "t.json:6: matrices[0].after_ok.DisableKey.then: must not be empty (leave it out "
          "instead)",
          "t.json:7: matrices[0].expect.DisableKey.Enabled: an {\"ok\": ...} cell holds nothing "
          "else (its success is the expectation)",
          "t.json:11: matrices[1].after_ok.DisableKey.result[0].equals: unknown template variable "
          "\"{{nope}}\": no earlier step captures it (captured so far: key_id)",
          "t.json:12: matrices[1].after_ok.DisableKey.then[0].params.KeyId: unknown template "
          "variable \"{{kid}}\": no earlier step captures it (captured so far: key_id)",
          "t.json:17: matrices[2].after_ok.DisableKey: no cell of \"DisableKey\" expects success, "
          "so this block would never run",
          "t.json:22: matrices[3].after_ok.DisableKey: must be an object {\"result\": "
          "[assertions], \"then\": [steps]}, got a string",
          "t.json:23: matrices[3].expect.DisableKey.Enabled.ok: names nothing to check: give "
          "\"result\" and/or \"then\""));
  EXPECT_THAT(loaded.cases, IsEmpty());
}

TEST_F(CaseFiles, AThenStepWithoutExpectIsRefused) {
  const auto loaded = load(R"({"dialect": "alibaba",
 "matrices": [{"id": "m", "states": {"Enabled": []},
   "operations": {"DisableKey": {"action": "DisableKey"}},
   "after_ok": {"DisableKey": {"then": [{"action": "DescribeKey"}]}},
   "expect": {"DisableKey": {"Enabled": "ok"}}}]}
)",
                           "alibaba");
  EXPECT_THAT(errors(loaded),
              ElementsAre("t.json:4: matrices[0].after_ok.DisableKey.then[0]: a \"then\" step "
                          "needs an \"expect\": its failure must fail the cell, not skip it"));
}

// ---- near_time arguments are checked with file, line and field ----------------------------

TEST_F(CaseFiles, NearTimeProblems) {
  const auto loaded = load(R"({"dialect": "alibaba",
 "cases": [{"id": "a", "steps": [
  {"action": "CreateKey", "params": {"Description": "{{run_prefix}}"},
   "capture": {"key_id": "KeyMetadata.KeyId", "created": "KeyMetadata.CreationDate"},
   "expect": {"body": [
     {"path": "KeyMetadata.CreationDate", "near_time": {"from": "now", "tolerance": "10m"}},
     {"path": "KeyMetadata.DeleteDate", "near_time": {"from": "now", "plus": "7 days", "tolerance": "-1m"}},
     {"path": "KeyMetadata.DeleteDate", "near_time": {"from": "{{deleted}}", "tolerance": "1m"}}]}},
  {"action": "DescribeKey", "params": {"KeyId": "{{key_id}}"},
   "expect": {"body": [{"path": "KeyMetadata.LastRotationDate", "near_time": {"from": "{{created}}", "tolerance": "1s"}},
                       {"path": "KeyMetadata.DeleteDate", "near_time": {"from": "tomorrow", "tolerance": "1s", "format": "rfc"}}]}}
 ]}]}
)",
                           "alibaba");
  const std::string at0 = "cases[0].steps[0].expect.body";
  const std::string at1 = "cases[0].steps[1].expect.body";
  EXPECT_THAT(
      errors(loaded),
      ElementsAre(
          "t.json:7: " + at0 +
              "[1].near_time.plus: must be a signed duration like \"+7d\", \"-90m\", "
              "\"3600s\" (units ms, s, m, h, d)",
          "t.json:7: " + at0 +
              "[1].near_time.tolerance: must be an unsigned duration like \"10m\", "
              "\"30s\" (units ms, s, m, h, d)",
          "t.json:8: " + at0 +
              "[2].near_time.from: unknown template variable \"{{deleted}}\": no earlier step "
              "captures it (captured so far: created, key_id)",
          "t.json:11: " + at1 +
              "[1].near_time.from: must be \"now\" or exactly one captured variable "
              "\"{{var}}\"",
          "t.json:11: " + at1 +
              "[1].near_time.format: must be \"auto\", \"iso8601\", \"epoch_seconds\" "
              "or \"epoch_ms\""));
}

TEST(CaseFileError, ToString) {
  EXPECT_EQ((CaseFileError{"f.json", 42, "cases[3].steps[0].expect.status", "must be an integer"})
                .to_string(),
            "f.json:42: cases[3].steps[0].expect.status: must be an integer");
  EXPECT_EQ((CaseFileError{"f.json", 3, "", "invalid JSON"}).to_string(), "f.json:3: invalid JSON");
  EXPECT_EQ((CaseFileError{"f.json", 0, "", "cannot read"}).to_string(), "f.json: cannot read");
}

// ---- the suites and the schema stay valid -------------------------------------------------

TEST(Suites, EveryFixtureFileLoadsWithoutErrors) {
  const fs::path fixtures = fs::path(KMSCONF_SOURCE_DIR) / "fixtures";
  std::size_t suites = 0;
  if (fs::is_directory(fixtures)) {
    for (const auto& entry : fs::directory_iterator(fixtures)) {
      // schema/ and workloads/ (kmsconf load's files) hold no cases.
      const auto name = entry.path().filename();
      if (!entry.is_directory() || name == "schema" || name == "workloads") continue;
      ++suites;
      const std::string dialect = entry.path().filename().string();
      const LoadedCases loaded = load_case_dir(entry.path().string(), dialect);
      for (const auto& error : loaded.errors) ADD_FAILURE() << error.to_string();
      for (const auto& c : loaded.cases) EXPECT_EQ(c.dialect, dialect) << c.id;
    }
  }
  // Also the sample the loader tests use.
  EXPECT_THAT(load_case_file(kSample, "volcengine").errors, IsEmpty());
  RecordProperty("suites", static_cast<int>(suites));
}

TEST(Schema, ListsExactlyTheFieldsTheLoaderAccepts) {
  std::ifstream in(std::string(KMSCONF_SOURCE_DIR) + "/fixtures/schema/case.schema.json");
  ASSERT_TRUE(in) << "fixtures/schema/case.schema.json is missing";
  json schema;
  ASSERT_NO_THROW(schema = json::parse(in)) << "the schema is not valid JSON";
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  for (const auto& [kind, names] : accepted_fields()) {
    const json& def = kind == "file" ? schema : schema["$defs"][kind];
    ASSERT_TRUE(def.is_object()) << "no $defs." << kind;
    ASSERT_TRUE(def.contains("properties")) << kind;
    std::set<std::string> in_schema;
    for (const auto& [name, value] : def["properties"].items()) in_schema.insert(name);
    EXPECT_EQ(in_schema, std::set<std::string>(names.begin(), names.end())) << kind;
    EXPECT_EQ(def.value("additionalProperties", json(true)), false)
        << kind << ": the loader rejects unknown fields, so must the schema";
  }
  for (const auto& dialect : known_dialects()) {
    EXPECT_NE(std::find(schema["properties"]["dialect"]["enum"].begin(),
                        schema["properties"]["dialect"]["enum"].end(), dialect),
              schema["properties"]["dialect"]["enum"].end())
        << dialect;
  }
}

}  // namespace
}  // namespace kmsconf::conformance
