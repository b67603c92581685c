// "Did you mean" for names people type: fields, features, tags, metrics, operations.
#pragma once

#include <string>
#include <vector>

namespace kmsconf {

// " (did you mean \"x\"?)" for the closest candidate within two edits (case-insensitive, a
// transposition counts as one), or "".
std::string suggestion(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace kmsconf
