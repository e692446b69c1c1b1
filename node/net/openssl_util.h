// node/net/openssl_util.h — owning pointers for OpenSSL objects, and OpenSSL's
// error queue turned into text for error messages.
//
// Thread safety: the pointer types are plain unique_ptrs. DrainOpenSslErrors()
// reads the calling thread's error queue (OpenSSL keeps one per thread).
#ifndef INBEELD_NODE_NET_OPENSSL_UTIL_H_
#define INBEELD_NODE_NET_OPENSSL_UTIL_H_

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace inbeeld::node::net {

template <auto FreeFn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL_free>>;

// Empties this thread's OpenSSL error queue and returns its reasons joined by
// "; " (e.g. "sslv3 alert bad certificate"), or "no OpenSSL error recorded".
// Reasons name what failed, never key material.
std::string DrainOpenSslErrors();

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_OPENSSL_UTIL_H_
