// The preflight (conformance/preflight.hpp) against scripted endpoints: a refused credential, a
// region the endpoint does not serve, a clock it refuses, an endpoint of the other dialect or no
// KMS at all stop the run before any case, with one message naming the cause and the option to
// fix; a denied probe lets the run go on. And the mid-run reading: failures that all share one
// cause outside conformance are said to, and judge nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance/runner.hpp"
#include "tests/conformance/fake_server.hpp"

namespace kmsconf::testing {
namespace {

using conformance::Case;
using conformance::Outcome;
using conformance::RunOptions;
using conformance::RunReport;
using ::testing::HasSubstr;
using S = StepBuilder;
using namespace std::chrono_literals;

RunOptions remote(const std::string& url, const std::string& dialect) {
  RunOptions o;
  o.dialects = {dialect};
  o.endpoint = url;
  o.credentials[dialect] = {"AKLTpreflighttest0001", "preflight-test-secret-01", ""};
  o.credential_sources[dialect] = "--credentials creds.json";
  o.timeout = 2000ms;
  return o;
}

std::vector<Case> volc_cases() {
  return {make_case("pf.a", "volcengine", {S("DescribeKey", {{"KeyID", "k"}}).code("")}),
          make_case("pf.b", "volcengine", {S("Encrypt", {{"KeyID", "k"}}).code("")})};
}

std::vector<Case> ali_cases() {
  return {make_case("pf.ali", "alibaba", {S("DescribeKey", {{"KeyId", "k"}}).code("")})};
}

json volc_regions(std::vector<std::string> ids) {
  json list = json::array();
  for (const auto& id : ids) list.push_back({{"RegionId", id}});
  return {{"Regions", list}};
}

// Every case NotRun, the run stopped by the preflight with a message holding `says`; returns
// the report.
void expect_stopped(const RunReport& report, const std::string& says) {
  EXPECT_EQ(report.stopped, "preflight");
  EXPECT_THAT(report.stop_message, HasSubstr(says));
  for (const auto& r : report.results) EXPECT_EQ(r.outcome, Outcome::NotRun) << r.id;
  EXPECT_EQ(conformance::exit_code(report), 3);
}

TEST(Preflight, RefusedCredentialStopsTheRunNamingWhereItCameFrom) {
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    return volc_error(401, action, "SignatureDoesNotMatch",
                      "The request signature we calculated does not match");
  });
  RunReport report = conformance::run(volc_cases(), remote(fake.url(), "volcengine"));
  expect_stopped(report, "the volcengine credentials were refused (SignatureDoesNotMatch)");
  EXPECT_THAT(report.stop_message, HasSubstr("--credentials creds.json"));
  EXPECT_EQ(fake.actions(), std::vector<std::string>{"DescribeRegions"}) << "no case was sent";
}

TEST(Preflight, RegionTheEndpointDoesNotServeStopsTheRunNamingTheOption) {
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    return volc_ok(action, volc_regions({"cn-beijing", "cn-shanghai"}));
  });
  RunOptions o = remote(fake.url(), "volcengine");
  o.region = "cn-bejing";
  RunReport report = conformance::run(volc_cases(), o);
  expect_stopped(report, "region cn-bejing is not among the regions");
  EXPECT_THAT(report.stop_message, HasSubstr("cn-beijing, cn-shanghai"));
  EXPECT_THAT(report.stop_message, HasSubstr("--region volcengine=REGION"));
}

TEST(Preflight, RegionRefusedByTheGatewayAndClockSkewAreNamed) {
  const struct {
    const char* code;
    int status;
    const char* says;
  } answers[] = {
      {"MissingRequestInfo", 400, "region cn-beijing was refused (MissingRequestInfo)"},
      {"InvalidTimestamp", 403, "this machine's clock is off"},
      {"KMS_ServiceNotOpen", 403, "KMS is not open on the credential's account"},
  };
  for (const auto& answer : answers) {
    SCOPED_TRACE(answer.code);
    FakeKms fake([&](const HttpRequest&, const std::string& action) {
      return volc_error(answer.status, action, answer.code, "refused");
    });
    expect_stopped(conformance::run(volc_cases(), remote(fake.url(), "volcengine")), answer.says);
  }
}

TEST(Preflight, EndpointOfTheOtherDialectIsNamed) {
  FakeKms volc([](const HttpRequest&, const std::string& action) {
    return volc_error(400, action, "InvalidActionOrVersion", "unknown action");
  });
  expect_stopped(conformance::run(ali_cases(), remote(volc.url(), "alibaba")),
                 "answers in the volcengine dialect, not alibaba");
  FakeKms ali([](const HttpRequest&, const std::string&) {
    return ali_error(400, "InvalidVersion", "Specified parameter Version is not valid.");
  });
  RunReport report = conformance::run(volc_cases(), remote(ali.url(), "volcengine"));
  expect_stopped(report, "answers in the alibaba dialect, not volcengine");
  EXPECT_THAT(report.stop_message, HasSubstr("--endpoint volcengine=URL"));
}

TEST(Preflight, SomethingThatIsNoKmsIsNamed) {
  FakeKms web([](const HttpRequest&, const std::string&) {
    HttpResponse page;
    page.status = 404;
    page.headers["Content-Type"] = "text/html";
    page.body = "<html>not here</html>";
    return page;
  });
  expect_stopped(conformance::run(volc_cases(), remote(web.url(), "volcengine")),
                 "does not answer in the volcengine dialect (HTTP 404");
}

TEST(Preflight, UnreachableEndpointIsNamed) {
  expect_stopped(conformance::run(volc_cases(), remote(refused_url(), "volcengine")),
                 "cannot reach http://127.0.0.1:");
}

TEST(Preflight, DeniedProbeLetsTheRunGoOnWithANote) {
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    if (action == "DescribeRegions") {
      return volc_error(403, action, "AccessDenied", "User is not authorized");
    }
    return volc_ok(action, json{{"KeyID", "k"}});
  });
  RunReport report = conformance::run(volc_cases(), remote(fake.url(), "volcengine"));
  EXPECT_TRUE(report.stopped.empty());
  EXPECT_EQ(report.count(Outcome::Pass), 2u);
  ASSERT_FALSE(report.notes.empty());
  EXPECT_THAT(report.notes[0], HasSubstr("credentials and region were not checked"));
}

TEST(Preflight, ThrottledProbeIsTriedAgainOnce) {
  FakeKms fake([n = 0](const HttpRequest&, const std::string& action) mutable {
    if (action == "DescribeRegions" && n++ == 0) {
      return volc_error(403, action, "Reject.Throttling.Action", "throttled");
    }
    if (action == "DescribeRegions") return volc_ok(action, volc_regions({"cn-beijing"}));
    return volc_ok(action, json{{"KeyID", "k"}});
  });
  RunReport report = conformance::run(volc_cases(), remote(fake.url(), "volcengine"));
  EXPECT_TRUE(report.stopped.empty()) << report.stop_message;
  EXPECT_EQ(fake.count("DescribeRegions"), 2u);
  EXPECT_EQ(report.count(Outcome::Pass), 2u);
}

TEST(SharedCause, FailuresThatAllShareAnAuthenticationCauseJudgeNothing) {
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    return volc_error(401, action, "InvalidAccessKey", "The access key is invalid");
  });
  RunOptions o = remote(fake.url(), "volcengine");
  o.preflight = false;
  RunReport report = conformance::run(volc_cases(), o);
  EXPECT_EQ(report.count(Outcome::Fail), 2u);
  EXPECT_THAT(report.shared_cause,
              HasSubstr("all 2 failing cases (of 2 run) were refused for one reason"));
  EXPECT_THAT(report.shared_cause, HasSubstr("credentials were refused (InvalidAccessKey)"));
  EXPECT_EQ(conformance::exit_code(report), 3);
}

TEST(SharedCause, ARefusalOfAFewCasesAmongPassesIsAFinding) {
  // E.g. a negative-auth case answered with the wrong code: a conformance failure, exit 1.
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    if (action == "Encrypt") return volc_error(401, action, "InvalidAccessKey", "invalid");
    return volc_ok(action, json{{"KeyID", "k"}});
  });
  RunOptions o = remote(fake.url(), "volcengine");
  o.preflight = false;
  RunReport report = conformance::run(volc_cases(), o);
  EXPECT_EQ(report.count(Outcome::Fail), 1u);
  EXPECT_EQ(report.count(Outcome::Pass), 1u);
  EXPECT_TRUE(report.shared_cause.empty()) << report.shared_cause;
  EXPECT_EQ(conformance::exit_code(report), 1);
}

TEST(SharedCause, OneFailureOfAnotherKindKeepsTheVerdict) {
  FakeKms fake([](const HttpRequest&, const std::string& action) {
    if (action == "Encrypt") return volc_error(400, action, "InvalidParameter", "bad");
    return volc_error(401, action, "InvalidAccessKey", "The access key is invalid");
  });
  RunOptions o = remote(fake.url(), "volcengine");
  o.preflight = false;
  RunReport report = conformance::run(volc_cases(), o);
  EXPECT_EQ(report.count(Outcome::Fail), 2u);
  EXPECT_TRUE(report.shared_cause.empty()) << report.shared_cause;
  EXPECT_EQ(conformance::exit_code(report), 1);
}

TEST(RunIdentityOf, RecordsDialectsEndpointsAndSelection) {
  RunOptions o = remote("HTTPS://kms.example.com:443/", "volcengine");
  o.dialects = {"volcengine", "alibaba"};
  o.filters = {"volc.*", "ali.keys.*"};
  o.tags = {"keys", "crypto"};
  o.features = std::set<std::string>{"multi-region"};
  o.regions["alibaba"] = "cn-shanghai";
  auto identity = conformance::identity_of(volc_cases(), o);
  EXPECT_EQ(identity.dialects, (std::vector<std::string>{"alibaba", "volcengine"}));
  EXPECT_EQ(identity.endpoints.at("volcengine"), "https://kms.example.com");
  EXPECT_EQ(identity.endpoints.at("alibaba"), "https://kms.example.com");
  o.endpoint.clear();  // in-process
  EXPECT_EQ(conformance::identity_of(volc_cases(), o).endpoints.at("volcengine"), "in-process");
  EXPECT_EQ(identity.filters, (std::vector<std::string>{"ali.keys.*", "volc.*"}));
  EXPECT_EQ(identity.tags, (std::vector<std::string>{"crypto", "keys"}));
  // Only features the selected cases need, and only those the run enables: none of these two
  // cases needs one.
  EXPECT_TRUE(identity.features.empty());
  EXPECT_EQ(identity.regions.at("volcengine"), "cn-beijing");
  EXPECT_EQ(identity.regions.at("alibaba"), "cn-shanghai");
  o.filters.clear();  // select pf.a and pf.b
  o.tags.clear();
  std::vector<Case> needing = volc_cases();
  needing[0].features = {"multi-region"};
  needing[1].features = {"sts-credentials"};  // the credential has no session token
  EXPECT_EQ(conformance::identity_of(needing, o).features,
            std::vector<std::string>{"volcengine:multi-region"});
  o.endpoint = "https://kms.example.com";
  o.features.reset();  // the default for a remote endpoint: sts-credentials with a token only
  o.credentials["volcengine"].session_token = "a-session-token-value";
  EXPECT_EQ(conformance::identity_of(needing, o).features,
            (std::vector<std::string>{"volcengine:multi-region", "volcengine:sts-credentials"}));
  EXPECT_THAT(identity.suite_fingerprint, ::testing::StartsWith("sha256:"));
}

}  // namespace
}  // namespace kmsconf::testing
