// Spec §4.2 over HTTP: every (operation x key state) cell, one test each. The expectation of
// each cell is written down below from the spec's tables -- the documented [D] rows and the
// reference server's [I] extension rows -- not from the server's policy (names.cpp), so a wrong
// server table fails here. A refused cell must answer exactly its code (409 Rejected.<State> or
// Rejected.StateModifiedFailed, 400 Rejected.UnsupportedOperation) and leave the key's state
// alone; an allowed cell must succeed and leave the key in the state the spec names (-> X) or
// unchanged.
//
// Which key a row acts on, and the substitutions where the spec's cell cannot be reached:
//  - PendingImport exists only for Origin=EXTERNAL keys (§4.1), and EXTERNAL is allowed with
//    symmetric specs only (§3.2 CreateKey). So the PendingImport column always uses an EXTERNAL
//    Aliyun_AES_256 key. For the asymmetric rows (AsymmetricEncrypt/Decrypt/Sign/Verify,
//    GetPublicKey, CreateKeyVersion) that is a substitution: the key state is checked before
//    the key's kind, so the cell still answers the state's code (CreateKeyVersion answers
//    Rejected.UnsupportedOperation either way).
//  - GenerateMac/VerifyMac: no KeySpec/KeyUsage of this dialect (§4.6) makes a MAC key (the
//    spec has them on KMS-instance HMAC keys only, §3.5), so these rows run on an
//    Aliyun_AES_256 key. Refused cells still answer the state's code; the Enabled cell ("ok" in
//    the spec) passes the state check and is then refused for the key's usage with
//    Rejected.UnsupportedOperation -- the only way "ok" can show over this dialect.
//  - The import rows use an EXTERNAL key in every column; outside PendingImport its material
//    was imported first (PendingImport -> Enabled) before the key was moved on.
//  - Decrypt, ExportDataKey and ReEncrypt (source) take no KeyId: the blob names the key. In
//    PendingImport the blob comes from an EXTERNAL key that had material, encrypted, then lost
//    its material through DeleteKeyMaterial (Enabled -> PendingImport, §4.1).
//  - UpdateAlias: "target key only" (§4.2): an existing alias of an Enabled key is pointed at
//    the key under test.
#include <array>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "tests/reference_server/alibaba/client_crypto.hpp"
#include "tests/reference_server/alibaba/error_support.hpp"
#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing {
namespace {

using alibaba::ErrorCode;
using nlohmann::json;

// Columns in the spec's order.
enum State : size_t { Enabled, Disabled, PendingDeletion, PendingImport, kStates };
constexpr std::array<const char*, kStates> kStateNames{"Enabled", "Disabled", "PendingDeletion",
                                                       "PendingImport"};

enum class Kind {
  Symmetric,      // Aliyun_AES_256, ENCRYPT/DECRYPT
  RsaEncryption,  // RSA_2048, ENCRYPT/DECRYPT
  EcSigning,      // EC_P256, SIGN/VERIFY
  Mac,            // no such key here: Aliyun_AES_256 stands in (see above)
  Imported,       // Origin=EXTERNAL Aliyun_AES_256 in every column
};

struct Cell {
  std::optional<ErrorCode> error;  // nullopt: the call succeeds
  const char* after = nullptr;     // state after success; nullptr = unchanged
};
constexpr Cell ok{};
constexpr Cell to(const char* state) {
  return {std::nullopt, state};
}
constexpr Cell no(ErrorCode code) {
  return {code, nullptr};
}
constexpr Cell D = no(ErrorCode::RejectedDisabled);
constexpr Cell PD = no(ErrorCode::RejectedPendingDeletion);
constexpr Cell PI = no(ErrorCode::RejectedPendingImport);
constexpr Cell SMF = no(ErrorCode::RejectedStateModifiedFailed);
constexpr Cell U = no(ErrorCode::RejectedUnsupportedOperation);

struct Row {
  const char* name;    // the spec's row, as the test name shows it
  const char* action;  // the wire Action
  Kind kind;
  bool documented;  // [D] row; false: the [I] extension
  std::array<Cell, kStates> cells;
};

constexpr std::array<Cell, kStates> kLikeEncrypt{ok, D, PD, PI};
constexpr std::array<Cell, kStates> kAlwaysOk{ok, ok, ok, ok};

// Spec §4.2, row by row.
const std::vector<Row>& spec_table() {
  static const std::vector<Row> rows{
      // Documented [D].
      {"CreateKey", "CreateKey", Kind::Symmetric, true, kAlwaysOk},
      {"GenerateDataKey", "GenerateDataKey", Kind::Symmetric, true, kLikeEncrypt},
      {"Encrypt", "Encrypt", Kind::Symmetric, true, kLikeEncrypt},
      {"Decrypt", "Decrypt", Kind::Symmetric, true, kLikeEncrypt},
      {"ListKeys", "ListKeys", Kind::Symmetric, true, kAlwaysOk},
      {"DescribeKey", "DescribeKey", Kind::Symmetric, true, kAlwaysOk},
      {"DeleteAlias", "DeleteAlias", Kind::Symmetric, true, kAlwaysOk},
      {"ListAliases", "ListAliases", Kind::Symmetric, true, kAlwaysOk},
      {"EnableKey", "EnableKey", Kind::Symmetric, true, {ok, to("Enabled"), SMF, SMF}},
      {"DisableKey", "DisableKey", Kind::Symmetric, true, {to("Disabled"), ok, SMF, SMF}},
      {"ScheduleKeyDeletion",
       "ScheduleKeyDeletion",
       Kind::Symmetric,
       true,
       {to("PendingDeletion"), to("PendingDeletion"), SMF, to("PendingDeletion")}},
      {"CancelKeyDeletion",
       "CancelKeyDeletion",
       Kind::Symmetric,
       true,
       {SMF, SMF, to("Enabled"), SMF}},
      {"CreateAlias", "CreateAlias", Kind::Symmetric, true, {ok, ok, SMF, ok}},
      {"UpdateAlias", "UpdateAlias", Kind::Symmetric, true, {ok, ok, PD, ok}},
      {"GetParametersForImport", "GetParametersForImport", Kind::Imported, true, kAlwaysOk},
      // §3.7 / §4.1: -> PendingImport, unless PendingDeletion (state unchanged).
      {"DeleteKeyMaterial",
       "DeleteKeyMaterial",
       Kind::Imported,
       true,
       {to("PendingImport"), to("PendingImport"), ok, ok}},
      {"ImportKeyMaterial",
       "ImportKeyMaterial",
       Kind::Imported,
       true,
       {ok, ok, SMF, to("Enabled")}},
      // Extension [I]: "like Encrypt".
      {"GenerateDataKeyWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", Kind::Symmetric, false,
       kLikeEncrypt},
      {"GenerateAndExportDataKey", "GenerateAndExportDataKey", Kind::Symmetric, false,
       kLikeEncrypt},
      {"ExportDataKey", "ExportDataKey", Kind::Symmetric, false, kLikeEncrypt},
      {"ReEncryptSource", "ReEncrypt", Kind::Symmetric, false, kLikeEncrypt},
      {"ReEncryptDestination", "ReEncrypt", Kind::Symmetric, false, kLikeEncrypt},
      {"AsymmetricEncrypt", "AsymmetricEncrypt", Kind::RsaEncryption, false, kLikeEncrypt},
      {"AsymmetricDecrypt", "AsymmetricDecrypt", Kind::RsaEncryption, false, kLikeEncrypt},
      {"AsymmetricSign", "AsymmetricSign", Kind::EcSigning, false, kLikeEncrypt},
      {"AsymmetricVerify", "AsymmetricVerify", Kind::EcSigning, false, kLikeEncrypt},
      {"GenerateMac", "GenerateMac", Kind::Mac, false, kLikeEncrypt},
      {"VerifyMac", "VerifyMac", Kind::Mac, false, kLikeEncrypt},
      {"GetPublicKey", "GetPublicKey", Kind::RsaEncryption, false, kLikeEncrypt},
      // Extension [I]: "ok in every state".
      {"UpdateKeyDescription", "UpdateKeyDescription", Kind::Symmetric, false, kAlwaysOk},
      {"TagResource", "TagResource", Kind::Symmetric, false, kAlwaysOk},
      {"UntagResource", "UntagResource", Kind::Symmetric, false, kAlwaysOk},
      {"ListResourceTags", "ListResourceTags", Kind::Symmetric, false, kAlwaysOk},
      {"TagResources", "TagResources", Kind::Symmetric, false, kAlwaysOk},
      {"UntagResources", "UntagResources", Kind::Symmetric, false, kAlwaysOk},
      {"ListTagResources", "ListTagResources", Kind::Symmetric, false, kAlwaysOk},
      {"ListKeyVersions", "ListKeyVersions", Kind::Symmetric, false, kAlwaysOk},
      {"DescribeKeyVersion", "DescribeKeyVersion", Kind::Symmetric, false, kAlwaysOk},
      {"ListAliasesByKeyId", "ListAliasesByKeyId", Kind::Symmetric, false, kAlwaysOk},
      // Extension [I]: the rest.
      {"SetDeletionProtection", "SetDeletionProtection", Kind::Symmetric, false, {ok, ok, PD, ok}},
      {"UpdateRotationPolicy", "UpdateRotationPolicy", Kind::Symmetric, false, {ok, U, U, U}},
      {"CreateKeyVersion", "CreateKeyVersion", Kind::EcSigning, false, {ok, U, U, U}},
  };
  return rows;
}

const std::string kPlaintext = base64_encode("state matrix plaintext");
const std::string kDigest = base64_encode(std::string(32, '\x42'));  // a SHA-256-sized digest
const std::string kMaterial(32, '\x6b');                             // Aliyun_AES_256 material
constexpr const char* kAlias = "alias/subject";
constexpr const char* kMovingAlias = "alias/moving";

// The key a cell acts on and what was made with it while it was still usable.
struct Subject {
  std::string key_id;
  std::string version_id;       // its first version
  std::string ciphertext;       // Encrypt blob, made while Enabled
  std::string asym_ciphertext;  // AsymmetricEncrypt output (or filler)
  std::string signature;        // AsymmetricSign output over kDigest (or filler)
  std::string helper_id;        // an Enabled Aliyun_AES_256 key (ReEncrypt, UpdateAlias)
  std::string helper_blob;      // Encrypt blob of the helper
  std::string import_token;     // a live import session
  std::string wrapped_material;
};

using CellParam = std::tuple<size_t, size_t>;  // row index, state

class AlibabaKeyStateMatrixTest : public AlibabaServerTest,
                                  public ::testing::WithParamInterface<CellParam> {
 protected:
  const Row& row() const { return spec_table()[std::get<0>(GetParam())]; }
  State state() const { return static_cast<State>(std::get<1>(GetParam())); }
  bool named(const char* name) const { return std::string(row().name) == name; }

  std::string key_state(const std::string& id) {
    auto r = call("DescribeKey", {{"KeyId", id}});
    EXPECT_TRUE(r.ok()) << "DescribeKey " << id << ": " << r.parsed.message;
    return r.body()["KeyMetadata"].value("KeyState", "");
  }

  void open_import_session(Subject& s) {
    json p = ok("GetParametersForImport", {{"KeyId", s.key_id},
                                           {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                                           {"WrappingKeySpec", "RSA_2048"}});
    s.import_token = p.value("ImportToken", "");
    auto der = base64_decode(p.value("PublicKey", ""));
    ASSERT_TRUE(der.has_value());
    s.wrapped_material = base64_encode(ali::wrap_oaep_sha256(*der, kMaterial));
    ASSERT_FALSE(s.wrapped_material.empty());
  }

  void import_material(Subject& s) {
    open_import_session(s);
    if (::testing::Test::HasFatalFailure()) return;
    ok("ImportKeyMaterial", {{"KeyId", s.key_id},
                             {"EncryptedKeyMaterial", s.wrapped_material},
                             {"ImportToken", s.import_token}});
    ASSERT_EQ(key_state(s.key_id), "Enabled");
  }

  json create_params(bool external) const {
    if (external) return {{"Origin", "EXTERNAL"}};
    switch (row().kind) {
      case Kind::RsaEncryption:
        return {{"KeySpec", "RSA_2048"}, {"KeyUsage", "ENCRYPT/DECRYPT"}};
      case Kind::EcSigning:
        return {{"KeySpec", "EC_P256"}, {"KeyUsage", "SIGN/VERIFY"}};
      case Kind::Symmetric:
      case Kind::Mac:
      case Kind::Imported:
        break;
    }
    return json::object();
  }

  // Builds the subject of this cell, in the cell's state.
  Subject prepare() {
    const Kind kind = row().kind;
    const bool pending_import = state() == PendingImport;
    const bool external = pending_import || kind == Kind::Imported;
    const bool needs_blob = named("Decrypt") || named("ExportDataKey") || named("ReEncryptSource");
    Subject s;
    s.helper_id = create_key();
    s.helper_blob = ok("Encrypt", {{"KeyId", s.helper_id}, {"Plaintext", kPlaintext}})
                        .value("CiphertextBlob", "");
    ok("CreateAlias", {{"KeyId", s.helper_id}, {"AliasName", kMovingAlias}});
    s.key_id = create_key(create_params(external));
    if (::testing::Test::HasFatalFailure()) return s;
    s.version_id =
        ok("ListKeyVersions", {{"KeyId", s.key_id}})["KeyVersions"]["KeyVersion"][0].value(
            "KeyVersionId", "");
    // Fillers where nothing can be made with the key: the state decides before the bytes do.
    s.asym_ciphertext = base64_encode(std::string(256, '\x01'));
    s.signature = base64_encode(std::string(72, '\x02'));

    // Made while the key is usable; all of it is allowed in every state or done while Enabled.
    if (external && (!pending_import || needs_blob)) import_material(s);
    if (::testing::Test::HasFatalFailure()) return s;
    if (!pending_import || needs_blob) {
      switch (kind) {
        case Kind::Symmetric:
        case Kind::Imported:
        case Kind::Mac:
          s.ciphertext = ok("Encrypt", {{"KeyId", s.key_id}, {"Plaintext", kPlaintext}})
                             .value("CiphertextBlob", "");
          break;
        case Kind::RsaEncryption:
          s.asym_ciphertext = ok("AsymmetricEncrypt", {{"KeyId", s.key_id},
                                                       {"KeyVersionId", s.version_id},
                                                       {"Algorithm", "RSAES_OAEP_SHA_256"},
                                                       {"Plaintext", kPlaintext}})
                                  .value("CiphertextBlob", "");
          break;
        case Kind::EcSigning:
          s.signature = ok("AsymmetricSign", {{"KeyId", s.key_id},
                                              {"KeyVersionId", s.version_id},
                                              {"Algorithm", "ECDSA_SHA_256"},
                                              {"Digest", kDigest}})
                            .value("Value", "");
          break;
      }
    }
    ok("CreateAlias", {{"KeyId", s.key_id}, {"AliasName", kAlias}});
    ok("TagResource", {{"KeyId", s.key_id}, {"Tags", R"([{"TagKey":"k1","TagValue":"v1"}])"}});
    if (kind == Kind::Imported) open_import_session(s);
    if (::testing::Test::HasFatalFailure()) return s;

    switch (state()) {
      case Enabled:
        break;
      case Disabled:
        ok("DisableKey", {{"KeyId", s.key_id}});
        break;
      case PendingDeletion:
        ok("ScheduleKeyDeletion", {{"KeyId", s.key_id}, {"PendingWindowInDays", 7}});
        break;
      case PendingImport:
        if (needs_blob) ok("DeleteKeyMaterial", {{"KeyId", s.key_id}});
        break;
      case kStates:
        break;
    }
    EXPECT_EQ(key_state(s.key_id), kStateNames[state()]) << "setup";
    return s;
  }

  json params_for(const Subject& s) const {
    const std::string name = row().name;
    const std::string& id = s.key_id;
    const json export_to{{"PublicKeyBlob", base64_encode(ali::rsa2048_public_key_der())},
                         {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                         {"WrappingKeySpec", "RSA_2048"}};
    auto merged = [](json a, const json& b) {
      a.update(b);
      return a;
    };
    if (name == "CreateKey") return json::object();
    if (name == "ListKeys" || name == "ListAliases") return {{"PageSize", 100}};
    if (name == "Encrypt") return {{"KeyId", id}, {"Plaintext", kPlaintext}};
    if (name == "GenerateDataKey" || name == "GenerateDataKeyWithoutPlaintext") {
      return {{"KeyId", id}};
    }
    if (name == "GenerateAndExportDataKey") return merged({{"KeyId", id}}, export_to);
    if (name == "Decrypt") return {{"CiphertextBlob", s.ciphertext}};
    if (name == "ExportDataKey") return merged({{"CiphertextBlob", s.ciphertext}}, export_to);
    if (name == "ReEncryptSource") {
      return {{"CiphertextBlob", s.ciphertext}, {"DestinationKeyId", s.helper_id}};
    }
    if (name == "ReEncryptDestination") {
      return {{"CiphertextBlob", s.helper_blob}, {"DestinationKeyId", id}};
    }
    if (name == "AsymmetricEncrypt") {
      return {{"KeyId", id},
              {"KeyVersionId", s.version_id},
              {"Algorithm", "RSAES_OAEP_SHA_256"},
              {"Plaintext", kPlaintext}};
    }
    if (name == "AsymmetricDecrypt") {
      return {{"KeyId", id},
              {"KeyVersionId", s.version_id},
              {"Algorithm", "RSAES_OAEP_SHA_256"},
              {"CiphertextBlob", s.asym_ciphertext}};
    }
    if (name == "AsymmetricSign") {
      return {{"KeyId", id},
              {"KeyVersionId", s.version_id},
              {"Algorithm", "ECDSA_SHA_256"},
              {"Digest", kDigest}};
    }
    if (name == "AsymmetricVerify") {
      return {{"KeyId", id},
              {"KeyVersionId", s.version_id},
              {"Algorithm", "ECDSA_SHA_256"},
              {"Digest", kDigest},
              {"Value", s.signature}};
    }
    if (name == "GetPublicKey") return {{"KeyId", id}, {"KeyVersionId", s.version_id}};
    if (name == "GenerateMac") {
      return {{"KeyId", id}, {"Algorithm", "HMAC_SHA_256"}, {"Message", kPlaintext}};
    }
    if (name == "VerifyMac") {
      return {{"KeyId", id},
              {"Algorithm", "HMAC_SHA_256"},
              {"Message", kPlaintext},
              {"Mac", base64_encode(std::string(32, '\x03'))}};
    }
    if (name == "DeleteAlias") return {{"AliasName", kAlias}};
    if (name == "CreateAlias") return {{"KeyId", id}, {"AliasName", "alias/another"}};
    if (name == "UpdateAlias") return {{"KeyId", id}, {"AliasName", kMovingAlias}};
    if (name == "ScheduleKeyDeletion") return {{"KeyId", id}, {"PendingWindowInDays", 7}};
    if (name == "GetParametersForImport") {
      return {{"KeyId", id},
              {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
              {"WrappingKeySpec", "RSA_2048"}};
    }
    if (name == "ImportKeyMaterial") {
      return {{"KeyId", id},
              {"ImportToken", s.import_token},
              {"EncryptedKeyMaterial", s.wrapped_material}};
    }
    if (name == "UpdateKeyDescription") return {{"KeyId", id}, {"Description", "changed"}};
    if (name == "TagResource") {
      return {{"KeyId", id}, {"Tags", R"([{"TagKey":"k2","TagValue":"v2"}])"}};
    }
    if (name == "UntagResource") return {{"KeyId", id}, {"TagKeys", R"(["k1"])"}};
    if (name == "TagResources") {
      return {{"RegionId", kAliRegion},
              {"ResourceType", "key"},
              {"ResourceId.1", id},
              {"Tag.1.Key", "k2"},
              {"Tag.1.Value", "v2"}};
    }
    if (name == "UntagResources") {
      return {{"RegionId", kAliRegion},
              {"ResourceType", "key"},
              {"ResourceId.1", id},
              {"TagKey.1", "k1"}};
    }
    if (name == "ListTagResources") {
      return {{"RegionId", kAliRegion}, {"ResourceType", "key"}, {"ResourceId.1", id}};
    }
    if (name == "DescribeKeyVersion") return {{"KeyId", id}, {"KeyVersionId", s.version_id}};
    if (name == "SetDeletionProtection") {
      return {{"KeyId", id}, {"EnableDeletionProtection", true}};
    }
    if (name == "UpdateRotationPolicy") {
      return {{"KeyId", id}, {"EnableAutomaticRotation", true}, {"RotationInterval", "30d"}};
    }
    return {{"KeyId", id}};  // DescribeKey, EnableKey, DisableKey, CancelKeyDeletion, ...
  }

  // The spec's cell, with the one substitution the dialect forces (see the file comment).
  Cell expected() const {
    Cell cell = row().cells[state()];
    if (row().kind == Kind::Mac && !cell.error) return U;
    return cell;
  }

  // What an allowed cell's answer must show beyond "no error".
  void check_output(const Subject& s, const json& body) {
    const std::string name = row().name;
    if (name == "ListKeys") {
      bool listed = false;
      for (const auto& key : body["Keys"]["Key"]) listed = listed || key["KeyId"] == s.key_id;
      EXPECT_TRUE(listed) << body.dump();
    } else if (name == "ListAliases") {
      bool listed = false;
      for (const auto& alias : body["Aliases"]["Alias"]) {
        listed = listed || (alias["AliasName"] == kAlias && alias["KeyId"] == s.key_id);
      }
      EXPECT_TRUE(listed) << body.dump();
    } else if (name == "UpdateAlias") {
      EXPECT_EQ(ok("DescribeKey", {{"KeyId", kMovingAlias}})["KeyMetadata"]["KeyId"], s.key_id);
    } else if (name == "Decrypt") {
      EXPECT_EQ(body.value("Plaintext", ""), kPlaintext);
    } else if (name == "DescribeKey") {
      EXPECT_EQ(body["KeyMetadata"].value("KeyState", ""), kStateNames[state()]);
    }
  }
};

TEST_P(AlibabaKeyStateMatrixTest, CellAnswersAsTheSpecSays) {
  Subject s = prepare();
  if (::testing::Test::HasFatalFailure() || ::testing::Test::HasFailure()) return;
  // A manual version needs 7 days since the last one (§4.4); the Enabled cell waits them out
  // (only there: a PendingDeletion key would be gone after 7 days).
  if (named("CreateKeyVersion") && state() == Enabled) {
    clock_->advance(std::chrono::hours(24 * 7) + std::chrono::seconds(1));
  }
  const Cell cell = expected();
  const std::string before = kStateNames[state()];
  auto r = call(row().action, params_for(s));
  if (cell.error) {
    EXPECT_TRUE(ali::is_error(r, *cell.error)) << row().name << " in " << before;
    EXPECT_EQ(key_state(s.key_id), before) << "a refused call changed the state";
    if (named("UpdateAlias")) {
      EXPECT_EQ(ok("DescribeKey", {{"KeyId", kMovingAlias}})["KeyMetadata"]["KeyId"], s.helper_id);
    }
  } else {
    ASSERT_TRUE(r.ok()) << row().name << " in " << before << ": " << r.parsed.status << " "
                        << r.parsed.error_code.value_or("") << " " << r.parsed.message;
    EXPECT_EQ(key_state(s.key_id), cell.after ? cell.after : before);
    check_output(s, r.body());
  }
}

std::string cell_name(const ::testing::TestParamInfo<CellParam>& info) {
  const Row& row = spec_table()[std::get<0>(info.param)];
  return std::string(row.documented ? "D_" : "I_") + row.name + "_" +
         kStateNames[std::get<1>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Spec42, AlibabaKeyStateMatrixTest,
                         ::testing::Combine(::testing::Range<size_t>(0, spec_table().size()),
                                            ::testing::Range<size_t>(0, kStates)),
                         cell_name);

// ---------------------------------------------------------------------------------------------
// Transitions of §4.1 the matrix does not show on its own.

class AlibabaKeyTransitionsTest : public AlibabaServerTest {
 protected:
  std::string key_state(const std::string& id) {
    return ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"].value("KeyState", "");
  }
};

TEST_F(AlibabaKeyTransitionsTest, CancelKeyDeletionReturnsToEnabledWhateverTheStateBefore) {
  // §4.1 [D]: "Enabled regardless of prior state".
  std::string id = create_key();
  ok("DisableKey", {{"KeyId", id}});
  ok("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 30}});
  json described = ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"];
  EXPECT_EQ(described.value("KeyState", ""), "PendingDeletion");
  EXPECT_FALSE(described.value("DeleteDate", "").empty());
  ok("CancelKeyDeletion", {{"KeyId", id}});
  described = ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"];
  EXPECT_EQ(described.value("KeyState", ""), "Enabled");
  EXPECT_TRUE(ok("Encrypt", {{"KeyId", id}, {"Plaintext", kPlaintext}}).contains("CiphertextBlob"));
}

TEST_F(AlibabaKeyTransitionsTest, DeleteKeyMaterialOfAPendingDeletionKeyKeepsStateAndDate) {
  // §3.7: PendingDeletion stays, with its DeleteDate.
  std::string id = create_key({{"Origin", "EXTERNAL"}});
  json p = ok("GetParametersForImport", {{"KeyId", id},
                                         {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                                         {"WrappingKeySpec", "RSA_2048"}});
  auto der = base64_decode(p.value("PublicKey", ""));
  ASSERT_TRUE(der.has_value());
  ok("ImportKeyMaterial",
     {{"KeyId", id},
      {"ImportToken", p["ImportToken"]},
      {"EncryptedKeyMaterial", base64_encode(ali::wrap_oaep_sha256(*der, kMaterial))}});
  ok("ScheduleKeyDeletion", {{"KeyId", id}, {"PendingWindowInDays", 7}});
  std::string date = ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"].value("DeleteDate", "");
  ok("DeleteKeyMaterial", {{"KeyId", id}});
  json described = ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"];
  EXPECT_EQ(described.value("KeyState", ""), "PendingDeletion");
  EXPECT_EQ(described.value("DeleteDate", ""), date);
  // Cancelled, it comes back without material: the docs' "Enabled", and no data use.
  ok("CancelKeyDeletion", {{"KeyId", id}});
  auto r = call("Encrypt", {{"KeyId", id}, {"Plaintext", kPlaintext}});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.parsed.status, 500) << r.parsed.message;
}

TEST_F(AlibabaKeyTransitionsTest, ExpiredImportedMaterialMakesTheKeyPendingImport) {
  // §4.1: imported material expiring makes the key unusable; the state name is [I].
  std::string id = create_key({{"Origin", "EXTERNAL"}});
  json p = ok("GetParametersForImport", {{"KeyId", id},
                                         {"WrappingAlgorithm", "RSAES_OAEP_SHA_256"},
                                         {"WrappingKeySpec", "RSA_2048"}});
  auto der = base64_decode(p.value("PublicKey", ""));
  ASSERT_TRUE(der.has_value());
  auto expire = std::chrono::duration_cast<std::chrono::seconds>(
                    (clock_->now() + std::chrono::hours(2)).time_since_epoch())
                    .count();
  ok("ImportKeyMaterial",
     {{"KeyId", id},
      {"ImportToken", p["ImportToken"]},
      {"EncryptedKeyMaterial", base64_encode(ali::wrap_oaep_sha256(*der, kMaterial))},
      {"KeyMaterialExpireUnix", expire}});
  EXPECT_EQ(key_state(id), "Enabled");
  EXPECT_FALSE(
      ok("DescribeKey", {{"KeyId", id}})["KeyMetadata"].value("MaterialExpireTime", "").empty());
  clock_->advance(std::chrono::hours(2) + std::chrono::seconds(1));
  EXPECT_EQ(key_state(id), "PendingImport");
  EXPECT_TRUE(ali::is_error(call("Encrypt", {{"KeyId", id}, {"Plaintext", kPlaintext}}),
                            ErrorCode::RejectedPendingImport));
}

}  // namespace
}  // namespace kmsconf::testing
