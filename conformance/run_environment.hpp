// Where each dialect's requests go during a run (internal to the runner): a remote endpoint
// with the run's credential, or a reference server started in-process for the run, with the
// well-known test credentials, the fault hook and the key pool; and which features each provides.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/driver.hpp"
#include "conformance/runner.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::conformance::internal {

using SteadyClock = std::chrono::steady_clock;

std::string default_region(const std::string& dialect);

template <typename Map>
std::string lookup(const Map& map, const std::string& key, const std::string& fallback) {
  auto it = map.find(key);
  return it != map.end() && !it->second.empty() ? it->second : fallback;
}

std::chrono::milliseconds elapsed_since(SteadyClock::time_point start);

struct Target {
  std::string dialect;
  client::Endpoint endpoint;
  Credentials credentials;
  std::string region;
  std::string account_id;
  bool in_process = false;
  // In-process: how the dialect's server was configured, to start a low-quota twin.
  std::optional<server::ReferenceServerOptions> server_options;
};

struct Environment {
  std::vector<std::unique_ptr<server::ReferenceServer>> servers;
  std::map<std::string, Target> targets;
  client::ClientOptions client_options;
  // RunOptions::on_server_started, also for the low-quota twins run_one starts.
  std::function<void(const std::string&, server::ReferenceServer&)> on_server_started;
  // RSA pairs the low-quota twins had to generate (they are gone by the end of the run).
  mutable std::atomic<size_t> generated_by_twins{0};

  std::string describe() const {
    bool all_local = std::all_of(targets.begin(), targets.end(),
                                 [](const auto& t) { return t.second.in_process; });
    if (all_local) return "in-process";
    std::string out;
    for (const auto& [dialect, target] : targets) {
      if (!out.empty()) out += ", ";
      out += dialect + "=" + (target.in_process ? "in-process" : target.endpoint.url());
    }
    return out;
  }

  std::unique_ptr<DialectDriver> driver(const std::string& dialect) const {
    const Target& t = targets.at(dialect);
    return make_driver(dialect, t.endpoint, t.credentials, t.region, client_options);
  }

  ~Environment() {
    for (auto& s : servers) s->stop();
  }
};

// Throws std::invalid_argument for a dialect kmsconf does not speak.
void check_dialect(const std::string& dialect);

// Starts an in-process server for each of `dialects` without an endpoint, checks the others'
// endpoints and credentials. Throws std::invalid_argument for an unusable configuration.
std::unique_ptr<Environment> prepare(const RunOptions& options,
                                     const std::set<std::string>& dialects);

// Quotas of the server a case needing "low-quota-throttling" gets of its own.
std::string low_quotas(const std::string& dialect);
// Quotas laid over the defaults of a bursting case's own server: none in a Release build.
std::string burst_quotas(const std::string& dialect);

// Features an in-process server cannot provide, and those only it provides.
const std::set<std::string>& unavailable_in_process();
const std::set<std::string>& in_process_only();
// Features on by default in process and against loopback endpoints only ("throttling-burst").
const std::set<std::string>& loopback_only();

// Whether the run enables `feature` for `dialect` (RunOptions::features, or its defaults).
bool feature_enabled(const std::string& feature, const std::string& dialect,
                     const RunOptions& options);

}  // namespace kmsconf::conformance::internal
