// Happy paths of the tag (spec §3.8) and account/service (§3.9) operations over HTTP:
// TagResource, UntagResource, ListResourceTags, TagResources, UntagResources, ListTagResources,
// DescribeRegions, DescribeAccountKmsStatus. Response fields one by one, and the effect (the
// tags a key carries afterwards, and what ListKeys' TagKey filter sees).
#include "tests/reference_server/alibaba/operations_support.hpp"

namespace kmsconf::testing {
namespace {

using Tags = std::map<std::string, std::string>;
using AlibabaAccountOperationsTest = AlibabaOperationsTest;

class AlibabaTagOperationsTest : public AlibabaOperationsTest {
 protected:
  // ListResourceTags of one key, rows checked field by field; as a map.
  Tags tags_of(const std::string& key, client::AlibabaCallOptions options = {}) {
    json body = success("ListResourceTags", {{"KeyId", key}}, {"Tags"}, std::move(options));
    std::string id = key.rfind("alias/", 0) == 0 ? describe(key).value("KeyId", "") : key;
    Tags out;
    for (const auto& row : items(body, "Tags", "Tag")) {
      EXPECT_EQ(names_of(row), (std::set<std::string>{"KeyId", "TagKey", "TagValue"})) << row;
      EXPECT_EQ(row.value("KeyId", json()), id);
      out[text_of(row, "TagKey")] = text_of(row, "TagValue");
    }
    return out;
  }

  // The batch APIs' common part: RegionId, ResourceType=key, ResourceId.N (§3.8).
  json batch(const std::vector<std::string>& ids) {
    json params{{"RegionId", kAliRegion}, {"ResourceType", "key"}};
    for (size_t i = 0; i < ids.size(); ++i) params["ResourceId." + std::to_string(i + 1)] = ids[i];
    return params;
  }

  struct Row {
    std::string id, key, value;
    bool operator==(const Row&) const = default;
  };

  // ListTagResources rows, checked field by field.
  std::vector<Row> tag_rows(const json& body) {
    std::vector<Row> out;
    for (const auto& row : items(body, "TagResources", "TagResource")) {
      EXPECT_EQ(names_of(row),
                (std::set<std::string>{"ResourceId", "ResourceType", "TagKey", "TagValue"}))
          << row;
      EXPECT_EQ(row.value("ResourceType", json()), "key");
      out.push_back({text_of(row, "ResourceId"), text_of(row, "TagKey"), text_of(row, "TagValue")});
    }
    return out;
  }
};

// ---- TagResource / ListResourceTags / UntagResource ------------------------------------------

TEST_F(AlibabaTagOperationsTest, TagResourceAddsAndOverwritesTags) {
  std::string id = create_key();
  done("TagResource",
       {{"KeyId", id},
        {"Tags", json::array({{{"TagKey", "env"}, {"TagValue", "prod"}},
                              {{"TagKey", "team/a:b@c"}, {"TagValue", "v+1=2.3_4-5"}}})}},
       signed_with(AlibabaSigning::V1PopCore));
  EXPECT_EQ(tags_of(id), (Tags{{"env", "prod"}, {"team/a:b@c", "v+1=2.3_4-5"}}));

  // A second call adds to the set and overwrites a key's value; by alias and ARN too.
  done("CreateAlias", {{"AliasName", "alias/tagged"}, {"KeyId", id}});
  done("TagResource",
       {{"KeyId", "alias/tagged"}, {"Tags", R"([{"TagKey":"env","TagValue":"staging"}])"}},
       signed_with(AlibabaSigning::V3, "GET"));
  done("TagResource", {{"KeyId", key_arn(id)}, {"Tags", R"([{"TagKey":"owner","TagValue":""}])"}},
       signed_with(AlibabaSigning::V1Tea));
  EXPECT_EQ(tags_of(id), (Tags{{"env", "staging"}, {"owner", ""}, {"team/a:b@c", "v+1=2.3_4-5"}}));
  // ListKeys sees the tags.
  json keys = success("ListKeys", {{"Filters", R"([{"Key":"TagKey","Values":["owner"]}])"}},
                      {"Keys", "TotalCount", "PageNumber", "PageSize"});
  auto rows = items(keys, "Keys", "Key");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value("KeyId", json()), id);
}

TEST_F(AlibabaTagOperationsTest, ListResourceTagsListsTheKeysTags) {
  std::string id =
      create_key({{"Tags", R"([{"TagKey":"a","TagValue":"1"},{"TagKey":"b","TagValue":"2"}])"}});
  EXPECT_EQ(tags_of(id, signed_with(AlibabaSigning::V1Tea, "GET")), (Tags{{"a", "1"}, {"b", "2"}}));
  done("CreateAlias", {{"AliasName", "alias/lrt"}, {"KeyId", id}});
  EXPECT_EQ(tags_of("alias/lrt", signed_with(AlibabaSigning::V3FormBody)),
            (Tags{{"a", "1"}, {"b", "2"}}));
  // No tags: an empty, still wrapped list.
  std::string bare = create_key();
  json body = success("ListResourceTags", {{"KeyId", bare}}, {"Tags"});
  EXPECT_TRUE(items(body, "Tags", "Tag").empty());
}

TEST_F(AlibabaTagOperationsTest, UntagResourceRemovesTheNamedKeys) {
  std::string id = create_key(
      {{"Tags",
        R"([{"TagKey":"a","TagValue":"1"},{"TagKey":"b","TagValue":"2"},{"TagKey":"c","TagValue":"3"}])"}});
  done("UntagResource", {{"KeyId", id}, {"TagKeys", json::array({"a", "c"})}},
       signed_with(AlibabaSigning::V3FormBody));
  EXPECT_EQ(tags_of(id), (Tags{{"b", "2"}}));
  // A key that is not there is no error.
  done("UntagResource", {{"KeyId", id}, {"TagKeys", R"(["b","absent"])"}},
       signed_with(AlibabaSigning::V1PopCore, "GET"));
  EXPECT_TRUE(tags_of(id).empty());
}

// ---- TagResources / UntagResources / ListTagResources ----------------------------------------

TEST_F(AlibabaTagOperationsTest, TagResourcesTagsEveryNamedKey) {
  std::string a = create_key();
  std::string b = create_key();
  std::string untouched = create_key();
  json params = batch({a, b});
  params["Tag.1.Key"] = "env";
  params["Tag.1.Value"] = "prod";
  params["Tag.2.Key"] = "cost";
  params["Tag.2.Value"] = "42";
  done("TagResources", params, signed_with(AlibabaSigning::V1Tea));
  EXPECT_EQ(tags_of(a), (Tags{{"cost", "42"}, {"env", "prod"}}));
  EXPECT_EQ(tags_of(b), (Tags{{"cost", "42"}, {"env", "prod"}}));
  EXPECT_TRUE(tags_of(untouched).empty());

  // GET, V3: the flattened names travel in the query.
  json more = batch({b});
  more["Tag.1.Key"] = "env";
  more["Tag.1.Value"] = "dev";
  done("TagResources", more, signed_with(AlibabaSigning::V3, "GET"));
  EXPECT_EQ(tags_of(b), (Tags{{"cost", "42"}, {"env", "dev"}}));
}

TEST_F(AlibabaTagOperationsTest, UntagResourcesRemovesKeysWherePresentOrAll) {
  std::string a =
      create_key({{"Tags", R"([{"TagKey":"x","TagValue":"1"},{"TagKey":"y","TagValue":"2"}])"}});
  std::string b =
      create_key({{"Tags", R"([{"TagKey":"y","TagValue":"3"},{"TagKey":"z","TagValue":"4"}])"}});
  json params = batch({a, b});
  params["TagKey.1"] = "x";
  params["TagKey.2"] = "z";
  // x is only on a, z only on b: each is removed where present (§3.8).
  done("UntagResources", params, signed_with(AlibabaSigning::V1PopCore));
  EXPECT_EQ(tags_of(a), (Tags{{"y", "2"}}));
  EXPECT_EQ(tags_of(b), (Tags{{"y", "3"}}));

  json all = batch({a, b});
  all["All"] = true;
  done("UntagResources", all, signed_with(AlibabaSigning::V3FormBody, "GET"));
  EXPECT_TRUE(tags_of(a).empty());
  EXPECT_TRUE(tags_of(b).empty());
}

TEST_F(AlibabaTagOperationsTest, ListTagResourcesListsRowsPerKeyAndTag) {
  std::string a = create_key(
      {{"Tags", R"([{"TagKey":"env","TagValue":"prod"},{"TagKey":"team","TagValue":"x"}])"}});
  std::string b = create_key({{"Tags", R"([{"TagKey":"env","TagValue":"dev"}])"}});
  create_key();  // no tags: no rows

  const std::set<std::string> fields{"TagResources", "NextToken"};
  json named =
      success("ListTagResources", batch({a, b}), fields, signed_with(AlibabaSigning::V1Tea));
  EXPECT_EQ(tag_rows(named),
            (std::vector<Row>{{a, "env", "prod"}, {a, "team", "x"}, {b, "env", "dev"}}));
  EXPECT_EQ(named.value("NextToken", json()), "") << "\"\" marks the last page";

  // Only one key's rows; a Tag.N filter on key (any value) or key and value.
  EXPECT_EQ(tag_rows(success("ListTagResources", batch({b}), fields)),
            (std::vector<Row>{{b, "env", "dev"}}));
  json by_key = batch({a, b});
  by_key["Tag.1.Key"] = "env";
  EXPECT_EQ(
      tag_rows(success("ListTagResources", by_key, fields, signed_with(AlibabaSigning::V3, "GET"))),
      (std::vector<Row>{{a, "env", "prod"}, {b, "env", "dev"}}));
  json by_pair = batch({a, b});
  by_pair["Tag.1.Key"] = "env";
  by_pair["Tag.1.Value"] = "dev";
  EXPECT_EQ(tag_rows(success("ListTagResources", by_pair, fields)),
            (std::vector<Row>{{b, "env", "dev"}}));
}

TEST_F(AlibabaTagOperationsTest, ListTagResourcesPagesWithNextToken) {
  // 11 keys x 20 tags = 220 rows: one full page of 200 rows, then 20 (§3.8).
  std::vector<std::string> ids;
  for (int i = 0; i < 11; ++i) ids.push_back(create_key());
  json params = batch(ids);
  for (int t = 1; t <= 20; ++t) {
    // Built with += : GCC 12's -Wrestrict misfires on chained operator+ at -O3.
    std::string prefix = "Tag.";
    prefix += std::to_string(t);
    std::string tag = "k";
    tag += std::to_string(100 + t);
    params[prefix + ".Key"] = tag;
    params[prefix + ".Value"] = "v";
  }
  done("TagResources", params, signed_with(AlibabaSigning::V3FormBody));

  const std::set<std::string> fields{"TagResources", "NextToken"};
  json first =
      success("ListTagResources", batch(ids), fields, signed_with(AlibabaSigning::V1PopCore));
  auto page1 = tag_rows(first);
  EXPECT_EQ(page1.size(), 200u);
  std::string token = first.value("NextToken", "");
  ASSERT_FALSE(token.empty());
  json next = batch(ids);
  next["NextToken"] = token;
  json second =
      success("ListTagResources", next, fields, signed_with(AlibabaSigning::V1Tea, "GET"));
  auto page2 = tag_rows(second);
  EXPECT_EQ(page2.size(), 20u);
  EXPECT_EQ(second.value("NextToken", json()), "");
  // Every (key, tag) exactly once across the pages.
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& rows : {page1, page2}) {
    for (const auto& row : rows) seen.insert({row.id, row.key});
  }
  EXPECT_EQ(seen.size(), 220u);
}

// ---- DescribeRegions / DescribeAccountKmsStatus ----------------------------------------------

TEST_F(AlibabaAccountOperationsTest, DescribeRegionsListsTheRegionsWrapped) {
  for (auto signing : {AlibabaSigning::V1PopCore, AlibabaSigning::V3}) {
    for (const char* method : {"POST", "GET"}) {
      SCOPED_TRACE(std::string(signing_name(signing)) + " " + method);
      json body =
          success("DescribeRegions", json::object(), {"Regions"}, signed_with(signing, method));
      std::vector<std::string> regions;
      for (const auto& row : items(body, "Regions", "Region")) {
        EXPECT_EQ(names_of(row), std::set<std::string>{"RegionId"}) << row;
        regions.push_back(text_of(row, "RegionId"));
      }
      // The endpoint's home region first, then the others the server knows.
      EXPECT_EQ(regions, (std::vector<std::string>{"cn-hangzhou", "cn-shanghai", "cn-beijing",
                                                   "cn-shenzhen", "ap-southeast-1"}));
    }
  }
}

TEST_F(AlibabaAccountOperationsTest, DescribeAccountKmsStatusSaysEnabled) {
  for (auto signing : {AlibabaSigning::V1Tea, AlibabaSigning::V3FormBody}) {
    SCOPED_TRACE(signing_name(signing));
    json body = success("DescribeAccountKmsStatus", json::object(), {"AccountStatus"},
                        signed_with(signing));
    EXPECT_EQ(body.value("AccountStatus", json()), "Enabled");
  }
  // A closed account says NotEnabled, and the call itself still works (§3.9).
  server_->engine().set_service_open(kAliAccount, false);
  json closed = success("DescribeAccountKmsStatus", json::object(), {"AccountStatus"},
                        signed_with(AlibabaSigning::V1PopCore, "GET"));
  EXPECT_EQ(closed.value("AccountStatus", json()), "NotEnabled");
}

}  // namespace
}  // namespace kmsconf::testing
