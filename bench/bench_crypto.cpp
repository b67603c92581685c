// Engine cryptography hot paths: AES-GCM seal/open of 1 KiB (every Encrypt/Decrypt), and the
// asymmetric signatures a Sign call costs (RSA-2048 PSS and PKCS#1 v1.5, ECDSA P-256).
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/digest.hpp"
#include "reference_server/engine/crypto/crypto.hpp"

namespace {

using namespace kmsconf::engine;

void BM_AesGcmSeal1KiB(benchmark::State& state) {
  KeyMaterialPtr key = crypto::generate(KeySpec::Aes256);
  const std::string plaintext = kmsconf::random_bytes(1024);
  const std::string aad = "encryption-context";
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto::aes_gcm_seal(*key, plaintext, aad));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024);
}
BENCHMARK(BM_AesGcmSeal1KiB);

void BM_AesGcmOpen1KiB(benchmark::State& state) {
  KeyMaterialPtr key = crypto::generate(KeySpec::Aes256);
  const std::string aad = "encryption-context";
  const crypto::Sealed sealed = crypto::aes_gcm_seal(*key, kmsconf::random_bytes(1024), aad);
  for (auto _ : state) {
    auto opened = crypto::aes_gcm_open(*key, sealed.iv, sealed.ciphertext_and_tag, aad);
    if (!opened) state.SkipWithError("tag check failed");
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024);
}
BENCHMARK(BM_AesGcmOpen1KiB);

void sign_benchmark(benchmark::State& state, KeySpec spec, SigningAlgorithm algorithm) {
  KeyMaterialPtr key = crypto::generate(spec);
  const std::string message = kmsconf::random_bytes(256);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto::sign(*key, algorithm, MessageType::Raw, message));
  }
}

void BM_Rsa2048SignPssSha256(benchmark::State& state) {
  sign_benchmark(state, KeySpec::Rsa2048, SigningAlgorithm::RsaPssSha256);
}
BENCHMARK(BM_Rsa2048SignPssSha256);

void BM_Rsa2048SignPkcs1Sha256(benchmark::State& state) {
  sign_benchmark(state, KeySpec::Rsa2048, SigningAlgorithm::RsaPkcs1Sha256);
}
BENCHMARK(BM_Rsa2048SignPkcs1Sha256);

void BM_EcdsaP256SignSha256(benchmark::State& state) {
  sign_benchmark(state, KeySpec::EcP256, SigningAlgorithm::EcdsaSha256);
}
BENCHMARK(BM_EcdsaP256SignSha256);

}  // namespace

BENCHMARK_MAIN();
