#include "tests/reference_server/alibaba/fixture.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;

class AlibabaSmokeTest : public AlibabaServerTest {};

TEST_F(AlibabaSmokeTest, EncryptDecryptRoundTripOverHttpWithEachSigning) {
  for (auto signing : {client::AlibabaSigning::V1PopCore, client::AlibabaSigning::V1Tea,
                       client::AlibabaSigning::V3, client::AlibabaSigning::V3FormBody}) {
    client::AlibabaCallOptions options;
    options.signing = signing;
    std::string id = create_key();
    std::string plaintext = base64_encode("hello");
    json sealed = ok("Encrypt", {{"KeyId", id}, {"Plaintext", plaintext}}, options);
    json opened = ok("Decrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}}, options);
    EXPECT_EQ(opened["Plaintext"], plaintext);
    EXPECT_EQ(opened["KeyId"], id);
    EXPECT_EQ(opened["KeyVersionId"], sealed["KeyVersionId"]);
  }
}

}  // namespace
}  // namespace kmsconf::testing
