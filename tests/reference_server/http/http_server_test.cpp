// HTTP transport tests: the Beast server (reference_server/http) against the synchronous client
// (conformance/http_client), plus small scripted raw servers for client failure modes.
// All traffic stays on 127.0.0.1 / ::1; every wait is bounded.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "client/http_client.hpp"
#include "reference_server/http/http_server.hpp"

namespace {

using namespace std::chrono_literals;
using kmsconf::HttpRequest;
using kmsconf::HttpResponse;
using kmsconf::client::ClientOptions;
using kmsconf::client::Endpoint;
using kmsconf::client::HttpClient;
using kmsconf::client::raw_exchange;
using kmsconf::client::TransportError;
using kmsconf::client::TransportErrorKind;
using kmsconf::server::HttpServer;
using kmsconf::server::HttpServerOptions;
using kmsconf::server::RejectResponder;
using kmsconf::server::RequestHandler;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

Endpoint local(uint16_t port) {
  return Endpoint{"http", "127.0.0.1", port};
}

std::unique_ptr<HttpServer> start_server(HttpServerOptions options, RequestHandler handler,
                                         RejectResponder reject = {}) {
  auto server =
      std::make_unique<HttpServer>(std::move(options), std::move(handler), std::move(reject));
  server->start();
  return server;
}

HttpResponse text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers["Content-Type"] = "text/plain";
  r.body = std::move(body);
  return r;
}

HttpRequest get(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  return r;
}

RequestHandler ok_handler(std::string body = "ok") {
  return [body](const HttpRequest&) { return text(200, body); };
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Records requests seen by a handler.
struct Recorder {
  std::mutex mu;
  std::vector<HttpRequest> requests;

  RequestHandler handler() {
    return [this](const HttpRequest& req) {
      {
        std::lock_guard lock(mu);
        requests.push_back(req);
      }
      HttpResponse r;
      r.status = 201;
      r.headers["X-Reply"] = "ok";
      r.headers["X-Method"] = req.method;
      r.body = req.body;
      return r;
    };
  }
  HttpRequest last() {
    std::lock_guard lock(mu);
    return requests.empty() ? HttpRequest{} : requests.back();
  }
  size_t count() {
    std::lock_guard lock(mu);
    return requests.size();
  }
};

uint16_t unused_port() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();  // closed on return: nothing listens there
}

// A tiny blocking TCP server on 127.0.0.1 running `script` for each connection on its own
// thread. The destructor wakes every blocked accept/read with shutdown(2) and joins.
class RawServer {
 public:
  using Script = std::function<void(tcp::socket&, int index)>;

  explicit RawServer(Script script)
      : script_(std::move(script)),
        acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { loop(); });
  }

  ~RawServer() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    {
      std::lock_guard lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    thread_.join();
    for (auto& t : connections_) t.join();
  }

  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void loop() {
    for (int i = 0; i < 64 && !stopping_; ++i) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++accepted_;
      int fd = socket.native_handle();
      {
        std::lock_guard lock(mu_);
        open_fds_.insert(fd);
      }
      connections_.emplace_back([this, fd, i, s = std::move(socket)]() mutable {
        try {
          script_(s, i);
        } catch (...) {
        }
        std::lock_guard lock(mu_);
        open_fds_.erase(fd);
        boost::system::error_code ignored;
        s.close(ignored);
      });
    }
  }

  Script script_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::thread> connections_;
  std::mutex mu_;
  std::set<int> open_fds_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
};

// Reads one request head; returns false when the peer closed first.
template <class Stream>
bool read_head(Stream& s, net::streambuf& buf) {
  boost::system::error_code ec;
  net::read_until(s, buf, "\r\n\r\n", ec);
  if (ec) return false;
  buf.consume(buf.size());
  return true;
}

void read_until_eof(tcp::socket& s) {
  std::array<char, 1024> chunk;
  boost::system::error_code ec;
  while (!ec) s.read_some(net::buffer(chunk), ec);
}

template <class Stream>
void write_all(Stream& s, std::string_view bytes) {
  boost::system::error_code ec;
  net::write(s, net::buffer(bytes.data(), bytes.size()), ec);
}

TransportErrorKind send_expecting_error(HttpClient& client, const HttpRequest& req,
                                        std::string* message = nullptr) {
  try {
    auto r = client.send(req);
    ADD_FAILURE() << "expected a TransportError, got HTTP " << r.status;
  } catch (const TransportError& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  return TransportErrorKind::ConnectFailed;
}

// ---------------------------------------------------------------------------------------------
// Server behaviour

TEST(HttpServer, EchoRoundTripPreservesRequestBytes) {
  Recorder rec;
  auto server = start_server({}, rec.handler());
  HttpClient client(local(server->port()));

  HttpRequest req;
  req.method = "POST";
  req.path = "/a%2Fb/c;v=1";
  req.raw_query = "b=2&a=1&sp=%20x+y&empty=&flag&enc=%2F%3d";
  req.headers["X-Custom-Header"] = "Value  With  Spaces";
  req.headers["x-lower"] = "1";
  req.headers["Content-Type"] = "application/json";
  req.body = std::string("{\"k\":\"v\"}\r\n\0binary\xff", 20);

  auto res = client.send(req);
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.headers["X-Reply"], "ok");
  EXPECT_EQ(res.body, req.body);

  auto seen = rec.last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, req.path);
  EXPECT_EQ(seen.raw_query, req.raw_query);
  EXPECT_EQ(seen.body, req.body);
  EXPECT_EQ(seen.header("x-custom-header"), "Value  With  Spaces");
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(server->port()));
  EXPECT_EQ(seen.header("Content-Length"), std::to_string(req.body.size()));
  // exactly the given headers plus Host and Content-Length, with their original spelling
  std::set<std::string> names;
  for (const auto& [name, value] : seen.headers) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"Content-Length", "Content-Type", "Host",
                                          "X-Custom-Header", "x-lower"}));

  // GET without body: no Content-Length; custom method passes through
  auto plain = client.send(get("/plain"));
  EXPECT_EQ(plain.status, 201);
  EXPECT_FALSE(rec.last().has_header("Content-Length"));
  EXPECT_TRUE(rec.last().raw_query.empty());

  HttpRequest custom = get("/");
  custom.method = "BREW";
  custom.headers["Host"] = "kms.example.com";
  EXPECT_EQ(client.send(custom).headers["X-Method"], "BREW");
  EXPECT_EQ(rec.last().header("Host"), "kms.example.com");
  EXPECT_EQ(rec.last().header("Content-Length"), "0");
}

TEST(HttpServer, RawTargetsDuplicatesAndPipelining) {
  Recorder rec;
  auto server = start_server({}, rec.handler());
  auto reply = raw_exchange(local(server->port()),
                            "GET /p?x=%41&x=B HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
                            "GET http://h:1/abs/olute?q=1 HTTP/1.1\r\nHost: h\r\n"
                            "Connection: close\r\n\r\n",
                            5s);
  std::string_view view(reply);
  EXPECT_TRUE(starts_with(view, "HTTP/1.1 201"));
  EXPECT_NE(view.find("HTTP/1.1 201", 5), std::string_view::npos) << reply;
  ASSERT_EQ(rec.count(), 2u);
  {
    std::lock_guard lock(rec.mu);
    EXPECT_EQ(rec.requests[0].raw_query, "x=%41&x=B");
    EXPECT_EQ(rec.requests[0].header("X-A"), "1, 2");
    EXPECT_EQ(rec.requests[1].path, "/abs/olute");
    EXPECT_EQ(rec.requests[1].raw_query, "q=1");
  }
  EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST(HttpServer, KeepAliveReusesOneConnection) {
  auto server = start_server({}, ok_handler());
  HttpClient client(local(server->port()));
  for (int i = 0; i < 5; ++i) {
    auto res = client.send(get("/n/" + std::to_string(i)));
    ASSERT_EQ(res.status, 200);
    ASSERT_EQ(res.body, "ok");
  }
  EXPECT_EQ(server->connections_accepted(), 1u);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server->requests_handled(), 5u);
}

TEST(HttpServer, HandlesConnectionsConcurrently) {
  constexpr int kParallel = 4;
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
  HttpServerOptions options;
  options.threads = kParallel;
  auto server = start_server(options, [&](const HttpRequest&) {
    std::unique_lock lock(mu);
    ++inside;
    cv.notify_all();
    bool together = cv.wait_for(lock, 5s, [&] { return inside >= kParallel; });
    return together ? text(200, "together") : text(503, "serialized");
  });

  std::vector<std::future<HttpResponse>> results;
  for (int i = 0; i < kParallel; ++i) {
    results.push_back(std::async(std::launch::async, [port = server->port()] {
      HttpClient client(local(port));
      return client.send(get("/"));
    }));
  }
  for (auto& f : results) {
    auto res = f.get();
    EXPECT_EQ(res.status, 200) << res.body;
  }
  EXPECT_EQ(server->connections_accepted(), static_cast<uint64_t>(kParallel));
}

TEST(HttpServer, OversizeHeaderIsRefused) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  auto server = start_server(options, ok_handler());
  std::string big = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n";
  auto reply = raw_exchange(local(server->port()), big, 5s);
  EXPECT_TRUE(reply.empty() || starts_with(reply, "HTTP/1.1 431") ||
              starts_with(reply, "HTTP/1.1 400"))
      << reply;
  EXPECT_EQ(server->requests_handled(), 0u);

  HttpClient client(local(server->port()));
  HttpRequest req = get("/");
  req.headers["X-Big"] = std::string(4000, 'b');
  EXPECT_EQ(client.send(req).status, 431);
  EXPECT_EQ(client.send(get("/")).status, 200);  // a fresh connection is served
}

TEST(HttpServer, OversizeBodyGoesThroughRejectResponder) {
  std::mutex mu;
  std::vector<int> rejected;
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = start_server(options, ok_handler(), [&](int status, std::string_view reason) {
    std::lock_guard lock(mu);
    rejected.push_back(status);
    HttpResponse r;
    r.status = 400;
    r.headers["Content-Type"] = "application/json";
    r.body = "{\"Error\":\"RequestTooLarge\",\"Reason\":\"" + std::string(reason) + "\"}";
    return r;
  });
  HttpClient client(local(server->port()));

  // just over the limit, and far over it (the server must drain, not reset, the unread body)
  for (size_t size : {size_t{1025}, size_t{512 * 1024}}) {
    HttpRequest req = get("/upload");
    req.method = "POST";
    req.body.assign(size, 'x');
    auto res = client.send(req);
    EXPECT_EQ(res.status, 400);
    EXPECT_TRUE(starts_with(res.body, "{\"Error\":\"RequestTooLarge\"")) << res.body;
    EXPECT_EQ(res.headers["Content-Type"], "application/json");
  }
  // chunked body that grows past the limit
  auto reply = raw_exchange(local(server->port()),
                            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "800\r\n" +
                                std::string(0x800, 'y') + "\r\n0\r\n\r\n",
                            5s);
  EXPECT_TRUE(starts_with(reply, "HTTP/1.1 400")) << reply;
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(rejected, (std::vector<int>{413, 413, 413}));
  }
  EXPECT_EQ(server->requests_handled(), 0u);
  HttpRequest small = get("/");
  small.method = "POST";
  small.body.assign(1024, 'z');
  EXPECT_EQ(client.send(small).status, 200);
}

TEST(HttpServer, WithoutRejectResponderSendsPlain413) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  auto server = start_server(options, ok_handler());
  HttpClient client(local(server->port()));
  HttpRequest req = get("/");
  req.method = "PUT";
  req.body.assign(17, 'x');
  EXPECT_EQ(client.send(req).status, 413);
}

TEST(HttpServer, GarbageGets400OrCloseAndServerKeepsServing) {
  HttpServerOptions options;
  options.request_timeout = 1000ms;
  auto server = start_server(options, ok_handler());
  const std::vector<std::string> garbage = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n",
      "\r\n\r\n\r\n\r\n",
      "GET /\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
      "GET / HTTP/7.1\r\nHost: h\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
      std::string(3000, '\0'),
      "GET / HTTP/1.1\r\n",  // never finished: closed by request_timeout
  };
  for (const auto& bytes : garbage) {
    auto started = Clock::now();
    std::string reply;
    ASSERT_NO_THROW(reply = raw_exchange(local(server->port()), bytes, 5s));
    EXPECT_TRUE(reply.empty() || starts_with(reply, "HTTP/1.1 400")) << reply;
    EXPECT_LT(Clock::now() - started, 3s);
  }
  HttpClient client(local(server->port()));
  EXPECT_EQ(client.send(get("/")).status, 200);
  EXPECT_EQ(server->requests_handled(), 1u);
}

TEST(HttpServer, HandlerExceptionBecomes500AndHeadHasNoBody) {
  auto server = start_server({}, [](const HttpRequest& req) -> HttpResponse {
    if (req.path == "/throw") throw std::runtime_error("boom");
    return text(200, "hello");
  });
  HttpClient client(local(server->port()));
  auto res = client.send(get("/throw"));
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("boom"), std::string::npos);

  HttpRequest head = get("/");
  head.method = "HEAD";
  res = client.send(head);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(res.headers["Content-Length"], "5");
  EXPECT_EQ(client.send(get("/")).body, "hello");  // connection still in sync
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(HttpServer, IdleAndRequestTimeoutsCloseConnections) {
  HttpServerOptions options;
  options.idle_timeout = 300ms;
  options.request_timeout = 300ms;
  auto server = start_server(options, ok_handler());

  // After a keep-alive response the server closes the idle connection by itself.
  auto started = Clock::now();
  auto reply = raw_exchange(local(server->port()), "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 5s);
  EXPECT_TRUE(starts_with(reply, "HTTP/1.1 200")) << reply;
  EXPECT_LT(Clock::now() - started, 3s);

  // A request that never completes is cut off.
  started = Clock::now();
  reply = raw_exchange(local(server->port()), "GET / HTTP/1.1\r\nHost: h\r\n", 5s);
  EXPECT_EQ(reply, "");
  EXPECT_LT(Clock::now() - started, 3s);

  // The client notices the closed idle connection and reconnects transparently.
  HttpClient client(local(server->port()));
  EXPECT_EQ(client.send(get("/")).status, 200);
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(client.send(get("/")).status, 200);
  EXPECT_EQ(client.connections_opened(), 2u);

  for (int i = 0; i < 50 && server->active_connections() > 0; ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server->active_connections(), 0u);
}

TEST(HttpServer, StopClosesIdleKeepAliveConnectionsPromptly) {
  auto server = start_server({}, ok_handler());  // 30 s idle timeout, 3 s stop grace
  HttpClient client(local(server->port()));
  ASSERT_EQ(client.send(get("/")).status, 200);
  ASSERT_EQ(server->active_connections(), 1u);

  auto started = Clock::now();
  server->stop();
  EXPECT_LT(Clock::now() - started, 1500ms);
  server->stop();  // idempotent
  EXPECT_EQ(send_expecting_error(client, get("/")), TransportErrorKind::ConnectFailed);
}

TEST(HttpServer, StopLetsInFlightRequestFinish) {
  std::atomic<bool> entered{false};
  auto server = start_server({}, [&](const HttpRequest&) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    return text(200, "finished");
  });
  auto pending = std::async(std::launch::async, [port = server->port()] {
    HttpClient client(local(port));
    return client.send(get("/slow"));
  });
  for (int i = 0; i < 200 && !entered; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(entered);
  auto started = Clock::now();
  server->stop();
  EXPECT_LT(Clock::now() - started, 2500ms);
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
  auto res = pending.get();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "finished");
  EXPECT_EQ(res.headers["Connection"], "close");
}

TEST(HttpServer, TwoServersInOneProcess) {
  auto a = start_server({}, ok_handler("a"));
  auto b = start_server({}, ok_handler("b"));
  EXPECT_NE(a->port(), b->port());
  EXPECT_EQ(HttpClient(local(a->port())).send(get("/")).body, "a");
  EXPECT_EQ(HttpClient(local(b->port())).send(get("/")).body, "b");
  EXPECT_EQ(a->url(), "http://127.0.0.1:" + std::to_string(a->port()));
}

TEST(HttpServer, BindFailureThrowsSystemError) {
  auto a = start_server({}, ok_handler());
  HttpServerOptions options;
  options.port = a->port();
  HttpServer b(options, ok_handler());
  try {
    b.start();
    FAIL() << "second bind to the same port succeeded";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(a->port())), std::string::npos) << e.what();
  }
  b.stop();  // harmless on a server that never started
  EXPECT_THROW(a->start(), std::logic_error);
}

TEST(HttpServer, MaxConnectionsClosesExtraConnections) {
  HttpServerOptions options;
  options.max_connections = 1;
  auto server = start_server(options, ok_handler());
  HttpClient first(local(server->port()));
  ASSERT_EQ(first.send(get("/")).status, 200);  // stays open (keep-alive)
  HttpClient second(local(server->port()));
  EXPECT_EQ(send_expecting_error(second, get("/")), TransportErrorKind::ConnectionReset);
  first.close();
  for (int i = 0; i < 100 && server->active_connections() > 0; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(second.send(get("/")).status, 200);
}

TEST(HttpServer, ServesIpv6Loopback) {
  Recorder rec;
  HttpServerOptions options;
  options.address = "::1";
  HttpServer server(options, rec.handler());
  try {
    server.start();
  } catch (const std::system_error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  EXPECT_EQ(server.address(), "::1");
  EXPECT_EQ(server.url(), "http://[::1]:" + std::to_string(server.port()));
  auto ep = Endpoint::parse(server.url());
  ASSERT_TRUE(ep);
  HttpClient client(*ep);
  EXPECT_EQ(client.send(get("/v6")).status, 201);
  EXPECT_EQ(rec.last().header("Host"), "[::1]:" + std::to_string(server.port()));
}

// ---------------------------------------------------------------------------------------------
// Client failure modes

TEST(HttpClient, ConnectToClosedPortFails) {
  HttpClient client(local(unused_port()));
  std::string message;
  EXPECT_EQ(send_expecting_error(client, get("/"), &message), TransportErrorKind::ConnectFailed);
  EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
  EXPECT_THROW(raw_exchange(local(unused_port()), "x", 1s), TransportError);
}

TEST(HttpClient, SilentServerTimesOut) {
  RawServer silent([](tcp::socket& s, int) { read_until_eof(s); });
  ClientOptions options;
  options.timeout = 300ms;
  HttpClient client(local(silent.port()), options);
  auto started = Clock::now();
  EXPECT_EQ(send_expecting_error(client, get("/")), TransportErrorKind::Timeout);
  auto elapsed = Clock::now() - started;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_THROW(raw_exchange(local(silent.port()), "hello", 300ms), TransportError);
}

TEST(HttpClient, GarbageResponseIsMalformed) {
  RawServer garbage([](tcp::socket& s, int index) {
    net::streambuf buf;
    if (!read_head(s, buf)) return;
    static const char* replies[] = {
        "SSH-2.0-OpenSSH_9.2\r\n\r\n",            // not HTTP at all
        "HTTP/1.1 abc Nope\r\n\r\n",              // bad status code
        "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",  // bad field
        "\x01\x02\x03",                           // short binary, then close
    };
    write_all(s, replies[index % 4]);
  });
  for (int i = 0; i < 4; ++i) {
    HttpClient client(local(garbage.port()));
    std::string message;
    EXPECT_EQ(send_expecting_error(client, get("/"), &message),
              TransportErrorKind::MalformedResponse)
        << "case " << i << ": " << message;
  }
}

TEST(HttpClient, CloseWithoutResponseIsConnectionReset) {
  RawServer closer([](tcp::socket& s, int index) {
    net::streambuf buf;
    if (!read_head(s, buf)) return;
    if (index == 1) write_all(s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  });
  for (int i = 0; i < 2; ++i) {
    HttpClient client(local(closer.port()));
    EXPECT_EQ(send_expecting_error(client, get("/")), TransportErrorKind::ConnectionReset);
  }
}

TEST(HttpClient, RetriesOnceWhenReusedConnectionWasClosed) {
  // Connection 0 answers one request, then closes when the second arrives without answering it;
  // connection 1 answers normally.
  RawServer server([](tcp::socket& s, int index) {
    net::streambuf buf;
    if (!read_head(s, buf)) return;
    write_all(s, index == 0 ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                            : "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
    if (index == 0) read_head(s, buf);
  });
  HttpClient client(local(server.port()));
  EXPECT_EQ(client.send(get("/")).body, "first");
  EXPECT_EQ(client.send(get("/")).body, "second");
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpClient, InvalidRequestsAreRejectedBeforeSending) {
  HttpClient client(local(unused_port()));
  HttpRequest bad = get("/");
  bad.headers["X-Injected"] = "a\r\nEvil: 1";
  EXPECT_THROW(client.send(bad), std::invalid_argument);
  bad = get("/with space");
  EXPECT_THROW(client.send(bad), std::invalid_argument);
  bad = get("/");
  bad.method = "GET X";
  EXPECT_THROW(client.send(bad), std::invalid_argument);
  EXPECT_THROW(HttpClient(Endpoint{"ftp", "h", 21}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Endpoint

TEST(Endpoint, Parse) {
  auto e = Endpoint::parse("http://kms.example.com");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, (Endpoint{"http", "kms.example.com", 80}));
  EXPECT_EQ(e->host_header(), "kms.example.com");

  e = Endpoint::parse("HTTPS://kms.cn-beijing.volces.com/");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, (Endpoint{"https", "kms.cn-beijing.volces.com", 443}));
  EXPECT_EQ(e->url(), "https://kms.cn-beijing.volces.com");

  e = Endpoint::parse("http://127.0.0.1:8080");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, (Endpoint{"http", "127.0.0.1", 8080}));
  EXPECT_EQ(e->host_header(), "127.0.0.1:8080");

  e = Endpoint::parse("http://[::1]:8080");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, (Endpoint{"http", "::1", 8080}));
  EXPECT_EQ(e->host_header(), "[::1]:8080");

  e = Endpoint::parse("https://[::1]");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->host_header(), "[::1]");

  e = Endpoint::parse("https://h:8443");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host_header(), "h:8443");
  EXPECT_EQ(Endpoint::parse("http://h:443")->host_header(), "h:443");
  EXPECT_EQ(Endpoint::parse("http://h:80")->host_header(), "h");

  for (const char* bad : {"",
                          "kms.example.com",
                          "kms.example.com:80",
                          "ftp://h",
                          "http://",
                          "http://:80",
                          "http://h:",
                          "http://h:0",
                          "http://h:65536",
                          "http://h:99999999",
                          "http://h:8o",
                          "http://user@h",
                          "http://h/path",
                          "http://h?x=1",
                          "http://[::1",
                          "http://[::1]x",
                          "http://[nope]:80",
                          "http://::1:80",
                          "http://h h",
                          "http:/h",
                          "//h"}) {
    EXPECT_FALSE(Endpoint::parse(bad)) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTPS client against a scripted TLS server with an in-memory self-signed certificate

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_file;
};

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

TestCert make_cert(const std::string& san, const std::string& file_tag) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("kmsconf test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san.c_str()},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());

  TestCert out;
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, x);
  out.cert_pem = bio_to_string(cert_bio);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = bio_to_string(key_bio);
  BIO_free(key_bio);
  X509_free(x);
  EVP_PKEY_free(key);

  out.cert_file = testing::TempDir() + "kmsconf_http_test_" + file_tag + "_" +
                  std::to_string(::getpid()) + ".pem";
  std::ofstream(out.cert_file) << out.cert_pem;
  return out;
}

class TlsServer {
 public:
  explicit TlsServer(const TestCert& cert)
      : ctx_(net::ssl::context::tls_server), raw_([this](tcp::socket& s, int) { serve(s); }) {
    ctx_.use_certificate_chain(net::buffer(cert.cert_pem));
    ctx_.use_private_key(net::buffer(cert.key_pem), net::ssl::context::pem);
  }
  uint16_t port() const { return raw_.port(); }
  std::string last_sni() {
    std::lock_guard lock(mu_);
    return sni_;
  }

 private:
  void serve(tcp::socket& s) {
    net::ssl::stream<tcp::socket&> tls(s, ctx_);
    boost::system::error_code ec;
    tls.handshake(net::ssl::stream_base::server, ec);
    if (ec) return;
    {
      const char* name = SSL_get_servername(tls.native_handle(), TLSEXT_NAMETYPE_host_name);
      std::lock_guard lock(mu_);
      sni_ = name ? name : "";
    }
    net::streambuf buf;
    if (!read_head(tls, buf)) return;
    write_all(tls, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecure");
    tls.shutdown(ec);
  }

  net::ssl::context ctx_;
  std::mutex mu_;
  std::string sni_ = "<none>";
  RawServer raw_;  // last: its threads use the members above
};

TEST(HttpClient, HttpsVerifiesCertificateAndHostname) {
  auto good = make_cert("DNS:localhost,IP:127.0.0.1", "good");
  TlsServer server(good);
  const std::string port = std::to_string(server.port());

  ClientOptions trusted;
  trusted.ca_file = good.cert_file;
  {
    HttpClient client(*Endpoint::parse("https://localhost:" + port), trusted);
    auto res = client.send(get("/"));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "secure");
    EXPECT_EQ(server.last_sni(), "localhost");
  }
  {
    HttpClient client(*Endpoint::parse("https://127.0.0.1:" + port), trusted);
    EXPECT_EQ(client.send(get("/")).body, "secure");
    EXPECT_EQ(server.last_sni(), "");  // no SNI for IP literals
  }
  {
    HttpClient client(*Endpoint::parse("https://127.0.0.1:" + port));  // system trust store
    std::string message;
    EXPECT_EQ(send_expecting_error(client, get("/"), &message), TransportErrorKind::TlsError);
    EXPECT_NE(message.find("certificate"), std::string::npos) << message;
  }
  {
    ClientOptions insecure;
    insecure.insecure = true;
    HttpClient client(*Endpoint::parse("https://127.0.0.1:" + port), insecure);
    EXPECT_EQ(client.send(get("/")).body, "secure");
  }
  {
    HttpClient client(*Endpoint::parse("http://127.0.0.1:" + port));  // plain HTTP to TLS
    EXPECT_NE(send_expecting_error(client, get("/")), TransportErrorKind::Timeout);
  }
  ClientOptions missing;
  missing.ca_file = good.cert_file + ".missing";
  EXPECT_THROW(HttpClient(*Endpoint::parse("https://localhost:" + port), missing), TransportError);
  std::remove(good.cert_file.c_str());
}

TEST(HttpClient, HttpsRejectsHostnameMismatch) {
  auto other = make_cert("DNS:other.example", "other");
  TlsServer server(other);
  ClientOptions trusted;
  trusted.ca_file = other.cert_file;
  HttpClient client(*Endpoint::parse("https://localhost:" + std::to_string(server.port())),
                    trusted);
  std::string message;
  EXPECT_EQ(send_expecting_error(client, get("/"), &message), TransportErrorKind::TlsError);
  EXPECT_NE(message.find("does not match"), std::string::npos) << message;
  std::remove(other.cert_file.c_str());
}

}  // namespace
