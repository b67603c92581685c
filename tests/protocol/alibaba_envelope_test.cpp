#include "protocol/alibaba/envelope.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>

namespace kmsconf::alibaba {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr char kRequestId[] = "1DD9FD9A-8E57-43E5-B911-E4F5AD2027F7";

ResponseContext sample_context(ResponseFormat format = ResponseFormat::Json) {
  return ResponseContext{kRequestId, "DescribeKey", "kms.cn-hangzhou.aliyuncs.com", format};
}

std::vector<std::string> keys_in_order(const std::string& body) {
  std::vector<std::string> keys;
  const ordered_json parsed = ordered_json::parse(body);  // must outlive the loop
  for (const auto& item : parsed.items()) keys.push_back(item.key());
  return keys;
}

TEST(AlibabaEnvelope, SuccessPutsRequestIdFirstAndFieldsAtTopLevel) {
  const json fields{{"KeyMetadata", {{"KeyId", "k1"}, {"KeyState", "Enabled"}}},
                    {"Aliases", {{"Alias", json::array({{{"AliasName", "alias/a"}}})}}}};
  const HttpResponse response = render_success(sample_context(), fields);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-type"), "application/json;charset=utf-8");
  EXPECT_EQ(response.headers.at("X-Acs-Request-Id"), kRequestId);
  const std::vector<std::string> keys = keys_in_order(response.body);
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.front(), "RequestId");
  const json body = json::parse(response.body);
  EXPECT_EQ(body.at("RequestId"), kRequestId);
  EXPECT_EQ(body.at("KeyMetadata"), fields.at("KeyMetadata"));
  EXPECT_EQ(body.at("Aliases").at("Alias").at(0).at("AliasName"), "alias/a");
  EXPECT_FALSE(body.contains("Code"));
  EXPECT_EQ(body.size(), 3u);
}

TEST(AlibabaEnvelope, EmptySuccessIsOnlyTheRequestId) {
  for (const json& fields : {json(), json::object()}) {
    const json body = json::parse(render_success(sample_context(), fields).body);
    EXPECT_EQ(body, json({{"RequestId", kRequestId}}));
  }
}

TEST(AlibabaEnvelope, SuccessRefusesCodeRequestIdAndNonObjects) {
  EXPECT_THROW(render_success(sample_context(), json{{"Code", "OK"}}), std::invalid_argument);
  EXPECT_THROW(render_success(sample_context(), json{{"RequestId", "x"}}), std::invalid_argument);
  EXPECT_THROW(render_success(sample_context(), json::array()), std::invalid_argument);
  EXPECT_THROW(render_success(sample_context(), json("text")), std::invalid_argument);
}

TEST(AlibabaEnvelope, ErrorHasTheObservedFieldsInOrder) {
  const HttpResponse response = render_error(sample_context(), ErrorCode::ForbiddenKeyNotFound,
                                             "The specified Key is not found.");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.at("Content-Type"), "application/json;charset=utf-8");
  EXPECT_EQ(response.headers.at("x-acs-request-id"), kRequestId);
  EXPECT_EQ(keys_in_order(response.body),
            (std::vector<std::string>{"RequestId", "HostId", "Code", "Message", "Recommend"}));
  const json body = json::parse(response.body);
  EXPECT_EQ(body.at("RequestId"), kRequestId);
  EXPECT_EQ(body.at("HostId"), "kms.cn-hangzhou.aliyuncs.com");
  EXPECT_EQ(body.at("Code"), "Forbidden.KeyNotFound");
  EXPECT_EQ(body.at("Message"), "The specified Key is not found.");
  // The example of spec §1.5, verbatim.
  EXPECT_EQ(body.at("Recommend"),
            "https://api.aliyun.com/troubleshoot?q=Forbidden.KeyNotFound&product=Kms&requestId="
            "1DD9FD9A-8E57-43E5-B911-E4F5AD2027F7");
}

TEST(AlibabaEnvelope, ErrorStatusAndCodeComeFromTheCatalog) {
  for (const ErrorInfo& info : all_errors()) {
    const HttpResponse response = render_error(sample_context(), info.code, "m");
    EXPECT_EQ(response.status, info.http_status) << info.name;
    EXPECT_EQ(json::parse(response.body).at("Code"), info.wire_code) << info.name;
  }
}

TEST(AlibabaEnvelope, InvalidUtf8InMessageDoesNotThrow) {
  const HttpResponse response =
      render_error(sample_context(), ErrorCode::InvalidParameter, std::string("bad \xff name"));
  EXPECT_TRUE(json::accept(response.body));
  const HttpResponse xml = render_error(sample_context(ResponseFormat::Xml),
                                        ErrorCode::InvalidParameter, std::string("bad \xff"));
  EXPECT_NE(xml.body.find("bad \xEF\xBF\xBD</Message>"), std::string::npos) << xml.body;
}

TEST(AlibabaEnvelope, RequestIdIsAnUpperCaseUuid) {
  const std::regex shape("[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}");
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    const std::string id = make_request_id();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

TEST(AlibabaEnvelope, RecommendUrlEncodesItsParts) {
  EXPECT_EQ(recommend_url("Throttling.User", "a b"),
            "https://api.aliyun.com/troubleshoot?q=Throttling.User&product=Kms&requestId=a%20b");
}

TEST(AlibabaEnvelope, FormatParameter) {
  for (const char* json_spelling : {"", "JSON", "json", "Json"}) {
    EXPECT_EQ(response_format_from(json_spelling), ResponseFormat::Json) << json_spelling;
  }
  for (const char* xml_spelling : {"XML", "xml", "Xml"}) {
    EXPECT_EQ(response_format_from(xml_spelling), ResponseFormat::Xml) << xml_spelling;
  }
  for (const char* bad : {"yaml", "JSONP", " json"}) {
    EXPECT_FALSE(response_format_from(bad)) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// XML

TEST(AlibabaEnvelopeXml, ListWrappersBecomeRepeatedElements) {
  ResponseContext context = sample_context(ResponseFormat::Xml);
  context.action = "ListKeys";
  const json fields{{"Keys",
                     {{"Key", json::array({{{"KeyId", "k1"}, {"KeyArn", "acs:kms:r:1:key/k1"}},
                                           {{"KeyId", "k2"}, {"KeyArn", "acs:kms:r:1:key/k2"}}})}}},
                    {"PageNumber", 1},
                    {"TotalCount", 2}};
  const HttpResponse response = render_success(context, fields);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("Content-Type"), "text/xml;charset=utf-8");
  EXPECT_EQ(response.headers.at("x-acs-request-id"), kRequestId);
  EXPECT_EQ(response.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListKeysResponse><RequestId>"
            "1DD9FD9A-8E57-43E5-B911-E4F5AD2027F7</RequestId><Keys><Key><KeyArn>acs:kms:r:1:key/k1"
            "</KeyArn><KeyId>k1</KeyId></Key><Key><KeyArn>acs:kms:r:1:key/k2</KeyArn><KeyId>k2"
            "</KeyId></Key></Keys><PageNumber>1</PageNumber><TotalCount>2</TotalCount>"
            "</ListKeysResponse>");
}

TEST(AlibabaEnvelopeXml, ScalarsEscapingAndNames) {
  ResponseContext context = sample_context(ResponseFormat::Xml);
  context.action = "AsymmetricVerify";
  const json fields{{"Value", true},
                    {"Note", "a<b & \"c\" 'd' >\x01"},
                    {"Empty", nullptr},
                    {"bad name", "x"},
                    {"9lives", 1.5}};
  const std::string body = render_success(context, fields).body;
  EXPECT_NE(body.find("<Value>true</Value>"), std::string::npos) << body;
  EXPECT_NE(body.find("<Note>a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;\xEF\xBF\xBD</Note>"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("<Empty></Empty>"), std::string::npos) << body;
  EXPECT_NE(body.find("<bad_name>x</bad_name>"), std::string::npos) << body;
  EXPECT_NE(body.find("<_lives>1.5</_lives>"), std::string::npos) << body;
  EXPECT_TRUE(body.ends_with("</AsymmetricVerifyResponse>"));
  const std::string utf8 = render_success(context, json{{"Text", "\u4e2d\u6587"}}).body;
  EXPECT_NE(utf8.find("<Text>\u4e2d\u6587</Text>"), std::string::npos);
}

TEST(AlibabaEnvelopeXml, ErrorRootIsError) {
  const HttpResponse response = render_error(sample_context(ResponseFormat::Xml),
                                             ErrorCode::RejectedThrottling, "The QPS <limit>.");
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.headers.at("content-type"), "text/xml;charset=utf-8");
  EXPECT_EQ(response.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>" +
                std::string(kRequestId) +
                "</RequestId><HostId>kms.cn-hangzhou.aliyuncs.com</HostId><Code>Rejected.Throttling"
                "</Code><Message>The QPS &lt;limit&gt;.</Message><Recommend>"
                "https://api.aliyun.com/troubleshoot?q=Rejected.Throttling&amp;product=Kms&amp;"
                "requestId=" +
                kRequestId + "</Recommend></Error>");
}

// ---------------------------------------------------------------------------------------------
// Client side

TEST(AlibabaParseResponse, RoundTripsRenderedErrorsAndSuccesses) {
  auto parsed = parse_response(render_error(sample_context(), ErrorCode::SignatureNonceUsed,
                                            "Specified signature nonce was used already."));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status, 400);
  EXPECT_TRUE(parsed->is_error());
  EXPECT_EQ(parsed->error_code, "SignatureNonceUsed");
  EXPECT_EQ(parsed->message, "Specified signature nonce was used already.");
  EXPECT_EQ(parsed->request_id, kRequestId);
  EXPECT_EQ(parsed->host_id, "kms.cn-hangzhou.aliyuncs.com");
  EXPECT_TRUE(parsed->recommend.starts_with("https://api.aliyun.com/troubleshoot?q="));

  parsed = parse_response(render_success(sample_context(), json{{"KeyId", "k"}}));
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->is_error());
  EXPECT_FALSE(parsed->error_code);
  EXPECT_EQ(parsed->body->at("KeyId"), "k");
}

TEST(AlibabaParseResponse, PopCoreRuleForCodeInA200) {
  HttpResponse response;
  response.status = 200;
  for (const char* ok : {"200", "OK", "Success", "success"}) {
    response.body = std::string(R"({"RequestId":"r","Code":")") + ok + "\"}";
    auto parsed = parse_response(response);
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(parsed->is_error()) << ok;
  }
  response.body = R"({"RequestId":"r","Code":"Forbidden.KeyNotFound","Message":"m"})";
  auto parsed = parse_response(response);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->is_error());
  EXPECT_EQ(parsed->error_code, "Forbidden.KeyNotFound");
  response.body = R"({"RequestId":"r","Code":200})";  // integer codes read as text
  parsed = parse_response(response);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->is_error());
}

TEST(AlibabaParseResponse, EitherCapitalisationAndHeaderRequestIdWins) {
  HttpResponse response;
  response.status = 503;
  response.body = R"({"requestId":"body-id","code":"ServiceUnavailableTemporary","message":"m",)"
                  R"("hostId":"h","recommend":"u"})";
  auto parsed = parse_response(response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->error_code, "ServiceUnavailableTemporary");
  EXPECT_EQ(parsed->message, "m");
  EXPECT_EQ(parsed->request_id, "body-id");
  EXPECT_EQ(parsed->host_id, "h");
  EXPECT_EQ(parsed->recommend, "u");
  response.headers["X-Acs-Request-Id"] = "header-id";
  EXPECT_EQ(parse_response(response)->request_id, "header-id");
}

TEST(AlibabaParseResponse, StatusAloneMakesAnError) {
  HttpResponse response;
  response.status = 500;
  response.body = R"({"RequestId":"r"})";
  auto parsed = parse_response(response);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->is_error());
  EXPECT_FALSE(parsed->error_code);
}

TEST(AlibabaParseResponse, RejectsNonObjectsAndMistypedFields) {
  HttpResponse response;
  for (const char* body : {"", "not json", "[]", "\"text\"", "<Error/>", R"({"Code":["x"]})",
                           R"({"Message":1})", R"({"RequestId":{}})"}) {
    response.body = body;
    EXPECT_FALSE(parse_response(response)) << body;
  }
}

}  // namespace
}  // namespace kmsconf::alibaba
