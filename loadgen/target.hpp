// What a load run talks to: endpoint, dialect (none: plain unsigned GETs), credential, region and
// transport options, fixed before anything is sent.
#pragma once

#include <string>

#include "client/dialect.hpp"
#include "client/http_client.hpp"

namespace kmsconf::loadgen {

struct Target {
  const client::DialectDescriptor* dialect = nullptr;  // null: --dialect none
  client::Endpoint endpoint;
  std::string path = "/";  // --dialect none: the URL's path (and query)
  client::Credentials credentials;
  std::string region;
  client::ClientOptions transport;  // per-request timeout, CA file, --insecure
};

}  // namespace kmsconf::loadgen
