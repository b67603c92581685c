// `kmsconf serve` as a child process for the CLI tests: started on an ephemeral port (--listen
// 127.0.0.1:0, so no other process can take the port between a probe and the bind), ready once
// its startup line names the bound port and something answers there.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "client/http_client.hpp"
#include "tests/cli/child_process.hpp"

namespace kmsconf::testing {

class ServeProcess {
 public:
  static constexpr auto kStartBound = std::chrono::seconds(15);

  // `dir` receives its stdout.txt and stderr.txt.
  explicit ServeProcess(std::string dir) : dir_(std::move(dir)) {}

  // Starts `kmsconf serve --listen 127.0.0.1:0 <args>`; records a test failure (and returns
  // false) when it does not answer within kStartBound.
  bool start(const std::vector<std::string>& args) {
    std::vector<std::string> all{"serve", "--listen", "127.0.0.1:0"};
    all.insert(all.end(), args.begin(), args.end());
    child_ = std::make_unique<Child>(all, dir_ + "/stdout.txt", dir_ + "/stderr.txt");
    if (!child_->started()) {
      ADD_FAILURE() << "serve did not start";
      return false;
    }
    static const std::regex kListening(R"(listening on http://127\.0\.0\.1:([0-9]+))");
    auto deadline = ChildClock::now() + kStartBound;
    while (child_->running() && ChildClock::now() < deadline) {
      std::string out = child_->out();
      std::smatch match;
      if (std::regex_search(out, match, kListening)) {
        port_ = static_cast<uint16_t>(std::stoi(match[1].str()));
        if (answers()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "serve did not answer within the bound; stdout: " << child_->out()
                  << " stderr: " << child_->err();
    return false;
  }

  void stop() { child_.reset(); }  // kills it

  Child& child() { return *child_; }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  client::Endpoint endpoint() const { return *client::Endpoint::parse(url()); }

  // Whether anything answers HTTP on the port now.
  bool answers() {
    try {
      client::ClientOptions options;
      options.timeout = std::chrono::milliseconds(1000);
      client::HttpClient http(endpoint(), options);
      HttpRequest probe;
      probe.method = "GET";
      probe.raw_query = "Action=DescribeRegions&Version=2021-02-18";
      return http.send(probe).status > 0;
    } catch (const client::TransportError&) {
      return false;
    }
  }

 private:
  std::string dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Child> child_;
};

}  // namespace kmsconf::testing
