// The one conversion between Boost.Beast messages and the shared HttpRequest / HttpResponse, for
// the clients (sync and async) and the server's front alike. Include only from .cpp files.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "protocol/http_message.hpp"

namespace kmsconf::beast_message {

namespace http = boost::beast::http;

// Header fields into the map; a repeated field is combined with ", " (RFC 9110 5.3).
template <class Fields>
Headers headers_of(const Fields& fields) {
  Headers out;
  for (const auto& field : fields) {
    std::string_view name(field.name_string().data(), field.name_string().size());
    std::string_view value(field.value().data(), field.value().size());
    auto [it, inserted] = out.try_emplace(std::string(name), std::string(value));
    if (!inserted) {
      it->second += ", ";
      it->second += value;
    }
  }
  return out;
}

// Client side: the request as it goes on the wire. Adds Host (default_host) when absent and
// Content-Length as the body's size (replacing a caller's; left out for GET/HEAD without a body).
// Throws std::invalid_argument for what cannot be put on the wire: a method that is not a token,
// a target with spaces or control bytes, a bad header name, CR/LF/NUL in a value, or
// Transfer-Encoding.
http::request<http::string_body> to_wire(const HttpRequest& request, std::string_view default_host);

// Client side: a response read off the wire.
HttpResponse from_wire(http::response<http::string_body>&& response);

// Server side: a request read off the wire. An absolute-form target keeps only its path and
// query (RFC 9112 3.2.2); an empty path becomes "/".
HttpRequest from_wire(http::request<http::string_body>&& request);

}  // namespace kmsconf::beast_message
