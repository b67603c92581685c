// Shared checks of the operations tests: the success envelope of spec §1.2 and the Key /
// Keyring / PageInfo objects of §3.2, field by field. Expected values are computed here from
// the test's own clock, independently of the server's formatters.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "protocol/encoding.hpp"
#include "tests/reference_server/volcengine/fixture.hpp"

namespace kmsconf::testing {

using engine::TimePoint;
using nlohmann::json;

inline constexpr const char* kApiVersionText = "2021-02-18";
inline constexpr const char* kShanghai = "cn-shanghai";

// --- formats ----------------------------------------------------------------------------------

inline int64_t seconds_of(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline int64_t millis_of(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline std::chrono::hours days(int n) {
  return std::chrono::hours(24 * n);
}

// Wall time at UTC+8 as yyyyMMddHHmmss (the RequestId prefix, §1.2).
inline std::string beijing_stamp(TimePoint t) {
  using namespace std::chrono;
  auto local = floor<seconds>(t) + hours(8);
  auto day = floor<std::chrono::days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{local - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

// RFC 3339 with nanoseconds at +08:00 (§3.2, §4.9): 2024-05-04T21:48:24.369005772+08:00.
inline std::string rfc3339_beijing(TimePoint t) {
  using namespace std::chrono;
  auto local = t + hours(8);
  auto whole = floor<seconds>(local);
  auto day = floor<std::chrono::days>(whole);
  year_month_day ymd{day};
  hh_mm_ss hms{whole - day};
  auto nanos = duration_cast<nanoseconds>(local - whole).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%09lld+08:00",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<long long>(nanos));
  return buf;
}

inline bool is_uuid_v4(const json& value) {
  static const std::regex re(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return value.is_string() && std::regex_match(value.get<std::string>(), re);
}

inline bool is_rfc3339_beijing(const json& value) {
  static const std::regex re("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{9}\\+08:00$");
  return value.is_string() && std::regex_match(value.get<std::string>(), re);
}

// Standard base64 with padding (§3.5), non-empty, and decodable.
inline bool is_base64(const json& value) {
  static const std::regex re("^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");
  return value.is_string() && !value.get<std::string>().empty() &&
         std::regex_match(value.get<std::string>(), re) &&
         base64_decode(value.get<std::string>()).has_value();
}

// Decoded bytes of a base64 field; a failure (and "") when it is not one.
inline std::string unbase64(const json& value) {
  if (!is_base64(value)) {
    ADD_FAILURE() << "not standard base64: " << value.dump();
    return {};
  }
  return *base64_decode(value.get<std::string>());
}

inline std::string key_trn(const std::string& region, const std::string& ring,
                           const std::string& name) {
  return std::string("trn:kms:") + region + ":" + kAccount + ":keyrings/" + ring + "/keys/" + name;
}
inline std::string keyring_trn(const std::string& region, const std::string& ring) {
  return std::string("trn:kms:") + region + ":" + kAccount + ":keyrings/" + ring;
}

inline std::set<std::string> names_of(const json& object) {
  std::set<std::string> out;
  if (object.is_object()) {
    for (const auto& [name, value] : object.items()) out.insert(name);
  }
  return out;
}

// A field that must be a JSON string; "" (and a failure) otherwise.
inline std::string text_of(const json& object, const std::string& name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    ADD_FAILURE() << name << " is not a string in " << object.dump();
    return {};
  }
  return it->get<std::string>();
}

// The ciphertext blob of the reference layout (§4.10 [INF]): key id(16) | version(2) | iv(12) |
// ciphertext | tag(16). Clients treat blobs as opaque; these tests read the reference format.
inline std::string blob_key_id(const std::string& blob) {
  if (blob.size() < 16) return {};
  std::string hex = hex_encode(blob.substr(0, 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}
inline int blob_version(const std::string& blob) {
  if (blob.size() < 18) return -1;
  return (static_cast<unsigned char>(blob[16]) << 8) | static_cast<unsigned char>(blob[17]);
}

// PEM (SubjectPublicKeyInfo) -> DER.
inline std::string pem_to_der(const std::string& pem) {
  const std::string begin = "-----BEGIN PUBLIC KEY-----";
  const std::string end = "-----END PUBLIC KEY-----";
  auto b = pem.find(begin);
  auto e = pem.find(end);
  if (b != 0 || e == std::string::npos) return {};
  std::string body;
  for (char c : pem.substr(begin.size(), e - begin.size())) {
    if (c != '\n' && c != '\r') body.push_back(c);
  }
  return base64_decode(body).value_or("");
}

// --- expected objects -------------------------------------------------------------------------

struct KeyExpect {
  std::string id;  // empty: any UUID v4
  std::string region = kRegion;
  std::string ring;
  std::string name;
  std::string spec = "SYMMETRIC_256";
  std::string usage = "ENCRYPT_DECRYPT";
  std::string state = "Enable";
  std::string protection = "SOFTWARE";
  std::string origin = "CloudKMS";
  std::string description;  // empty: absent
  TimePoint created;
  TimePoint updated;
  std::string rotation = "Disable";
  std::optional<TimePoint> last_rotation;
  std::optional<TimePoint> schedule_rotation;
  std::optional<TimePoint> schedule_delete;
  std::optional<TimePoint> material_expires;
  json multi_region;  // null: not multi-region, else the MultiRegionConfiguration object
  std::map<std::string, std::string> tags;

  KeyExpect& in(std::string v) {
    region = std::move(v);
    return *this;
  }
  KeyExpect& with_spec(std::string v) {
    spec = std::move(v);
    return *this;
  }
  KeyExpect& with_usage(std::string v) {
    usage = std::move(v);
    return *this;
  }
  KeyExpect& with_state(std::string v) {
    state = std::move(v);
    return *this;
  }
  KeyExpect& with_origin(std::string v) {
    origin = std::move(v);
    return *this;
  }
  KeyExpect& with_description(std::string v) {
    description = std::move(v);
    return *this;
  }
  KeyExpect& with_rotation(std::string v) {
    rotation = std::move(v);
    return *this;
  }
  KeyExpect& with_last_rotation(TimePoint t) {
    last_rotation = t;
    return *this;
  }
  KeyExpect& with_schedule_rotation(TimePoint t) {
    schedule_rotation = t;
    return *this;
  }
  KeyExpect& with_schedule_delete(TimePoint t) {
    schedule_delete = t;
    return *this;
  }
  KeyExpect& with_material_expires(TimePoint t) {
    material_expires = t;
    return *this;
  }
  KeyExpect& with_multi_region(json v) {
    multi_region = std::move(v);
    return *this;
  }
  KeyExpect& with_tags(std::map<std::string, std::string> v) {
    tags = std::move(v);
    return *this;
  }
};

// A default key (SYMMETRIC_256, ENCRYPT_DECRYPT, Enable, ...) of that id (empty: any), name
// and times; adjust with the with_* setters.
inline KeyExpect key_expect(std::string id, std::string ring, std::string name, TimePoint created,
                            TimePoint updated) {
  KeyExpect e;
  e.id = std::move(id);
  e.ring = std::move(ring);
  e.name = std::move(name);
  e.created = created;
  e.updated = updated;
  return e;
}

// Every field of a Key object (§3.2): presence, JSON type, value and format.
inline void expect_key(const json& key, const KeyExpect& e) {
  SCOPED_TRACE("Key " + key.dump());
  ASSERT_TRUE(key.is_object());
  std::set<std::string> expected{"ID",         "KeyName",         "KeySpec", "KeyUsage",
                                 "KeyState",   "ProtectionLevel", "Origin",  "CreationDate",
                                 "UpdateDate", "RotationState",   "Trn",     "MultiRegion"};
  if (!e.description.empty()) expected.insert("Description");
  if (e.last_rotation) expected.insert("LastRotationTime");
  if (e.schedule_rotation) expected.insert("ScheduleRotationTime");
  if (e.schedule_delete) expected.insert("ScheduleDeleteTime");
  if (e.material_expires) expected.insert("KeyMaterialExpireTime");
  if (!e.multi_region.is_null()) expected.insert("MultiRegionConfiguration");
  if (!e.tags.empty()) expected.insert("Tags");
  EXPECT_EQ(names_of(key), expected);

  EXPECT_TRUE(is_uuid_v4(key.value("ID", json()))) << key.value("ID", json());
  if (!e.id.empty()) {
    EXPECT_EQ(key.value("ID", json()), e.id);
  }
  EXPECT_EQ(key.value("KeyName", json()), e.name);
  EXPECT_EQ(key.value("KeySpec", json()), e.spec);
  EXPECT_EQ(key.value("KeyUsage", json()), e.usage);
  EXPECT_EQ(key.value("KeyState", json()), e.state);
  EXPECT_EQ(key.value("ProtectionLevel", json()), e.protection);
  EXPECT_EQ(key.value("Origin", json()), e.origin);
  if (!e.description.empty()) {
    EXPECT_EQ(key.value("Description", json()), e.description);
  }
  // §4.9: CreationDate in seconds, UpdateDate in milliseconds, both JSON integers.
  ASSERT_TRUE(key.value("CreationDate", json()).is_number_integer());
  ASSERT_TRUE(key.value("UpdateDate", json()).is_number_integer());
  EXPECT_EQ(key["CreationDate"].get<int64_t>(), seconds_of(e.created));
  EXPECT_LT(key["CreationDate"].get<int64_t>(), 100'000'000'000LL);
  EXPECT_EQ(key["UpdateDate"].get<int64_t>(), millis_of(e.updated));
  EXPECT_GE(key["UpdateDate"].get<int64_t>(), 100'000'000'000LL);
  EXPECT_EQ(key.value("RotationState", json()), e.rotation);
  EXPECT_EQ(key.value("Trn", json()), key_trn(e.region, e.ring, e.name));
  ASSERT_TRUE(key.value("MultiRegion", json()).is_boolean());
  EXPECT_EQ(key["MultiRegion"].get<bool>(), !e.multi_region.is_null());
  auto time_field = [&](const char* name, const std::optional<TimePoint>& t) {
    if (!t) return;
    EXPECT_TRUE(is_rfc3339_beijing(key.value(name, json()))) << name;
    EXPECT_EQ(key.value(name, json()), rfc3339_beijing(*t)) << name;
  };
  time_field("LastRotationTime", e.last_rotation);
  time_field("ScheduleRotationTime", e.schedule_rotation);
  time_field("ScheduleDeleteTime", e.schedule_delete);
  time_field("KeyMaterialExpireTime", e.material_expires);
  if (!e.multi_region.is_null()) {
    EXPECT_EQ(key.value("MultiRegionConfiguration", json()), e.multi_region);
  }
  if (!e.tags.empty()) {
    json tags = key.value("Tags", json());
    ASSERT_TRUE(tags.is_array());
    std::map<std::string, std::string> got;
    for (const auto& tag : tags) {
      EXPECT_EQ(names_of(tag), (std::set<std::string>{"Key", "Value"}));
      got[text_of(tag, "Key")] = text_of(tag, "Value");
    }
    EXPECT_EQ(tags.size(), got.size()) << "duplicate tag keys";
    EXPECT_EQ(got, e.tags);
  }
}

inline json regional(const std::string& region, const std::string& ring, const std::string& name) {
  return {{"Trn", key_trn(region, ring, name)}, {"Region", region}};
}

// MultiRegionConfiguration with one replica.
inline json multi_region_config(const std::string& type, const std::string& primary,
                                std::vector<std::string> replicas, const std::string& ring,
                                const std::string& name) {
  json list = json::array();
  for (const auto& r : replicas) list.push_back(regional(r, ring, name));
  return {{"MultiRegionKeyType", type},
          {"PrimaryKey", regional(primary, ring, name)},
          {"ReplicaKeys", list}};
}

struct KeyringExpect {
  std::string id;  // empty: any UUID v4
  std::string region = kRegion;
  std::string name;
  std::string description;  // empty: absent
  TimePoint created;
  TimePoint updated;
  std::optional<int64_t> key_count;    // DescribeKeyrings only
  std::optional<std::string> project;  // QueryKeyring only

  KeyringExpect& in(std::string v) {
    region = std::move(v);
    return *this;
  }
  KeyringExpect& with_description(std::string v) {
    description = std::move(v);
    return *this;
  }
  KeyringExpect& with_key_count(int64_t n) {
    key_count = n;
    return *this;
  }
  KeyringExpect& with_project(std::string v) {
    project = std::move(v);
    return *this;
  }
};

inline KeyringExpect keyring_expect(std::string id, std::string name, TimePoint created,
                                    TimePoint updated) {
  KeyringExpect e;
  e.id = std::move(id);
  e.name = std::move(name);
  e.created = created;
  e.updated = updated;
  return e;
}

// Every field of a Keyring object (§3.2).
inline void expect_keyring(const json& ring, const KeyringExpect& e) {
  SCOPED_TRACE("Keyring " + ring.dump());
  ASSERT_TRUE(ring.is_object());
  std::set<std::string> expected{"ID",  "KeyringName",  "KeyringType", "UID",
                                 "TRN", "CreationDate", "UpdateDate"};
  if (!e.description.empty()) expected.insert("Description");
  if (e.key_count) expected.insert("KeyCount");
  if (e.project) expected.insert("ProjectName");
  EXPECT_EQ(names_of(ring), expected);
  EXPECT_TRUE(is_uuid_v4(ring.value("ID", json()))) << ring.value("ID", json());
  if (!e.id.empty()) {
    EXPECT_EQ(ring.value("ID", json()), e.id);
  }
  EXPECT_EQ(ring.value("KeyringName", json()), e.name);
  EXPECT_EQ(ring.value("KeyringType", json()), "CustomKeyring");
  EXPECT_EQ(ring.value("UID", json()), kAccount);
  // Upper-case field name "TRN" on keyrings, mixed-case "Trn" on keys (§3.2).
  EXPECT_EQ(ring.value("TRN", json()), keyring_trn(e.region, e.name));
  if (!e.description.empty()) {
    EXPECT_EQ(ring.value("Description", json()), e.description);
  }
  ASSERT_TRUE(ring.value("CreationDate", json()).is_number_integer());
  ASSERT_TRUE(ring.value("UpdateDate", json()).is_number_integer());
  EXPECT_EQ(ring["CreationDate"].get<int64_t>(), seconds_of(e.created));
  EXPECT_EQ(ring["UpdateDate"].get<int64_t>(), millis_of(e.updated));
  if (e.key_count) {
    ASSERT_TRUE(ring.value("KeyCount", json()).is_number_integer());
    EXPECT_EQ(ring["KeyCount"].get<int64_t>(), *e.key_count);
  }
  if (e.project) {
    EXPECT_EQ(ring.value("ProjectName", json()), *e.project);
  }
}

inline void expect_page_info(const json& page, int64_t total, int64_t size, int64_t current,
                             int64_t count) {
  SCOPED_TRACE("PageInfo " + page.dump());
  ASSERT_TRUE(page.is_object());
  EXPECT_EQ(names_of(page),
            (std::set<std::string>{"TotalCount", "PageSize", "CurrentPage", "Count"}));
  for (const char* name : {"TotalCount", "PageSize", "CurrentPage", "Count"}) {
    EXPECT_TRUE(page.value(name, json()).is_number_integer()) << name;
  }
  EXPECT_EQ(page.value("TotalCount", json()), total);
  EXPECT_EQ(page.value("PageSize", json()), size);
  EXPECT_EQ(page.value("CurrentPage", json()), current);
  EXPECT_EQ(page.value("Count", json()), count);
}

// --- the fixture ------------------------------------------------------------------------------

enum class Has { Result, NoResult };

class OperationsTest : public VolcengineServerTest {
 protected:
  TimePoint now() const { return clock_->now(); }

  client::CallOptions in_region(const std::string& region,
                                client::Placement placement = client::Placement::JsonBody) {
    client::CallOptions options;
    options.region = region;
    options.placement = placement;
    return options;
  }
  client::CallOptions placed(client::Placement placement,
                             volcengine::SignerStyle style = volcengine::SignerStyle::Node) {
    client::CallOptions options;
    options.placement = placement;
    options.style = style;
    return options;
  }

  // The success envelope of §1.2, checked field by field. Returns Result (null when absent).
  json check_success(const client::CallResult& r, const std::string& action, Has has,
                     const std::string& region) {
    SCOPED_TRACE(action + " -> " + r.response.body);
    EXPECT_EQ(r.response.status, 200);
    auto content_type = r.response.headers.find("Content-Type");
    std::string type = content_type == r.response.headers.end() ? "" : content_type->second;
    EXPECT_NE(type.find("application/json"), std::string::npos) << type;
    json body = json::parse(r.response.body, nullptr, false);
    if (!body.is_object()) {
      ADD_FAILURE() << "body is not a JSON object";
      return json();
    }
    std::set<std::string> top{"ResponseMetadata"};
    if (has == Has::Result) top.insert("Result");
    EXPECT_EQ(names_of(body), top);
    json meta = body.value("ResponseMetadata", json());
    EXPECT_EQ(names_of(meta),
              (std::set<std::string>{"RequestId", "Action", "Version", "Service", "Region"}));
    std::string id = meta.value("RequestId", "");
    static const std::regex id_re("^[0-9]{14}[0-9A-F]{18,20}$");
    EXPECT_TRUE(std::regex_match(id, id_re)) << id;
    EXPECT_EQ(id.substr(0, 14), beijing_stamp(now())) << "RequestId starts with UTC+8 time";
    EXPECT_EQ(meta.value("Action", json()), action);
    EXPECT_EQ(meta.value("Version", json()), kApiVersionText);
    EXPECT_EQ(meta.value("Service", json()), "kms");
    EXPECT_EQ(meta.value("Region", json()), region);
    if (has == Has::NoResult) return json();
    json result = body.value("Result", json());
    EXPECT_TRUE(result.is_object());
    return result;
  }

  // A call that must succeed with the §1.2 envelope; returns Result (null when it has none).
  json success(const std::string& action, const json& params, Has has,
               client::CallOptions options = {}) {
    std::string region = options.region.empty() ? kRegion : options.region;
    auto r = call(action, params, std::move(options));
    return check_success(r, action, has, region);
  }

  // A business error (§1.3): status, Error.Code, Error.Message, no Result.
  void expect_error(const client::CallResult& r, int status, const std::string& code,
                    const std::string& message = "") {
    SCOPED_TRACE(r.response.body);
    EXPECT_EQ(r.response.status, status);
    EXPECT_EQ(r.parsed.error_code.value_or(""), code);
    if (!message.empty()) {
      EXPECT_EQ(r.parsed.message, message);
    }
    EXPECT_EQ(r.parsed.result, nullptr);
  }

  json describe_key(const std::string& id, client::CallOptions options = {}) {
    return success("DescribeKey", {{"KeyID", id}}, Has::Result, std::move(options))["Key"];
  }

  std::string encrypt(const std::string& id, const std::string& plaintext,
                      const json& context = json()) {
    json params{{"KeyID", id}, {"Plaintext", base64_encode(plaintext)}};
    if (!context.is_null()) params["EncryptionContext"] = context;
    return success("Encrypt", params, Has::Result).value("CiphertextBlob", "");
  }

  std::string decrypt(const std::string& blob, const json& context = json(),
                      client::CallOptions options = {}) {
    json params{{"CiphertextBlob", blob}};
    if (!context.is_null()) params["EncryptionContext"] = context;
    return unbase64(
        success("Decrypt", params, Has::Result, std::move(options)).value("Plaintext", json()));
  }
};

}  // namespace kmsconf::testing
