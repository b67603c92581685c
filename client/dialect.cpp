// The dialect table and what is the same for every dialect (dialect.hpp).
#include "client/dialect.hpp"

#include <algorithm>

namespace kmsconf::client {

// Defined in volcengine_dialect.cpp and alibaba_dialect.cpp.
const DialectDescriptor& volcengine_dialect();
const DialectDescriptor& alibaba_dialect();

const DialectDescriptor& descriptor(DialectId id) {
  switch (id) {
    case DialectId::Volcengine:
      return volcengine_dialect();
    case DialectId::Alibaba:
      return alibaba_dialect();
  }
  return volcengine_dialect();
}

const DialectDescriptor* find_dialect(std::string_view name) {
  auto id = dialect_from_name(name);
  return id ? &descriptor(*id) : nullptr;
}

std::vector<std::string> dialect_names() {
  std::vector<std::string> out;
  for (DialectId id : kDialectIds) out.emplace_back(dialect_name(id));
  return out;
}

bool is_throttling(const DialectDescriptor& dialect, std::string_view code) {
  return std::find(dialect.throttling_codes.begin(), dialect.throttling_codes.end(), code) !=
         dialect.throttling_codes.end();
}

AnswerClass classify(const DialectDescriptor& dialect, const Answer& answer) {
  if (answer.code.empty() && answer.status >= 200 && answer.status < 300) return AnswerClass::Ok;
  if (is_throttling(dialect, answer.code)) return AnswerClass::Throttled;
  // 429 without a catalog code is still a quota refusal (RFC 6585).
  if (answer.code.empty() && answer.status == 429) return AnswerClass::Throttled;
  if (answer.status >= 500) return AnswerClass::ServerError;
  return AnswerClass::ClientError;
}

}  // namespace kmsconf::client
