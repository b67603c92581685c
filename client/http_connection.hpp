// One asynchronous HTTP/1.1 keep-alive connection (plain or TLS) on a caller's io_context: what a
// load-generator worker holds many of. One request at a time; connects (and reconnects after a
// close) by itself; every exchange ends in its handler, with a response or a transport error.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "client/http_client.hpp"
#include "protocol/http_message.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace kmsconf::client {

struct ExchangeResult {
  std::optional<TransportErrorKind> error;  // nullopt: `response` is a complete answer
  std::string error_message;
  HttpResponse response;
  bool connect_failed = false;  // the error came from opening the connection
  // The request went out again on a fresh connection because the kept-alive one was closed by
  // the server without a byte of answer: counted, so a server that drops requests cannot hide.
  bool retried = false;
};

// A TLS client context for https endpoints (CA file, --insecure), shared by a worker's
// connections. Throws TransportError(TlsError) when the trust anchors cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const ClientOptions& options);

class HttpConnection {
 public:
  using Handler = std::function<void(ExchangeResult&&)>;

  // tls: make_tls_context's context for https endpoints; null for http. `timeout` bounds each
  // exchange, connect and TLS handshake included.
  HttpConnection(boost::asio::io_context& io, Endpoint endpoint,
                 std::shared_ptr<boost::asio::ssl::context> tls, std::chrono::milliseconds timeout,
                 bool insecure = false);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `request` (as HttpClient::send puts it on the wire) and calls `done` on the io_context's
  // thread. Only one exchange at a time. A request on a reused connection that the server had
  // closed before answering is retried once on a fresh connection. Throws std::invalid_argument
  // when the request cannot be put on the wire.
  void async_send(const HttpRequest& request, Handler done);

  // Closes the socket; an exchange in flight ends with a ConnectionReset error.
  void close();

  bool busy() const;
  uint64_t connections_opened() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kmsconf::client
