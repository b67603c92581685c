// Generic HTTP/1.1 server on Boost.Beast. It knows nothing about KMS: it turns bytes into
// kmsconf::HttpRequest values, hands them to a RequestHandler on a thread pool and writes the
// returned HttpResponse back. Beast/Asio stay in http_server.cpp so includers compile fast.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/http_message.hpp"

namespace kmsconf::server {

struct HttpServerOptions {
  std::string address = "127.0.0.1";    // IPv4/IPv6 literal ("::1", "[::1]") or a resolvable name
  uint16_t port = 0;                    // 0 = ephemeral; read the real one with HttpServer::port()
  size_t threads = 2;                   // I/O threads; handlers run on them, one per connection
  size_t max_header_bytes = 16 * 1024;  // request line + headers; above -> 431
  size_t max_body_bytes = 4 * 1024 * 1024;           // above -> 413 (via RejectResponder)
  std::chrono::milliseconds idle_timeout{30000};     // keep-alive wait for the next request
  std::chrono::milliseconds request_timeout{30000};  // first byte -> request fully read; and write
  size_t max_connections = 1024;                     // further connections are closed at once
  std::chrono::milliseconds stop_grace{3000};        // how long stop() lets in-flight requests run
};

// Called once per complete request, concurrently from several threads for different connections.
// Exceptions are caught and turned into a plain 500.
using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

// Called when the server itself refuses a request (413 body too large, 431 header too large,
// 400 malformed) so a dialect can render its own error body. The status passed is the HTTP-level
// reason; the returned response (status included) is sent as is, followed by a close.
using RejectResponder = std::function<HttpResponse(int http_status, std::string_view reason)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler, RejectResponder reject = {});
  ~HttpServer();  // calls stop()

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Throws std::system_error naming the address on
  // bind/listen failure (the server can then be started again), std::logic_error when called
  // twice.
  void start();

  // Graceful and idempotent: stops accepting, closes idle keep-alive connections, lets in-flight
  // requests finish (their responses carry "Connection: close") for up to stop_grace, then
  // closes what is left and joins the threads. Must not be called from inside a handler; it waits
  // for running handlers to return.
  void stop();

  uint16_t port() const;        // bound port once started (kept after stop), else 0
  std::string address() const;  // bound address ("127.0.0.1", "::1") after start()
  std::string url() const;      // "http://127.0.0.1:port" or "http://[::1]:port"

  // Observability for tests and diagnostics.
  uint64_t connections_accepted() const;  // every accepted TCP connection since start()
  size_t active_connections() const;      // connections currently open
  uint64_t requests_handled() const;      // requests passed to the RequestHandler

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kmsconf::server
