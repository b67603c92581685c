#include "conformance/runner.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include "conformance/json_path.hpp"
#include "conformance/predicates.hpp"
#include "conformance/preflight.hpp"
#include "conformance/templates.hpp"
#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/time_format.hpp"
#include "reference_server/engine/crypto/key_pool.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::conformance {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kMaxAttempts = 100;  // a case asking for more gets this many
constexpr milliseconds kMaxInterval{60000};
constexpr size_t kMaxJobs = 64;
constexpr size_t kMinSecretLength = 6;  // shorter override "secrets" ("wrong") are not secrets
constexpr const char* kRedacted = "<redacted>";

std::string default_region(const std::string& dialect) {
  return dialect == "alibaba" ? "cn-hangzhou" : "cn-beijing";
}

template <typename Map>
std::string lookup(const Map& map, const std::string& key, const std::string& fallback) {
  auto it = map.find(key);
  return it != map.end() && !it->second.empty() ? it->second : fallback;
}

milliseconds elapsed_since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
}

// ---------------------------------------------------------------------------------------------
// Where each dialect's requests go

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

// Quotas an in-process server gets for cases needing "low-quota-throttling": small enough for a
// bounded retry loop (at most 100 requests 10 ms apart) to reach. Such cases run on a server of
// their own, so the small quota never slows other cases.
std::string low_quotas(const std::string& dialect) {
  if (dialect == "alibaba") {
    return R"({"pools": {"symmetric": {"rate": 5, "burst": 10, "actions": ["Encrypt", "Decrypt",
              "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"]}}})";
  }
  return R"({"actions": {"DescribeRegions": {"rate": 5, "burst": 10}}})";
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

bool in_process(const std::string& dialect, const RunOptions& options) {
  return lookup(options.endpoints, dialect, options.endpoint).empty();
}

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
  return !in_process_only().contains(feature);
}

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

void check_dialect(const std::string& dialect) {
  if (dialect != "volcengine" && dialect != "alibaba") {
    throw std::invalid_argument("unknown dialect \"" + dialect + "\" (volcengine or alibaba)");
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
      server_options.dialect = *server::dialect_from_name(dialect);
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

// ---------------------------------------------------------------------------------------------
// Redaction

std::string replace_all(std::string text, const std::string& needle, const std::string& with) {
  if (needle.empty()) return text;
  size_t at = 0;
  while ((at = text.find(needle, at)) != std::string::npos) {
    text.replace(at, needle.size(), with);
    at += with.size();
  }
  return text;
}

bool is_token_header(std::string_view name) {
  return ascii::iequals(name, "X-Security-Token") || ascii::iequals(name, "x-acs-security-token") ||
         ascii::iequals(name, "Cookie");
}

// ---------------------------------------------------------------------------------------------
// One case

struct StepFailure {
  Outcome outcome;
  std::string message;
  std::string code = "";   // the answer's wire code, when an answer decided it
  bool transport = false;  // the connection failed (refused, reset, timeout, garbage)
};

// What bounds a case's waiting: the run's stop control and the cleanup steps' own timeout.
struct Limits {
  RunControl& control;
  milliseconds cleanup_timeout;
};

bool all_hold(const std::vector<Assertion>& assertions, const json& body,
              const TemplateContext& context) {
  if (assertions.empty()) return false;
  return std::all_of(assertions.begin(), assertions.end(),
                     [&](const Assertion& a) { return evaluate(a, body, context).ok; });
}

bool has_expectation(const Expectation& e) {
  return e.status || e.code || e.message_matches || !e.body.empty();
}

std::string quoted(const std::string& text) {
  return json(text).dump();
}

// "HTTP 400 InvalidParameter: The parameter ..." / "HTTP 200" / "HTTP 502 (no error code)".
std::string describe_answer(const Exchange& exchange) {
  std::string out = "HTTP " + std::to_string(exchange.status);
  if (exchange.code.empty()) return exchange.status == 200 ? out : out + " (no error code)";
  out += " " + exchange.code;
  if (!exchange.message.empty()) out += ": " + exchange.message;
  return out;
}

bool succeeded(const Exchange& exchange) {
  return exchange.status == 200 && exchange.code.empty();
}

// The first expectation that does not hold, or nullopt. Throws TemplateError (an assertion's
// argument) and std::regex_error (a bad message_matches).
std::optional<std::string> check(const Expectation& expect, const Exchange& exchange,
                                 const TemplateContext& context) {
  if (expect.status && exchange.status != *expect.status) {
    return "expect.status: expected " + std::to_string(*expect.status) + ", got " +
           describe_answer(exchange);
  }
  if (expect.code) {
    if (expect.code->empty() && !exchange.code.empty()) {
      return "expect.code: expected success (no error code), got " + describe_answer(exchange);
    }
    if (!expect.code->empty() && exchange.code != *expect.code) {
      return "expect.code: expected " + quoted(*expect.code) + ", got " +
             (exchange.code.empty() ? "no error code (HTTP " + std::to_string(exchange.status) + ")"
                                    : describe_answer(exchange));
    }
  }
  if (!expect.status && !expect.code && !expect.message_matches && !succeeded(exchange)) {
    return "expected success, got " + describe_answer(exchange);
  }
  if (expect.message_matches) {
    std::regex pattern(*expect.message_matches, std::regex::ECMAScript);
    if (!std::regex_search(exchange.message, pattern)) {
      return "expect.message_matches: /" + *expect.message_matches + "/ does not match " +
             quoted(exchange.message);
    }
  }
  for (size_t i = 0; i < expect.body.size(); ++i) {
    const Assertion& assertion = expect.body[i];
    AssertionResult result = evaluate(assertion, exchange.body, context);
    if (!result.ok) {
      std::string where = assertion.source.empty() ? "" : " (" + assertion.source + ")";
      return "expect.body[" + std::to_string(i) + "]" + where + ": " + result.message;
    }
  }
  return std::nullopt;
}

// What a result says of its case before any step runs (also the whole result of a case that
// does not run).
CaseResult header_only(const Case& c) {
  CaseResult r;
  r.id = c.id;
  r.title = c.title;
  r.dialect = c.dialect;
  r.doc = c.doc;
  r.tags = c.tags;
  r.file = c.file;
  r.line = c.line;
  // The operations the case checks (steps with expectations), not its setup calls; a case with
  // no expectation checks that its last step succeeds.
  for (const auto& step : c.steps) {
    if (has_expectation(step.expect) &&
        std::find(r.actions.begin(), r.actions.end(), step.action) == r.actions.end()) {
      r.actions.push_back(step.action);
    }
  }
  if (r.actions.empty() && !c.steps.empty()) r.actions.push_back(c.steps.back().action);
  return r;
}

class CaseRun {
 public:
  CaseRun(const Case& c, DialectDriver& driver, const Target& target, const std::string& prefix,
          const Limits& limits)
      : case_(c), driver_(driver), limits_(limits) {
    context_.set_run_prefix(prefix);
    context_.set_region(target.region);
    if (!target.account_id.empty()) context_.set_account_id(target.account_id);
    secrets_.push_back(target.credentials.secret);
    secrets_.push_back(target.credentials.session_token);
    auto add = [&](const std::vector<Step>& steps) {
      for (const auto& s : steps) {
        if (s.auth.secret) secrets_.push_back(*s.auth.secret);
        if (s.auth.session_token) secrets_.push_back(*s.auth.session_token);
      }
    };
    add(c.steps);
    add(c.cleanup);
    std::erase_if(secrets_, [](const std::string& s) { return s.size() < kMinSecretLength; });
  }

  CaseResult run() {
    auto start = SteadyClock::now();
    CaseResult result = header_only(case_);
    std::optional<StepFailure> failure;
    try {
      failure = run_steps(result);
    } catch (const std::exception& e) {
      failure = StepFailure{Outcome::Error, std::string("runner: ") + e.what()};
    }
    if (failure) {
      result.outcome = failure->outcome;
      result.message = redact(failure->message, secrets_);
      result.failure_code = failure->code;
      result.transport_error = failure->transport;
    } else {
      result.outcome = Outcome::Pass;
    }
    try {
      run_cleanup(result);
    } catch (const std::exception& e) {
      record_note(result, "cleanup", std::string("runner: ") + e.what());
    }
    result.elapsed = elapsed_since(start);
    return result;
  }

 private:
  ResolvedStep resolve(const Step& step) const {
    ResolvedStep out;
    out.action = step.action;
    out.params = step.params.is_null() ? json::object() : expand(step.params, context_);
    out.placement = step.placement;
    out.region = step.region.empty() ? "" : expand_string(step.region, context_);
    out.auth = step.auth;
    return out;
  }

  // Sends the step, retrying while its retry block asks; records the last exchange. Throws
  // TransportError and whatever the driver or a retry assertion throws.
  Exchange send(const Step& step, const ResolvedStep& resolved, const std::string& label,
                CaseResult& result) {
    int attempts = 1;
    milliseconds interval{0};
    if (step.retry) {
      attempts = std::clamp(step.retry->attempts, 1, kMaxAttempts);
      interval = std::clamp(step.retry->interval, milliseconds{0}, kMaxInterval);
    }
    const Exchange* previous = previous_ ? &*previous_ : nullptr;
    Exchange exchange;
    int attempt = 0;
    for (attempt = 1; attempt <= attempts; ++attempt) {
      auto start = SteadyClock::now();
      try {
        exchange = driver_.send(resolved, previous);
      } catch (const std::exception& e) {
        record_error(result, label, e, elapsed_since(start));
        throw;
      }
      last_elapsed_ = elapsed_since(start);
      if (!step.retry) break;
      if (all_hold(step.retry->until, exchange.body, context_)) break;
      if (all_hold(step.retry->stop, exchange.body, context_)) break;
      if (attempt < attempts && limits_.control.should_stop()) break;  // the run is ending
      if (attempt < attempts) std::this_thread::sleep_for(interval);
    }
    std::string shown = label;
    if (step.retry) {
      shown += " (attempt " + std::to_string(std::min(attempt, attempts)) + " of " +
               std::to_string(attempts) + ")";
    }
    record(result, shown, exchange);
    return exchange;
  }

  std::optional<StepFailure> run_steps(CaseResult& result) {
    // Codes the dialect's catalog does not know are case-file mistakes, caught before sending.
    for (size_t i = 0; i < case_.steps.size(); ++i) {
      const auto& code = case_.steps[i].expect.code;
      if (code && !code->empty() && !driver_.known_code(*code)) {
        return StepFailure{Outcome::Error,
                           "steps[" + std::to_string(i) + "].expect.code: " + quoted(*code) +
                               " is not in the " + case_.dialect + " error catalog"};
      }
    }
    for (size_t i = 0; i < case_.steps.size(); ++i) {
      const Step& step = case_.steps[i];
      const std::string label = "steps[" + std::to_string(i) + "] " + step.action;
      const std::string where = step.source.empty() ? label : label + " (" + step.source + ")";
      ResolvedStep resolved;
      try {
        resolved = resolve(step);
      } catch (const TemplateError& e) {
        return StepFailure{Outcome::Error, where + ": template: " + e.what()};
      }
      resolved.not_after = limits_.control.steps_not_after();
      Exchange exchange;
      try {
        exchange = send(step, resolved, label, result);
      } catch (const TemplateError& e) {
        return StepFailure{Outcome::Error, where + ": retry template: " + e.what()};
      } catch (const client::TransportError& e) {
        // A TransportError's what() starts with its kind: "Timeout: ...", "ConnectFailed: ...".
        return StepFailure{Outcome::Error, where + ": " + e.what(), "", true};
      } catch (const std::exception& e) {
        return StepFailure{Outcome::Error, where + ": " + e.what()};
      }
      previous_ = exchange;
      if (!has_expectation(step.expect)) {
        if (!succeeded(exchange)) {
          return StepFailure{Outcome::Skip,
                             where + " (prerequisite) failed: " + describe_answer(exchange),
                             exchange.code};
        }
      } else {
        std::optional<std::string> broken;
        try {
          broken = check(step.expect, exchange, context_);
        } catch (const TemplateError& e) {
          return StepFailure{Outcome::Error, where + ": expectation template: " + e.what()};
        } catch (const std::regex_error& e) {
          return StepFailure{Outcome::Error,
                             where + ": expect.message_matches: bad regex: " + e.what()};
        }
        if (broken) return StepFailure{Outcome::Fail, where + ": " + *broken, exchange.code};
      }
      for (const auto& [variable, path_text] : step.captures) {
        Path path;
        std::string problem;
        if (!try_parse_path(path_text, path, &problem)) {
          return StepFailure{Outcome::Error,
                             where + ": capture " + variable + ": bad path: " + problem};
        }
        const json* value = find(exchange.body, path);
        if (!value) {
          return StepFailure{Outcome::Fail, where + ": capture " + variable + ": " +
                                                quoted(path_text) + " is absent from the response"};
        }
        context_.set(variable, *value);
      }
    }
    return std::nullopt;
  }

  void run_cleanup(CaseResult& result) {
    for (size_t i = 0; i < case_.cleanup.size(); ++i) {
      const Step& step = case_.cleanup[i];
      const std::string label = "cleanup[" + std::to_string(i) + "] " + step.action;
      ResolvedStep resolved;
      try {
        resolved = resolve(step);
      } catch (const TemplateError& e) {
        record_note(result, label, std::string("skipped: ") + e.what());
        continue;
      }
      resolved.not_after = limits_.control.cleanup_not_after(limits_.cleanup_timeout);
      try {
        Exchange exchange = send(step, resolved, label, result);
        previous_ = std::move(exchange);
      } catch (const std::exception&) {
        // Recorded by send; a cleanup failure never changes the outcome.
      }
    }
  }

  void record(CaseResult& result, const std::string& label, const Exchange& exchange) {
    RecordedExchange r;
    r.step = label;
    r.request = render_request(exchange.request, secrets_);
    r.response = render_response(exchange.response, secrets_);
    r.status = exchange.status;
    r.elapsed = last_elapsed_;
    result.exchanges.push_back(std::move(r));
  }

  void record_error(CaseResult& result, const std::string& label, const std::exception& e,
                    milliseconds elapsed) {
    RecordedExchange r;
    r.step = label;
    r.request = "(request not completed)";
    bool transport = dynamic_cast<const client::TransportError*>(&e) != nullptr;
    r.response =
        redact(transport ? std::string(e.what()) : std::string("error: ") + e.what(), secrets_);
    r.elapsed = elapsed;
    result.exchanges.push_back(std::move(r));
  }

  void record_note(CaseResult& result, const std::string& label, const std::string& note) {
    RecordedExchange r;
    r.step = label;
    r.response = redact(note, secrets_);
    result.exchanges.push_back(std::move(r));
  }

  const Case& case_;
  DialectDriver& driver_;
  const Limits& limits_;
  TemplateContext context_;
  std::vector<std::string> secrets_;
  std::optional<Exchange> previous_;
  milliseconds last_elapsed_{0};
};

bool needs_low_quota(const Case& c) {
  return std::find(c.features.begin(), c.features.end(), "low-quota-throttling") !=
         c.features.end();
}

// A pool too small for the suites makes runs slow, not wrong: say so, so that it gets refilled.
void note_key_pool_shortfall(const Environment& env, RunReport& report) {
  size_t generated = env.generated_by_twins;
  for (const auto& srv : env.servers) generated += srv->engine().key_material_counts().generated;
  if (generated > 0) {
    report.notes.push_back("the key pool ran out: " + std::to_string(generated) +
                           " RSA pairs were generated; make it bigger with scripts/gen-key-pool");
  }
}

// Runs one case; in-process cases needing low quotas get a server of their own.
CaseResult run_one(const Case& c, const Environment& env,
                   std::map<std::string, std::unique_ptr<DialectDriver>>& drivers,
                   const std::string& prefix, const Limits& limits) {
  const Target& target = env.targets.at(c.dialect);
  if (target.in_process && target.server_options && needs_low_quota(c)) {
    server::ReferenceServerOptions options = *target.server_options;
    options.quotas.merge_json_text(low_quotas(c.dialect), "low-quota-throttling");
    server::ReferenceServer throttled(std::move(options));
    throttled.start();
    if (env.on_server_started) env.on_server_started(c.dialect, throttled);
    Target own = target;
    own.endpoint = *client::Endpoint::parse(throttled.endpoint());
    auto driver =
        make_driver(c.dialect, own.endpoint, own.credentials, own.region, env.client_options);
    CaseResult result = CaseRun(c, *driver, own, prefix, limits).run();
    driver.reset();
    throttled.stop();
    env.generated_by_twins += throttled.engine().key_material_counts().generated;
    return result;
  }
  auto& driver = drivers[c.dialect];
  if (!driver) driver = env.driver(c.dialect);
  return CaseRun(c, *driver, target, prefix, limits).run();
}

void apply_expected_failure(CaseResult& result, const RunOptions& options) {
  auto it = options.expected_failures.find(result.id);
  if (it == options.expected_failures.end()) return;
  if (result.outcome == Outcome::Fail) {
    result.outcome = Outcome::XFail;
    result.xfail_reason = it->second;
  } else if (result.outcome == Outcome::Pass) {
    result.outcome = Outcome::XPass;
    result.xfail_reason = it->second;
    result.message = "listed in expected failures (" + it->second + ") but passed";
  }
}

uint16_t random_suffix() {
  std::random_device device;
  return static_cast<uint16_t>(device() & 0xffff);
}

CaseResult disabled(const Case& c, const std::string& feature) {
  CaseResult r = header_only(c);
  r.outcome = Outcome::Disabled;
  r.message = "feature \"" + feature + "\" is not enabled";
  return r;
}

CaseResult not_run(const Case& c, const std::string& why) {
  CaseResult r = header_only(c);
  r.outcome = Outcome::NotRun;
  r.message = why;
  return r;
}

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

// What the run is of, for comparing it with a baseline: dialects, where each went, selection.
RunIdentity identity_of_chosen(const std::vector<const Case*>& chosen, const RunOptions& options) {
  RunIdentity identity;
  identity.dialects = sorted(options.dialects);
  for (const auto& dialect : identity.dialects) {
    std::string url = lookup(options.endpoints, dialect, options.endpoint);
    auto endpoint = client::Endpoint::parse(url);
    identity.endpoints[dialect] = url.empty() ? "in-process" : endpoint ? endpoint->url() : url;
  }
  std::vector<std::string> ids;
  for (const Case* c : chosen) ids.push_back(c->id);
  std::string joined;
  for (const auto& id : sorted(ids)) joined += id + "\n";
  identity.suite_fingerprint = "sha256:" + sha256_hex(joined);
  identity.filters = sorted(options.filters);
  identity.tags = sorted(options.tags);
  identity.exclude_tags = sorted(options.exclude_tags);
  if (options.features) {
    identity.features =
        std::vector<std::string>(options.features->begin(), options.features->end());
  }
  return identity;
}

// How messages about a dialect's target name it and the options that change it.
PreflightTarget describe(const Target& target, const RunOptions& options) {
  PreflightTarget out;
  out.dialect = target.dialect;
  out.url =
      target.in_process ? "the in-process " + target.dialect + " server" : target.endpoint.url();
  out.region = target.region;
  out.region_option = "--region " + target.dialect + "=REGION";
  out.credential_from =
      lookup(options.credential_sources, target.dialect, "the " + target.dialect + " credentials");
  return out;
}

// One signed probe per dialect; the first failure stops the run before any case starts.
void run_preflight(const Environment& env, const RunOptions& options, RunControl& control,
                   std::vector<std::string>& notes) {
  for (const auto& [dialect, target] : env.targets) {
    auto driver = env.driver(dialect);
    PreflightResult result =
        preflight(*driver, describe(target, options), control.steps_not_after());
    notes.insert(notes.end(), result.notes.begin(), result.notes.end());
    if (!result.ok) {
      // A probe cut short by the run's deadline: the deadline is the reason, the probe a note.
      if (control.should_stop()) notes.push_back("preflight: " + result.message);
      control.request_stop(stop_reason::kPreflight, "preflight: " + result.message,
                           milliseconds{0});
      return;
    }
  }
}

// --max-failures and the dead-endpoint breaker, told about each finished case in turn.
void count_toward_stops(const CaseResult& result, const RunOptions& options, RunControl& control,
                        size_t& failures, size_t& transport_in_a_row) {
  if (result.outcome == Outcome::Fail || result.outcome == Outcome::Error) ++failures;
  if (result.transport_error) {
    ++transport_in_a_row;
  } else if (result.outcome != Outcome::Disabled) {
    transport_in_a_row = 0;
  }
  if (options.max_failures > 0 && failures >= options.max_failures) {
    control.request_stop(stop_reason::kMaxFailures,
                         std::to_string(failures) + " cases failed (--max-failures " +
                             std::to_string(options.max_failures) + ")",
                         options.timeout);
  }
  if (options.max_transport_errors > 0 && transport_in_a_row >= options.max_transport_errors) {
    control.request_stop(stop_reason::kEndpointDown,
                         std::to_string(transport_in_a_row) +
                             " cases in a row could not reach the endpoint (last: " +
                             result.message.substr(0, result.message.find('\n')) + ")",
                         milliseconds{0});
  }
}

// When every failure of the run was refused for one reason outside conformance (credentials,
// clock, region, a closed account), that reason; else "".
std::string shared_cause(const RunReport& report, const Environment& env,
                         const RunOptions& options) {
  std::optional<Cause> cause;
  const CaseResult* first = nullptr;
  size_t failing = 0;
  std::map<std::string, std::unique_ptr<DialectDriver>> drivers;  // for their catalogs only
  for (const auto& r : report.results) {
    if (r.outcome != Outcome::Fail && r.outcome != Outcome::Skip && r.outcome != Outcome::Error) {
      continue;
    }
    auto target = env.targets.find(r.dialect);
    if (r.failure_code.empty() || target == env.targets.end()) return "";
    auto& driver = drivers[r.dialect];
    if (!driver) driver = env.driver(r.dialect);
    Cause c = driver->cause_of(r.failure_code);
    if (c == Cause::None || c == Cause::Throttled || (cause && *cause != c)) return "";
    cause = c;
    if (!first) first = &r;
    ++failing;
  }
  if (!first) return "";
  return "all " + std::to_string(failing) + " failing cases were refused for one reason: " +
         explain_cause(*cause, first->failure_code,
                       describe(env.targets.at(first->dialect), options));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool filter_matches(std::string_view filter, std::string_view id) {
  if (filter.empty()) return true;
  std::string f(filter);
  if (f.find_first_of("*?[") != std::string::npos) {
    return fnmatch(f.c_str(), std::string(id).c_str(), 0) == 0;
  }
  return id.find(filter) != std::string_view::npos;
}

RunIdentity identity_of(const std::vector<Case>& cases, const RunOptions& options) {
  std::vector<const Case*> chosen;
  for (const auto& c : cases) {
    if (selected(c, options)) chosen.push_back(&c);
  }
  return identity_of_chosen(chosen, options);
}

std::set<std::string> runner_features() {
  std::set<std::string> out = unavailable_in_process();
  out.insert(in_process_only().begin(), in_process_only().end());
  return out;
}

std::optional<std::string> missing_feature(const Case& c, const RunOptions& options) {
  for (const auto& feature : c.features) {
    if (!feature_enabled(feature, c.dialect, options)) return feature;
  }
  return std::nullopt;
}

bool selected(const Case& c, const RunOptions& options) {
  if (std::find(options.dialects.begin(), options.dialects.end(), c.dialect) ==
      options.dialects.end()) {
    return false;
  }
  if (!options.filters.empty() &&
      std::none_of(options.filters.begin(), options.filters.end(),
                   [&](const std::string& filter) { return filter_matches(filter, c.id); })) {
    return false;
  }
  auto carries = [&](const std::string& tag) {
    return std::find(c.tags.begin(), c.tags.end(), tag) != c.tags.end();
  };
  if (std::any_of(options.exclude_tags.begin(), options.exclude_tags.end(), carries)) return false;
  return options.tags.empty() || std::any_of(options.tags.begin(), options.tags.end(), carries);
}

int exit_code(const RunReport& report) {
  if (report.count(Outcome::XPass) > 0) return 1;
  // Failures that all share a cause outside conformance (credentials, region) judge nothing.
  if (report.count(Outcome::Fail) > 0) return report.shared_cause.empty() ? 1 : 3;
  if (report.count(Outcome::Error) > 0 || report.count(Outcome::NotRun) > 0 ||
      !report.file_errors.empty() || !report.stopped.empty()) {
    return 3;
  }
  return 0;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() >= kMinSecretLength) text = replace_all(std::move(text), secret, kRedacted);
  }
  // Signature=<hex> in an Authorization header, Signature=<base64> in a V1 query or form body,
  // SecurityToken=<token> likewise; "SignatureNonce=" and "SignedHeaders=" do not match.
  static const std::regex kSigned(R"(\b(Signature|SecurityToken)=[^&\s,;"]+)");
  return std::regex_replace(text, kSigned, std::string("$1=") + kRedacted);
}

std::string render_request(const HttpRequest& request, const std::vector<std::string>& secrets) {
  std::string out = request.method + " " + request.path;
  if (!request.raw_query.empty()) out += "?" + request.raw_query;
  out += " HTTP/1.1\n";
  for (const auto& [name, value] : request.headers) {
    out += name + ": " + (is_token_header(name) ? std::string(kRedacted) : value) + "\n";
  }
  out += "\n" + request.body;
  return redact(std::move(out), secrets);
}

std::string render_response(const HttpResponse& response, const std::vector<std::string>& secrets) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) {
    out += name + ": " + (is_token_header(name) ? std::string(kRedacted) : value) + "\n";
  }
  out += "\n" + response.body;
  return redact(std::move(out), secrets);
}

RunReport run(const std::vector<Case>& cases, const RunOptions& options, ProgressSink* progress) {
  const auto wall_start = std::chrono::system_clock::now();
  const auto start = SteadyClock::now();
  for (const auto& dialect : options.dialects) check_dialect(dialect);
  RunControl own_control;
  RunControl& control = options.control ? *options.control : own_control;
  if (options.deadline) control.set_deadline(start + *options.deadline);
  const Limits limits{control, options.cleanup_timeout};

  std::vector<const Case*> chosen;
  std::set<std::string> dialects;
  for (const auto& c : cases) {
    if (!selected(c, options)) continue;
    chosen.push_back(&c);
    if (!missing_feature(c, options)) dialects.insert(c.dialect);
  }
  auto env = prepare(options, dialects);

  const uint16_t base = random_suffix();
  RunReport report;
  report.tool_version = options.tool_version;
  report.identity = identity_of_chosen(chosen, options);
  report.has_identity = true;
  report.endpoint = env->describe();
  report.started_at = iso8601_utc(wall_start);
  report.run_prefix = make_run_prefix(wall_start, base);
  report.results.resize(chosen.size());
  std::vector<char> filled(chosen.size(), 0);
  if (options.preflight) run_preflight(*env, options, control, report.notes);

  std::mutex finish_mutex;
  size_t done = 0, failures = 0, transport_in_a_row = 0;
  if (progress) progress->started(chosen.size());
  auto finish = [&](size_t index, CaseResult result) {
    apply_expected_failure(result, options);
    std::lock_guard lock(finish_mutex);
    count_toward_stops(result, options, control, failures, transport_in_a_row);
    report.results[index] = std::move(result);
    filled[index] = 1;
    ++done;
    if (progress) progress->finished(report.results[index], done, chosen.size());
  };

  std::atomic<size_t> next{0};
  auto worker = [&]() {
    std::map<std::string, std::unique_ptr<DialectDriver>> drivers;
    while (!control.should_stop()) {
      const size_t index = next++;
      if (index >= chosen.size()) break;
      const Case& c = *chosen[index];
      if (auto feature = missing_feature(c, options)) {
        finish(index, disabled(c, *feature));
        continue;
      }
      CaseResult result;
      try {
        // Each case its own prefix of the run's family, so parallel cases never collide.
        std::string prefix =
            make_run_prefix(wall_start, static_cast<uint16_t>(base + static_cast<uint16_t>(index)));
        result = run_one(c, *env, drivers, prefix, limits);
      } catch (const std::exception& e) {
        result = header_only(c);
        result.outcome = Outcome::Error;
        result.message = std::string("runner: ") + e.what();
      }
      finish(index, std::move(result));
    }
  };
  size_t jobs = std::clamp<size_t>(options.jobs, 1, kMaxJobs);
  jobs = std::min(jobs, std::max<size_t>(chosen.size(), 1));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();

  report.stopped = control.reason();
  report.stop_message = control.message();
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (filled[i]) continue;
    const Case& c = *chosen[i];
    auto feature = missing_feature(c, options);
    report.results[i] = feature ? disabled(c, *feature) : not_run(c, report.stop_message);
  }
  report.shared_cause = shared_cause(report, *env, options);
  report.elapsed = elapsed_since(start);
  if (!options.key_pool_file.empty()) note_key_pool_shortfall(*env, report);
  return report;
}

// ---------------------------------------------------------------------------------------------
// Sweep

namespace {
const std::regex& run_prefix_pattern() {
  static const std::regex kFamily(
      R"((^|[^A-Za-z0-9])kc-([0-9]{2})([0-9]{2})([0-9]{2})t([0-9]{2})([0-9]{2})-[0-9a-f]{4})");
  return kFamily;
}
}  // namespace

bool has_run_prefix(std::string_view text) {
  return run_prefix_time(text).has_value();
}

// Only a prefix holding a real date and time counts: timegm would quietly turn month 13 or
// minute 99 into some other date.
std::optional<std::chrono::system_clock::time_point> run_prefix_time(std::string_view text) {
  using Iterator = std::string_view::const_iterator;
  for (std::regex_iterator<Iterator> it(text.begin(), text.end(), run_prefix_pattern()), end;
       it != end; ++it) {
    const auto& m = *it;
    auto number = [&](size_t group) { return std::stoi(m[group].str()); };
    std::tm utc{};
    utc.tm_year = 100 + number(2);  // years since 1900; make_run_prefix writes yy of 20yy
    utc.tm_mon = number(3) - 1;
    utc.tm_mday = number(4);
    utc.tm_hour = number(5);
    utc.tm_min = number(6);
    if (utc.tm_mon < 0 || utc.tm_mon > 11 || utc.tm_mday < 1 || utc.tm_mday > 31 ||
        utc.tm_hour > 23 || utc.tm_min > 59) {
      continue;
    }
    return std::chrono::system_clock::from_time_t(timegm(&utc));
  }
  return std::nullopt;
}

namespace {

std::string text_at(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

class Sweeper {
 public:
  Sweeper(DialectDriver& driver, std::string dialect, const SweepLimits& limits,
          SweepReport& report)
      : driver_(driver),
        dialect_(std::move(dialect)),
        limits_(limits),
        report_(report),
        cutoff_(std::chrono::system_clock::now() - limits.min_age) {}

  // The first of a resource's texts (name, description, alias) carrying the prefix of a run old
  // enough to sweep; empty when none does. A resource of a run too young is counted, not swept.
  std::string leftover(std::initializer_list<std::string_view> texts) {
    bool recent = false;
    for (std::string_view text : texts) {
      auto started = run_prefix_time(text);
      // The prefix keeps only the minute the run started in: count from the minute's end. A
      // minimum age of 0 means every prefixed resource.
      if (started &&
          (limits_.min_age.count() == 0 || *started + std::chrono::minutes(1) <= cutoff_)) {
        return std::string(text);
      }
      recent = recent || started.has_value();
    }
    if (recent) ++report_.too_recent;
    return "";
  }

  // One call; nullopt (and an error noted) when it did not succeed.
  std::optional<json> call(const std::string& action, json params) {
    ResolvedStep step;
    step.action = action;
    step.params = std::move(params);
    try {
      Exchange exchange = driver_.send(step, nullptr);
      if (succeeded(exchange)) return exchange.body;
      report_.errors.push_back(dialect_ + ": " + action + ": " + describe_answer(exchange));
    } catch (const std::exception& e) {
      report_.errors.push_back(dialect_ + ": " + action + ": " + e.what());
    }
    return std::nullopt;
  }

  // Every item of a paged listing, within the bounds.
  std::vector<json> list(const std::string& action, const char* page_param, const Path& items,
                         size_t page_size) {
    std::vector<json> out;
    for (size_t page = 1; page <= limits_.max_pages; ++page) {
      auto body = call(action, {{page_param, page}, {"PageSize", page_size}});
      if (!body) break;
      const json* found = find(*body, items);
      if (!found || !found->is_array() || found->empty()) break;
      for (const auto& item : *found) {
        if (out.size() >= limits_.max_resources) {
          report_.truncated = true;
          return out;
        }
        out.push_back(item);
      }
      if (found->size() < page_size) break;
      if (page == limits_.max_pages) report_.truncated = true;
    }
    return out;
  }

  void remove(const std::string& kind, const std::string& id, const std::string& name,
              const std::string& action, json params) {
    if (deletions_ >= limits_.max_deletions) {
      report_.truncated = true;
      return;
    }
    ++deletions_;
    SweepItem item{dialect_, kind, id, name, action, false, false, ""};
    ResolvedStep step;
    step.action = action;
    step.params = std::move(params);
    try {
      Exchange exchange = driver_.send(step, nullptr);
      item.ok = succeeded(exchange);
      if (!item.ok) item.message = describe_answer(exchange);
    } catch (const std::exception& e) {
      item.message = e.what();
    }
    report_.items.push_back(std::move(item));
  }

  void sweep_volcengine() {
    auto keys = list("DescribeKeys", "CurrentPage", parse_path("Result.Keys"), 100);
    auto rings = list("DescribeKeyrings", "CurrentPage", parse_path("Result.Keyrings"), 100);
    report_.scanned += keys.size() + rings.size();
    for (const auto& key : keys) {
      std::string state = text_at(key, "KeyState");
      if (state == "PendingDelete" || state == "PendingDeletion") continue;
      std::string matched = leftover({text_at(key, "KeyName"), text_at(key, "Description")});
      if (matched.empty()) continue;
      std::string id = text_at(key, "ID");
      remove("key", id, matched, "ScheduleKeyDeletion",
             {{"KeyID", id}, {"PendingWindowInDays", 7}});
    }
    for (const auto& ring : rings) {
      std::string name = text_at(ring, "KeyringName");
      std::string matched = leftover({name, text_at(ring, "Description")});
      if (matched.empty()) continue;
      auto count = ring.find("KeyCount");
      if (count != ring.end() && count->is_number_integer() && count->get<int64_t>() > 0) {
        SweepItem item{dialect_, "keyring", name, name, "DeleteKeyring", false, true, ""};
        item.message = "still holds " + std::to_string(count->get<int64_t>()) +
                       " keys; sweep again once their deletion window has passed";
        report_.items.push_back(std::move(item));
        continue;
      }
      remove("keyring", name, matched, "DeleteKeyring", {{"KeyringName", name}});
    }
  }

  void sweep_alibaba() {
    auto aliases = list("ListAliases", "PageNumber", parse_path("Aliases.Alias"), 100);
    auto keys = list("ListKeys", "PageNumber", parse_path("Keys.Key"), 100);
    report_.scanned += aliases.size() + keys.size();
    std::map<std::string, std::string> alias_of;  // key id -> a prefixed alias
    for (const auto& alias : aliases) {
      std::string name = text_at(alias, "AliasName");
      if (has_run_prefix(name)) alias_of.emplace(text_at(alias, "KeyId"), name);
    }
    for (const auto& key : keys) {
      std::string id = text_at(key, "KeyId");
      if (id.empty()) continue;
      auto described = call("DescribeKey", {{"KeyId", id}});
      if (!described) continue;
      const json* meta = find(*described, parse_path("KeyMetadata"));
      if (!meta || !meta->is_object()) continue;
      if (text_at(*meta, "KeyState") == "PendingDeletion") continue;
      std::string matched = leftover({text_at(*meta, "Description"), alias_of[id]});
      if (matched.empty()) continue;
      remove("key", id, matched, "ScheduleKeyDeletion",
             {{"KeyId", id}, {"PendingWindowInDays", 7}});
    }
    for (const auto& alias : aliases) {
      std::string name = text_at(alias, "AliasName");
      if (!leftover({name}).empty())
        remove("alias", name, name, "DeleteAlias", {{"AliasName", name}});
    }
  }

 private:
  DialectDriver& driver_;
  std::string dialect_;
  const SweepLimits& limits_;
  SweepReport& report_;
  std::chrono::system_clock::time_point cutoff_;  // runs that started after it are left alone
  size_t deletions_ = 0;
};

}  // namespace

SweepReport sweep(const RunOptions& options, const SweepLimits& limits) {
  std::set<std::string> dialects(options.dialects.begin(), options.dialects.end());
  auto env = prepare(options, dialects);
  SweepReport report;
  for (const auto& dialect : dialects) {
    auto driver = env->driver(dialect);
    Sweeper sweeper(*driver, dialect, limits, report);
    if (dialect == "volcengine") {
      sweeper.sweep_volcengine();
    } else {
      sweeper.sweep_alibaba();
    }
  }
  return report;
}

}  // namespace kmsconf::conformance
