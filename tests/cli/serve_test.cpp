// `kmsconf serve` as a child process: it comes up on the port it was given, accepts requests
// signed the way the Node and Go SDKs sign them, refuses a wrong secret, refuses to start on a
// malformed credentials, quotas or key pool file (naming the file and the field), hands RSA keys
// the pooled pairs with --key-pool (and generates them without), and stops on SIGTERM.
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "client/http_client.hpp"
#include "client/volcengine_client.hpp"
#include "protocol/volcengine/errors.hpp"
#include "reference_server/engine/crypto/crypto.hpp"
#include "reference_server/engine/crypto/key_pool.hpp"
#include "tests/cli/child_process.hpp"
#include "tests/cli/serve_process.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kAk = "AKLTservetestkey00001";
constexpr const char* kSk = "c2VydmUtdGVzdC1zZWNyZXQta2V5";
constexpr auto kStartBound = 15s;
constexpr auto kStopBound = 10s;
constexpr auto kPollInterval = 50ms;
const std::string kRepoKeyPool =
    std::string(KMSCONF_SOURCE_DIR) + "/fixtures/keypool/rsa-test-keys.pem";

class ServeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "kmsconf-serve-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    credentials_ = dir_ + "/credentials.json";
    write_file(
        credentials_,
        json{{"credentials",
              {{{"access_key_id", kAk}, {"secret_access_key", kSk}, {"account_id", "2100042018"}}}}}
            .dump(2));
  }

  void TearDown() override {
    serve_.reset();  // kills a child still running
    child_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::unique_ptr<Child> spawn(const std::vector<std::string>& args) {
    return std::make_unique<Child>(args, dir_ + "/stdout.txt", dir_ + "/stderr.txt");
  }

  // Starts `serve` (tests/cli/serve_process.hpp) with the test's credentials unless told not to.
  void start_serve(std::vector<std::string> extra = {}, bool with_credentials = true) {
    std::vector<std::string> args;
    if (with_credentials) args.insert(args.end(), {"--credentials", credentials_});
    args.insert(args.end(), extra.begin(), extra.end());
    serve_ = std::make_unique<ServeProcess>(dir_);
    ASSERT_TRUE(serve_->start(args));
    port_ = serve_->port();
  }

  client::Endpoint endpoint() const { return serve_->endpoint(); }

  client::CallResult call(const std::string& secret, volcengine::SignerStyle style,
                          client::Placement placement, const std::string& action,
                          const json& params = json::object()) {
    client::VolcengineClient client(endpoint(), {kAk, secret, ""}, "cn-beijing");
    client::CallOptions options;
    options.style = style;
    options.placement = placement;
    return client.call(action, params, options);
  }

  // Creates an RSA_2048 key (in a keyring of its own) and returns its public key (PEM), or ""
  // after recording a failure.
  std::string new_rsa_public_key(const std::string& name) {
    using volcengine::SignerStyle;
    auto ring = call(kSk, SignerStyle::Go, client::Placement::JsonBody, "CreateKeyring",
                     {{"KeyringName", name}});
    EXPECT_TRUE(ring.ok()) << ring.parsed.message;
    auto key = call(kSk, SignerStyle::Go, client::Placement::JsonBody, "CreateKey",
                    {{"KeyringName", name},
                     {"KeyName", name + "-k"},
                     {"KeySpec", "RSA_2048"},
                     {"KeyUsage", "SIGN_VERIFY"}});
    EXPECT_TRUE(key.ok()) << key.parsed.message;
    if (!key.ok()) return "";
    std::string id = key.result()["Key"].value("ID", "");
    auto pub =
        call(kSk, SignerStyle::Go, client::Placement::JsonBody, "GetPublicKey", {{"KeyID", id}});
    EXPECT_TRUE(pub.ok()) << pub.parsed.message;
    return pub.ok() ? pub.result().value("PublicKey", "") : "";
  }

  std::string dir_;
  std::string credentials_;
  uint16_t port_ = 0;
  std::unique_ptr<ServeProcess> serve_;
  std::unique_ptr<Child> child_;  // a serve that is expected not to start
};

TEST_F(ServeCommandTest, AcceptsNodeAndGoSignaturesAndRefusesAWrongSecret) {
  start_serve();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(serve_->child().out().find("listening on http://127.0.0.1:" + std::to_string(port_)),
            std::string::npos)
      << serve_->child().out();

  using volcengine::SignerStyle;
  // Node: x-content-sha256;x-date (POST) / x-date (GET). Go: content-type;host;x-content-sha256;
  // x-date.
  auto node = call(kSk, SignerStyle::Node, client::Placement::JsonBody, "CreateKeyring",
                   {{"KeyringName", "node-ring"}});
  EXPECT_TRUE(node.ok()) << node.parsed.message;
  EXPECT_NE(node.request.header("Authorization").find("SignedHeaders=x-content-sha256;x-date,"),
            std::string::npos)
      << node.request.header("Authorization");
  auto go = call(kSk, SignerStyle::Go, client::Placement::JsonBody, "CreateKeyring",
                 {{"KeyringName", "go-ring"}});
  EXPECT_TRUE(go.ok()) << go.parsed.message;
  EXPECT_NE(go.request.header("Authorization")
                .find("SignedHeaders=content-type;host;x-content-sha256;x-date,"),
            std::string::npos)
      << go.request.header("Authorization");
  for (auto style : {SignerStyle::Node, SignerStyle::Go}) {
    auto listed = call(kSk, style, client::Placement::Query, "DescribeKeyrings");
    ASSERT_TRUE(listed.ok()) << listed.parsed.message;
    EXPECT_EQ(listed.result()["Keyrings"].size(), 2u);
  }

  auto wrong =
      call("d3Jvbmctc2VjcmV0", SignerStyle::Node, client::Placement::JsonBody, "DescribeRegions");
  const auto& info = volcengine::error_info(volcengine::ErrorCode::SignatureDoesNotMatch);
  EXPECT_EQ(wrong.parsed.status, info.http_status);
  EXPECT_EQ(wrong.parsed.error_code, std::string(info.wire_code));
  EXPECT_EQ(wrong.parsed.code_n, info.code_n);
}

// Without --credentials the throwaway secret never reaches the console (which ends up in CI
// logs): it goes to a file only the user can read, usable as kmsconf test --credentials, and
// gone when serve stops.
TEST_F(ServeCommandTest, ThrowawayCredentialGoesToAPrivateFileNotTheConsole) {
  const std::string file = dir_ + "/demo-credentials.json";
  start_serve({"--credentials-out", file}, /*with_credentials=*/false);
  ASSERT_FALSE(HasFatalFailure());
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0) << serve_->child().out();
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  json written = json::parse(read_file(file));
  const std::string ak = written["volcengine"]["access_key_id"].get<std::string>();
  const std::string sk = written["volcengine"]["secret_access_key"].get<std::string>();
  ASSERT_FALSE(sk.empty());
  EXPECT_FALSE(written.contains("alibaba")) << "only the served dialects";
  EXPECT_NE(serve_->child().out().find("demo credential: access_key_id=" + ak), std::string::npos)
      << serve_->child().out();
  EXPECT_NE(serve_->child().out().find(file), std::string::npos);
  EXPECT_EQ(serve_->child().out().find(sk), std::string::npos) << "the secret was printed";
  EXPECT_EQ(serve_->child().err().find(sk), std::string::npos) << "the secret was printed";

  client::VolcengineClient client(endpoint(), {ak, sk, ""}, "cn-beijing");
  EXPECT_TRUE(client.call("DescribeRegions", json::object(), {}).ok());

  ASSERT_EQ(::kill(serve_->child().pid(), SIGTERM), 0);
  ASSERT_TRUE(serve_->child().wait_for_exit(kStopBound).has_value());
  EXPECT_FALSE(std::filesystem::exists(file)) << "the credential file outlived the server";
}

// --fault-injection is off unless asked for; on, a signed request naming a fault gets the
// dialect's catch-all 500, and the startup output says the hook is on.
TEST_F(ServeCommandTest, FaultInjectionOnlyWhenAskedFor) {
  auto faulty = [&] {
    client::CallOptions options;
    options.extra_headers["X-Kmsconf-Fault"] = "UndefinedError";
    return client::VolcengineClient(endpoint(), {kAk, kSk, ""}, "cn-beijing")
        .call("DescribeRegions", json::object(), options);
  };
  start_serve();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(faulty().ok()) << "the header must be ignored without --fault-injection";
  EXPECT_EQ(serve_->child().out().find("fault injection on"), std::string::npos);
  serve_.reset();

  start_serve({"--fault-injection"});
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(serve_->child().out().find("fault injection on (test only)"), std::string::npos);
  auto answer = faulty();
  const auto& info = volcengine::error_info(volcengine::ErrorCode::UndefinedError);
  EXPECT_EQ(answer.parsed.status, info.http_status);
  EXPECT_EQ(answer.parsed.error_code, std::string(info.wire_code));
}

TEST_F(ServeCommandTest, SigtermStopsTheServerWithinABound) {
  start_serve();
  ASSERT_FALSE(HasFatalFailure());
  auto sent = Clock::now();
  ASSERT_EQ(::kill(serve_->child().pid(), SIGTERM), 0);
  auto status = serve_->child().wait_for_exit(kStopBound);
  ASSERT_TRUE(status.has_value()) << "still running " << kStopBound.count() << " s after SIGTERM";
  EXPECT_LT(Clock::now() - sent, kStopBound);
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_FALSE(serve_->answers());
}

struct BadFile {
  const char* name;
  const char* option;  // --credentials or --quotas
  std::string text;
  std::vector<std::string> named;  // what the message must mention besides the path
};

TEST_F(ServeCommandTest, MalformedConfigurationFilesStopStartupNamingFileAndField) {
  const BadFile cases[] = {
      {"empty-secret",
       "--credentials",
       R"({"credentials":[{"access_key_id":"AK","secret_access_key":"","account_id":"1"}]})",
       {"credentials[0]", "secret_access_key"}},
      {"no-list", "--credentials", R"({"keys":[]})", {"credentials"}},
      {"bad-actions",
       "--credentials",
       R"({"credentials":[{"access_key_id":"AK","secret_access_key":"S","account_id":"1",
          "allowed_actions":"Encrypt"}]})",
       {"credentials[0]", "allowed_actions"}},
      {"duplicate",
       "--credentials",
       R"({"credentials":[{"access_key_id":"AK","secret_access_key":"S","account_id":"1"},
                          {"access_key_id":"AK","secret_access_key":"T","account_id":"1"}]})",
       {"credentials[1]", "access_key_id"}},
      {"service-open",
       "--credentials",
       R"({"credentials":[],"accounts":[{"account_id":"1","service_open":"no"}]})",
       {"accounts[0]", "service_open"}},
      {"not-json", "--credentials", "{credentials:", {"JSON"}},
      // kmsconf test's client credentials given to serve: the message says which format is which.
      {"test-format",
       "--credentials",
       R"({"volcengine":{"access_key_id":"AK","secret_access_key":"S"}})",
       {"kmsconf test's credentials format", "\"credentials\""}},
      {"quota-rate",
       "--quotas",
       R"({"actions":{"Encrypt":{"rate":-1,"burst":1}}})",
       {"actions.Encrypt", "rate"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = dir_ + "/" + c.name + ".json";
    write_file(path, c.text);
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
    if (std::string(c.option) == "--quotas") {
      args.insert(args.end(), {"--credentials", credentials_});
    }
    args.insert(args.end(), {c.option, path});
    child_ = spawn(args);
    auto status = child_->wait_for_exit(kStartBound);
    ASSERT_TRUE(status.has_value()) << "serve kept running with a malformed file";
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_NE(WEXITSTATUS(*status), 0);
    std::string err = child_->err();
    EXPECT_NE(err.find(path), std::string::npos) << err;
    for (const auto& field : c.named) EXPECT_NE(err.find(field), std::string::npos) << err;
    EXPECT_EQ(child_->out().find("listening"), std::string::npos) << child_->out();
  }
}

// --key-pool: RSA keys take the pool's pairs, one each and in the file's order.
TEST_F(ServeCommandTest, KeyPoolHandsRsaKeysThePooledPairsInOrder) {
  auto pool = engine::crypto::KeyPool::load(kRepoKeyPool);
  const auto& pooled = pool->pairs(engine::KeySpec::Rsa2048);
  ASSERT_GE(pooled.size(), 2u);
  start_serve({"--key-pool", kRepoKeyPool});
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_NE(serve_->child().out().find("key pool on (test only): RSA keys take the " +
                                       std::to_string(pool->size()) + " pre-generated pairs of " +
                                       kRepoKeyPool),
            std::string::npos)
      << serve_->child().out();
  std::string first = new_rsa_public_key("pool-ring-1");
  std::string second = new_rsa_public_key("pool-ring-2");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, engine::crypto::public_key_pem(*pooled[0]));
  EXPECT_EQ(second, engine::crypto::public_key_pem(*pooled[1]));
}

// Off by default: a server answering anything but a test run generates its keys.
TEST_F(ServeCommandTest, WithoutKeyPoolRsaKeysAreGenerated) {
  auto pool = engine::crypto::KeyPool::load(kRepoKeyPool);
  const auto& pooled = pool->pairs(engine::KeySpec::Rsa2048);
  ASSERT_FALSE(pooled.empty());
  start_serve();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(serve_->child().out().find("key pool"), std::string::npos) << serve_->child().out();
  std::string generated = new_rsa_public_key("fresh-ring");
  ASSERT_FALSE(generated.empty());
  EXPECT_NE(generated.find("-----BEGIN PUBLIC KEY-----"), std::string::npos) << generated;
  for (const auto& pair : pooled) EXPECT_NE(generated, engine::crypto::public_key_pem(*pair));
}

// The credential file never replaces an existing file (the user's real credentials, or a link
// planted in a shared directory), and a refusal comes before anything listens.
TEST_F(ServeCommandTest, CredentialFileIsAlwaysANewFile) {
  const std::string existing = dir_ + "/existing.json";
  write_file(existing, "keep me\n");
  const std::string link = dir_ + "/link.json";
  ASSERT_EQ(::symlink(existing.c_str(), link.c_str()), 0);
  const struct {
    const char* name;
    std::vector<std::string> args;
    std::string named;
  } cases[] = {
      {"existing file", {"--credentials-out", existing}, "--credentials-out " + existing},
      {"symbolic link", {"--credentials-out", link}, "--credentials-out " + link},
      {"with --credentials",
       {"--credentials", credentials_, "--credentials-out", dir_ + "/new.json"},
       "give one or the other"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    child_ = spawn(args);
    auto status = child_->wait_for_exit(kStartBound);
    ASSERT_TRUE(status.has_value()) << "serve kept running";
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 2);
    EXPECT_NE(child_->err().find(c.named), std::string::npos) << child_->err();
    EXPECT_EQ(child_->out().find("listening"), std::string::npos) << child_->out();
  }
  EXPECT_EQ(read_file(existing), "keep me\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/new.json"));

  // The default is a new file with a random name in $TMPDIR, removed on stop.
  ChildOptions options;
  options.env["TMPDIR"] = dir_;
  child_ = std::make_unique<Child>(std::vector<std::string>{"serve", "--listen", "127.0.0.1:0"},
                                   dir_ + "/stdout.txt", dir_ + "/stderr.txt", options);
  const std::regex kFile("the secret is in (" + dir_ + "/kmsconf-serve-[A-Za-z0-9]{6}" +
                         R"(\.credentials\.json))");
  std::smatch match;
  auto deadline = Clock::now() + kStartBound;
  std::string out;
  while (Clock::now() < deadline && !std::regex_search(out = child_->out(), match, kFile)) {
    std::this_thread::sleep_for(kPollInterval);
  }
  ASSERT_FALSE(match.empty()) << out << child_->err();
  const std::string made = match[1].str();
  EXPECT_TRUE(std::filesystem::exists(made));
  ASSERT_EQ(::kill(child_->pid(), SIGTERM), 0);
  ASSERT_TRUE(child_->wait_for_exit(kStopBound).has_value());
  EXPECT_FALSE(std::filesystem::exists(made));
}

TEST_F(ServeCommandTest, BadKeyPoolFileStopsStartupWithExitTwoNamingIt) {
  const std::string missing = dir_ + "/no-such-pool.pem";
  const std::string empty = dir_ + "/empty-pool.pem";
  write_file(empty, "no keys in here\n");
  const std::string broken = dir_ + "/broken-pool.pem";
  write_file(broken,
             "# a comment\n-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
  const struct {
    const char* name;
    std::string file;
    std::vector<std::string> named;
  } cases[] = {
      {"missing", missing, {"--key-pool " + missing, "cannot read"}},
      {"no keys", empty, {"--key-pool " + empty, "holds no RSA private key"}},
      {"broken block",
       broken,
       {"--key-pool " + broken + ":2:", "not an unencrypted PEM private key"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    child_ = spawn(
        {"serve", "--listen", "127.0.0.1:0", "--credentials", credentials_, "--key-pool", c.file});
    auto status = child_->wait_for_exit(kStartBound);
    ASSERT_TRUE(status.has_value()) << "serve kept running with a bad key pool";
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 2);
    std::string err = child_->err();
    for (const auto& text : c.named) EXPECT_NE(err.find(text), std::string::npos) << err;
    EXPECT_EQ(child_->out().find("listening"), std::string::npos) << child_->out();
  }
}

}  // namespace
}  // namespace kmsconf::testing
