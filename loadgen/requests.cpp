// Per-request parameters and signing (requests.hpp).
#include "loadgen/requests.hpp"

#include <algorithm>

#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::loadgen {
namespace {

// Encoded prefixes kept per distinct size; a uniform size range beyond it encodes each time.
constexpr std::size_t kEncodedSizesKept = 64;

std::size_t largest_payload(const Workload& workload) {
  std::size_t largest = 1;
  for (const auto& op : workload.operations) largest = std::max(largest, op.payload.max_bytes());
  return largest;
}

}  // namespace

RequestFactory::RequestFactory(const Target& target, const Workload& workload,
                               const Material& material, uint64_t seed)
    : target_(target),
      workload_(workload),
      material_(material),
      host_(target.endpoint.host_header()),
      rng_(seed),
      random_(random_bytes(largest_payload(workload))) {}

const std::string& RequestFactory::plaintext(std::size_t bytes) {
  auto it = encoded_.find(bytes);
  if (it != encoded_.end()) return it->second;
  std::string encoded = base64_encode(std::string_view(random_).substr(0, bytes));
  if (encoded_.size() >= kEncodedSizesKept) encoded_.erase(encoded_.begin());
  return encoded_.emplace(bytes, std::move(encoded)).first->second;
}

HttpRequest RequestFactory::make(std::size_t operation) {
  const uint64_t n = sequence_++;
  if (!target_.dialect) {  // --dialect none: the same plain GET every time
    HttpRequest request;
    request.method = "GET";
    const auto q = target_.path.find('?');
    request.path = target_.path.substr(0, q);
    if (q != std::string::npos) request.raw_query = target_.path.substr(q + 1);
    return request;
  }
  const WorkloadOperation& op = workload_.operations[operation];
  static const std::string kNone;
  const std::string& key =
      material_.key_ids.empty() ? kNone : material_.key_ids[n % material_.key_ids.size()];
  const std::string& blob = material_.ciphertexts.empty()
                                ? kNone
                                : material_.ciphertexts[n % material_.ciphertexts.size()];
  const std::string& payload = op.op == "Encrypt" ? plaintext(op.payload.sample(rng_)) : kNone;
  const nlohmann::json params =
      operation_params(target_, op, key, payload, blob, material_.context);
  return target_.dialect->build({op.op, params, target_.credentials, target_.region, host_});
}

}  // namespace kmsconf::loadgen
