// The signing vectors (tests/data/alibaba-sign-vectors.json) replayed through the server's HTTP
// path. Each vector's exact wire request (query as the SDK sent it, form body, headers,
// Authorization) goes out through HttpClient untouched, so nothing is re-signed on the way; the
// server's clock is pinned to the vector's moment and timestamp checks are off (the vectors are
// dated 2016-2024). An accepted request must get past every authentication check; its business
// answer is the one written down per vector below (the vectors name made-up keys, so most are
// 404s). Each server_verification_case applies its mutation to its base vector and must get the
// file's status and code. Then requests signed by our own client in all four layouts, with and
// without STS, against a server that checks timestamps.
#include <cctype>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/alibaba/signer.hpp"
#include "tests/reference_server/alibaba/error_support.hpp"
#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing {
namespace {

using alibaba::ErrorCode;
using nlohmann::json;

const json& vectors_file() {
  static const json file = [] {
    std::ifstream in(std::string(KMSCONF_TEST_DATA_DIR) + "/alibaba-sign-vectors.json");
    if (!in) throw std::runtime_error("cannot open alibaba-sign-vectors.json");
    return json::parse(in);
  }();
  return file;
}

const json& vector_by_id(const std::string& id) {
  for (const json& vector : vectors_file().at("vectors")) {
    if (vector.at("id") == id) return vector;
  }
  throw std::out_of_range("no vector " + id);
}

bool is_v1(const json& vector) {
  return vector.at("scheme").get<std::string>().starts_with("RPC-V1");
}

std::string text_or_empty(const json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

// What a request that authenticates must get from the service (§1.4 / §1.5).
struct Business {
  int status = 200;
  std::optional<ErrorCode> code;  // nullopt: success
  std::vector<std::string> args;
  bool xml = false;  // Format=XML: the error is an XML <Error> document
};

// Per vector: the business answer of its request against an empty account. The vectors name
// made-up keys (404), carry non-base64 Plaintexts (400), or belong to ECS (Version 2014-05-26,
// so InvalidVersion once the signature holds).
const std::map<std::string, Business>& business_outcomes() {
  static const std::map<std::string, Business> outcomes{
      {"published-v1-ecs-DescribeRegions", {400, ErrorCode::InvalidVersion, {}, true}},
      {"published-v3-ecs-RunInstances", {400, ErrorCode::InvalidVersion, {}, false}},
      {"published-v1-kms-CreateKey", {200, std::nullopt, {}, false}},
      {"v1-get-DescribeKey", {404, ErrorCode::ForbiddenKeyNotFound, {}, false}},
      {"v1-post-Encrypt-special-chars", {400, ErrorCode::InvalidParameter, {"Plaintext"}, false}},
      {"v1-post-Encrypt-tea-query-plus-body", {404, ErrorCode::ForbiddenKeyNotFound, {}, false}},
      {"v1-get-TagResources-repeat-list", {404, ErrorCode::ForbiddenKeyNotFound, {}, false}},
      {"v3-post-DescribeKey-query-style", {404, ErrorCode::ForbiddenKeyNotFound, {}, false}},
      {"v3-post-DescribeKey-extra-signed-x-acs-header",
       {404, ErrorCode::ForbiddenKeyNotFound, {}, false}},
      {"v3-get-ListKeys-query-style", {200, std::nullopt, {}, false}},
      {"v3-post-Encrypt-body-style", {400, ErrorCode::InvalidParameter, {"Plaintext"}, false}},
      {"v3-post-Decrypt-sts-token", {400, ErrorCode::InvalidParameter, {"CiphertextBlob"}, false}},
  };
  return outcomes;
}

// One replay: the wire request, the server it meets, and what the file expects of it.
struct Replay {
  std::string id;
  std::string base;  // the vector it comes from
  HttpRequest request;
  server::Credential credential;  // what the server knows
  std::string server_time;        // ISO-8601 UTC
  bool check_timestamps = false;
  bool require_nonce = true;
  bool legacy_timestamp_code = false;
  int sends = 1;  // the last response is judged
  bool accept = true;
  int http = 0;      // reject: expected status
  std::string code;  // reject: expected wire Code
  std::vector<std::string> args;
};

// ---------------------------------------------------------------------------------------------
// The vectors' wire requests.

HttpRequest v1_wire_request(const json& vector) {
  const json& inputs = vector.at("inputs");
  const json& outputs = vector.at("outputs");
  HttpRequest request;
  request.method = inputs.at("method");
  request.path = inputs.at("path");
  if (inputs.contains("host")) request.headers["Host"] = inputs.at("host");
  if (outputs.contains("wire")) {
    const json& wire = outputs.at("wire");
    if (wire.contains("query_string")) {
      request.raw_query = wire.at("query_string");
    } else {
      std::string url = wire.at("url");
      auto q = url.find('?');
      if (q != std::string::npos) request.raw_query = url.substr(q + 1);
    }
    request.body = text_or_empty(wire.value("body", json()));
    std::string content_type = text_or_empty(wire.value("content_type", json()));
    if (!content_type.empty()) request.headers["Content-Type"] = content_type;
  } else {
    // The published worked examples print only the signed parameters and the signature; any
    // encoding of the same pairs is the same request, so send the canonical one.
    request.raw_query = outputs.at("canonicalized_query_string").get<std::string>() +
                        "&Signature=" + uri_encode(outputs.at("signature").get<std::string>());
  }
  return request;
}

HttpRequest v3_wire_request(const json& vector) {
  const json& inputs = vector.at("inputs");
  const json& outputs = vector.at("outputs");
  HttpRequest request;
  request.method = inputs.at("method");
  request.path = inputs.at("path");
  const json& signed_headers = outputs.contains("signed_headers_values")
                                   ? outputs.at("signed_headers_values")
                                   : inputs.at("headers");
  for (const auto& [name, value] : signed_headers.items()) request.headers[name] = value;
  if (outputs.contains("unsigned_headers_sent")) {
    for (const auto& [name, value] : outputs.at("unsigned_headers_sent").items()) {
      request.headers[name] = value;
    }
  }
  request.headers["Authorization"] = outputs.at("authorization");
  if (outputs.contains("wire_query_string")) {
    request.raw_query = outputs.at("wire_query_string");
  } else {
    // The published example prints its canonical request; its third line is the query.
    std::string canonical = outputs.at("canonical_request");
    size_t first = canonical.find('\n');
    size_t second = canonical.find('\n', first + 1);
    size_t third = canonical.find('\n', second + 1);
    request.raw_query = canonical.substr(second + 1, third - second - 1);
  }
  request.body = inputs.at("body");
  return request;
}

server::Credential credential_of(const json& vector) {
  const json& inputs = vector.at("inputs");
  return {inputs.at("access_key_id"),
          inputs.at("access_key_secret"),
          kAliAccount,
          {"*"},
          text_or_empty(inputs.value("security_token", json()))};
}

std::string time_of(const json& vector) {
  const json& inputs = vector.at("inputs");
  if (inputs.contains("timestamp")) return inputs.at("timestamp");
  if (inputs.contains("x_acs_date")) return inputs.at("x_acs_date");
  return inputs.at("headers").at("x-acs-date");
}

Replay replay_of_vector(const json& vector) {
  Replay r;
  r.id = vector.at("id");
  r.base = r.id;
  r.request = is_v1(vector) ? v1_wire_request(vector) : v3_wire_request(vector);
  r.credential = credential_of(vector);
  r.server_time = time_of(vector);
  // The KMS doc's own example has no SignatureNonce: replayed with the legacy switch (§1.2).
  r.require_nonce =
      !vector.at("inputs").contains("nonce") || !vector.at("inputs").at("nonce").is_null();
  return r;
}

// ---------------------------------------------------------------------------------------------
// The server_verification_cases' mutations. Signatures and values they name are read from the
// case's own text.

std::string after_last(const std::string& text, const std::string& marker) {
  return text.substr(text.rfind(marker) + marker.size());
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("'" + from + "' not in '" + text + "'");
  text.replace(at, from.size(), to);
}

void set_query_param(HttpRequest& request, const std::string& name,
                     const std::optional<std::string>& value) {
  auto pairs = parse_query(request.raw_query).value();
  QueryPairs out;
  for (auto& [key, current] : pairs) {
    if (key != name) {
      out.emplace_back(key, current);
    } else if (value) {
      out.emplace_back(key, *value);
    }
  }
  request.raw_query = build_query(out);
}

// "re-signed correctly" (the action and version cases): the base vector's operation
// parameters, its timestamp and nonce, signed again by our V1 signer with the one change.
HttpRequest resigned_v1(const json& vector, const std::string& action, const std::string& version) {
  HttpRequest base = v1_wire_request(vector);
  QueryPairs operation;
  const QueryPairs all = parse_query(base.raw_query).value();
  for (const auto& [name, value] : all) {
    static const std::set<std::string> common{"AccessKeyId", "Action",          "Format",
                                              "Signature",   "SignatureMethod", "SignatureVersion",
                                              "Timestamp",   "Version",         "SignatureNonce"};
    if (!common.count(name)) operation.emplace_back(name, value);
  }
  HttpRequest request;
  request.method = base.method;
  request.path = base.path;
  request.headers = base.headers;
  request.raw_query = build_query(operation);
  alibaba::V1SignOptions sign;
  sign.action = action;
  sign.version = version;
  sign.format = "JSON";
  sign.timestamp = time_of(vector);
  sign.nonce = vector.at("inputs").at("nonce");
  const json& inputs = vector.at("inputs");
  alibaba::sign_v1(request, {inputs.at("access_key_id"), inputs.at("access_key_secret"), ""}, sign);
  return request;
}

Replay replay_of_case(const json& c) {
  const std::string id = c.at("id");
  const json& vector = vector_by_id(c.at("base_vector"));
  const std::string mutation = c.at("mutation");
  Replay r = replay_of_vector(vector);
  r.id = id;
  const json& expect = c.at("expect");
  r.accept = !expect.contains("code");
  r.http = expect.at("http");
  r.code = expect.value("code", "");
  if (id == "reject-v1-tampered-param") {
    std::string changed = mutation.substr(mutation.find("changed to ") + 11);
    changed = changed.substr(0, changed.find(' '));
    set_query_param(r.request, "KeyId", changed);
  } else if (id == "reject-v1-key-without-ampersand" || id == "reject-v1-method-mismatch") {
    set_query_param(r.request, "Signature", after_last(mutation, ": "));
  } else if (id == "reject-v1-expired-timestamp" || id == "reject-v3-expired-date") {
    std::string time = mutation.substr(mutation.find("set to ") + 7);
    r.server_time = time.substr(0, time.find_first_of(" )"));
    r.check_timestamps = true;
  } else if (id == "reject-v1-nonce-replay") {
    r.sends = 2;
  } else if (id == "reject-v1-unknown-ak") {
    r.credential.access_key_id = "someoneElsesAccessKeyId";
  } else if (id == "reject-v1-missing-signature") {
    set_query_param(r.request, "Signature", std::nullopt);
    r.args = {"Signature"};
  } else if (id == "reject-unknown-action") {
    r.request = resigned_v1(vector, "DescribeKeyX", std::string(alibaba::kApiVersion));
  } else if (id == "reject-bad-version") {
    r.request = resigned_v1(vector, "DescribeKey", "2016-01-21");
  } else if (id == "reject-v3-body-hash-mismatch") {
    r.request.body[0] = r.request.body[0] == 'K' ? 'L' : 'K';  // one byte
  } else if (id == "reject-v3-unsigned-acs-header") {
    r.request.headers["x-acs-extra"] = "1";
  } else if (id == "reject-v3-wrong-algorithm") {
    replace_once(r.request.headers["Authorization"], "ACS3-HMAC-SHA256", "ACS3-HMAC-SHA1");
  } else if (!id.starts_with("accept-")) {
    throw std::runtime_error("no mutation written for case " + id);
  }
  return r;
}

std::vector<Replay> all_replays() {
  std::vector<Replay> out;
  for (const json& vector : vectors_file().at("vectors")) out.push_back(replay_of_vector(vector));
  for (const json& c : vectors_file().at("server_verification_cases")) {
    out.push_back(replay_of_case(c));
    // The case's alternative for the KMS legacy code (§6: the legacy switch).
    if (c.at("expect").contains("alt_code_legacy_kms")) {
      Replay legacy = out.back();
      legacy.id += "-legacy";
      legacy.legacy_timestamp_code = true;
      legacy.code = c.at("expect").at("alt_code_legacy_kms");
      out.push_back(std::move(legacy));
    }
  }
  return out;
}

const std::vector<Replay>& replays() {
  static const std::vector<Replay> list = all_replays();
  return list;
}

// Every refusal that means "the request did not authenticate" (§2.5, and the IAM refusal).
bool is_auth_refusal(const std::optional<std::string>& wire_code) {
  if (!wire_code) return false;
  auto code = alibaba::error_code_from_wire(*wire_code);
  static const std::set<ErrorCode> refusals{ErrorCode::IncompleteSignature,
                                            ErrorCode::SignatureDoesNotMatch,
                                            ErrorCode::InvalidSignatureMethod,
                                            ErrorCode::InvalidTimeStampExpired,
                                            ErrorCode::InvalidTimeStampFormat,
                                            ErrorCode::IllegalTimestamp,
                                            ErrorCode::SignatureNonceUsed,
                                            ErrorCode::InvalidAccessKeyIdNotFound,
                                            ErrorCode::InvalidAccessKeyIdInactive,
                                            ErrorCode::ForbiddenAccessKey,
                                            ErrorCode::MissingSecurityToken,
                                            ErrorCode::InvalidSecurityTokenExpired,
                                            ErrorCode::InvalidSecurityTokenMalformed,
                                            ErrorCode::InvalidSecurityTokenMismatchWithAccessKey,
                                            ErrorCode::ForbiddenNoPermission,
                                            ErrorCode::UnsupportedHTTPMethod};
  return !code || refusals.count(*code) > 0;
}

class AlibabaSigningVectorReplayTest : public ::testing::TestWithParam<size_t> {
 protected:
  const Replay& replay() const { return replays()[GetParam()]; }

  void SetUp() override {
    const Replay& r = replay();
    auto clock = std::make_shared<engine::ManualClock>(parse_iso8601_utc(r.server_time).value());
    server::ReferenceServerOptions options;
    options.dialect = server::Dialect::Alibaba;
    options.clock = clock;
    options.check_timestamps = r.check_timestamps;
    options.require_nonce = r.require_nonce;
    options.legacy_timestamp_code = r.legacy_timestamp_code;
    options.credentials.add(r.credential);
    server_ = std::make_unique<server::ReferenceServer>(std::move(options));
    server_->start();
    endpoint_ = *client::Endpoint::parse(server_->endpoint());
  }

  void TearDown() override { server_->stop(); }

  std::unique_ptr<server::ReferenceServer> server_;
  client::Endpoint endpoint_;
};

TEST_P(AlibabaSigningVectorReplayTest, ServerAgreesWithTheVector) {
  const Replay& r = replay();
  client::HttpClient http(endpoint_);
  HttpResponse response;
  for (int i = 0; i < r.sends; ++i) {
    response = http.send(r.request);
    if (i + 1 < r.sends) {
      EXPECT_FALSE(is_auth_refusal(alibaba::parse_response(response)->error_code))
          << r.id << " send " << i << ": " << response.body;
    }
  }
  EXPECT_NE(response.status, 500) << response.body;
  if (!r.accept) {
    EXPECT_EQ(response.status, r.http) << r.id << ": " << response.body;
    auto code = alibaba::error_code_from_wire(r.code);
    ASSERT_TRUE(code.has_value()) << r.code;
    EXPECT_TRUE(ali::is_error(response, *code, r.args)) << r.id;
    return;
  }
  const Business& expected = business_outcomes().at(r.base);
  EXPECT_EQ(response.status, expected.status) << r.id << ": " << response.body;
  if (expected.xml) {
    // Format=XML (the ECS example): an <Error> document naming the code (§1.4, §1.5).
    const std::string wire = std::string(alibaba::error_info(*expected.code).wire_code);
    EXPECT_NE(response.body.find("<Code>" + wire + "</Code>"), std::string::npos) << response.body;
    EXPECT_NE(response.body.find("<RequestId>"), std::string::npos) << response.body;
    EXPECT_EQ(response.headers.count("x-acs-request-id"), 1u);
    return;
  }
  auto parsed = alibaba::parse_response(response);
  ASSERT_TRUE(parsed.has_value()) << response.body;
  EXPECT_FALSE(is_auth_refusal(parsed->error_code))
      << r.id << ": " << parsed->error_code.value_or("") << " " << parsed->message;
  if (expected.code) {
    EXPECT_TRUE(ali::is_error(response, *expected.code, expected.args)) << r.id;
  } else {
    EXPECT_FALSE(parsed->is_error()) << r.id << ": " << parsed->message;
  }
}

std::string replay_name(const ::testing::TestParamInfo<size_t>& info) {
  std::string id = replays()[info.param].id;
  for (char& c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return id;
}

INSTANTIATE_TEST_SUITE_P(AlibabaSignVectors, AlibabaSigningVectorReplayTest,
                         ::testing::Range<size_t>(0, replays().size()), replay_name);

TEST(AlibabaSigningVectorFileTest, EveryVectorAndCaseIsReplayed) {
  const json& file = vectors_file();
  EXPECT_EQ(file.at("vectors").size(), 12u);
  EXPECT_EQ(file.at("server_verification_cases").size(), 16u);
  std::set<std::string> replayed;
  for (const Replay& r : replays()) replayed.insert(r.id);
  for (const json& vector : file.at("vectors")) {
    EXPECT_TRUE(replayed.count(vector.at("id"))) << vector.at("id");
    EXPECT_TRUE(business_outcomes().count(vector.at("id"))) << vector.at("id");
  }
  for (const json& c : file.at("server_verification_cases")) {
    EXPECT_TRUE(replayed.count(c.at("id"))) << c.at("id");
  }
  // An STS vector is among them (§1.3 x-acs-security-token).
  bool sts = false;
  for (const Replay& r : replays()) sts = sts || !r.credential.session_token.empty();
  EXPECT_TRUE(sts);
}

// The KMS doc example without a nonce, on a server that requires one (the default, §6.1).
TEST(AlibabaSigningVectorNonceTest, TheNoncelessKmsExampleNeedsTheLegacySwitch) {
  const json& vector = vector_by_id("published-v1-kms-CreateKey");
  auto clock = std::make_shared<engine::ManualClock>(parse_iso8601_utc(time_of(vector)).value());
  server::ReferenceServerOptions options;
  options.dialect = server::Dialect::Alibaba;
  options.clock = clock;
  options.check_timestamps = false;
  options.credentials.add(credential_of(vector));
  server::ReferenceServer server(std::move(options));
  server.start();
  client::HttpClient http(*client::Endpoint::parse(server.endpoint()));
  EXPECT_TRUE(ali::is_error(http.send(v1_wire_request(vector)), ErrorCode::MissingParameter,
                            {"SignatureNonce"}));
  server.stop();
}

// ---------------------------------------------------------------------------------------------
// Our client's signatures in every layout, against a server that checks timestamps.

constexpr const char* kStsAk = "STS.signinghttpkey0001";
constexpr const char* kStsSk = "signing-http-sts-secret";
constexpr const char* kStsToken = "CAIS+signing/http=token";

class AlibabaClientSigningTest : public AlibabaServerTest {
 protected:
  void configure(server::ReferenceServerOptions& options) override {
    options.credentials.add({kStsAk, kStsSk, kAliAccount, {"*"}, kStsToken});
  }
};

TEST_F(AlibabaClientSigningTest, EveryLayoutGetAndPostWithAwkwardValues) {
  using client::AlibabaSigning;
  const std::string description = "a b+c/d=e&f (100%) 密钥 !'()*~ \n end";
  int n = 0;
  auto sts = make_client(kStsAk, kStsSk, kStsToken);
  for (auto* who : {client_.get(), sts.get()}) {
    for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea, AlibabaSigning::V3,
                         AlibabaSigning::V3FormBody}) {
      for (const char* method : {"GET", "POST"}) {
        client::AlibabaCallOptions options = at_server_time();
        options.signing = signing;
        options.method = method;
        std::string text = description + " " + std::to_string(n++);
        auto created = who->call("CreateKey", {{"Description", text}}, options);
        ASSERT_TRUE(created.ok()) << static_cast<int>(signing) << " " << method << ": "
                                  << created.parsed.error_code.value_or("") << " "
                                  << created.parsed.message;
        EXPECT_EQ(created.body()["KeyMetadata"].value("Description", ""), text);
        std::string id = created.body()["KeyMetadata"].value("KeyId", "");
        client::AlibabaCallOptions again = at_server_time();
        again.signing = signing;
        again.method = method;
        auto tagged = who->call("TagResources",
                                {{"RegionId", kAliRegion},
                                 {"ResourceType", "key"},
                                 {"ResourceId.1", id},
                                 {"Tag.1.Key", "env name"},
                                 {"Tag.1.Value", "prod/blue"},
                                 {"Tag.2.Key", "team"},
                                 {"Tag.2.Value", "a+b~c"}},
                                again);
        EXPECT_TRUE(tagged.ok()) << tagged.parsed.message;
      }
    }
  }
}

TEST_F(AlibabaClientSigningTest, AnyWireEncodingOfTheSameValuesVerifies) {
  // §2.2: the server decodes and re-encodes; it never signs the wire text. So a request whose
  // query or form body spells the same values differently (what Node's querystring does to
  // !'()*, '+' for a space in a form, lower-case hex) verifies alike. V3 signs the body's bytes
  // (x-acs-content-sha256), so only its query may be re-spelled.
  using client::AlibabaSigning;
  auto respell = [](std::string& text) {
    for (const auto& [from, to] :
         std::vector<std::pair<std::string, std::string>>{{"%20", "+"},
                                                          {"%21", "!"},
                                                          {"%27", "'"},
                                                          {"%28", "("},
                                                          {"%29", ")"},
                                                          {"%2A", "*"},
                                                          {"%2F", "%2f"},
                                                          {"%3A", "%3a"}}) {
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
        text.replace(at, from.size(), to);
        at += to.size();
      }
    }
  };
  const std::string description = "it's (a) test * with spaces / colons: ok!";
  for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V1Tea, AlibabaSigning::V3}) {
    for (const char* method : {"GET", "POST"}) {
      client::AlibabaCallOptions options = at_server_time();
      options.signing = signing;
      options.method = method;
      options.after_signing = [&](HttpRequest& r) {
        std::string before = r.raw_query + r.body;
        respell(r.raw_query);
        if (signing != AlibabaSigning::V3) respell(r.body);
        ASSERT_NE(before, r.raw_query + r.body) << "nothing re-spelled";
      };
      auto created = call("CreateKey", {{"Description", description}}, options);
      ASSERT_TRUE(created.ok()) << static_cast<int>(signing) << " " << method << ": "
                                << created.parsed.error_code.value_or("") << " "
                                << created.parsed.message;
      EXPECT_EQ(created.body()["KeyMetadata"].value("Description", ""), description);
    }
  }
}

}  // namespace
}  // namespace kmsconf::testing
