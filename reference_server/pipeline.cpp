#include "reference_server/pipeline.hpp"

namespace kmsconf::server {

Admission admit(const CredentialStore& credentials, const engine::Engine& engine,
                Throttler& throttler, const Credential& caller, const std::string& action,
                bool needs_open_service) {
  bool open =
      credentials.account(caller.account_id).service_open && engine.service_open(caller.account_id);
  if (needs_open_service && !open) {
    return Admission::ServiceNotOpen;
  }
  if (!caller.allows(action)) return Admission::AccessDenied;
  if (!throttler.try_acquire(caller.account_id, action)) return Admission::Throttled;
  return Admission::Admitted;
}

std::optional<Failure> requested_fault(const HttpRequest& request, bool enabled) {
  if (!enabled || !request.has_header(kFaultHeader)) return std::nullopt;
  if (request.header(kFaultHeader) == kFaultUndefinedError) {
    return Failure{Failure::Kind::Internal, std::nullopt, std::nullopt, "injected fault"};
  }
  ParamError unknown(std::string(kFaultHeader), ParamError::Reason::Invalid, "unknown fault");
  return Failure{Failure::Kind::Parameter, unknown, std::nullopt, unknown.name()};
}

}  // namespace kmsconf::server
