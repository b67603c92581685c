// `{{templates}}` in case files: captured variables and built-ins (docs/case-format.md).
//
//   {{var}}            a variable: a capture, or run_prefix / region / account_id (set by the
//   runner)
//   {{random_hex:N}}   N random bytes, lowercase hex       {{random_b64:N}}  N random bytes, base64
//   {{b64:text}}       base64 of the literal text          {{uuid}}          a random v4 UUID
//   {{now_unix}}       the clock in Unix seconds           {{now_unix+N}} / {{now_unix-N}}
//
// A string that is exactly one template yields the value with its JSON type (a captured number
// stays a number, {{now_unix}} is an integer); anywhere else the value is interpolated as text.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "client/run_prefix.hpp"

namespace kmsconf::conformance {

// A template that cannot be expanded: an unknown (never captured) variable, or malformed text.
// The runner skips a cleanup step on it and makes any other step an Error.
class TemplateError : public std::runtime_error {
 public:
  TemplateError(std::string name, const std::string& message);
  // The template's inner text, e.g. "key_id" for {{key_id}}.
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

class TemplateContext {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using RandomBytes = std::function<std::string(std::size_t count)>;

  TemplateContext();  // system clock, OpenSSL random bytes, no variables
  TemplateContext(const TemplateContext& other);
  TemplateContext& operator=(const TemplateContext& other);
  TemplateContext(TemplateContext&&) noexcept;
  TemplateContext& operator=(TemplateContext&&) noexcept;
  ~TemplateContext();

  // Variables: captures, plus the run-wide ones the setters below store.
  void set(const std::string& name, const nlohmann::json& value);
  bool has(const std::string& name) const;
  const nlohmann::json* get(const std::string& name) const;  // nullptr when unset
  void erase(const std::string& name);
  const std::map<std::string, nlohmann::json>& variables() const;

  void set_run_prefix(const std::string& prefix);   // {{run_prefix}}
  void set_region(const std::string& region);       // {{region}}
  void set_account_id(const std::string& account);  // {{account_id}} (unset: unknown)

  void set_clock(Clock clock);
  void set_random(RandomBytes random);  // tests make random_hex/random_b64/uuid deterministic
  std::chrono::system_clock::time_point now() const;
  std::string random_bytes(std::size_t count) const;

  // The value of one template's inner text ("key_id", "random_hex:16", "now_unix+60", ...).
  // Throws TemplateError on an unknown variable or a malformed built-in.
  nlohmann::json resolve(std::string_view name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Expands every string inside `value` (object values and array elements, recursively; object
// keys stay literal). Throws TemplateError.
nlohmann::json expand(const nlohmann::json& value, const TemplateContext& context);
// Interpolates a string (a lone template's value is rendered as text). Throws TemplateError.
std::string expand_string(std::string_view text, const TemplateContext& context);

// The inner texts of the templates in `text`, in order ("{{ key_id }}" gives "key_id").
// Throws TemplateError on "{{" without "}}" or an empty template.
std::vector<std::string> template_names(std::string_view text);

// What a template's inner text is, without a context: a built-in function (random_hex:N,
// random_b64:N, b64:text, uuid, now_unix[+-N]), a variable name (identifier:
// [A-Za-z_][A-Za-z0-9_]*), or malformed (then *problem says why).
enum class TemplateKind { Builtin, Variable, Invalid };
TemplateKind classify_template(std::string_view name, std::string* problem = nullptr);

// Names a capture may not take: the built-ins and the runner's run-wide variables.
bool is_reserved_variable(std::string_view name);

using client::make_run_prefix;  // client/run_prefix.hpp

}  // namespace kmsconf::conformance
