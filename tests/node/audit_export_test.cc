// `audit verify` against every kind of tampering, each caught with its own
// message; and the node's refusal to sign over an altered log.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crypto/signed_note.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/exchange_records.h"
#include "node/audit/export.h"
#include "node/audit/witness.h"
#include "node/sqlite_util.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::audit {
namespace {

namespace fs = std::filesystem;
using inbeeld::testing::ReadFile;
using inbeeld::testing::TempDir;
using inbeeld::testing::WriteFile;

std::vector<std::string> Lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

void WriteLines(const fs::path& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  WriteFile(path, text);
}

bool HasProblem(const VerifyReport& report, std::string_view needle) {
  for (const auto& p : report.problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string Problems(const VerifyReport& report) {
  std::string out;
  for (const auto& p : report.problems) out += "\n  " + p;
  return out;
}

class AuditExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(tmp_.path() / "db", crypto::SecretBytes::Random(32), true, clock_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    log_ = std::make_unique<AuditLog>(*store_, node_key_);
    config_.node_name = "Leerplicht Test";
    config::PeerConfig peer;
    peer.name = "swv";
    peer.key = witness_key_.PublicKey().Fingerprint();
    config_.peers.push_back(peer);
    // Three batches of 100 records, each checkpointed and cosigned.
    for (int batch = 0; batch < 3; ++batch) {
      std::vector<schema::AuditRecord> records;
      for (int i = 0; i < 100; ++i) {
        records.push_back(EventRecord(clock_, "inbeeld.test", true, {{"inbeeld.note", "alpha"}}));
      }
      ASSERT_TRUE(log_->Append(records));
      auto checkpoint = log_->Checkpoint();
      ASSERT_TRUE(checkpoint) << checkpoint.error().message;
      auto line = Cosign(checkpoint->note, OriginFor(witness_key_.PublicKey()), witness_key_,
                         clock_);
      ASSERT_TRUE(line);
      ASSERT_TRUE(AcceptCosignature(*log_, {"swv", witness_key_.PublicKey()}, checkpoint->size, *line));
    }
    auto exported = ExportAudit(*log_, config_, node_key_.PublicKey(), clean());
    ASSERT_TRUE(exported) << exported.error().message;
    ASSERT_EQ(exported->records, 300u);
  }
  fs::path clean() const { return tmp_.path() / "export"; }
  // A fresh copy of the clean export to tamper with.
  fs::path Copy() {
    fs::path dir = tmp_.path() / ("tampered-" + std::to_string(copies_++));
    fs::copy(clean(), dir, fs::copy_options::recursive);
    return dir;
  }

  TempDir tmp_;
  testing::FakeClock clock_{"2031-02-28T12:00:00Z"};
  crypto::SigningKey node_key_ = crypto::SigningKey::Generate();
  crypto::SigningKey witness_key_ = crypto::SigningKey::Generate();
  config::NodeConfig config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> log_;
  int copies_ = 0;
};

TEST_F(AuditExportTest, CleanExportVerifies) {
  VerifyReport report = VerifyExport(clean());
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.records, 300u);
  EXPECT_EQ(report.checkpoints, 3u);
  EXPECT_EQ(report.cosignatures, 3u);
  EXPECT_EQ(report.witnesses, std::vector<std::string>{"swv"});
}

TEST_F(AuditExportTest, EditedRecordIsCaught) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  auto at = lines[150].find("alpha");
  ASSERT_NE(at, std::string::npos);
  lines[150].replace(at, 5, "bravo");
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "checkpoint 200: records 1 to 200 do not hash to its signed root: "
                                 "a record on lines 101 to 200 was edited"))
      << Problems(report);
  EXPECT_FALSE(HasProblem(report, "checkpoint 100:")) << "the edit is after checkpoint 100";
}

TEST_F(AuditExportTest, DeletedRecordIsCaught) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  lines.erase(lines.begin() + 42);
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "records.jsonl line 43: holds record 43, so record 42 is missing "
                                 "(deleted)"))
      << Problems(report);
}

TEST_F(AuditExportTest, SwappedRecordsAreCaught) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  std::swap(lines[10], lines[11]);
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "records.jsonl line 11: holds record 11, so record 10 is missing"))
      << Problems(report);
  EXPECT_TRUE(HasProblem(report, "records.jsonl line 12: holds record 10 again or out of order "
                                 "(records swapped or duplicated)"))
      << Problems(report);
}

TEST_F(AuditExportTest, TruncatedLogIsCaught) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  lines.resize(250);
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "checkpoint 300 covers 300 records but records.jsonl holds only "
                                 "250 (log truncated)"))
      << Problems(report);
}

TEST_F(AuditExportTest, ReplacedCheckpointIsCaught) {
  fs::path dir = Copy();
  std::string note = ReadFile(dir / "checkpoints" / "200.note");
  // Keep the signature lines, change the signed size line's neighbour: the root.
  auto first_nl = note.find('\n');
  auto second_nl = note.find('\n', first_nl + 1);
  char& c = note[second_nl + 3];
  c = c == 'A' ? 'B' : 'A';
  WriteFile(dir / "checkpoints" / "200.note", note);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "checkpoints/200.note: the node's signature does not verify "
                                 "(checkpoint replaced or edited)"))
      << Problems(report);
}

TEST_F(AuditExportTest, ForkedCheckpointIsCaught) {
  // Someone holding the node key signs another history of 100 records.
  fs::path dir = Copy();
  crypto::Hash other_root{};
  other_root.fill(7);
  auto body = crypto::CheckpointBody({OriginFor(node_key_.PublicKey()), 100, other_root, {}});
  ASSERT_TRUE(body);
  auto note = crypto::SignNote(*body, OriginFor(node_key_.PublicKey()), node_key_);
  ASSERT_TRUE(note);
  WriteFile(dir / "checkpoints" / "100.note", *note);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "checkpoints 100 and 200 are not consistent: the log forked"))
      << Problems(report);
  EXPECT_TRUE(HasProblem(report, "checkpoint 100: records 1 to 100 do not hash"))
      << Problems(report);
}

TEST_F(AuditExportTest, ForgedCosignatureIsCaught) {
  fs::path dir = Copy();
  std::string note = ReadFile(dir / "checkpoints" / "100.note");
  // The cosignature is the last line; change one base64 character of it.
  auto last = note.rfind('\n', note.size() - 2);
  char& c = note[last + 1 + (note.size() - last) / 2 + 5];
  c = c == 'Q' ? 'R' : 'Q';
  WriteFile(dir / "checkpoints" / "100.note", note);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "checkpoints/100.note: the cosignature by \"swv\" does not verify"))
      << Problems(report);
}

TEST_F(AuditExportTest, AppendedRecordsWithoutACheckpointAreCaught) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  lines.push_back(lines.back());
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "records.jsonl lines 301 to 301 are not covered by any signed "
                                 "checkpoint"))
      << Problems(report);
}

TEST_F(AuditExportTest, MissingPartsAreNamed) {
  fs::path dir = Copy();
  fs::remove(dir / "keys.json");
  EXPECT_TRUE(HasProblem(VerifyExport(dir), "keys.json"));
  EXPECT_FALSE(VerifyExport(tmp_.path() / "no-such-dir").ok());
}

TEST_F(AuditExportTest, NodeRefusesToSignOverAnAlteredLog) {
  // Alter a stored leaf hash behind the log's back, in the part of the tree
  // not yet sealed in a 256-leaf block (see audit_log.h on what this check
  // covers; content edits anywhere are caught by `audit verify`).
  ASSERT_TRUE(Exec(store_->handle(),
                   "UPDATE audit_leaves SET leaf_hash = zeroblob(32) WHERE idx = 280"));
  ASSERT_TRUE(log_->Append({EventRecord(clock_, "inbeeld.test", true, {})}));
  auto checkpoint = log_->Checkpoint();
  ASSERT_FALSE(checkpoint);
  EXPECT_EQ(checkpoint.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(checkpoint.error().message.find("refusing to sign"), std::string::npos);
}

TEST_F(AuditExportTest, EditedStoredRecordIsCaughtInTheNextExport) {
  // An insider edits a record's text in the store itself.
  ASSERT_TRUE(Exec(store_->handle(),
                   "UPDATE audit_leaves SET record = replace(record, 'alpha', 'bravo') WHERE idx = 7"));
  auto exported = ExportAudit(*log_, config_, node_key_.PublicKey(), tmp_.path() / "second");
  ASSERT_TRUE(exported) << exported.error().message;
  VerifyReport report = VerifyExport(tmp_.path() / "second");
  EXPECT_TRUE(HasProblem(report, "checkpoint 100: records 1 to 100 do not hash to its signed root"))
      << Problems(report);
}

TEST_F(AuditExportTest, RetentionRedactsTheOldestRecordsAndTheLogStillVerifies) {
  // Records 0..149 are "old": redact everything started before record 150.
  auto cutoff = Statement::Prepare(store_->handle(),
                                   "UPDATE audit_leaves SET time_ms = 1000 WHERE idx < 150");
  ASSERT_TRUE(cutoff && cutoff->Run());
  auto tx = Transaction::Begin(store_->handle());
  ASSERT_TRUE(tx);
  auto redacted = log_->RedactBeforeInTransaction(2000);
  ASSERT_TRUE(redacted) << redacted.error().message;
  EXPECT_EQ(*redacted, 150u);
  ASSERT_TRUE(tx->Commit());
  // Content is gone from the store and from lookups.
  RecordFilter all;
  all.include_subjects = true;
  auto kept = log_->Records(all);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->size(), 150u);
  fs::path dir = tmp_.path() / "after-retention";
  ASSERT_TRUE(ExportAudit(*log_, config_, node_key_.PublicKey(), dir));
  auto lines = Lines(dir / "records.jsonl");
  EXPECT_EQ(lines[0].rfind("{\"redacted\":\"", 0), 0u);
  EXPECT_EQ(lines[0].find("alpha"), std::string::npos);
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.redacted, 150u);
  EXPECT_EQ(report.cosignatures, 3u) << "peers' cosignatures survive retention";

  // Hiding a recent record behind a redaction marker with its correct hash
  // keeps the tree intact; the prefix rule still catches it.
  const std::string& recent = lines[200];
  lines[200] = "{\"redacted\":\"" +
               Base64(crypto::LeafHash(std::span(reinterpret_cast<const uint8_t*>(recent.data()),
                                                 recent.size()))) +
               "\"}";
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport hidden = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(hidden, "records.jsonl line 201: redacted after a kept record"))
      << Problems(hidden);
}

TEST_F(AuditExportTest, ExportRefusesANonEmptyDirectory) {
  auto again = ExportAudit(*log_, config_, node_key_.PublicKey(), clean());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace inbeeld::node::audit

namespace inbeeld::node::audit {
namespace {

// The fast child-record encoder must produce exactly the canonical line, or
// leaf hashes would not match what `audit verify` recomputes.
TEST(ChildRecordTest, FastEncoderEqualsTheCanonicalEncoder) {
  for (bool ok : {true, false}) {
    for (std::string activity : {std::string("urn:inbeeld:activity:thuiszitters-afstemming"),
                                 std::string("urn:inbeeld:activity:odd\"name\\")}) {
      std::string line = EncodeChildRecord("0123456789abcdef0123456789abcdef", "0011223344556677",
                                           "8899aabbccddeeff", ok, 1795358286213, 1795358287000,
                                           activity, std::string(64, 'k'), "not revealed", 123456);
      schema::AuditRecord r;
      r.trace_id = "0123456789abcdef0123456789abcdef";
      r.operation_id = "0011223344556677";
      r.parent_operation_id = "8899aabbccddeeff";
      r.name = "inbeeld.exchange.subject";
      r.status = ok ? schema::AuditStatus::kOk : schema::AuditStatus::kError;
      r.start_time_ms = 1795358286213;
      r.end_time_ms = 1795358287000;
      r.attributes = {{"dpl.core.data_subject_id", std::string(64, 'k')},
                      {"dpl.core.processing_activity_id", activity},
                      {"inbeeld.matched", "not revealed"},
                      {"inbeeld.seq", "123456"}};
      EXPECT_EQ(line, schema::EncodeAuditRecord(r));
      auto decoded = schema::DecodeAuditRecord(line);
      ASSERT_TRUE(decoded) << decoded.error().message;
      EXPECT_EQ(*decoded, r);
    }
  }
}

}  // namespace
}  // namespace inbeeld::node::audit
