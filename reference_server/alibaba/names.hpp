// Alibaba Cloud KMS spellings of the engine's enums and fields, and the state policy of §4.2.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "reference_server/engine/errors.hpp"
#include "reference_server/engine/model.hpp"
#include "reference_server/engine/state_policy.hpp"
#include "reference_server/params.hpp"

namespace kmsconf::server::alibaba {

const WireNames<engine::KeyState>& key_states();
const WireNames<engine::KeySpec>& key_specs();
const WireNames<engine::KeyUsage>& key_usages();
const WireNames<engine::Origin>& origins();
const WireNames<engine::ProtectionLevel>& protection_levels();
const WireNames<engine::EncryptionAlgorithm>& encryption_algorithms();
const WireNames<engine::SigningAlgorithm>& signing_algorithms();
const WireNames<engine::MacAlgorithm>& mac_algorithms();
const WireNames<engine::WrappingKeySpec>& wrapping_key_specs();
const WireNames<engine::WrappingAlgorithm>& wrapping_algorithms();

std::string parameter_name(engine::Field field);

// §4.2 plus the documented extensions; UpdateRotationPolicy and CreateKeyVersion answer
// "unsupported" outside Enabled.
const engine::StatePolicy& state_policy();

// "<int><d|h|m|s>" (§4.4); nullopt when malformed.
std::optional<std::chrono::seconds> parse_interval(const std::string& text);

}  // namespace kmsconf::server::alibaba
