// A run that ends early and on time (conformance/run_control.hpp, RunOptions' stop limits): the
// whole-run deadline, --max-failures, the dead-endpoint breaker, stop requests from outside (a
// signal), cleanup's own timeout; cases never started are NotRun and the run says why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "conformance/run_control.hpp"
#include "conformance/runner.hpp"
#include "protocol/duration.hpp"
#include "tests/conformance/fake_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::Case;
using conformance::CaseResult;
using conformance::Outcome;
using conformance::RunOptions;
using conformance::RunReport;
using ::testing::HasSubstr;
using S = StepBuilder;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

RunOptions remote(const std::string& url) {
  RunOptions o;
  o.dialects = {"volcengine"};
  o.endpoint = url;
  o.credentials["volcengine"] = {"AKLTstoppingtest00001", "stopping-test-secret-0001", ""};
  o.jobs = 2;
  o.timeout = 30s;
  o.preflight = false;  // these tests are about cases; preflight_test.cpp has its own
  return o;
}

// n cases "stop.00", "stop.01", ...: DescribeKey expecting success, cleanup ScheduleKeyDeletion.
std::vector<Case> cases(size_t n) {
  std::vector<Case> out;
  for (size_t i = 0; i < n; ++i) {
    std::string id = "stop." + std::string(i < 10 ? "0" : "") + std::to_string(i);
    out.push_back(make_case(id, "volcengine", {S("DescribeKey", {{"KeyID", "k"}}).code("")},
                            {S("ScheduleKeyDeletion", {{"KeyID", "k"}})}));
  }
  return out;
}

// Every call answered with success.
HttpResponse answer_ok(const HttpRequest&, const std::string& action) {
  return volc_ok(action, json{{"KeyID", "k"}});
}

// One job at a time, stoppable from the test through `control`, as the signal watcher does.
RunOptions stoppable(const std::string& url, conformance::RunControl& control) {
  RunOptions o = remote(url);
  o.jobs = 1;
  o.control = &control;
  return o;
}

// Requests a stop after `delay` from another thread; join it after the run.
std::thread stop_after(conformance::RunControl& control, std::chrono::milliseconds delay,
                       const std::string& reason, std::chrono::milliseconds grace) {
  return std::thread([&control, delay, reason, grace] {
    std::this_thread::sleep_for(delay);
    control.request_stop(reason, "stopped by the test", grace);
  });
}

size_t count(const RunReport& report, Outcome outcome) {
  return report.count(outcome);
}

TEST(RunStopping, DeadlineStopsAHungEndpointOnTimeAndReportsTheRestNotRun) {
  RawPeer stall(RawPeer::Mode::Stall);
  RunOptions o = remote(stall.url());
  o.deadline = 1s;  // the per-request timeout (30 s) alone would take minutes
  auto started = Clock::now();
  RunReport report = conformance::run(cases(12), o);
  auto took = Clock::now() - started;
  // The deadline, then at most RunControl::kCleanupAfterStop for cleanups in flight.
  EXPECT_LT(took, 1s + conformance::RunControl::kCleanupAfterStop + 1500ms);
  EXPECT_EQ(report.stopped, "deadline");
  EXPECT_THAT(report.stop_message, HasSubstr("--deadline"));
  EXPECT_EQ(count(report, Outcome::Error), 2u);  // the two cases in flight (jobs 2)
  EXPECT_EQ(count(report, Outcome::NotRun), 10u);
  for (const auto& r : report.results) {
    if (r.outcome == Outcome::Error) {
      EXPECT_THAT(r.message, HasSubstr("Timeout"));
    } else {
      EXPECT_THAT(r.message, HasSubstr("--deadline"));
    }
  }
  EXPECT_EQ(conformance::exit_code(report), 3);
}

TEST(RunStopping, MaxFailuresStopsStartingCasesAndKeepsTheFailVerdict) {
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    return volc_error(400, action, "InvalidParameter", "The parameter KeyID is invalid.");
  });
  RunOptions o = remote(fake.url());
  o.jobs = 1;
  o.max_failures = 3;
  RunReport report = conformance::run(cases(10), o);
  EXPECT_EQ(count(report, Outcome::Fail), 3u);
  EXPECT_EQ(count(report, Outcome::NotRun), 7u);
  EXPECT_EQ(report.stopped, "max-failures");
  EXPECT_THAT(report.stop_message, HasSubstr("--max-failures 3"));
  EXPECT_EQ(fake.count("DescribeKey"), 3u) << "no case may start after the third failure";
  EXPECT_EQ(conformance::exit_code(report), 1);  // a Fail stays a Fail
}

TEST(RunStopping, DeadEndpointBreakerStopsHammeringAfterConsecutiveTransportErrors) {
  RunOptions o = remote(refused_url());
  o.jobs = 1;
  o.max_transport_errors = 4;
  RunReport report = conformance::run(cases(20), o);
  EXPECT_EQ(count(report, Outcome::Error), 4u);
  EXPECT_EQ(count(report, Outcome::NotRun), 16u);
  EXPECT_EQ(report.stopped, "endpoint-down");
  EXPECT_THAT(report.stop_message, HasSubstr("4 cases in a row could not reach the endpoint"));
  EXPECT_THAT(report.stop_message, HasSubstr("ConnectFailed"));
  EXPECT_EQ(conformance::exit_code(report), 3);
}

TEST(RunStopping, BreakerCountsOnlyConsecutiveTransportErrors) {
  RunOptions o = remote(refused_url());
  o.jobs = 1;
  o.max_transport_errors = 0;  // off
  RunReport report = conformance::run(cases(6), o);
  EXPECT_EQ(count(report, Outcome::Error), 6u);
  EXPECT_TRUE(report.stopped.empty());
}

// Asks the run to stop (as the signal watcher does) once the first case has finished.
class StopAfterFirst : public conformance::ProgressSink {
 public:
  explicit StopAfterFirst(conformance::RunControl& control) : control_(control) {}
  void finished(const CaseResult&, size_t done, size_t) override {
    if (done == 1) {
      control_.request_stop(conformance::stop_reason::kInterrupted, "interrupted by SIGTERM", 2s);
    }
  }

 private:
  conformance::RunControl& control_;
};

TEST(RunStopping, StopRequestFromOutsideLetsRunningCasesFinishAndStartsNoOther) {
  FakeKms fake(answer_ok);
  conformance::RunControl control;
  RunOptions o = stoppable(fake.url(), control);
  StopAfterFirst sink(control);
  RunReport report = conformance::run(cases(8), o, &sink);
  EXPECT_EQ(count(report, Outcome::Pass), 1u);
  EXPECT_EQ(count(report, Outcome::NotRun), 7u);
  EXPECT_EQ(report.stopped, "interrupted");
  EXPECT_EQ(report.stop_message, "interrupted by SIGTERM");
  EXPECT_EQ(fake.count("ScheduleKeyDeletion"), 1u) << "the finished case's cleanup ran";
  EXPECT_EQ(conformance::exit_code(report), 3);
}

TEST(RunStopping, StopCutsARequestAlreadyInFlightAfterItsGrace) {
  RawPeer stall(RawPeer::Mode::Stall);
  conformance::RunControl control;
  RunOptions o = stoppable(stall.url(), control);  // per-request timeout 30 s
  // By 300 ms the first case's request is waiting.
  std::thread signal = stop_after(control, 300ms, conformance::stop_reason::kInterrupted, 200ms);
  auto started = Clock::now();
  RunReport report = conformance::run(cases(5), o);
  auto took = Clock::now() - started;
  signal.join();
  // 300 ms, the 200 ms grace, then at most kCleanupAfterStop for the cleanup in flight.
  EXPECT_LT(took, 500ms + conformance::RunControl::kCleanupAfterStop + 1s);
  EXPECT_EQ(report.stopped, "interrupted");
  const CaseResult& first = report.results.at(0);
  EXPECT_EQ(first.outcome, Outcome::Error);
  EXPECT_THAT(first.message, HasSubstr("Timeout: gave up"));
  EXPECT_THAT(first.message, HasSubstr("at the limit the run set"));
  EXPECT_EQ(count(report, Outcome::NotRun), 4u);
}

TEST(RunStopping, RetryLoopCutShortByAStopIsNoVerdictNotAFail) {
  // A throttling case retries until the answer is throttled; a stop in between must not judge
  // the unthrottled answer it had then.
  FakeKms fake(answer_ok);
  conformance::RunControl control;
  RunOptions o = stoppable(fake.url(), control);
  conformance::Retry retry;
  retry.attempts = 100;
  retry.interval = 100ms;
  retry.until = {conformance::Assertion{"Result.Code", "equals", "Throttled", ""}};
  Case throttling =
      make_case("stop.retry", "volcengine", {S("DescribeRegions").status(403).retry(retry)});
  std::thread stop = stop_after(control, 300ms, conformance::stop_reason::kMaxFailures, 0ms);
  auto started = Clock::now();
  RunReport report = conformance::run({throttling}, o);
  stop.join();
  EXPECT_LT(Clock::now() - started, 2s) << "the wait between retries looks for the stop";
  const CaseResult& r = report.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::Error) << r.message;
  EXPECT_THAT(r.message, HasSubstr("gave up retrying after attempt"));
  EXPECT_EQ(conformance::exit_code(report), 3);
}

TEST(RunStopping, CleanupStepsHaveATimeoutOfTheirOwn) {
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    if (action == "ScheduleKeyDeletion") std::this_thread::sleep_for(1500ms);
    return volc_ok(action, json{{"KeyID", "k"}});
  });
  RunOptions o = remote(fake.url());
  o.cleanup_timeout = 200ms;
  RunReport report = conformance::run(cases(1), o);
  const CaseResult& r = report.results.at(0);
  EXPECT_EQ(r.outcome, Outcome::Pass) << "a cleanup failure never changes the outcome";
  EXPECT_LT(r.elapsed, 1000ms);
  ASSERT_EQ(r.exchanges.size(), 2u);
  // The cleanup's own limit, not the endpoint's speed, ended the wait, and the message says so.
  // (The share of the 200 ms left when the request goes out is a few ms less under load.)
  EXPECT_THAT(
      r.exchanges[1].response,
      ::testing::ContainsRegex("gave up after (200|1?[0-9]{1,2}) ms \\(no complete response"));
  EXPECT_THAT(r.exchanges[1].response, HasSubstr("at the limit the run set"));
}

TEST(RunControl, FirstStopWinsAndLimitsStepsAndCleanup) {
  conformance::RunControl control;
  EXPECT_FALSE(control.should_stop());
  EXPECT_FALSE(control.steps_not_after().has_value());
  const auto started = Clock::now();
  EXPECT_EQ(control.cleanup_not_after(started, 300ms), started + 300ms);

  control.request_stop("interrupted", "interrupted by SIGINT", 1s);
  control.request_stop("max-failures", "later", 0ms);
  EXPECT_TRUE(control.should_stop());
  EXPECT_EQ(control.reason(), "interrupted");
  EXPECT_EQ(control.message(), "interrupted by SIGINT");
  ASSERT_TRUE(control.steps_not_after().has_value());
  EXPECT_LE(*control.steps_not_after(), Clock::now() + 1s);
  // Cleanup: at most its own timeout, and no later than the stop plus kCleanupAfterStop.
  EXPECT_LE(control.cleanup_not_after(Clock::now(), 1h),
            *control.steps_not_after() + conformance::RunControl::kCleanupAfterStop);
}

TEST(RunControl, PassedDeadlineBecomesTheStopReason) {
  conformance::RunControl control;
  control.set_deadline(Clock::now() - 1ms);
  EXPECT_TRUE(control.should_stop());
  EXPECT_EQ(control.reason(), "deadline");
  control.request_stop("interrupted", "interrupted by SIGTERM", 1s);
  EXPECT_EQ(control.reason(), "deadline") << "the first stop keeps its reason";
}

TEST(Durations, WholeNumbersWithOneUnit) {
  using kmsconf::parse_duration;
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("20s"), 20s);
  EXPECT_EQ(parse_duration("2m"), 120s);
  EXPECT_EQ(parse_duration("1h"), 3600s);
  EXPECT_EQ(parse_duration("7d"), 7 * 24h);
  for (const char* bad :
       {"", "20", "s", "1.5s", "-3s", "+3s", "3 s", "3sec", "10y", "99999999999999999999s"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace kmsconf::testing
