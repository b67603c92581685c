// Request parameters of an RPC-style KMS call, merged from query string and body (JSON object
// or form), with typed, validated getters. Shared by every dialect adapter; a getter that finds
// a bad value throws ParamError naming the parameter, which the adapter maps to its catalog.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/http_message.hpp"

namespace kmsconf::server {

class ParamError : public std::runtime_error {
 public:
  enum class Reason { Missing, Invalid };
  ParamError(std::string name, Reason reason, std::string detail = {})
      : std::runtime_error(name + ": " + detail),
        name_(std::move(name)),
        reason_(reason),
        detail_(std::move(detail)) {}
  const std::string& name() const { return name_; }
  Reason reason() const { return reason_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string name_;
  Reason reason_;
  std::string detail_;
};

// A whole request body or query that cannot be parsed at all.
class MalformedRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TextRule {
  size_t min_length = 0;
  size_t max_length = 8192;
  bool name_charset = false;  // only [a-zA-Z0-9-_]
};

template <typename Enum>
using WireNames = std::vector<std::pair<Enum, std::string_view>>;

template <typename Enum>
std::string_view wire_name(const WireNames<Enum>& names, Enum value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return {};
}

template <typename Enum>
std::optional<Enum> from_wire_name(const WireNames<Enum>& names, std::string_view text) {
  for (const auto& [e, name] : names) {
    if (name == text) return e;
  }
  return std::nullopt;
}

class Params {
 public:
  Params();
  ~Params();
  Params(Params&&) noexcept;
  Params& operator=(Params&&) noexcept;

  // Merges query and body parameters (body wins). Throws MalformedRequest for bodies that are
  // neither a JSON object nor a form.
  static Params from_request(const HttpRequest& request);
  // Parameters given explicitly (tests, adapters that moved values out of headers).
  static Params from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);

  bool has(std::string_view name) const;
  void erase(std::string_view name);
  std::vector<std::string> names() const;

  std::optional<std::string> text(std::string_view name, const TextRule& rule = {}) const;
  std::string required_text(std::string_view name, const TextRule& rule = {}) const;
  std::optional<int64_t> integer(std::string_view name, int64_t min, int64_t max) const;
  std::optional<bool> boolean(std::string_view name) const;
  // Standard base64 of at most max_chars characters; returns the decoded bytes.
  std::optional<std::string> base64(std::string_view name, size_t min_chars,
                                    size_t max_chars) const;
  std::string required_base64(std::string_view name, size_t min_chars, size_t max_chars) const;
  // A string->string map given as a JSON object or as a string holding one.
  std::optional<std::map<std::string, std::string>> string_map(std::string_view name,
                                                               size_t max_chars = 8192) const;
  // A list given as a JSON array, a string holding one, or flattened (Name.1, Name.1.Field).
  std::optional<std::vector<nlohmann::json>> list(std::string_view name) const;
  std::optional<std::vector<std::string>> string_list(std::string_view name) const;
  // Tags as [{Key, Value}] (or flattened Name.N.Key / Name.N.Value), as a map.
  std::optional<std::map<std::string, std::string>> tags(
      std::string_view name, std::string_view key_field = "Key",
      std::string_view value_field = "Value") const;

  template <typename Enum>
  std::optional<Enum> choice(std::string_view name, const WireNames<Enum>& names) const {
    auto value = text(name);
    if (!value) return std::nullopt;
    auto parsed = from_wire_name(names, *value);
    if (!parsed) throw ParamError(std::string(name), ParamError::Reason::Invalid, "unknown value");
    return parsed;
  }

  template <typename Enum>
  Enum required_choice(std::string_view name, const WireNames<Enum>& names) const {
    auto value = choice(name, names);
    if (!value) throw ParamError(std::string(name), ParamError::Reason::Missing, "required");
    return *value;
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const nlohmann::json* find(std::string_view name) const;
};

}  // namespace kmsconf::server
