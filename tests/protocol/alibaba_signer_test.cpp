#include "protocol/alibaba/signer.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "protocol/ascii.hpp"
#include "protocol/digest.hpp"
#include "protocol/encoding.hpp"
#include "tests/protocol/alibaba_test_support.hpp"

namespace kmsconf::alibaba {
namespace {

using namespace kmsconf::alibaba::testing;

std::string query_of_url(const std::string& url) {
  const size_t mark = url.find('?');
  return mark == std::string::npos ? std::string() : url.substr(mark + 1);
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST(AlibabaSignVectors, FileHoldsAllVectorsAndCases) {
  const Json& file = vectors_file();
  size_t v1 = 0, v3 = 0;
  for (const Json& vector : file.at("vectors")) (is_v1(vector) ? v1 : v3)++;
  EXPECT_EQ(v1, 6u);
  EXPECT_EQ(v3, 6u);
  EXPECT_EQ(file.at("percent_encoding_examples").size(), 14u);
  EXPECT_EQ(file.at("server_verification_cases").size(), 16u);
}

TEST(AlibabaSignVectors, EveryPercentEncodingExample) {
  for (const Json& example : vectors_file().at("percent_encoding_examples")) {
    const std::string input = example.at("input");
    const std::string encoded = example.at("encoded");
    SCOPED_TRACE(encoded);
    EXPECT_EQ(uri_encode(input), encoded);
    EXPECT_EQ(percent_decode(encoded, /*plus_as_space=*/false), input);
  }
}

// Steps 1-5 over the vector's parameters reproduce every intermediate string.
TEST(AlibabaSignVectors, V1PartsOfEveryVector) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (!is_v1(vector)) continue;
    SCOPED_TRACE(vector.at("id").get<std::string>());
    const Json& outputs = vector.at("outputs");
    const std::string secret = vector.at("inputs").at("access_key_secret");
    EXPECT_EQ(secret + "&", outputs.at("hmac_key"));
    const V1Parts parts = v1_sign_params(vector.at("inputs").at("method").get<std::string>(),
                                         v1_signed_params(vector), secret);
    EXPECT_EQ(parts.canonicalized_query_string, outputs.at("canonicalized_query_string"));
    EXPECT_EQ(parts.string_to_sign, outputs.at("string_to_sign"));
    EXPECT_EQ(parts.signature, outputs.at("signature"));
    if (outputs.contains("signature_url_encoded")) {
      EXPECT_EQ(uri_encode(parts.signature), outputs.at("signature_url_encoded"));
    }
  }
}

// sign_v1 from the operation parameters alone adds the common ones and lays the request out on
// the wire exactly as pop-core or the Tea SDK did.
TEST(AlibabaSignVectors, SignV1ReproducesEveryVectorAndWireForm) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (!is_v1(vector)) continue;
    SCOPED_TRACE(vector.at("id").get<std::string>());
    const Json& outputs = vector.at("outputs");
    HttpRequest request = v1_unsigned_request(vector);
    const V1Parts parts = sign_v1(request, credentials_of(vector), v1_options(vector));
    EXPECT_EQ(parts.canonicalized_query_string, outputs.at("canonicalized_query_string"));
    EXPECT_EQ(parts.string_to_sign, outputs.at("string_to_sign"));
    EXPECT_EQ(parts.signature, outputs.at("signature"));
    if (!outputs.contains("wire")) continue;

    const Json& wire = outputs.at("wire");
    if (wire.contains("query_string")) {
      EXPECT_EQ(request.raw_query, wire.at("query_string"));
    } else {
      EXPECT_EQ(request.raw_query, query_of_url(wire.at("url")));
    }
    EXPECT_EQ(request.body, string_or_empty(wire.value("body", Json())));
    const std::string content_type = string_or_empty(wire.value("content_type", Json()));
    EXPECT_EQ(std::string(request.header("Content-Type")), content_type);
  }
}

TEST(AlibabaSignVectors, V3PartsOfEveryVector) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (is_v1(vector)) continue;
    SCOPED_TRACE(vector.at("id").get<std::string>());
    const Json& outputs = vector.at("outputs");
    HttpRequest request = signed_request_of(vector);  // sets the signer's headers
    std::vector<std::string> signed_headers;
    for (const auto& [name, value] : v3_signed_header_values(vector).items()) {
      signed_headers.push_back(name);
    }
    std::sort(signed_headers.begin(), signed_headers.end());  // the published inputs are not
    auto canonical =
        v3_canonical_request(request, signed_headers, request.header(kHeaderContentSha256));
    ASSERT_TRUE(canonical);
    EXPECT_EQ(*canonical, outputs.at("canonical_request"));
    const Credentials credentials = credentials_of(vector);
    const V3Parts parts = v3_sign_canonical_request(*canonical, credentials.access_key_id,
                                                    credentials.access_key_secret, signed_headers);
    EXPECT_EQ(parts.hashed_canonical_request, outputs.at("hashed_canonical_request"));
    EXPECT_EQ(parts.string_to_sign, outputs.at("string_to_sign"));
    EXPECT_EQ(parts.authorization, outputs.at("authorization"));
    if (outputs.contains("signature")) {
      EXPECT_EQ(parts.signature, outputs.at("signature"));
    }
    if (outputs.contains("expected_published_signature")) {
      EXPECT_EQ(parts.signature, outputs.at("expected_published_signature"));
    }
  }
}

// sign_v3 sets exactly the headers the SDK sent (and signed) and the same Authorization.
TEST(AlibabaSignVectors, SignV3ReproducesEveryVectorAndWireForm) {
  for (const Json& vector : vectors_file().at("vectors")) {
    if (is_v1(vector)) continue;
    SCOPED_TRACE(vector.at("id").get<std::string>());
    const Json& outputs = vector.at("outputs");
    HttpRequest request = v3_unsigned_request(vector);
    const V3Parts parts = sign_v3(request, credentials_of(vector), v3_options(vector));

    EXPECT_EQ(parts.canonical_request, outputs.at("canonical_request"));
    EXPECT_EQ(parts.hashed_canonical_request, outputs.at("hashed_canonical_request"));
    EXPECT_EQ(parts.string_to_sign, outputs.at("string_to_sign"));
    EXPECT_EQ(parts.authorization, outputs.at("authorization"));
    EXPECT_EQ(request.header("Authorization"), outputs.at("authorization").get<std::string>());
    EXPECT_TRUE(is_hex(parts.signature));

    const Json& expected_headers = v3_signed_header_values(vector);
    std::set<std::string> signed_names;
    for (const auto& [name, value] : expected_headers.items()) {
      EXPECT_EQ(request.header(name), value.get<std::string>()) << name;
      signed_names.insert(name);
    }
    for (const auto& [name, value] : request.headers) {  // nothing else signable was added
      const std::string lower = ascii::to_lower(name);
      if (lower == "authorization") continue;
      EXPECT_TRUE(signed_names.contains(lower)) << "unexpected header " << name;
    }
    if (outputs.contains("x_acs_content_sha256")) {
      EXPECT_EQ(request.header(kHeaderContentSha256),
                outputs.at("x_acs_content_sha256").get<std::string>());
    }
    if (outputs.contains("wire_query_string")) {
      EXPECT_EQ(request.raw_query, outputs.at("wire_query_string"));
    }
  }
}

// The two published worked examples were reproduced by the SDK; check them by name too.
TEST(AlibabaSignVectors, PublishedExamplesMatchTheDocumentation) {
  const Json& ecs_v1 = vector_by_id("published-v1-ecs-DescribeRegions");
  EXPECT_EQ(v1_sign_params("GET", v1_signed_params(ecs_v1), "testsecret").signature,
            "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  const Json& kms_v1 = vector_by_id("published-v1-kms-CreateKey");
  const std::string kms_signature =
      v1_sign_params("GET", v1_signed_params(kms_v1), "testsecret").signature;
  EXPECT_TRUE(kms_signature.starts_with(kms_v1.at("outputs")
                                            .at("published_masked_signature_in_url")
                                            .get<std::string>()
                                            .substr(0, 26)));
  const Json& ecs_v3 = vector_by_id("published-v3-ecs-RunInstances");
  HttpRequest request = signed_request_of(ecs_v3);
  EXPECT_TRUE(std::string(request.header("Authorization"))
                  .ends_with("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"));
}

// ---------------------------------------------------------------------------------------------
// Canonicalisation rules beyond the vectors

TEST(AlibabaV1Canonical, ExcludesSignatureAndSortsByName) {
  const QueryPairs params{{"b", "2"}, {"Signature", "x"}, {"a", "1 1"}, {"B", "*"}};
  EXPECT_EQ(v1_canonicalized_query(params), "B=%2A&a=1%201&b=2");
}

TEST(AlibabaV1Canonical, StringToSignUpperCasesTheMethod) {
  EXPECT_EQ(v1_string_to_sign("post", "a=1&b=2"), "POST&%2F&a%3D1%26b%3D2");
}

TEST(AlibabaV1Canonical, KeyIsSecretWithAmpersand) {
  EXPECT_EQ(v1_signature("s", "text"), base64_encode(hmac_sha1("s&", "text")));
}

TEST(AlibabaV3Canonical, QuerySortedEncodedAndValuelessKept) {
  EXPECT_EQ(v3_canonical_query("b=2&a=x+y&c&d=%2a"), "a=x%20y&b=2&c=&d=%2A");
  EXPECT_EQ(v3_canonical_query(""), "");
  EXPECT_FALSE(v3_canonical_query("a=%zz"));
}

TEST(AlibabaV3Canonical, HeadersToSignAreHostContentTypeAndAcs) {
  Headers headers{{"Host", "h"},
                  {"Content-Type", "t"},
                  {"X-Acs-Date", "d"},
                  {"Accept", "application/json"},
                  {"User-Agent", "u"},
                  {"Authorization", "a"},
                  {"x-acs-credentials-provider", "static_ak"}};
  EXPECT_EQ(v3_headers_to_sign(headers),
            (std::vector<std::string>{"content-type", "host", "x-acs-credentials-provider",
                                      "x-acs-date"}));
}

TEST(AlibabaV3Canonical, HeaderValuesTrimmedAndPathReencoded) {
  HttpRequest request;
  request.method = "get";
  request.path = "";
  request.headers["host"] = "  example.com ";
  const std::vector<std::string> names{"host"};
  EXPECT_EQ(v3_canonical_request(request, names, "h"), "GET\n/\n\nhost:example.com\n\nhost\nh");
  request.path = "/a%2fb/c d";
  EXPECT_EQ(v3_canonical_request(request, names, "h"),
            "GET\n/a%2Fb/c%20d\n\nhost:example.com\n\nhost\nh");
  request.path = "/%zz";
  EXPECT_FALSE(v3_canonical_request(request, names, "h"));
}

// ---------------------------------------------------------------------------------------------
// Client signers

Credentials test_credentials(std::string token = "") {
  return Credentials{"testAccessKeyId", "testAccessKeySecret", std::move(token)};
}

TEST(AlibabaSignV1, PopCorePostMovesQueryParamsIntoTheBody) {
  HttpRequest request;
  request.method = "post";
  request.raw_query = "KeyId=k1";
  request.body = "Plaintext=aGk%3D";
  V1SignOptions options;
  options.action = "Encrypt";
  options.timestamp = "2024-05-01T12:34:56Z";
  options.nonce = "n1";
  const V1Parts parts = sign_v1(request, test_credentials(), options);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.raw_query, "");
  EXPECT_EQ(request.body,
            parts.canonicalized_query_string + "&Signature=" + uri_encode(parts.signature));
  EXPECT_EQ(request.header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_NE(parts.canonicalized_query_string.find("KeyId=k1"), std::string::npos);
  EXPECT_NE(parts.canonicalized_query_string.find("Plaintext=aGk%3D"), std::string::npos);
}

TEST(AlibabaSignV1, StsTokenIsSignedAndSent) {
  HttpRequest request;
  request.method = "GET";
  V1SignOptions options;
  options.action = "ListKeys";
  options.placement = V1Placement::Tea;
  const V1Parts parts = sign_v1(request, test_credentials("tok/+="), options);
  EXPECT_NE(parts.canonicalized_query_string.find("SecurityToken=tok%2F%2B%3D"), std::string::npos);
  auto sent = parse_query(request.raw_query);
  ASSERT_TRUE(sent);
  EXPECT_EQ(find_value(*sent, "SecurityToken"), "tok/+=");
  // Defaults: a fresh UUID nonce and the current time.
  EXPECT_EQ(find_value(*sent, "SignatureNonce").size(), 36u);
  EXPECT_TRUE(parse_iso8601_utc(find_value(*sent, "Timestamp")));
}

TEST(AlibabaSignV1, ReplacesStaleCommonParamsAndSignature) {
  HttpRequest request;
  request.method = "GET";
  request.raw_query = "Signature=old&Timestamp=old&KeyId=k";
  V1SignOptions options;
  options.action = "DescribeKey";
  options.timestamp = "2024-05-01T12:34:56Z";
  sign_v1(request, test_credentials(), options);
  auto sent = parse_query(request.raw_query);
  ASSERT_TRUE(sent);
  size_t signatures = 0;
  for (const auto& [name, value] : *sent) {
    if (name == "Signature") ++signatures;
    EXPECT_NE(value, "old") << name;
  }
  EXPECT_EQ(signatures, 1u);
  EXPECT_EQ(find_value(*sent, "KeyId"), "k");
}

TEST(AlibabaSignV1, RejectsGetWithBodyAndMalformedInput) {
  V1SignOptions options;
  options.action = "DescribeKey";
  HttpRequest get_with_body;
  get_with_body.method = "GET";
  get_with_body.body = "a=1";
  EXPECT_THROW(sign_v1(get_with_body, test_credentials(), options), std::invalid_argument);
  HttpRequest bad_query;
  bad_query.method = "POST";
  bad_query.raw_query = "a=%4";
  EXPECT_THROW(sign_v1(bad_query, test_credentials(), options), std::invalid_argument);
}

TEST(AlibabaSignV3, DefaultsAndStsHeaders) {
  HttpRequest request;
  request.method = "POST";
  request.body = "KeyId=k";
  V3SignOptions options;
  options.action = "Encrypt";
  options.host = "kms.cn-hangzhou.aliyuncs.com";
  const V3Parts parts = sign_v3(request, test_credentials("tok"), options);
  EXPECT_EQ(request.header(kHeaderVersion), "2016-01-20");
  EXPECT_EQ(request.header(kHeaderNonce).size(), 32u);
  EXPECT_TRUE(is_hex(request.header(kHeaderNonce)));
  EXPECT_TRUE(parse_iso8601_utc(request.header(kHeaderDate)));
  EXPECT_EQ(request.header(kHeaderContentSha256), sha256_hex("KeyId=k"));
  EXPECT_EQ(request.header(kHeaderSecurityToken), "tok");
  EXPECT_EQ(request.header(kHeaderAccessKeyId), "testAccessKeyId");
  EXPECT_EQ(request.header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(parts.signed_headers,
            "content-type;host;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;"
            "x-acs-security-token;x-acs-signature-nonce;x-acs-version");
  EXPECT_TRUE(parts.authorization.starts_with(
      "ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=content-type;host;"));
}

TEST(AlibabaSignV3, EmptyBodyHashAndResigningReplacesAuthorization) {
  HttpRequest request;
  request.method = "GET";
  request.headers["Host"] = "h";
  V3SignOptions options;
  options.action = "ListKeys";
  options.date = "2024-05-01T12:34:56Z";
  options.nonce = "n";
  const V3Parts first = sign_v3(request, test_credentials(), options);
  EXPECT_EQ(request.header(kHeaderContentSha256),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_FALSE(request.has_header("content-type"));
  const V3Parts second = sign_v3(request, test_credentials(), options);
  EXPECT_EQ(first.authorization, second.authorization);
  EXPECT_EQ(request.header("Authorization"), second.authorization);
}

TEST(AlibabaSignV3, MalformedQueryThrows) {
  HttpRequest request;
  request.method = "GET";
  request.raw_query = "a=%g0";
  EXPECT_THROW(sign_v3(request, test_credentials(), V3SignOptions{}), std::invalid_argument);
}

TEST(AlibabaRequestParams, UnionOfQueryAndFormBody) {
  HttpRequest request;
  request.raw_query = "a=1&b=x+y";
  request.body = "c=3&d=p+q%2B";
  auto params = request_params(request);  // no Content-Type: a non-empty body is a form
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, (QueryPairs{{"a", "1"}, {"b", "x y"}, {"c", "3"}, {"d", "p q+"}}));

  request.headers["Content-Type"] = "Application/X-WWW-Form-Urlencoded; charset=UTF-8";
  EXPECT_EQ(request_params(request)->size(), 4u);
  request.headers["Content-Type"] = "application/json";
  EXPECT_EQ(request_params(request)->size(), 2u);  // not a form: the body is not params

  request.headers.erase("Content-Type");
  request.body = "c=%";
  EXPECT_FALSE(request_params(request));
}

}  // namespace
}  // namespace kmsconf::alibaba
