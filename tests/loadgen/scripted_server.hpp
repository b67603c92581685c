// A scripted HTTP/1.1 peer on 127.0.0.1 for load-generator tests: answers, resets, garbage,
// stalls, closes after each response, or pauses the whole server once, under load.
//
// Not tests/conformance/fake_server.hpp's RawPeer: that one serves one connection at a time
// (200 ms per request) and drags in the conformance library, while a load run keeps several
// keep-alive connections busy at hundreds of requests per second. One poll(2) loop on one thread
// serves every connection, so a pause of that loop stops the whole server at once, the way a
// garbage-collection pause does (what coordinated omission hides and open loop shows).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/http_client.hpp"

namespace kmsconf::testing {

class ScriptedServer {
 public:
  enum class Behaviour {
    Answer,   // 200 "ok" to every request, kept alive unless close_after_response
    Reset,    // reads the request, then resets the connection (RST) without a byte
    Garbage,  // reads the request, answers bytes that are not HTTP, closes
    Stall,    // reads the request and never answers; closes when the client does
  };

  struct Script {
    Behaviour behaviour = Behaviour::Answer;
    bool close_after_response = false;  // Answer: close the connection after each response
    bool announce_close = false;        // ... and say so with "Connection: close"
    // Answer: the pause_at-th request (1-based; 0 never) stops the whole server for `pause`
    // before it is answered.
    uint64_t pause_at = 0;
    std::chrono::milliseconds pause{0};
    // Answer: each request takes this long, one at a time for the whole server, so it holds
    // 1 / service_time requests per second and queues the rest (capacity, never throttling).
    std::chrono::microseconds service_time{0};
  };

  explicit ScriptedServer(Script script) : script_(script) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener_ < 0) throw std::runtime_error("ScriptedServer: socket() failed");
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 128) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listener_);
      throw std::runtime_error("ScriptedServer: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }

  ~ScriptedServer() {
    stop_ = true;  // the loop looks at it at least every 20 ms, also while pausing
    thread_.join();
    for (const auto& c : connections_) ::close(c.fd);
    ::close(listener_);
  }

  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  client::Endpoint endpoint() const { return client::Endpoint{"http", "127.0.0.1", port_}; }
  uint64_t accepted() const { return accepted_.load(); }
  uint64_t requests() const { return requests_.load(); }

 private:
  struct Connection {
    int fd = -1;
    std::string in;
    bool stalled = false;
  };

  // Open connections are bounded (a stall holds each until its client gives up).
  static constexpr std::size_t kMaxConnections = 256;

  void loop() {
    std::vector<pollfd> polled;
    while (!stop_) {
      polled.clear();
      polled.push_back({listener_, POLLIN, 0});
      for (const auto& c : connections_) polled.push_back({c.fd, POLLIN, 0});
      if (::poll(polled.data(), polled.size(), 20) <= 0) continue;
      // Connections accepted now are appended, so polled[i + 1] stays connections_[i].
      const std::size_t polled_connections = polled.size() - 1;
      if (polled[0].revents & POLLIN) accept_all();
      for (std::size_t i = 0; i < polled_connections && !stop_; ++i) {
        if (polled[i + 1].revents != 0) serve(connections_[i]);
      }
      std::erase_if(connections_, [](const Connection& c) { return c.fd < 0; });
    }
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      if (connections_.size() >= kMaxConnections) {
        ::close(fd);
        continue;
      }
      connections_.push_back({fd, {}, false});
    }
  }

  void serve(Connection& c) {
    char chunk[16 * 1024];
    const ssize_t n = ::recv(c.fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      close(c);
      return;
    }
    if (n < 0 || c.stalled) return;  // a stalled connection's further bytes are ignored
    c.in.append(chunk, static_cast<std::size_t>(n));
    while (c.fd >= 0 && !c.stalled) {
      const std::size_t length = complete_request(c.in);
      if (length == 0) return;
      c.in.erase(0, length);
      const uint64_t index = ++requests_;
      act(c, index);
    }
  }

  void act(Connection& c, uint64_t index) {
    switch (script_.behaviour) {
      case Behaviour::Answer: {
        if (index == script_.pause_at) pause();
        if (script_.service_time.count() > 0) std::this_thread::sleep_for(script_.service_time);
        std::string response =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n";
        if (script_.announce_close) response += "Connection: close\r\n";
        response += "\r\nok";
        if (!send_all(c.fd, response) || script_.close_after_response) close(c);
        return;
      }
      case Behaviour::Reset: {
        const linger hard{1, 0};  // close(2) then sends RST, not FIN
        ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        close(c);
        return;
      }
      case Behaviour::Garbage:
        send_all(c.fd, std::string("\x16\x03\x01 this is not HTTP \xff\xfe\r\n\r\n"));
        close(c);
        return;
      case Behaviour::Stall:
        c.stalled = true;
        c.in.clear();
        return;
    }
  }

  // The whole loop sleeps: nothing is accepted, read or answered meanwhile.
  void pause() {
    const auto until = std::chrono::steady_clock::now() + script_.pause;
    while (!stop_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // The length of the first complete request in `in` (head and Content-Length body), 0 if none.
  static std::size_t complete_request(const std::string& in) {
    const std::size_t head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos) return 0;
    std::string head = in.substr(0, head_end);
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    std::size_t body = 0;
    if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
      body = std::stoul(head.substr(at + 17));
    }
    const std::size_t total = head_end + 4 + body;
    return in.size() >= total ? total : 0;
  }

  // Responses are small, so a blocking send into the loopback buffer does not wait.
  static bool send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  static void close(Connection& c) {
    ::close(c.fd);
    c.fd = -1;
  }

  const Script script_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::vector<Connection> connections_;  // the loop's thread only
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> requests_{0};
  std::thread thread_;
};

// A loopback port nothing listens on (it was free a moment ago).
inline client::Endpoint refused_endpoint() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return client::Endpoint{"http", "127.0.0.1", ntohs(addr.sin_port)};
}

}  // namespace kmsconf::testing
