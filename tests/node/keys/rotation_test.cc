// KeyRotation (schema/key_rotation.h) and its verification
// (node/keys/rotation.h): the strict decoder against malformed, truncated,
// oversized and hostile bytes, and the receiver against forged, altered,
// replayed, stale and misdirected announcements.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/signing.h"
#include "node/keys/rotation.h"
#include "schema/key_rotation.h"

namespace inbeeld {
namespace {

using node::keys::Announce;
using node::keys::RotationReceiver;

constexpr uint64_t kNow = 1'795'000'000;  // a fixed instant; no test reads the clock

crypto::SigningKey Key(uint8_t seed) {
  std::vector<uint8_t> bytes(32, seed);
  return *crypto::SigningKey::FromSeed(bytes);
}

class KeyRotationTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> Message(uint64_t issued_at = kNow, const std::string& name = "Leerplicht Haarlem") {
    auto m = Announce(old_, new_, name, issued_at);
    EXPECT_TRUE(m) << m.error().message;
    return *m;
  }
  Result<node::keys::AcceptedRotation> Verify(const std::vector<uint8_t>& body,
                                              uint64_t last = 0, uint64_t now = kNow) {
    return RotationReceiver::Verify(body, old_.PublicKey(), last, now);
  }
  crypto::SigningKey old_ = Key(1);
  crypto::SigningKey new_ = Key(2);
};

TEST_F(KeyRotationTest, RoundTripsAndIsAccepted) {
  auto body = Message();
  EXPECT_EQ(body.size(), 207u + 18u);
  auto decoded = schema::DecodeKeyRotation(body);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->node_name, "Leerplicht Haarlem");
  EXPECT_EQ(schema::EncodeKeyRotation(*decoded).value(), body);
  auto accepted = Verify(body);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->old_key, old_.PublicKey());
  EXPECT_EQ(accepted->new_key, new_.PublicKey());
  EXPECT_EQ(accepted->issued_at, kNow);
}

TEST_F(KeyRotationTest, EveryTruncationAndAnyTrailingByteIsRefused) {
  auto body = Message();
  for (size_t n = 0; n < body.size(); ++n) {
    auto cut = schema::DecodeKeyRotation(std::span(body).first(n));
    ASSERT_FALSE(cut) << n;
    EXPECT_EQ(cut.error().code, ErrorCode::kInvalidArgument);
  }
  auto longer = body;
  longer.push_back(0);
  auto trailing = schema::DecodeKeyRotation(longer);
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error().message.find("trailing bytes"), std::string::npos);
}

TEST_F(KeyRotationTest, HostileHeadersAndNamesAreRefusedWithoutEchoingThem) {
  auto body = Message();
  auto with = [&](size_t at, uint8_t value) {
    auto b = body;
    b[at] = value;
    return schema::DecodeKeyRotation(b);
  };
  EXPECT_FALSE(with(0, 'X'));       // magic
  EXPECT_FALSE(with(4, 1));         // version 1
  EXPECT_FALSE(with(5, 1));         // a PSI message type
  EXPECT_FALSE(with(6, 0));         // name length 0 (then the length is wrong too)
  EXPECT_FALSE(with(6, 255));       // name length larger than the message
  EXPECT_FALSE(with(7, 0x01));      // a control character in the name
  auto bad_utf8 = with(7, 0xC3);    // a lone lead byte
  ASSERT_FALSE(bad_utf8);
  EXPECT_NE(bad_utf8.error().message.find("not UTF-8"), std::string::npos);
  // Names the encoder refuses too.
  for (const std::string& name : {std::string(), std::string(129, 'a'), std::string("a\nb"),
                                  std::string("\xff")}) {
    EXPECT_FALSE(Announce(old_, new_, name, kNow)) << name.size();
  }
  EXPECT_TRUE(Announce(old_, new_, std::string(128, 'a'), kNow));
  // The same key twice.
  EXPECT_FALSE(Announce(old_, old_, "x", kNow));
  auto same = body;
  std::copy_n(body.begin() + 7 + 18, 32, same.begin() + 7 + 18 + 32);
  auto refused = schema::DecodeKeyRotation(same);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("equals the old key"), std::string::npos);
  // Errors name fields and offsets, never payload bytes.
  EXPECT_EQ(bad_utf8.error().message.find("Leerplicht"), std::string::npos);
}

TEST_F(KeyRotationTest, EveryFlippedBitIsRefused) {
  auto body = Message();
  for (size_t i = 0; i < body.size() * 8; ++i) {
    auto b = body;
    b[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    auto result = Verify(b);
    EXPECT_FALSE(result) << "bit " << i;
  }
}

TEST_F(KeyRotationTest, AnAnnouncementSignedByAnotherKeyIsRefused) {
  // Someone without the old key announces a key of their own.
  crypto::SigningKey mallory = Key(3);
  auto forged = Announce(mallory, new_, "Leerplicht Haarlem", kNow);
  ASSERT_TRUE(forged);
  auto misdirected = Verify(*forged);
  ASSERT_FALSE(misdirected);
  EXPECT_EQ(misdirected.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(misdirected.error().message.find("not the key pinned"), std::string::npos);
  // … or claims the pinned key as old key with a signature of its own.
  auto decoded = schema::DecodeKeyRotation(*forged).value();
  decoded.old_key = old_.PublicKey().bytes();
  auto signed_bytes = schema::KeyRotationSignedBytes(decoded).value();
  decoded.sig_old = mallory.Sign(signed_bytes);
  decoded.sig_new = new_.Sign(signed_bytes);
  auto claimed = Verify(schema::EncodeKeyRotation(decoded).value());
  ASSERT_FALSE(claimed);
  EXPECT_EQ(claimed.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(claimed.error().message.find("forged"), std::string::npos);
  // The old key signs, but whoever holds the new key did not.
  decoded.sig_old = old_.Sign(signed_bytes);
  decoded.sig_new = mallory.Sign(signed_bytes);
  auto no_possession = Verify(schema::EncodeKeyRotation(decoded).value());
  ASSERT_FALSE(no_possession);
  EXPECT_NE(no_possession.error().message.find("proof of possession"), std::string::npos);
}

TEST_F(KeyRotationTest, ReplayedStaleAndFutureAnnouncementsAreRefused) {
  auto body = Message(kNow);
  // Accepted once; the same again, or an older one, is a replay.
  ASSERT_TRUE(Verify(body, /*last=*/0));
  auto replay = Verify(body, /*last=*/kNow);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_FALSE(Verify(Message(kNow - 60), /*last=*/kNow));
  // After the pin moved to the new key, the old announcement is about a key
  // no longer pinned.
  auto moved = RotationReceiver::Verify(body, new_.PublicKey(), kNow, kNow);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kUnauthenticated);
  // Older than a week, or more than ten minutes ahead.
  auto stale = Verify(Message(kNow - node::keys::kMaxAgeSeconds - 1));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(Verify(Message(kNow - node::keys::kMaxAgeSeconds)));
  EXPECT_FALSE(Verify(Message(kNow + node::keys::kMaxClockSkewSeconds + 1)));
  EXPECT_TRUE(Verify(Message(kNow + node::keys::kMaxClockSkewSeconds)));
}

TEST_F(KeyRotationTest, ASignatureOfTheAuditLogIsNeverAnAnnouncement) {
  // The signed bytes start with their own domain line.
  schema::KeyRotation r = schema::DecodeKeyRotation(Message()).value();
  auto bytes = schema::KeyRotationSignedBytes(r).value();
  std::string head(bytes.begin(), bytes.begin() + schema::kKeyRotationDomain.size());
  EXPECT_EQ(head, "inbeeld/key-rotation/v1\n");
}

}  // namespace
}  // namespace inbeeld
