// The asynchronous keep-alive connection (client/http_connection.hpp) on a caller's io_context:
// reuse, reconnect after the server closes, a close in flight, refusals before sending.
#include "client/http_connection.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "reference_server/reference_server.hpp"

namespace kmsconf::client {
namespace {

using namespace std::chrono_literals;

struct InProcess {
  server::ReferenceServer server{server::ReferenceServerOptions{}};
  InProcess() { server.start(); }
  Endpoint endpoint() const { return *Endpoint::parse(server.endpoint()); }
};

HttpRequest get_root() {
  HttpRequest request;
  request.method = "GET";
  request.path = "/";
  return request;
}

// Sends `request` and runs the loop until the answer (bounded by the connection's timeout).
ExchangeResult exchange(boost::asio::io_context& io, HttpConnection& connection,
                        const HttpRequest& request) {
  std::optional<ExchangeResult> result;
  connection.async_send(request, [&](ExchangeResult&& r) { result = std::move(r); });
  io.restart();
  io.run_for(5s);
  EXPECT_TRUE(result.has_value());
  return result ? std::move(*result) : ExchangeResult{};
}

TEST(HttpConnection, SequentialRequestsShareOneKeptAliveConnection) {
  InProcess target;
  boost::asio::io_context io;
  HttpConnection connection(io, target.endpoint(), nullptr, 2000ms);
  for (int i = 0; i < 3; ++i) {
    auto r = exchange(io, connection, get_root());
    ASSERT_FALSE(r.error) << r.error_message;
    // An unsigned request to a KMS: the server answers with the dialect's auth error.
    EXPECT_GE(r.response.status, 400);
    EXPECT_FALSE(r.response.body.empty());
  }
  EXPECT_EQ(connection.connections_opened(), 1u);
  EXPECT_FALSE(connection.busy());
}

TEST(HttpConnection, ReconnectsAfterTheConnectionWasClosed) {
  InProcess target;
  boost::asio::io_context io;
  HttpConnection connection(io, target.endpoint(), nullptr, 2000ms);
  ASSERT_FALSE(exchange(io, connection, get_root()).error);
  connection.close();
  auto again = exchange(io, connection, get_root());
  EXPECT_FALSE(again.error) << again.error_message;
  EXPECT_EQ(connection.connections_opened(), 2u);
}

TEST(HttpConnection, RefusedConnectIsReportedAsAConnectFailure) {
  // Port 1 on loopback: nothing listens there in a test sandbox.
  boost::asio::io_context io;
  HttpConnection connection(io, *Endpoint::parse("http://127.0.0.1:1"), nullptr, 2000ms);
  auto r = exchange(io, connection, get_root());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, TransportErrorKind::ConnectFailed);
  EXPECT_TRUE(r.connect_failed);
  EXPECT_EQ(connection.connections_opened(), 0u);
}

TEST(HttpConnection, RequestsThatCannotBePutOnTheWireAreRefusedBeforeSending) {
  InProcess target;
  boost::asio::io_context io;
  HttpConnection connection(io, target.endpoint(), nullptr, 2000ms);
  HttpRequest bad = get_root();
  bad.headers["X-Bad"] = "line\r\nbreak";
  EXPECT_THROW(connection.async_send(bad, [](ExchangeResult&&) {}), std::invalid_argument);
  bad = get_root();
  bad.method = "GET /";
  EXPECT_THROW(connection.async_send(bad, [](ExchangeResult&&) {}), std::invalid_argument);
  EXPECT_FALSE(connection.busy());
}

TEST(HttpConnection, HttpsEndpointNeedsATlsContext) {
  boost::asio::io_context io;
  EXPECT_THROW(HttpConnection(io, *Endpoint::parse("https://127.0.0.1:8443"), nullptr, 1000ms),
               std::invalid_argument);
  ClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(make_tls_context(options), TransportError);
}

}  // namespace
}  // namespace kmsconf::client
