// Test doubles for the runner: a scripted KMS on 127.0.0.1 (reference_server/http HttpServer
// with a handler returning canned responses, recording every request), a raw TCP peer that
// misbehaves below HTTP (garbage bytes, reset, stall), and builders for cases written inline.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "conformance/case_model.hpp"
#include "conformance/driver.hpp"
#include "protocol/encoding.hpp"
#include "protocol/http_message.hpp"
#include "reference_server/http/http_server.hpp"

namespace kmsconf::testing {

using nlohmann::json;

// The operation a request names: Volcengine's Action query parameter, Alibaba V3's
// x-acs-action header, or V1's Action in the query or form body.
inline std::string action_of(const HttpRequest& request) {
  if (auto header = request.header("x-acs-action"); !header.empty()) return std::string(header);
  for (const std::string* source : {&request.raw_query, &request.body}) {
    if (auto pairs = parse_query(*source)) {
      for (const auto& [name, value] : *pairs) {
        if (name == "Action") return value;
      }
    }
  }
  return "";
}

// The request's parameters: the JSON body's members, or query ∪ form pairs, as strings.
inline json params_of(const HttpRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_object()) return body;
  json out = json::object();
  for (const std::string* source : {&request.raw_query, &request.body}) {
    if (auto pairs = parse_query(*source)) {
      for (const auto& [name, value] : *pairs) out[name] = value;
    }
  }
  return out;
}

inline HttpResponse json_response(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.headers["Content-Type"] = "application/json; charset=utf-8";
  response.body = body.dump();
  return response;
}

// Volcengine envelopes.
inline HttpResponse volc_ok(const std::string& action, const json& result) {
  json body = {{"ResponseMetadata",
                {{"RequestId", "20261122093000FAKE"},
                 {"Action", action},
                 {"Version", "2021-02-18"},
                 {"Service", "kms"},
                 {"Region", "cn-beijing"}}}};
  if (!result.is_null()) body["Result"] = result;
  return json_response(200, body);
}

inline HttpResponse volc_error(int status, const std::string& action, const std::string& code,
                               const std::string& message) {
  return json_response(status, {{"ResponseMetadata",
                                 {{"RequestId", "20261122093000FAKE"},
                                  {"Action", action},
                                  {"Version", "2021-02-18"},
                                  {"Service", "kms"},
                                  {"Region", "cn-beijing"},
                                  {"Error", {{"Code", code}, {"Message", message}}}}}});
}

// Alibaba Cloud envelopes.
inline HttpResponse ali_ok(json fields) {
  fields["RequestId"] = "7E3D3D7B-0000-4000-8000-FAKEFAKEFAKE";
  return json_response(200, fields);
}

inline HttpResponse ali_error(int status, const std::string& code, const std::string& message) {
  return json_response(status, {{"RequestId", "7E3D3D7B-0000-4000-8000-FAKEFAKEFAKE"},
                                {"HostId", "kms.cn-hangzhou.aliyuncs.com"},
                                {"Code", code},
                                {"Message", message}});
}

// A scripted KMS: every request is recorded, then answered by the script.
class FakeKms {
 public:
  using Script = std::function<HttpResponse(const HttpRequest&, const std::string& action)>;

  explicit FakeKms(Script script) : script_(std::move(script)) {
    server::HttpServerOptions options;
    options.address = "127.0.0.1";
    options.threads = 4;
    options.stop_grace = std::chrono::milliseconds(2000);
    server_ = std::make_unique<server::HttpServer>(
        options, [this](const HttpRequest& request) { return handle(request); });
    server_->start();
  }
  ~FakeKms() { server_->stop(); }

  std::string url() const { return server_->url(); }
  client::Endpoint endpoint() const { return *client::Endpoint::parse(url()); }

  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> actions() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : requests_) out.push_back(action_of(r));
    return out;
  }
  size_t count(const std::string& action) const {
    size_t n = 0;
    for (const auto& a : actions()) n += a == action ? 1 : 0;
    return n;
  }

 private:
  HttpResponse handle(const HttpRequest& request) {
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    return script_(request, action_of(request));
  }

  Script script_;
  mutable std::mutex mutex_;
  std::vector<HttpRequest> requests_;
  std::unique_ptr<server::HttpServer> server_;
};

// A TCP peer on 127.0.0.1 that misbehaves below HTTP.
class RawPeer {
 public:
  enum class Mode {
    Garbage,  // reads the request, answers bytes that are not HTTP, closes
    Reset,    // reads the request, resets the connection (RST) without a byte
    Stall,    // reads the request and never answers (until destroyed)
  };

  explicit RawPeer(Mode mode) : mode_(mode) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }

  ~RawPeer() {
    stop_ = true;
    thread_.join();
    for (int fd : held_) ::close(fd);
    ::close(listener_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  size_t connections() const { return connections_; }

 private:
  void loop() {
    // Bounded by stop_: poll wakes every 20 ms.
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      read_request(fd);
      switch (mode_) {
        case Mode::Garbage: {
          const char garbage[] = "\x16\x03\x01 this is not HTTP \xff\xfe\r\n\r\n";
          (void)!::write(fd, garbage, sizeof garbage - 1);
          ::close(fd);
          break;
        }
        case Mode::Reset: {
          linger l{1, 0};
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
          ::close(fd);
          break;
        }
        case Mode::Stall:
          held_.push_back(fd);
          break;
      }
    }
  }

  // Reads until the end of the headers (and a little more), bounded by 200 ms.
  static void read_request(int fd) {
    std::string seen;
    char buffer[4096];
    for (int i = 0; i < 10; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) return;
      seen.append(buffer, static_cast<size_t>(n));
      if (seen.find("\r\n\r\n") != std::string::npos) return;
    }
  }

  Mode mode_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> connections_{0};
  std::vector<int> held_;
  std::thread thread_;
};

// A port nothing listens on right now.
inline std::string refused_url() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  uint16_t port = ntohs(addr.sin_port);
  ::close(fd);
  return "http://127.0.0.1:" + std::to_string(port);
}

// ---------------------------------------------------------------------------------------------
// Cases written inline

struct StepBuilder {
  conformance::Step step;

  StepBuilder(std::string action, json params = json::object()) {
    step.action = std::move(action);
    step.params = std::move(params);
  }
  StepBuilder& status(int s) {
    step.expect.status = s;
    return *this;
  }
  StepBuilder& code(std::string c) {
    step.expect.code = std::move(c);
    return *this;
  }
  StepBuilder& message_matches(std::string re) {
    step.expect.message_matches = std::move(re);
    return *this;
  }
  StepBuilder& body(std::string path, std::string predicate, json argument) {
    step.expect.body.push_back({std::move(path), std::move(predicate), std::move(argument), ""});
    return *this;
  }
  StepBuilder& capture(std::string variable, std::string path) {
    step.captures[std::move(variable)] = std::move(path);
    return *this;
  }
  StepBuilder& placement(conformance::Placement p) {
    step.placement = p;
    return *this;
  }
  StepBuilder& region(std::string r) {
    step.region = std::move(r);
    return *this;
  }
  StepBuilder& auth(const std::function<void(conformance::AuthOverride&)>& edit) {
    edit(step.auth);
    return *this;
  }
  StepBuilder& retry(conformance::Retry r) {
    step.retry = std::move(r);
    return *this;
  }
  operator conformance::Step() const { return step; }
};

inline conformance::Case make_case(std::string id, std::string dialect,
                                   std::vector<conformance::Step> steps,
                                   std::vector<conformance::Step> cleanup = {},
                                   std::vector<std::string> tags = {}) {
  conformance::Case c;
  c.id = std::move(id);
  c.title = c.id;
  c.dialect = std::move(dialect);
  c.steps = std::move(steps);
  c.cleanup = std::move(cleanup);
  c.tags = std::move(tags);
  c.file = "inline";
  c.line = 1;
  return c;
}

}  // namespace kmsconf::testing
