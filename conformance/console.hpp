// What `kmsconf test` prints: a progress line on a terminal, one line per failure as it
// happens, and a summary table by operation and by tag. Reads only RunReport / CaseResult,
// which hold no secrets (exchanges are redacted and never printed here).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>

#include "conformance/results.hpp"
#include "conformance/runner.hpp"

namespace kmsconf::conformance {

// "FAIL  volc.encrypt.basic  steps[1] Encrypt: expect.status: expected 200, got HTTP 400 ..."
// for Fail, Error, XPass (and Skip when verbose); empty for the others.
std::string failure_line(const CaseResult& result, bool include_skips = false);

class ConsoleProgress : public ProgressSink {
 public:
  using Clock = std::chrono::steady_clock;
  // tty: redraw a "[done/total] ..." line in place; otherwise failure lines and, every
  // `plain_every`, a "progress: done/total cases, N failing, T s" line, so a CI log is never
  // silent for long.
  ConsoleProgress(std::ostream& out, bool tty, bool show_skips = false,
                  std::chrono::milliseconds plain_every = std::chrono::seconds(10));
  void started(size_t total) override;
  void finished(const CaseResult& result, size_t done, size_t total) override;
  // Called every so often from another thread: prints the periodic line when one is due.
  void tick();
  // Prints a line of its own (e.g. "stopping: interrupted by SIGTERM") between progress output.
  void say(const std::string& line);
  // Clears the progress line (call before printing anything else).
  void clear();
  // The run is over: clears the line; tick() and say() print nothing from now on, so that they
  // cannot interleave with the summary.
  void end();

 private:
  void clear_locked();
  void plain_line_locked();

  std::mutex mutex_;
  std::ostream& out_;
  bool tty_;
  bool show_skips_;
  std::chrono::milliseconds plain_every_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_plain_ = Clock::now();
  size_t done_ = 0;
  size_t total_ = 0;
  size_t failures_ = 0;
  size_t line_width_ = 0;
  bool ended_ = false;
};

// "55 cases Disabled: 40 need feature \"multi-region\", 15 need \"kms-hsm\"" (enable them with
// --features FILE), or "" when none is.
std::string disabled_summary(const RunReport& report);

// Outcome counts per operation (CaseResult::actions) and per tag, then the totals:
//   operation            cases  pass  fail  error  skip  disabled  xfail  xpass
std::string summary_table(const RunReport& report);

// "80 cases: 75 pass, 2 fail, ... in 3.2 s (run prefix kc-...)".
std::string totals_line(const RunReport& report);

}  // namespace kmsconf::conformance
