// Client-side cryptography of the Alibaba wire tests, written against OpenSSL directly as a
// KMS client would: wrapping key material for ImportKeyMaterial (§3.7) and making the public
// key a GenerateAndExportDataKey / ExportDataKey call exports to (§3.5).
#pragma once

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace kmsconf::testing::ali {

// RSAES-OAEP-SHA-256 (MGF1-SHA-256) to a DER SubjectPublicKeyInfo; empty on failure.
inline std::string wrap_oaep_sha256(const std::string& spki_der, const std::string& material) {
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

// A fresh RSA-2048 public key as DER SubjectPublicKeyInfo; empty on failure. Made once per
// process: key generation is slow and any key will do.
inline const std::string& rsa2048_public_key_der() {
  static const std::string der = [] {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
    if (!key) return std::string();
    int size = i2d_PUBKEY(key.get(), nullptr);
    if (size <= 0) return std::string();
    std::string out(static_cast<size_t>(size), '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    if (i2d_PUBKEY(key.get(), &p) != size) return std::string();
    return out;
  }();
  return der;
}

}  // namespace kmsconf::testing::ali
