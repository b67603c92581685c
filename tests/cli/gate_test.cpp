// `kmsconf test` as a CI gate that never lies, through the real binary: each situation of issue 8
// that used to mislead (a baseline of another run, a hung endpoint, a signal, wrong credentials
// or region, a misspelled feature, an unwritable report path, the wrong dialect on a port) now
// ends with the exit code and message docs/ci-gating.md gives, with every report written.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/child_process.hpp"
#include "tests/cli/serve_process.hpp"
#include "tests/cli/test_command_support.hpp"

namespace kmsconf::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAk = "AKLTgatetestkey000001";
constexpr const char* kSk = "gate-test-secret-value-0001";

size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  size_t n = text.starts_with(prefix) ? 1 : 0;
  return n + count_of(text, "\n" + prefix);
}

// A listening socket nobody accepts on: connections complete, answers never come.
class SilentSocket {
 public:
  SilentSocket() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::listen(fd_, 64) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~SilentSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool ok() const { return port_ != 0; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

class GateTest : public TestCommandTest {
 protected:
  void SetUp() override {
    TestCommandTest::SetUp();
    serve_credentials_ = path("serve-credentials.json");
    write_file(serve_credentials_, std::string(R"({"credentials": [{"access_key_id": ")") + kAk +
                                       R"(", "secret_access_key": ")" + kSk +
                                       R"(", "account_id": "2100042018"}]})");
    small_ = fixtures("small", {{"regions.json", case_file({regions_case("g.regions.a", 200),
                                                            regions_case("g.regions.b", 200)})}});
  }

  const std::map<std::string, std::string>& volc_env() const {
    static const std::map<std::string, std::string> env{{"VOLC_ACCESSKEY", kAk},
                                                        {"VOLC_SECRETKEY", kSk}};
    return env;
  }

  // `kmsconf serve --dialect D --key-pool ...` with the test's credentials.
  std::unique_ptr<ServeProcess> serve(const std::string& dialect,
                                      std::vector<std::string> extra = {}) {
    auto process = std::make_unique<ServeProcess>(path(""));
    std::vector<std::string> args{"--dialect", dialect, "--credentials", serve_credentials_};
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_TRUE(process->start(args));
    return process;
  }

  std::string serve_credentials_;
  std::string small_;
};

// ---------------------------------------------------------------------------------------------
// 1. A baseline of another run is refused (exit 2) naming the difference.

TEST_F(GateTest, BaselineOfAnotherDialectEndpointOrSelectionIsRefused) {
  const std::string of_alibaba = path("alibaba.json");
  RunResult alibaba = kmsconf(
      {"test", "--dialect", "alibaba", "--filter", "ali.aliases.*", "--report-json", of_alibaba});
  ASSERT_EQ(alibaba.exit_code, 0) << alibaba.out << alibaba.err;
  // Today's behaviour was "no regressions ... 45 new, 44 missing" and exit 0.
  RunResult other_dialect = kmsconf(
      {"test", "--dialect", "volcengine", "--filter", "volc.keyrings.*", "--baseline", of_alibaba});
  EXPECT_EQ(other_dialect.exit_code, 2) << other_dialect.out << other_dialect.err;
  EXPECT_NE(other_dialect.err.find("describes another run"), std::string::npos)
      << other_dialect.err;
  EXPECT_NE(other_dialect.err.find("dialects: baseline alibaba, this run volcengine"),
            std::string::npos)
      << other_dialect.err;
  EXPECT_EQ(other_dialect.out.find("running"), std::string::npos) << "nothing may run";

  const std::string filtered = path("filtered.json");
  ASSERT_EQ(kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine", "--filter",
                     "g.regions.a", "--report-json", filtered})
                .exit_code,
            0);
  RunResult unfiltered =
      kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine", "--baseline", filtered});
  EXPECT_EQ(unfiltered.exit_code, 2) << unfiltered.out << unfiltered.err;
  EXPECT_NE(unfiltered.err.find("--filter: baseline g.regions.a, this run (none)"),
            std::string::npos)
      << unfiltered.err;

  auto server = serve("volcengine");
  RunResult other_endpoint =
      kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine", "--endpoint", server->url(),
               "--baseline", filtered, "--filter", "g.regions.a"},
              volc_env());
  EXPECT_EQ(other_endpoint.exit_code, 2) << other_endpoint.out << other_endpoint.err;
  EXPECT_NE(other_endpoint.err.find("endpoints: baseline volcengine=in-process, this run "
                                    "volcengine=" +
                                    server->url()),
            std::string::npos)
      << other_endpoint.err;
}

TEST_F(GateTest, BaselineWhoseCasesAreMostlyGoneIsRefused) {
  const std::string baseline = path("baseline.json");
  ASSERT_EQ(
      kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine", "--report-json", baseline})
          .exit_code,
      0);
  const std::string renamed = fixtures(
      "renamed", {{"regions.json",
                   case_file({regions_case("g.other.a", 200), regions_case("g.regions.b", 200)})},
                  {"more.json", case_file({regions_case("g.other.c", 200)})}});
  RunResult half =
      kmsconf({"test", "--fixtures", renamed, "--dialect", "volcengine", "--baseline", baseline});
  EXPECT_EQ(half.exit_code, 0) << "one of two missing is not most: " << half.out << half.err;
  const std::string gone = fixtures(
      "gone", {{"regions.json",
                case_file({regions_case("g.other.a", 200), regions_case("g.other.b", 200)})}});
  RunResult refused =
      kmsconf({"test", "--fixtures", gone, "--dialect", "volcengine", "--baseline", baseline});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("2 of the baseline's 2 cases are not in this run's selection"),
            std::string::npos)
      << refused.err;
}

// ---------------------------------------------------------------------------------------------
// 2. A hung endpoint: --deadline bounds the run, reports are written, exit 3.

TEST_F(GateTest, DeadlineEndsARunAgainstASilentEndpointOnTimeWithEveryReport) {
  SilentSocket silent;
  ASSERT_TRUE(silent.ok());
  const std::string json_path = path("r.json"), junit_path = path("r.xml"),
                    html_path = path("r.html");
  auto started = std::chrono::steady_clock::now();
  RunResult run = kmsconf(
      {"test", "--dialect", "volcengine", "--endpoint", silent.url(), "--deadline", "20s",
       "--report-json", json_path, "--report-junit", junit_path, "--report-html", html_path},
      volc_env());
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_LT(took, 25s);
  EXPECT_GE(took, 19s) << "the deadline, not something else, ended it";
  json report = parse_report(json_path);
  EXPECT_EQ(report["stopped"]["reason"], "deadline") << report["stopped"];
  // Every case is not run, but those a remote run disables anyway (in-process-only features).
  const json& summary = report["summary"];
  EXPECT_GT(summary.value("notrun", 0), 0) << summary;
  EXPECT_EQ(summary.value("notrun", 0) + summary.value("disabled", 0), summary.value("total", -1))
      << summary;
  EXPECT_NE(read_file(junit_path).find("type=\"NotRun\""), std::string::npos);
  EXPECT_NE(read_file(html_path).find("INCOMPLETE"), std::string::npos);
  EXPECT_NE(run.out.find("STOPPED: the run's --deadline passed"), std::string::npos) << run.out;
}

TEST_F(GateTest, WithoutATerminalProgressLinesKeepTheLogAlive) {
  SilentSocket silent;
  ASSERT_TRUE(silent.ok());
  RunResult run =
      kmsconf({"test", "--dialect", "volcengine", "--endpoint", silent.url(), "--no-preflight",
               "--deadline", "3s", "--progress-every", "1", "--filter", "volc.keyrings.*"},
              volc_env());
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  // Today nothing was printed until the end; now a line at the start and about every second.
  EXPECT_NE(run.out.find("running "), std::string::npos) << run.out;
  EXPECT_GE(count_lines_starting(run.out, "progress: "), 2u) << run.out;
  EXPECT_NE(run.out.find(" failing, "), std::string::npos) << run.out;
}

// ---------------------------------------------------------------------------------------------
// 3. SIGINT / SIGTERM: no new cases, reports marked interrupted, within 5 s; a second signal
// exits at once.

class SignalTest : public GateTest {
 protected:
  // Starts `kmsconf test` against a serve without a key pool (so RSA key generation makes the
  // run long) and waits until it has announced its cases.
  std::unique_ptr<Child> start_long_run(const ServeProcess& server,
                                        const std::vector<std::string>& extra) {
    ChildOptions options;
    for (const char* name : kCredentialVariables) options.env[name] = std::nullopt;
    for (const auto& [name, value] : volc_env()) options.env[name] = value;
    std::vector<std::string> args{"test",       "--dialect", "volcengine", "--endpoint",
                                  server.url(), "--jobs",    "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto child = std::make_unique<Child>(args, path("run-out.txt"), path("run-err.txt"), options);
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (child->running() && std::chrono::steady_clock::now() < deadline &&
           child->out().find("running ") == std::string::npos) {
      std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(1500ms);  // well inside the run
    EXPECT_TRUE(child->running()) << child->out() << child->err();
    return child;
  }
};

TEST_F(SignalTest, SigtermWritesReportsMarkedInterruptedWithinFiveSeconds) {
  auto server = serve("volcengine");  // no --key-pool: the full suite takes far longer
  const std::string json_path = path("i.json"), junit_path = path("i.xml"),
                    html_path = path("i.html");
  auto run = start_long_run(*server, {"--report-json", json_path, "--report-junit", junit_path,
                                      "--report-html", html_path});
  ASSERT_EQ(::kill(run->pid(), SIGTERM), 0);
  auto status = run->wait_for_exit(5s);
  ASSERT_TRUE(status.has_value()) << "still running 5 s after SIGTERM";
  ASSERT_TRUE(WIFEXITED(*status)) << "killed by the signal instead of stopping";
  EXPECT_EQ(WEXITSTATUS(*status), 128 + SIGTERM);
  json report = parse_report(json_path);
  EXPECT_EQ(report["stopped"]["reason"], "interrupted");
  EXPECT_EQ(report["stopped"]["message"], "interrupted by SIGTERM");
  EXPECT_GT(report["summary"].value("pass", 0), 0) << report["summary"];
  EXPECT_GT(report["summary"].value("notrun", 0), 0) << report["summary"];
  EXPECT_NE(read_file(junit_path).find("type=\"NotRun\""), std::string::npos);
  EXPECT_NE(read_file(html_path).find("INCOMPLETE: interrupted by SIGTERM"), std::string::npos);
  EXPECT_NE(run->out().find("stopping: SIGTERM"), std::string::npos) << run->out();
  EXPECT_NE(run->out().find("Reports:"), std::string::npos) << run->out();
  // The run prefix is printed, for --sweep.
  EXPECT_NE(run->out().find("(run prefix kc-"), std::string::npos) << run->out();
}

TEST_F(SignalTest, SecondSignalExitsAtOnce) {
  auto server = serve("volcengine");
  auto run = start_long_run(*server, {});
  ASSERT_EQ(::kill(run->pid(), SIGINT), 0);
  std::this_thread::sleep_for(300ms);  // the first is seen (the watcher polls every 100 ms)
  ASSERT_EQ(::kill(run->pid(), SIGINT), 0);
  auto status = run->wait_for_exit(1s);
  ASSERT_TRUE(status.has_value()) << "a second SIGINT must end the run at once";
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 128 + SIGINT);
}

// ---------------------------------------------------------------------------------------------
// 4. Wrong credentials or region: one message naming the cause and the option, exit 3.

TEST_F(GateTest, WrongSecretStopsAtThePreflightNamingTheCredentialSource) {
  auto server = serve("volcengine");
  const std::string html_path = path("w.html");
  RunResult run = kmsconf(
      {"test", "--dialect", "volcengine", "--endpoint", server->url(), "--report-html", html_path},
      {{"VOLC_ACCESSKEY", kAk}, {"VOLC_SECRETKEY", "not-the-secret-00"}});
  // Today: 138 identical FAIL lines and exit 1.
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_EQ(count_lines_starting(run.out, "FAIL "), 0u) << run.out;
  EXPECT_NE(run.out.find("the volcengine credentials were refused (SignatureDoesNotMatch): check "
                         "the environment's VOLC_ACCESSKEY and VOLC_SECRETKEY"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(read_file(html_path).find("reference server's reading wrong"), std::string::npos);
}

TEST_F(GateTest, WrongSecretWithoutPreflightIsOneSharedCauseNotConformance) {
  auto server = serve("volcengine");
  const std::string html_path = path("s.html");
  RunResult run =
      kmsconf({"test", "--dialect", "volcengine", "--endpoint", server->url(), "--no-preflight",
               "--filter", "volc.keyrings.*", "--report-html", html_path},
              {{"VOLC_ACCESSKEY", kAk}, {"VOLC_SECRETKEY", "not-the-secret-00"}});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.out.find("CAUSE: all "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("credentials were refused (SignatureDoesNotMatch)"), std::string::npos);
  std::string html = read_file(html_path);
  EXPECT_NE(html.find("Shared cause"), std::string::npos);
  EXPECT_EQ(html.find("reference server's reading wrong"), std::string::npos);
}

TEST_F(GateTest, MisspelledRegionStopsAtThePreflightNamingTheOption) {
  auto server = serve("volcengine");
  RunResult run = kmsconf(
      {"test", "--dialect", "volcengine", "--endpoint", server->url(), "--region", "cn-bejing"},
      volc_env());
  // Today: 87 FAILs MissingRequestInfo and no word about --region.
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_EQ(count_lines_starting(run.out, "FAIL "), 0u) << run.out;
  EXPECT_NE(run.out.find("region cn-bejing"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("--region volcengine=REGION"), std::string::npos) << run.out;
}

// ---------------------------------------------------------------------------------------------
// 5. Unknown feature or tag names are usage errors before anything runs.

TEST_F(GateTest, MisspelledFeatureOrTagIsAUsageErrorWithASuggestion) {
  const std::string features = path("features.json");
  write_file(features, R"(["multi_region"])");
  RunResult feature = kmsconf({"test", "--dialect", "volcengine", "--features", features});
  // Today: 55 cases silently Disabled and exit 0.
  EXPECT_EQ(feature.exit_code, 2) << feature.out << feature.err;
  EXPECT_NE(feature.err.find("--features: unknown feature \"multi_region\" (did you mean "
                             "\"multi-region\"?)"),
            std::string::npos)
      << feature.err;
  write_file(features, R"(["throttling-brust"])");
  RunResult other = kmsconf({"test", "--dialect", "volcengine", "--features", features});
  EXPECT_EQ(other.exit_code, 2) << other.out << other.err;
  EXPECT_NE(other.err.find("\"throttling-brust\" (did you mean \"throttling-burst\"?)"),
            std::string::npos)
      << other.err;

  RunResult tag = kmsconf({"test", "--dialect", "volcengine", "--tags", "keyring"});
  EXPECT_EQ(tag.exit_code, 2) << tag.out << tag.err;
  EXPECT_NE(tag.err.find("--tags: unknown tag \"keyring\" (did you mean \"keyrings\"?)"),
            std::string::npos)
      << tag.err;
  RunResult excluded = kmsconf({"test", "--dialect", "volcengine", "--exclude-tags", "inferd"});
  EXPECT_EQ(excluded.exit_code, 2) << excluded.out << excluded.err;
  EXPECT_NE(excluded.err.find("unknown tag \"inferd\""), std::string::npos) << excluded.err;
}

// ---------------------------------------------------------------------------------------------
// 6. An unwritable report path stops the run before it starts.

TEST_F(GateTest, UnwritableReportPathIsFoundBeforeTheRun) {
  for (const std::string option : {"--report-json", "--report-junit", "--report-html"}) {
    SCOPED_TRACE(option);
    const std::string bad = path("no-such-dir/report.out");
    RunResult run = kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine", option, bad});
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_NE(run.err.find(option + " " + bad + ": directory"), std::string::npos) << run.err;
    EXPECT_EQ(run.out.find("running "), std::string::npos) << "nothing may run: " << run.out;
  }
  RunResult directory =
      kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine", "--report-html", path("")});
  EXPECT_EQ(directory.exit_code, 2) << directory.out << directory.err;
}

// ---------------------------------------------------------------------------------------------
// 7. The wrong dialect on a port is named, both ways round, exit 3.

TEST_F(GateTest, WrongDialectOnAPortIsNamedBothWaysRound) {
  auto volcengine = serve("volcengine");
  RunResult alibaba_cases =
      kmsconf({"test", "--dialect", "alibaba", "--endpoint", volcengine->url()},
              {{"ALIBABA_CLOUD_ACCESS_KEY_ID", kAk}, {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", kSk}});
  // Today: 75 FAILs and exit 1.
  EXPECT_EQ(alibaba_cases.exit_code, 3) << alibaba_cases.out << alibaba_cases.err;
  EXPECT_NE(alibaba_cases.out.find("answers in the volcengine dialect, not alibaba"),
            std::string::npos)
      << alibaba_cases.out;
  EXPECT_EQ(count_lines_starting(alibaba_cases.out, "FAIL "), 0u);

  auto alibaba = serve("alibaba");
  RunResult volc_cases =
      kmsconf({"test", "--dialect", "volcengine", "--endpoint", alibaba->url()}, volc_env());
  EXPECT_EQ(volc_cases.exit_code, 3) << volc_cases.out << volc_cases.err;
  EXPECT_NE(volc_cases.out.find("answers in the alibaba dialect, not volcengine"),
            std::string::npos)
      << volc_cases.out;
}

// ---------------------------------------------------------------------------------------------
// 9. Credentials formats, --version, --tags a,b, repeated --filter, report paths, Disabled
// reasons.

TEST_F(GateTest, CredentialFilesAreCheckedWithLineAndFieldAndTheOtherFormatIsNamed) {
  RunResult serve_format =
      kmsconf({"test", "--dialect", "volcengine", "--credentials", serve_credentials_});
  EXPECT_EQ(serve_format.exit_code, 2) << serve_format.out << serve_format.err;
  EXPECT_NE(serve_format.err.find("kmsconf serve's credential store format"), std::string::npos)
      << serve_format.err;
  EXPECT_NE(serve_format.err.find("kmsconf test takes {\"volcengine\""), std::string::npos);

  const std::string bad = path("bad-credentials.json");
  write_file(bad,
             "{\n  \"volcengine\": {\n    \"access_key_id\": \"AK\",\n"
             "    \"secret_access_key\": 42\n  }\n}\n");
  RunResult field = kmsconf({"test", "--dialect", "volcengine", "--credentials", bad});
  EXPECT_EQ(field.exit_code, 2) << field.out << field.err;
  EXPECT_NE(field.err.find(bad + ":4: volcengine.secret_access_key: must be a string"),
            std::string::npos)
      << field.err;

  write_file(bad, "{\n  \"volcengine\": {\n    \"access_key_id\": \"AK\",\n}\n");
  RunResult syntax = kmsconf({"test", "--dialect", "volcengine", "--credentials", bad});
  EXPECT_EQ(syntax.exit_code, 2) << syntax.out << syntax.err;
  EXPECT_NE(syntax.err.find(bad + ":4: not valid JSON"), std::string::npos) << syntax.err;
}

TEST_F(GateTest, VersionNamesCommitAndBuildTypeAndReportsCarryIt) {
  RunResult version = kmsconf({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.out << version.err;
  static const std::regex kLine(R"(kmsconf [0-9]+\.[0-9]+\.[0-9]+ \(commit [^,]+, [A-Za-z]+\)\n)");
  EXPECT_TRUE(std::regex_match(version.out, kLine)) << version.out;
  const std::string json_path = path("v.json");
  ASSERT_EQ(
      kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine", "--report-json", json_path})
          .exit_code,
      0);
  EXPECT_EQ("kmsconf " + parse_report(json_path).value("tool_version", "") + "\n", version.out);
}

TEST_F(GateTest, CommaSeparatedTagsAndRepeatedFiltersSelectTheUnion) {
  RunResult listed_both =
      kmsconf({"test", "--dialect", "volcengine", "--list", "--tags", "keyrings,tags"});
  RunResult listed_each = kmsconf(
      {"test", "--dialect", "volcengine", "--list", "--tags", "keyrings", "--tags", "tags"});
  RunResult only_keyrings =
      kmsconf({"test", "--dialect", "volcengine", "--list", "--tags", "keyrings"});
  ASSERT_EQ(listed_both.exit_code, 0) << listed_both.err;
  EXPECT_EQ(listed_both.out, listed_each.out);
  EXPECT_GT(count_of(listed_both.out, "\n"), count_of(only_keyrings.out, "\n"));

  RunResult two_filters = kmsconf({"test", "--fixtures", small_, "--dialect", "volcengine",
                                   "--list", "--filter", "g.regions.a", "--filter", "g.regions.b"});
  EXPECT_NE(two_filters.out.find("2 cases selected"), std::string::npos) << two_filters.out;
}

TEST_F(GateTest, SummaryPrintsReportPathsAndDisabledReasonsByFeature) {
  const std::string features = path("features.json");
  write_file(features, R"(["test-credentials"])");
  const std::string json_path = path("d.json");
  RunResult run = kmsconf({"test", "--dialect", "volcengine", "--filter", "volc.mr.*", "--features",
                           features, "--report-json", json_path});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("need feature \"multi-region\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Reports:\n  JSON   " + json_path + "\n"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace kmsconf::testing
