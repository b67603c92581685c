// Volcengine spellings of the engine's enums, fields and the key-state policy of spec §4.2.
#pragma once

#include <string>

#include "reference_server/engine/errors.hpp"
#include "reference_server/engine/model.hpp"
#include "reference_server/engine/state_policy.hpp"
#include "reference_server/params.hpp"

namespace kmsconf::server::volcengine {

const WireNames<engine::KeyState>& key_states();
const WireNames<engine::KeySpec>& key_specs();
const WireNames<engine::KeyUsage>& key_usages();
const WireNames<engine::Origin>& origins();
const WireNames<engine::ProtectionLevel>& protection_levels();
const WireNames<engine::EncryptionAlgorithm>& encryption_algorithms();
const WireNames<engine::SigningAlgorithm>& signing_algorithms();
const WireNames<engine::MacAlgorithm>& mac_algorithms();
const WireNames<engine::MessageType>& message_types();
const WireNames<engine::WrappingKeySpec>& wrapping_key_specs();
const WireNames<engine::WrappingAlgorithm>& wrapping_algorithms();
const WireNames<engine::MultiRegionRole>& multi_region_roles();

// The request parameter a neutral engine field stands for.
std::string parameter_name(engine::Field field);

// Spec §4.2: which states allow which operation.
const engine::StatePolicy& state_policy();

}  // namespace kmsconf::server::volcengine
