// The wire dialects kmsconf speaks, and their one spelling on command lines, in files and reports.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace kmsconf {

enum class DialectId { Volcengine, Alibaba };

inline constexpr std::array<DialectId, 2> kDialectIds{DialectId::Volcengine, DialectId::Alibaba};

std::string_view dialect_name(DialectId dialect);
std::optional<DialectId> dialect_from_name(std::string_view name);
// "volcengine or alibaba": for messages that list the choices.
std::string dialect_choices();

}  // namespace kmsconf
