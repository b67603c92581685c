#include "protocol/volcengine/signer.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"

namespace kmsconf::volcengine {
namespace {

using nlohmann::json;
using namespace std::chrono;

// ---------------------------------------------------------------------------------------------
// The vectors file (tests/data/volcengine-sign-vectors.json)

const json& vectors_file() {
  static const json file = [] {
    std::ifstream in(std::string(KMSCONF_TEST_DATA_DIR) + "/volcengine-sign-vectors.json");
    if (!in) throw std::runtime_error("cannot open volcengine-sign-vectors.json");
    return json::parse(in);
  }();
  return file;
}

bool is_go_vector(const json& vector) {
  return vector.at("generator") == "go-sdk";
}

// The query as the SDK put it on the wire when the file records it, else canonical encoding.
std::string wire_query_of(const json& vector) {
  const json& outputs = vector.at("outputs");
  if (outputs.contains("raw_query_as_sent")) return outputs.at("raw_query_as_sent");
  if (outputs.contains("request_url_as_sent")) {
    const std::string url = outputs.at("request_url_as_sent");
    return url.substr(url.find('?') + 1);
  }
  QueryPairs pairs;
  for (const auto& [name, value] : vector.at("inputs").at("query").items()) {
    pairs.emplace_back(name, value.get<std::string>());
  }
  return build_query(pairs);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t end; (end = text.find(separator, start)) != std::string::npos; start = end + 1) {
    parts.push_back(text.substr(start, end - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Line n (0-based) of a canonical request.
std::string line_of(const std::string& text, size_t n) {
  return split(text, '\n').at(n);
}

Headers headers_from(const json& object) {
  Headers headers;
  for (const auto& [name, value] : object.items()) headers[name] = value.get<std::string>();
  return headers;
}

HttpRequest unsigned_request_of(const json& vector) {
  const json& inputs = vector.at("inputs");
  HttpRequest request;
  request.method = inputs.at("method");
  request.path = inputs.at("path");
  request.raw_query = wire_query_of(vector);
  request.headers = headers_from(inputs.at("headers_given"));
  request.body = inputs.at("body");
  return request;
}

Credentials credentials_of(const json& vector) {
  const json& inputs = vector.at("inputs");
  const json& token = inputs.at("session_token");
  return Credentials{inputs.at("ak"), inputs.at("sk"),
                     token.is_null() ? "" : token.get<std::string>()};
}

SignOptions options_of(const json& vector) {
  const json& inputs = vector.at("inputs");
  SignOptions options;
  options.region = inputs.at("region");
  options.service = inputs.at("service");
  options.x_date = inputs.at("datetime");
  options.style = is_go_vector(vector) ? SignerStyle::Go : SignerStyle::Node;
  if (is_go_vector(vector)) options.host = inputs.at("host");  // Go's signer sets Host itself
  return options;
}

// Headers that are new or changed after signing.
Headers headers_added(const Headers& before, const Headers& after) {
  Headers added;
  for (const auto& [name, value] : after) {
    auto it = before.find(name);
    if (it == before.end() || it->second != value) added[name] = value;
  }
  return added;
}

void expect_same_headers(const Headers& actual, const Headers& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  for (const auto& [name, value] : expected) {
    auto it = actual.find(name);
    if (it == actual.end()) {
      ADD_FAILURE() << "missing header " << name;
    } else {
      EXPECT_EQ(it->second, value) << name;
    }
  }
}

SecretLookup secret_for(std::string access_key_id, std::string secret) {
  return [access_key_id, secret](std::string_view id) -> std::optional<std::string> {
    if (id == access_key_id) return secret;
    return std::nullopt;
  };
}

VerifyOptions replay_options() {
  VerifyOptions options;
  options.check_timestamp = false;  // the vectors are pinned to 2024-12-19
  options.region_known = [](std::string_view region) {
    return region == "cn-beijing" || region == "cn-shanghai";
  };
  return options;
}

const AuthFailure* failure_of(const std::variant<VerifiedCaller, AuthFailure>& result) {
  return std::get_if<AuthFailure>(&result);
}

std::string describe(const std::variant<VerifiedCaller, AuthFailure>& result) {
  if (auto* failure = failure_of(result)) {
    return std::string(error_info(failure->code).name) + ": " + failure->message();
  }
  return "accepted";
}

TEST(VolcengineSignVectors, FileHoldsAllVectorsAndCases) {
  const json& file = vectors_file();
  size_t node = 0, go = 0;
  for (const json& vector : file.at("vectors")) (is_go_vector(vector) ? go : node)++;
  EXPECT_EQ(node, 7u);
  EXPECT_EQ(go, 3u);
  EXPECT_EQ(file.at("server_verification_cases").size(), 8u);
}

TEST(VolcengineSignVectors, SigningKeyMatches) {
  const json& vector = vectors_file().at("vectors").at(0);
  const json& inputs = vector.at("inputs");
  const std::string key =
      derive_signing_key(inputs.at("sk").get<std::string>(), "20241219", "cn-beijing", "kms");
  EXPECT_EQ(hex_encode(key), vectors_file().at("signing_key_hex").at("value"));
}

TEST(VolcengineSignVectors, SignerReproducesEveryVector) {
  for (const json& vector : vectors_file().at("vectors")) {
    SCOPED_TRACE(vector.at("id").get<std::string>());
    const json& expected = vector.at("outputs");
    HttpRequest request = unsigned_request_of(vector);
    const Headers before = request.headers;

    const SignatureParts parts = sign_request(request, credentials_of(vector), options_of(vector));

    EXPECT_EQ(parts.canonical_request, expected.at("canonical_request"));
    EXPECT_EQ(parts.string_to_sign, expected.at("string_to_sign"));
    EXPECT_EQ(parts.signature, expected.at("signature"));
    EXPECT_EQ(parts.authorization, expected.at("authorization"));
    EXPECT_EQ(parts.signed_headers, expected.at("signed_headers"));
    EXPECT_EQ(request.header("Authorization"), expected.at("authorization"));
    expect_same_headers(headers_added(before, request.headers),
                        headers_from(expected.at("headers_added_by_signer")));
  }
}

// compute_signature given the vector's header list reproduces it without the style's choice.
TEST(VolcengineSignVectors, ComputeSignatureReproducesEveryVector) {
  for (const json& vector : vectors_file().at("vectors")) {
    SCOPED_TRACE(vector.at("id").get<std::string>());
    HttpRequest request = unsigned_request_of(vector);
    sign_request(request, credentials_of(vector), options_of(vector));  // adds the headers
    request.headers.erase("Authorization");
    const json& inputs = vector.at("inputs");
    const json& expected = vector.at("outputs");
    const std::vector<std::string> signed_headers = split(expected.at("signed_headers"), ';');
    const std::string ak = inputs.at("ak"), sk = inputs.at("sk"), region = inputs.at("region"),
                      x_date = inputs.at("datetime");
    const SigningInput input{
        ak, sk, region, "kms", x_date, is_go_vector(vector) ? SignerStyle::Go : SignerStyle::Node};
    const auto parts = compute_signature(request, input, signed_headers);
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->canonical_request, expected.at("canonical_request"));
    EXPECT_EQ(parts->signature, expected.at("signature"));
    EXPECT_EQ(parts->authorization, expected.at("authorization"));
  }
}

TEST(VolcengineSignVectors, VerifierAcceptsEverySignedVector) {
  for (const json& vector : vectors_file().at("vectors")) {
    SCOPED_TRACE(vector.at("id").get<std::string>());
    HttpRequest request = unsigned_request_of(vector);
    const Credentials credentials = credentials_of(vector);
    sign_request(request, credentials, options_of(vector));
    const auto result = verify_request(
        request, secret_for(credentials.access_key_id, credentials.secret_access_key),
        replay_options());
    const auto* caller = std::get_if<VerifiedCaller>(&result);
    ASSERT_TRUE(caller) << describe(result);
    EXPECT_EQ(caller->access_key_id, credentials.access_key_id);
    EXPECT_EQ(caller->region, "cn-beijing");
    EXPECT_EQ(caller->session_token.value_or(""), credentials.session_token);
  }
}

TEST(VolcengineSignVectors, ServerVerificationCases) {
  for (const json& c : vectors_file().at("server_verification_cases")) {
    SCOPED_TRACE(c.at("id").get<std::string>());
    const json& wire = c.at("request");
    HttpRequest request;
    request.method = wire.at("method");
    request.path = wire.at("path");
    request.raw_query = wire.at("raw_query");
    request.headers = headers_from(wire.at("headers"));
    request.body = wire.at("body");
    const auto auth =
        std::get<ParsedAuthorization>(parse_authorization(request.header("Authorization")));

    const auto result = verify_request(
        request, secret_for(auth.access_key_id, c.at("server_secret_for_ak")), replay_options());

    const json& expected = c.at("expected");
    if (expected == "accept") {
      EXPECT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
      continue;
    }
    ASSERT_EQ(expected.at("outcome"), "reject");
    const AuthFailure* failure = failure_of(result);
    ASSERT_TRUE(failure) << "accepted a tampered request";
    const ErrorInfo& info = error_info(failure->code);
    EXPECT_EQ(info.wire_code, expected.at("code"));
    EXPECT_EQ(info.http_status, expected.at("http_status"));
    EXPECT_EQ(info.code_n, expected.at("codeN").get<int>());
  }
}

// ---------------------------------------------------------------------------------------------
// Signer behaviour beyond the vectors

constexpr char kAk[] = "AKLTdGVzdC1hay1mb3ItdW5pdC10ZXN0cw";
constexpr char kSk[] = "dW5pdC10ZXN0LXNlY3JldC1ub3QtcmVhbA==";
constexpr char kXDate[] = "20241219T130940Z";
constexpr char kHost[] = "kms.cn-beijing.volcengineapi.com";

HttpRequest post_encrypt() {
  HttpRequest request;
  request.method = "POST";
  request.raw_query = "Action=Encrypt&Version=2021-02-18";
  request.headers["Content-Type"] = "application/json; charset=utf-8";
  request.body = R"({"KeyID":"k","Plaintext":"aGk="})";
  return request;
}

HttpRequest get_describe() {
  HttpRequest request;
  request.method = "GET";
  request.raw_query = "Action=DescribeKey&Version=2021-02-18&KeyID=k";
  return request;
}

SignOptions fixed_options(SignerStyle style = SignerStyle::Node) {
  SignOptions options;
  options.region = "cn-beijing";
  options.x_date = kXDate;
  options.style = style;
  if (style == SignerStyle::Go) options.host = kHost;
  return options;
}

HttpRequest signed_copy(HttpRequest request, const SignOptions& options,
                        const Credentials& credentials = {kAk, kSk, ""}) {
  sign_request(request, credentials, options);
  return request;
}

std::vector<std::string> signed_list_of(const HttpRequest& request) {
  return std::get<ParsedAuthorization>(parse_authorization(request.header("Authorization")))
      .signed_headers;
}

TEST(VolcengineSigner, NodeSignsPresentHeadersExceptTheExcludedOnes) {
  HttpRequest request = post_encrypt();
  request.headers["User-Agent"] = "ua";
  request.headers["Content-Length"] = "30";
  request.headers["Expect"] = "100-continue";
  request.headers["Presigned-Expires"] = "1";
  request.headers["Accept"] = "application/json";
  request.headers["X-Custom"] = "v";
  request = signed_copy(request, fixed_options());
  EXPECT_EQ(signed_list_of(request),
            (std::vector<std::string>{"accept", "x-content-sha256", "x-custom", "x-date"}));
  EXPECT_FALSE(request.has_header("Host"));  // Node leaves Host to the transport
}

TEST(VolcengineSigner, NodeSignsHostOnlyWhenPresent) {
  HttpRequest request = get_describe();
  EXPECT_EQ(signed_list_of(signed_copy(request, fixed_options())),
            std::vector<std::string>{"x-date"});
  request.headers["Host"] = kHost;
  EXPECT_EQ(signed_list_of(signed_copy(request, fixed_options())),
            (std::vector<std::string>{"host", "x-date"}));
}

TEST(VolcengineSigner, NodeAddsBodyHashOnlyWithABody) {
  EXPECT_FALSE(signed_copy(get_describe(), fixed_options()).has_header("X-Content-Sha256"));
  const HttpRequest post = signed_copy(post_encrypt(), fixed_options());
  EXPECT_EQ(post.header("X-Content-Sha256"), sha256_hex(post.body));
}

TEST(VolcengineSigner, GoSignsItsFixedSetAndEveryXHeader) {
  HttpRequest request = post_encrypt();
  request.headers["User-Agent"] = "ua";
  request.headers["Accept"] = "application/json";
  request.headers["Content-MD5"] = "md5";
  request.headers["X-Custom"] = "v";
  request = signed_copy(request, fixed_options(SignerStyle::Go), {kAk, kSk, "token"});
  EXPECT_EQ(signed_list_of(request),
            (std::vector<std::string>{"content-md5", "content-type", "host", "x-content-sha256",
                                      "x-custom", "x-date", "x-security-token"}));
  EXPECT_EQ(request.header("Content-Type"), "application/json; charset=utf-8");  // kept
}

TEST(VolcengineSigner, GoDefaultsContentTypeAndAlwaysHashesTheBody) {
  const HttpRequest request = signed_copy(get_describe(), fixed_options(SignerStyle::Go));
  EXPECT_EQ(request.header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(request.header("X-Content-Sha256"), sha256_hex(""));
  EXPECT_EQ(request.header("Host"), kHost);
}

TEST(VolcengineSigner, GoSignsHostWithoutDefaultPortButSendsItAsGiven) {
  SignOptions options = fixed_options(SignerStyle::Go);
  options.host = std::string(kHost) + ":443";
  HttpRequest with_port = get_describe();
  const SignatureParts parts = sign_request(with_port, {kAk, kSk, ""}, options);
  EXPECT_EQ(with_port.header("Host"), std::string(kHost) + ":443");
  EXPECT_NE(parts.canonical_request.find(std::string("\nhost:") + kHost + "\n"), std::string::npos);
  HttpRequest without_port = get_describe();
  EXPECT_EQ(parts.signature,
            sign_request(without_port, {kAk, kSk, ""}, fixed_options(SignerStyle::Go)).signature);

  options.host = std::string(kHost) + ":8443";  // not a default port: signed as sent
  HttpRequest other_port = get_describe();
  EXPECT_NE(sign_request(other_port, {kAk, kSk, ""}, options).canonical_request.find(":8443"),
            std::string::npos);
}

TEST(VolcengineSigner, HeaderValuesAreCanonicalisedPerStyle) {
  HttpRequest request = get_describe();
  request.headers["X-Spaced"] = "  a   b\t c  ";
  HttpRequest node = request;
  const auto node_parts = sign_request(node, {kAk, kSk, ""}, fixed_options());
  EXPECT_NE(node_parts.canonical_request.find("\nx-spaced:a b c\n"), std::string::npos);
  HttpRequest go = request;
  const auto go_parts = sign_request(go, {kAk, kSk, ""}, fixed_options(SignerStyle::Go));
  EXPECT_NE(go_parts.canonical_request.find("\nx-spaced:a   b\t c\n"), std::string::npos);
}

TEST(VolcengineSigner, DuplicateQueryNamesSortPerStyle) {
  HttpRequest request = get_describe();
  request.raw_query = "Version=2021-02-18&Tag=b&Action=X&Tag=a";
  const std::vector<std::string> none;
  EXPECT_EQ(line_of(*canonical_request(request, none, SignerStyle::Node), 2),
            "Action=X&Tag=a&Tag=b&Version=2021-02-18");
  EXPECT_EQ(line_of(*canonical_request(request, none, SignerStyle::Go), 2),
            "Action=X&Tag=b&Tag=a&Version=2021-02-18");
}

TEST(VolcengineSigner, CanonicalQuerySortsByEncodedBytesAndKeepsEmptyValues) {
  HttpRequest request = get_describe();
  request.raw_query = "b=&a&KeyringName=x&KeyUsage=y";
  const std::vector<std::string> none;
  EXPECT_EQ(line_of(*canonical_request(request, none, SignerStyle::Node), 2),
            "KeyUsage=y&KeyringName=x&a=&b=");  // upper case sorts first
}

TEST(VolcengineSigner, CanonicalUriReencodesEachSegment) {
  HttpRequest request = get_describe();
  request.raw_query.clear();
  const std::vector<std::string> none;
  request.path = "";
  EXPECT_EQ(line_of(*canonical_request(request, none, SignerStyle::Node), 1), "/");
  request.path = "/a%7eb/c+d/%e5";
  EXPECT_EQ(line_of(*canonical_request(request, none, SignerStyle::Node), 1), "/a~b/c%2Bd/%E5");
}

TEST(VolcengineSigner, MalformedEscapesCannotBeSigned) {
  HttpRequest request = get_describe();
  request.raw_query = "Action=X&Bad=%zz";
  EXPECT_FALSE(canonical_request(request, {}, SignerStyle::Node));
  EXPECT_THROW(sign_request(request, {kAk, kSk, ""}, fixed_options()), std::invalid_argument);
  request.raw_query = "Action=X";
  request.path = "/%4";
  EXPECT_THROW(sign_request(request, {kAk, kSk, ""}, fixed_options()), std::invalid_argument);
}

TEST(VolcengineSigner, OverrideSignsExactlyTheGivenHeadersLowercased) {
  HttpRequest request = post_encrypt();
  SignOptions options = fixed_options();
  options.signed_headers_override = std::vector<std::string>{"X-Date", "Content-Type"};
  const SignatureParts parts = sign_request(request, {kAk, kSk, ""}, options);
  EXPECT_EQ(parts.signed_headers, "x-date;content-type");  // order kept, as the verifier must
  EXPECT_NE(parts.canonical_request.find("\nx-date:20241219T130940Z\ncontent-type:application"),
            std::string::npos);
}

TEST(VolcengineSigner, SessionTokenIsSentAndSigned) {
  const HttpRequest request = signed_copy(get_describe(), fixed_options(), {kAk, kSk, "tok"});
  EXPECT_EQ(request.header("X-Security-Token"), "tok");
  EXPECT_EQ(signed_list_of(request), (std::vector<std::string>{"x-date", "x-security-token"}));
}

TEST(VolcengineSigner, EmptyXDateMeansNow) {
  SignOptions options = fixed_options();
  options.x_date.clear();
  const auto before = floor<seconds>(system_clock::now());
  const HttpRequest request = signed_copy(get_describe(), options);
  const auto after = system_clock::now();
  const auto stamped = parse_x_date(request.header("X-Date"));
  ASSERT_TRUE(stamped);
  EXPECT_GE(*stamped, before);
  EXPECT_LE(*stamped, after);
}

TEST(VolcengineSigner, ResigningReplacesTheOldAuthorization) {
  HttpRequest request = signed_copy(post_encrypt(), fixed_options());
  const std::string first = std::string(request.header("Authorization"));
  SignOptions later = fixed_options();
  later.x_date = "20241220T000000Z";
  sign_request(request, {kAk, kSk, ""}, later);
  EXPECT_NE(request.header("Authorization"), first);
  EXPECT_EQ(request.header("X-Date"), "20241220T000000Z");
  EXPECT_EQ(signed_list_of(request), (std::vector<std::string>{"x-content-sha256", "x-date"}));
}

TEST(VolcengineXDate, FormatsAndParsesUtc) {
  const sys_seconds t = sys_days{year{2024} / 12 / 19} + hours{13} + minutes{9} + seconds{40};
  EXPECT_EQ(format_x_date(t), "20241219T130940Z");
  EXPECT_EQ(format_x_date(t + milliseconds{999}), "20241219T130940Z");  // truncates
  EXPECT_EQ(parse_x_date("20241219T130940Z"), t);
  EXPECT_EQ(format_x_date(sys_seconds{}), "19700101T000000Z");
  EXPECT_EQ(parse_x_date("20240229T235959Z"),
            sys_days{year{2024} / 2 / 29} + hours{23} + minutes{59} + seconds{59});
}

TEST(VolcengineXDate, RejectsMalformedStamps) {
  for (const char* text :
       {"", "20241219T130940", "20241219T130940Z ", "20241219t130940Z", "20241219 130940Z",
        "2024-12-19T13:09:40Z", "20241319T000000Z", "20241200T000000Z", "20230229T000000Z",
        "20241219T240000Z", "20241219T126000Z", "20241219T130960Z", "2024121aT130940Z"}) {
    EXPECT_FALSE(parse_x_date(text)) << text;
  }
}

// ---------------------------------------------------------------------------------------------
// Authorization parsing

constexpr char kGoodAuthorization[] =
    "HMAC-SHA256 Credential=AK/20241219/cn-beijing/kms/request, SignedHeaders=host;x-date, "
    "Signature=abc";

TEST(VolcengineAuthorization, ParsesAllParts) {
  const auto result = parse_authorization(kGoodAuthorization);
  const auto* parsed = std::get_if<ParsedAuthorization>(&result);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->access_key_id, "AK");
  EXPECT_EQ(parsed->date, "20241219");
  EXPECT_EQ(parsed->region, "cn-beijing");
  EXPECT_EQ(parsed->service, "kms");
  EXPECT_EQ(parsed->signed_headers, (std::vector<std::string>{"host", "x-date"}));
  EXPECT_EQ(parsed->signature, "abc");
}

TEST(VolcengineAuthorization, ToleratesSpacingAndFieldOrder) {
  const auto result = parse_authorization(
      "  HMAC-SHA256 Signature=abc,SignedHeaders=x-date ,  Credential=AK/20241219/r/kms/request ");
  const auto* parsed = std::get_if<ParsedAuthorization>(&result);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->signature, "abc");
  EXPECT_EQ(parsed->region, "r");
  EXPECT_EQ(parsed->signed_headers, std::vector<std::string>{"x-date"});
}

TEST(VolcengineAuthorization, MapsEachDefectToItsCode) {
  const std::string cred = "Credential=AK/20241219/cn-beijing/kms/request";
  const std::vector<std::pair<std::string, ErrorCode>> cases{
      {"", ErrorCode::MissingAuthenticationToken},
      {"   ", ErrorCode::MissingAuthenticationToken},
      {"Bearer abc", ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256", ErrorCode::InvalidAuthorization},
      {"HMAC-SHA1 " + cred + ", SignedHeaders=x-date, Signature=a",
       ErrorCode::InvalidAuthorization},
      {"hmac-sha256 " + cred + ", SignedHeaders=x-date, Signature=a",
       ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 " + cred + ", Signature=a", ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 " + cred + ", SignedHeaders=, Signature=a", ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-date, Signature=a",
       ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 " + cred + ", SignedHeaders=x-date, Signature=a, Extra=1",
       ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 " + cred + ", SignedHeaders=x-date, Signature=a, Signature=b",
       ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 " + cred + ", SignedHeaders=x-date, Signature=a,",
       ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 " + cred + " SignedHeaders=x-date", ErrorCode::InvalidAuthorization},
      {"HMAC-SHA256 SignedHeaders=x-date, Signature=a", ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=, SignedHeaders=x-date, Signature=a", ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=AK/20241219/cn-beijing/kms, SignedHeaders=x-date, Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=AK/20241219/cn-beijing/kms/request/x, SignedHeaders=x-date, "
       "Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=AK/2024121/cn-beijing/kms/request, SignedHeaders=x-date, "
       "Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=AK/2024121x/cn-beijing/kms/request, SignedHeaders=x-date, "
       "Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=/20241219/cn-beijing/kms/request, SignedHeaders=x-date, "
       "Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=AK/20241219//kms/request, SignedHeaders=x-date, Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=AK/20241219/cn-beijing//request, SignedHeaders=x-date, Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 Credential=AK/20241219/cn-beijing/kms/requests, SignedHeaders=x-date, "
       "Signature=a",
       ErrorCode::InvalidCredential},
      {"HMAC-SHA256 " + cred + ", SignedHeaders=x-date", ErrorCode::MissingSignature},
      {"HMAC-SHA256 " + cred + ", SignedHeaders=x-date, Signature=", ErrorCode::MissingSignature},
  };
  for (const auto& [value, expected] : cases) {
    const auto result = parse_authorization(value);
    const auto* failure = std::get_if<AuthFailure>(&result);
    ASSERT_TRUE(failure) << "parsed: " << value;
    EXPECT_EQ(failure->code, expected) << value << " -> " << error_info(failure->code).name;
    EXPECT_TRUE(failure->message_args.empty()) << value;
  }
}

// ---------------------------------------------------------------------------------------------
// Verification

class VolcengineVerify : public ::testing::Test {
 protected:
  static Credentials credentials() { return {kAk, kSk, ""}; }

  std::variant<VerifiedCaller, AuthFailure> verify(
      const HttpRequest& request, const VerifyOptions& options = replay_options()) {
    return verify_request(request, secret_for(kAk, kSk), options);
  }

  void expect_accepted(const HttpRequest& request,
                       const VerifyOptions& options = replay_options()) {
    const auto result = verify(request, options);
    EXPECT_TRUE(std::holds_alternative<VerifiedCaller>(result)) << describe(result);
  }

  void expect_rejected(const HttpRequest& request, ErrorCode code,
                       std::vector<std::string> args = {},
                       const VerifyOptions& options = replay_options()) {
    const auto result = verify(request, options);
    const AuthFailure* failure = failure_of(result);
    ASSERT_TRUE(failure) << "accepted";
    EXPECT_EQ(failure->code, code) << describe(result);
    EXPECT_EQ(failure->message_args, args);
    seen_messages_.push_back(failure->message());
  }

  void TearDown() override {
    // Whatever was rejected, the answer must not leak the secret or the signature.
    for (const std::string& message : seen_messages_) {
      EXPECT_EQ(message.find(kSk), std::string::npos) << message;
      EXPECT_EQ(message.find("Signature="), std::string::npos) << message;
      for (const std::string& signature : signatures_) {
        EXPECT_EQ(message.find(signature), std::string::npos) << message;
      }
    }
  }

  HttpRequest signed_request(HttpRequest request, const SignOptions& options = fixed_options(),
                             const Credentials& creds = credentials()) {
    signatures_.push_back(sign_request(request, creds, options).signature);
    return request;
  }

  std::vector<std::string> seen_messages_;
  std::vector<std::string> signatures_;
};

TEST_F(VolcengineVerify, AcceptsFreshRequestsOfBothStyles) {
  for (SignerStyle style : {SignerStyle::Node, SignerStyle::Go}) {
    expect_accepted(signed_request(post_encrypt(), fixed_options(style)));
    expect_accepted(signed_request(get_describe(), fixed_options(style)));
  }
}

TEST_F(VolcengineVerify, ReturnsTheCallerAndItsSessionToken) {
  const auto with_token =
      verify(signed_request(get_describe(), fixed_options(), {kAk, kSk, "sts-token"}));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(with_token)) << describe(with_token);
  EXPECT_EQ(std::get<VerifiedCaller>(with_token).access_key_id, kAk);
  EXPECT_EQ(std::get<VerifiedCaller>(with_token).session_token, "sts-token");

  const auto without = verify(signed_request(get_describe()));
  ASSERT_TRUE(std::holds_alternative<VerifiedCaller>(without));
  EXPECT_FALSE(std::get<VerifiedCaller>(without).session_token);
}

TEST_F(VolcengineVerify, MissingAuthorization) {
  HttpRequest request = signed_request(post_encrypt());
  request.headers.erase("Authorization");
  expect_rejected(request, ErrorCode::MissingAuthenticationToken);
  request.headers["Authorization"] = "";
  expect_rejected(request, ErrorCode::MissingAuthenticationToken);
}

TEST_F(VolcengineVerify, GarbageAuthorization) {
  HttpRequest request = signed_request(post_encrypt());
  request.headers["Authorization"] = "Basic dXNlcjpwYXNz";
  expect_rejected(request, ErrorCode::InvalidAuthorization);
}

TEST_F(VolcengineVerify, BadCredentialScope) {
  HttpRequest request = signed_request(post_encrypt());
  std::string authorization(request.header("Authorization"));
  authorization.replace(authorization.find("/request,"), 9, "/req,");
  request.headers["Authorization"] = authorization;
  expect_rejected(request, ErrorCode::InvalidCredential);
}

TEST_F(VolcengineVerify, MissingSignature) {
  HttpRequest request = signed_request(post_encrypt());
  std::string authorization(request.header("Authorization"));
  authorization.erase(authorization.find(", Signature="));
  request.headers["Authorization"] = authorization;
  expect_rejected(request, ErrorCode::MissingSignature);
}

TEST_F(VolcengineVerify, WrongService) {
  SignOptions options = fixed_options();
  options.service = "iam";
  expect_rejected(signed_request(post_encrypt(), options), ErrorCode::MissingRequestInfo,
                  {"service"});
}

TEST_F(VolcengineVerify, UnknownRegionOnlyWhenRegionsAreRestricted) {
  SignOptions options = fixed_options();
  options.region = "mars-1";
  const HttpRequest request = signed_request(post_encrypt(), options);
  expect_rejected(request, ErrorCode::MissingRequestInfo, {"region"});
  VerifyOptions any_region = replay_options();
  any_region.region_known = nullptr;
  expect_accepted(request, any_region);
}

TEST_F(VolcengineVerify, MissingXDate) {
  HttpRequest request = signed_request(post_encrypt());
  request.headers.erase("X-Date");
  expect_rejected(request, ErrorCode::MissingRequestInfo, {"X-Date"});
}

TEST_F(VolcengineVerify, ScopeDateMustBeXDateDayBeforeAnyKeyLookup) {
  HttpRequest request = signed_request(post_encrypt());
  request.headers["X-Date"] = "20241220T130940Z";
  bool looked_up = false;
  const auto result = verify_request(
      request,
      [&](std::string_view) -> std::optional<std::string> {
        looked_up = true;
        return kSk;
      },
      replay_options());
  ASSERT_TRUE(failure_of(result));
  EXPECT_EQ(failure_of(result)->code, ErrorCode::SignatureDoesNotMatch);
  EXPECT_FALSE(looked_up);
}

TEST_F(VolcengineVerify, XDateOutsideSkew) {
  const sys_seconds now = floor<seconds>(system_clock::now());
  VerifyOptions checked;
  checked.now = now;
  for (seconds offset : {-seconds{901}, seconds{901}, -seconds{hours{24}}}) {
    SignOptions options = fixed_options();
    options.x_date = format_x_date(now + offset);
    expect_rejected(signed_request(post_encrypt(), options), ErrorCode::InvalidTimestamp, {},
                    checked);
  }
}

TEST_F(VolcengineVerify, XDateInsideSkewOrUnchecked) {
  const sys_seconds now = floor<seconds>(system_clock::now());
  VerifyOptions checked;
  checked.now = now;
  for (seconds offset : {seconds{0}, -seconds{900}, seconds{900}}) {
    SignOptions options = fixed_options();
    options.x_date = format_x_date(now + offset);
    expect_accepted(signed_request(post_encrypt(), options), checked);
  }
  SignOptions old = fixed_options();  // 2024: far outside any window
  const HttpRequest request = signed_request(post_encrypt(), old);
  expect_rejected(request, ErrorCode::InvalidTimestamp, {}, checked);
  checked.check_timestamp = false;
  expect_accepted(request, checked);
}

TEST_F(VolcengineVerify, SkewIsConfigurable) {
  const sys_seconds now = floor<seconds>(system_clock::now());
  VerifyOptions narrow;
  narrow.now = now;
  narrow.max_skew = seconds{60};
  SignOptions options = fixed_options();
  options.x_date = format_x_date(now - seconds{61});
  expect_rejected(signed_request(post_encrypt(), options), ErrorCode::InvalidTimestamp, {}, narrow);
}

TEST_F(VolcengineVerify, MalformedXDateEvenWhenUnchecked) {
  SignOptions options = fixed_options();
  options.x_date = "20241219T250000Z";
  expect_rejected(signed_request(post_encrypt(), options), ErrorCode::InvalidTimestamp);
}

TEST_F(VolcengineVerify, TimestampIsCheckedBeforeTheAccessKey) {
  VerifyOptions checked;  // now = real clock; the request is dated 2024
  HttpRequest request = signed_request(post_encrypt(), fixed_options(), {"AKunknown", kSk, ""});
  expect_rejected(request, ErrorCode::InvalidTimestamp, {}, checked);
}

TEST_F(VolcengineVerify, UnknownAccessKey) {
  const HttpRequest request =
      signed_request(post_encrypt(), fixed_options(), {"AKLTunknown", kSk, ""});
  expect_rejected(request, ErrorCode::InvalidAccessKey, {"AKLTunknown"});
  const auto result = verify_request(request, nullptr, replay_options());
  ASSERT_TRUE(failure_of(result));
  EXPECT_EQ(failure_of(result)->code, ErrorCode::InvalidAccessKey);
}

TEST_F(VolcengineVerify, XDateMustBeSigned) {
  SignOptions options = fixed_options();
  options.signed_headers_override = std::vector<std::string>{"x-content-sha256"};
  expect_rejected(signed_request(post_encrypt(), options), ErrorCode::SignatureDoesNotMatch);
  options.signed_headers_override = std::vector<std::string>{"x-content-sha256", "x-date"};
  expect_accepted(signed_request(post_encrypt(), options));  // same request, x-date covered
}

TEST_F(VolcengineVerify, SignedHeadersMustBePresent) {
  SignOptions options = fixed_options();
  options.signed_headers_override = std::vector<std::string>{"x-custom", "x-date"};
  HttpRequest request = signed_request(post_encrypt(), options);  // signed "x-custom:" empty
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);
  request.headers["X-Custom"] = "";
  expect_accepted(request);  // presence, not the value, was what failed
}

TEST_F(VolcengineVerify, WrongSecret) {
  const HttpRequest request =
      signed_request(post_encrypt(), fixed_options(), {kAk, "not-the-secret", ""});
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);
}

TEST_F(VolcengineVerify, TamperedOrRecasedSignature) {
  HttpRequest request = signed_request(post_encrypt());
  std::string authorization(request.header("Authorization"));
  char& last = authorization.back();
  last = last == '0' ? '1' : '0';
  request.headers["Authorization"] = authorization;
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);

  HttpRequest upper = signed_request(post_encrypt());
  std::string shouted(upper.header("Authorization"));
  const size_t at = shouted.find("Signature=") + 10;
  for (size_t i = at; i < shouted.size(); ++i) {
    shouted[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(shouted[i])));
  }
  upper.headers["Authorization"] = shouted;
  expect_rejected(upper, ErrorCode::SignatureDoesNotMatch);
}

TEST_F(VolcengineVerify, SignedHeaderValueChanged) {
  HttpRequest request = signed_request(get_describe(), fixed_options(SignerStyle::Go));
  request.headers["Host"] = "evil.example";
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);
}

TEST_F(VolcengineVerify, StatedBodyHashMustMatchEvenWhenUnsigned) {
  HttpRequest request = signed_request(get_describe());  // Node GET: no X-Content-Sha256
  request.headers["X-Content-Sha256"] = sha256_hex("something else");
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);
  request.headers["X-Content-Sha256"] = sha256_hex("");
  expect_accepted(request);
}

TEST_F(VolcengineVerify, BodyIsHashedAsReceived) {
  HttpRequest request = signed_request(post_encrypt());
  request.body += " ";
  // The stated hash agrees with the new body; the signature still covers the old one.
  request.headers["X-Content-Sha256"] = sha256_hex(request.body);
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);
}

TEST_F(VolcengineVerify, UnsignedHeadersAreIgnored) {
  HttpRequest request = signed_request(post_encrypt());
  request.headers["User-Agent"] = "proxy";
  request.headers["X-Forwarded-For"] = "10.0.0.1";
  request.headers["Content-Type"] = "text/plain";  // Node does not sign it
  expect_accepted(request);
}

TEST_F(VolcengineVerify, HeaderNameCaseDoesNotMatter) {
  const HttpRequest signed_one = signed_request(post_encrypt(), fixed_options(SignerStyle::Go));
  HttpRequest lowered = signed_one;
  lowered.headers.clear();
  for (const auto& [name, value] : signed_one.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    lowered.headers[lower] = value;
  }
  expect_accepted(lowered);
}

TEST_F(VolcengineVerify, QueryWireSpellingDoesNotMatter) {
  HttpRequest request = get_describe();
  request.raw_query = "Action=DescribeKey&Version=2021-02-18&Description=a%20b%2Ac";
  request = signed_request(request);
  request.raw_query = "Description=a+b*c&Version=2021-02-18&Action=DescribeKey";
  expect_accepted(request);
  request.raw_query = "Description=a+b*d&Version=2021-02-18&Action=DescribeKey";
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);
}

TEST_F(VolcengineVerify, MalformedQueryCannotMatch) {
  HttpRequest request = signed_request(get_describe());
  request.raw_query += "&Bad=%zz";
  expect_rejected(request, ErrorCode::SignatureDoesNotMatch);
}

// Go trims and strips :443 where Node collapses and keeps the port; the verifier needs both.
TEST_F(VolcengineVerify, AcceptsGoCanonicalisationWhereItDiffersFromNode) {
  HttpRequest request = post_encrypt();
  request.headers["Content-Type"] = "application/json;  charset=utf-8";
  SignOptions options = fixed_options(SignerStyle::Go);
  options.host = std::string(kHost) + ":443";
  const SignatureParts go = sign_request(request, credentials(), options);
  signatures_.push_back(go.signature);
  ASSERT_NE(*canonical_request(request, signed_list_of(request), SignerStyle::Node),
            go.canonical_request);  // so the fallback is what accepts it
  expect_accepted(request);
}

TEST_F(VolcengineVerify, AcceptsDuplicateQueryNamesInEitherOrder) {
  for (SignerStyle style : {SignerStyle::Node, SignerStyle::Go}) {
    HttpRequest request = get_describe();
    request.raw_query += "&Tag=b&Tag=a";
    expect_accepted(signed_request(request, fixed_options(style)));
  }
}

}  // namespace
}  // namespace kmsconf::volcengine
