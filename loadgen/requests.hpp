// Makes each request of a worker: the next operation's parameters (a key, a payload of the
// workload's size, a ciphertext from the pool), signed now with a fresh nonce.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "loadgen/run_hooks.hpp"
#include "loadgen/setup.hpp"
#include "loadgen/target.hpp"
#include "loadgen/workload.hpp"
#include "protocol/http_message.hpp"

namespace kmsconf::loadgen {

class RequestFactory : public RequestSource {
 public:
  // Keeps references: target, workload and material outlive the factory.
  RequestFactory(const Target& target, const Workload& workload, const Material& material,
                 uint64_t seed);

  HttpRequest make(std::size_t operation) override;

 private:
  const std::string& plaintext(std::size_t bytes);

  const Target& target_;
  const Workload& workload_;
  const Material& material_;
  std::string host_;
  std::mt19937_64 rng_;
  uint64_t sequence_ = 0;
  std::string random_;                          // payload bytes, as long as the largest size
  std::map<std::size_t, std::string> encoded_;  // base64 of random_'s prefixes, by size
};

}  // namespace kmsconf::loadgen
