#include "tests/reference_server/volcengine/fixture.hpp"

namespace kmsconf::testing {
namespace {

using nlohmann::json;

class SmokeTest : public VolcengineServerTest {};

TEST_F(SmokeTest, EncryptDecryptRoundTripOverHttp) {
  std::string id = create_key("ring", "key");
  std::string plaintext = base64_encode("hello");
  json sealed = ok("Encrypt", {{"KeyID", id}, {"Plaintext", plaintext}});
  json opened = ok("Decrypt", {{"CiphertextBlob", sealed["CiphertextBlob"]}});
  EXPECT_EQ(opened["Plaintext"], plaintext);
  EXPECT_EQ(opened["KeyringName"], "ring");
  EXPECT_EQ(opened["KeyName"], "key");
}

}  // namespace
}  // namespace kmsconf::testing
