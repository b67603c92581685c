// Byte encodings used on the wire: base64, hex, percent-encoding, query strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kmsconf {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

std::string base64_encode(std::string_view bytes);
// Strict standard base64 (RFC 4648 §4, padding required); nullopt on any malformed input.
std::optional<std::string> base64_decode(std::string_view text);

std::string hex_encode(std::string_view bytes);  // lowercase
std::string hex_encode_upper(std::string_view bytes);

// Decodes %XX (either hex case); when plus_as_space, '+' becomes ' ' (form/query style).
// nullopt when an escape is truncated or not hex.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space = true);

// RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay literal; hex is uppercase; space is %20.
std::string uri_encode(std::string_view text);

// A URL path for a canonical request: each '/'-separated segment percent-decoded ('+' stays
// literal) and uri_encoded, so any wire spelling of the same path agrees; empty is "/".
// nullopt on a malformed escape.
std::optional<std::string> canonical_uri_path(std::string_view path);

// Splits "a=1&b=2" into decoded pairs, in wire order. nullopt on a malformed escape.
std::optional<QueryPairs> parse_query(std::string_view raw_query);

// Builds a query string from pairs with uri_encode on names and values, in the given order.
std::string build_query(const QueryPairs& pairs);

}  // namespace kmsconf
