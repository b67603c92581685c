// `kmsconf load` through the real binary: each exit code, its message and the result file.
#include <signal.h>
#include <sys/wait.h>

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

constexpr const char* kAk = "AKLTloadtestkey000001";
constexpr const char* kSk = "load-test-secret-value-0001";

// 400 req/s for 500 ms: 200 scheduled requests, short enough for a loaded 2-core CI under ASan.
constexpr int kRate = 400;
constexpr int kScheduled = 200;
const std::vector<std::string> kShortRun{"--rate", "400", "--duration", "500ms"};

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Whether any object key anywhere in `j` names a secret.
bool has_secret_key(const json& j, std::string* where) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key == "secret" || key == "secret_access_key" || key == "secret_key" ||
          key == "session_token" || key == "security_token") {
        *where = key;
        return true;
      }
      if (has_secret_key(value, where)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& value : j) {
      if (has_secret_key(value, where)) return true;
    }
  }
  return false;
}

class LoadCommandTest : public TestCommandTest {
 protected:
  // `kmsconf load --dialect volcengine <short run> <extra>` against the in-process server.
  RunResult load(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"load", "--dialect", "volcengine"};
    args.insert(args.end(), kShortRun.begin(), kShortRun.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return kmsconf(args);
  }

  // A usage error: exit 2, the message on stderr, and nothing started (no server, no progress).
  void expect_usage_error(const std::vector<std::string>& args, const std::string& message) {
    SCOPED_TRACE("kmsconf load ... " + args.back());
    RunResult run = kmsconf(args);
    EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
    EXPECT_TRUE(has(run.err, message)) << "expected \"" << message << "\" in: " << run.err;
    EXPECT_EQ(run.out, "") << "a usage error is found before anything runs";
  }

  // Records a short in-process run's result file for the baseline tests.
  std::string record_baseline(const std::string& name) {
    const std::string out = path(name);
    RunResult run = load({"--out", out});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return out;
  }
};

// ---------------------------------------------------------------------------------------------
// The result file.

TEST_F(LoadCommandTest, OutFileHoldsEveryScheduledRequestAndNoSecret) {
  const std::string out = path("result.json");
  RunResult run = load({"--out", out});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(has(run.out, "Result: " + out)) << run.out;
  json result = parse_report(out);
  json summary = result["summary"];
  // Open loop: the schedule fixes the count. A request still unsent at the end (the sender
  // stalled on a loaded machine) is counted as such, so none may go missing; on loopback
  // nearly all are sent.
  const int requests = summary.value("requests", -1);
  const int unsent = summary.value("unsent", -1);
  EXPECT_EQ(requests + unsent, kScheduled) << summary;
  EXPECT_GE(requests, kScheduled * 9 / 10) << summary;
  EXPECT_EQ(summary["outcomes"].value("ok", -1), requests) << summary;
  for (const char* bad :
       {"throttled", "client_error", "server_error", "transport_error", "timeout"}) {
    EXPECT_EQ(summary["outcomes"].value(bad, -1), 0) << bad << ": " << summary;
  }
  EXPECT_EQ(summary.value("interrupted", true), false) << summary;
  EXPECT_TRUE(result["latency_ms"]["p99"].is_number()) << result["latency_ms"];
  EXPECT_GT(result["latency_ms"].value("count", 0), 0) << result["latency_ms"];
  EXPECT_TRUE(result.contains("per_op") && result["per_op"].contains("Encrypt")) << result;
  EXPECT_TRUE(result["kmsconf_version"].is_string() &&
              !result["kmsconf_version"].get<std::string>().empty())
      << result["kmsconf_version"];
  json config = result["config"];
  EXPECT_EQ(config.value("mode", ""), "open") << config;
  EXPECT_DOUBLE_EQ(config.value("rate", 0.0), kRate) << config;
  EXPECT_EQ(config.value("in_process", false), true) << config;
  EXPECT_EQ(result.value("passed", false), true);
  // The in-process server's secret is unknown out here; no field may be able to hold one.
  std::string key;
  EXPECT_FALSE(has_secret_key(result, &key)) << "the result file has a key named " << key;
}

// ---------------------------------------------------------------------------------------------
// Thresholds.

TEST_F(LoadCommandTest, ThresholdThatHoldsPassesAndOneThatDoesNotFails) {
  RunResult pass = load({"--threshold", "p99<60s"});
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  EXPECT_TRUE(std::regex_search(pass.out, std::regex(R"(\n  p99<60s: [0-9.]+ ms: PASS\n)")))
      << pass.out;
  EXPECT_TRUE(has(pass.out, "result: PASS")) << pass.out;

  RunResult fail = load({"--threshold", "rps>=1000000"});
  EXPECT_EQ(fail.exit_code, 1) << fail.out << fail.err;
  EXPECT_TRUE(std::regex_search(fail.out, std::regex(R"(\n  rps>=1000000: [0-9.]+ req/s: FAIL\n)")))
      << fail.out;
  EXPECT_TRUE(has(fail.out, "result: FAIL (1 of 1 checks failed)")) << fail.out;
}

TEST_F(LoadCommandTest, MalformedThresholdIsAUsageErrorBeforeAnythingRuns) {
  RunResult run = load({"--threshold", "p99<20ms", "--threshold", "p98<20ms"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(has(run.err, "p98<20ms")) << "names the expression: " << run.err;
  EXPECT_TRUE(has(run.err, "did you mean")) << run.err;
  EXPECT_FALSE(has(run.out, "load:")) << "no progress, no server: " << run.out;
}

// ---------------------------------------------------------------------------------------------
// Usage errors: exit 2 with a message, before anything is started.

TEST_F(LoadCommandTest, UsageErrorsExitTwoWithAMessage) {
  const std::string volc = "volcengine";
  expect_usage_error({"load", "--dialect", volc, "--duration", "500ms"},
                     "give --rate R (open loop) or --connections C (closed loop)");
  expect_usage_error({"load", "--dialect", volc, "--rate", "400", "--duration", "1x"},
                     "--duration 1x: a duration such as 500ms");
  expect_usage_error({"load", "--dialect", volc, "--rate", "400", "--duration", "0s"},
                     "--duration 0s:");
  expect_usage_error({"load", "--dialect", volc, "--rate", "400", "--duration", "500ms", "--op",
                      "Encrypt", "--workload", kRepoFixtures + "/workloads/encrypt.json"},
                     "--op and --workload: give one or the other");
  expect_usage_error(
      {"load", "--dialect", volc, "--rate", "400", "--duration", "500ms", "--op", "Encrpyt"},
      "unknown operation \"Encrpyt\" (did you mean \"Encrypt\"?)");
  expect_usage_error({"load", "--dialect", "none", "--rate", "400", "--duration", "500ms"},
                     "--dialect none needs --endpoint");
  expect_usage_error({"load", "--dialect", volc, "--rate", "400", "--duration", "500ms",
                      "--max-regression", "p99=10%"},
                     "--max-regression needs --baseline");
  expect_usage_error({"load", "--dialect", "none", "--endpoint", "http://127.0.0.1:9/x", "--rate",
                      "400", "--duration", "500ms", "--op", "Encrypt"},
                     "--op Encrypt: --dialect none sends plain GETs");
  expect_usage_error({"load", "--dialect", volc, "--rate", "2000000", "--duration", "500ms"},
                     "--rate must be a positive number of requests per second, at most 1000000");
  expect_usage_error(
      {"load", "--dialect", volc, "--rate", "400", "--duration", "500ms", "--threshold", "max<90s"},
      "above 60s");
  const std::string nowhere = path("no-such-dir") + "/result.json";
  expect_usage_error(
      {"load", "--dialect", volc, "--rate", "400", "--duration", "500ms", "--out", nowhere},
      "--out " + nowhere + ": the directory " + path("no-such-dir") + " does not exist");
  EXPECT_FALSE(fs::exists(path("no-such-dir")));
}

TEST_F(LoadCommandTest, WorkloadFileErrorNamesFileAndLine) {
  const std::string file = path("bad-workload.json");
  write_file(file,
             "{\n"
             "  \"name\": \"bad\",\n"
             "  \"operations\": [\n"
             "    { \"op\": \"Encrypt\", \"number_of_bytes\": 32 }\n"
             "  ]\n"
             "}\n");
  expect_usage_error({"load", "--dialect", "volcengine", "--rate", "400", "--duration", "500ms",
                      "--workload", file},
                     file + ":4: operations[0].number_of_bytes");
}

TEST_F(LoadCommandTest, RemoteEndpointWithoutCredentialsIsAUsageError) {
  // kmsconf() unsets VOLC_ACCESSKEY / VOLC_SECRETKEY for the child.
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(free_port());
  expect_usage_error({"load", "--dialect", "volcengine", "--endpoint", endpoint, "--rate", "400",
                      "--duration", "500ms"},
                     "no volcengine credential: set VOLC_ACCESSKEY and VOLC_SECRETKEY, or give "
                     "--credentials FILE");
}

// ---------------------------------------------------------------------------------------------
// The run cannot be done: exit 3.

TEST_F(LoadCommandTest, UnreachableEndpointExitsThreeAndStillWritesTheResult) {
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(free_port());
  const std::string out = path("unreachable.json");
  RunResult run = kmsconf({"load", "--dialect", "none", "--endpoint", endpoint + "/health",
                           "--rate", "400", "--duration", "500ms", "--out", out});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_TRUE(has(run.err, endpoint + " could not be reached: no connection was opened"))
      << run.err;
  ASSERT_TRUE(fs::exists(out)) << run.out;
  json result = parse_report(out);
  EXPECT_EQ(result["summary"].value("connections_opened", -1), 0) << result["summary"];
  EXPECT_GT(result["summary"]["outcomes"].value("transport_error", 0), 0) << result["summary"];
  EXPECT_EQ(result["summary"]["outcomes"].value("ok", -1), 0) << result["summary"];
}

TEST_F(LoadCommandTest, RefusedSetupExitsThreeNamingTheCallAndCode) {
  fs::create_directories(path("serve"));
  const std::string serve_credentials = path("serve-credentials.json");
  write_file(serve_credentials, std::string(R"({"credentials": [{"access_key_id": ")") + kAk +
                                    R"(", "secret_access_key": ")" + kSk +
                                    R"(", "account_id": "2100042018"}]})");
  // Its own directory: the server's stdout must not share a file with the load runs'.
  ServeProcess server(path("serve"));
  ASSERT_TRUE(server.start({"--dialect", "volcengine", "--credentials", serve_credentials}));

  const std::string wrong = path("wrong.json");
  write_file(wrong, std::string(R"({"volcengine": {"access_key_id": ")") + kAk +
                        R"(", "secret_access_key": "not-the-secret"}})");
  RunResult refused = kmsconf({"load", "--dialect", "volcengine", "--endpoint", server.url(),
                               "--credentials", wrong, "--rate", "400", "--duration", "500ms"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_TRUE(has(refused.err, "the run could not be set up")) << refused.err;
  // The setup's first call (CreateKeyring, then CreateKey) is refused for the signature.
  EXPECT_TRUE(std::regex_search(
      refused.err,
      std::regex(R"(Create[A-Za-z]* during setup was refused: HTTP 401 SignatureDoesNotMatch)")))
      << refused.err;
  EXPECT_FALSE(has(refused.out, "open loop")) << "nothing is sent: " << refused.out;

  // The right secret works against the same server, and never reaches the result file.
  const std::string right = path("right.json");
  write_file(right, std::string(R"({"volcengine": {"access_key_id": ")") + kAk +
                        R"(", "secret_access_key": ")" + kSk + R"("}})");
  const std::string out = path("remote.json");
  RunResult run =
      kmsconf({"load", "--dialect", "volcengine", "--endpoint", server.url(), "--credentials",
               right, "--rate", "400", "--duration", "500ms", "--out", out});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string text = read_file(out);
  EXPECT_FALSE(has(text, kSk)) << "the secret is in the result file";
  json result = parse_report(out);
  EXPECT_EQ(result["config"].value("access_key_id", ""), kAk) << result["config"];
  EXPECT_EQ(result["config"].value("endpoint", ""), server.url()) << result["config"];
  EXPECT_GT(result["summary"]["outcomes"].value("ok", 0), 0) << result["summary"];
}

// ---------------------------------------------------------------------------------------------
// The baseline gate.

TEST_F(LoadCommandTest, BaselineWithinToleranceExitsZeroAndPrintsTheRegressions) {
  const std::string baseline = record_baseline("a.json");
  // 1000x: the point is the comparison's path and output, not this machine's jitter; a 2-core
  // CI runner under ASan can stall far beyond 10x a quiet run's sub-millisecond p99.
  RunResult run = load({"--baseline", baseline, "--max-regression", "p99=100000%"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(has(run.out, "baseline " + baseline + ":\n")) << run.out;
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex(R"(\n  p99 [0-9.]+ ms vs baseline [0-9.]+ ms \([^)]*, limit )"
                          R"(\+100000%\): PASS\n)")))
      << run.out;
  EXPECT_FALSE(has(run.out, "  rps ")) << "only the tolerances given are checked: " << run.out;
  EXPECT_TRUE(has(run.out, "result: PASS")) << run.out;
}

TEST_F(LoadCommandTest, BaselineOfAnotherRateOrNotJsonIsRefused) {
  const std::string baseline = record_baseline("a.json");
  RunResult other_rate = kmsconf({"load", "--dialect", "volcengine", "--rate", "300", "--duration",
                                  "500ms", "--baseline", baseline});
  EXPECT_EQ(other_rate.exit_code, 2) << other_rate.out << other_rate.err;
  EXPECT_TRUE(has(other_rate.err, "--baseline " + baseline +
                                      " was measured on another target or workload:\n"
                                      "  rate: baseline 400 req/s, this run 300 req/s\n"))
      << other_rate.err;
  EXPECT_FALSE(has(other_rate.out, "open loop")) << "nothing is sent: " << other_rate.out;

  const std::string not_json = path("not-json.json");
  write_file(not_json, "{\n  \"summary\": oops\n}\n");
  RunResult bad = load({"--baseline", not_json});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_TRUE(has(bad.err, not_json + ":2: invalid JSON")) << bad.err;
  EXPECT_EQ(bad.out, "") << bad.out;
}

TEST_F(LoadCommandTest, BaselineWithATinyP99FailsOnTheDefaultTolerance) {
  const std::string recorded = record_baseline("a.json");
  // metrics_of reads the run's p99 from latency_ms (per operation from per_op), not from the
  // histograms: 1 us is below any loopback round trip.
  json doctored = parse_report(recorded);
  doctored["latency_ms"]["p99"] = 0.001;
  for (auto& [name, op] : doctored["per_op"].items()) op["latency_ms"]["p99"] = 0.001;
  const std::string baseline = path("doctored.json");
  write_file(baseline, doctored.dump(2));
  RunResult run = load({"--baseline", baseline});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(std::regex_search(
      run.out,
      std::regex(R"(\n  p99 [0-9.]+ ms vs baseline 0\.001 ms \([^)]*, limit \+10%\): FAIL\n)")))
      << run.out;
  // --baseline alone checks p99=10%,rps=5%,error_rate=0.1%.
  EXPECT_TRUE(has(run.out, "\n  rps ")) << run.out;
  EXPECT_TRUE(has(run.out, "\n  error_rate ")) << run.out;
  EXPECT_TRUE(has(run.out, "result: FAIL")) << run.out;
}

// A result that judged nothing (here: interrupted) cannot be the yardstick of a later run.
TEST_F(LoadCommandTest, AnInterruptedResultIsRefusedAsABaseline) {
  json interrupted = parse_report(record_baseline("a.json"));
  interrupted["summary"]["interrupted"] = true;
  const std::string baseline = path("interrupted.json");
  write_file(baseline, interrupted.dump(2));
  RunResult run = load({"--baseline", baseline});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(has(run.err, "judged nothing (interrupted): it cannot be a baseline")) << run.err;
  EXPECT_FALSE(has(run.out, "open loop")) << "nothing is sent: " << run.out;
}

// ---------------------------------------------------------------------------------------------
// SIGTERM: the run stops, the result is written marked interrupted, exit 128+15.

TEST_F(LoadCommandTest, SigtermStopsTheRunAndWritesAnInterruptedResult) {
  const std::string out = path("interrupted.json"), page = path("interrupted.html");
  ChildOptions options;
  for (const char* name : kCredentialVariables) options.env[name] = std::nullopt;
  Child run({"load", "--dialect", "volcengine", "--rate", "200", "--duration", "30s", "--out", out,
             "--report-html", page},
            path("run-out.txt"), path("run-err.txt"), options);
  ASSERT_TRUE(run.started());
  // The start line is printed once the signal handlers are in place; a SIGTERM before that
  // would find the default action and kill the process without a result.
  const auto started = std::chrono::steady_clock::now();
  while (run.running() && std::chrono::steady_clock::now() < started + 30s &&
         !has(run.out(), "open loop")) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(run.running()) << run.out() << run.err();
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
  const auto signalled = std::chrono::steady_clock::now();
  const auto status = run.wait_for_exit(10s);
  ASSERT_TRUE(status.has_value()) << "still running 10 s after SIGTERM";
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 5s);
  ASSERT_TRUE(WIFEXITED(*status)) << "killed by the signal instead of stopping";
  EXPECT_EQ(WEXITSTATUS(*status), 128 + SIGTERM) << run.out() << run.err();
  EXPECT_TRUE(has(run.out(), "SIGTERM, stopping")) << run.out();
  ASSERT_TRUE(fs::exists(out)) << run.out();
  json result = parse_report(out);
  json summary = result["summary"];
  EXPECT_EQ(summary.value("interrupted", false), true) << summary;
  EXPECT_EQ(summary.value("stop_reason", json()), "interrupted") << summary;
  EXPECT_GT(summary.value("requests", 0), 0) << summary;
  EXPECT_LT(summary.value("duration_s", 30.0), 10.0) << summary;
  EXPECT_TRUE(has(run.out(), "stopped early: interrupted")) << run.out();
  // The HTML report is written too, and says the run judged nothing.
  EXPECT_TRUE(has(read_file(page), "<p class=\"verdict warn\">NOT JUDGED (interrupted)</p>"))
      << run.out();
}

// ---------------------------------------------------------------------------------------------
// --help.

TEST_F(LoadCommandTest, HelpListsTheExitCodes) {
  RunResult run = kmsconf({"load", "--help"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  // CLI11 wraps the description: compare with the whitespace folded.
  const std::string text =
      std::regex_replace(run.out + run.err, std::regex(R"(\s+)"), std::string(" "));
  for (const char* code : {"Exit codes:", "0 every threshold and baseline check passed",
                           "1 one failed", "2 usage or configuration",
                           "3 the run could not be done", "128+N interrupted by signal N"}) {
    EXPECT_TRUE(has(text, code)) << "missing \"" << code << "\" in: " << run.out;
  }
  for (const char* option : {"--rate", "--connections", "--duration", "--threshold", "--baseline",
                             "--max-regression", "--out", "--credentials"}) {
    EXPECT_TRUE(has(run.out, option)) << option;
  }
}

}  // namespace
}  // namespace kmsconf::testing
