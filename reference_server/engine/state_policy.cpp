#include "reference_server/engine/state_policy.hpp"

namespace kmsconf::engine {

StatePolicy::StatePolicy(std::initializer_list<Row> rows) {
  for (auto& row : table_) row.fill(Verdict::Allow);
  for (const Row& row : rows) table_[static_cast<size_t>(row.op)] = row.verdicts;
}

}  // namespace kmsconf::engine
