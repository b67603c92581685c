// Beast message conversions (beast_message.hpp).
#include "protocol/beast_message.hpp"

#include <stdexcept>
#include <string>

#include "protocol/ascii.hpp"

namespace kmsconf::beast_message {
namespace {

bool has_control_or_space(std::string_view target) {
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && ascii::iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

http::request<http::string_body> to_wire(const HttpRequest& request,
                                         std::string_view default_host) {
  if (!ascii::is_token(request.method)) {
    throw std::invalid_argument("HttpClient: invalid method '" + request.method + "'");
  }
  std::string target = request.path.empty() ? std::string("/") : request.path;
  if (!request.raw_query.empty()) target += "?" + request.raw_query;
  if (has_control_or_space(target)) {
    throw std::invalid_argument("HttpClient: request target contains a space or control byte");
  }
  http::request<http::string_body> msg;
  msg.method_string(request.method);
  msg.target(target);
  msg.version(11);
  if (!request.has_header("Host")) msg.insert(http::field::host, default_host);
  bool has_length = false;
  for (const auto& [name, value] : request.headers) {
    if (!ascii::is_token(name)) {
      throw std::invalid_argument("HttpClient: invalid header name '" + name + "'");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw std::invalid_argument("HttpClient: header '" + name + "' contains CR, LF or NUL");
    }
    if (ascii::iequals(name, "Transfer-Encoding")) {
      throw std::invalid_argument("HttpClient: Transfer-Encoding is not supported");
    }
    if (ascii::iequals(name, "Content-Length")) {
      msg.insert(name, std::to_string(request.body.size()));
      has_length = true;
      continue;
    }
    msg.insert(name, value);
  }
  const bool bodiless_method = request.method == "GET" || request.method == "HEAD";
  if (!has_length && (!request.body.empty() || !bodiless_method)) {
    msg.insert(http::field::content_length, std::to_string(request.body.size()));
  }
  msg.body() = request.body;
  return msg;
}

HttpResponse from_wire(http::response<http::string_body>&& response) {
  HttpResponse out;
  out.status = response.result_int();
  out.headers = headers_of(response);
  out.body = std::move(response.body());
  return out;
}

HttpRequest from_wire(http::request<http::string_body>&& request) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  std::string_view target(request.target().data(), request.target().size());
  if (starts_with_ci(target, "http://") || starts_with_ci(target, "https://")) {
    auto rest = target.find_first_of("/?", target.find("://") + 3);
    target = rest == std::string_view::npos ? std::string_view() : target.substr(rest);
  }
  auto q = target.find('?');
  auto path = target.substr(0, q);
  out.path = path.empty() ? std::string("/") : std::string(path);
  if (q != std::string_view::npos) out.raw_query = std::string(target.substr(q + 1));
  out.headers = headers_of(request);
  out.body = std::move(request.body());
  return out;
}

}  // namespace kmsconf::beast_message
