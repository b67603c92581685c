// Sweeping what earlier runs left behind: resources whose names carry an old enough run prefix
// (runner.hpp, "Sweeping leftovers of earlier runs").
#include <ctime>
#include <regex>

#include "client/dialect.hpp"
#include "conformance/case_run.hpp"
#include "conformance/json_path.hpp"
#include "conformance/run_environment.hpp"
#include "conformance/runner.hpp"

namespace kmsconf::conformance {

using nlohmann::json;
using namespace internal;

namespace {

std::string text_at(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

class Sweeper {
 public:
  Sweeper(DialectDriver& driver, std::string dialect, const SweepLimits& limits,
          SweepReport& report)
      : driver_(driver),
        dialect_(std::move(dialect)),
        limits_(limits),
        report_(report),
        cutoff_(std::chrono::system_clock::now() - limits.min_age) {}

  // The first of a resource's texts (name, description, alias) carrying the prefix of a run old
  // enough to sweep; empty when none does. A resource of a run too young is counted, not swept.
  std::string leftover(std::initializer_list<std::string_view> texts) {
    bool recent = false;
    for (std::string_view text : texts) {
      auto started = run_prefix_time(text);
      // The prefix keeps only the minute the run started in: count from the minute's end. A
      // minimum age of 0 means every prefixed resource.
      if (started &&
          (limits_.min_age.count() == 0 || *started + std::chrono::minutes(1) <= cutoff_)) {
        return std::string(text);
      }
      recent = recent || started.has_value();
    }
    if (recent) ++report_.too_recent;
    return "";
  }

  // One call; nullopt (and an error noted) when it did not succeed.
  std::optional<json> call(const std::string& action, json params) {
    ResolvedStep step;
    step.action = action;
    step.params = std::move(params);
    try {
      Exchange exchange = driver_.send(step, nullptr);
      if (succeeded(exchange)) return exchange.body;
      report_.errors.push_back(dialect_ + ": " + action + ": " + describe_answer(exchange));
    } catch (const std::exception& e) {
      report_.errors.push_back(dialect_ + ": " + action + ": " + e.what());
    }
    return std::nullopt;
  }

  // Every item of a paged listing, within the bounds.
  std::vector<json> list(const std::string& action, const char* page_param, const Path& items,
                         size_t page_size) {
    std::vector<json> out;
    for (size_t page = 1; page <= limits_.max_pages; ++page) {
      auto body = call(action, {{page_param, page}, {"PageSize", page_size}});
      if (!body) break;
      const json* found = find(*body, items);
      if (!found || !found->is_array() || found->empty()) break;
      for (const auto& item : *found) {
        if (out.size() >= limits_.max_resources) {
          report_.truncated = true;
          return out;
        }
        out.push_back(item);
      }
      if (found->size() < page_size) break;
      if (page == limits_.max_pages) report_.truncated = true;
    }
    return out;
  }

  void remove(const std::string& kind, const std::string& id, const std::string& name,
              const std::string& action, json params) {
    if (deletions_ >= limits_.max_deletions) {
      report_.truncated = true;
      return;
    }
    ++deletions_;
    SweepItem item{dialect_, kind, id, name, action, false, false, ""};
    ResolvedStep step;
    step.action = action;
    step.params = std::move(params);
    try {
      Exchange exchange = driver_.send(step, nullptr);
      item.ok = succeeded(exchange);
      if (!item.ok) item.message = describe_answer(exchange);
    } catch (const std::exception& e) {
      item.message = e.what();
    }
    report_.items.push_back(std::move(item));
  }

  void sweep_volcengine() {
    auto keys = list("DescribeKeys", "CurrentPage", parse_path("Result.Keys"), 100);
    auto rings = list("DescribeKeyrings", "CurrentPage", parse_path("Result.Keyrings"), 100);
    report_.scanned += keys.size() + rings.size();
    for (const auto& key : keys) {
      std::string state = text_at(key, "KeyState");
      if (state == "PendingDelete" || state == "PendingDeletion") continue;
      std::string matched = leftover({text_at(key, "KeyName"), text_at(key, "Description")});
      if (matched.empty()) continue;
      std::string id = text_at(key, "ID");
      remove("key", id, matched, "ScheduleKeyDeletion",
             {{"KeyID", id}, {"PendingWindowInDays", 7}});
    }
    for (const auto& ring : rings) {
      std::string name = text_at(ring, "KeyringName");
      std::string matched = leftover({name, text_at(ring, "Description")});
      if (matched.empty()) continue;
      auto count = ring.find("KeyCount");
      if (count != ring.end() && count->is_number_integer() && count->get<int64_t>() > 0) {
        SweepItem item{dialect_, "keyring", name, name, "DeleteKeyring", false, true, ""};
        item.message = "still holds " + std::to_string(count->get<int64_t>()) +
                       " keys; sweep again once their deletion window has passed";
        report_.items.push_back(std::move(item));
        continue;
      }
      remove("keyring", name, matched, "DeleteKeyring", {{"KeyringName", name}});
    }
  }

  void sweep_alibaba() {
    auto aliases = list("ListAliases", "PageNumber", parse_path("Aliases.Alias"), 100);
    auto keys = list("ListKeys", "PageNumber", parse_path("Keys.Key"), 100);
    report_.scanned += aliases.size() + keys.size();
    std::map<std::string, std::string> alias_of;  // key id -> a prefixed alias
    for (const auto& alias : aliases) {
      std::string name = text_at(alias, "AliasName");
      if (has_run_prefix(name)) alias_of.emplace(text_at(alias, "KeyId"), name);
    }
    for (const auto& key : keys) {
      std::string id = text_at(key, "KeyId");
      if (id.empty()) continue;
      auto described = call("DescribeKey", {{"KeyId", id}});
      if (!described) continue;
      const json* meta = find(*described, parse_path("KeyMetadata"));
      if (!meta || !meta->is_object()) continue;
      if (text_at(*meta, "KeyState") == "PendingDeletion") continue;
      std::string matched = leftover({text_at(*meta, "Description"), alias_of[id]});
      if (matched.empty()) continue;
      remove("key", id, matched, "ScheduleKeyDeletion",
             {{"KeyId", id}, {"PendingWindowInDays", 7}});
    }
    for (const auto& alias : aliases) {
      std::string name = text_at(alias, "AliasName");
      if (!leftover({name}).empty())
        remove("alias", name, name, "DeleteAlias", {{"AliasName", name}});
    }
  }

 private:
  DialectDriver& driver_;
  std::string dialect_;
  const SweepLimits& limits_;
  SweepReport& report_;
  std::chrono::system_clock::time_point cutoff_;  // runs that started after it are left alone
  size_t deletions_ = 0;
};

}  // namespace

SweepReport sweep(const RunOptions& options, const SweepLimits& limits) {
  std::set<std::string> dialects(options.dialects.begin(), options.dialects.end());
  auto env = prepare(options, dialects);
  SweepReport report;
  for (const auto& dialect : dialects) {
    auto driver = env->driver(dialect);
    Sweeper sweeper(*driver, dialect, limits, report);
    switch (*dialect_from_name(dialect)) {
      case DialectId::Volcengine:
        sweeper.sweep_volcengine();
        break;
      case DialectId::Alibaba:
        sweeper.sweep_alibaba();
        break;
    }
  }
  return report;
}

}  // namespace kmsconf::conformance
