// What `kmsconf test` prints: a progress line on a terminal, one line per failure as it
// happens, and a summary table by operation and by tag. Reads only RunReport / CaseResult,
// which hold no secrets (exchanges are redacted and never printed here).
#pragma once

#include <cstddef>
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
  // tty: redraw a "[done/total] ..." line in place; otherwise print only failure lines.
  ConsoleProgress(std::ostream& out, bool tty, bool show_skips = false);
  void started(size_t total) override;
  void finished(const CaseResult& result, size_t done, size_t total) override;
  // Clears the progress line (call before printing anything else).
  void clear();

 private:
  std::ostream& out_;
  bool tty_;
  bool show_skips_;
  size_t failures_ = 0;
  size_t line_width_ = 0;
};

// Outcome counts per operation (CaseResult::actions) and per tag, then the totals:
//   operation            cases  pass  fail  error  skip  disabled  xfail  xpass
std::string summary_table(const RunReport& report);

// "80 cases: 75 pass, 2 fail, ... in 3.2 s (run prefix kc-...)".
std::string totals_line(const RunReport& report);

}  // namespace kmsconf::conformance
