#include "reference_server/dialect_adapter.hpp"

namespace kmsconf::server {

engine::EngineOptions dialect_engine_options(std::shared_ptr<const engine::Clock> clock,
                                             std::vector<std::string> regions,
                                             const std::vector<std::string>& default_regions,
                                             const engine::StatePolicy& policy) {
  engine::EngineOptions options;
  options.clock = std::move(clock);
  options.regions = regions.empty() ? default_regions : std::move(regions);
  options.policy = policy;
  return options;
}

}  // namespace kmsconf::server
