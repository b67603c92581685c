// Turning `kmsconf test`'s options into the runner's configuration, strictly: every file, name
// and path is checked before anything is sent, and a mistake is a usage error (exit 2) that
// names the file, line and field, or the option, and what was meant.
#pragma once

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/test_command.hpp"
#include "conformance/case_model.hpp"
#include "conformance/runner.hpp"

namespace kmsconf::cli {

// A usage or configuration problem: exit code 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The runner's options from the command line's; reads --features, --expected-failures and
// --credentials (environment first, the file over it). Throws ConfigError.
conformance::RunOptions run_options(const TestOptions& options);

// Feature and tag names the run mentions must be ones the cases (or the runner) know: a
// misspelled feature would silently disable cases, a misspelled tag select none. Throws
// ConfigError naming the unknown name and the closest known one.
void check_names(const conformance::RunOptions& run, const std::vector<conformance::Case>& cases);

// Each dialect's credential: its SDK's environment variables first, then `path` (--credentials,
// kmsconf test's format, shared by kmsconf load) over them; where each came from goes to
// credential_sources, never the values. Throws ConfigError with file:line and field.
void read_credentials(const std::string& path, conformance::RunOptions& r);

// Every report path must be writable before the run starts (found after it, the run is lost).
void check_report_paths(const TestOptions& options);

// --fixtures, else fixtures/ next to or above the binary, else the source tree's.
std::string find_fixtures(const std::string& given);

}  // namespace kmsconf::cli
