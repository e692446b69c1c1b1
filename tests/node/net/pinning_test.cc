#include "node/net/pinning.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <array>

#include "node/net/openssl_util.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::net {
namespace {

std::array<uint8_t, 32> Key(uint8_t fill) {
  std::array<uint8_t, 32> key;
  key.fill(fill);
  return key;
}

TEST(PinSetTest, FindsPinnedPeersOnly) {
  PinSet pins;
  ASSERT_TRUE(pins.Add("leerplicht-haarlem", Key(1)).has_value());
  ASSERT_TRUE(pins.Add("swv-po-2701", Key(2)).has_value());
  EXPECT_EQ(pins.size(), 2u);
  EXPECT_EQ(pins.Find(Key(1)), "leerplicht-haarlem");
  EXPECT_EQ(pins.Find(Key(2)), "swv-po-2701");
  EXPECT_FALSE(pins.Find(Key(3)).has_value());
  std::array<uint8_t, 32> almost = Key(1);
  almost[31] ^= 0x01;
  EXPECT_FALSE(pins.Find(almost).has_value());
}

TEST(PinVerifierTest, ReplacedPinsApplyWholeAndEarlierSnapshotsStay) {
  PinSet before;
  ASSERT_TRUE(before.Add("leerplicht-haarlem", Key(1)).has_value());
  PinVerifier verifier(std::move(before));
  const std::shared_ptr<const PinSet> old = verifier.pins();
  PinSet after;
  ASSERT_TRUE(after.Add("swv-po-2701", Key(2)).has_value());
  verifier.ReplacePins(std::move(after));
  EXPECT_FALSE(verifier.pins()->Find(Key(1)).has_value()) << "a removed peer is no longer trusted";
  EXPECT_EQ(verifier.pins()->Find(Key(2)), "swv-po-2701");
  // A snapshot taken before (a handshake in progress) is unchanged.
  EXPECT_EQ(old->Find(Key(1)), "leerplicht-haarlem");
}

TEST(PinSetTest, RefusesDuplicatesAndEmptyNames) {
  PinSet pins;
  ASSERT_TRUE(pins.Add("a", Key(1)).has_value());
  Status same_key = pins.Add("b", Key(1));
  ASSERT_FALSE(same_key.has_value());
  EXPECT_EQ(same_key.error().code, ErrorCode::kAlreadyExists);
  Status same_name = pins.Add("a", Key(2));
  ASSERT_FALSE(same_name.has_value());
  EXPECT_EQ(same_name.error().code, ErrorCode::kAlreadyExists);
  Status empty = pins.Add("", Key(3));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(pins.size(), 1u);
}

TEST(PinSetTest, MatchesCertificatesByTheirEd25519Key) {
  Result<TlsIdentity> identity = TlsIdentity::Create(Key(7), "node");
  ASSERT_TRUE(identity.has_value());
  PinSet pins;
  ASSERT_TRUE(pins.Add("node", identity->public_key()).has_value());
  EXPECT_EQ(pins.FindCertificate(*identity->certificate()), "node");

  PinSet others;
  ASSERT_TRUE(others.Add("other", Key(8)).has_value());
  EXPECT_FALSE(others.FindCertificate(*identity->certificate()).has_value());
}

TEST(PinSetTest, IgnoresCertificatesWithOtherKeyTypes) {
  // An EC P-256 certificate: never accepted, whatever its bytes happen to be.
  EvpPkeyPtr ec(EVP_EC_gen("P-256"));
  ASSERT_NE(ec, nullptr);
  X509Ptr cert(X509_new());
  ASSERT_EQ(X509_set_pubkey(cert.get(), ec.get()), 1);
  EXPECT_FALSE(Ed25519KeyOf(*cert).has_value());
  PinSet pins;
  ASSERT_TRUE(pins.Add("node", Key(9)).has_value());
  EXPECT_FALSE(pins.FindCertificate(*cert).has_value());
}

}  // namespace
}  // namespace inbeeld::node::net
