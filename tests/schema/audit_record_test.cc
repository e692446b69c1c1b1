#include "schema/audit_record.h"

#include <gtest/gtest.h>

namespace inbeeld::schema {
namespace {

AuditRecord Sample() {
  AuditRecord r;
  r.trace_id = "0123456789abcdef0123456789abcdef";
  r.operation_id = "0011223344556677";
  r.parent_operation_id = "8899aabbccddeeff";
  r.name = "inbeeld.exchange.subject";
  r.status = AuditStatus::kOk;
  r.start_time_ms = 1795358286213;
  r.end_time_ms = 1795358286999;
  r.foreign_operation = ForeignOperation{r.trace_id, "ffeeddccbbaa9988", "inbeeld:ed25519:00"};
  r.attributes = {{std::string(kAttrDataSubject), "abcdefghijklmnop"},
                  {std::string(kAttrProcessingActivity), "urn:inbeeld:activity:x"},
                  {"inbeeld.note", "ë \"quoted\""}};
  return r;
}

TEST(AuditRecordTest, RoundTripsByteForByte) {
  std::string line = EncodeAuditRecord(Sample());
  auto decoded = DecodeAuditRecord(line);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, Sample());
  EXPECT_EQ(EncodeAuditRecord(*decoded), line);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find(": "), std::string::npos) << "canonical form has no spaces";
}

TEST(AuditRecordTest, OptionalFieldsMayBeAbsent) {
  AuditRecord r = Sample();
  r.parent_operation_id.reset();
  r.foreign_operation.reset();
  auto decoded = DecodeAuditRecord(EncodeAuditRecord(r));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, r);
}

TEST(AuditRecordTest, RejectsNonCanonicalAndMalformedLines) {
  std::string line = EncodeAuditRecord(Sample());
  // Same content with a space: not canonical, so its leaf hash would differ.
  std::string spaced = line;
  spaced.insert(1, " ");
  EXPECT_FALSE(DecodeAuditRecord(spaced));
  EXPECT_FALSE(DecodeAuditRecord(""));
  EXPECT_FALSE(DecodeAuditRecord("[]"));
  EXPECT_FALSE(DecodeAuditRecord(line.substr(0, line.size() - 1)));
  std::string unknown = line;
  unknown.insert(1, "\"zzz\":1,");
  auto u = DecodeAuditRecord(unknown);
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().message.find("zzz"), std::string::npos);
  AuditRecord bad = Sample();
  bad.trace_id = "0123";
  auto b = DecodeAuditRecord(EncodeAuditRecord(bad));
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("trace_id"), std::string::npos);
  bad = Sample();
  bad.operation_id = "00112233445566ZZ";
  EXPECT_FALSE(DecodeAuditRecord(EncodeAuditRecord(bad)));
  std::string status = line;
  auto at = status.find("STATUS_CODE_OK");
  status.replace(at, 14, "STATUS_CODE_OK2");
  EXPECT_FALSE(DecodeAuditRecord(status));
}

}  // namespace
}  // namespace inbeeld::schema
