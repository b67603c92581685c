// What the `kmsconf test` child-process tests share: running the binary within a bound with the
// credential variables cleared, small case files of their own, and reading the JSON report.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/case_file.hpp"
#include "conformance/runner.hpp"
#include "tests/cli/child_process.hpp"

namespace kmsconf::testing {

namespace fs = std::filesystem;
using nlohmann::json;

inline constexpr auto kRunBound = std::chrono::seconds(90);
inline const std::string kRepoFixtures = std::string(KMSCONF_SOURCE_DIR) + "/fixtures";
// The credential variables `kmsconf test` reads; every run starts with them unset.
inline const char* const kCredentialVariables[] = {"VOLC_ACCESSKEY",
                                                   "VOLC_SECRETKEY",
                                                   "VOLC_SESSION_TOKEN",
                                                   "ALIBABA_CLOUD_ACCESS_KEY_ID",
                                                   "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                                                   "ALIBABA_CLOUD_SECURITY_TOKEN"};

struct RunResult {
  int exit_code = -1;  // -1: killed or still running at the bound (a failure is recorded)
  std::string out;
  std::string err;
};

inline size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// 1-based line of the first line containing needle; 0 if none.
inline int line_of(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(count_of(text.substr(0, at), "\n"));
}

// Ids in the repository's fixtures (both dialects) the runner's --filter selects.
inline std::set<std::string> repo_ids_matching(const std::string& filter) {
  std::set<std::string> ids;
  for (const std::string dialect : {"volcengine", "alibaba"}) {
    auto loaded = conformance::load_case_dir(kRepoFixtures + "/" + dialect, dialect);
    for (const auto& c : loaded.cases) {
      if (conformance::filter_matches(filter, c.id)) ids.insert(c.id);
    }
  }
  return ids;
}

// A Volcengine case that sends DescribeRegions and expects `status` (the reference server
// answers 200, so anything else makes the case Fail).
inline std::string regions_case(const std::string& id, int status) {
  return json{{"id", id},
              {"title", "DescribeRegions answers HTTP " + std::to_string(status)},
              {"doc", "kmsconf CLI test"},
              {"steps",
               {{{"action", "DescribeRegions"},
                 {"params", json::object()},
                 {"expect", {{"status", status}}}}}}}
      .dump();
}

inline std::string case_file(const std::vector<std::string>& cases) {
  std::string text = "{\n  \"dialect\": \"volcengine\",\n  \"cases\": [\n";
  for (size_t i = 0; i < cases.size(); ++i) {
    text += "    " + cases[i] + (i + 1 < cases.size() ? ",\n" : "\n");
  }
  return text + "  ]\n}\n";
}

inline json parse_report(const std::string& path) {
  json report = json::parse(read_file(path), nullptr, false);
  EXPECT_FALSE(report.is_discarded()) << path << " is not JSON: " << read_file(path);
  return report.is_discarded() ? json::object() : report;
}

inline std::map<std::string, std::string> outcomes(const json& report) {
  std::map<std::string, std::string> out;
  for (const auto& r : report.value("results", json::array())) {
    out[r.value("id", "")] = r.value("outcome", "");
  }
  return out;
}

// The result object of `id` in a JSON report; null if absent.
inline json result_of(const json& report, const std::string& id) {
  for (const auto& r : report.value("results", json::array())) {
    if (r.value("id", "") == id) return r;
  }
  return nullptr;
}

// The body of a recorded response ("HTTP/1.1 200 OK\r\n<headers>\r\n\r\n<body>") as JSON.
inline json response_body(const json& exchange) {
  std::string response = exchange.value("response", "");
  size_t blank = response.find("\r\n\r\n");
  size_t skip = 4;
  if (blank == std::string::npos) {
    blank = response.find("\n\n");
    skip = 2;
  }
  if (blank == std::string::npos) return nullptr;
  json body = json::parse(response.substr(blank + skip), nullptr, false);
  return body.is_discarded() ? json(nullptr) : body;
}

class TestCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "kmsconf-test-cmd-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = fs::canonical(pattern).string();
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Runs kmsconf to completion within kRunBound. The credential variables are unset unless
  // `env` sets them.
  RunResult kmsconf(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {},
                    const std::string& cwd = "") {
    ChildOptions options;
    for (const char* name : kCredentialVariables) options.env[name] = std::nullopt;
    for (const auto& [name, value] : env) options.env[name] = value;
    options.cwd = cwd;
    Child child(args, dir_ + "/stdout.txt", dir_ + "/stderr.txt", options);
    EXPECT_TRUE(child.started());
    auto status = child.wait_for_exit(kRunBound);
    RunResult result;
    result.out = child.out();
    result.err = child.err();
    if (!status) {
      ADD_FAILURE() << "kmsconf still running after " << kRunBound.count() << " s";
    } else if (!WIFEXITED(*status)) {
      ADD_FAILURE() << "kmsconf did not exit normally (wait status " << *status << ")";
    } else {
      result.exit_code = WEXITSTATUS(*status);
    }
    return result;
  }

  // dir_/<name>/volcengine/<file> = text for each file; returns dir_/<name>.
  std::string fixtures(const std::string& name, const std::map<std::string, std::string>& files) {
    fs::path root = fs::path(dir_) / name;
    fs::create_directories(root / "volcengine");
    for (const auto& [file, text] : files) write_file((root / "volcengine" / file).string(), text);
    return root.string();
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

}  // namespace kmsconf::testing
