// Shared checks of the Alibaba operations tests: the success envelope of spec §1.4, the error
// envelope of §1.5, and the KeyMetadata object of §3.1 / the DescribeKey seed page, field by
// field. Expected values (times, ARNs) are computed here from the test's own clock, independently
// of the server's formatters. Also the caller-side crypto the tests need (an RSA key pair for
// exported data keys, AES-GCM for checking imported material).
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "protocol/alibaba/envelope.hpp"
#include "protocol/alibaba/errors.hpp"
#include "protocol/encoding.hpp"
#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing {

using alibaba::ErrorCode;
using client::AlibabaSigning;
using engine::TimePoint;
using nlohmann::json;

// --- formats ----------------------------------------------------------------------------------

inline std::chrono::hours days(int n) {
  return std::chrono::hours(24 * n);
}

inline int64_t seconds_of(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// ISO-8601 UTC, second precision (§1.4): 2021-05-20T06:34:21Z. Truncates, as a wire time of a
// sub-second instant must not name a later second.
inline std::string iso_z(TimePoint t) {
  using namespace std::chrono;
  auto whole = floor<seconds>(t);
  auto day = floor<std::chrono::days>(whole);
  year_month_day ymd{day};
  hh_mm_ss hms{whole - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

inline bool is_iso_z(const json& value) {
  static const std::regex re("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");
  return value.is_string() && std::regex_match(value.get<std::string>(), re);
}

// RequestId: a UUID, either case (§1.4, §4.5).
inline bool is_uuid_any_case(const json& value) {
  static const std::regex re(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return value.is_string() && std::regex_match(value.get<std::string>(), re);
}

// KeyId / KeyVersionId of the shared gateway: lowercase UUID v4 (§4.5).
inline bool is_uuid_v4(const json& value) {
  static const std::regex re(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return value.is_string() && std::regex_match(value.get<std::string>(), re);
}

// Standard base64 with padding (§1.2), non-empty, and decodable.
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

inline std::string b64(std::string_view bytes) {
  return base64_encode(bytes);
}

inline std::string key_arn(const std::string& id) {
  return std::string("acs:kms:") + kAliRegion + ":" + kAliAccount + ":key/" + id;
}
inline std::string alias_arn(const std::string& alias) {
  return std::string("acs:kms:") + kAliRegion + ":" + kAliAccount + ":" + alias;
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

// PEM (SubjectPublicKeyInfo) -> DER; "" when it is not exactly one PUBLIC KEY block.
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

// --- the caller's own crypto ------------------------------------------------------------------

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

inline const EVP_MD* oaep_md(const std::string& algorithm) {
  return algorithm == "RSAES_OAEP_SHA_1" ? EVP_sha1() : EVP_sha256();
}

// An RSA key pair made by the test, as a client exporting data keys to itself would have.
class RsaKeyPair {
 public:
  explicit RsaKeyPair(unsigned bits = 2048) : key_(EVP_RSA_gen(bits), EVP_PKEY_free) {}

  bool valid() const { return key_ != nullptr; }

  // SubjectPublicKeyInfo DER (the PublicKeyBlob of §3.5, base64 on the wire).
  std::string public_der() const {
    unsigned char* out = nullptr;
    int n = i2d_PUBKEY(key_.get(), &out);
    if (n <= 0) return {};
    std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
    OPENSSL_free(out);
    return der;
  }

  // RSAES-OAEP decryption, MGF1 with the same hash; nullopt when it does not decrypt.
  std::optional<std::string> oaep_decrypt(const std::string& ciphertext,
                                          const std::string& algorithm) const {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key_.get(), nullptr), EVP_PKEY_CTX_free);
    const EVP_MD* md = oaep_md(algorithm);
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) <= 0) {
      return std::nullopt;
    }
    auto in = reinterpret_cast<const unsigned char*>(ciphertext.data());
    size_t length = 0;
    if (EVP_PKEY_decrypt(ctx.get(), nullptr, &length, in, ciphertext.size()) <= 0) {
      return std::nullopt;
    }
    std::string out(length, '\0');
    if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, in,
                         ciphertext.size()) <= 0) {
      return std::nullopt;
    }
    out.resize(length);
    return out;
  }

 private:
  PkeyPtr key_;
};

// RSAES-OAEP encryption to a DER SubjectPublicKeyInfo (a KMS public key, from GetPublicKey).
inline std::optional<std::string> oaep_encrypt_to(const std::string& spki_der,
                                                  const std::string& plaintext,
                                                  const std::string& algorithm) {
  auto p = reinterpret_cast<const unsigned char*>(spki_der.data());
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())), EVP_PKEY_free);
  if (!key) return std::nullopt;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  const EVP_MD* md = oaep_md(algorithm);
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) <= 0) {
    return std::nullopt;
  }
  auto in = reinterpret_cast<const unsigned char*>(plaintext.data());
  size_t length = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &length, in, plaintext.size()) <= 0) {
    return std::nullopt;
  }
  std::string out(length, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, in,
                       plaintext.size()) <= 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

// Bits of an RSA DER SubjectPublicKeyInfo; 0 when it is not one.
inline int rsa_bits(const std::string& spki_der) {
  auto p = reinterpret_cast<const unsigned char*>(spki_der.data());
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())), EVP_PKEY_free);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) return 0;
  return EVP_PKEY_get_bits(key.get());
}

// AES-256-GCM open of a reference-layout blob (§4.7 / §6.1: KeyVersionId(36) | IV(12) |
// ciphertext | tag(16)) with known key bytes and an empty context (no AAD).
inline std::optional<std::string> open_blob_with(const std::string& key, const std::string& blob) {
  if (key.size() != 32 || blob.size() < 36 + 12 + 16) return std::nullopt;
  std::string iv = blob.substr(36, 12);
  std::string body = blob.substr(48, blob.size() - 48 - 16);
  std::string tag = blob.substr(blob.size() - 16);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  auto u = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  std::string out(body.size(), '\0');
  int n = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u(key), u(iv)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, u(body),
                        static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, const_cast<char*>(tag.data())) !=
          1) {
    return std::nullopt;
  }
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) !=
      1) {
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(n + tail));
  return out;
}

// --- KeyMetadata ------------------------------------------------------------------------------

// What a KeyMetadata object must say. Defaults are a fresh Aliyun_AES_256 key.
struct MetaExpect {
  std::string id;  // empty: any UUID v4
  std::string spec = "Aliyun_AES_256";
  std::string usage = "ENCRYPT/DECRYPT";
  std::string state = "Enabled";
  std::string origin = "Aliyun_KMS";
  std::string protection = "SOFTWARE";
  std::string description;
  TimePoint created;
  std::string rotation = "Disabled";          // AutomaticRotation
  std::string interval;                       // RotationInterval, e.g. "31536000s"
  std::optional<TimePoint> next_rotation;     // NextRotationDate
  std::optional<TimePoint> last_rotation;     // LastRotationDate; unset: = created
  std::string primary_version;                // PrimaryKeyVersion value, empty: any UUID v4
  std::optional<TimePoint> delete_date;       // DeleteDate, only in PendingDeletion
  std::optional<TimePoint> material_expires;  // MaterialExpireTime; unset: ""
  bool describe = false;                      // DescribeKey: DeletionProtection* fields
  bool deletion_protection = false;
  std::string deletion_protection_description;
  std::string instance;  // DKMSInstanceId; empty: absent

  bool symmetric() const { return spec.rfind("Aliyun_", 0) == 0; }
};

inline MetaExpect meta_expect(std::string id, TimePoint created) {
  MetaExpect e;
  e.id = std::move(id);
  e.created = created;
  return e;
}

// Every field of a KeyMetadata object (§3.1 and the DescribeKey seed table): presence, JSON type,
// value and format.
inline void expect_key_metadata(const json& meta, const MetaExpect& e) {
  SCOPED_TRACE("KeyMetadata " + meta.dump());
  ASSERT_TRUE(meta.is_object());
  std::set<std::string> expected{"KeyId",
                                 "Arn",
                                 "Description",
                                 "KeySpec",
                                 "KeyUsage",
                                 "KeyState",
                                 "Origin",
                                 "ProtectionLevel",
                                 "Creator",
                                 "CreationDate",
                                 "AutomaticRotation",
                                 "MaterialExpireTime",
                                 "LastRotationDate"};
  if (e.symmetric()) expected.insert("PrimaryKeyVersion");
  if (e.delete_date) expected.insert("DeleteDate");
  if (e.rotation != "Disabled") {
    expected.insert("RotationInterval");
    expected.insert("NextRotationDate");
  }
  if (e.describe) {
    expected.insert("DeletionProtection");
    expected.insert("DeletionProtectionDescription");
  }
  if (!e.instance.empty()) expected.insert("DKMSInstanceId");
  EXPECT_EQ(names_of(meta), expected);
  for (const auto& [name, value] : meta.items()) {
    EXPECT_TRUE(value.is_string()) << name << " is not a string";
  }

  EXPECT_TRUE(is_uuid_v4(meta.value("KeyId", json()))) << meta.value("KeyId", json());
  std::string id = meta.value("KeyId", "");
  if (!e.id.empty()) {
    EXPECT_EQ(id, e.id);
  }
  EXPECT_EQ(meta.value("Arn", json()), key_arn(id));
  EXPECT_EQ(meta.value("Description", json()), e.description);
  EXPECT_EQ(meta.value("KeySpec", json()), e.spec);
  EXPECT_EQ(meta.value("KeyUsage", json()), e.usage);
  EXPECT_EQ(meta.value("KeyState", json()), e.state);
  EXPECT_EQ(meta.value("Origin", json()), e.origin);
  EXPECT_EQ(meta.value("ProtectionLevel", json()), e.protection);
  EXPECT_EQ(meta.value("Creator", json()), kAliAccount);
  static const std::regex uid("^[0-9]{16}$");
  EXPECT_TRUE(std::regex_match(meta.value("Creator", ""), uid)) << "Creator is the account UID";

  auto time_field = [&](const char* name, TimePoint t) {
    EXPECT_TRUE(is_iso_z(meta.value(name, json()))) << name << ": " << meta.value(name, json());
    EXPECT_EQ(meta.value(name, json()), iso_z(t)) << name;
  };
  time_field("CreationDate", e.created);
  time_field("LastRotationDate", e.last_rotation.value_or(e.created));
  if (e.delete_date) time_field("DeleteDate", *e.delete_date);
  if (e.material_expires) {
    time_field("MaterialExpireTime", *e.material_expires);
  } else {
    EXPECT_EQ(meta.value("MaterialExpireTime", json()), "") << "never expires: empty";
  }

  EXPECT_EQ(meta.value("AutomaticRotation", json()), e.rotation);
  if (e.rotation != "Disabled") {
    static const std::regex seconds("^[1-9][0-9]*s$");
    EXPECT_TRUE(std::regex_match(meta.value("RotationInterval", ""), seconds));
    EXPECT_EQ(meta.value("RotationInterval", json()), e.interval);
    if (e.next_rotation) time_field("NextRotationDate", *e.next_rotation);
  }
  if (e.symmetric()) {
    EXPECT_TRUE(is_uuid_v4(meta.value("PrimaryKeyVersion", json())));
    if (!e.primary_version.empty()) {
      EXPECT_EQ(meta.value("PrimaryKeyVersion", json()), e.primary_version);
    }
  }
  if (e.describe) {
    EXPECT_EQ(meta.value("DeletionProtection", json()),
              e.deletion_protection ? "Enabled" : "Disabled");
    EXPECT_EQ(meta.value("DeletionProtectionDescription", json()),
              e.deletion_protection_description);
  }
  if (!e.instance.empty()) {
    EXPECT_EQ(meta.value("DKMSInstanceId", json()), e.instance);
  }
}

// --- the fixture ------------------------------------------------------------------------------

inline client::AlibabaCallOptions signed_with(AlibabaSigning signing,
                                              const std::string& method = "POST") {
  client::AlibabaCallOptions options;
  options.signing = signing;
  options.method = method;
  return options;
}

inline const char* signing_name(AlibabaSigning signing) {
  switch (signing) {
    case AlibabaSigning::V1PopCore:
      return "V1PopCore";
    case AlibabaSigning::V1Tea:
      return "V1Tea";
    case AlibabaSigning::V3:
      return "V3";
    case AlibabaSigning::V3FormBody:
      return "V3FormBody";
  }
  return "?";
}

class AlibabaOperationsTest : public AlibabaServerTest {
 protected:
  TimePoint now() const { return clock_->now(); }

  // The success envelope of §1.4, checked field by field: 200, JSON content type, RequestId (a
  // UUID, the same as the x-acs-request-id header), no Code, and exactly `fields` besides.
  json check_success(const client::AlibabaCallResult& r, const std::string& action,
                     const std::set<std::string>& fields) {
    SCOPED_TRACE(action + " -> " + r.response.body);
    EXPECT_EQ(r.response.status, 200);
    auto type = r.response.headers.find("Content-Type");
    EXPECT_TRUE(type != r.response.headers.end() && type->second == alibaba::kJsonContentType);
    json body = json::parse(r.response.body, nullptr, false);
    if (!body.is_object()) {
      ADD_FAILURE() << "body is not a JSON object";
      return json::object();
    }
    std::set<std::string> top = fields;
    top.insert("RequestId");
    EXPECT_EQ(names_of(body), top);
    EXPECT_FALSE(body.contains("Code")) << "no Code in a success body (pop-core reads it)";
    EXPECT_TRUE(is_uuid_any_case(body.value("RequestId", json())));
    auto header = r.response.headers.find(std::string(alibaba::kRequestIdHeader));
    EXPECT_TRUE(header != r.response.headers.end());
    if (header != r.response.headers.end()) {
      EXPECT_EQ(body.value("RequestId", json()), header->second);
    }
    return body;
  }

  // A call that must succeed with exactly these fields; returns the whole body.
  json success(const std::string& action, const json& params, const std::set<std::string>& fields,
               client::AlibabaCallOptions options = {}) {
    auto r = call(action, params, std::move(options));
    return check_success(r, action, fields);
  }

  // An operation that answers with RequestId only.
  void done(const std::string& action, const json& params,
            client::AlibabaCallOptions options = {}) {
    success(action, params, {}, std::move(options));
  }

  // The error envelope of §1.5 for a catalog code: status, Code, Message, RequestId (= header),
  // HostId (the endpoint host), Recommend (naming the code).
  void expect_error(const client::AlibabaCallResult& r, ErrorCode code) {
    const auto& info = alibaba::error_info(code);
    SCOPED_TRACE(std::string(info.wire_code) + " expected, got " + r.response.body);
    EXPECT_EQ(r.response.status, info.http_status);
    json body = json::parse(r.response.body, nullptr, false);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body.value("Code", json()), info.wire_code);
    EXPECT_TRUE(body.value("Message", json()).is_string());
    EXPECT_FALSE(body.value("Message", "").empty());
    EXPECT_TRUE(is_uuid_any_case(body.value("RequestId", json())));
    auto header = r.response.headers.find(std::string(alibaba::kRequestIdHeader));
    EXPECT_TRUE(header != r.response.headers.end() &&
                header->second == body.value("RequestId", ""));
    EXPECT_EQ(body.value("HostId", json()), std::string(r.request.header("Host")));
    EXPECT_NE(body.value("Recommend", "").find(info.wire_code), std::string::npos);
  }

  void expect_error(const std::string& action, const json& params, ErrorCode code,
                    client::AlibabaCallOptions options = {}) {
    SCOPED_TRACE(action);
    expect_error(call(action, params, std::move(options)), code);
  }

  json describe(const std::string& key_id, client::AlibabaCallOptions options = {}) {
    return success("DescribeKey", {{"KeyId", key_id}}, {"KeyMetadata"},
                   std::move(options))["KeyMetadata"];
  }

  json encrypt(const std::string& key_id, const std::string& plaintext,
               const json& context = json()) {
    json params{{"KeyId", key_id}, {"Plaintext", b64(plaintext)}};
    if (!context.is_null()) params["EncryptionContext"] = context;
    return success("Encrypt", params, {"CiphertextBlob", "KeyId", "KeyVersionId"});
  }

  // Plaintext bytes of a blob (Decrypt must succeed).
  std::string decrypt(const std::string& blob, const json& context = json()) {
    json params{{"CiphertextBlob", blob}};
    if (!context.is_null()) params["EncryptionContext"] = context;
    return unbase64(success("Decrypt", params, {"Plaintext", "KeyId", "KeyVersionId"})
                        .value("Plaintext", json()));
  }

  std::vector<json> items(const json& body, const char* outer, const char* inner) {
    json list = body.value(outer, json::object()).value(inner, json());
    EXPECT_TRUE(list.is_array()) << outer << "." << inner << " in " << body.dump();
    if (!list.is_array()) return {};
    return list.get<std::vector<json>>();
  }

  // TotalCount/PageNumber/PageSize: integers with these values.
  void expect_paging(const json& body, int64_t total, int64_t number, int64_t size) {
    for (const char* name : {"TotalCount", "PageNumber", "PageSize"}) {
      EXPECT_TRUE(body.value(name, json()).is_number_integer()) << name << " in " << body.dump();
    }
    EXPECT_EQ(body.value("TotalCount", json()), total);
    EXPECT_EQ(body.value("PageNumber", json()), number);
    EXPECT_EQ(body.value("PageSize", json()), size);
  }
};

}  // namespace kmsconf::testing
