// The dialect-independent steps every adapter runs between "signature verified" and "response":
// account and IAM admission, throttling, and running a handler with every failure turned into
// one neutral value the dialect maps to its own catalog. Keeping these here means the two
// adapters differ only in wire details.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "reference_server/credentials.hpp"
#include "reference_server/engine/engine.hpp"
#include "reference_server/params.hpp"
#include "reference_server/throttle.hpp"

namespace kmsconf::server {

enum class Admission { Admitted, ServiceNotOpen, AccessDenied, Throttled };

// In this order: the account has KMS opened (unless the action is the one that reports that),
// the credential may call the action, a token is left in the action's bucket. Only an admitted
// call takes a token.
Admission admit(const CredentialStore& credentials, const engine::Engine& engine,
                Throttler& throttler, const Credential& caller, const std::string& action,
                bool needs_open_service = true);

// A handler that did not produce a result, in neutral terms.
struct Failure {
  enum class Kind { Parameter, MalformedBody, Engine, Internal };
  Kind kind = Kind::Internal;
  std::optional<ParamError> parameter;
  std::optional<engine::EngineError> engine;
  std::string detail;
};

// Runs handler(); any ParamError, MalformedRequest, EngineError or other exception becomes a
// Failure, so no request can escape as a crash or a bare 500.
template <typename Result, typename Handler>
std::variant<Result, Failure> run_guarded(Handler&& handler) {
  try {
    return handler();
  } catch (const ParamError& e) {
    return Failure{Failure::Kind::Parameter, e, std::nullopt, e.name()};
  } catch (const MalformedRequest& e) {
    return Failure{Failure::Kind::MalformedBody, std::nullopt, std::nullopt, e.what()};
  } catch (const engine::EngineError& e) {
    return Failure{Failure::Kind::Engine, std::nullopt, e, e.what()};
  } catch (const std::exception& e) {
    return Failure{Failure::Kind::Internal, std::nullopt, std::nullopt, e.what()};
  }
}

// Test-only fault hook (ReferenceServerOptions::fault_injection, off by default): a request
// carrying this header asks for a failure no well-formed request could otherwise provoke, so
// conformance cases can check the dialect's catch-all error. It is consulted only after
// admission, so a fault is answered to correctly signed, admitted requests only.
inline constexpr std::string_view kFaultHeader = "X-Kmsconf-Fault";
// The hook's one fault: an undefined failure inside the service. A name of the hook's own
// vocabulary (it reads like Volcengine's code because the case files came first), not a wire
// code: each dialect answers it with its own catalog entry.
inline constexpr std::string_view kFaultUndefinedError = "UndefinedError";

// The Failure a request's fault header asks for; nullopt when the hook is off or the request
// carries no such header. kFaultUndefinedError is an Internal failure, which each dialect
// answers with its catch-all 500; any other name is a Parameter failure naming the header.
std::optional<Failure> requested_fault(const HttpRequest& request, bool enabled);

}  // namespace kmsconf::server
