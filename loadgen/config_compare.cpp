// Comparing the configs of two load results (config_compare.hpp).
#include "loadgen/config_compare.hpp"

#include "loadgen/json_read.hpp"
#include "loadgen/result_text.hpp"
#include "loadgen/shard.hpp"

namespace kmsconf::loadgen {
namespace {

using json_read::member;
using nlohmann::json;

// What a file must hold to be judged as a load result, and what the comparisons read.
constexpr const char* kResultFields[] = {"kmsconf_version", "config",          "summary",
                                         "latency_ms",      "service_time_ms", "per_op"};
constexpr const char* kCompared[] = {"dialect",     "endpoint", "in_process",
                                     "region",      "mode",     "rate",
                                     "connections", "threads",  "workload_fingerprint"};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

class Differences {
 public:
  Differences(const json& first, const json& second, const ComparedSides& sides)
      : first_(first), second_(second), sides_(sides) {}

  // `key` of both configs, shown with `unit` after numbers.
  void field(const std::string& what, const char* key, const std::string& unit = "") {
    const json& a = member(first_, key);
    const json& b = member(second_, key);
    if (a == b) return;
    const auto with_unit = [&](const json& v) { return shown(v) + (v.is_number() ? unit : ""); };
    line(what, with_unit(a), with_unit(b));
  }

  void endpoint() {
    // The in-process server listens on a new port each run: its runs compare with each other.
    const bool both_in_process =
        member(first_, "in_process") == true && member(second_, "in_process") == true;
    if (!both_in_process) field("endpoint", "endpoint");
  }

  void shard(bool count_only) {
    const auto a = shard_from_json(member(first_, "shard"));
    const auto b = shard_from_json(member(second_, "shard"));
    const auto label = [&](const std::optional<Shard>& s) {
      if (!s) return std::string("(none)");
      return count_only ? std::to_string(s->count) : shard_text(*s);
    };
    if (label(a) != label(b)) line(count_only ? "shard count" : "shard", label(a), label(b));
  }

  void workload() {
    if (member(first_, "workload_fingerprint") == member(second_, "workload_fingerprint")) return;
    line("workload fingerprint (what is sent)", workload_label(first_), workload_label(second_));
  }

  std::vector<std::string> lines() && { return std::move(lines_); }

 private:
  void line(const std::string& what, const std::string& a, const std::string& b) {
    lines_.push_back(what + ": " + sides_.first + " " + a + ", " + sides_.second + " " + b);
  }

  const json& first_;
  const json& second_;
  const ComparedSides& sides_;
  std::vector<std::string> lines_;
};

}  // namespace

std::vector<std::string> config_differences(const json& first, const json& second,
                                            std::span<const ConfigField> fields,
                                            const ComparedSides& sides) {
  Differences d(first, second, sides);
  for (ConfigField f : fields) {
    switch (f) {
      case ConfigField::Dialect:
        d.field("dialect", "dialect");
        break;
      case ConfigField::Endpoint:
        d.endpoint();
        break;
      case ConfigField::Region:
        d.field("region", "region");
        break;
      case ConfigField::Mode:
        d.field("mode", "mode");
        break;
      case ConfigField::Rate:
        d.field("rate", "rate", " req/s");
        break;
      case ConfigField::Stages:
        d.field("stages", "stages");
        break;
      case ConfigField::Connections:
        d.field("connections", "connections");
        break;
      case ConfigField::Threads:
        d.field("threads", "threads");
        break;
      case ConfigField::Shard:
      case ConfigField::ShardCount:
        d.shard(f == ConfigField::ShardCount);
        break;
      case ConfigField::Workload:
        d.workload();
        break;
    }
  }
  return std::move(d).lines();
}

std::string not_a_load_result(const json& result) {
  if (!result.is_object()) return "not a JSON object";
  std::vector<std::string> missing;
  for (const char* field : kResultFields) {
    if (!result.contains(field)) missing.emplace_back(field);
  }
  const json& config = member(result, "config");
  for (const char* field : kCompared) {
    if (config.is_object() && !config.contains(field)) {
      missing.push_back(std::string("config.") + field);
    }
  }
  std::string why = missing.empty() ? "" : "missing " + join(missing);
  if (result.contains("config") && !config.is_object()) {
    why += (why.empty() ? "" : "; ") + std::string("config is not an object");
  }
  return why;
}

}  // namespace kmsconf::loadgen
