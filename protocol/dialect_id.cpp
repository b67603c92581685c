// Names of the wire dialects (dialect_id.hpp).
#include "protocol/dialect_id.hpp"

namespace kmsconf {

std::string_view dialect_name(DialectId dialect) {
  switch (dialect) {
    case DialectId::Volcengine:
      return "volcengine";
    case DialectId::Alibaba:
      return "alibaba";
  }
  return "";
}

std::optional<DialectId> dialect_from_name(std::string_view name) {
  for (DialectId id : kDialectIds) {
    if (dialect_name(id) == name) return id;
  }
  return std::nullopt;
}

std::string dialect_choices() {
  std::string out;
  for (std::size_t i = 0; i < kDialectIds.size(); ++i) {
    if (i > 0) out += i + 1 == kDialectIds.size() ? " or " : ", ";
    out += dialect_name(kDialectIds[i]);
  }
  return out;
}

}  // namespace kmsconf
