// Reading a result file back into statistics (result_stats.hpp).
#include "loadgen/result_stats.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "loadgen/histogram.hpp"
#include "loadgen/json_read.hpp"
#include "loadgen/shard.hpp"

namespace kmsconf::loadgen {
namespace {

using json_read::member;
using nlohmann::json;

[[noreturn]] void refuse(const std::string& where, const std::string& why) {
  throw std::invalid_argument(where + ": " + why);
}

const json& object_at(const json& j, const std::string& where, const char* key) {
  const json& value = member(j, key);
  if (!value.is_object()) refuse(where + key, "missing or not an object");
  return value;
}

uint64_t count_at(const json& j, const std::string& where, const char* key) {
  const json& value = member(j, key);
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
    refuse(where + key, "missing or not a count");
  }
  return value.get<uint64_t>();
}

double milliseconds_at(const json& j, const std::string& where, const char* key) {
  const auto value = json_read::number(j, key);
  if (!value || *value < 0) refuse(where + key, "missing or not a number of milliseconds");
  return *value;
}

int64_t microseconds(double ms) {
  return std::llround(ms * 1000.0);
}

OutcomeCounts outcomes_of(const json& j, const std::string& where) {
  const json& outcomes = object_at(j, where, "outcomes");
  OutcomeCounts counts;
  for (Outcome o : kOutcomes) {
    counts[o] = count_at(outcomes, where + "outcomes.", std::string(outcome_name(o)).c_str());
  }
  counts.late = count_at(outcomes, where + "outcomes.", "late");
  return counts;
}

Histogram histogram_at(const json& pair, const std::string& where, const char* key) {
  try {
    return Histogram::from_json(member(pair, key));
  } catch (const std::exception& e) {
    refuse(where + key, e.what());
  }
}

// The outcomes and both histograms of one operation, which must count the same requests: each
// answer is recorded in all three.
OperationStats operation_of(const json& result, const std::string& name) {
  const std::string at = "per_op." + name + ".";
  OperationStats op;
  op.outcomes = outcomes_of(member(member(result, "per_op"), name.c_str()), at);
  const std::string histograms_at = "histograms.per_op." + name + ".";
  const json& pair = member(member(member(result, "histograms"), "per_op"), name.c_str());
  op.latency = histogram_at(pair, histograms_at, "latency");
  op.service = histogram_at(pair, histograms_at, "service_time");
  const uint64_t requests = op.outcomes.total();
  if (op.latency.count() != requests || op.service.count() != requests) {
    refuse("histograms.per_op." + name,
           "its histograms hold " + std::to_string(op.latency.count()) + " and " +
               std::to_string(op.service.count()) + " values, but per_op counts " +
               std::to_string(requests) + " requests");
  }
  return op;
}

std::vector<TimelinePoint> timeline_of(const json& result) {
  const json& timeline = member(result, "timeline");
  if (!timeline.is_array()) refuse("timeline", "missing or not an array");
  std::vector<TimelinePoint> points;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const std::string at = "timeline[" + std::to_string(i) + "].";
    const json& entry = timeline[i];
    TimelinePoint p;
    p.second = count_at(entry, at, "second");
    p.outcomes = outcomes_of(entry, at);
    p.p50_us = microseconds(milliseconds_at(entry, at, "p50_ms"));
    p.p99_us = microseconds(milliseconds_at(entry, at, "p99_ms"));
    p.max_us = microseconds(milliseconds_at(entry, at, "max_ms"));
    points.push_back(p);
  }
  return points;
}

void read_summary(const json& result, RunStats& run) {
  const json& summary = object_at(result, "", "summary");
  run.unsent = count_at(summary, "summary.", "unsent");
  run.connections_opened = count_at(summary, "summary.", "connections_opened");
  run.connection_failures = count_at(summary, "summary.", "connection_failures");
  run.retried = count_at(summary, "summary.", "retried");
  run.started_at_unix_ms =
      static_cast<int64_t>(count_at(summary, "summary.", "started_at_unix_ms"));
  const auto duration = json_read::number(summary, "duration_s");
  if (!duration || *duration < 0) refuse("summary.duration_s", "missing or not a duration");
  run.duration_s = *duration;
  run.interrupted = member(summary, "interrupted") == true;
  run.stop_reason = json_read::text(summary, "stop_reason");
}

}  // namespace

RunStats run_stats_of(const json& result) {
  RunStats run;
  const json& per_op = object_at(result, "", "per_op");
  object_at(object_at(result, "", "histograms"), "histograms.", "per_op");
  for (const auto& [name, op] : per_op.items()) {
    run.operations.push_back(name);
    run.per_op.push_back(operation_of(result, name));
  }
  run.timeline = timeline_of(result);
  read_summary(result, run);
  return run;
}

LoadConfig load_config_of(const json& result) {
  using json_read::count, json_read::number, json_read::text;
  const json& j = member(result, "config");
  LoadConfig c;
  c.dialect = text(j, "dialect");
  c.endpoint = text(j, "endpoint");
  c.endpoint_url = text(j, "endpoint_url");
  c.in_process = member(j, "in_process") == true;
  c.region = text(j, "region");
  c.mode = text(j, "mode");
  c.rate = number(j, "rate").value_or(0);
  c.connections = static_cast<int>(count(j, "connections"));
  c.threads = static_cast<int>(count(j, "threads"));
  c.duration_s = number(j, "duration_s").value_or(0);
  c.timeout_ms = static_cast<int>(count(j, "timeout_ms"));
  c.late_after_us = static_cast<int64_t>(count(j, "late_after_us"));
  c.workload = member(j, "workload");
  c.workload_fingerprint = text(j, "workload_fingerprint");
  c.access_key_id = text(j, "access_key_id");
  c.shard = shard_from_json(member(j, "shard"));
  if (member(j, "stages").is_array()) c.stages = member(j, "stages");
  return c;
}

}  // namespace kmsconf::loadgen
