// The signing vectors (tests/data/volcengine-sign-vectors.json) replayed through the server's
// HTTP path: each vector's exact wire request (raw query, headers, body) goes out through
// HttpClient untouched, so nothing is re-signed on the way. Accepted requests must get past
// every authentication check (the business answer may be anything but a gateway refusal);
// rejected ones must be 401 SignatureDoesNotMatch, CodeN 100010. Then requests signed by our
// own client in both official styles, GET and POST, against a server that checks timestamps.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "protocol/digest.hpp"
#include "tests/reference_server/volcengine/fixture.hpp"
#include "tests/reference_server/volcengine/wire_support.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;
using volcengine::ErrorCode;

const json& vectors_file() {
  static const json file = [] {
    std::ifstream in(std::string(KMSCONF_TEST_DATA_DIR) + "/volcengine-sign-vectors.json");
    if (!in) throw std::runtime_error("cannot open volcengine-sign-vectors.json");
    return json::parse(in);
  }();
  return file;
}

// One replay: a wire request and what the vectors file expects of it.
struct Replay {
  std::string id;
  HttpRequest request;
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // the credential's token when the request carries one
  bool accept = true;
  json expected;  // the reject expectation object, when !accept
};

Headers headers_from(const json& object) {
  Headers headers;
  for (const auto& [name, value] : object.items()) headers[name] = value.get<std::string>();
  return headers;
}

// The query as the SDK sent it when recorded, else a canonical encoding of the inputs (any
// encoding of the same pairs verifies alike; the server_verification_cases cover the others).
std::string wire_query(const json& vector) {
  const json& outputs = vector.at("outputs");
  if (outputs.contains("raw_query_as_sent")) return outputs.at("raw_query_as_sent");
  if (outputs.contains("request_url_as_sent")) {
    std::string url = outputs.at("request_url_as_sent");
    return url.substr(url.find('?') + 1);
  }
  QueryPairs pairs;
  for (const auto& [name, value] : vector.at("inputs").at("query").items()) {
    pairs.emplace_back(name, value.get<std::string>());
  }
  return build_query(pairs);
}

std::vector<Replay> replays() {
  std::vector<Replay> out;
  const json& file = vectors_file();
  for (const json& vector : file.at("vectors")) {
    const json& inputs = vector.at("inputs");
    Replay r;
    r.id = vector.at("id");
    r.request.method = inputs.at("method");
    r.request.path = inputs.at("path");
    r.request.raw_query = wire_query(vector);
    r.request.headers = headers_from(inputs.at("headers_given"));
    for (const auto& [name, value] : vector.at("outputs").at("headers_added_by_signer").items()) {
      r.request.headers[name] = value.get<std::string>();
    }
    if (!r.request.has_header("Host")) r.request.headers["Host"] = inputs.at("host");
    r.request.body = inputs.at("body");
    r.access_key = inputs.at("ak");
    r.secret_key = inputs.at("sk");
    if (inputs.at("session_token").is_string()) r.session_token = inputs.at("session_token");
    out.push_back(std::move(r));
  }
  // The session token of the vectors, for server cases that carry X-Security-Token.
  std::string token;
  for (const Replay& r : out) token = r.session_token.empty() ? token : r.session_token;
  for (const json& c : file.at("server_verification_cases")) {
    const json& request = c.at("request");
    Replay r;
    r.id = c.at("id");
    r.request.method = request.at("method");
    r.request.path = request.at("path");
    r.request.raw_query = request.at("raw_query");
    r.request.headers = headers_from(request.at("headers"));
    r.request.body = request.at("body");
    r.secret_key = c.at("server_secret_for_ak");
    auto auth = volcengine::parse_authorization(r.request.header("Authorization"));
    r.access_key = std::get<volcengine::ParsedAuthorization>(auth).access_key_id;
    if (r.request.has_header("X-Security-Token")) r.session_token = token;
    r.accept = c.at("expected").is_string() && c.at("expected") == "accept";
    if (!r.accept) r.expected = c.at("expected");
    out.push_back(std::move(r));
  }
  return out;
}

// Every refusal that means "the request did not authenticate" (§2.4 steps 1-8).
bool is_gateway_refusal(const volcengine::ParsedResponse& parsed) {
  if (!parsed.error_code) return false;
  auto code = volcengine::error_code_from_wire(*parsed.error_code, parsed.code_n);
  static const std::set<ErrorCode> refusals{
      ErrorCode::MissingParameter,           ErrorCode::InvalidActionOrVersion,
      ErrorCode::MissingAuthenticationToken, ErrorCode::InvalidAuthorization,
      ErrorCode::InvalidCredential,          ErrorCode::MissingSignature,
      ErrorCode::MissingRequestInfo,         ErrorCode::InvalidTimestamp,
      ErrorCode::InvalidAccessKey,           ErrorCode::SignatureDoesNotMatch,
      ErrorCode::InvalidSecretToken,         ErrorCode::AccessDenied,
      ErrorCode::KmsServiceNotOpen};
  return !code || refusals.count(*code) > 0;
}

// The business answer each vector's action gets from the prepared server: the keys named by
// the Encrypt, ReplicateKey and CreateKey vectors exist (or their keyring does); the keyring id
// of UpdateKeyring and the key id of GenerateDataKey are the vectors' made-up ones.
int expected_business_status(const HttpRequest& request) {
  auto query = parse_query(request.raw_query);
  std::string action;
  for (const auto& [name, value] : query.value_or(QueryPairs{})) {
    if (name == "Action") action = value;
  }
  if (action == "UpdateKeyring" || action == "GenerateDataKey") return 404;
  return 200;
}

class SigningVectorReplayTest : public ::testing::TestWithParam<size_t> {
 protected:
  static const std::vector<Replay>& all() {
    static const std::vector<Replay> list = replays();
    return list;
  }
  const Replay& replay() const { return all()[GetParam()]; }

  void SetUp() override {
    const Replay& r = replay();
    // The vectors' own moment, so the server's RequestIds and dates match the vector's day.
    auto clock = std::make_shared<engine::ManualClock>(
        volcengine::parse_x_date(r.request.header("X-Date")).value());
    server::ReferenceServerOptions options;
    options.clock = clock;
    options.check_timestamps = false;  // the vectors are dated 2024-12-19
    options.credentials.add({r.access_key, r.secret_key, kAccount, {"*"}, r.session_token});
    server_ = std::make_unique<server::ReferenceServer>(std::move(options));
    server_->start();
    endpoint_ = *client::Endpoint::parse(server_->endpoint());
    if (r.session_token.empty()) prepare_resources(r, *clock);
  }

  void TearDown() override { server_->stop(); }

  // Keyring "test" with keys "key-1" and "mrk-test" (multi-region), and keyring "demo".
  void prepare_resources(const Replay& r, const engine::ManualClock& clock) {
    client::VolcengineClient client(endpoint_, {r.access_key, r.secret_key, ""}, kRegion);
    client::CallOptions options;
    options.x_date = volcengine::format_x_date(clock.now());
    for (const auto& [action, params] : std::vector<std::pair<std::string, json>>{
             {"CreateKeyring", {{"KeyringName", "test"}}},
             {"CreateKeyring", {{"KeyringName", "demo"}}},
             {"CreateKey", {{"KeyringName", "test"}, {"KeyName", "key-1"}}},
             {"CreateKey",
              {{"KeyringName", "test"}, {"KeyName", "mrk-test"}, {"MultiRegion", true}}}}) {
      auto result = client.call(action, params, options);
      ASSERT_TRUE(result.ok()) << action << ": " << result.parsed.message;
    }
  }

  std::unique_ptr<server::ReferenceServer> server_;
  client::Endpoint endpoint_;
};

TEST_P(SigningVectorReplayTest, ServerAgreesWithTheVector) {
  const Replay& r = replay();
  client::HttpClient http(endpoint_);
  HttpResponse response = http.send(r.request);
  volcengine::ParsedResponse parsed = wire::envelope_of(response);
  if (r.accept) {
    EXPECT_FALSE(is_gateway_refusal(parsed))
        << r.id << ": " << parsed.error_code.value_or("") << " " << parsed.message;
    EXPECT_NE(parsed.status, 500) << parsed.message;
    EXPECT_EQ(parsed.status, expected_business_status(r.request))
        << r.id << ": " << parsed.error_code.value_or("") << " " << parsed.message;
  } else {
    EXPECT_TRUE(wire::is_error(parsed, ErrorCode::SignatureDoesNotMatch)) << r.id;
    EXPECT_EQ(parsed.status, r.expected.at("http_status").get<int>());
    EXPECT_EQ(parsed.error_code, r.expected.at("code").get<std::string>());
    EXPECT_EQ(parsed.code_n, r.expected.at("codeN").get<int>());
    EXPECT_EQ(parsed.code_n, 100010);
  }
}

TEST(SigningVectorFileTest, HasTheExpectedVectorsAndCases) {
  const auto& file = vectors_file();
  EXPECT_EQ(file.at("vectors").size(), 10u);
  EXPECT_EQ(file.at("server_verification_cases").size(), 8u);
  size_t rejects = 0;
  for (const auto& c : file.at("server_verification_cases"))
    rejects += c.at("expected").is_object();
  EXPECT_EQ(rejects, 4u);
}

std::string replay_name(const ::testing::TestParamInfo<size_t>& info) {
  std::string id =
      vectors_file().at("vectors").size() > info.param
          ? vectors_file().at("vectors")[info.param].at("id").get<std::string>()
          : vectors_file()
                .at("server_verification_cases")[info.param - vectors_file().at("vectors").size()]
                .at("id")
                .get<std::string>();
  for (char& c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return id;
}

INSTANTIATE_TEST_SUITE_P(
    VolcengineSignVectors, SigningVectorReplayTest,
    ::testing::Range<size_t>(0, vectors_file().at("vectors").size() +
                                    vectors_file().at("server_verification_cases").size()),
    replay_name);

// ---------------------------------------------------------------------------------------------
// Our client's signatures in both official styles, against a server that checks timestamps.

constexpr const char* kStsAk = "AKLTsigningstsakey001";
constexpr const char* kStsSk = "c2lnbmluZy1zdHMtc2VjcmV0";
constexpr const char* kStsToken = "STS2c2lnbmluZy1odHRwLXRlc3Q=";

class SignerStylesHttpTest : public VolcengineServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.credentials.add({kStsAk, kStsSk, kAccount, {"*"}, kStsToken});
  }
};

TEST_F(SignerStylesHttpTest, NodeAndGoStylesGetAndPostAreAccepted) {
  using volcengine::SignerStyle;
  int n = 0;
  for (SignerStyle style : {SignerStyle::Node, SignerStyle::Go}) {
    for (client::Placement placement :
         {client::Placement::Query, client::Placement::JsonBody, client::Placement::FormBody}) {
      client::CallOptions options;
      options.style = style;
      options.placement = placement;
      std::string ring = "ring-" + std::to_string(n++);
      auto created =
          call("CreateKeyring",
               {{"KeyringName", ring}, {"Description", "a b+c/d=e&f (100%) 密钥!'*"}}, options);
      ASSERT_TRUE(created.ok()) << created.parsed.message;
      EXPECT_EQ(created.result()["Keyring"].value("Description", ""), "a b+c/d=e&f (100%) 密钥!'*");
      // Which headers each style signed (spec §2.2).
      auto auth = volcengine::parse_authorization(created.request.header("Authorization"));
      const auto& signed_headers = std::get<volcengine::ParsedAuthorization>(auth).signed_headers;
      bool host_signed =
          std::find(signed_headers.begin(), signed_headers.end(), "host") != signed_headers.end();
      EXPECT_EQ(host_signed, style == SignerStyle::Go);
      auto described = call("QueryKeyring", {{"KeyringName", ring}}, options);
      EXPECT_TRUE(described.ok()) << described.parsed.message;
    }
  }
}

TEST_F(SignerStylesHttpTest, StsCredentialsInBothStyles) {
  auto sts = make_client(kStsAk, kStsSk, kStsToken);
  for (auto style : {volcengine::SignerStyle::Node, volcengine::SignerStyle::Go}) {
    for (auto placement : {client::Placement::Query, client::Placement::JsonBody}) {
      client::CallOptions options = at_server_time();
      options.style = style;
      options.placement = placement;
      auto r = sts->call("DescribeRegions", json::object(), options);
      EXPECT_TRUE(r.ok()) << r.parsed.message;
      EXPECT_NE(r.request.header("Authorization").find("x-security-token"), std::string::npos);
    }
  }
}

TEST_F(SignerStylesHttpTest, DocumentationStyleHostAndXDateSigned) {
  // The docs' examples sign host;x-date (GET) and host;x-content-sha256;x-date (POST).
  auto endpoint = *client::Endpoint::parse(server_->endpoint());
  for (bool post : {false, true}) {
    HttpRequest request;
    request.method = post ? "POST" : "GET";
    request.raw_query = build_query({{"Action", "DescribeRegions"}, {"Version", wire::kVersion}});
    request.headers["Host"] = endpoint.host_header();
    if (post) {
      request.body = "{}";
      request.headers["Content-Type"] = "application/json; charset=UTF-8";
    }
    volcengine::SignOptions sign;
    sign.region = kRegion;
    sign.x_date = volcengine::format_x_date(clock_->now());
    sign.signed_headers_override =
        post ? std::vector<std::string>{"host", "x-content-sha256", "x-date"}
             : std::vector<std::string>{"host", "x-date"};
    if (post) request.headers["X-Content-Sha256"] = sha256_hex(request.body);
    volcengine::sign_request(request, {kAccessKey, kSecretKey, ""}, sign);
    auto parsed = wire::envelope_of(client_->http().send(request));
    EXPECT_EQ(parsed.status, 200) << request.method << ": " << parsed.message;
  }
}

}  // namespace
}  // namespace kmsconf::testing
