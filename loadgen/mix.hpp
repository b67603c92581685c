// Which operation a worker sends next: smooth weighted round-robin over the workload's weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "loadgen/workload.hpp"

namespace kmsconf::loadgen {

// nginx's smooth weighted round-robin: each pick adds every operation's weight to its running
// score, takes the highest score (the first in file order on a tie) and subtracts the total
// weight from it. Deterministic, and spread out rather than in runs: weights 5/1/1 give
// a a b a c a a. Over any first N picks each operation's count is within 1 of N*w/W with two or
// three operations (with four or five it can stray slightly further: under 1.2 in thousands of
// random weight sets), and with weights in whole units every W picks hold exactly w of each.
//
// Weights count in thousandths (the loader allows 0.001 to 1e6), so the arithmetic is exact
// integers and 0.7/0.2/0.1 interleave exactly like 70/20/10. Not thread-safe: each worker owns
// its own mix.
class OperationMix {
 public:
  // Throws std::invalid_argument for no operations or a weight out of the loader's range.
  explicit OperationMix(const Workload& workload);

  std::size_t next();  // an index into workload.operations

 private:
  std::vector<std::int64_t> weights_;  // thousandths
  std::vector<std::int64_t> scores_;
  std::int64_t total_ = 0;
};

}  // namespace kmsconf::loadgen
