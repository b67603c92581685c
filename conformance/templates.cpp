#include "conformance/templates.hpp"

#include <openssl/rand.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

#include "protocol/encoding.hpp"

namespace kmsconf::conformance {

namespace {

constexpr std::size_t kMaxRandomBytes = 4096;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name[0])) return false;
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool parse_decimal(std::string_view text, std::int64_t& out) {
  if (text.empty() || text.size() > 12) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string system_random(std::size_t count) {
  std::string bytes(count, '\0');
  if (count > 0 &&
      RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return bytes;
}

// A built-in function: what it is and its argument, already checked.
struct Builtin {
  enum Kind { None, RandomHex, RandomB64, B64, Uuid, NowUnix } kind = None;
  std::size_t count = 0;    // random_hex / random_b64
  std::int64_t offset = 0;  // now_unix+-N
  std::string_view text;    // b64
};

// None with *problem empty: not a built-in; None with *problem set: a malformed built-in.
Builtin parse_builtin(std::string_view name, std::string* problem) {
  Builtin builtin;
  auto count_arg = [&](std::string_view prefix, Builtin::Kind kind) {
    std::int64_t count = 0;
    const auto arg = name.substr(prefix.size());
    if (!parse_decimal(arg, count) || count < 1 || count > static_cast<int64_t>(kMaxRandomBytes)) {
      if (problem) {
        *problem = std::string(prefix) + " needs a byte count from 1 to " +
                   std::to_string(kMaxRandomBytes) + ", got \"" + std::string(arg) + "\"";
      }
      return;
    }
    builtin.kind = kind;
    builtin.count = static_cast<std::size_t>(count);
  };
  if (name.starts_with("random_hex:")) {
    count_arg("random_hex:", Builtin::RandomHex);
  } else if (name.starts_with("random_b64:")) {
    count_arg("random_b64:", Builtin::RandomB64);
  } else if (name.starts_with("b64:")) {
    builtin.kind = Builtin::B64;
    builtin.text = name.substr(4);
  } else if (name == "uuid") {
    builtin.kind = Builtin::Uuid;
  } else if (name == "now_unix") {
    builtin.kind = Builtin::NowUnix;
  } else if (name.starts_with("now_unix+") || name.starts_with("now_unix-")) {
    std::int64_t offset = 0;
    const auto arg = name.substr(9);
    if (!parse_decimal(arg, offset)) {
      if (problem) *problem = "now_unix needs +N or -N seconds, got \"" + std::string(name) + "\"";
    } else {
      builtin.kind = Builtin::NowUnix;
      builtin.offset = name[8] == '-' ? -offset : offset;
    }
  } else if (name.find(':') != std::string_view::npos) {
    if (problem) {
      *problem = "unknown template function \"" + std::string(name.substr(0, name.find(':'))) +
                 "\" (known: random_hex:N, random_b64:N, b64:text)";
    }
  }
  return builtin;
}

std::string uuid_v4(std::string bytes) {
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3f) | 0x80);
  const std::string hex = hex_encode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string as_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// Splits text into literal runs and template inner texts; calls on_literal / on_template.
template <typename Literal, typename Template>
void scan(std::string_view text, Literal on_literal, Template on_template) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      on_literal(text.substr(pos));
      return;
    }
    on_literal(text.substr(pos, open - pos));
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      throw TemplateError(std::string(text.substr(open)),
                          "unterminated template \"" + std::string(text.substr(open)) + "\"");
    }
    const auto name = trim(text.substr(open + 2, close - open - 2));
    if (name.empty()) throw TemplateError("", "empty template \"{{}}\"");
    on_template(name);
    pos = close + 2;
  }
}

}  // namespace

TemplateError::TemplateError(std::string name, const std::string& message)
    : std::runtime_error(message), name_(std::move(name)) {}

struct TemplateContext::Impl {
  std::map<std::string, nlohmann::json> variables;
  Clock clock = [] { return std::chrono::system_clock::now(); };
  RandomBytes random = system_random;
};

TemplateContext::TemplateContext() : impl_(std::make_unique<Impl>()) {}
TemplateContext::TemplateContext(const TemplateContext& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}
TemplateContext& TemplateContext::operator=(const TemplateContext& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
TemplateContext::TemplateContext(TemplateContext&& other) noexcept
    : impl_(std::exchange(other.impl_, std::make_unique<Impl>())) {}
TemplateContext& TemplateContext::operator=(TemplateContext&& other) noexcept {
  std::swap(impl_, other.impl_);
  return *this;
}
TemplateContext::~TemplateContext() = default;

void TemplateContext::set(const std::string& name, const nlohmann::json& value) {
  impl_->variables[name] = value;
}
bool TemplateContext::has(const std::string& name) const {
  return impl_->variables.count(name) > 0;
}
const nlohmann::json* TemplateContext::get(const std::string& name) const {
  auto it = impl_->variables.find(name);
  return it == impl_->variables.end() ? nullptr : &it->second;
}
void TemplateContext::erase(const std::string& name) {
  impl_->variables.erase(name);
}
const std::map<std::string, nlohmann::json>& TemplateContext::variables() const {
  return impl_->variables;
}

void TemplateContext::set_run_prefix(const std::string& prefix) {
  set("run_prefix", prefix);
}
void TemplateContext::set_region(const std::string& region) {
  set("region", region);
}
void TemplateContext::set_account_id(const std::string& account) {
  set("account_id", account);
}

void TemplateContext::set_clock(Clock clock) {
  impl_->clock = std::move(clock);
}
void TemplateContext::set_random(RandomBytes random) {
  impl_->random = std::move(random);
}
std::chrono::system_clock::time_point TemplateContext::now() const {
  return impl_->clock();
}
std::string TemplateContext::random_bytes(std::size_t count) const {
  std::string bytes = impl_->random(count);
  bytes.resize(count, '\0');
  return bytes;
}

nlohmann::json TemplateContext::resolve(std::string_view raw) const {
  const auto name = trim(raw);
  std::string problem;
  const Builtin builtin = parse_builtin(name, &problem);
  switch (builtin.kind) {
    case Builtin::RandomHex:
      return hex_encode(random_bytes(builtin.count));
    case Builtin::RandomB64:
      return base64_encode(random_bytes(builtin.count));
    case Builtin::B64:
      return base64_encode(builtin.text);
    case Builtin::Uuid:
      return uuid_v4(random_bytes(16));
    case Builtin::NowUnix:
      return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count() +
             builtin.offset;
    case Builtin::None:
      break;
  }
  if (!problem.empty()) throw TemplateError(std::string(name), problem);
  if (const auto* value = get(std::string(name))) return *value;
  if (!is_identifier(name)) {
    throw TemplateError(std::string(name), "malformed template \"{{" + std::string(name) + "}}\"");
  }
  throw TemplateError(std::string(name), "unknown template variable \"" + std::string(name) +
                                             "\" (never captured or not known in this run)");
}

std::string expand_string(std::string_view text, const TemplateContext& context) {
  std::string out;
  scan(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) { out += as_text(context.resolve(name)); });
  return out;
}

nlohmann::json expand(const nlohmann::json& value, const TemplateContext& context) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.find("{{") == std::string::npos) return value;
    if (text.starts_with("{{") && text.ends_with("}}") && text.size() >= 4 &&
        text.find("{{", 2) == std::string::npos && text.find("}}") == text.size() - 2) {
      const auto name = trim(std::string_view(text).substr(2, text.size() - 4));
      if (name.empty()) throw TemplateError("", "empty template \"{{}}\"");
      return context.resolve(name);
    }
    return expand_string(text, context);
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[key] = expand(item, context);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(expand(item, context));
    return out;
  }
  return value;
}

std::vector<std::string> template_names(std::string_view text) {
  std::vector<std::string> names;
  scan(
      text, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); });
  return names;
}

TemplateKind classify_template(std::string_view raw, std::string* problem) {
  const auto name = trim(raw);
  std::string why;
  if (parse_builtin(name, &why).kind != Builtin::None) return TemplateKind::Builtin;
  if (why.empty() && is_identifier(name)) return TemplateKind::Variable;
  if (why.empty()) why = "malformed template \"{{" + std::string(name) + "}}\"";
  if (problem) *problem = why;
  return TemplateKind::Invalid;
}

bool is_reserved_variable(std::string_view name) {
  return name == "run_prefix" || name == "region" || name == "account_id" || name == "uuid" ||
         name == "now_unix";
}

}  // namespace kmsconf::conformance
