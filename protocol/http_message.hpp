// Transport-neutral HTTP request/response values shared by server, runner and load generator.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace kmsconf {

// Header names compare case-insensitively, as HTTP requires.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method;      // "GET", "POST", ...
  std::string path = "/";  // path part of the target, still percent-encoded
  std::string raw_query;   // part after '?', exactly as on the wire
  Headers headers;
  std::string body;

  // Returns the header value or an empty view when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const { return headers.find(name) != headers.end(); }
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
};

}  // namespace kmsconf
