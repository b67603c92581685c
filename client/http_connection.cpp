// The asynchronous keep-alive connection (http_connection.hpp), in the Beast examples' style: the
// connection owns its stream and buffers and keeps itself alive through its completion handlers.
#include "client/http_connection.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <stdexcept>

#include "protocol/beast_message.hpp"

namespace kmsconf::client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Kind = TransportErrorKind;

constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 64ull * 1024 * 1024;

bool is_ip_literal(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

bool closed_before_answer(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

bool is_tls_error(const error_code& ec) {
  return ec.category() == net::error::get_ssl_category() ||
         ec.category() == ssl::error::get_stream_category();
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const ClientOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  error_code ec;
  if (options.insecure) {
    context->set_verify_mode(ssl::verify_none);
    return context;
  }
  context->set_verify_mode(ssl::verify_peer);
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      throw TransportError(Kind::TlsError,
                           "cannot load CA file '" + options.ca_file + "': " + ec.message());
    }
  } else {
    context->set_default_verify_paths(ec);
    if (ec) {
      throw TransportError(Kind::TlsError, "cannot load the system trust store: " + ec.message());
    }
  }
  return context;
}

struct HttpConnection::Impl : std::enable_shared_from_this<Impl> {
  net::io_context& io;
  Endpoint endpoint;
  std::string host_header;
  std::shared_ptr<ssl::context> tls;
  std::chrono::milliseconds timeout;
  bool insecure;
  tcp::resolver resolver;
  std::optional<tcp::resolver::results_type> addresses;  // resolved once, reused on reconnects
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;
  http::request<http::string_body> message;
  Handler done;
  std::chrono::steady_clock::time_point deadline;
  bool reused = false;   // this exchange started on a kept-alive connection
  bool retried = false;  // and was already sent again on a fresh one
  bool closing = false;  // close() was called: end the exchange, never reconnect for it
  uint64_t opened = 0;

  Impl(net::io_context& context, Endpoint e, std::shared_ptr<ssl::context> t,
       std::chrono::milliseconds limit, bool skip_verify)
      : io(context),
        endpoint(std::move(e)),
        host_header(endpoint.host_header()),
        tls(std::move(t)),
        timeout(limit),
        insecure(skip_verify),
        resolver(context) {}

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  // A stream whose socket is open. Streams are replaced only when no operation is pending on
  // them (connect()), so a close() while one is in flight only closes the socket.
  bool connected() {
    return (plain.has_value() || secure.has_value()) && lowest().socket().is_open();
  }

  template <class F>
  void with_stream(F&& f) {
    if (secure) {
      f(*secure);
    } else {
      f(*plain);
    }
  }

  void drop() {
    buffer.clear();
    if (!connected()) return;
    error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }

  void start(const HttpRequest& request, Handler handler) {
    if (done) throw std::logic_error("HttpConnection: an exchange is already in flight");
    message = beast_message::to_wire(request, host_header);
    done = std::move(handler);
    deadline = std::chrono::steady_clock::now() + timeout;
    reused = connected();
    retried = false;
    closing = false;
    if (reused && buffer.size() > 0) {  // unsolicited bytes: the connection is not clean
      drop();
      reused = false;
    }
    if (connected()) {
      write();
    } else {
      connect();
    }
  }

  void finish(ExchangeResult&& result) {
    if (result.error) drop();
    result.retried = retried;
    Handler handler = std::move(done);
    done = nullptr;
    if (handler) handler(std::move(result));
  }

  void fail(Kind kind, std::string message_text, bool connecting = false) {
    ExchangeResult result;
    result.error = kind;
    result.error_message = std::move(message_text);
    result.connect_failed = connecting;
    finish(std::move(result));
  }

  void connect() {
    drop();
    secure.reset();
    plain.reset();
    if (tls) {
      secure.emplace(io, *tls);
    } else {
      plain.emplace(io);
    }
    if (addresses) {
      connect_to(*addresses);
      return;
    }
    resolver.async_resolve(
        endpoint.host, std::to_string(endpoint.port),
        [self = shared_from_this()](error_code ec, tcp::resolver::results_type results) {
          if (ec || results.empty()) {
            self->fail(Kind::ConnectFailed,
                       "cannot resolve " + self->endpoint.host + ": " + ec.message(), true);
            return;
          }
          self->addresses = results;
          self->connect_to(results);
        });
  }

  void connect_to(const tcp::resolver::results_type& results) {
    if (closing || (!plain && !secure)) {
      fail(Kind::ConnectionReset, "the connection to " + host_header + " was closed", true);
      return;
    }
    lowest().expires_at(deadline);
    lowest().async_connect(
        results, [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
          if (ec == beast::error::timeout) {
            self->fail(Kind::Timeout, "connecting to " + self->host_header + " timed out", true);
          } else if (ec) {
            self->fail(Kind::ConnectFailed,
                       "cannot connect to " + self->host_header + ": " + ec.message(), true);
          } else {
            lowest_no_delay(*self);
            if (self->secure) {
              self->handshake();
            } else {
              ++self->opened;
              self->write();
            }
          }
        });
  }

  static void lowest_no_delay(Impl& self) {
    error_code ignored;
    self.lowest().socket().set_option(tcp::no_delay(true), ignored);
  }

  void handshake() {
    SSL* native = secure->native_handle();
    if (!is_ip_literal(endpoint.host)) SSL_set_tlsext_host_name(native, endpoint.host.c_str());
    if (!insecure) secure->set_verify_callback(ssl::host_name_verification(endpoint.host));
    lowest().expires_at(deadline);
    secure->async_handshake(ssl::stream_base::client, [self = shared_from_this()](error_code ec) {
      if (ec == beast::error::timeout) {
        self->fail(Kind::Timeout, "TLS handshake with " + self->host_header + " timed out", true);
      } else if (ec) {
        self->fail(Kind::TlsError,
                   "TLS handshake with " + self->host_header + " failed: " + ec.message(), true);
      } else {
        ++self->opened;  // a TLS connection counts once it can carry a request
        self->write();
      }
    });
  }

  void write() {
    lowest().expires_at(deadline);
    with_stream([&](auto& stream) {
      http::async_write(stream, message, [self = shared_from_this()](error_code ec, std::size_t) {
        if (!ec) {
          self->read();
        } else if (ec == beast::error::timeout) {
          self->fail(Kind::Timeout, "sending to " + self->host_header + " timed out");
        } else if (ec == net::error::operation_aborted || !self->retry()) {
          self->fail(Kind::ConnectionReset,
                     "sending to " + self->host_header + " failed: " + ec.message());
        }
      });
    });
  }

  // A kept-alive connection the server closed meanwhile: once more on a fresh connection.
  bool retry() {
    if (!reused || retried || closing) return false;
    retried = true;
    reused = false;
    connect();
    return true;
  }

  void read() {
    parser.emplace();
    parser->header_limit(kMaxHeaderBytes);
    parser->body_limit(kMaxBodyBytes);
    if (message.method() == http::verb::head) parser->skip(true);
    lowest().expires_at(deadline);
    with_stream([&](auto& stream) {
      http::async_read(
          stream, buffer, *parser,
          [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
    });
  }

  void on_read(error_code ec) {
    if (ec) {
      const bool nothing_came = !parser->got_some() && buffer.size() == 0;
      // Only a clean close (FIN) with nothing answered: the keep-alive race of RFC 9112 9.3.1.
      // A reset is the server's failure and is counted as one.
      const bool clean_close = ec == http::error::end_of_stream || ec == net::error::eof;
      if (nothing_came && clean_close && retry()) return;
      fail_read(ec, nothing_came);
      return;
    }
    auto response = parser->release();
    const int status = response.result_int();
    if (status / 100 == 1 && status != 101) {  // interim: the answer follows
      read();
      return;
    }
    const bool keep_alive = response.keep_alive() && !response.need_eof();
    ExchangeResult result;
    result.response = beast_message::from_wire(std::move(response));
    if (!keep_alive) drop();
    finish(std::move(result));
  }

  void fail_read(const error_code& ec, bool nothing_came) {
    if (ec == beast::error::timeout) {
      fail(Kind::Timeout, "no complete response from " + host_header + " within " +
                              std::to_string(timeout.count()) + " ms");
    } else if (ec == net::error::operation_aborted) {
      fail(Kind::ConnectionReset, "the connection to " + host_header + " was closed");
    } else if (closed_before_answer(ec) || ec == http::error::partial_message) {
      fail(Kind::ConnectionReset,
           host_header + (nothing_came ? " closed the connection without a response"
                                       : " closed the connection mid-response"));
    } else if (is_tls_error(ec)) {
      fail(Kind::TlsError, "TLS error talking to " + host_header + ": " + ec.message());
    } else if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      fail(Kind::MalformedResponse,
           "malformed HTTP response from " + host_header + ": " + ec.message());
    } else {
      fail(Kind::ConnectionReset, "connection to " + host_header + " failed: " + ec.message());
    }
  }
};

HttpConnection::HttpConnection(net::io_context& io, Endpoint endpoint,
                               std::shared_ptr<ssl::context> tls, std::chrono::milliseconds timeout,
                               bool insecure) {
  const bool wants_tls = endpoint.tls();
  if (wants_tls && !tls) {
    throw std::invalid_argument("HttpConnection: an https endpoint needs a TLS context");
  }
  if (!wants_tls) tls.reset();
  impl_ = std::make_shared<Impl>(io, std::move(endpoint), std::move(tls), timeout, insecure);
}

HttpConnection::~HttpConnection() {
  impl_->done = nullptr;  // handlers in flight must not reach a caller that is gone
  impl_->resolver.cancel();
  impl_->drop();
}

void HttpConnection::async_send(const HttpRequest& request, Handler done) {
  impl_->start(request, std::move(done));
}

void HttpConnection::close() {
  impl_->closing = impl_->done != nullptr;
  impl_->resolver.cancel();
  impl_->drop();
}

bool HttpConnection::busy() const {
  return impl_->done != nullptr;
}

uint64_t HttpConnection::connections_opened() const {
  return impl_->opened;
}

}  // namespace kmsconf::client
