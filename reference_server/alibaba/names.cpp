#include "reference_server/alibaba/names.hpp"

#include "protocol/ascii.hpp"

namespace kmsconf::server::alibaba {

using namespace engine;

const WireNames<KeyState>& key_states() {
  static const WireNames<KeyState> names{{KeyState::Enabled, "Enabled"},
                                         {KeyState::Disabled, "Disabled"},
                                         {KeyState::PendingDeletion, "PendingDeletion"},
                                         {KeyState::PendingImport, "PendingImport"}};
  return names;
}

const WireNames<KeySpec>& key_specs() {
  static const WireNames<KeySpec> names{
      {KeySpec::Aes256, "Aliyun_AES_256"}, {KeySpec::Aes128, "Aliyun_AES_128"},
      {KeySpec::Rsa2048, "RSA_2048"},      {KeySpec::Rsa3072, "RSA_3072"},
      {KeySpec::Rsa4096, "RSA_4096"},      {KeySpec::EcP256, "EC_P256"},
      {KeySpec::EcP256K, "EC_P256K"},      {KeySpec::EcSm2, "EC_SM2"}};
  return names;
}

const WireNames<KeyUsage>& key_usages() {
  static const WireNames<KeyUsage> names{{KeyUsage::EncryptDecrypt, "ENCRYPT/DECRYPT"},
                                         {KeyUsage::SignVerify, "SIGN/VERIFY"},
                                         // [I] the shared-gateway docs name no MAC usage; this
                                         // one makes GenerateMac/VerifyMac testable.
                                         {KeyUsage::GenerateVerifyMac, "GENERATE/VERIFY_MAC"}};
  return names;
}

const WireNames<Origin>& origins() {
  static const WireNames<Origin> names{{Origin::Kms, "Aliyun_KMS"}, {Origin::External, "EXTERNAL"}};
  return names;
}

const WireNames<ProtectionLevel>& protection_levels() {
  static const WireNames<ProtectionLevel> names{{ProtectionLevel::Software, "SOFTWARE"},
                                                {ProtectionLevel::Hsm, "HSM"}};
  return names;
}

const WireNames<EncryptionAlgorithm>& encryption_algorithms() {
  static const WireNames<EncryptionAlgorithm> names{
      {EncryptionAlgorithm::RsaesOaepSha256, "RSAES_OAEP_SHA_256"},
      {EncryptionAlgorithm::RsaesOaepSha1, "RSAES_OAEP_SHA_1"},
      {EncryptionAlgorithm::Sm2Pke, "SM2PKE"}};
  return names;
}

const WireNames<SigningAlgorithm>& signing_algorithms() {
  static const WireNames<SigningAlgorithm> names{
      {SigningAlgorithm::RsaPssSha256, "RSA_PSS_SHA_256"},
      {SigningAlgorithm::RsaPkcs1Sha256, "RSA_PKCS1_SHA_256"},
      {SigningAlgorithm::EcdsaSha256, "ECDSA_SHA_256"},
      {SigningAlgorithm::Sm2Dsa, "SM2DSA"}};
  return names;
}

const WireNames<MacAlgorithm>& mac_algorithms() {
  static const WireNames<MacAlgorithm> names{{MacAlgorithm::HmacSm3, "HMAC_SM3"},
                                             {MacAlgorithm::HmacSha224, "HMAC_SHA_224"},
                                             {MacAlgorithm::HmacSha256, "HMAC_SHA_256"},
                                             {MacAlgorithm::HmacSha384, "HMAC_SHA_384"},
                                             {MacAlgorithm::HmacSha512, "HMAC_SHA_512"}};
  return names;
}

const WireNames<WrappingKeySpec>& wrapping_key_specs() {
  static const WireNames<WrappingKeySpec> names{{WrappingKeySpec::Rsa2048, "RSA_2048"},
                                                {WrappingKeySpec::EcSm2, "EC_SM2"}};
  return names;
}

const WireNames<WrappingAlgorithm>& wrapping_algorithms() {
  static const WireNames<WrappingAlgorithm> names{
      {WrappingAlgorithm::RsaesPkcs1V15, "RSAES_PKCS1_V1_5"},
      {WrappingAlgorithm::RsaesOaepSha1, "RSAES_OAEP_SHA_1"},
      {WrappingAlgorithm::RsaesOaepSha256, "RSAES_OAEP_SHA_256"},
      {WrappingAlgorithm::Sm2Pke, "SM2PKE"}};
  return names;
}

std::string parameter_name(Field field) {
  switch (field) {
    case Field::CiphertextBlob:
      return "CiphertextBlob";
    case Field::EncryptionContext:
      return "EncryptionContext";
    case Field::Plaintext:
      return "Plaintext";
    case Field::NumberOfBytes:
      return "NumberOfBytes";
    case Field::Algorithm:
      return "Algorithm";
    case Field::Message:
      return "Digest";
    case Field::Signature:
      return "Value";
    case Field::Mac:
      return "Mac";
    case Field::ImportToken:
      return "ImportToken";
    case Field::EncryptedKeyMaterial:
      return "EncryptedKeyMaterial";
    case Field::WrappingSpec:
      return "WrappingKeySpec";
    case Field::ValidTo:
      return "KeyMaterialExpireUnix";
    case Field::PendingWindow:
      return "PendingWindowInDays";
    case Field::RotationInterval:
      return "RotationInterval";
    case Field::KeySpec:
      return "KeySpec";
    case Field::KeyUsage:
      return "KeyUsage";
    case Field::Origin:
      return "Origin";
    case Field::Tags:
      return "Tags";
    case Field::Alias:
      return "AliasName";
    case Field::PageToken:
      return "NextToken";
    default:
      return "KeyId";
  }
}

const StatePolicy& state_policy() {
  constexpr Verdict A = Verdict::Allow;
  constexpr Verdict R = Verdict::Reject;
  constexpr Verdict U = Verdict::Unsupported;
  // Columns: Enabled, Disabled, PendingDeletion, Archived (unused here), PendingImport.
  static const StatePolicy policy{
      {KeyOp::Encrypt, {A, R, R, R, R}},
      {KeyOp::Decrypt, {A, R, R, R, R}},
      {KeyOp::GenerateDataKey, {A, R, R, R, R}},
      {KeyOp::ReEncryptSource, {A, R, R, R, R}},
      {KeyOp::ReEncryptDestination, {A, R, R, R, R}},
      {KeyOp::AsymmetricEncrypt, {A, R, R, R, R}},
      {KeyOp::AsymmetricDecrypt, {A, R, R, R, R}},
      {KeyOp::Sign, {A, R, R, R, R}},
      {KeyOp::Verify, {A, R, R, R, R}},
      {KeyOp::GetPublicKey, {A, R, R, R, R}},
      {KeyOp::GenerateMac, {A, R, R, R, R}},
      {KeyOp::VerifyMac, {A, R, R, R, R}},
      {KeyOp::Enable, {A, A, R, R, R}},
      {KeyOp::Disable, {A, A, R, R, R}},
      {KeyOp::ScheduleDeletion, {A, A, R, R, A}},
      {KeyOp::CancelDeletion, {R, R, A, R, R}},
      {KeyOp::CreateAlias, {A, A, R, R, A}},
      {KeyOp::UpdateAlias, {A, A, R, R, A}},
      {KeyOp::ImportKeyMaterial, {A, A, R, R, A}},
      {KeyOp::SetDeletionProtection, {A, A, R, R, A}},
      {KeyOp::EnableRotation, {A, U, U, U, U}},
      {KeyOp::DisableRotation, {A, U, U, U, U}},
      {KeyOp::CreateVersion, {A, U, U, U, U}},
  };
  return policy;
}

std::optional<std::chrono::seconds> parse_interval(const std::string& text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  std::string digits = text.substr(0, text.size() - 1);
  if (!ascii::all_digits(digits)) return std::nullopt;
  long long n = std::stoll(digits);
  switch (text.back()) {
    case 'd':
      return std::chrono::seconds(n * 86400);
    case 'h':
      return std::chrono::seconds(n * 3600);
    case 'm':
      return std::chrono::seconds(n * 60);
    case 's':
      return std::chrono::seconds(n);
    default:
      return std::nullopt;
  }
}

}  // namespace kmsconf::server::alibaba
