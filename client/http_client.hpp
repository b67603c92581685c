// Synchronous HTTP/1.1 (+TLS) client for tests, the conformance runner and small tools.
// Requests are usually signed before they get here, so the client sends exactly the headers it is
// given plus Host (when absent) and Content-Length, and nothing else. Beast/Asio/OpenSSL stay in
// http_client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "protocol/http_message.hpp"

namespace kmsconf::client {

enum class TransportErrorKind {
  ConnectFailed,      // name resolution or TCP connect failed (refused, unreachable, ...)
  Timeout,            // the request's deadline passed (connect, TLS handshake, write or read)
  ConnectionReset,    // the peer closed or reset the connection before a complete response
  MalformedResponse,  // bytes came back but they are not a valid HTTP/1.x response
  TlsError,           // TLS setup, handshake or certificate/hostname verification failed
};

std::string_view to_string(TransportErrorKind kind);

class TransportError : public std::runtime_error {
 public:
  using Kind = TransportErrorKind;
  TransportError(Kind kind, const std::string& message);
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

struct Endpoint {
  std::string scheme;  // "http" or "https" (lower case)
  std::string host;    // DNS name or IP literal; IPv6 without brackets ("::1")
  uint16_t port = 0;

  // Accepts "http(s)://host[:port][/]"; IPv6 as "[::1]". The scheme is case-insensitive; the
  // default port is 80/443. Returns nullopt for other schemes, a missing/empty host, a bad or zero
  // port, user info, or anything after the authority other than a lone "/".
  static std::optional<Endpoint> parse(std::string_view url);

  // Value for the Host header: "host", "host:8080", "[::1]:8080" (default ports omitted).
  std::string host_header() const;
  // "scheme://" + host_header()
  std::string url() const;
  bool tls() const { return scheme == "https"; }
  // The host is this machine by its address or name: 127.0.0.0/8, ::1 or "localhost". Traffic
  // that spends quota (bursts) goes there by default and elsewhere only when asked.
  bool loopback() const;

  bool operator==(const Endpoint&) const = default;
};

// When a request in flight must give up (nullopt: not before its own timeout).
using GiveUpAt = std::function<std::optional<std::chrono::steady_clock::time_point>()>;

struct ClientOptions {
  std::chrono::milliseconds timeout{10000};  // whole send(): connect + TLS + write + read
  bool insecure = false;                     // HTTPS: skip certificate and hostname checks
  std::string ca_file;  // HTTPS: PEM trust anchors to use instead of the system store
};

// One connection, reused while the server keeps it alive. Not thread-safe: use one client per
// thread.
class HttpClient {
 public:
  // Throws std::invalid_argument for an unusable endpoint and TransportError(TlsError) when the
  // TLS context cannot be set up (e.g. unreadable ca_file).
  explicit HttpClient(Endpoint endpoint, ClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends request.method request.path[?request.raw_query] with request.headers in their map order,
  // then Host (only when absent) and Content-Length (the body size; replaces a caller's value,
  // omitted for GET/HEAD without body). A request on a reused keep-alive connection is retried
  // once on a fresh connection when the server closed it before sending any byte of a response.
  // Interim 1xx responses (except 101) are skipped. Throws TransportError; throws
  // std::invalid_argument for requests that cannot be put on the wire (CR/LF in a header, a
  // Transfer-Encoding header, a method or target with spaces).
  // `give_up_at`, when given, is asked before the request and about every 50 ms while it waits
  // for the instant to give up (a run's deadline, or a stop that came in meanwhile): the request
  // then ends with TransportError(Timeout), whatever its own timeout still allows.
  HttpResponse send(const HttpRequest& request, const GiveUpAt& give_up_at = {});

  // Drops the kept-alive connection, if any.
  void close();

  const Endpoint& endpoint() const;
  uint64_t connections_opened() const;  // TCP connections established so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Test helper: opens a plain TCP connection (even for https endpoints), writes raw_bytes as they
// are, and returns everything read until the peer closes. If the timeout expires first, returns
// what was read, or throws TransportError(Timeout) when nothing was. Throws
// TransportError(ConnectFailed) when the connection cannot be made.
std::string raw_exchange(const Endpoint& endpoint, std::string_view raw_bytes,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds{5000});

}  // namespace kmsconf::client
