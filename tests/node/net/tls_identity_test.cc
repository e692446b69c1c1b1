#include "node/net/tls_identity.h"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <array>
#include <string>

#include "node/net/pinning.h"

namespace inbeeld::node::net {
namespace {

// RFC 8032, section 7.1, TEST 1.
constexpr std::array<uint8_t, 32> kRfc8032Seed = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
constexpr std::array<uint8_t, 32> kRfc8032Public = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

std::string CommonNameOf(X509* cert) {
  char buf[128] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return buf;
}

TEST(TlsIdentityTest, DerivesTheRfc8032PublicKeyFromTheSeed) {
  Result<TlsIdentity> identity = TlsIdentity::Create(kRfc8032Seed, "leerplicht-haarlem");
  ASSERT_TRUE(identity.has_value()) << identity.error().message;
  EXPECT_EQ(identity->public_key(), kRfc8032Public);
  // And the certificate carries that same key, which is what peers pin.
  std::optional<Ed25519PublicKey> in_cert = Ed25519KeyOf(*identity->certificate());
  ASSERT_TRUE(in_cert.has_value());
  EXPECT_EQ(*in_cert, kRfc8032Public);
}

TEST(TlsIdentityTest, CertificateIsSelfSignedNamedAndCurrentlyValid) {
  Result<TlsIdentity> identity = TlsIdentity::Create(kRfc8032Seed, "swv-po-2701");
  ASSERT_TRUE(identity.has_value()) << identity.error().message;
  X509* cert = identity->certificate();
  EXPECT_EQ(CommonNameOf(cert), "swv-po-2701");
  EXPECT_EQ(identity->common_name(), "swv-po-2701");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)), 0);
  EXPECT_EQ(X509_verify(cert, identity->private_key()), 1);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert)), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(cert)), 0);
  EXPECT_EQ(X509_get_version(cert), X509_VERSION_3);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  EXPECT_NE(ASN1_INTEGER_get(serial), 0);
}

TEST(TlsIdentityTest, SerialIsFreshEachTime) {
  Result<TlsIdentity> a = TlsIdentity::Create(kRfc8032Seed, "node");
  Result<TlsIdentity> b = TlsIdentity::Create(kRfc8032Seed, "node");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a->certificate()),
                             X509_get0_serialNumber(b->certificate())),
            0);
  EXPECT_EQ(a->public_key(), b->public_key());
}

TEST(TlsIdentityTest, RefusesBadNames) {
  for (std::string name :
       {std::string(), std::string(65, 'a'), std::string("node\nname"), std::string("tab\there")}) {
    Result<TlsIdentity> identity = TlsIdentity::Create(kRfc8032Seed, name);
    ASSERT_FALSE(identity.has_value()) << name;
    EXPECT_EQ(identity.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(TlsIdentity::Create(kRfc8032Seed, std::string(64, 'a')).has_value());
  EXPECT_TRUE(TlsIdentity::Create(kRfc8032Seed, "Bureau Leerplicht Zuid-Kennemerland").has_value());
}

TEST(TlsIdentityTest, MovedIdentityKeepsItsObjects) {
  Result<TlsIdentity> identity = TlsIdentity::Create(kRfc8032Seed, "node");
  ASSERT_TRUE(identity.has_value());
  X509* cert = identity->certificate();
  TlsIdentity moved = *std::move(identity);
  EXPECT_EQ(moved.certificate(), cert);
  EXPECT_EQ(moved.public_key(), kRfc8032Public);
}

}  // namespace
}  // namespace inbeeld::node::net
