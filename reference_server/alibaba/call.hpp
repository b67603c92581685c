// Alibaba operation handlers: families (one file each), selectors and result objects.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "reference_server/handler.hpp"

namespace kmsconf::server::alibaba {

std::vector<HandlerEntry> key_handlers();
std::vector<HandlerEntry> version_handlers();
std::vector<HandlerEntry> alias_handlers();
std::vector<HandlerEntry> symmetric_handlers();
std::vector<HandlerEntry> asymmetric_handlers();
std::vector<HandlerEntry> import_handlers();
std::vector<HandlerEntry> tag_handlers();
std::vector<HandlerEntry> account_handlers();

inline constexpr TextRule kDescriptionRule{0, 8192, false};
inline constexpr TextRule kKeyIdRule{1, 512, false};

// KeyId: a key id, an alias ("alias/..."), or a key ARN "acs:kms:REGION:UID:key/ID".
engine::KeySelector key_selector(const Params& params, std::string_view name = "KeyId");
// Optional KeyVersionId added to a selector (asymmetric operations, GetPublicKey).
engine::KeySelector versioned_key_selector(const Params& params);
engine::EncryptionContext encryption_context(const Params& params, std::string_view name);
// Validated "alias/..." name (§3.4).
std::string alias_name(const Params& params);

std::string key_arn(const engine::KeyInfo& key);
std::string alias_arn(const engine::Scope& scope, const std::string& alias);
// KeyMetadata of §3.1; with_protection adds DeletionProtection* (DescribeKey only).
nlohmann::json key_metadata(const engine::KeyInfo& key, bool with_protection);
nlohmann::json key_version(const engine::KeyInfo& key, const engine::KeyVersionInfo& version);

// Paging parameters of the list operations: PageNumber ≥ 1 (1), PageSize 1..100 (10).
struct Paging {
  size_t number = 1;
  size_t size = 10;
};
Paging paging(const Params& params);
// Adds TotalCount/PageNumber/PageSize and the XML-style wrapper {outer: {inner: [...]}}.
nlohmann::json paged(const char* outer, const char* inner, const std::vector<nlohmann::json>& all,
                     const Paging& paging);

}  // namespace kmsconf::server::alibaba
