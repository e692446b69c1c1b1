#include "node/net/openssl_util.h"

#include <openssl/err.h>

namespace inbeeld::node::net {

std::string DrainOpenSslErrors() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    if (!text.empty()) text += "; ";
    text += reason != nullptr ? reason : "unknown OpenSSL error";
  }
  return text.empty() ? std::string("no OpenSSL error recorded") : text;
}

}  // namespace inbeeld::node::net
