// Spec §4.2 over HTTP: every (operation x key state) pair, one test each. The expected result
// of each cell is written down below from the spec's table (not from the server's policy table
// in names.cpp), so a wrong server table fails here. A refused cell must answer 400
// InvalidKeyStatus naming the current state and leave the state alone; an allowed cell must
// succeed and leave the key in the state the spec names ("-> X") or unchanged.
//
// Which key each row acts on. An operation is tried on the kind of key it applies to, so that
// the state rule is what decides the outcome:
//  - PendingImport exists only for Origin=External keys (§3.4), so that column always uses an
//    External key of the row's kind: SYMMETRIC_256, RSA_2048 (ENCRYPT_DECRYPT) or EC_P256
//    (SIGN_VERIFY), all BYOK-capable (§3.6).
//  - MAC keys (GENERATE_VERIFY_MAC) are not BYOK-capable (§3.6), so GenerateMac/VerifyMac are
//    tried in PendingImport on an External SYMMETRIC_256 key; the state is checked before the
//    key kind (§4.2, last paragraph), so the expected answer is still InvalidKeyStatus.
//  - Rotation applies only to CloudKMS symmetric keys; in PendingImport the External key is
//    refused for its state first, for the same reason.
//  - The import operations need Origin=External in every column; outside PendingImport that
//    key has had its material imported (PendingImport -> Enable) before it is moved on.
//  - Decrypt and ReEncrypt take no key selector: the blob names the key. In PendingImport the
//    blob comes from an External key that had material, encrypted, then lost its material
//    through DeleteKeyMaterial (Enable -> PendingImport).
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <string>
#include <tuple>

#include "protocol/digest.hpp"
#include "tests/reference_server/volcengine/fixture.hpp"
#include "tests/reference_server/volcengine/wire_support.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;
using volcengine::ErrorCode;

// Columns in the spec's order.
enum State : size_t { Enable, Disable, Archived, PendingDelete, PendingImport, kStates };
constexpr std::array<const char*, kStates> kStateNames{"Enable", "Disable", "Archived",
                                                       "PendingDelete", "PendingImport"};

enum class Kind {
  Symmetric,             // SYMMETRIC_256 / ENCRYPT_DECRYPT
  AsymmetricEncryption,  // RSA_2048 / ENCRYPT_DECRYPT
  Signing,               // EC_P256 / SIGN_VERIFY
  Mac,                   // SYMMETRIC_256 / GENERATE_VERIFY_MAC
  Imported,              // Origin=External SYMMETRIC_256 in every column
  MultiRegion,           // mrk- SYMMETRIC_256, MultiRegion=true
};

struct Cell {
  bool allowed;
  const char* after;  // state after success; nullptr = unchanged
};
constexpr Cell ok{true, nullptr};
constexpr Cell no{false, nullptr};
constexpr Cell to(const char* state) {
  return {true, state};
}

struct Row {
  const char* op;
  Kind kind;
  std::array<Cell, kStates> cells;  // Enable, Disable, Archived, PendingDelete, PendingImport
};

// Spec §4.2, row by row ("ok, no-op" cells are ok; ✗ is no).
const std::vector<Row>& spec_table() {
  static const std::vector<Row> rows{
      {"EnableKey", Kind::Symmetric, {ok, to("Enable"), no, no, no}},
      {"DisableKey", Kind::Symmetric, {to("Disable"), ok, no, no, no}},
      {"ArchiveKey", Kind::Symmetric, {to("Archived"), no, no, no, no}},
      {"CancelArchiveKey", Kind::Symmetric, {no, no, to("Enable"), no, no}},
      {"ScheduleKeyDeletion",
       Kind::Symmetric,
       {to("PendingDelete"), to("PendingDelete"), to("PendingDelete"), no, to("PendingDelete")}},
      {"CancelKeyDeletion", Kind::Symmetric, {no, no, no, to("Enable"), no}},
      {"Encrypt", Kind::Symmetric, {ok, no, no, no, no}},
      {"GenerateDataKey", Kind::Symmetric, {ok, no, no, no, no}},
      {"AsymmetricEncrypt", Kind::AsymmetricEncryption, {ok, no, no, no, no}},
      {"AsymmetricSign", Kind::Signing, {ok, no, no, no, no}},
      {"GenerateMac", Kind::Mac, {ok, no, no, no, no}},
      {"GetPublicKey", Kind::AsymmetricEncryption, {ok, no, no, no, no}},
      {"Decrypt", Kind::Symmetric, {ok, no, ok, no, no}},
      {"AsymmetricDecrypt", Kind::AsymmetricEncryption, {ok, no, ok, no, no}},
      {"ReEncrypt", Kind::Symmetric, {ok, no, ok, no, no}},
      {"AsymmetricVerify", Kind::Signing, {ok, no, no, no, no}},
      {"VerifyMac", Kind::Mac, {ok, no, no, no, no}},
      {"EnableKeyRotation", Kind::Symmetric, {ok, no, no, no, no}},
      {"DisableKeyRotation", Kind::Symmetric, {ok, no, no, no, no}},
      {"GetParametersForImport", Kind::Imported, {ok, ok, no, no, ok}},
      {"ImportKeyMaterial", Kind::Imported, {ok, ok, no, no, to("Enable")}},
      {"DeleteKeyMaterial", Kind::Imported, {to("PendingImport"), to("PendingImport"), no, no, no}},
      {"ReplicateKey", Kind::MultiRegion, {ok, no, no, no, no}},
      {"UpdatePrimaryRegion", Kind::MultiRegion, {ok, no, no, no, no}},
      {"DescribeKey", Kind::Symmetric, {ok, ok, ok, ok, ok}},
      {"DescribeKeys", Kind::Symmetric, {ok, ok, ok, ok, ok}},
      {"UpdateKey", Kind::Symmetric, {ok, ok, ok, ok, ok}},
      {"TagResources", Kind::Symmetric, {ok, ok, ok, ok, ok}},
      {"UntagResources", Kind::Symmetric, {ok, ok, ok, ok, ok}},
      {"ListTagsForResources", Kind::Symmetric, {ok, ok, ok, ok, ok}},
  };
  return rows;
}

constexpr const char* kRing = "matrix";
constexpr const char* kSecondRegion = "cn-shanghai";  // replica made during setup
constexpr const char* kThirdRegion = "cn-guangzhou";  // target of the ReplicateKey row
const std::string kPlaintext = base64_encode("state matrix plaintext");
const std::string kMessage = base64_encode("state matrix message");

// RSAES-OAEP-SHA-256 (MGF1-SHA-256) to a DER SubjectPublicKeyInfo, the default wrapping of
// GetParametersForImport (§3.6). Written against OpenSSL directly, as a client would.
std::string wrap_oaep_sha256(const std::string& spki_der, const std::string& material) {
  const auto* p = reinterpret_cast<const unsigned char*>(spki_der.data());
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())), EVP_PKEY_free);
  if (!key) return {};
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) <= 0) {
    return {};
  }
  const auto* in = reinterpret_cast<const unsigned char*>(material.data());
  size_t length = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &length, in, material.size()) <= 0) return {};
  std::string out(length, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, in,
                       material.size()) <= 0) {
    return {};
  }
  out.resize(length);
  return out;
}

// The key a cell acts on and what was made with it while it was still usable.
struct Subject {
  std::string key_id;
  std::string ciphertext;       // Encrypt blob (symmetric kinds)
  std::string asym_ciphertext;  // AsymmetricEncrypt output (or filler in PendingImport)
  std::string signature;        // over kMessage (or filler)
  std::string mac;              // over kMessage (or filler)
  std::string destination_id;   // ReEncrypt target, Enable
  std::string import_token;     // a live import session for ImportKeyMaterial
  std::string wrapped_material;
};

using CellParam = std::tuple<size_t, size_t>;  // row index, state

class KeyStateMatrixTest : public VolcengineServerTest,
                           public ::testing::WithParamInterface<CellParam> {
 protected:
  const Row& row() const { return spec_table()[std::get<0>(GetParam())]; }
  State state() const { return static_cast<State>(std::get<1>(GetParam())); }
  bool op_is(const char* name) const { return std::string(row().op) == name; }

  std::string key_state(const std::string& id) {
    auto r = call("DescribeKey", {{"KeyID", id}});
    EXPECT_TRUE(r.ok()) << "DescribeKey " << id << ": " << r.parsed.message;
    return r.result()["Key"].value("KeyState", "");
  }

  // An import session on the key, with `material_` wrapped for it.
  void open_import_session(Subject& s) {
    json params = ok("GetParametersForImport", {{"KeyID", s.key_id}});
    auto der = base64_decode(params.value("PublicKey", ""));
    ASSERT_TRUE(der.has_value());
    s.import_token = params.value("ImportToken", "");
    s.wrapped_material = base64_encode(wrap_oaep_sha256(*der, material_));
    ASSERT_FALSE(s.wrapped_material.empty());
  }

  void import_material(Subject& s) {
    open_import_session(s);
    ok("ImportKeyMaterial", {{"KeyID", s.key_id},
                             {"EncryptedKeyMaterial", s.wrapped_material},
                             {"ImportToken", s.import_token}});
    ASSERT_EQ(key_state(s.key_id), "Enable");
  }

  json create_params(Kind kind, bool external) const {
    json p = json::object();
    switch (kind) {
      case Kind::Symmetric:
      case Kind::Imported:
        break;
      case Kind::AsymmetricEncryption:
        p = {{"KeySpec", "RSA_2048"}, {"KeyUsage", "ENCRYPT_DECRYPT"}};
        break;
      case Kind::Signing:
        p = {{"KeySpec", "EC_P256"}, {"KeyUsage", "SIGN_VERIFY"}};
        break;
      case Kind::Mac:
        // Not BYOK-capable: the PendingImport column uses an External SYMMETRIC_256 key.
        if (!external) p = {{"KeyUsage", "GENERATE_VERIFY_MAC"}};
        break;
      case Kind::MultiRegion:
        p = {{"MultiRegion", true}};
        break;
    }
    if (external || kind == Kind::Imported) p["Origin"] = "External";
    return p;
  }

  // Builds the subject of this cell, in the cell's state.
  Subject prepare() {
    const Kind kind = row().kind;
    const bool pending_import = state() == PendingImport;
    const bool needs_blob = op_is("Decrypt") || op_is("ReEncrypt");
    Subject s;
    std::string name = kind == Kind::MultiRegion ? "mrk-subject" : "subject";
    s.key_id = create_key(kRing, name, create_params(kind, pending_import));
    if (::testing::Test::HasFatalFailure()) return s;
    if (op_is("ReEncrypt")) s.destination_id = create_key(kRing, "destination");

    // Fillers for PendingImport, where nothing can be made with the key: the state decides
    // before the bytes are looked at.
    s.asym_ciphertext = base64_encode(std::string(256, '\x01'));
    s.signature = base64_encode(std::string(72, '\x02'));
    s.mac = base64_encode(std::string(32, '\x03'));

    const bool external = pending_import || kind == Kind::Imported;
    if (external && (!pending_import || needs_blob)) import_material(s);
    if (::testing::Test::HasFatalFailure()) return s;

    if (!pending_import || needs_blob) {
      // Made while the key is Enable.
      switch (kind) {
        case Kind::Symmetric:
          s.ciphertext = ok("Encrypt", {{"KeyID", s.key_id}, {"Plaintext", kPlaintext}})
                             .value("CiphertextBlob", "");
          break;
        case Kind::AsymmetricEncryption:
          s.asym_ciphertext = ok("AsymmetricEncrypt", {{"KeyID", s.key_id},
                                                       {"Algorithm", "RSAES_OAEP_SHA_256"},
                                                       {"Plaintext", kPlaintext}})
                                  .value("CiphertextBlob", "");
          break;
        case Kind::Signing:
          s.signature =
              ok("AsymmetricSign",
                 {{"KeyID", s.key_id}, {"Algorithm", "ECDSA_SHA_256"}, {"Message", kMessage}})
                  .value("Signature", "");
          break;
        case Kind::Mac:
          s.mac = ok("GenerateMac",
                     {{"KeyID", s.key_id}, {"MacAlgorithm", "HMAC_SHA_256"}, {"Message", kMessage}})
                      .value("Mac", "");
          break;
        case Kind::Imported:
          open_import_session(s);  // a live token for the ImportKeyMaterial row
          break;
        case Kind::MultiRegion:
          ok("ReplicateKey", {{"KeyID", s.key_id}, {"ReplicaRegion", kSecondRegion}});
          break;
      }
    }
    if (::testing::Test::HasFatalFailure()) return s;

    switch (state()) {
      case Enable:
        break;
      case Disable:
        ok("DisableKey", {{"KeyID", s.key_id}});
        break;
      case Archived:
        ok("ArchiveKey", {{"KeyID", s.key_id}});
        break;
      case PendingDelete:
        ok("ScheduleKeyDeletion", {{"KeyID", s.key_id}, {"PendingWindowInDays", 7}});
        break;
      case PendingImport:
        if (needs_blob) ok("DeleteKeyMaterial", {{"KeyID", s.key_id}});
        if (kind == Kind::Imported) open_import_session(s);  // allowed in PendingImport
        break;
      case kStates:
        break;
    }
    return s;
  }

  client::CallResult invoke(const Subject& s) {
    const std::string op = row().op;
    const json id{{"KeyID", s.key_id}};
    auto with = [&](json extra) {
      json p = id;
      p.update(extra);
      return p;
    };
    const json resource{{"ResourceType", "keys"}, {"ResourceIds", json::array({s.key_id})}};
    auto on_resource = [&](json extra) {
      json p = resource;
      p.update(extra);
      return p;
    };
    if (op == "ScheduleKeyDeletion") return call(op, with({{"PendingWindowInDays", 7}}));
    if (op == "Encrypt") return call(op, with({{"Plaintext", kPlaintext}}));
    if (op == "GenerateDataKey") return call(op, with({{"NumberOfBytes", 32}}));
    if (op == "AsymmetricEncrypt") {
      return call(op, with({{"Algorithm", "RSAES_OAEP_SHA_256"}, {"Plaintext", kPlaintext}}));
    }
    if (op == "AsymmetricDecrypt") {
      return call(
          op, with({{"Algorithm", "RSAES_OAEP_SHA_256"}, {"CiphertextBlob", s.asym_ciphertext}}));
    }
    if (op == "AsymmetricSign") {
      return call(op, with({{"Algorithm", "ECDSA_SHA_256"}, {"Message", kMessage}}));
    }
    if (op == "AsymmetricVerify") {
      return call(op, with({{"Algorithm", "ECDSA_SHA_256"},
                            {"Message", kMessage},
                            {"Signature", s.signature}}));
    }
    if (op == "GenerateMac") {
      return call(op, with({{"MacAlgorithm", "HMAC_SHA_256"}, {"Message", kMessage}}));
    }
    if (op == "VerifyMac") {
      return call(op,
                  with({{"MacAlgorithm", "HMAC_SHA_256"}, {"Message", kMessage}, {"Mac", s.mac}}));
    }
    if (op == "Decrypt") return call(op, {{"CiphertextBlob", s.ciphertext}});
    if (op == "ReEncrypt") {
      return call(op, {{"CiphertextBlob", s.ciphertext}, {"NewKeyID", s.destination_id}});
    }
    if (op == "EnableKeyRotation") return call(op, with({{"RotateInterval", 365}}));
    if (op == "ImportKeyMaterial") {
      return call(op, with({{"EncryptedKeyMaterial", s.wrapped_material},
                            {"ImportToken", s.import_token}}));
    }
    if (op == "ReplicateKey") return call(op, with({{"ReplicaRegion", kThirdRegion}}));
    if (op == "UpdatePrimaryRegion") return call(op, with({{"PrimaryRegion", kSecondRegion}}));
    if (op == "DescribeKeys") return call(op, {{"KeyringName", kRing}});
    if (op == "UpdateKey") return call(op, with({{"Description", "updated in every state"}}));
    if (op == "TagResources") {
      return call(op, on_resource({{"Tags", json::array({{{"Key", "team"}, {"Value", "kms"}}})}}));
    }
    if (op == "UntagResources") return call(op, on_resource({{"TagKeys", json::array({"team"})}}));
    if (op == "ListTagsForResources") return call(op, resource);
    // EnableKey, DisableKey, ArchiveKey, CancelArchiveKey, CancelKeyDeletion,
    // DisableKeyRotation, GetPublicKey, GetParametersForImport, DeleteKeyMaterial, DescribeKey.
    return call(op, id);
  }

  // What a success returned, beyond "no error".
  void check_result(const Subject& s, const client::CallResult& r) {
    const std::string op = row().op;
    const json& result = r.result();
    if (op == "Decrypt" || op == "AsymmetricDecrypt") {
      EXPECT_EQ(result.value("Plaintext", ""), kPlaintext);
    }
    if (op == "AsymmetricVerify") {
      EXPECT_TRUE(result.value("SignatureValid", false));
    }
    if (op == "VerifyMac") {
      EXPECT_TRUE(result.value("MacValid", false));
    }
    if (op == "DescribeKeys") {
      bool listed = false;
      for (const auto& key : result.value("Keys", json::array())) {
        if (key.value("ID", "") == s.key_id) {
          listed = true;
          EXPECT_EQ(key.value("KeyState", ""), kStateNames[state()]);
        }
      }
      EXPECT_TRUE(listed) << result.dump();
    }
  }

  std::string material_ = random_bytes(32);
};

TEST_P(KeyStateMatrixTest, FollowsSpecTable) {
  const Cell cell = row().cells[state()];
  const std::string state_name = kStateNames[state()];
  Subject subject = prepare();
  ASSERT_FALSE(::testing::Test::HasFailure()) << "setup failed";
  ASSERT_EQ(key_state(subject.key_id), state_name) << "setup did not reach the state";

  client::CallResult r = invoke(subject);
  if (cell.allowed) {
    EXPECT_TRUE(r.ok()) << row().op << " in " << state_name << " must succeed; got HTTP "
                        << r.parsed.status << " " << r.parsed.error_code.value_or("") << ": "
                        << r.parsed.message;
    if (r.ok()) check_result(subject, r);
  } else {
    EXPECT_TRUE(wire::is_error(r, ErrorCode::InvalidKeyStatus, {state_name}))
        << row().op << " in " << state_name << " must be refused for the key state";
  }
  const std::string expected_after = cell.allowed && cell.after ? cell.after : state_name;
  EXPECT_EQ(key_state(subject.key_id), expected_after) << row().op << " in " << state_name;
}

std::string cell_name(const ::testing::TestParamInfo<CellParam>& info) {
  return std::string(spec_table()[std::get<0>(info.param)].op) + "_in_" +
         kStateNames[std::get<1>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(SpecSection4_2, KeyStateMatrixTest,
                         ::testing::Combine(::testing::Range<size_t>(0, spec_table().size()),
                                            ::testing::Range<size_t>(0, kStates)),
                         cell_name);

}  // namespace
}  // namespace kmsconf::testing
