// Smooth weighted round-robin over a workload's operations (mix.hpp).
#include "loadgen/mix.hpp"

#include <cmath>
#include <stdexcept>

namespace kmsconf::loadgen {

OperationMix::OperationMix(const Workload& workload) {
  if (workload.operations.empty()) throw std::invalid_argument("a mix needs an operation");
  for (const auto& op : workload.operations) {
    if (!(op.weight >= kMinWeight && op.weight <= kMaxWeight)) {
      throw std::invalid_argument("weight of " + op.op + " out of range");
    }
    // At most 1e9 thousandths each, so five of them and the scores stay far from overflow.
    weights_.push_back(std::llround(op.weight / kMinWeight));
    total_ += weights_.back();
  }
  scores_.assign(weights_.size(), 0);
}

std::size_t OperationMix::next() {
  std::size_t best = 0;
  for (std::size_t i = 0; i < scores_.size(); ++i) {
    scores_[i] += weights_[i];
    if (scores_[i] > scores_[best]) best = i;  // strictly: the first wins a tie
  }
  scores_[best] -= total_;
  return best;
}

}  // namespace kmsconf::loadgen
