// `audit verify` against every kind of tampering, each caught with one message
// naming its file and line; pinned keys; cosignatures that are records; and the
// node's refusal to sign over an altered log.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/signed_note.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/exchange_records.h"
#include "node/audit/export.h"
#include "node/audit/verify.h"
#include "node/audit/witness.h"
#include "node/store/sqlite_util.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

#include <nlohmann/json.hpp>

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
    // Three batches, each checkpointed and cosigned; each cosignature is a
    // record too (at 100, 200 and 300), so checkpoints sit at 100, 200 and 300
    // and the export signs a fourth at 301.
    for (int batch = 0; batch < 3; ++batch) {
      std::vector<schema::AuditRecord> records;
      for (int i = 0; i < (batch == 0 ? 100 : 99); ++i) {
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
    ASSERT_EQ(exported->records, 301u);
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
  EXPECT_EQ(report.records, 301u);
  EXPECT_EQ(report.checkpoints, 4u);
  EXPECT_EQ(report.latest_size, 301u);
  EXPECT_EQ(report.cosignatures, 3u);
  EXPECT_EQ(report.cosignature_records, 3u);
  EXPECT_EQ(report.witnesses, std::vector<std::string>{"swv"});
  // Without pins the keys come from the export, and the report says which.
  ASSERT_TRUE(report.node_key);
  EXPECT_EQ(report.node_key->fingerprint, node_key_.PublicKey().Fingerprint());
  EXPECT_FALSE(report.node_key->pinned);
  ASSERT_EQ(report.witness_keys.size(), 1u);
  EXPECT_EQ(report.witness_keys[0].name, "swv");
  EXPECT_EQ(report.witness_keys[0].fingerprint, witness_key_.PublicKey().Fingerprint());
  EXPECT_FALSE(report.witness_keys[0].pinned);
}

TEST_F(AuditExportTest, EditedRecordIsNamedByItsLine) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  auto at = lines[150].find("alpha");
  ASSERT_NE(at, std::string::npos);
  lines[150].replace(at, 5, "bravo");
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "records.jsonl line 151: record 150 was edited: it does not hash "
                                "to the leaf that checkpoint 200 signs");
}

TEST_F(AuditExportTest, EditedRecordWithoutLeafHashesNamesTheFirstFailingCheckpointOnce) {
  // An export made before leaf_hashes.txt existed, or with it edited too.
  for (bool edit_hashes : {false, true}) {
    fs::path dir = Copy();
    auto lines = Lines(dir / "records.jsonl");
    lines[150].replace(lines[150].find("alpha"), 5, "bravo");
    WriteLines(dir / "records.jsonl", lines);
    if (edit_hashes) {
      auto hashes = Lines(dir / "leaf_hashes.txt");
      hashes[150] = std::string(64, '0');
      WriteLines(dir / "leaf_hashes.txt", hashes);
    } else {
      fs::remove(dir / "leaf_hashes.txt");
    }
    VerifyReport report = VerifyExport(dir);
    ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
    EXPECT_TRUE(HasProblem(report, "checkpoint 200: records 1 to 200 do not hash to its signed "
                                   "root: a record on lines 101 to 200 was edited"))
        << Problems(report);
    EXPECT_EQ(HasProblem(report, "leaf_hashes.txt does not match"), edit_hashes) << Problems(report);
  }
}

TEST_F(AuditExportTest, EditedLeafHashesAloneAreNamed) {
  fs::path dir = Copy();
  auto hashes = Lines(dir / "leaf_hashes.txt");
  hashes[7] = std::string(64, 'f');
  WriteLines(dir / "leaf_hashes.txt", hashes);
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_TRUE(HasProblem(report, "leaf_hashes.txt does not hash to the root of checkpoint 301 "
                                 "(edited), though records.jsonl does"))
      << Problems(report);
}

TEST_F(AuditExportTest, DeletedRecordIsOneMessage) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  lines.erase(lines.begin() + 42);
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "records.jsonl line 43: holds record 43, so record 42 is missing "
                                "(deleted)");
  // Three in a row are still one message.
  lines.erase(lines.begin() + 130, lines.begin() + 132);
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport more = VerifyExport(dir);
  ASSERT_EQ(more.problems.size(), 2u) << Problems(more);
  EXPECT_EQ(more.problems[1], "records.jsonl line 131: holds record 133, so records 131 to 132 are "
                              "missing (deleted)");
}

TEST_F(AuditExportTest, DuplicatedOrRenumberedRecordIsOneMessage) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  lines.insert(lines.begin() + 60, lines[59]);
  lines.pop_back();  // the same number of lines
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 2u) << Problems(report);
  EXPECT_TRUE(HasProblem(report, "records.jsonl line 61: holds record 59 again or out of order"))
      << Problems(report);
  EXPECT_TRUE(HasProblem(report, "records.jsonl ends at record 299: record 300, which checkpoint "
                                 "301 covers, is missing (deleted)"))
      << Problems(report);

  fs::path renumbered = Copy();
  lines = Lines(renumbered / "records.jsonl");
  auto at = lines[70].find("\"inbeeld.seq\":\"70\"");
  ASSERT_NE(at, std::string::npos);
  lines[70].replace(at, 18, "\"inbeeld.seq\":\"90\"");
  WriteLines(renumbered / "records.jsonl", lines);
  VerifyReport again = VerifyExport(renumbered);
  ASSERT_EQ(again.problems.size(), 1u) << Problems(again);
  EXPECT_EQ(again.problems[0], "records.jsonl line 71: holds record 90 where record 70 belongs "
                               "(replaced by a copy of another record, or its sequence number "
                               "edited)");
}

TEST_F(AuditExportTest, SwappedRecordsAreOneMessage) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  std::swap(lines[10], lines[11]);
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "records.jsonl lines 11 and 12: records 10 and 11 are swapped");
}

TEST_F(AuditExportTest, TruncatedLogIsCaught) {
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  lines.resize(150);
  WriteLines(dir / "records.jsonl", lines);
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_TRUE(HasProblem(report, "checkpoint 301 covers 301 records but records.jsonl holds only "
                                 "150 (log truncated)"))
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
  EXPECT_TRUE(HasProblem(report, "records.jsonl lines 302 to 302 are not covered by any signed "
                                 "checkpoint"))
      << Problems(report);
}

TEST_F(AuditExportTest, MissingPartsAreNamed) {
  fs::path dir = Copy();
  fs::remove(dir / "keys.json");
  EXPECT_TRUE(HasProblem(VerifyExport(dir), "keys.json"));
  EXPECT_FALSE(VerifyExport(tmp_.path() / "no-such-dir").ok());
}

// keys.json and proofs.json may come from another node: read with the strict
// JSON reader, refusals named by member path, no value echoed.
TEST_F(AuditExportTest, MalformedKeysAndProofsAreNamedByPath) {
  fs::path dir = Copy();
  const std::string keys = ReadFile(dir / "keys.json");
  const std::string proofs = ReadFile(dir / "proofs.json");

  // Two "origin" members: which one would a second reader believe?
  auto twice = nlohmann::json::parse(keys);
  std::string text = twice.dump();
  text.insert(1, R"("origin":"elsewhere",)");
  WriteFile(dir / "keys.json", text);
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "keys.json: a member appears twice");

  auto witness = nlohmann::json::parse(keys);
  ASSERT_FALSE(witness["witnesses"].empty());
  witness["witnesses"][0]["key"] = "ed25519:Sanne de Vries";
  WriteFile(dir / "keys.json", witness.dump());
  report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "keys.json: member \"witnesses[0].key\": not a key fingerprint"))
      << Problems(report);
  EXPECT_EQ(Problems(report).find("Sanne"), std::string::npos);
  witness["witnesses"][0]["peer"] = 7;
  WriteFile(dir / "keys.json", witness.dump());
  EXPECT_TRUE(
      HasProblem(VerifyExport(dir), "keys.json: member \"witnesses[0].peer\": not a string"));
  WriteFile(dir / "keys.json", keys);

  auto entry = nlohmann::json::parse(proofs);
  ASSERT_GE(entry.size(), 2u);
  entry[1]["to"] = -3;
  WriteFile(dir / "proofs.json", entry.dump());
  report = VerifyExport(dir);
  EXPECT_TRUE(HasProblem(report, "proofs.json: member \"[1].to\": not an unsigned integer"))
      << Problems(report);
  WriteFile(dir / "proofs.json", "{}");
  EXPECT_TRUE(HasProblem(VerifyExport(dir), "proofs.json: not a JSON array"));
  WriteFile(dir / "proofs.json", proofs + "[]");
  EXPECT_TRUE(HasProblem(VerifyExport(dir), "proofs.json: not valid JSON"));

  WriteFile(dir / "proofs.json", proofs);
  EXPECT_TRUE(VerifyExport(dir).ok()) << Problems(VerifyExport(dir));
}

// Found by fuzz/audit_export_fuzzer.cc: a checkpoint file whose name is not
// UTF-8 went into a problem's text, and `audit verify --json` died in
// nlohmann-json's dump (uncaught type_error 316) instead of reporting it.
TEST_F(AuditExportTest, ACheckpointFileNameThatIsNotUtf8IsAProblemThatPrints) {
  fs::path dir = Copy();
  WriteFile(dir / "checkpoints" / "300\xff.note", ReadFile(dir / "checkpoints" / "300.note"));
  VerifyReport report = VerifyExport(dir);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(HasProblem(report, "checkpoints/: a file whose name is not UTF-8"))
      << Problems(report);
  for (const auto& p : report.problems) {
    EXPECT_EQ(p.find('\xff'), std::string::npos) << "the name is echoed: " << p;
  }
  EXPECT_EQ(report.checkpoints, VerifyExport(Copy()).checkpoints)
      << "the real checkpoints are still read";
  // What `audit verify --json` prints.
  const nlohmann::json printed = {{"problems", report.problems}};
  EXPECT_NO_THROW((void)printed.dump());
}

// Found by fuzz/audit_export_fuzzer.cc once it passed --witnessed-checkpoint
// files: their names went into the report as well, and `audit verify --json`
// died in nlohmann-json's dump.
TEST_F(AuditExportTest, AWitnessedCheckpointNameThatIsNotUtf8IsAProblemThatPrints) {
  auto checkpoints = log_->Checkpoints();
  ASSERT_TRUE(checkpoints);
  const fs::path witnessed = tmp_.path() / "swv-\xe9-300.note";
  WriteFile(witnessed, (*checkpoints)[2].note);
  VerifyOptions options;
  options.witnessed_checkpoints.push_back(witnessed);
  VerifyReport report = VerifyExport(clean(), options);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(HasProblem(report, "--witnessed-checkpoint: a file whose name is not UTF-8"))
      << Problems(report);
  EXPECT_TRUE(report.witnessed.empty());
  for (const auto& p : report.problems) {
    EXPECT_EQ(p.find('\xe9'), std::string::npos) << "the name is echoed: " << p;
  }
  const nlohmann::json printed = {{"problems", report.problems}, {"witnessed", report.witnessed}};
  EXPECT_NO_THROW((void)printed.dump());
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
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "records.jsonl line 8: record 7 was edited: it does not hash to the "
                                "leaf that checkpoint 100 signs");
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
  EXPECT_EQ(kept->size(), 151u);
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
  EXPECT_FALSE(HasProblem(hidden, "lacks the cosignature")) << Problems(hidden);
}

TEST_F(AuditExportTest, RemovedCosignatureLineIsCaughtByItsRecord) {
  fs::path dir = Copy();
  std::string note = ReadFile(dir / "checkpoints" / "200.note");
  auto last = note.rfind('\n', note.size() - 2);
  WriteFile(dir / "checkpoints" / "200.note", note.substr(0, last + 1));  // drop the cosignature
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "checkpoints/200.note lacks the cosignature by \"swv\" that "
                                "records.jsonl line 201 records (cosignature removed)");
  EXPECT_EQ(report.cosignatures, 2u);
}

TEST_F(AuditExportTest, RemovedCheckpointIsOneMessage) {
  fs::path dir = Copy();
  fs::remove(dir / "checkpoints" / "200.note");
  VerifyReport report = VerifyExport(dir);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "checkpoint 200 is not in the export (checkpoints/200.note "
                                "removed), though proofs.json, records.jsonl line 201 (cosigned by "
                                "\"swv\") name it");
}

TEST_F(AuditExportTest, ReceivedCosignatureIsARecordOnceAndARepeatChangesNothing) {
  auto size = log_->Size();
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, 301u);
  auto cosigned = log_->Records({});
  ASSERT_TRUE(cosigned);
  int records = 0;
  for (const auto& r : *cosigned) {
    if (r.record.name != "inbeeld.witness.cosigned") continue;
    ++records;
    EXPECT_EQ(r.record.attributes.at("inbeeld.peer"), "swv");
    EXPECT_EQ(r.record.attributes.at("inbeeld.peer_key"), witness_key_.PublicKey().Fingerprint());
    EXPECT_EQ(r.record.attributes.at("inbeeld.cosigned_size"), std::to_string(r.index));
    EXPECT_EQ(r.record.attributes.at("inbeeld.cosignature_sha256").size(), 64u);
  }
  EXPECT_EQ(records, 3);
  // The witness cosigns checkpoint 100 again (a later timestamp): the first
  // cosignature and its record stand, nothing is appended.
  auto checkpoints = log_->Checkpoints();
  ASSERT_TRUE(checkpoints);
  auto line = crypto::CosignatureLine(
      crypto::ParseNote((*checkpoints)[0].note)->body, OriginFor(witness_key_.PublicKey()),
      witness_key_, 4'000'000'000);
  ASSERT_TRUE(line);
  ASSERT_TRUE(AcceptCosignature(*log_, {"swv", witness_key_.PublicKey()}, 100, *line));
  EXPECT_EQ(*log_->Size(), 301u);
  fs::path dir = tmp_.path() / "after-repeat";
  ASSERT_TRUE(ExportAudit(*log_, config_, node_key_.PublicKey(), dir));
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.cosignature_records, 3u);
}

TEST_F(AuditExportTest, ExtraCosignatureLinesNeverCountAndAreReportedOnce) {
  std::string note = ReadFile(clean() / "checkpoints" / "100.note");
  const std::string genuine = note.substr(note.rfind('\n', note.size() - 2) + 1);
  const std::string witness_name = OriginFor(witness_key_.PublicKey());
  // 72 bytes of nonsense under the witness's name: the size of a real one.
  const std::string garbage =
      "\u2014 " + witness_name + " " + Base64(std::vector<uint8_t>(72, 0x42)) + "\n";
  crypto::SigningKey stranger = crypto::SigningKey::Generate();
  auto foreign = crypto::CosignatureLine(crypto::ParseNote(note)->body,
                                         OriginFor(stranger.PublicKey()), stranger, 1);
  ASSERT_TRUE(foreign);
  struct Case {
    std::string extra;
    std::string message;
  };
  for (const Case& c : {Case{garbage + garbage,
                             "checkpoints/100.note: besides its valid cosignature by \"swv\", 2 "
                             "lines in its name that do not verify (not counted)"},
                        Case{genuine, "checkpoints/100.note: the cosignature by \"swv\" appears 2 "
                                      "times (counted once)"},
                        Case{*foreign, "checkpoints/100.note: a cosignature by a key keys.json does "
                                       "not list (not counted)"}}) {
    fs::path dir = Copy();
    WriteFile(dir / "checkpoints" / "100.note", note + c.extra);
    VerifyReport report = VerifyExport(dir);
    ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
    EXPECT_EQ(report.problems[0], c.message);
    EXPECT_EQ(report.cosignatures, 3u) << "an extra line raised the count";
  }
}

TEST_F(AuditExportTest, OnlyNoteFilesAreCheckpoints) {
  fs::path dir = Copy();
  WriteFile(dir / "checkpoints" / ".DS_Store", std::string("\0\0\0\1Bud1", 8));
  WriteFile(dir / "checkpoints" / "README", "notes from the privacy officer\n");
  VerifyReport report = VerifyExport(dir);
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.checkpoints, 4u);
}

TEST_F(AuditExportTest, PinnedKeysAreCheckedAndReported) {
  VerifyOptions pinned;
  pinned.node_key = node_key_.PublicKey();
  pinned.witnesses.emplace("swv", witness_key_.PublicKey());
  VerifyReport report = VerifyExport(clean(), pinned);
  EXPECT_TRUE(report.ok()) << Problems(report);
  ASSERT_TRUE(report.node_key);
  EXPECT_TRUE(report.node_key->pinned);
  ASSERT_EQ(report.witness_keys.size(), 1u);
  EXPECT_TRUE(report.witness_keys[0].pinned);

  // Another witness key than the one pinned: its cosignatures do not count.
  VerifyOptions wrong_witness;
  wrong_witness.witnesses.emplace("swv", crypto::SigningKey::Generate().PublicKey());
  VerifyReport other = VerifyExport(clean(), wrong_witness);
  ASSERT_EQ(other.problems.size(), 1u) << Problems(other);
  EXPECT_TRUE(HasProblem(other, "keys.json gives witness \"swv\" the key " +
                                    witness_key_.PublicKey().Fingerprint() + ", not the expected"))
      << Problems(other);
  EXPECT_EQ(other.cosignatures, 0u);

  VerifyOptions absent;
  absent.witnesses.emplace("vo-school", witness_key_.PublicKey());
  EXPECT_TRUE(HasProblem(VerifyExport(clean(), absent),
                         "keys.json lists no witness \"vo-school\" (--expect-witness)"));
}

TEST_F(AuditExportTest, AnExportReSignedWithAnotherKeyFailsAgainstTheExpectedKey) {
  // Someone rebuilds the log with an edit and signs it with a key of their own.
  crypto::SigningKey impostor = crypto::SigningKey::Generate();
  auto store = Store::Open(tmp_.path() / "impostor-db", crypto::SecretBytes::Random(32), true, clock_);
  ASSERT_TRUE(store);
  AuditLog forged(**store, impostor);
  auto lines = Lines(clean() / "records.jsonl");
  std::vector<schema::AuditRecord> records;
  for (size_t i = 0; i < 100; ++i) {
    auto r = schema::DecodeAuditRecord(lines[i]);
    ASSERT_TRUE(r);
    r->attributes["inbeeld.note"] = "bravo";
    records.push_back(*r);
  }
  ASSERT_TRUE(forged.Append(records));
  fs::path dir = tmp_.path() / "re-signed";
  ASSERT_TRUE(ExportAudit(forged, config_, impostor.PublicKey(), dir));
  VerifyReport trusting = VerifyExport(dir);
  EXPECT_TRUE(trusting.ok()) << "consistent in itself: " << Problems(trusting);
  ASSERT_TRUE(trusting.node_key);
  EXPECT_FALSE(trusting.node_key->pinned);
  EXPECT_EQ(trusting.node_key->fingerprint, impostor.PublicKey().Fingerprint());

  VerifyOptions pinned;
  pinned.node_key = node_key_.PublicKey();
  VerifyReport report = VerifyExport(dir, pinned);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "keys.json: the node key is " + impostor.PublicKey().Fingerprint() +
                                    ", not the expected " + node_key_.PublicKey().Fingerprint() +
                                    " (--expect-key): this export was signed by another key, or "
                                    "keys.json was replaced");
}

TEST_F(AuditExportTest, ACutBackExportIsCaughtOnlyAgainstAWitnessedCheckpoint) {
  // The export cut back to checkpoint 200, as if made before the last batch.
  fs::path dir = Copy();
  auto lines = Lines(dir / "records.jsonl");
  lines.resize(200);
  WriteLines(dir / "records.jsonl", lines);
  auto hashes = Lines(dir / "leaf_hashes.txt");
  hashes.resize(200);
  WriteLines(dir / "leaf_hashes.txt", hashes);
  fs::remove(dir / "checkpoints" / "300.note");
  fs::remove(dir / "checkpoints" / "301.note");
  auto proofs = nlohmann::json::parse(ReadFile(dir / "proofs.json"));
  proofs.erase(proofs.end() - 2, proofs.end());
  WriteFile(dir / "proofs.json", proofs.dump());
  VerifyReport alone = VerifyExport(dir);
  EXPECT_TRUE(alone.ok()) << "an export alone cannot show it stopped early: " << Problems(alone);
  EXPECT_EQ(alone.latest_size, 200u);

  // The witness keeps the checkpoint of 300 it cosigned (`audit witnessed`).
  auto checkpoints = log_->Checkpoints();
  ASSERT_TRUE(checkpoints);
  fs::path witnessed = tmp_.path() / "swv-witnessed.note";
  WriteFile(witnessed, (*checkpoints)[2].note);
  VerifyOptions options;
  options.witnessed_checkpoints.push_back(witnessed);
  VerifyReport report = VerifyExport(dir, options);
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0], "swv-witnessed.note: a peer witnessed this log at 300 records, but "
                                "the export holds only 200: it was cut back to an older "
                                "checkpoint, or is older than what the peer saw");
  VerifyReport full = VerifyExport(clean(), options);
  EXPECT_TRUE(full.ok()) << Problems(full);
  EXPECT_EQ(full.witnessed, std::vector<std::string>{"size 300 (swv-witnessed.note)"});

  // A checkpoint not signed by the node proves nothing and is refused.
  WriteFile(witnessed, "not a note\n");
  EXPECT_TRUE(HasProblem(VerifyExport(clean(), options), "swv-witnessed.note: not a signed checkpoint"));
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
