// kmsconf serve: the reference KMS as a standalone process.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cli/commands.hpp"
#include "client/dialect.hpp"
#include "reference_server/engine/crypto/key_pool.hpp"
#include "reference_server/reference_server.hpp"

namespace kmsconf::cli {
namespace {

struct ServeOptions {
  std::string dialect{dialect_name(DialectId::Volcengine)};
  std::vector<std::string> listen{"127.0.0.1:8080"};
  std::string credentials_file;
  std::string quotas_file;
  std::string region;  // empty: the dialect's first default region
  size_t threads = 2;
  int max_clock_skew = 900;
  bool fault_injection = false;
  std::string key_pool_file;    // empty: every key generated
  std::string credentials_out;  // where a demo credential goes; empty: a file in $TMPDIR
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

struct Listener {
  server::Dialect dialect;
  std::string address;
  uint16_t port;
};

// "ADDRESS:PORT" (the --dialect) or "DIALECT=ADDRESS:PORT".
Listener parse_listener(const std::string& text, const std::string& default_dialect) {
  size_t eq = text.find('=');
  std::string dialect = eq == std::string::npos ? default_dialect : text.substr(0, eq);
  auto parsed = dialect_from_name(dialect);
  if (!parsed) throw std::invalid_argument("--listen " + text + ": unknown dialect " + dialect);
  auto [address, port] = split_listen(eq == std::string::npos ? text : text.substr(eq + 1));
  return {*parsed, address, port};
}

// The home region first, then the dialect's other default regions.
std::vector<std::string> regions_with_home(server::Dialect dialect, const std::string& home) {
  const auto& defaults = server::default_regions(dialect);
  std::string first = home.empty() ? defaults.front() : home;
  std::vector<std::string> regions{first};
  for (const auto& r : defaults) {
    if (r != first) regions.push_back(r);
  }
  return regions;
}

// A bad file stops startup (exit 2) before anything listens, naming the file (and line); so
// does a file without a single key, which is surely not what was meant.
std::shared_ptr<const engine::crypto::KeyPool> load_key_pool(const std::string& path) {
  std::shared_ptr<const engine::crypto::KeyPool> pool;
  try {
    pool = engine::crypto::KeyPool::load(path);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--key-pool ") + e.what());
  }
  if (pool->size() == 0) {
    throw std::invalid_argument("--key-pool " + path + ": holds no RSA private key");
  }
  return pool;
}

// Without --credentials, serve makes a throwaway credential. Its secret never goes to the console
// (consoles end up in CI logs): it goes to a file only the user can read, in the format of
// `kmsconf test --credentials`, which is removed when serve stops.
class DemoCredentialFile {
 public:
  // A file that already exists is never overwritten (it may be the user's real credentials, or
  // a link planted in a shared directory): the given path must be new, the default one is made
  // with a random name.
  DemoCredentialFile(const std::string& path, const server::Credential& credential,
                     const std::set<std::string>& dialects) {
    int fd = -1;
    if (path.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      path_ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
              "/kmsconf-serve-XXXXXX.credentials.json";
      fd = ::mkstemps(path_.data(), static_cast<int>(std::string_view(".credentials.json").size()));
    } else {
      path_ = path;
      fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST) {
        throw std::invalid_argument("--credentials-out " + path_ +
                                    ": already exists; serve writes only a new file");
      }
    }
    if (fd < 0) throw std::invalid_argument("--credentials-out " + path_ + ": cannot be created");
    nlohmann::json entry{{"access_key_id", credential.access_key_id},
                         {"secret_access_key", credential.secret_access_key}};
    nlohmann::json file = nlohmann::json::object();
    for (const auto& dialect : dialects) file[dialect] = entry;
    std::string text = file.dump(2) + "\n";
    bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) {
      ::unlink(path_.c_str());
      throw std::invalid_argument("--credentials-out " + path_ + ": cannot be written");
    }
  }
  ~DemoCredentialFile() { ::unlink(path_.c_str()); }
  DemoCredentialFile(const DemoCredentialFile&) = delete;
  DemoCredentialFile& operator=(const DemoCredentialFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

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
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::CredentialStore credentials;
  if (!o.credentials_file.empty())
    credentials = server::CredentialStore::load_file(o.credentials_file);
  if (credentials.all().empty()) credentials.add(server::CredentialStore::random_demo());
  server::QuotaConfig quotas;
  if (!o.quotas_file.empty()) quotas.merge_file(o.quotas_file);
  std::shared_ptr<const engine::crypto::KeyPool> key_pool;
  if (!o.key_pool_file.empty()) key_pool = load_key_pool(o.key_pool_file);

  // Everything that can be refused is checked before anything listens.
  std::vector<Listener> listeners;
  std::set<std::string> served;  // dialect names
  for (const auto& text : o.listen) {
    listeners.push_back(parse_listener(text, o.dialect));
    served.insert(std::string(dialect_name(listeners.back().dialect)));
  }
  if (!o.credentials_file.empty() && !o.credentials_out.empty()) {
    throw std::invalid_argument(
        "--credentials-out is for the throwaway credential made without "
        "--credentials; give one or the other");
  }
  std::unique_ptr<DemoCredentialFile> demo_credential;
  if (o.credentials_file.empty()) {
    demo_credential =
        std::make_unique<DemoCredentialFile>(o.credentials_out, credentials.all().front(), served);
  }

  // One server (engine, adapter, listener) per --listen: each dialect keeps its own state.
  std::vector<std::unique_ptr<server::ReferenceServer>> servers;
  for (const Listener& listener : listeners) {
    server::ReferenceServerOptions options;
    options.dialect = listener.dialect;
    options.address = listener.address;
    options.port = listener.port;
    options.threads = o.threads;
    options.regions = regions_with_home(listener.dialect, o.region);
    options.max_clock_skew = std::chrono::seconds(o.max_clock_skew);
    options.credentials = credentials;
    options.quotas = quotas;
    options.fault_injection = o.fault_injection;
    options.key_pool = key_pool;  // immutable, shared; each server hands out every pair once
    std::string home = options.regions.front();
    servers.push_back(std::make_unique<server::ReferenceServer>(std::move(options)));
    servers.back()->start();
    std::cout << "kmsconf reference KMS (" << dialect_name(listener.dialect) << ") listening on "
              << servers.back()->endpoint() << ", region " << home << "\n";
    if (o.fault_injection) {
      std::cout << "fault injection on (test only): X-Kmsconf-Fault is honoured\n";
    }
  }
  if (key_pool) {
    std::cout << "key pool on (test only): RSA keys take the " << key_pool->size()
              << " pre-generated pairs of " << o.key_pool_file << " before any is generated\n";
  }
  if (demo_credential) {
    const auto& c = credentials.all().front();
    std::cout << "demo credential: access_key_id=" << c.access_key_id
              << " account_id=" << c.account_id << "; the secret is in " << demo_credential->path()
              << " (use it with kmsconf test --credentials; removed when serve stops)\n";
  }
  std::cout.flush();
  int sig = wait_for_signal();
  std::cout << "kmsconf serve: signal " << sig << ", stopping\n";
  for (auto& s : servers) s->stop();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, std::function<int()>* run) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the reference KMS server standalone");
  cmd->add_option("--dialect", options->dialect, "Wire dialect")
      ->check(CLI::IsMember(client::dialect_names()))
      ->capture_default_str();
  cmd->add_option("--listen", options->listen,
                  "ADDRESS:PORT (the --dialect) or DIALECT=ADDRESS:PORT; repeat to serve both "
                  "dialects, each with its own state")
      ->capture_default_str();
  cmd->add_option("--credentials", options->credentials_file,
                  "JSON file {\"credentials\":[{access_key_id, secret_access_key, account_id, "
                  "allowed_actions}]}; without it a throwaway credential is made and written "
                  "to --credentials-out")
      ->check(CLI::ExistingFile);
  cmd->add_option("--credentials-out", options->credentials_out,
                  "Without --credentials: the file (mode 0600, kmsconf test --credentials "
                  "format) that receives the throwaway credential; it must not exist yet "
                  "(default: a new file with a random name in $TMPDIR); removed when serve "
                  "stops");
  cmd->add_option("--quotas", options->quotas_file,
                  "JSON file overriding throttling quotas {default, actions, pools}")
      ->check(CLI::ExistingFile);
  cmd->add_option("--region", options->region,
                  "Home region (default cn-beijing for volcengine, cn-hangzhou for alibaba)");
  cmd->add_option("--threads", options->threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--max-clock-skew", options->max_clock_skew, "Accepted X-Date skew in seconds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cmd->add_flag("--fault-injection", options->fault_injection,
                "Test only: answer requests carrying X-Kmsconf-Fault: UndefinedError with the "
                "dialect's catch-all 500 error (off: the header is ignored)");
  cmd->add_option("--key-pool", options->key_pool_file,
                  "Test only: PEM file of pre-generated RSA private keys (e.g. "
                  "fixtures/keypool/rsa-test-keys.pem) that RSA keys take, each pair once, "
                  "before any is generated. The pooled keys are public test data, never for "
                  "real secrets (off: every key is generated)");
  cmd->callback([options, run] { *run = [options] { return serve(*options); }; });
}

}  // namespace kmsconf::cli
