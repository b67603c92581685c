// What was built: the kmsconf version, the git commit and the build type (generated at build
// time by cmake/version.cmake), for `kmsconf --version` and the reports.
#pragma once

#include <string>

namespace kmsconf::cli {

extern const char* const kVersion;    // the project's version, e.g. "0.1.0"
extern const char* const kCommit;     // short git commit, "-dirty" with local changes, or "unknown"
extern const char* const kBuildType;  // CMAKE_BUILD_TYPE, e.g. "Release"

// "0.1.0 (commit 1a2b3c4d5e6f, Release)"
inline std::string version_line() {
  return std::string(kVersion) + " (commit " + kCommit + ", " + kBuildType + ")";
}

}  // namespace kmsconf::cli
