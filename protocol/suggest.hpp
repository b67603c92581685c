// "Did you mean ...?" for a misspelt name: the closest of the names that would have been accepted.
#pragma once

#include <string>
#include <vector>

namespace kmsconf {

// " (did you mean \"x\"?)" for the closest candidate (at most 2 edits, case-insensitive, a
// transposition counting as one), or "" when none is that close.
std::string suggestion(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace kmsconf
