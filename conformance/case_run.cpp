// One case's run (case_run.hpp).
#include "conformance/case_run.hpp"

#include <algorithm>
#include <regex>
#include <thread>

#include "conformance/burst.hpp"
#include "conformance/json_path.hpp"
#include "conformance/predicates.hpp"
#include "conformance/templates.hpp"
#include "reference_server/engine/engine.hpp"

namespace kmsconf::conformance::internal {

using nlohmann::json;
using std::chrono::milliseconds;

namespace {
bool has_expectation(const Expectation& e) {
  return e.status || e.code || e.message_matches || !e.body.empty();
}
}  // namespace

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

namespace {

constexpr int kMaxAttempts = 100;  // a case asking for more gets this many
constexpr milliseconds kMaxInterval{60000};
constexpr milliseconds kRetrySlice{50};  // how often a wait before a retry looks for a stop

struct StepFailure {
  Outcome outcome;
  std::string message;
  std::string code = "";   // the answer's wire code, when an answer decided it
  bool transport = false;  // the connection failed (refused, reset, timeout, garbage)
};

// A burst spent its budget without one refusal: the documented quota was not reached.
class BurstExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

bool all_hold(const std::vector<Assertion>& assertions, const json& body,
              const TemplateContext& context) {
  if (assertions.empty()) return false;
  return std::all_of(assertions.begin(), assertions.end(),
                     [&](const Assertion& a) { return evaluate(a, body, context).ok; });
}

std::string quoted(const std::string& text) {
  return json(text).dump();
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
    std::erase_if(secrets_,
                  [](const std::string& s) { return s.size() < kMinRedactedSecretLength; });
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
    if (step.burst) return send_burst(*step.burst, resolved, label, result);
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
      if (attempt < attempts && !wait_to_retry(interval)) {
        // The run is stopping: an answer that never reached its retry condition is no verdict.
        record(result, attempt_label(label, attempt, attempts), exchange);
        throw client::TransportError(client::TransportErrorKind::Timeout,
                                     "gave up retrying after attempt " + std::to_string(attempt) +
                                         " of " + std::to_string(attempts) +
                                         ": the run is stopping");
      }
    }
    record(result, step.retry ? attempt_label(label, std::min(attempt, attempts), attempts) : label,
           exchange);
    return exchange;
  }

  // The burst's first refusal is the step's answer. Throws BurstExhausted when none came, and
  // TransportError when a request got no answer or the run is stopping.
  Exchange send_burst(const Burst& burst, const ResolvedStep& resolved, const std::string& label,
                      CaseResult& result) {
    const auto start = SteadyClock::now();
    const BurstAnswer answer = run_burst(driver_, resolved, burst, limits_.transport,
                                         [&] { return limits_.control.should_stop(); });
    last_elapsed_ = elapsed_since(start);
    const std::string what = label + " (burst: " + describe_burst(answer) + ")";
    if (answer.refusal) {
      record(result, what, *answer.refusal);
      return *answer.refusal;
    }
    if (answer.stopped) {
      record_note(result, what, "the run is stopping");
      throw client::TransportError(client::TransportErrorKind::Timeout,
                                   "burst cut short: the run is stopping");
    }
    if (answer.transport_error) {
      record_note(result, what, *answer.transport_error);
      throw client::TransportError(client::TransportErrorKind::MalformedResponse,
                                   "burst: a request got no answer: " + *answer.transport_error);
    }
    record_note(result, what, "every answer was a success");
    throw BurstExhausted("no refusal in the burst's budget (" + std::to_string(burst.connections) +
                         " connections, " + std::to_string(burst.requests) + " requests, " +
                         std::to_string(burst.within.count() / 1000) +
                         " s): " + describe_burst(answer) +
                         "; the documented throttling was not reached at that rate");
  }

  static std::string attempt_label(const std::string& label, int attempt, int attempts) {
    return label + " (attempt " + std::to_string(attempt) + " of " + std::to_string(attempts) + ")";
  }

  // Waits `interval` before a retry, in short slices; false as soon as the run is stopping.
  bool wait_to_retry(milliseconds interval) {
    const auto until = SteadyClock::now() + interval;
    for (;;) {
      if (limits_.control.should_stop()) return false;
      const auto now = SteadyClock::now();
      if (now >= until) return true;
      std::this_thread::sleep_for(std::min<SteadyClock::duration>(until - now, kRetrySlice));
    }
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
      resolved.give_up_at = [&control = limits_.control] { return control.steps_not_after(); };
      Exchange exchange;
      try {
        exchange = send(step, resolved, label, result);
      } catch (const TemplateError& e) {
        return StepFailure{Outcome::Error, where + ": retry template: " + e.what()};
      } catch (const BurstExhausted& e) {
        return StepFailure{Outcome::Fail, where + ": " + e.what()};
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
      resolved.give_up_at = [&limits = limits_, started = SteadyClock::now()] {
        return std::optional(limits.control.cleanup_not_after(started, limits.cleanup_timeout));
      };
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

}  // namespace

bool bursts(const Case& c) {
  return std::any_of(c.steps.begin(), c.steps.end(), [](const Step& s) { return s.burst; });
}

// Runs one case; in-process cases needing low quotas get a server of their own.
CaseResult run_one(const Case& c, const Environment& env,
                   std::map<std::string, std::unique_ptr<DialectDriver>>& drivers,
                   const std::string& prefix, const Limits& limits) {
  const Target& target = env.targets.at(c.dialect);
  if (target.in_process && target.server_options && (needs_low_quota(c) || bursts(c))) {
    server::ReferenceServerOptions options = *target.server_options;
    // A burst meets the dialect's default quotas, as against `kmsconf serve` (burst_quotas).
    if (needs_low_quota(c)) {
      options.quotas.merge_json_text(low_quotas(c.dialect), "low-quota-throttling");
    } else if (const std::string quotas = burst_quotas(c.dialect); !quotas.empty()) {
      options.quotas.merge_json_text(quotas, "throttling-burst");
    }
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

}  // namespace kmsconf::conformance::internal
