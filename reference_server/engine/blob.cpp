// Self-describing ciphertext blobs: they name the key version, so Decrypt needs no key id and
// rotation keeps old ciphertexts decryptable.
#include <optional>

#include "protocol/encoding.hpp"
#include "reference_server/engine/state.hpp"

namespace kmsconf::engine {
namespace {

constexpr size_t kIvBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kUuidBytes = 16;
constexpr size_t kUuidTextBytes = 36;

std::string uuid_to_bytes(const std::string& uuid) {
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex.push_back(c);
  }
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  out.resize(kUuidBytes, '\0');
  return out;
}

bool looks_like_uuid(std::string_view text) {
  if (text.size() != kUuidTextBytes) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = text[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

std::string bytes_to_uuid(std::string_view bytes) {
  std::string hex = hex_encode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace

std::string encode_blob(CiphertextLayout layout, const std::string& family_id,
                        const KeyVersionInfo& version, const std::string& iv,
                        const std::string& ciphertext_and_tag) {
  std::string out;
  if (layout == CiphertextLayout::KeyIdAndVersionNumber) {
    out = uuid_to_bytes(family_id);
    out.push_back(static_cast<char>(version.number >> 8));
    out.push_back(static_cast<char>(version.number & 0xFF));
  } else {
    out = version.id;
  }
  out += iv;
  out += ciphertext_and_tag;
  return out;
}

std::optional<BlobParts> decode_blob(CiphertextLayout layout, std::string_view blob) {
  BlobParts parts;
  size_t header = 0;
  if (layout == CiphertextLayout::KeyIdAndVersionNumber) {
    header = kUuidBytes + 2;
    if (blob.size() < header + kIvBytes + kTagBytes) return std::nullopt;
    parts.key_ref = bytes_to_uuid(blob.substr(0, kUuidBytes));
    parts.version_number =
        static_cast<uint16_t>((static_cast<unsigned char>(blob[kUuidBytes]) << 8) |
                              static_cast<unsigned char>(blob[kUuidBytes + 1]));
  } else {
    header = kUuidTextBytes;
    if (blob.size() < header + kIvBytes + kTagBytes) return std::nullopt;
    parts.key_ref = std::string(blob.substr(0, kUuidTextBytes));
    // Random bytes are a malformed blob, not a blob of some unknown key.
    if (!looks_like_uuid(parts.key_ref)) return std::nullopt;
  }
  parts.iv = std::string(blob.substr(header, kIvBytes));
  parts.ciphertext_and_tag = std::string(blob.substr(header + kIvBytes));
  return parts;
}

std::string canonical_context(const EncryptionContext& context) {
  // Length-prefixed pairs in map (sorted) order: unambiguous and independent of input order.
  std::string out;
  for (const auto& [name, value] : context) {
    out += std::to_string(name.size()) + ":" + name + std::to_string(value.size()) + ":" + value;
  }
  return out;
}

}  // namespace kmsconf::engine
