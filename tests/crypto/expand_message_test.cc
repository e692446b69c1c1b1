#include "crypto/expand_message.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <ostream>
#include <string>
#include <vector>

#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::IndexName;
using testing::LoadVectorFile;
using testing::Unhex;

// RFC 9380 appendix K.3: expand_message_xmd(SHA-512), 10 vectors.
struct XmdVector {
  std::string dst;
  std::string msg;
  size_t len_in_bytes;
  std::string uniform_bytes_hex;
};
void PrintTo(const XmdVector& v, std::ostream* out) {
  std::ostream& os = *out;
  os << "len=" << v.len_in_bytes << " msg=\"" << v.msg.substr(0, 20) << "\"";
}

std::vector<XmdVector> LoadXmdVectors() {
  std::vector<XmdVector> out;
  nlohmann::json file = LoadVectorFile("rfc9380-expand_message_xmd-sha512.json");
  if (!file.is_object()) return out;
  for (const auto& t : file["tests"]) {
    out.push_back({file["DST"].get<std::string>(), t["msg"].get<std::string>(),
                   std::stoul(t["len_in_bytes"].get<std::string>(), nullptr, 16),
                   t["uniform_bytes"].get<std::string>()});
  }
  return out;
}

const std::vector<XmdVector>& XmdVectors() {
  static const std::vector<XmdVector> vectors = LoadXmdVectors();
  return vectors;
}

TEST(ExpandMessageVectorsTest, AllVectorsLoaded) { EXPECT_EQ(XmdVectors().size(), 10u); }

class ExpandMessageXmdTest : public ::testing::TestWithParam<XmdVector> {};

TEST_P(ExpandMessageXmdTest, MatchesRfc9380) {
  const XmdVector& v = GetParam();
  Result<Bytes> out = ExpandMessageXmdSha512(ToBytes(v.msg), ToBytes(v.dst), v.len_in_bytes);
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_EQ(HexEncode(*out), v.uniform_bytes_hex);
}

INSTANTIATE_TEST_SUITE_P(Rfc9380K3, ExpandMessageXmdTest, ::testing::ValuesIn(XmdVectors()),
                         IndexName());

TEST(ExpandMessageTest, RejectsZeroLength) {
  Result<Bytes> out = ExpandMessageXmdSha512(ToBytes("msg"), ToBytes("dst"), 0);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
}

TEST(ExpandMessageTest, AcceptsMaximumLength) {
  Result<Bytes> out = ExpandMessageXmdSha512(ToBytes("msg"), ToBytes("dst"), 255 * 64);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->size(), 255u * 64u);
}

TEST(ExpandMessageTest, RejectsMoreThan255Blocks) {
  for (size_t len : {size_t{255 * 64 + 1}, size_t{65535}, size_t{65536}, size_t{1} << 40}) {
    Result<Bytes> out = ExpandMessageXmdSha512(ToBytes("msg"), ToBytes("dst"), len);
    ASSERT_FALSE(out.has_value()) << len;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(ExpandMessageTest, DifferentLengthsAreUnrelated) {
  // len_in_bytes is hashed into b_0, so outputs of different lengths are
  // unrelated rather than prefixes of one another.
  Result<Bytes> a = ExpandMessageXmdSha512(ToBytes("m"), ToBytes("d"), 64);
  Result<Bytes> b = ExpandMessageXmdSha512(ToBytes("m"), ToBytes("d"), 32);
  ASSERT_TRUE(a && b);
  EXPECT_NE(Bytes(a->begin(), a->begin() + 32), *b);
}

// RFC 9380 5.3.3: a DST longer than 255 bytes is replaced by
// SHA-512("H2C-OVERSIZE-DST-" || DST).
TEST(ExpandMessageTest, OversizeDstIsHashed) {
  const Bytes long_dst(256, 'D');
  Bytes prefixed = ToBytes("H2C-OVERSIZE-DST-");
  prefixed.insert(prefixed.end(), long_dst.begin(), long_dst.end());
  Bytes hashed(crypto_hash_sha512_BYTES);
  crypto_hash_sha512(hashed.data(), prefixed.data(), prefixed.size());

  Result<Bytes> with_long = ExpandMessageXmdSha512(ToBytes("abc"), long_dst, 48);
  Result<Bytes> with_hashed = ExpandMessageXmdSha512(ToBytes("abc"), hashed, 48);
  ASSERT_TRUE(with_long && with_hashed);
  EXPECT_EQ(*with_long, *with_hashed);
}

TEST(ExpandMessageTest, DstOf255BytesIsUsedAsIs) {
  const Bytes dst(255, 'D');
  Bytes prefixed = ToBytes("H2C-OVERSIZE-DST-");
  prefixed.insert(prefixed.end(), dst.begin(), dst.end());
  Bytes hashed(crypto_hash_sha512_BYTES);
  crypto_hash_sha512(hashed.data(), prefixed.data(), prefixed.size());

  Result<Bytes> as_is = ExpandMessageXmdSha512(ToBytes("abc"), dst, 48);
  Result<Bytes> with_hashed = ExpandMessageXmdSha512(ToBytes("abc"), hashed, 48);
  ASSERT_TRUE(as_is && with_hashed);
  EXPECT_NE(*as_is, *with_hashed);
}

TEST(ExpandMessageTest, DomainSeparation) {
  Result<Bytes> a = ExpandMessageXmdSha512(ToBytes("msg"), ToBytes("dst-a"), 64);
  Result<Bytes> b = ExpandMessageXmdSha512(ToBytes("msg"), ToBytes("dst-b"), 64);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace inbeeld::crypto
