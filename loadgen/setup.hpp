// A workload's setup and teardown against the target: keys named with the run prefix (so `kmsconf
// test --sweep` finds leftovers), a pool of ciphertexts for Decrypt, and the keys' deletion after.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "loadgen/target.hpp"
#include "loadgen/workload.hpp"

namespace kmsconf::loadgen {

// What the run's requests refer to.
struct Material {
  std::string run_prefix;
  std::vector<std::string> key_ids;
  std::vector<std::string> ciphertexts;  // made with `context` when the workload uses one
  nlohmann::json context = nlohmann::json::object();
};

// The setup could not be done: the run cannot measure anything (exit 3). The message names the
// call and the endpoint's answer, never a secret.
class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whether the workload needs keys at all (DescribeRegions alone does not).
bool needs_keys(const Workload& workload);

Material set_up(const Target& target, const Workload& workload, const std::string& run_prefix);

struct TeardownReport {
  int scheduled = 0;                  // keys whose deletion was scheduled
  std::vector<std::string> failures;  // one line per key that could not be
};
TeardownReport tear_down(const Target& target, const Workload& workload, const Material& material);

// The parameters of one operation of the workload, in the dialect's names.
nlohmann::json operation_params(const Target& target, const WorkloadOperation& op,
                                const std::string& key_id, const std::string& plaintext_b64,
                                const std::string& ciphertext, const nlohmann::json& context);

}  // namespace kmsconf::loadgen
