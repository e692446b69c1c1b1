#include "schema/audit_record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

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

// The error `line` is refused with: its code and exact message.
std::string Refusal(std::string_view line) {
  auto r = DecodeAuditRecord(line);
  if (r) return "accepted";
  return std::to_string(static_cast<int>(r.error().code)) + " " + r.error().message;
}

std::string Invalid(const std::string& message) {
  return std::to_string(static_cast<int>(ErrorCode::kInvalidArgument)) + " audit record: " +
         message;
}

TEST(AuditRecordTest, RejectsNonCanonicalAndMalformedLines) {
  const std::string line = EncodeAuditRecord(Sample());
  // Same content with a space: not canonical, so its leaf hash would differ.
  std::string spaced = line;
  spaced.insert(1, " ");
  EXPECT_EQ(Refusal(spaced), Invalid("not in canonical form (sorted keys, no spaces)"));
  EXPECT_EQ(Refusal(""), Invalid("empty body"));
  EXPECT_EQ(Refusal("[]"), Invalid("not a JSON object"));
  EXPECT_EQ(Refusal(line.substr(0, line.size() - 1)), Invalid("not valid JSON"));
  EXPECT_EQ(Refusal(line + "{}"), Invalid("not valid JSON"));

  AuditRecord bad = Sample();
  bad.trace_id = "0123";
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)),
            Invalid("member \"trace_id\": not lowercase hex of 32 characters"));
  bad = Sample();
  bad.operation_id = "00112233445566ZZ";
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)),
            Invalid("member \"operation_id\": not lowercase hex of 16 characters"));
  bad = Sample();
  bad.parent_operation_id = "";
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)),
            Invalid("member \"parent_operation_id\": not lowercase hex of 16 characters"));
  bad = Sample();
  bad.name = "";
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)), Invalid("member \"name\": empty"));
  bad = Sample();
  bad.start_time_ms = -1;
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)),
            Invalid("member \"start_time\": not an unsigned integer"));

  std::string status = line;
  status.replace(status.find("STATUS_CODE_OK"), 14, "STATUS_CODE_OK2");
  EXPECT_EQ(Refusal(status), Invalid("member \"status_code\": not a known status"));
  std::string fraction = line;
  fraction.replace(fraction.find("1795358286999"), 13, "1795358286999.5");
  EXPECT_EQ(Refusal(fraction), Invalid("member \"end_time\": not an unsigned integer"));
  std::string twice = line;
  twice.insert(1, "\"name\":\"x\",");
  EXPECT_EQ(Refusal(twice), Invalid("a member appears twice"));
}

// Whatever a hostile export or peer puts in a record, the error names the
// member by its place, never by a name or value it holds.
TEST(AuditRecordTest, ErrorsNeverEchoWhatTheLineHolds) {
  const std::string line = EncodeAuditRecord(Sample());
  const std::string members =
      "holds a member other than trace_id, operation_id, parent_operation_id, name, "
      "status_code, start_time, end_time, foreign_operation, attributes";

  std::string unknown = line;
  unknown.insert(1, "\"geheim_veld\":1,");
  EXPECT_EQ(Refusal(unknown), Invalid(members));

  std::string foreign = line;
  foreign.replace(foreign.find("\"entity\""), 8, "\"geheim\"");
  EXPECT_EQ(Refusal(foreign),
            Invalid("member \"foreign_operation\": holds a member other than trace_id, "
                    "operation_id, entity"));

  // Attributes in name order: dpl.core.data_subject_id,
  // dpl.core.processing_activity_id, then the one below.
  std::string number = line;
  number.replace(number.find("\"ë \\\"quoted\\\"\""), 15, "17");
  EXPECT_EQ(Refusal(number), Invalid("member \"attributes\"[2]: not a string"));
  std::string nested = line;
  nested.replace(nested.find("\"ë \\\"quoted\\\"\""), 15, "{\"geheim\":\"x\"}");
  EXPECT_EQ(Refusal(nested), Invalid("nested deeper than 2 levels"));

  AuditRecord bad = Sample();
  bad.attributes["geheim-" + std::string(300, 'x')] = "waarde";
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)),
            Invalid("member \"attributes\"[2]: name longer than 256 bytes"));
  bad = Sample();
  bad.attributes[""] = "geheim";
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)), Invalid("member \"attributes\"[0]: name empty"));
  bad = Sample();
  bad.attributes["inbeeld.note"] = "geheim" + std::string(65536, 'x');
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)),
            Invalid("member \"attributes\"[2]: longer than 65536 bytes"));
  bad = Sample();
  for (int i = 0; i < 257; ++i) bad.attributes["inbeeld.a" + std::to_string(i)] = "geheim";
  EXPECT_EQ(Refusal(EncodeAuditRecord(bad)),
            Invalid("member \"attributes\": more than 256 members"));

  std::string huge = line;
  huge.insert(1, "\"geheim\":\"" + std::string(1 << 20, 'a') + "\",");
  EXPECT_EQ(Refusal(huge), std::to_string(static_cast<int>(ErrorCode::kResourceExhausted)) +
                               " audit record: too large");
}

// The largest record the bounds allow still reads back byte for byte.
TEST(AuditRecordTest, RecordsAtTheBoundsRoundTrip) {
  AuditRecord r = Sample();
  r.attributes.clear();
  for (int i = 0; i < 255; ++i) r.attributes["inbeeld.a" + std::to_string(i)] = "";
  r.attributes[std::string(256, 'n')] = std::string(65536, 'v');
  r.start_time_ms = 0;
  r.end_time_ms = INT64_MAX;
  const std::string line = EncodeAuditRecord(r);
  auto decoded = DecodeAuditRecord(line);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, r);
  EXPECT_EQ(EncodeAuditRecord(*decoded), line);
}

}  // namespace
}  // namespace inbeeld::schema
