// kmsconf test's configuration: files, names and paths checked before anything is sent.
#include "cli/test_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/dialect.hpp"
#include "conformance/case_loader.hpp"
#include "protocol/duration.hpp"

namespace kmsconf::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool known_dialect(const std::string& name) {
  return client::find_dialect(name) != nullptr;
}

std::string read_text(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw ConfigError(what + " " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t line_at(const std::string& text, size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + byte, '\n'));
}

// The line of the first "key": in the file, for messages about a field of valid JSON.
std::string where(const std::string& path, const std::string& text, const std::string& key) {
  std::string quoted_key = "\"";
  quoted_key += key;
  quoted_key += '"';
  const size_t at = text.find(quoted_key);
  if (at == std::string::npos) return path;
  std::string out = path;
  out += ':';
  out += std::to_string(line_at(text, at));
  return out;
}

json parse_json(const std::string& path, const std::string& text, const std::string& what) {
  try {
    return json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw ConfigError(what + " " + path + ":" + std::to_string(line_at(text, e.byte)) +
                      ": not valid JSON");
  }
}

json read_json_file(const std::string& path, const std::string& what) {
  return parse_json(path, read_text(path, what), what);
}

std::set<std::string> read_features(const std::string& path) {
  json list = read_json_file(path, "--features");
  if (!list.is_array()) throw ConfigError("--features " + path + ": must be a JSON list of names");
  std::set<std::string> out;
  for (const auto& item : list) {
    if (!item.is_string()) {
      throw ConfigError("--features " + path + ": every entry must be a string");
    }
    out.insert(item.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> read_expected_failures(const std::string& path) {
  json object = read_json_file(path, "--expected-failures");
  if (!object.is_object()) {
    throw ConfigError("--expected-failures " + path +
                      ": must be a JSON object {\"id\": \"reason\"}");
  }
  std::map<std::string, std::string> out;
  for (const auto& [id, reason] : object.items()) {
    if (!reason.is_string() || reason.get<std::string>().empty()) {
      throw ConfigError("--expected-failures " + path + ": " + id +
                        ": the reason must be a non-empty string");
    }
    out[id] = reason.get<std::string>();
  }
  return out;
}

std::string env(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  return value ? value : "";
}

constexpr const char* kTestFormat =
    "kmsconf test takes {\"volcengine\": {\"access_key_id\": ..., \"secret_access_key\": ..., "
    "\"session_token\": ...}, \"alibaba\": {...}}";

// One dialect's entry of a --credentials file. Throws ConfigError with file:line and field.
conformance::Credentials credential_entry(const std::string& path, const std::string& text,
                                          const std::string& dialect, const json& entry) {
  const std::string at = "--credentials " + where(path, text, dialect) + ": " + dialect;
  if (!entry.is_object()) throw ConfigError(at + ": must be an object");
  static const std::set<std::string> kFields{
      "access_key_id", "secret_access_key", "access_key_secret", "session_token", "security_token"};
  for (const auto& [name, value] : entry.items()) {
    if (!kFields.contains(name)) {
      throw ConfigError("--credentials " + where(path, text, name) + ": " + dialect + "." + name +
                        ": unknown field (access_key_id, secret_access_key, session_token)");
    }
    if (!value.is_string()) {
      throw ConfigError("--credentials " + where(path, text, name) + ": " + dialect + "." + name +
                        ": must be a string");
    }
  }
  auto field = [&](std::initializer_list<const char*> names) -> std::string {
    for (const char* name : names) {
      if (auto it = entry.find(name); it != entry.end()) return it->get<std::string>();
    }
    return "";
  };
  conformance::Credentials c;
  c.access_key_id = field({"access_key_id"});
  c.secret = field({"secret_access_key", "access_key_secret"});
  c.session_token = field({"session_token", "security_token"});
  if (c.access_key_id.empty()) throw ConfigError(at + ".access_key_id: missing or empty");
  if (c.secret.empty()) throw ConfigError(at + ".secret_access_key: missing or empty");
  return c;
}

void check_dialect(const std::string& option, const std::string& value,
                   const std::string& dialect) {
  if (!known_dialect(dialect)) {
    throw ConfigError(option + " " + value + ": unknown dialect \"" + dialect + "\" (" +
                      dialect_choices() + ")");
  }
}

void read_endpoints(const TestOptions& o, conformance::RunOptions& r) {
  for (const auto& e : o.endpoints) {
    size_t eq = e.find('=');
    size_t scheme = e.find("://");
    if (eq != std::string::npos && (scheme == std::string::npos || eq < scheme)) {
      std::string dialect = e.substr(0, eq);
      check_dialect("--endpoint", e, dialect);
      std::string url = e.substr(eq + 1);
      // An unset CI variable must not quietly turn a real-endpoint run into an in-process one.
      if (url.empty()) throw ConfigError("--endpoint " + e + ": empty URL for " + dialect);
      r.endpoints[dialect] = url;
    } else {
      if (e.empty()) {
        throw ConfigError("--endpoint \"\": empty URL (leave the option out to run in-process)");
      }
      if (!r.endpoint.empty()) {
        throw ConfigError("--endpoint: give one URL, or one DIALECT=URL per dialect");
      }
      r.endpoint = e;
    }
  }
  // One URL for both dialects is rarely meant: a vendor endpoint speaks one of them.
  bool shared = !r.endpoint.empty() && r.dialects.size() > 1;
  for (const auto& dialect : r.dialects) shared = shared && !r.endpoints.contains(dialect);
  if (shared) {
    std::cerr << o.command << ": warning: both dialects go to " << r.endpoint
              << " (give --dialect, or --endpoint DIALECT=URL per dialect)\n";
  }
}

void read_regions(const TestOptions& o, conformance::RunOptions& r) {
  for (const auto& text : o.regions) {
    size_t eq = text.find('=');
    if (eq != std::string::npos) {
      std::string dialect = text.substr(0, eq);
      check_dialect("--region", text, dialect);
      std::string region = text.substr(eq + 1);
      if (region.empty()) throw ConfigError("--region " + text + ": empty region for " + dialect);
      if (r.regions.contains(dialect)) {
        throw ConfigError("--region " + text + ": a second region for " + dialect);
      }
      r.regions[dialect] = region;
    } else {
      if (text.empty()) {
        throw ConfigError("--region \"\": empty region (leave the option out for the default)");
      }
      if (!r.region.empty()) {
        throw ConfigError("--region: give one REGION, or one DIALECT=REGION per dialect");
      }
      r.region = text;
    }
  }
}

void read_stop_limits(const TestOptions& o, conformance::RunOptions& r) {
  if (!o.deadline.empty()) {
    auto deadline = kmsconf::parse_duration(o.deadline);
    if (!deadline || deadline->count() == 0) {
      throw ConfigError("--deadline " + o.deadline +
                        ": not a duration (a whole number with ms, s, m or h: 90s, 20m)");
    }
    r.deadline = *deadline;
  }
  r.max_failures = o.max_failures;
  r.max_transport_errors = o.max_transport_errors;
  r.cleanup_timeout = std::chrono::milliseconds(o.cleanup_timeout_ms);
  r.preflight = o.preflight;
}

// The name closest to `name`, as " (did you mean \"x\"?)", or "".
std::string closest(const std::string& name, const std::set<std::string>& known) {
  return conformance::loader::suggestion(name,
                                         std::vector<std::string>(known.begin(), known.end()));
}

void check_known(const std::string& option, const std::string& name,
                 const std::set<std::string>& known, const std::string& what) {
  if (known.contains(name)) return;
  throw ConfigError(option + ": unknown " + what + " \"" + name + "\"" + closest(name, known) +
                    "; known: " + conformance::loader::join(known));
}

// A report path is writable when its directory exists and takes new files, and the file, if
// there, is a regular file we may write.
void check_writable(const std::string& option, const std::string& path) {
  if (path.empty()) return;
  fs::path file(path);
  fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw ConfigError(option + " " + path + ": directory " + dir.string() + " does not exist");
  }
  if (fs::exists(file, ec)) {
    if (fs::is_directory(file, ec)) throw ConfigError(option + " " + path + ": is a directory");
    if (::access(path.c_str(), W_OK) != 0) {
      throw ConfigError(option + " " + path + ": cannot be written");
    }
  } else if (::access(dir.c_str(), W_OK) != 0) {
    throw ConfigError(option + " " + path + ": directory " + dir.string() +
                      " does not take new files");
  }
}

}  // namespace

// Environment first, then the --credentials file over it. Values are never printed; where each
// came from is kept, for messages about a refused credential.
void read_credentials(const std::string& path, conformance::RunOptions& r) {
  // Where each dialect's credential comes from when no --credentials file names it.
  for (DialectId id : kDialectIds) {
    const auto& dialect = client::descriptor(id);
    const auto& v = dialect.credential_variables;
    const std::string name(dialect.name);
    if (env(v.access_key_id).empty()) continue;
    r.credentials[name] = {env(v.access_key_id), env(v.secret), env(v.session_token)};
    r.credential_sources[name] =
        "the environment's " + std::string(v.access_key_id) + " and " + std::string(v.secret);
  }
  if (path.empty()) return;
  const std::string text = read_text(path, "--credentials");
  json file = parse_json(path, text, "--credentials");
  if (!file.is_object()) throw ConfigError("--credentials " + path + ": must be a JSON object");
  if (file.contains("credentials") || file.contains("accounts")) {
    throw ConfigError("--credentials " + where(path, text, "credentials") +
                      ": this is kmsconf serve's credential store format (a server's list of "
                      "credentials); " +
                      kTestFormat);
  }
  for (const auto& [dialect, entry] : file.items()) {
    if (!known_dialect(dialect)) {
      throw ConfigError("--credentials " + where(path, text, dialect) + ": unknown dialect \"" +
                        dialect + "\" (" + dialect_choices() + "); " + kTestFormat);
    }
    r.credentials[dialect] = credential_entry(path, text, dialect, entry);
    r.credential_sources[dialect] = "--credentials " + path;
  }
}

conformance::RunOptions run_options(const TestOptions& o) {
  conformance::RunOptions r;
  if (o.dialect == "all") {
    r.dialects = client::dialect_names();
  } else {
    r.dialects = {o.dialect};
  }
  read_endpoints(o, r);
  read_regions(o, r);
  r.filters = o.filters;
  r.tags = o.tags;
  r.exclude_tags = o.exclude_tags;
  r.jobs = o.jobs;
  if (!o.features_file.empty()) r.features = read_features(o.features_file);
  if (!o.expected_failures_file.empty()) {
    r.expected_failures = read_expected_failures(o.expected_failures_file);
  }
  r.timeout = std::chrono::milliseconds(o.timeout_ms);
  r.insecure = o.insecure;
  r.ca_file = o.ca_file;
  read_credentials(o.credentials_file, r);
  read_stop_limits(o, r);
  return r;
}

void check_names(const conformance::RunOptions& run, const std::vector<conformance::Case>& cases) {
  std::set<std::string> features = conformance::runner_features();
  std::set<std::string> tags;
  for (const auto& c : cases) {
    features.insert(c.features.begin(), c.features.end());
    tags.insert(c.tags.begin(), c.tags.end());
  }
  if (run.features) {
    for (const auto& f : *run.features) check_known("--features", f, features, "feature");
  }
  for (const auto& t : run.tags) check_known("--tags", t, tags, "tag");
  for (const auto& t : run.exclude_tags) check_known("--exclude-tags", t, tags, "tag");
}

void check_report_paths(const TestOptions& o) {
  check_writable("--report-junit", o.junit_file);
  check_writable("--report-json", o.json_file);
  check_writable("--report-html", o.html_file);
}

std::string find_fixtures(const std::string& given) {
  if (!given.empty()) {
    if (!fs::is_directory(given)) throw ConfigError("--fixtures " + given + ": not a directory");
    return given;
  }
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (int up = 0; !ec && up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
    if (fs::is_directory(dir / "fixtures")) return (dir / "fixtures").string();
    if (dir == dir.root_path()) break;
  }
#ifdef KMSCONF_FIXTURES_DIR
  if (fs::is_directory(KMSCONF_FIXTURES_DIR)) return KMSCONF_FIXTURES_DIR;
#endif
  throw ConfigError("no fixtures directory found; pass --fixtures DIR");
}

}  // namespace kmsconf::cli
