// The preflight call and the reading of its answer (preflight.hpp).
#include "conformance/preflight.hpp"

#include <algorithm>
#include <thread>

#include "conformance/driver_support.hpp"
#include "conformance/json_path.hpp"

namespace kmsconf::conformance {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

PreflightResult refuse(std::string message) {
  return PreflightResult{false, std::move(message), {}};
}

// The answer came, but not in the dialect's envelope: which dialect it is, if any.
PreflightResult wrong_dialect(const HttpResponse& response, const PreflightTarget& target) {
  auto speakers = dialects_speaking(response);
  std::erase(speakers, target.dialect);
  if (!speakers.empty()) {
    return refuse(target.url + " answers in the " + joined(speakers) + " dialect, not " +
                  target.dialect + ": give each dialect its own endpoint with --endpoint " +
                  target.dialect + "=URL");
  }
  return refuse(target.url + " does not answer in the " + target.dialect + " dialect (HTTP " +
                std::to_string(response.status) + ": " + detail::excerpt(response.body) +
                "): is --endpoint the KMS API's address?");
}

std::vector<std::string> listed_regions(const nlohmann::json& body, const std::string& path) {
  std::vector<std::string> out;
  const nlohmann::json* list = find(body, parse_path(path));
  if (!list || !list->is_array()) return out;
  for (const auto& item : *list) {
    auto id = item.find("RegionId");
    if (id != item.end() && id->is_string()) out.push_back(id->get<std::string>());
  }
  return out;
}

PreflightResult check_success(const Exchange& exchange, const DialectDriver& driver,
                              const PreflightTarget& target) {
  PreflightResult result;
  auto regions = listed_regions(exchange.body, driver.regions_path());
  if (regions.empty()) {
    result.notes.push_back(target.dialect + " preflight: " + driver.probe_action() +
                           " listed no regions, so the region was not checked");
  } else if (std::find(regions.begin(), regions.end(), target.region) == regions.end()) {
    return refuse("region " + target.region + " is not among the regions " + target.url +
                  " serves (" + joined(regions) + "): check " + target.region_option);
  }
  return result;
}

}  // namespace

std::string explain_cause(Cause cause, const std::string& code, const PreflightTarget& target) {
  switch (cause) {
    case Cause::Authentication:
      return "the " + target.dialect + " credentials were refused (" + code + "): check " +
             target.credential_from;
    case Cause::Clock:
      return "the request's time was refused (" + code +
             "): this machine's clock is off from the endpoint's";
    case Cause::Region:
      return "region " + target.region + " was refused (" + code + "): check " +
             target.region_option;
    case Cause::ServiceNotOpen:
      return "KMS is not open on the credential's account (" + code + ")";
    case Cause::Throttled:
      return "the endpoint throttles the account (" + code + ")";
    case Cause::None:
      break;
  }
  return "";
}

PreflightResult preflight(DialectDriver& driver, const PreflightTarget& target,
                          const client::GiveUpAt& give_up_at) {
  ResolvedStep probe;
  probe.action = driver.probe_action();
  probe.params = nlohmann::json::object();
  probe.give_up_at = give_up_at;
  Exchange exchange;
  // A throttled probe is tried again once: a busy account is no reason to stop.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      exchange = driver.send(probe, nullptr);
    } catch (const NotEnvelopeError& e) {
      return wrong_dialect(e.response(), target);
    } catch (const std::exception& e) {
      return refuse("cannot reach " + target.url + ": " + e.what());
    }
    if (driver.cause_of(exchange.code) != Cause::Throttled) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  auto speakers = dialects_speaking(exchange.response);
  if (std::find(speakers.begin(), speakers.end(), target.dialect) == speakers.end()) {
    return wrong_dialect(exchange.response, target);
  }
  if (exchange.code.empty()) return check_success(exchange, driver, target);
  const Cause cause = driver.cause_of(exchange.code);
  if (cause == Cause::None || cause == Cause::Throttled) {
    // E.g. a policy denying the probe's action: not a reason to stop, but nothing was checked.
    return PreflightResult{true,
                           "",
                           {target.dialect + " preflight: " + probe.action + " answered " +
                            exchange.code + ", so credentials and region were not checked"}};
  }
  return refuse(explain_cause(cause, exchange.code, target));
}

}  // namespace kmsconf::conformance
