// Loads and checks workload files, and their canonical form and fingerprint (workload.hpp).
#include "loadgen/workload.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "protocol/digest.hpp"
#include "protocol/json_lines.hpp"
#include "protocol/suggest.hpp"

namespace kmsconf::loadgen {

using json = nlohmann::json;

// ---- payload sizes ----------------------------------------------------------------------

PayloadSizes PayloadSizes::fixed(std::size_t bytes) {
  return {Kind::Fixed, bytes, bytes};
}

PayloadSizes PayloadSizes::uniform(std::size_t min_bytes, std::size_t max_bytes) {
  if (min_bytes > max_bytes) throw std::invalid_argument("uniform payload: min_bytes > max_bytes");
  return {Kind::Uniform, min_bytes, max_bytes};
}

PayloadSizes PayloadSizes::weighted(std::vector<SizeChoice> choices) {
  if (choices.empty()) throw std::invalid_argument("weighted payload: no sizes");
  PayloadSizes out{Kind::Weighted, choices.front().bytes, choices.front().bytes};
  double sum = 0;
  for (const auto& choice : choices) {
    if (!(choice.weight > 0)) throw std::invalid_argument("weighted payload: weight <= 0");
    out.min_ = std::min(out.min_, choice.bytes);
    out.max_ = std::max(out.max_, choice.bytes);
    out.cumulative_.push_back(sum += choice.weight);
  }
  out.choices_ = std::move(choices);
  return out;
}

std::size_t PayloadSizes::sample(std::mt19937_64& rng) const {
  switch (kind_) {
    case Kind::Fixed:
      return min_;
    case Kind::Uniform:
      return std::uniform_int_distribution<std::size_t>(min_, max_)(rng);
    case Kind::Weighted:
      break;
  }
  const double point = std::uniform_real_distribution<double>(0, cumulative_.back())(rng);
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), point);
  // A point rounding up to the total lands past the end: that is the last choice.
  const auto index = std::min<std::size_t>(it - cumulative_.begin(), choices_.size() - 1);
  return choices_[index].bytes;
}

json PayloadSizes::to_json() const {
  switch (kind_) {
    case Kind::Fixed:
      return {{"bytes", min_}};
    case Kind::Uniform:
      return {{"min_bytes", min_}, {"max_bytes", max_}};
    case Kind::Weighted:
      break;
  }
  json sizes = json::array();
  for (const auto& c : choices_) sizes.push_back({{"bytes", c.bytes}, {"weight", c.weight}});
  return {{"sizes", sizes}};
}

// ---- what each operation takes ----------------------------------------------------------

namespace {

bool takes_payload(const std::string& op) {
  return op == "Encrypt";
}
bool takes_number_of_bytes(const std::string& op) {
  return op == "GenerateDataKey";
}
bool takes_encryption_context(const std::string& op) {
  return op == "Encrypt" || op == "Decrypt" || op == "GenerateDataKey";
}

std::vector<std::string> operation_names() {
  return {kWorkloadOperations.begin(), kWorkloadOperations.end()};
}

bool is_operation(const std::string& op) {
  return std::find(kWorkloadOperations.begin(), kWorkloadOperations.end(), op) !=
         kWorkloadOperations.end();
}

std::string unknown_operation(const std::string& op) {
  const auto names = operation_names();
  std::string hint = suggestion(op, names);
  if (hint.empty()) {
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
    hint = " (one of " + list + ")";
  }
  return "unknown operation \"" + op + "\"" + hint;
}

// 0.001 and 1e6 as people write them, not "1000000.000000".
std::string number_text(double value) {
  char out[32];
  std::snprintf(out, sizeof out, "%.15g", value);
  return out;
}

json operation_json(const WorkloadOperation& o) {
  json out{{"op", o.op}, {"weight", o.weight}};
  if (takes_payload(o.op)) out["payload"] = o.payload.to_json();
  if (takes_number_of_bytes(o.op)) out["number_of_bytes"] = o.number_of_bytes;
  if (takes_encryption_context(o.op)) out["encryption_context"] = o.encryption_context;
  return out;
}

json setup_json(const WorkloadSetup& s) {
  json out{{"keys", s.keys}};
  if (s.ciphertexts > 0) out["ciphertexts"] = s.ciphertexts;  // 0 is only valid when absent
  return out;
}

}  // namespace

// ---- the workload -----------------------------------------------------------------------

json Workload::to_json() const {
  json ops = json::array();
  for (const auto& o : operations) ops.push_back(operation_json(o));
  return {{"name", name},
          {"description", description},
          {"setup", setup_json(setup)},
          {"operations", ops},
          {"teardown",
           {{"schedule_deletion", teardown.schedule_deletion},
            {"pending_window_days", teardown.pending_window_days}}}};
}

std::string Workload::fingerprint() const {
  const json canonical = to_json();
  // nlohmann keeps object keys sorted, so the dump is the same for the same workload.
  const json sent{{"operations", canonical["operations"]}, {"setup", canonical["setup"]}};
  return sha256_hex(sent.dump());
}

PayloadSizes Workload::setup_plaintext_sizes() const {
  for (const auto& o : operations) {
    if (o.op == "Encrypt") return o.payload;
  }
  return PayloadSizes::fixed(kDefaultPlaintextBytes);
}

std::string WorkloadProblem::to_string() const {
  return field_error_text(file, line, field, reason);
}

namespace {

std::string join_problems(const std::vector<WorkloadProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += '\n';
    out += p.to_string();
  }
  return out;
}

}  // namespace

WorkloadError::WorkloadError(std::vector<WorkloadProblem> problems)
    : std::runtime_error(join_problems(problems)), problems_(std::move(problems)) {}

const std::map<std::string, std::vector<std::string>>& accepted_workload_fields() {
  static const std::map<std::string, std::vector<std::string>> fields = {
      {"file", {"$schema", "name", "description", "setup", "operations", "teardown"}},
      {"setup", {"keys", "ciphertexts"}},
      {"operation", {"op", "weight", "payload", "number_of_bytes", "encryption_context"}},
      {"payload", {"bytes", "min_bytes", "max_bytes", "sizes"}},
      {"size", {"bytes", "weight"}},
      {"teardown", {"schedule_deletion", "pending_window_days"}},
  };
  return fields;
}

// ---- the loader -------------------------------------------------------------------------

namespace {

// Checks one file, collecting every problem; run() throws them all at once.
class Loader {
 public:
  Loader(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

  Workload run() {
    load();
    if (problems_.empty()) return std::move(out_);
    // In the order they appear in the file.
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    throw WorkloadError(std::move(problems_));
  }

 private:
  void load();
  void load_setup(const json& root);
  void load_operations(const json& root);
  std::optional<WorkloadOperation> load_operation(const json& value, const std::string& field);
  void check_fields_taken(const json& value, const std::string& field, const std::string& op);
  std::optional<PayloadSizes> load_payload(const json& value, const std::string& field);
  std::optional<PayloadSizes> load_size_choices(const json& value, const std::string& field);
  void load_teardown(const json& root);

  // ---- problems ----

  void error(const std::string& field, std::string reason) {
    error_at(field, field, std::move(reason));
  }
  void error_at(const std::string& field, const std::string& line_field, std::string reason) {
    problems_.push_back(
        {source_, lines_ ? lines_->line_of(line_field) : 1, field, std::move(reason)});
  }
  void type_error(const std::string& field, const json& value, const std::string& wanted) {
    error(field, "must be " + wanted + ", got " + json_kind(value));
  }
  void check_unknown(const json& object, const std::string& field, const std::string& kind) {
    const auto& allowed = accepted_workload_fields().at(kind);
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      error(json_member(field, key), "unknown field \"" + key + "\"" + suggestion(key, allowed));
    }
  }

  // ---- typed getters: absent or wrong gives nullopt, wrong also a problem ----

  const json* find(const json& object, const std::string& parent, const std::string& key,
                   bool required) {
    if (auto it = object.find(key); it != object.end()) return &*it;
    if (required) error_at(json_member(parent, key), parent, "is required");
    return nullptr;
  }

  std::optional<std::string> get_string(const json& object, const std::string& parent,
                                        const std::string& key, bool required) {
    const json* v = find(object, parent, key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      type_error(json_member(parent, key), *v, "a string");
      return std::nullopt;
    }
    return v->get<std::string>();
  }

  std::optional<bool> get_bool(const json& object, const std::string& parent,
                               const std::string& key) {
    const json* v = find(object, parent, key, false);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      type_error(json_member(parent, key), *v, "a boolean");
      return std::nullopt;
    }
    return v->get<bool>();
  }

  // An integer from `min` (at least 1: every count and size of the format is positive) to `max`.
  std::optional<std::int64_t> get_int(const json& object, const std::string& parent,
                                      const std::string& key, std::int64_t min, std::int64_t max,
                                      bool required = false) {
    const json* v = find(object, parent, key, required);
    if (!v) return std::nullopt;
    const std::string field = json_member(parent, key);
    if (!v->is_number_integer()) {
      type_error(field, *v, "an integer");
      return std::nullopt;
    }
    // nlohmann reads every non-negative integer as unsigned; a signed one is negative.
    if (!v->is_number_unsigned() || v->get<std::uint64_t>() < static_cast<std::uint64_t>(min) ||
        v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      error(field, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                       v->dump());
      return std::nullopt;
    }
    return v->get<std::int64_t>();
  }

  std::optional<double> get_weight(const json& object, const std::string& parent) {
    const json* v = find(object, parent, "weight", false);
    if (!v) return std::nullopt;
    const std::string field = json_member(parent, "weight");
    if (!v->is_number()) {
      type_error(field, *v, "a positive number");
      return std::nullopt;
    }
    const double weight = v->get<double>();
    if (weight <= 0) {
      error(field, "must be a positive number, got " + v->dump());
    } else if (weight < kMinWeight) {
      error(field, "must be at least " + number_text(kMinWeight) + ", got " + v->dump());
    } else if (weight > kMaxWeight) {
      error(field, "must be at most " + number_text(kMaxWeight) + ", got " + v->dump());
    } else {
      return weight;
    }
    return std::nullopt;
  }

  const json* get_typed(const json& object, const std::string& parent, const std::string& key,
                        bool required, bool array) {
    const json* v = find(object, parent, key, required);
    if (!v || (array ? v->is_array() : v->is_object())) return v;
    type_error(json_member(parent, key), *v, array ? "an array" : "an object");
    return nullptr;
  }

  std::string_view text_;
  std::string source_;
  std::optional<LineMap> lines_;
  std::vector<WorkloadProblem> problems_;
  Workload out_;
  std::map<std::string, std::string> op_fields_;  // op -> field of its first entry
};

void Loader::load() {
  out_.source = source_;
  json root;
  try {
    root = json::parse(text_, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    auto [line, reason] = json_syntax_error(text_, e);
    problems_.push_back({source_, line, "", std::move(reason)});
    return;
  }
  lines_.emplace(text_);
  if (!root.is_object()) {
    error("", "the file must hold a JSON object, got " + json_kind(root));
    return;
  }
  check_unknown(root, "", "file");
  if (auto it = root.find("$schema"); it != root.end() && !it->is_string()) {
    type_error("$schema", *it, "a string");
  }
  if (auto name = get_string(root, "", "name", true)) {
    if (name->empty()) error("name", "must not be empty");
    out_.name = *name;
  }
  out_.description = get_string(root, "", "description", false).value_or("");
  load_operations(root);
  load_setup(root);
  load_teardown(root);
}

void Loader::load_setup(const json& root) {
  const bool decrypts = op_fields_.count("Decrypt") > 0;
  out_.setup.ciphertexts = decrypts ? kDefaultCiphertexts : 0;
  const json* setup = get_typed(root, "", "setup", false, false);
  if (!setup) return;
  check_unknown(*setup, "setup", "setup");
  out_.setup.keys = static_cast<int>(get_int(*setup, "setup", "keys", 1, kMaxKeys).value_or(1));
  if (!setup->contains("ciphertexts")) return;
  if (!decrypts) {
    // Making ciphertexts nobody decrypts would only slow setup down.
    error("setup.ciphertexts", "only Decrypt uses them, and the workload does not send Decrypt");
    return;
  }
  if (auto n = get_int(*setup, "setup", "ciphertexts", 1, kMaxCiphertexts)) {
    out_.setup.ciphertexts = static_cast<int>(*n);
  }
}

void Loader::load_operations(const json& root) {
  const json* ops = get_typed(root, "", "operations", true, true);
  if (!ops) return;
  if (ops->empty()) error("operations", "must list at least one operation");
  for (std::size_t i = 0; i < ops->size(); ++i) {
    if (auto op = load_operation((*ops)[i], json_element("operations", i))) {
      out_.operations.push_back(std::move(*op));
    }
  }
}

std::optional<WorkloadOperation> Loader::load_operation(const json& value,
                                                        const std::string& field) {
  if (!value.is_object()) {
    type_error(field, value, "an object");
    return std::nullopt;
  }
  check_unknown(value, field, "operation");
  WorkloadOperation out;
  const auto op = get_string(value, field, "op", true);
  if (op && !is_operation(*op)) {
    error(json_member(field, "op"), unknown_operation(*op));
  } else if (op) {
    out.op = *op;
    // Results are reported per operation, so two entries of one op could not be told apart.
    if (auto [it, first] = op_fields_.emplace(*op, field); !first) {
      error(json_member(field, "op"),
            *op + " is already at " + it->second + " (line " +
                std::to_string(lines_->line_of(it->second)) +
                "); list each operation once (payload.sizes gives several sizes)");
    }
    check_fields_taken(value, field, *op);
  }
  out.weight = get_weight(value, field).value_or(1);
  if (const json* payload = get_typed(value, field, "payload", false, false)) {
    if (auto sizes = load_payload(*payload, json_member(field, "payload"))) out.payload = *sizes;
  }
  out.number_of_bytes = static_cast<std::size_t>(
      get_int(value, field, "number_of_bytes", 1, kMaxDataKeyBytes).value_or(32));
  out.encryption_context = get_bool(value, field, "encryption_context").value_or(false);
  return out;
}

// A field the operation does not take is a misunderstanding worth saying, not ignoring.
void Loader::check_fields_taken(const json& value, const std::string& field,
                                const std::string& op) {
  if (value.contains("payload") && !takes_payload(op)) {
    error(json_member(field, "payload"),
          "only Encrypt takes a payload (its plaintext sizes), not " + op);
  }
  if (value.contains("number_of_bytes") && !takes_number_of_bytes(op)) {
    error(json_member(field, "number_of_bytes"), "only GenerateDataKey takes it, not " + op);
  }
  if (value.contains("encryption_context") && !takes_encryption_context(op)) {
    error(json_member(field, "encryption_context"),
          "only Encrypt, Decrypt and GenerateDataKey take it, not " + op);
  }
}

std::optional<PayloadSizes> Loader::load_payload(const json& value, const std::string& field) {
  check_unknown(value, field, "payload");
  const bool fixed = value.contains("bytes");
  const bool range = value.contains("min_bytes") || value.contains("max_bytes");
  const bool choice = value.contains("sizes");
  if (fixed + range + choice != 1) {
    error(field, std::string(fixed + range + choice == 0 ? "needs" : "takes only") +
                     " one of bytes, min_bytes with max_bytes, or sizes");
    return std::nullopt;
  }
  constexpr auto kMax = static_cast<std::int64_t>(kMaxPlaintextBytes);
  if (fixed) {
    auto bytes = get_int(value, field, "bytes", 1, kMax);
    if (!bytes) return std::nullopt;
    return PayloadSizes::fixed(static_cast<std::size_t>(*bytes));
  }
  if (choice) return load_size_choices(value, field);
  const auto min = get_int(value, field, "min_bytes", 1, kMax, true);
  const auto max = get_int(value, field, "max_bytes", 1, kMax, true);
  if (!min || !max) return std::nullopt;
  if (*min > *max) {
    error(json_member(field, "min_bytes"),
          "must not exceed max_bytes (" + std::to_string(*max) + "), got " + std::to_string(*min));
    return std::nullopt;
  }
  return PayloadSizes::uniform(static_cast<std::size_t>(*min), static_cast<std::size_t>(*max));
}

std::optional<PayloadSizes> Loader::load_size_choices(const json& value, const std::string& field) {
  const json* sizes = get_typed(value, field, "sizes", true, true);
  if (!sizes) return std::nullopt;
  const std::string list = json_member(field, "sizes");
  if (sizes->empty()) error(list, "must list at least one size");
  std::vector<SizeChoice> choices;
  const std::size_t before = problems_.size();
  for (std::size_t i = 0; i < sizes->size(); ++i) {
    const json& item = (*sizes)[i];
    const std::string at = json_element(list, i);
    if (!item.is_object()) {
      type_error(at, item, "an object");
      continue;
    }
    check_unknown(item, at, "size");
    const auto bytes =
        get_int(item, at, "bytes", 1, static_cast<std::int64_t>(kMaxPlaintextBytes), true);
    const double weight = get_weight(item, at).value_or(1);
    if (bytes) choices.push_back({static_cast<std::size_t>(*bytes), weight});
  }
  if (problems_.size() != before || choices.empty()) return std::nullopt;
  return PayloadSizes::weighted(std::move(choices));
}

void Loader::load_teardown(const json& root) {
  const json* teardown = get_typed(root, "", "teardown", false, false);
  if (!teardown) return;
  check_unknown(*teardown, "teardown", "teardown");
  out_.teardown.schedule_deletion =
      get_bool(*teardown, "teardown", "schedule_deletion").value_or(true);
  out_.teardown.pending_window_days =
      static_cast<int>(get_int(*teardown, "teardown", "pending_window_days", kMinPendingWindowDays,
                               kMaxPendingWindowDays)
                           .value_or(7));
}

}  // namespace

Workload parse_workload(std::string_view text, const std::string& source_name) {
  return Loader(text, source_name).run();
}

Workload load_workload(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw WorkloadError(
        {{file.string(), 0, "", std::string("cannot read the file: ") + std::strerror(errno)}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_workload(text.str(), file.string());
}

Workload single_operation_workload(const std::string& op) {
  if (!is_operation(op)) throw WorkloadError({{"--op", 0, "", unknown_operation(op)}});
  Workload out;
  out.name = op;
  out.description = "only " + op;
  out.source = "--op " + op;
  WorkloadOperation only;
  only.op = op;
  out.operations.push_back(std::move(only));
  if (op == "Decrypt") out.setup.ciphertexts = kDefaultCiphertexts;
  return out;
}

}  // namespace kmsconf::loadgen
