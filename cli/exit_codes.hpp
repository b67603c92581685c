// The exit codes `kmsconf load` and `kmsconf report` share (docs/load.md, "Exit codes").
#pragma once

namespace kmsconf::cli {

inline constexpr int kExitPassed = 0;  // every check passed (report html: the page was written)
inline constexpr int kExitFailed = 1;  // a threshold or baseline check failed
inline constexpr int kExitUsage = 2;   // usage, configuration or an unreadable file
inline constexpr int kExitNotRun = 3;  // nothing could be judged: the run or a shard fell short

}  // namespace kmsconf::cli
