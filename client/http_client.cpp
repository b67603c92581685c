#include "client/http_client.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <utility>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "client/http_connection.hpp"
#include "protocol/ascii.hpp"
#include "protocol/beast_message.hpp"

namespace kmsconf::client {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Kind = TransportErrorKind;

constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;

using ascii::iequals;

bool is_reg_name(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '-' || c == '.' || c == '_';
  });
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

std::string millis(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

constexpr std::chrono::milliseconds kGiveUpPoll{50};

// Runs the pending operations to completion. With `give_up_at`, asks it every kGiveUpPoll and,
// once its instant has passed, calls `cancel` (the operations then complete as aborted, while
// what their handlers refer to is still alive). Returns whether it gave up.
bool run_io(net::io_context& ioc, const GiveUpAt& give_up_at = {},
            const std::function<void()>& cancel = {}) {
  ioc.restart();
  if (!give_up_at) {
    ioc.run();
    return false;
  }
  bool gave_up = false;
  while (!ioc.stopped()) {
    ioc.run_for(kGiveUpPoll);
    if (gave_up || ioc.stopped()) continue;
    auto limit = give_up_at();
    if (limit && Clock::now() >= *limit) {
      gave_up = true;
      cancel();
    }
  }
  return gave_up;
}

// The caller's GiveUpAt limit passed: a run's deadline, a stop, or a cleanup step's timeout.
TransportError gave_up(const std::string& doing) {
  return TransportError(Kind::Timeout, "gave up " + doing + " at the limit the run set");
}

// Resolves on `ioc` with a deadline; numeric hosts skip DNS.
tcp::resolver::results_type resolve(net::io_context& ioc, const Endpoint& ep,
                                    Clock::time_point deadline, std::chrono::milliseconds budget,
                                    const GiveUpAt& give_up_at) {
  tcp::resolver resolver(ioc);
  net::steady_timer timer(ioc);
  error_code rec = net::error::would_block;
  bool timed_out = false;
  tcp::resolver::results_type results;
  auto flags = is_ip_literal(ep.host) ? tcp::resolver::numeric_host : tcp::resolver::flags{};
  resolver.async_resolve(ep.host, std::to_string(ep.port), flags,
                         [&](error_code ec, tcp::resolver::results_type r) {
                           rec = ec;
                           results = std::move(r);
                           timer.cancel();
                         });
  timer.expires_at(deadline);
  timer.async_wait([&](error_code ec) {
    if (!ec) {
      timed_out = true;
      resolver.cancel();
    }
  });
  if (run_io(ioc, give_up_at, [&] {
        resolver.cancel();
        timer.cancel();
      })) {
    throw gave_up("resolving '" + ep.host + "'");
  }
  if (timed_out) {
    throw TransportError(Kind::Timeout,
                         "resolving '" + ep.host + "' took longer than " + millis(budget));
  }
  if (rec || results.empty()) {
    throw TransportError(
        Kind::ConnectFailed,
        "cannot resolve '" + ep.host + "': " + (rec ? rec.message() : std::string("no addresses")));
  }
  return results;
}

// Connects `stream` to the first reachable resolved address before the deadline.
void connect_tcp(net::io_context& ioc, beast::tcp_stream& stream, const Endpoint& ep,
                 Clock::time_point deadline, std::chrono::milliseconds budget,
                 const GiveUpAt& give_up_at = {}) {
  auto results = resolve(ioc, ep, deadline, budget, give_up_at);
  error_code cec = net::error::would_block;
  stream.expires_at(deadline);
  stream.async_connect(results, [&](error_code ec, const tcp::endpoint&) { cec = ec; });
  // close, not cancel: a range connect moves on to the next address after a cancel.
  if (run_io(ioc, give_up_at, [&] { stream.close(); })) {
    throw gave_up("connecting to " + ep.host_header());
  }
  if (cec == beast::error::timeout) {
    throw TransportError(
        Kind::Timeout, "connecting to " + ep.host_header() + " took longer than " + millis(budget));
  }
  if (cec) {
    throw TransportError(Kind::ConnectFailed,
                         "cannot connect to " + ep.host_header() + ": " + cec.message());
  }
  error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);
}

bool is_http_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

bool is_closed_error(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::connection_aborted ||
         ec == net::error::broken_pipe || ec == ssl::error::stream_truncated;
}

// Outcome of one write + read on an established connection.
struct Exchange {
  error_code ec;
  bool write_failed = false;
  bool got_bytes = false;    // any byte of a response arrived
  bool header_done = false;  // the response header was complete
  bool looks_http = true;    // the bytes received so far start like "HTTP/"
};

}  // namespace

std::string_view to_string(TransportErrorKind kind) {
  switch (kind) {
    case Kind::ConnectFailed:
      return "ConnectFailed";
    case Kind::Timeout:
      return "Timeout";
    case Kind::ConnectionReset:
      return "ConnectionReset";
    case Kind::MalformedResponse:
      return "MalformedResponse";
    case Kind::TlsError:
      return "TlsError";
  }
  return "Unknown";
}

TransportError::TransportError(Kind kind, const std::string& message)
    : std::runtime_error(std::string(to_string(kind)) + ": " + message), kind_(kind) {}

// ---------------------------------------------------------------------------------------------
// Endpoint

std::optional<Endpoint> Endpoint::parse(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  Endpoint ep;
  ep.scheme = ascii::to_lower(url.substr(0, sep));
  if (ep.scheme != "http" && ep.scheme != "https") return std::nullopt;

  auto rest = url.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  if (end != std::string_view::npos && rest.substr(end) != "/") return std::nullopt;
  if (authority.find('@') != std::string_view::npos) return std::nullopt;

  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    ep.host = std::string(authority.substr(1, close - 1));
    error_code ec;
    net::ip::make_address_v6(ep.host, ec);
    if (ec) return std::nullopt;
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    auto colon = authority.find(':');
    if (colon != authority.rfind(':')) return std::nullopt;  // IPv6 needs brackets
    ep.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (!is_reg_name(ep.host)) return std::nullopt;
  }
  if (ep.host.empty()) return std::nullopt;

  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return std::nullopt;
    }
    unsigned value = 0;
    std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (value == 0 || value > 65535) return std::nullopt;
    ep.port = static_cast<uint16_t>(value);
  } else {
    ep.port = ep.scheme == "https" ? 443 : 80;
  }
  return ep;
}

std::string Endpoint::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

std::string Endpoint::url() const {
  return scheme + "://" + host_header();
}

bool Endpoint::loopback() const {
  if (host == "::1" || iequals(host, "localhost")) return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v4(host, ec);
  return !ec && address.is_loopback();
}

// ---------------------------------------------------------------------------------------------
// HttpClient

struct HttpClient::Impl {
  Endpoint ep;
  ClientOptions opt;
  std::chrono::milliseconds budget{0};  // this request's share of time, for timeout messages
  GiveUpAt give_up_at;                  // this request's, when it has one
  net::io_context ioc{1};
  std::shared_ptr<ssl::context> ssl_ctx;  // make_tls_context (http_connection.hpp)
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  uint64_t opened = 0;
  bool hostname_mismatch = false;

  Impl(Endpoint e, ClientOptions o) : ep(std::move(e)), opt(std::move(o)) {
    if (ep.scheme != "http" && ep.scheme != "https") {
      throw std::invalid_argument("HttpClient: scheme must be http or https, got '" + ep.scheme +
                                  "'");
    }
    if (ep.host.empty() || ep.port == 0) {
      throw std::invalid_argument("HttpClient: endpoint needs a host and a non-zero port");
    }
    if (ep.tls()) setup_tls();
  }

  void setup_tls() { ssl_ctx = make_tls_context(opt); }

  bool connected() const { return plain.has_value() || secure.has_value(); }

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  template <class F>
  void with_stream(F&& f) {
    if (secure) {
      f(*secure);
    } else {
      f(*plain);
    }
  }

  void drop() {
    if (connected()) {
      error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
      lowest().close();
    }
    secure.reset();
    plain.reset();
    buffer.clear();
  }

  // A kept-alive connection is worth reusing only if the server has not closed it meanwhile.
  bool idle_connection_usable() {
    if (buffer.size() > 0) return false;  // unsolicited bytes after the last response
    char probe;
    auto n = ::recv(lowest().socket().native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if (n == 0) return false;  // FIN
    // TLS 1.3 servers send session tickets after the handshake; plain HTTP servers send nothing
    // unsolicited except a goodbye (e.g. 408) before closing.
    return secure.has_value();
  }

  void connect(Clock::time_point deadline) {
    drop();
    if (secure_wanted()) {
      secure.emplace(ioc, *ssl_ctx);
    } else {
      plain.emplace(ioc);
    }
    try {
      connect_tcp(ioc, lowest(), ep, deadline, budget, give_up_at);
      ++opened;
      if (secure) handshake(deadline);
    } catch (...) {
      drop();
      throw;
    }
  }

  bool secure_wanted() const { return ssl_ctx != nullptr; }

  void handshake(Clock::time_point deadline) {
    SSL* native = secure->native_handle();
    if (!is_ip_literal(ep.host) && !SSL_set_tlsext_host_name(native, ep.host.c_str())) {
      throw TransportError(Kind::TlsError, "cannot set SNI host name '" + ep.host + "'");
    }
    hostname_mismatch = false;
    if (!opt.insecure) {
      secure->set_verify_callback([this, check = ssl::host_name_verification(ep.host)](
                                      bool preverified, ssl::verify_context& ctx) {
        bool ok = check(preverified, ctx);
        if (preverified && !ok) hostname_mismatch = true;
        return ok;
      });
    }
    error_code hec = net::error::would_block;
    lowest().expires_at(deadline);
    secure->async_handshake(ssl::stream_base::client, [&](error_code ec) { hec = ec; });
    if (run_io(ioc, give_up_at, [&] { lowest().cancel(); })) {
      throw gave_up("the TLS handshake with " + ep.host_header());
    }
    if (!hec) return;
    if (hec == beast::error::timeout) {
      throw TransportError(Kind::Timeout, "TLS handshake with " + ep.host_header() +
                                              " took longer than " + millis(budget));
    }
    std::string detail = hec.message();
    long verify = SSL_get_verify_result(native);
    if (hostname_mismatch) {
      detail += " (certificate does not match host '" + ep.host + "')";
    } else if (verify != X509_V_OK) {
      detail +=
          std::string(" (certificate verification: ") + X509_verify_cert_error_string(verify) + ")";
    }
    throw TransportError(Kind::TlsError,
                         "TLS handshake with " + ep.host_header() + " failed: " + detail);
  }

  http::request<http::string_body> build(const HttpRequest& request) const {
    return beast_message::to_wire(request, ep.host_header());
  }

  Exchange exchange(const http::request<http::string_body>& msg, bool head,
                    Clock::time_point deadline, HttpResponse& out, bool& keep_alive) {
    Exchange result;
    error_code wec = net::error::would_block;
    lowest().expires_at(deadline);
    with_stream(
        [&](auto& s) { http::async_write(s, msg, [&](error_code ec, std::size_t) { wec = ec; }); });
    if (run_io(ioc, give_up_at, [&] { lowest().cancel(); })) {
      throw gave_up("sending to " + ep.host_header());
    }
    if (wec) {
      result.ec = wec;
      result.write_failed = true;
      return result;
    }
    for (;;) {
      http::response_parser<http::string_body> parser;
      parser.header_limit(kMaxResponseHeaderBytes);
      parser.body_limit(boost::none);
      if (head) parser.skip(true);
      error_code rec = net::error::would_block;
      lowest().expires_at(deadline);
      with_stream([&](auto& s) {
        http::async_read(s, buffer, parser, [&](error_code ec, std::size_t) { rec = ec; });
      });
      if (run_io(ioc, give_up_at, [&] { lowest().cancel(); })) {
        throw gave_up("waiting for " + ep.host_header() + "'s answer");
      }
      if (rec == ssl::error::stream_truncated && parser.is_header_done() && !parser.is_done()) {
        // close-delimited body from a server that skipped close_notify
        error_code eof_ec;
        parser.put_eof(eof_ec);
        if (!eof_ec) rec = {};
      }
      if (rec) {
        result.ec = rec;
        result.header_done = parser.is_header_done();
        result.got_bytes = parser.got_some() || buffer.size() > 0 || result.header_done;
        if (!result.header_done && buffer.size() > 0) {
          std::string_view seen(static_cast<const char*>(buffer.data().data()), buffer.size());
          std::string_view expected = "HTTP/";
          auto n = std::min(seen.size(), expected.size());
          result.looks_http = seen.substr(0, n) == expected.substr(0, n);
        }
        return result;
      }
      auto res = parser.release();
      const int status = res.result_int();
      if (status / 100 == 1 && status != 101) continue;  // interim response
      keep_alive = res.keep_alive() && !res.need_eof();
      out = beast_message::from_wire(std::move(res));
      return result;
    }
  }

  TransportError classify(const Exchange& x) const {
    const std::string who = ep.host_header();
    const auto& ec = x.ec;
    if (ec == beast::error::timeout) {
      return TransportError(Kind::Timeout,
                            "no complete response from " + who + " within " + millis(budget));
    }
    if (x.write_failed) {
      return TransportError(Kind::ConnectionReset,
                            "sending the request to " + who + " failed: " + ec.message());
    }
    if (x.got_bytes && !x.header_done && !x.looks_http) {
      return TransportError(
          Kind::MalformedResponse,
          who + " answered with bytes that are not an HTTP response (" + ec.message() + ")");
    }
    if (ec == http::error::end_of_stream) {
      return TransportError(Kind::ConnectionReset,
                            who + " closed the connection without a response");
    }
    if (ec == http::error::partial_message || is_closed_error(ec)) {
      return TransportError(
          Kind::ConnectionReset,
          who + " closed the connection before the response was complete (" + ec.message() + ")");
    }
    if (is_http_error(ec)) {
      return TransportError(Kind::MalformedResponse,
                            "malformed HTTP response from " + who + ": " + ec.message());
    }
    if (ec.category() == net::error::get_ssl_category() ||
        ec.category() == ssl::error::get_stream_category()) {
      return TransportError(Kind::TlsError, "TLS error talking to " + who + ": " + ec.message());
    }
    return TransportError(Kind::ConnectionReset,
                          "connection to " + who + " failed: " + ec.message());
  }

  HttpResponse send(const HttpRequest& request, const GiveUpAt& give_up) {
    auto msg = build(request);
    const bool head = request.method == "HEAD";
    const auto now = Clock::now();
    auto deadline = now + opt.timeout;
    bool cut_short = false;  // the run's limit, not the request's own timeout, bounds it
    if (auto limit = give_up ? give_up() : std::nullopt; limit && *limit < deadline) {
      deadline = std::max(*limit, now);
      cut_short = true;
    }
    budget = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    give_up_at = give_up;
    try {
      return send_before(msg, head, deadline);
    } catch (const TransportError& e) {
      drop();  // a connection given up on mid-request is in no state to be reused
      // A timeout at the run's limit says nothing about the endpoint's speed: say whose it was.
      const std::string_view text = e.what();
      if (cut_short && e.kind() == Kind::Timeout && text.find(": gave up ") == std::string::npos) {
        const size_t kind_prefix = to_string(Kind::Timeout).size() + 2;  // "Timeout: "
        throw gave_up("after " + millis(budget) + " (" + std::string(text.substr(kind_prefix)) +
                      ")");
      }
      throw;
    }
  }

  HttpResponse send_before(const http::request<http::string_body>& msg, bool head,
                           Clock::time_point deadline) {
    bool reused = connected();
    if (reused && !idle_connection_usable()) {
      drop();
      reused = false;
    }
    if (!connected()) connect(deadline);

    HttpResponse out;
    bool keep_alive = false;
    auto x = exchange(msg, head, deadline, out, keep_alive);
    // The server may have closed the idle connection just as we reused it: one fresh attempt.
    if (x.ec && reused && !x.got_bytes && x.ec != beast::error::timeout &&
        (x.write_failed || is_closed_error(x.ec))) {
      connect(deadline);
      x = exchange(msg, head, deadline, out, keep_alive);
    }
    if (x.ec) {
      auto error = classify(x);
      drop();
      throw error;
    }
    if (!keep_alive) drop();
    return out;
  }
};

HttpClient::HttpClient(Endpoint endpoint, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(endpoint), std::move(options))) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::send(const HttpRequest& request, const GiveUpAt& give_up_at) {
  return impl_->send(request, give_up_at);
}
void HttpClient::close() {
  impl_->drop();
}
const Endpoint& HttpClient::endpoint() const {
  return impl_->ep;
}
uint64_t HttpClient::connections_opened() const {
  return impl_->opened;
}

// ---------------------------------------------------------------------------------------------
// raw_exchange

std::string raw_exchange(const Endpoint& endpoint, std::string_view raw_bytes,
                         std::chrono::milliseconds timeout) {
  net::io_context ioc{1};
  const auto deadline = Clock::now() + timeout;
  beast::tcp_stream stream(ioc);
  connect_tcp(ioc, stream, endpoint, deadline, timeout);

  error_code ec = net::error::would_block;
  stream.expires_at(deadline);
  net::async_write(stream, net::buffer(raw_bytes.data(), raw_bytes.size()),
                   [&](error_code e, std::size_t) { ec = e; });
  run_io(ioc);
  // A write error (peer closed early) is not fatal: whatever it sent is still worth reading.

  std::string received;
  std::array<char, 16 * 1024> chunk{};
  for (;;) {
    std::size_t n = 0;
    stream.expires_at(deadline);
    stream.async_read_some(net::buffer(chunk), [&](error_code e, std::size_t got) {
      ec = e;
      n = got;
    });
    run_io(ioc);
    received.append(chunk.data(), n);
    if (ec) break;
  }
  if (ec == beast::error::timeout && received.empty()) {
    throw TransportError(Kind::Timeout, "raw exchange with " + endpoint.host_header() +
                                            ": nothing received within " + millis(timeout));
  }
  return received;
}

}  // namespace kmsconf::client
