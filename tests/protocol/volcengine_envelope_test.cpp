#include "protocol/volcengine/envelope.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace kmsconf::volcengine {
namespace {

using nlohmann::json;
using namespace std::chrono;

ResponseMetadata sample_meta() {
  return ResponseMetadata{"20241219211031086160227031900000", "ReplicateKey", "2021-02-18", "kms",
                          "cn-beijing"};
}

json body_of(const HttpResponse& response) {
  return json::parse(response.body);
}

std::vector<std::string> keys_of(const json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

sys_seconds utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

TEST(VolcengineEnvelope, SuccessCarriesMetadataAndResult) {
  const json result{{"CiphertextBlob", "abc"}};
  const HttpResponse response = render_success(sample_meta(), &result);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-type"), "application/json; charset=utf-8");
  const json body = body_of(response);
  EXPECT_EQ(keys_of(body), (std::vector<std::string>{"ResponseMetadata", "Result"}));
  const json& meta = body["ResponseMetadata"];
  EXPECT_EQ(meta["RequestId"], "20241219211031086160227031900000");
  EXPECT_EQ(meta["Action"], "ReplicateKey");
  EXPECT_EQ(meta["Version"], "2021-02-18");
  EXPECT_EQ(meta["Service"], "kms");
  EXPECT_EQ(meta["Region"], "cn-beijing");
  EXPECT_EQ(meta.size(), 5u);  // no Error on success
  EXPECT_EQ(body["Result"], result);
}

TEST(VolcengineEnvelope, MetadataKeysKeepTheDocumentedOrder) {
  const std::string raw = render_success(sample_meta(), nullptr).body;
  EXPECT_LT(raw.find("\"RequestId\""), raw.find("\"Action\""));
  EXPECT_LT(raw.find("\"Action\""), raw.find("\"Version\""));
  EXPECT_LT(raw.find("\"Version\""), raw.find("\"Service\""));
  EXPECT_LT(raw.find("\"Service\""), raw.find("\"Region\""));
}

TEST(VolcengineEnvelope, SuccessWithoutResultOmitsIt) {
  const json body = body_of(render_success(sample_meta(), nullptr));
  EXPECT_FALSE(body.contains("Result"));
  EXPECT_TRUE(body.contains("ResponseMetadata"));
}

TEST(VolcengineEnvelope, EmptyObjectResultIsKept) {
  const json empty = json::object();
  const json body = body_of(render_success(sample_meta(), &empty));
  ASSERT_TRUE(body.contains("Result"));
  EXPECT_EQ(body["Result"], json::object());
}

TEST(VolcengineEnvelope, BusinessErrorHasNoCodeN) {
  const HttpResponse response =
      render_error(sample_meta(), ErrorCode::NotFound, "Not found keyring [demo].");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.at("Content-Type"), "application/json; charset=utf-8");
  const json body = body_of(response);
  EXPECT_EQ(keys_of(body), std::vector<std::string>{"ResponseMetadata"});  // no Result
  const json& error = body["ResponseMetadata"]["Error"];
  EXPECT_EQ(keys_of(error), (std::vector<std::string>{"Code", "Message"}));
  EXPECT_EQ(error["Code"], "Not Found");
  EXPECT_EQ(error["Message"], "Not found keyring [demo].");
  EXPECT_EQ(body["ResponseMetadata"]["Action"], "ReplicateKey");
}

TEST(VolcengineEnvelope, GatewayErrorCarriesCodeN) {
  const HttpResponse response = render_error(sample_meta(), ErrorCode::SignatureDoesNotMatch,
                                             format_message(ErrorCode::SignatureDoesNotMatch, {}));
  EXPECT_EQ(response.status, 401);
  const json body = body_of(response);
  const json& error = body["ResponseMetadata"]["Error"];
  EXPECT_EQ(error["Code"], "SignatureDoesNotMatch");
  ASSERT_TRUE(error.contains("CodeN"));
  EXPECT_TRUE(error["CodeN"].is_number_integer());
  EXPECT_EQ(error["CodeN"], 100010);
}

TEST(VolcengineEnvelope, ErrorStatusComesFromTheCatalog) {
  for (const ErrorInfo& info : all_errors()) {
    EXPECT_EQ(render_error(sample_meta(), info.code, "m").status, info.http_status) << info.name;
  }
}

TEST(VolcengineEnvelope, InvalidUtf8InMessageDoesNotThrow) {
  const HttpResponse response =
      render_error(sample_meta(), ErrorCode::InvalidParameter, std::string("bad \xff name"));
  EXPECT_EQ(response.status, 400);
  EXPECT_NO_THROW(body_of(response));
}

TEST(VolcengineEnvelope, RequestIdHasTheObservedShape) {
  const std::string id = make_request_id(system_clock::now());
  ASSERT_EQ(id.size(), 32u);
  for (size_t i = 0; i < 14; ++i) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(id[i])));
  for (size_t i = 14; i < id.size(); ++i) {
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(id[i])) || (id[i] >= 'A' && id[i] <= 'F'))
        << id;
  }
}

TEST(VolcengineEnvelope, RequestIdStampIsBeijingTime) {
  // The seed example: X-Date 20241219T130940Z answered by an id starting 20241219211031.
  EXPECT_EQ(make_request_id(utc(2024, 12, 19, 13, 10, 31)).substr(0, 14), "20241219211031");
  EXPECT_EQ(make_request_id(utc(2024, 12, 31, 16, 0, 0)).substr(0, 14), "20250101000000");
}

TEST(VolcengineEnvelope, RequestIdsAreUnique) {
  const auto now = system_clock::now();
  EXPECT_NE(make_request_id(now), make_request_id(now));
}

TEST(VolcengineEnvelope, ParseReadsBackARenderedError) {
  const auto parsed = parse_response(render_error(sample_meta(), ErrorCode::GatewayAccessDenied,
                                                  "User is not authorized to perform: a on b"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status, 403);
  EXPECT_EQ(parsed->error_code, "AccessDenied");
  EXPECT_EQ(parsed->code_n, 100013);
  EXPECT_EQ(parsed->message, "User is not authorized to perform: a on b");
  EXPECT_FALSE(parsed->result);
  EXPECT_EQ(parsed->meta.request_id, sample_meta().request_id);
  EXPECT_EQ(parsed->meta.action, "ReplicateKey");
  EXPECT_EQ(parsed->meta.version, "2021-02-18");
  EXPECT_EQ(parsed->meta.service, "kms");
  EXPECT_EQ(parsed->meta.region, "cn-beijing");
}

TEST(VolcengineEnvelope, ParseReadsBackASuccess) {
  const json result{{"Plaintext", "aGk="}};
  const auto parsed = parse_response(render_success(sample_meta(), &result));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status, 200);
  EXPECT_FALSE(parsed->error_code);
  EXPECT_FALSE(parsed->code_n);
  ASSERT_TRUE(parsed->result);
  EXPECT_EQ(*parsed->result, result);
}

TEST(VolcengineEnvelope, ParseDistinguishesAbsentAndEmptyResult) {
  const json empty = json::object();
  const auto with_empty = parse_response(render_success(sample_meta(), &empty));
  const auto without = parse_response(render_success(sample_meta(), nullptr));
  ASSERT_TRUE(with_empty && without);
  ASSERT_TRUE(with_empty->result);
  EXPECT_TRUE(with_empty->result->empty());
  EXPECT_FALSE(without->result);
}

TEST(VolcengineEnvelope, ParseTreatsErrorCodeAsFailureEvenOn200) {
  HttpResponse response;
  response.status = 200;
  response.body = R"({"ResponseMetadata":{"Error":{"Code":"InvalidParameter","Message":"m"}}})";
  const auto parsed = parse_response(response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->error_code, "InvalidParameter");
  EXPECT_FALSE(parsed->code_n);
  EXPECT_EQ(parsed->meta.service, "");  // absent on the wire, not our default
}

TEST(VolcengineEnvelope, ParseIgnoresAnEmptyErrorCode) {
  HttpResponse response;
  response.body = R"({"ResponseMetadata":{"Error":{"Code":""}},"Result":{}})";
  const auto parsed = parse_response(response);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->error_code);
}

TEST(VolcengineEnvelope, ParseRejectsMalformedEnvelopes) {
  const char* bodies[] = {
      "",
      "not json",
      "[]",
      R"({"Result":{}})",                                             // no ResponseMetadata
      R"({"ResponseMetadata":"x"})",                                  // not an object
      R"({"ResponseMetadata":{"RequestId":5}})",                      // wrong type
      R"({"ResponseMetadata":{"Error":"x"}})",                        // Error not an object
      R"({"ResponseMetadata":{"Error":{"Code":7}}})",                 // Code not a string
      R"({"ResponseMetadata":{"Error":{"Code":"A","CodeN":"1"}}})",   // CodeN not a number
      R"({"ResponseMetadata":{"Error":{"Code":"A","CodeN":1.5}}})",   // CodeN not an integer
      R"({"ResponseMetadata":{"Error":{"Code":"A","CodeN":1e12}}})",  // not an integer either
      R"({"ResponseMetadata":{"Error":{"Code":"A","CodeN":99999999999}}})",  // beyond int
      R"({"ResponseMetadata":{"Error":{"Code":"A","Message":1}}})",
      R"({"ResponseMetadata":{},"Result":[1]})",  // Result not an object
  };
  for (const char* body : bodies) {
    HttpResponse response;
    response.body = body;
    EXPECT_FALSE(parse_response(response)) << body;
  }
}

TEST(VolcengineEnvelope, ParseAcceptsMinimalAndNullResult) {
  HttpResponse response;
  response.body = R"({"ResponseMetadata":{},"Result":null})";
  const auto parsed = parse_response(response);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->result);
  EXPECT_FALSE(parsed->error_code);
}

}  // namespace
}  // namespace kmsconf::volcengine
