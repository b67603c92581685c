#include "reference_server/http/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/ascii.hpp"
#include "protocol/beast_message.hpp"

namespace kmsconf::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

// After a response that ends the connection, keep reading (and discarding) for at most this long
// so a client still sending a rejected body receives the response instead of a TCP reset.
constexpr std::chrono::milliseconds kLingerLimit{2000};
constexpr std::size_t kFirstReadSize = 4096;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

using ascii::iequals;
using ascii::is_token;

// True when the comma-separated header value contains `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    auto item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool has_ctl_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

HttpResponse plain_response(int status, std::string_view text) {
  HttpResponse r;
  r.status = status;
  r.headers["Content-Type"] = "text/plain; charset=utf-8";
  r.body = std::string(text) + "\n";
  return r;
}

class Session;

// State shared by the server and all its sessions; sessions hold it by shared_ptr so it outlives
// whichever of them is destroyed last (possibly inside ~io_context).
struct SharedState {
  HttpServerOptions options;
  RequestHandler handler;
  RejectResponder reject;

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> handled{0};
  std::atomic<bool> stopping_flag{false};  // lock-free read on the strands

  std::mutex mu;               // guards the members below
  std::condition_variable cv;  // notified whenever a session goes away
  bool stopping = false;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;

  std::vector<std::weak_ptr<Session>> snapshot() {
    std::lock_guard lock(mu);
    std::vector<std::weak_ptr<Session>> out;
    out.reserve(sessions.size());
    for (auto& [id, s] : sessions) out.push_back(s);
    return out;
  }
};

// One TCP connection. All its work runs on its own strand; different connections run in parallel
// on the pool. Lifetime is held by the pending async operation's handler (Beast example style).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<SharedState> state, uint64_t id)
      : stream_(std::move(socket)), state_(std::move(state)), id_(id) {}

  ~Session() {
    std::lock_guard lock(state_->mu);
    state_->sessions.erase(id_);
    state_->cv.notify_all();
  }

  void start() {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->wait_for_request(); });
  }

  // Thread-safe. Idle connections close now; busy ones close after their current response.
  void request_shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->shutdown_requested_ = true;
      if (self->phase_ == Phase::Idle || self->phase_ == Phase::Lingering) self->close();
    });
  }

  // Thread-safe. Closes whatever the connection is doing.
  void force_close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  enum class Phase { Idle, Reading, Handling, Writing, Lingering, Closed };

  const HttpServerOptions& opts() const { return state_->options; }
  bool winding_down() const { return shutdown_requested_ || state_->stopping_flag.load(); }

  // Keep-alive loop head: wait (idle_timeout) for the first byte of the next request.
  void wait_for_request() {
    phase_ = Phase::Idle;
    if (winding_down()) return close();
    if (buffer_.size() > 0) return read_header();  // pipelined request already buffered
    buffer_.shrink_to_fit();  // idle connections should not pin a large read buffer
    stream_.expires_after(opts().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kFirstReadSize),
        beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(error_code ec, std::size_t n) {
    if (ec) return close();  // idle timeout, peer closed, or shutdown
    buffer_.commit(n);
    read_header();
  }

  // From the first byte on, the whole request must arrive within request_timeout.
  void read_header() {
    phase_ = Phase::Reading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(opts().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(opts().max_body_bytes));
    stream_.expires_after(opts().request_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    if (!parser_->is_done() && req.version() >= 11 &&
        has_token(std::string_view(req[http::field::expect]), "100-continue")) {
      net::async_write(stream_, net::buffer(kContinue, sizeof(kContinue) - 1),
                       [self = shared_from_this()](error_code wec, std::size_t) {
                         if (wec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return handle_request();
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    handle_request();
  }

  void on_read_error(error_code ec) {
    if (ec == http::error::body_limit) {
      return reject(413,
                    "request body exceeds " + std::to_string(opts().max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return reject(431,
                    "request header exceeds " + std::to_string(opts().max_header_bytes) + " bytes");
    }
    // Peer went away mid-request, timeout, reset: nothing useful to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != http::make_error_code(http::error::bad_method).category()) {
      return close();
    }
    // The bytes received are not HTTP/1.x (bad method, target, version, field, chunk...).
    reject(400, "malformed HTTP request: " + ec.message());
  }

  void reject(int status, const std::string& reason) {
    HttpResponse r;
    if (state_->reject) {
      try {
        r = state_->reject(status, reason);
      } catch (...) {
        r = plain_response(status, reason);
      }
    } else {
      r = plain_response(status, reason);
    }
    if (r.status < 200 || r.status > 999) r = plain_response(status, reason);
    send(std::move(r), /*keep_alive=*/false, /*head=*/false, /*version=*/11);
  }

  void handle_request() {
    phase_ = Phase::Handling;
    auto msg = parser_->release();
    parser_.reset();

    const bool keep_alive = msg.keep_alive();
    const bool head = msg.method() == http::verb::head;
    const unsigned version = msg.version();
    HttpRequest req = beast_message::from_wire(std::move(msg));

    HttpResponse resp;
    try {
      resp = state_->handler(req);
    } catch (const std::exception& e) {
      resp = plain_response(500, std::string("request handler failed: ") + e.what());
    } catch (...) {
      resp = plain_response(500, "request handler failed");
    }
    state_->handled.fetch_add(1, std::memory_order_relaxed);
    send(std::move(resp), keep_alive, head, version);
  }

  void send(HttpResponse resp, bool keep_alive, bool head, unsigned version) {
    if (resp.status < 200 || resp.status > 999) {
      resp = plain_response(
          500, "request handler returned invalid status " + std::to_string(resp.status));
    }
    for (const auto& [name, value] : resp.headers) {
      if (!is_token(name) || has_ctl_line_break(value)) {
        resp = plain_response(500, "request handler returned an invalid header");
        break;
      }
    }

    http::response<http::string_body> res;
    res.version(version == 10 ? 10 : 11);
    res.result(static_cast<unsigned>(resp.status));
    std::optional<std::string> head_length;
    for (const auto& [name, value] : resp.headers) {
      if (iequals(name, "Content-Length")) {
        head_length = value;
        continue;
      }
      if (iequals(name, "Transfer-Encoding")) continue;
      if (iequals(name, "Connection")) {
        if (has_token(value, "close")) keep_alive = false;
        continue;
      }
      res.insert(name, value);
    }
    const bool bodiless = resp.status == 204 || resp.status == 304;
    if (bodiless) {
      // no body, no Content-Length
    } else if (head) {
      if (resp.body.empty() && head_length) {
        res.set(http::field::content_length, *head_length);
      } else {
        res.content_length(resp.body.size());
      }
    } else {
      res.body() = std::move(resp.body);
      res.content_length(res.body().size());
    }
    if (winding_down()) keep_alive = false;  // stop() began while the handler ran
    res.keep_alive(keep_alive);

    phase_ = Phase::Writing;
    res_ = std::move(res);
    stream_.expires_after(opts().request_timeout);
    http::async_write(stream_, res_,
                      [self = shared_from_this(), keep_alive](error_code ec, std::size_t) {
                        self->on_write(keep_alive, ec);
                      });
  }

  void on_write(bool keep_alive, error_code ec) {
    res_ = {};
    if (ec) return close();
    if (!keep_alive || winding_down()) return linger();
    wait_for_request();
  }

  // Half-close, then drain what the client still sends (bounded in time) before closing, so the
  // response is not destroyed by a reset caused by unread request bytes.
  void linger() {
    phase_ = Phase::Lingering;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || state_->stopping_flag.load()) return close();
    stream_.expires_after(std::min(kLingerLimit, opts().idle_timeout));
    linger_read();
  }

  void linger_read() {
    stream_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec || self->phase_ == Phase::Closed) return self->close();
                              self->linger_read();
                            });
  }

  void close() {
    phase_ = Phase::Closed;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::shared_ptr<SharedState> state_;
  uint64_t id_;
  Phase phase_ = Phase::Idle;
  bool shutdown_requested_ = false;
  std::array<char, 4096> discard_{};
};

tcp::endpoint resolve_listen_endpoint(net::io_context& ioc, const std::string& address,
                                      uint16_t port) {
  std::string host = address;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  error_code ec;
  auto ip = net::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(ip, port);
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    if (!ec) ec = net::error::host_not_found;
    throw std::system_error(ec, "HttpServer: cannot resolve listen address '" + address + "'");
  }
  return results.begin()->endpoint();
}

std::string format_host_port(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<SharedState> state;
  // Declared before everything that uses it, so it is destroyed last.
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;

  mutable std::mutex lifecycle_mu;
  bool started = false;
  bool stopped = false;
  std::atomic<uint16_t> bound_port{0};
  mutable std::mutex info_mu;  // not lifecycle_mu: handlers may ask for the address during stop()
  std::string bound_address;   // guarded by info_mu

  explicit Impl(std::shared_ptr<SharedState> s)
      : state(std::move(s)),
        ioc(static_cast<int>(std::max<std::size_t>(1, state->options.threads))),
        acceptor(net::make_strand(ioc)),
        retry_timer(acceptor.get_executor()) {}

  ~Impl() { stop(); }

  void start() {
    std::lock_guard lock(lifecycle_mu);
    if (started) throw std::logic_error("HttpServer::start() called twice");
    const auto& o = state->options;
    auto ep = resolve_listen_endpoint(ioc, o.address, o.port);
    const std::string where = format_host_port(ep.address().to_string(), ep.port());

    error_code ec;
    auto fail = [&](const char* what) {
      error_code ignored;
      acceptor.close(ignored);
      throw std::system_error(ec, std::string("HttpServer: cannot ") + what + " " + where);
    };
    acceptor.open(ep.protocol(), ec);
    if (ec) fail("open a socket for");
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (ec) fail("set SO_REUSEADDR for");
    acceptor.bind(ep, ec);
    if (ec) fail("bind to");
    acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) fail("listen on");
    auto local = acceptor.local_endpoint(ec);
    if (ec) fail("read the local address of");

    bound_port = local.port();
    {
      std::lock_guard info_lock(info_mu);
      bound_address = local.address().to_string();
    }
    started = true;

    do_accept();
    work.emplace(ioc.get_executor());
    const auto n = std::max<std::size_t>(1, o.threads);
    threads.reserve(n);
    for (std::size_t i = 0; i < n; ++i) threads.emplace_back([this] { run_loop(); });
  }

  void run_loop() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "kmsconf HttpServer: I/O thread caught: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "kmsconf HttpServer: I/O thread caught an unknown exception\n");
      }
    }
  }

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
      on_accept(ec, std::move(socket));
    });
  }

  void on_accept(error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // e.g. EMFILE: back off briefly instead of spinning, then keep accepting
      retry_timer.expires_after(std::chrono::milliseconds(50));
      retry_timer.async_wait([this](error_code wec) {
        if (!wec && acceptor.is_open()) do_accept();
      });
      return;
    }
    state->accepted.fetch_add(1, std::memory_order_relaxed);
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);

    std::shared_ptr<Session> session;  // destroyed after the lock below is released
    bool admit = false;
    {
      std::lock_guard lock(state->mu);
      if (!state->stopping && state->sessions.size() < state->options.max_connections) {
        uint64_t id = state->next_id++;
        session = std::make_shared<Session>(std::move(socket), state, id);
        state->sessions.emplace(id, session);
        admit = true;
      }
    }
    if (admit) {
      session->start();
    } else {
      socket.close(ignored);
    }
    do_accept();
  }

  bool wait_drained(std::chrono::milliseconds limit) {
    std::unique_lock lock(state->mu);
    return state->cv.wait_for(lock, limit, [&] { return state->sessions.empty(); });
  }

  void stop() {
    std::lock_guard lock(lifecycle_mu);
    if (!started || stopped) return;
    stopped = true;
    {
      std::lock_guard slock(state->mu);
      state->stopping = true;
      state->stopping_flag = true;
    }
    net::post(acceptor.get_executor(), [this] {
      error_code ignored;
      acceptor.close(ignored);
      retry_timer.cancel();
    });
    for (auto& weak : state->snapshot()) {
      if (auto s = weak.lock()) s->request_shutdown();
    }
    if (!wait_drained(state->options.stop_grace)) {
      for (auto& weak : state->snapshot()) {
        if (auto s = weak.lock()) s->force_close();
      }
      wait_drained(std::chrono::milliseconds(500));
    }
    work.reset();
    ioc.stop();
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
    threads.clear();
    // The posted close may not have run if ioc stopped first; no thread runs now, so close here.
    error_code ignored;
    acceptor.close(ignored);
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler, RejectResponder reject) {
  if (!handler) throw std::invalid_argument("HttpServer: a request handler is required");
  auto state = std::make_shared<SharedState>();
  state->options = std::move(options);
  state->handler = std::move(handler);
  state->reject = std::move(reject);
  impl_ = std::make_unique<Impl>(std::move(state));
}

HttpServer::~HttpServer() = default;  // Impl::~Impl stops

void HttpServer::start() {
  impl_->start();
}
void HttpServer::stop() {
  impl_->stop();
}

uint16_t HttpServer::port() const {
  return impl_->bound_port.load();
}

std::string HttpServer::address() const {
  std::lock_guard lock(impl_->info_mu);
  return impl_->bound_address;
}

std::string HttpServer::url() const {
  return "http://" + format_host_port(address(), port());
}

uint64_t HttpServer::connections_accepted() const {
  return impl_->state->accepted.load();
}

size_t HttpServer::active_connections() const {
  std::lock_guard lock(impl_->state->mu);
  return impl_->state->sessions.size();
}

uint64_t HttpServer::requests_handled() const {
  return impl_->state->handled.load();
}

}  // namespace kmsconf::server
