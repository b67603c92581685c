// The provocation table of the Volcengine error tests: for every catalog code the reference
// server can send, one request that provokes it over HTTP (spec §1.4, §2.4, §2.6), and the check
// that runs it. Individual tests start from these; errors_test.cpp runs them all.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "tests/reference_server/volcengine/errors_fixture.hpp"

namespace kmsconf::testing::volc_errors {

using nlohmann::json;

const std::vector<ErrorCatalogHttpTest::Provocation>& ErrorCatalogHttpTest::provocations() {
  using T = ErrorCatalogHttpTest;
  using R = client::CallResult;
  static const std::vector<Provocation> table{
      // §1.4 business codes, on the seed's ReplicateKey where it can raise them.
      {ErrorCode::InvalidParameter,
       ServerSetup::Plain,
       "ReplicateKey without ReplicaRegion",
       {"ReplicaRegion"},
       [](T& t) -> R {
         return t.call("ReplicateKey", {{"KeyID", t.create_mrk("mrk-p-a")}});
       }},
      {ErrorCode::InvalidOperation,
       ServerSetup::Plain,
       "ReplicateKey of a single-region key",
       {},
       [](T& t) -> R {
         std::string plain = t.create_key("ring", "plain-p");
         return t.call("ReplicateKey", {{"KeyID", plain}, {"ReplicaRegion", "cn-shanghai"}});
       }},
      {ErrorCode::InvalidKeyStatus,
       ServerSetup::Plain,
       "ReplicateKey of a disabled key",
       {"Disable"},
       [](T& t) -> R {
         std::string id = t.create_mrk("mrk-p-d");
         t.ok("DisableKey", {{"KeyID", id}});
         return t.call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}});
       }},
      {ErrorCode::InvalidReplicaRegion,
       ServerSetup::Plain,
       "ReplicateKey to an unknown region",
       {"eu-nowhere-9"},
       [](T& t) -> R {
         std::string id = t.create_mrk("mrk-p-c");
         return t.call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "eu-nowhere-9"}});
       }},
      {ErrorCode::RejectThrottlingAction,
       ServerSetup::Throttled,
       "a second ReplicateKey from a 1-token bucket",
       {"ReplicateKey"},
       [](T& t) -> R {
         std::string id = t.create_mrk("mrk-p-g");
         t.ok("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}});
         return t.call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-guangzhou"}});
       }},
      {ErrorCode::AccessDenied,
       ServerSetup::Plain,
       "ReplicateKey by a credential without it",
       {},
       [](T& t) -> R {
         std::string id = t.create_mrk("mrk-p-e");
         auto restricted = t.make_client(kRestrictedAk, kRestrictedSk);
         return t.call_as(*restricted, "ReplicateKey",
                          {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}});
       }},
      {ErrorCode::KmsServiceNotOpen,
       ServerSetup::Plain,
       "ReplicateKey of a closed account",
       {},
       [](T& t) -> R {
         auto closed = t.make_client(kClosedAk, kClosedSk);
         return t.call_as(*closed, "ReplicateKey",
                          {{"KeyID", kUnknownKeyId}, {"ReplicaRegion", "cn-shanghai"}});
       }},
      {ErrorCode::NotFound,
       ServerSetup::Plain,
       "ReplicateKey of an unknown key",
       {"key", kUnknownKeyId},
       [](T& t) -> R {
         return t.call("ReplicateKey",
                       {{"KeyID", kUnknownKeyId}, {"ReplicaRegion", "cn-shanghai"}});
       }},
      {ErrorCode::Conflict,
       ServerSetup::Plain,
       "ReplicateKey to a region that has the replica",
       {"key", "mrk-p-f in cn-shanghai"},
       [](T& t) -> R {
         std::string id = t.create_mrk("mrk-p-f");
         t.ok("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}});
         return t.call("ReplicateKey", {{"KeyID", id}, {"ReplicaRegion", "cn-shanghai"}});
       }},
      {ErrorCode::UndefinedError,
       ServerSetup::FaultInjection,
       "the UndefinedError fault",
       {},
       [](T& t) -> R {
         return t.call("DescribeKeyrings", json::object(),
                       with_fault(std::string(server::kFaultUndefinedError)));
       }},

      // §2.6 gateway codes, in the order of §2.4.
      {ErrorCode::MissingParameter,
       ServerSetup::Plain,
       "a query without Action",
       {"Action"},
       [](T& t) -> R {
         return t.call("DescribeRegions", json::object(),
                       tampered([](HttpRequest& r) { r.raw_query = "Version=2021-02-18"; }));
       }},
      {ErrorCode::InvalidActionOrVersion,
       ServerSetup::Plain,
       "Action=NoSuchAction",
       {"NoSuchAction", wire::kVersion},
       [](T& t) -> R { return t.call("NoSuchAction"); }},
      {ErrorCode::MissingAuthenticationToken,
       ServerSetup::Plain,
       "no Authorization header",
       {},
       [](T& t) -> R {
         return t.call("DescribeRegions", json::object(), tampered(erase_header("Authorization")));
       }},
      {ErrorCode::InvalidAuthorization,
       ServerSetup::Plain,
       "a Bearer Authorization header",
       {},
       [](T& t) -> R {
         return t.call("DescribeRegions", json::object(),
                       tampered(set_header("Authorization", "Bearer abc")));
       }},
      {ErrorCode::InvalidCredential,
       ServerSetup::Plain,
       "a Credential with a 7-digit date",
       {},
       [](T& t) -> R {
         return t.call("DescribeRegions", json::object(),
                       tampered(set_header("Authorization",
                                           "HMAC-SHA256 Credential=AKLT/2024121/cn-beijing/kms/"
                                           "request, SignedHeaders=x-date, Signature=abcdef")));
       }},
      {ErrorCode::MissingSignature,
       ServerSetup::Plain,
       "an Authorization without Signature",
       {},
       [](T& t) -> R {
         auto drop_signature = [](HttpRequest& r) {
           std::string& value = r.headers["Authorization"];
           value.erase(value.find(", Signature="));
         };
         return t.call("DescribeRegions", json::object(), tampered(drop_signature));
       }},
      {ErrorCode::MissingRequestInfo,
       ServerSetup::Plain,
       "an unknown region",
       {"region"},
       [](T& t) -> R {
         client::CallOptions mars;
         mars.region = "mars-north-1";
         return t.call("DescribeRegions", json::object(), mars);
       }},
      {ErrorCode::InvalidTimestamp,
       ServerSetup::Plain,
       "an X-Date 16 min ahead",
       {},
       [](T& t) -> R {
         client::CallOptions options;
         options.x_date = volcengine::format_x_date(t.clock_->now() + std::chrono::minutes(16));
         return t.call("DescribeRegions", json::object(), options);
       }},
      {ErrorCode::InvalidAccessKey,
       ServerSetup::Plain,
       "an access key nobody has",
       {"AKLTnobodyknowsme0001"},
       [](T& t) -> R {
         auto stranger = t.make_client("AKLTnobodyknowsme0001", kSecretKey);
         return t.call_as(*stranger, "DescribeRegions");
       }},
      {ErrorCode::SignatureDoesNotMatch,
       ServerSetup::Plain,
       "signed with a wrong secret",
       {},
       [](T& t) -> R {
         auto wrong = t.make_client(kAccessKey, "bm90LXRoZS1yaWdodC1zZWNyZXQ=");
         return t.call_as(*wrong, "DescribeRegions");
       }},
      {ErrorCode::InvalidSecretToken,
       ServerSetup::Plain,
       "an STS key with another token",
       {"token does not match the access key"},
       [](T& t) -> R {
         auto wrong_token = t.make_client(kStsAk, kStsSk, "STS2bm90LXRoZS10b2tlbg==");
         return t.call_as(*wrong_token, "DescribeRegions");
       }},
  };
  return table;
}

::testing::AssertionResult ErrorCatalogHttpTest::provokes(ErrorCode code) {
  const std::string name(volcengine::error_info(code).name);
  const auto& table = provocations();
  auto entry = std::find_if(table.begin(), table.end(),
                            [code](const Provocation& p) { return p.code == code; });
  if (entry == table.end()) {
    return ::testing::AssertionFailure() << name << " has no provocation";
  }
  if (entry->setup != server_setup()) {
    return ::testing::AssertionFailure()
           << "the provocation of " << name << " needs setup " << setup_name(entry->setup)
           << ", this server is " << setup_name(server_setup());
  }
  auto checked = wire::is_error(entry->send(*this), code, entry->args);
  if (!checked) {
    return ::testing::AssertionFailure()
           << "the provocation of " << name << " (" << entry->what << ") " << checked.message();
  }
  return checked;
}

}  // namespace kmsconf::testing::volc_errors
