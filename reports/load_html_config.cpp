// The load report's shards and configuration sections: every config field, secrets withheld.
#include <algorithm>
#include <string>

#include "reports/html_page.hpp"
#include "reports/load_html_parts.hpp"

namespace kmsconf::reports::load_html {
namespace {

std::string config_value(const std::string& key, const json& value) {
  if (looks_secret(key)) return "(withheld: named like a secret)";
  if (key == "workload") return "see the workload below";
  return value_text(value);
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// "4 keys and 64 ciphertexts for Decrypt, made before the clock starts".
std::string setup_text(const json& setup) {
  const uint64_t ciphertexts = count(setup, "ciphertexts");
  return plural(count(setup, "keys"), "key", "keys") +
         (ciphertexts > 0
              ? " and " + plural(ciphertexts, "ciphertext", "ciphertexts") + " for Decrypt"
              : std::string()) +
         ", made before the clock starts";
}

// A workload flag (encryption_context) in words.
std::string flag_text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_boolean()) return value == true ? "yes" : "no";
  return value_text(value);
}

// An Encrypt payload's sizes as words: "256 bytes", "16-4096 bytes", "weighted: 64, 256".
std::string payload_text(const json& payload) {
  if (!payload.is_object()) return "-";
  if (payload.contains("bytes")) return value_text(member(payload, "bytes")) + " bytes";
  if (payload.contains("min_bytes")) {
    return value_text(member(payload, "min_bytes")) + "-" +
           value_text(member(payload, "max_bytes")) + " bytes";
  }
  return value_text(payload);
}

std::string workload_operations(const json& operations) {
  if (!operations.is_array() || operations.empty()) {
    return "<p class=\"empty\">No operations listed.</p>\n";
  }
  double total = 0;
  for (const json& op : operations) total += std::max(0.0, number(op, "weight").value_or(0));
  std::string out =
      "<table class=\"workload\">\n<thead><tr><th>operation</th><th>weight</th><th>share</th>"
      "<th>plaintext</th><th>data key bytes</th><th>encryption context</th></tr></thead>\n"
      "<tbody>\n";
  for (const json& op : operations) {
    const double weight = std::max(0.0, number(op, "weight").value_or(0));
    out += "<tr><td><code>" + esc(text(op, "op")) + "</code></td><td class=\"num\">" +
           esc(number_text(weight)) + "</td><td class=\"num\">" +
           (total > 0 ? format_fixed(100 * weight / total, 1) + "%" : "-") + "</td><td>" +
           esc(payload_text(member(op, "payload"))) + "</td><td>" +
           esc(op.contains("number_of_bytes") ? value_text(member(op, "number_of_bytes")) : "-") +
           "</td><td>" + esc(flag_text(member(op, "encryption_context"))) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string workload_block(const json& workload) {
  std::string out = "<h3>Workload <code>" + esc(or_dash(text(workload, "name"))) + "</code></h3>\n";
  if (!workload.is_object()) return out + "<p class=\"empty\">Not recorded.</p>\n";
  if (const std::string about = text(workload, "description"); !about.empty()) {
    out += "<p>" + esc(about) + "</p>\n";
  }
  const json& setup = member(workload, "setup");
  const json& teardown = member(workload, "teardown");
  out += "<dl class=\"facts\">\n" + fact("setup", setup_text(setup)) +
         fact("teardown", member(teardown, "schedule_deletion") == false
                              ? "the keys stay"
                              : "key deletion scheduled, " +
                                    value_text(member(teardown, "pending_window_days")) +
                                    " days pending") +
         "</dl>\n" + workload_operations(member(workload, "operations"));
  return out + "<details><summary>The workload as JSON</summary><pre>" + esc(value_text(workload)) +
         "</pre></details>\n";
}

}  // namespace

// A merge given fewer files than shards covers only part of the load, and says which part.
std::string missing_shards(const json& missing) {
  if (!missing.is_array() || missing.empty()) return "";
  std::string list;
  for (const json& index : missing) list += (list.empty() ? "" : ", ") + value_text(index);
  return verdict_paragraph("warn", "Missing shards (no file was given for them): " + list +
                                       ". This result covers only part of the load.");
}

std::string shards_section(const json& result) {
  const std::string shard = shard_text(member(member(result, "config"), "shard"));
  const json& merged = member(result, "merged_from");
  if (shard.empty() && !merged.is_array()) return "";
  std::string out = "<section id=\"shards\">\n<h2>Shards</h2>\n";
  if (!shard.empty()) {
    out += "<p>This result is shard <strong>" + esc(shard) +
           "</strong> of a run split over several generators.</p>\n";
  }
  if (merged.is_array()) {
    out += "<p>Merged from " + std::to_string(merged.size()) +
           " result files (their histograms added, so the percentiles are of all of them):</p>\n"
           "<table class=\"merged\">\n<thead><tr><th>file</th><th>shard</th></tr></thead>\n"
           "<tbody>\n";
    for (const json& part : merged) {
      out += "<tr><td><code>" + esc(text(part, "file")) + "</code></td><td>" +
             esc(or_dash(shard_text(member(part, "shard")))) + "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  return out + missing_shards(member(result, "missing_shards")) + "</section>\n";
}

std::string config_section(const json& result) {
  const json& config = member(result, "config");
  std::string out = "<section id=\"config\">\n<h2>Configuration</h2>\n";
  if (!config.is_object()) return out + "<p class=\"empty\">No configuration.</p>\n</section>\n";
  out += "<table class=\"config\">\n<tbody>\n";
  for (const auto& [key, value] : config.items()) {
    out += "<tr><th><code>" + esc(key) + "</code></th><td>" + esc(config_value(key, value)) +
           "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n" + workload_block(member(config, "workload")) + "</section>\n";
}

}  // namespace kmsconf::reports::load_html
