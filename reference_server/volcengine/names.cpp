#include "reference_server/volcengine/names.hpp"

namespace kmsconf::server::volcengine {

using namespace engine;

const WireNames<KeyState>& key_states() {
  static const WireNames<KeyState> names{{KeyState::Enabled, "Enable"},
                                         {KeyState::Disabled, "Disable"},
                                         {KeyState::PendingDeletion, "PendingDelete"},
                                         {KeyState::Archived, "Archived"},
                                         {KeyState::PendingImport, "PendingImport"}};
  return names;
}

const WireNames<KeySpec>& key_specs() {
  static const WireNames<KeySpec> names{
      {KeySpec::Aes256, "SYMMETRIC_256"}, {KeySpec::Aes128, "SYMMETRIC_128"},
      {KeySpec::Rsa2048, "RSA_2048"},     {KeySpec::Rsa3072, "RSA_3072"},
      {KeySpec::Rsa4096, "RSA_4096"},     {KeySpec::EcP256, "EC_P256"},
      {KeySpec::EcP256K, "EC_P256K"},     {KeySpec::EcP384, "EC_P384"},
      {KeySpec::EcP521, "EC_P521"},       {KeySpec::EcSm2, "EC_SM2"}};
  return names;
}

const WireNames<KeyUsage>& key_usages() {
  static const WireNames<KeyUsage> names{{KeyUsage::EncryptDecrypt, "ENCRYPT_DECRYPT"},
                                         {KeyUsage::SignVerify, "SIGN_VERIFY"},
                                         {KeyUsage::GenerateVerifyMac, "GENERATE_VERIFY_MAC"}};
  return names;
}

const WireNames<Origin>& origins() {
  static const WireNames<Origin> names{{Origin::Kms, "CloudKMS"},
                                       {Origin::External, "External"},
                                       {Origin::ExternalKeyStore, "ExternalKeyStore"}};
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
      {EncryptionAlgorithm::Sm2Pke, "SM2PKE"}};
  return names;
}

const WireNames<SigningAlgorithm>& signing_algorithms() {
  static const WireNames<SigningAlgorithm> names{
      {SigningAlgorithm::RsaPssSha256, "RSA_PSS_SHA_256"},
      {SigningAlgorithm::RsaPssSha384, "RSA_PSS_SHA_384"},
      {SigningAlgorithm::RsaPssSha512, "RSA_PSS_SHA_512"},
      {SigningAlgorithm::RsaPkcs1Sha256, "RSA_PKCS1_SHA_256"},
      {SigningAlgorithm::RsaPkcs1Sha384, "RSA_PKCS1_SHA_384"},
      {SigningAlgorithm::RsaPkcs1Sha512, "RSA_PKCS1_SHA_512"},
      {SigningAlgorithm::EcdsaSha256, "ECDSA_SHA_256"},
      {SigningAlgorithm::EcdsaSha384, "ECDSA_SHA_384"},
      {SigningAlgorithm::EcdsaSha512, "ECDSA_SHA_512"},
      {SigningAlgorithm::Sm2Dsa, "SM2_DSA"}};
  return names;
}

const WireNames<MacAlgorithm>& mac_algorithms() {
  static const WireNames<MacAlgorithm> names{{MacAlgorithm::HmacSha256, "HMAC_SHA_256"},
                                             {MacAlgorithm::HmacSm3, "HMAC_SM3"}};
  return names;
}

const WireNames<MessageType>& message_types() {
  static const WireNames<MessageType> names{{MessageType::Raw, "RAW"},
                                            {MessageType::Digest, "DIGEST"}};
  return names;
}

const WireNames<WrappingKeySpec>& wrapping_key_specs() {
  static const WireNames<WrappingKeySpec> names{{WrappingKeySpec::Rsa2048, "RSA_2048"},
                                                {WrappingKeySpec::EcSm2, "EC_SM2"}};
  return names;
}

const WireNames<WrappingAlgorithm>& wrapping_algorithms() {
  static const WireNames<WrappingAlgorithm> names{
      {WrappingAlgorithm::RsaesOaepSha256, "RSAES_OAEP_SHA_256"},
      {WrappingAlgorithm::RsaesOaepSha1, "RSAES_OAEP_SHA_1"},
      {WrappingAlgorithm::RsaesPkcs1V15, "RSAES_PKCS1_V1_5"},
      {WrappingAlgorithm::Sm2Pke, "SM2PKE"}};
  return names;
}

const WireNames<MultiRegionRole>& multi_region_roles() {
  static const WireNames<MultiRegionRole> names{{MultiRegionRole::Primary, "PRIMARY"},
                                                {MultiRegionRole::Replica, "REPLICA"}};
  return names;
}

std::string parameter_name(Field field) {
  switch (field) {
    case Field::None:
      return "";
    case Field::KeyName:
      return "KeyName";
    case Field::KeyringName:
      return "KeyringName";
    case Field::KeySpec:
      return "KeySpec";
    case Field::KeyUsage:
      return "KeyUsage";
    case Field::Origin:
      return "Origin";
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
      return "Message";
    case Field::MessageType:
      return "MessageType";
    case Field::Signature:
      return "Signature";
    case Field::Mac:
      return "Mac";
    case Field::ImportToken:
      return "ImportToken";
    case Field::EncryptedKeyMaterial:
      return "EncryptedKeyMaterial";
    case Field::WrappingSpec:
      return "WrappingKeySpec";
    case Field::ValidTo:
      return "ValidTo";
    case Field::PendingWindow:
      return "PendingWindowInDays";
    case Field::RotationInterval:
      return "RotateInterval";
    case Field::PrimaryRegion:
      return "PrimaryRegion";
    case Field::ReplicaRegion:
      return "ReplicaRegion";
    case Field::Tags:
      return "Tags";
    case Field::PageToken:
      return "NextToken";
    case Field::Alias:
      return "Alias";
  }
  return "";
}

const StatePolicy& state_policy() {
  constexpr Verdict A = Verdict::Allow;
  constexpr Verdict R = Verdict::Reject;
  // Columns: Enable, Disable, PendingDelete, Archived, PendingImport (spec §4.2).
  static const StatePolicy policy{
      {KeyOp::Enable, {A, A, R, R, R}},
      {KeyOp::Disable, {A, A, R, R, R}},
      {KeyOp::Archive, {A, R, R, R, R}},
      {KeyOp::CancelArchive, {R, R, R, A, R}},
      {KeyOp::ScheduleDeletion, {A, A, R, A, A}},
      {KeyOp::CancelDeletion, {R, R, A, R, R}},
      {KeyOp::Encrypt, {A, R, R, R, R}},
      {KeyOp::GenerateDataKey, {A, R, R, R, R}},
      {KeyOp::AsymmetricEncrypt, {A, R, R, R, R}},
      {KeyOp::Sign, {A, R, R, R, R}},
      {KeyOp::GenerateMac, {A, R, R, R, R}},
      {KeyOp::GetPublicKey, {A, R, R, R, R}},
      {KeyOp::Decrypt, {A, R, R, A, R}},
      {KeyOp::AsymmetricDecrypt, {A, R, R, A, R}},
      {KeyOp::ReEncryptSource, {A, R, R, A, R}},
      {KeyOp::ReEncryptDestination, {A, R, R, R, R}},
      {KeyOp::Verify, {A, R, R, R, R}},
      {KeyOp::VerifyMac, {A, R, R, R, R}},
      {KeyOp::EnableRotation, {A, R, R, R, R}},
      {KeyOp::DisableRotation, {A, R, R, R, R}},
      {KeyOp::GetParametersForImport, {A, A, R, R, A}},
      {KeyOp::ImportKeyMaterial, {A, A, R, R, A}},
      {KeyOp::DeleteKeyMaterial, {A, A, R, R, R}},
      {KeyOp::Replicate, {A, R, R, R, R}},
      {KeyOp::UpdatePrimaryRegion, {A, R, R, R, R}},
  };
  return policy;
}

}  // namespace kmsconf::server::volcengine
