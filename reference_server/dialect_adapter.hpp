// What the HTTP front needs from a dialect: turn a request into a response, and render the
// dialect's own error when the front refuses a request (oversized body, ...).
#pragma once

#include <string_view>

#include "protocol/http_message.hpp"

namespace kmsconf::server {

class DialectAdapter {
 public:
  virtual ~DialectAdapter() = default;
  virtual HttpResponse handle(const HttpRequest& request) = 0;
  virtual HttpResponse reject(int http_status, std::string_view reason) = 0;
};

}  // namespace kmsconf::server
