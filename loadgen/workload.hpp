// Workload files (fixtures/workloads/*.json): what a `kmsconf load` run sends, in which mix and
// sizes, checked field by field with every problem reported at once (docs/workloads.md).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kmsconf::loadgen {

// The operations the load generator can send: the one list (loader, --op and docs follow it).
inline constexpr std::array<std::string_view, 5> kWorkloadOperations{
    "Encrypt", "Decrypt", "GenerateDataKey", "DescribeKey", "DescribeRegions"};

// Limits of the format (docs/workloads.md says why each is what it is).
inline constexpr std::size_t kMaxPlaintextBytes = 4096;  // the KMS Encrypt plaintext limit
inline constexpr std::size_t kMaxDataKeyBytes = 1024;    // GenerateDataKey's NumberOfBytes
inline constexpr std::size_t kDefaultPlaintextBytes = 256;
inline constexpr double kMinWeight = 0.001;  // weights count in thousandths (OperationMix)
inline constexpr double kMaxWeight = 1e6;
inline constexpr int kMaxKeys = 100;
inline constexpr int kMaxCiphertexts = 10000;
inline constexpr int kDefaultCiphertexts = 64;   // when the workload sends Decrypt
inline constexpr int kMinPendingWindowDays = 7;  // what both dialects accept
inline constexpr int kMaxPendingWindowDays = 30;

// One size of a weighted choice.
struct SizeChoice {
  std::size_t bytes = 0;
  double weight = 1;
  bool operator==(const SizeChoice&) const = default;
};

// The plaintext sizes of an Encrypt: one fixed size, a uniform range or a weighted choice.
class PayloadSizes {
 public:
  enum class Kind { Fixed, Uniform, Weighted };

  PayloadSizes() : PayloadSizes(fixed(kDefaultPlaintextBytes)) {}
  static PayloadSizes fixed(std::size_t bytes);
  static PayloadSizes uniform(std::size_t min_bytes, std::size_t max_bytes);
  static PayloadSizes weighted(std::vector<SizeChoice> choices);  // non-empty, weights > 0

  // A size for the next request; thread-safe given one rng per thread.
  std::size_t sample(std::mt19937_64& rng) const;

  Kind kind() const { return kind_; }
  std::size_t min_bytes() const { return min_; }
  std::size_t max_bytes() const { return max_; }
  const std::vector<SizeChoice>& choices() const { return choices_; }  // Weighted only

  // As the file writes it: {"bytes": N}, {"min_bytes": A, "max_bytes": B} or {"sizes": [...]}.
  nlohmann::json to_json() const;

  bool operator==(const PayloadSizes&) const = default;

 private:
  PayloadSizes(Kind kind, std::size_t min, std::size_t max) : kind_(kind), min_(min), max_(max) {}

  Kind kind_;
  std::size_t min_;
  std::size_t max_;
  std::vector<SizeChoice> choices_;
  std::vector<double> cumulative_;  // running sums of the choices' weights, for sample()
};

// One entry of "operations". Fields an operation does not take keep their defaults.
struct WorkloadOperation {
  std::string op;  // one of kWorkloadOperations
  double weight = 1;
  PayloadSizes payload;              // Encrypt: the plaintext sizes
  std::size_t number_of_bytes = 32;  // GenerateDataKey: the data key's length
  bool encryption_context = false;   // Encrypt, Decrypt, GenerateDataKey
};

// What the run prepares before measuring: keys to use, ciphertexts for Decrypt to decrypt.
struct WorkloadSetup {
  int keys = 1;
  int ciphertexts = 0;  // kDefaultCiphertexts when absent and the workload sends Decrypt
};

// What the run does with the keys it created once done.
struct WorkloadTeardown {
  bool schedule_deletion = true;
  int pending_window_days = 7;
};

// A checked workload: what a load run sends (docs/workloads.md).
struct Workload {
  std::string name, description;
  std::string source;  // the file, or "--op X"; named in errors, not part of the workload
  std::vector<WorkloadOperation> operations;
  WorkloadSetup setup;
  WorkloadTeardown teardown;

  // Canonical form, every default filled in, for the result file's config. A valid workload
  // file itself: parse_workload(to_json().dump()) gives the same workload.
  nlohmann::json to_json() const;

  // SHA-256 (hex) of the canonical operations and setup: what the run sends. Name,
  // description and teardown do not count, so renaming a workload keeps its baselines.
  // Two results are comparable only with the same fingerprint.
  std::string fingerprint() const;

  // The plaintext sizes of the ciphertexts setup makes for Decrypt: the Encrypt operation's
  // when there is one, else kDefaultPlaintextBytes.
  PayloadSizes setup_plaintext_sizes() const;
};

// One problem of a workload file, at FILE:LINE (line 0: the file as a whole).
struct WorkloadProblem {
  std::string file;
  int line = 0;
  std::string field;  // e.g. "operations[1].weight"; empty for the file as a whole
  std::string reason;
  std::string to_string() const;  // "FILE:LINE: FIELD: reason"
};

// Every problem of a file at once; what() lists them one a line, in file order.
class WorkloadError : public std::runtime_error {
 public:
  explicit WorkloadError(std::vector<WorkloadProblem> problems);
  const std::vector<WorkloadProblem>& problems() const { return problems_; }

 private:
  std::vector<WorkloadProblem> problems_;
};

// Reads and checks a workload file (JSON, // and /* */ comments allowed). Throws WorkloadError.
Workload load_workload(const std::filesystem::path& file);

// The same over text in memory; `source_name` names it in errors and in Workload::source.
Workload parse_workload(std::string_view text, const std::string& source_name);

// A workload sending only `op` (weight 1, every default), for `kmsconf load --op Encrypt`.
// Throws WorkloadError ("--op: unknown operation ...") for an op not in kWorkloadOperations.
Workload single_operation_workload(const std::string& op);

// Every field name the loader accepts, per kind of object: "file", "setup", "operation",
// "payload", "size", "teardown". fixtures/schema/workload.schema.json lists exactly these.
const std::map<std::string, std::vector<std::string>>& accepted_workload_fields();

}  // namespace kmsconf::loadgen
