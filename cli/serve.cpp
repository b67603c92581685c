// kmsconf serve: the reference KMS as a standalone process.
#include <csignal>
#include <iostream>

#include "cli/commands.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::cli {
namespace {

struct ServeOptions {
  std::string dialect = "volcengine";
  std::string listen = "127.0.0.1:8080";
  std::string credentials_file;
  std::string quotas_file;
  std::string region = "cn-beijing";
  size_t threads = 2;
  int max_clock_skew = 900;
};

// "127.0.0.1:8080" or "[::1]:8080".
std::pair<std::string, uint16_t> split_listen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    throw std::invalid_argument("--listen " + listen + ": expected ADDRESS:PORT");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::invalid_argument("--listen " + listen + ": bad port");
  return {host, static_cast<uint16_t>(port)};
}

std::vector<std::string> regions_with_home(const std::string& home) {
  std::vector<std::string> regions{home};
  for (const char* r : {"cn-beijing", "cn-shanghai", "cn-guangzhou", "cn-hongkong", "ap-southeast-1"}) {
    if (home != r) regions.emplace_back(r);
  }
  return regions;
}

int wait_for_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

int serve(const ServeOptions& o) {
  if (o.dialect != "volcengine") {
    std::cerr << "kmsconf serve: --dialect " << o.dialect << " is not supported (volcengine)\n";
    return 2;
  }
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::ReferenceServerOptions options;
  std::tie(options.address, options.port) = split_listen(o.listen);
  options.threads = o.threads;
  options.regions = regions_with_home(o.region);
  options.max_clock_skew = std::chrono::seconds(o.max_clock_skew);
  if (!o.credentials_file.empty()) {
    options.credentials = server::CredentialStore::load_file(o.credentials_file);
  }
  if (!o.quotas_file.empty()) options.quotas.merge_file(o.quotas_file);
  bool demo_credential = options.credentials.all().empty();
  server::ReferenceServer reference(std::move(options));
  reference.start();
  std::cout << "kmsconf reference KMS (volcengine, Version 2021-02-18) listening on "
            << reference.endpoint() << ", region " << o.region << "\n";
  if (demo_credential) {
    // No credentials file: a throwaway demo key pair, printed once so a client can use it.
    const auto& c = reference.default_credential();
    std::cout << "demo credential: access_key_id=" << c.access_key_id
              << " secret_access_key=" << c.secret_access_key << " account_id=" << c.account_id
              << "\n";
  }
  std::cout.flush();
  int sig = wait_for_signal();
  std::cout << "kmsconf serve: signal " << sig << ", stopping\n";
  reference.stop();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, std::function<int()>* run) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the reference KMS server standalone");
  cmd->add_option("--dialect", options->dialect, "Wire dialect")
      ->check(CLI::IsMember({"volcengine"}))
      ->capture_default_str();
  cmd->add_option("--listen", options->listen, "ADDRESS:PORT to listen on")->capture_default_str();
  cmd->add_option("--credentials", options->credentials_file,
                  "JSON file {\"credentials\":[{access_key_id, secret_access_key, account_id, "
                  "allowed_actions}]}; without it a demo credential is made and printed")
      ->check(CLI::ExistingFile);
  cmd->add_option("--quotas", options->quotas_file,
                  "JSON file overriding throttling quotas {default, actions, pools}")
      ->check(CLI::ExistingFile);
  cmd->add_option("--region", options->region, "Home region of the endpoint")->capture_default_str();
  cmd->add_option("--threads", options->threads, "I/O threads")->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--max-clock-skew", options->max_clock_skew,
                  "Accepted X-Date skew in seconds")->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->callback([options, run] { *run = [options] { return serve(*options); }; });
}

}  // namespace kmsconf::cli
