// The run's environment: targets per dialect and the in-process servers (run_environment.hpp).
#include "conformance/run_environment.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "client/dialect.hpp"
#include "reference_server/engine/crypto/key_pool.hpp"

namespace kmsconf::conformance::internal {
namespace {

// The well-known test credentials case files use under the "test-credentials" feature (see
// fixtures/volcengine/errors.json): not secrets, and only ever given to in-process servers.
struct TestCredential {
  const char* access_key_id;
  const char* secret;
  const char* session_token;
  bool own_closed_account;  // an account with the service not open
  std::vector<std::string> allowed_actions;
};

const std::vector<TestCredential>& test_credentials() {
  static const std::vector<TestCredential> list{
      {"AKLTkmsconfDenied",
       "kmsconf-denied-secret-0123456789abcdef",
       "",
       false,
       {"DescribeRegions"}},
      {"AKLTkmsconfClosed", "kmsconf-closed-secret-0123456789abcdef", "", true, {"*"}},
      {"AKLTkmsconfSts",
       "kmsconf-sts-secret-0123456789abcdef",
       "kmsconf-sts-token-0123456789abcdef",
       false,
       {"*"}},
  };
  return list;
}

constexpr const char* kClosedAccount = "2100042019";

// Parsed once per process: runs in one process (tests, the demo) share the immutable pool, and
// each server still hands out every pair at most once.
std::shared_ptr<const engine::crypto::KeyPool> cached_key_pool(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const engine::crypto::KeyPool>> pools;
  std::lock_guard lock(mutex);
  auto& pool = pools[path];
  if (!pool) pool = engine::crypto::KeyPool::load(path);
  return pool;
}

}  // namespace

std::string default_region(const std::string& dialect) {
  const auto* descriptor = client::find_dialect(dialect);
  return descriptor ? std::string(descriptor->default_region) : std::string();
}

std::chrono::milliseconds elapsed_since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

// Quotas an in-process server gets for cases needing "low-quota-throttling": small enough for a
// bounded retry loop (at most 100 requests 10 ms apart) to reach. Such cases run on a server of
// their own, so the small quota never slows other cases.
std::string low_quotas(const std::string& dialect) {
  switch (*dialect_from_name(dialect)) {
    case DialectId::Alibaba:
      return R"({"pools": {"symmetric": {"rate": 5, "burst": 10, "actions": ["Encrypt", "Decrypt",
              "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"]}}})";
    case DialectId::Volcengine:
      break;
  }
  return R"({"actions": {"DescribeRegions": {"rate": 5, "burst": 10}}})";
}

// A bursting case's own in-process server keeps the dialect's default quotas, which a Release
// build's burst reaches in well under a second. A sanitizer build runs some 20 times slower
// (about 500 signed requests per second on the 2-core CI machine), below the 1000/s quotas: there
// the quota is a tenth, so the cases still provoke the refusal and check its form.
std::string burst_quotas(const std::string& dialect) {
#ifdef KMSCONF_SANITIZED
  switch (*dialect_from_name(dialect)) {
    case DialectId::Alibaba:
      return R"({"pools": {"symmetric": {"rate": 100, "burst": 100, "actions": ["Encrypt",
              "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"]}}})";
    case DialectId::Volcengine:
      break;
  }
  return R"({"actions": {"DescribeRegions": {"rate": 100, "burst": 200}}})";
#else
  (void)dialect;
  return "";
#endif
}

// Features an in-process server cannot provide: the run's credential is not a temporary (STS)
// one.
const std::set<std::string>& unavailable_in_process() {
  static const std::set<std::string> features{"sts-credentials"};
  return features;
}

// Features only an in-process server provides; off against a remote endpoint unless asked for.
const std::set<std::string>& in_process_only() {
  static const std::set<std::string> features{"test-credentials", "low-quota-throttling",
                                              "fault-injection"};
  return features;
}

// Features on by default against this machine only (in process, or a loopback endpoint such as
// a `kmsconf serve`): a burst spends the account's quota, which on a shared account is not ours
// to spend unless asked.
const std::set<std::string>& loopback_only() {
  static const std::set<std::string> features{"throttling-burst"};
  return features;
}

namespace {
bool in_process(const std::string& dialect, const RunOptions& options) {
  return lookup(options.endpoints, dialect, options.endpoint).empty();
}

bool loopback(const std::string& dialect, const RunOptions& options) {
  const auto endpoint =
      client::Endpoint::parse(lookup(options.endpoints, dialect, options.endpoint));
  return endpoint && endpoint->loopback();
}
}  // namespace

// Without a feature list: in-process, everything the server can provide; remote, everything but
// what needs in-process wiring, and sts-credentials only when the run signs with a token.
bool feature_enabled(const std::string& feature, const std::string& dialect,
                     const RunOptions& options) {
  if (options.features) return options.features->contains(feature);
  if (in_process(dialect, options)) return !unavailable_in_process().contains(feature);
  if (feature == "sts-credentials") {
    auto it = options.credentials.find(dialect);
    return it != options.credentials.end() && !it->second.session_token.empty();
  }
  if (loopback_only().contains(feature)) return loopback(dialect, options);
  return !in_process_only().contains(feature);
}

void check_dialect(const std::string& dialect) {
  if (!client::find_dialect(dialect)) {
    throw std::invalid_argument("unknown dialect \"" + dialect + "\" (" + dialect_choices() + ")");
  }
}

std::unique_ptr<Environment> prepare(const RunOptions& options,
                                     const std::set<std::string>& dialects) {
  auto env = std::make_unique<Environment>();
  env->client_options.timeout = options.timeout;
  env->client_options.insecure = options.insecure;
  env->client_options.ca_file = options.ca_file;
  env->on_server_started = options.on_server_started;
  for (const auto& dialect : dialects) {
    check_dialect(dialect);
    Target target;
    target.dialect = dialect;
    target.region = lookup(options.regions, dialect,
                           options.region.empty() ? default_region(dialect) : options.region);
    std::string url = lookup(options.endpoints, dialect, options.endpoint);
    if (url.empty()) {
      server::ReferenceServerOptions server_options;
      server_options.dialect = *dialect_from_name(dialect);
      server_options.address = "127.0.0.1";
      server_options.check_timestamps = true;
      // The run's region first, then the dialect's other default regions.
      server_options.regions = {target.region};
      for (const auto& r : server::default_regions(server_options.dialect)) {
        if (r != target.region) server_options.regions.push_back(r);
      }
      // A generated credential for the run (first, so it is the default one), then the
      // well-known test credentials.
      server::Credential run_credential = server::CredentialStore::random_demo();
      server_options.credentials.add(run_credential);
      for (const auto& t : test_credentials()) {
        server_options.credentials.add(
            {t.access_key_id, t.secret,
             t.own_closed_account ? kClosedAccount : run_credential.account_id, t.allowed_actions,
             t.session_token});
      }
      server_options.credentials.set_account(kClosedAccount, {.service_open = false});
      // The test-only hook behind the "fault-injection" cases; never on for a real endpoint.
      server_options.fault_injection = true;
      if (!options.key_pool_file.empty()) {
        server_options.key_pool = cached_key_pool(options.key_pool_file);
      }
      target.server_options = server_options;
      auto srv = std::make_unique<server::ReferenceServer>(std::move(server_options));
      srv->start();
      if (options.on_server_started) options.on_server_started(dialect, *srv);
      target.credentials = {run_credential.access_key_id, run_credential.secret_access_key,
                            run_credential.session_token};
      target.account_id = run_credential.account_id;
      target.endpoint = *client::Endpoint::parse(srv->endpoint());
      target.in_process = true;
      env->servers.push_back(std::move(srv));
    } else {
      auto endpoint = client::Endpoint::parse(url);
      if (!endpoint) {
        throw std::invalid_argument("endpoint \"" + url +
                                    "\" is not http(s)://host[:port] (no path)");
      }
      target.endpoint = *endpoint;
      auto it = options.credentials.find(dialect);
      if (it == options.credentials.end() || it->second.access_key_id.empty() ||
          it->second.secret.empty()) {
        throw std::invalid_argument("no " + dialect + " credentials for " + url +
                                    " (environment or --credentials)");
      }
      target.credentials = it->second;
      target.account_id = lookup(options.account_ids, dialect, "");
    }
    env->targets[dialect] = std::move(target);
    try {
      (void)env->driver(dialect);  // surfaces an unusable ca_file before any case runs
    } catch (const client::TransportError& e) {
      throw std::invalid_argument(dialect + ": " + e.what());
    }
  }
  return env;
}

}  // namespace kmsconf::conformance::internal
