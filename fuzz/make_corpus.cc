// fuzz/make_corpus.cc — writes the generated seeds of fuzz/corpus/.
//
//   build-fuzz/fuzz/make_corpus fuzz/corpus     (scripts/fuzz.sh --make-corpus)
//
// Every seed is synthetic and deterministic (fixed keys from fuzz/keys.h,
// the fixed PSI exchange of fuzz/psi_fixture.h, fixed synthetic lists), so
// running it again rewrites the same bytes. Hand-written seeds live next to
// the generated ones and are left alone. The program checks that each
// generated seed is accepted where it should be (a valid export verifies, a
// note parses), so a seed never silently tests only the first error path.
#include <sodium.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/node_config.h"
#include "crypto/bytes.h"
#include "crypto/merkle.h"
#include "crypto/ristretto.h"
#include "crypto/signed_note.h"
#include "fuzz/keys.h"
#include "fuzz/psi_fixture.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/rejoin.h"
#include "node/audit/verify.h"
#include "node/audit/witness.h"
#include "node/keys/rotation.h"
#include "schema/audit_record.h"
#include "schema/csv_import.h"
#include "schema/key_rotation.h"
#include "schema/list_file.h"
#include "schema/region_wire.h"
#include "schema/synthetic.h"
#include "schema/witness_wire.h"
#include "schema/xlsx.h"

namespace {

namespace fs = std::filesystem;
using namespace inbeeld;

fs::path root;
int written = 0;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  const fs::path dir = root / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << bytes;
  ++written;
}

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "make_corpus: %s\n", what);
    std::exit(1);
  }
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// ------------------------------------------------------------------- PSI

void PsiSeeds() {
  for (auto mode : {schema::wire::Mode::kMatch, schema::wire::Mode::kCount}) {
    const auto& f = fuzz::Fixture(mode);
    const std::string m = mode == schema::wire::Mode::kMatch ? "match" : "count";
    const char count_bit = mode == schema::wire::Mode::kCount ? 4 : 0;
    Write("wire", m + "-message1", f.message1);
    Write("wire", m + "-message2", f.message2);
    Write("wire", m + "-message3", f.message3);
    Write("wire", m + "-message4", f.message4);
    Write("psi_session", m + "-message1", std::string(1, char(0 | count_bit)) + f.message1);
    Write("psi_session", m + "-message3", std::string(1, char(1 | count_bit)) + f.message3);
    Write("psi_session", m + "-message2", std::string(1, char(2 | count_bit)) + f.message2);
    Write("psi_session", m + "-message4", std::string(1, char(3 | count_bit)) + f.message4);
  }
}

// ------------------------------------------------------ notes and witness

std::vector<crypto::Hash> Leaves(size_t n) {
  std::vector<crypto::Hash> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(crypto::LeafHash(Bytes("leaf " + std::to_string(i))));
  return out;
}

std::string SignedCheckpoint(const std::string& origin, const std::vector<crypto::Hash>& leaves,
                             std::vector<std::string> extensions = {}) {
  crypto::Checkpoint c{origin, leaves.size(), crypto::RootFromLeafHashes(leaves),
                       std::move(extensions)};
  auto body = crypto::CheckpointBody(c);
  Require(body.has_value(), "checkpoint body");
  auto note = crypto::SignNote(*body, origin, fuzz::LogKey());
  Require(note.has_value(), "sign note");
  return *note;
}

std::string Cosigned(const std::string& note, const std::string& cosigner) {
  auto parsed = crypto::ParseNote(note);
  Require(parsed.has_value(), "parse note");
  auto line = crypto::CosignatureLine(parsed->body, cosigner, fuzz::WitnessKey(), 1'795'356'185);
  Require(line.has_value(), "cosign");
  return note + *line;
}

void NoteSeeds() {
  const std::string name = "fuzz.example/log";
  const std::string note = SignedCheckpoint(name, Leaves(7));
  Write("signed_note", "checkpoint", note);
  Write("signed_note", "cosigned", Cosigned(note, "fuzz.example/witness"));
  Write("signed_note", "extension", SignedCheckpoint(name, Leaves(1), {"extension line"}));
  Write("signed_note", "body-only", crypto::ParseNote(note)->body);
  Write("signed_note", "empty-tree", SignedCheckpoint(name, {}));

  const std::string origin = node::audit::OriginFor(fuzz::LogKey().PublicKey());
  const auto leaves = Leaves(9);
  const std::string checkpoint = SignedCheckpoint(origin, leaves);
  auto proof = crypto::ConsistencyProof(leaves, 5);
  Require(proof.has_value(), "consistency proof");
  node::audit::WitnessRequest request{checkpoint, 5, *proof, 3};
  Write("witness", "request", schema::witness::EncodeWitnessRequest(request));
  const std::string witness_origin = node::audit::OriginFor(fuzz::WitnessKey().PublicKey());
  auto cosignature = crypto::CosignatureLine(crypto::ParseNote(checkpoint)->body, witness_origin,
                                             fuzz::WitnessKey(), 1'795'356'185);
  Require(cosignature.has_value(), "witness cosign");
  node::audit::WitnessResponse response{*cosignature, checkpoint, 5, *proof};
  Write("witness", "response", schema::witness::EncodeWitnessResponse(response));
  Write("witness", "cosign", schema::witness::EncodeCosignRequest({9, *cosignature}));
  Write("witness", "first-contact",
        schema::witness::EncodeWitnessRequest({SignedCheckpoint(origin, Leaves(1)), 0, {}, 0}));
  // A restored node's rejoin request (node/audit/rejoin.h) and two answers.
  auto inclusion = crypto::InclusionProof(leaves, 4);
  Require(inclusion.has_value(), "inclusion proof");
  Write("witness", "rejoin-request",
        node::audit::EncodeRejoinRequest(
            {checkpoint, 4,
             R"({"attributes":{"inbeeld.backup_audit_size":"4","inbeeld.seq":"4"},)"
             R"("name":"inbeeld.log.restored"})",
             *inclusion, 4, *crypto::ConsistencyProof(leaves, 4)}));
  Write(
      "witness", "rejoin-pending",
      node::audit::EncodeRejoinResponse({node::audit::RejoinOutcome::kPending, 12, std::nullopt}));
  Write("witness", "rejoin-retry",
        node::audit::EncodeRejoinResponse({node::audit::RejoinOutcome::kPending, 0, 4}));
}

// ------------------------------------------------------------ audit export

// An export of 6 records with checkpoints at 2 and 6, the second cosigned by
// the witness: what `inbeeld audit export` writes, in the harness's format.
void ExportSeeds() {
  const std::string origin = node::audit::OriginFor(fuzz::LogKey().PublicKey());
  const std::string witness_origin = node::audit::OriginFor(fuzz::WitnessKey().PublicKey());
  std::vector<std::string> lines;
  std::vector<crypto::Hash> leaves;
  for (int i = 0; i < 6; ++i) {
    schema::AuditRecord r;
    r.trace_id = std::string(31, '0') + char('a' + i);
    r.operation_id = std::string(15, '0') + char('a' + i);
    r.name = i % 2 ? "inbeeld.exchange.match" : "inbeeld.list.import";
    r.status = schema::AuditStatus::kOk;
    r.start_time_ms = 1'795'356'185'000 + i;
    r.end_time_ms = r.start_time_ms + 5;
    r.attributes = {{"inbeeld.seq", std::to_string(i)},
                    {std::string(schema::kAttrProcessingActivity), "thuiszitters-afstemming"},
                    {"inbeeld.outcome", "completed"}};
    lines.push_back(schema::EncodeAuditRecord(r));
    leaves.push_back(crypto::LeafHash(Bytes(lines.back())));
  }
  const std::string first = SignedCheckpoint(origin, {leaves.begin(), leaves.begin() + 2});
  const std::string second = Cosigned(SignedCheckpoint(origin, leaves), witness_origin);
  auto proof = crypto::ConsistencyProof(leaves, 2);
  Require(proof.has_value(), "export proof");
  nlohmann::json hashes = nlohmann::json::array();
  for (const auto& h : *proof) hashes.push_back(node::audit::Base64(h));
  const nlohmann::json proofs =
      nlohmann::json::array({{{"from", 2}, {"to", 6}, {"proof", hashes}}});
  const nlohmann::json keys = {
      {"origin", origin},
      {"node", {{"name", "Leerplicht Fuzz"}, {"key", fuzz::LogKey().PublicKey().Fingerprint()}}},
      {"witnesses",
       nlohmann::json::array({{{"peer", "swv-fuzz"},
                               {"name", witness_origin},
                               {"key", fuzz::WitnessKey().PublicKey().Fingerprint()}}})}};
  std::string records;
  for (const auto& l : lines) records += l + "\n";
  const std::string common = "=== keys.json\n" + keys.dump(2) + "\n=== proofs.json\n" +
                             proofs.dump(1) + "\n=== checkpoints/2.note\n" + first +
                             "=== checkpoints/6.note\n" + second;
  Write("audit_export", "valid", common + "=== records.jsonl\n" + records);
  {  // The valid seed verifies, as `inbeeld audit verify` would say.
    const fs::path dir = fs::temp_directory_path() / "inbeeld-make-corpus-export";
    fs::remove_all(dir);
    fs::create_directories(dir / "checkpoints");
    std::ofstream(dir / "keys.json") << keys.dump(2) << "\n";
    std::ofstream(dir / "proofs.json") << proofs.dump(1) << "\n";
    std::ofstream(dir / "checkpoints" / "2.note") << first;
    std::ofstream(dir / "checkpoints" / "6.note") << second;
    std::ofstream(dir / "records.jsonl") << records;
    const auto report = node::audit::VerifyExport(dir);
    for (const auto& p : report.problems) std::fprintf(stderr, "export seed: %s\n", p.c_str());
    Require(report.ok() && report.cosignatures == 1, "the valid export seed does not verify");
    std::ofstream(dir.string() + "-swv-saw-2.note") << first;
    node::audit::VerifyOptions options;
    options.node_key = fuzz::LogKey().PublicKey();
    options.witnesses.insert({"swv-fuzz", fuzz::WitnessKey().PublicKey()});
    options.witnessed_checkpoints = {dir.string() + "-swv-saw-2.note"};
    const auto pinned = node::audit::VerifyExport(dir, options);
    for (const auto& p : pinned.problems)
      std::fprintf(stderr, "pinned export seed: %s\n", p.c_str());
    Require(pinned.ok() && pinned.witnessed.size() == 1, "the pinned export seed does not verify");
    fs::remove(dir.string() + "-swv-saw-2.note");
    fs::remove_all(dir);
  }
  std::string redacted = "{\"redacted\":\"" + node::audit::Base64(leaves[0]) + "\"}\n";
  for (size_t i = 1; i < lines.size(); ++i) redacted += lines[i] + "\n";
  Write("audit_export", "redacted", common + "=== records.jsonl\n" + redacted);
  Write("audit_export", "truncated", common + "=== records.jsonl\n" + lines[0] + "\n");
  // With the keys pinned and a peer's copy of checkpoint 2 (--witnessed-checkpoint).
  Write("audit_export", "pinned-and-witnessed",
        common + "=== records.jsonl\n" + records + "=== pinned\n=== witnessed/swv-saw-2.note\n" +
            first);
}

// ------------------------------------------------------------------ merkle

void MerkleSeeds() {
  const auto leaves = Leaves(40);  // the harness's leaves are "record i"
  std::vector<crypto::Hash> records;
  for (int i = 0; i < 40; ++i)
    records.push_back(crypto::LeafHash(Bytes("record " + std::to_string(i))));
  crypto::CompactRange range;
  for (int i = 0; i < 13; ++i) range.Append(records[i]);
  const auto serialized = range.Serialize();
  Write("merkle", "compact-range",
        std::string(1, '\0') + std::string(serialized.begin(), serialized.end()));
  auto hashes = [](const std::vector<crypto::Hash>& proof) {
    std::string out;
    for (const auto& h : proof) out.append(h.begin(), h.end());
    return out;
  };
  auto inclusion = crypto::InclusionProof(std::span(records).first(13), 5);
  Write("merkle", "inclusion", std::string{1, 5, 13, 1} + hashes(*inclusion));
  auto consistency = crypto::ConsistencyProof(std::span(records).first(13), 6);
  Write("merkle", "consistency", std::string{2, 6, 13, 1} + hashes(*consistency));
  Write("merkle", "generators", std::string{3, 7, 31});
}

// ------------------------------------------------------------------ region

// Points for `n` groups of `k`, as fuzz/region_fuzzer.cc's seeds carry them.
std::vector<schema::wire::PointBytes> RegionPoints(size_t n, const std::string& label) {
  std::vector<schema::wire::PointBytes> out;
  for (size_t i = 0; i < n; ++i) {
    const std::string text = label + " " + std::to_string(i);
    auto p = crypto::Point::HashToGroup(Bytes(text), Bytes("inbeeld fuzz"));
    out.push_back(p->Encode());
  }
  return out;
}

// The placeholders fuzz/region_fuzzer.cc replaces (32, 32 and 16 bytes).
template <size_t N>
std::array<uint8_t, N> Mark(std::string_view text) {
  std::array<uint8_t, N> out{};
  std::copy_n(text.begin(), N, out.begin());
  return out;
}

void RegionSeeds() {
  namespace rw = schema::region_wire;
  // Three nodes, this one at index 1; all key types (6 points a child).
  rw::HopHeader header;
  header.session_id = Mark<16>("$SESSION-ID-16b.");
  header.purpose = "thuiszitters-afstemming";
  header.key_mask = 7;
  header.index = 1;
  rw::KeyBytes other;
  other.fill(0xCC);
  header.participants = {Mark<32>("$COORDINATOR-KEY-PLACEHOLDER-32b"),
                         Mark<32>("$SELF-KEY-PLACEHOLDER-32-bytes-."), other};
  auto hop = [&](int round, uint8_t origin, uint16_t blinded_by, const std::string& label,
                 std::vector<uint8_t> categories) {
    const auto points = RegionPoints(categories.size() * 6, label);
    rw::SetView set;
    set.origin = origin;
    set.blinded_by = blinded_by;
    set.groups = static_cast<uint32_t>(categories.size());
    set.points = schema::wire::PointView(points.front().data(), points.size());
    set.categories = categories;
    header.round = static_cast<uint8_t>(round);
    return "H" + rw::EncodeHop(header, std::span(&set, 1));
  };
  const std::string round1 = hop(1, 0, 0b001, "coordinator", {1, 3});
  const std::string round2 = hop(2, 2, 0b101, "school", {2, 4, 4});
  rw::ResultMessage figures;
  figures.session_id = header.session_id;
  figures.distinct = 9;
  figures.single_list = 7;
  figures.possible = 1;
  figures.by_category = {3, 1, 0, 5};
  figures.list_sizes = {2, 5, 3};
  figures.participants = {"a", "b", "c"};
  const std::string result = "R" + rw::EncodeResult(figures);
  Write("region", "round1", round1);
  Write("region", "whole-session", round1 + "\n---\n" + round2 + "\n---\n" + result);
  Write("region", "result-only", result);
  Write("region", "round2-out-of-order", round2);
}

// -------------------------------------------------------- text and fields

void TextSeeds() {
  const schema::Date today{2026, 11, 2};
  Write("csv_import", "leerplicht-bom",
        schema::WriteListCsv(schema::GenerateList(11, 4, today), ';', true));
  Write("csv_import", "comma",
        schema::WriteListCsv(schema::GenerateList(12, 3, today), ',', false));
  Write("csv_import", "tab", schema::WriteListCsv(schema::GenerateList(13, 2, today), '\t', false));

  // .xlsx: a list as WriteXlsx writes it (inline strings, numbers), the cells
  // of the CSV seed above; libzip stamps entries with the time, so these
  // bytes change from run to run while their content does not.
  {
    const schema::CellTable csv =
        schema::ReadCsvTable(schema::WriteListCsv(schema::GenerateList(14, 4, today)));
    schema::Sheet sheet{"Lijst", csv.header, {}, {}};
    for (size_t r = 0; r < csv.row_count(); ++r) {
      std::vector<schema::SheetCell> cells;
      for (size_t c = 0; c < csv.header.size(); ++c) {
        std::string_view cell = csv.cell(r, c);
        if (c == 0 && !cell.empty() && cell[0] != '0') {
          cells.emplace_back(std::stod(std::string(cell)));  // a BSN typed as a number
        } else {
          cells.emplace_back(std::string(cell));
        }
      }
      sheet.rows.push_back(std::move(cells));
    }
    auto xlsx = schema::WriteXlsx(schema::Workbook{{sheet}});
    Require(xlsx.has_value(), "xlsx seed not written");
    Require(schema::ParseListFile(*xlsx, "lijst.xlsx").ok(), "xlsx seed does not parse");
    Write("xlsx_import", "leerplicht", *xlsx);
  }

  config::InitialConfigSpec spec;
  spec.node_name = "Leerplicht Fuzz";
  spec.organisation = "Gemeente Fuzz";
  const std::string initial = config::RenderInitialConfig(spec);
  Require(config::ParseConfig(initial, "x").has_value(), "initial config");
  Write("config", "initial-leerplicht", initial);
  spec.role = config::Role::kSwv;
  Write("config", "initial-swv", config::RenderInitialConfig(spec));
  config::PeerConfig peer;
  peer.name = "swv-fuzz";
  peer.address = "swv.example:8443";
  peer.key = fuzz::WitnessKey().PublicKey().Fingerprint();
  peer.role = config::Role::kSwv;
  peer.policy.allowed_purposes = {"thuiszitters-afstemming"};
  peer.policy.shared_labels = {config::LabelField::kCategory};
  peer.policy.match_keys = {config::MatchKeyType::kName, config::MatchKeyType::kWeak};
  const std::string with_peer =
      initial + config::RenderPeerBlock(peer) +
      "\n[sync]\npurpose = \"thuiszitters-afstemming\"\nevery_days = 21\n";
  Require(config::ParseConfig(with_peer, "x").has_value(), "config with a peer");
  Write("config", "with-peer-and-sync", with_peer);

  schema::Rng rng(5);
  Write("fields", "bsn", schema::GenerateBsn(rng));
  Write("fields", "onderwijsnummer", schema::GenerateOnderwijsnummer(rng));
  Write("fields", "bsn-dotted", " 1234.56.782 ");
  Write("fields", "bsn-eight-digits", "12345672");
  Write("fields", "date-dutch", "31-01-2026");
  Write("fields", "date-iso", "2026-1-31");
  Write("fields", "date-slashes", "3/1/2014");
  Write("fields", "partial-year", "2014");
  Write("fields", "partial-unknown-day", "xx-03-2014");
  Write("fields", "timestamp", "2026-11-22T14:03:05Z");
  Write("fields", "timestamp-leap-day", "2028-02-29T23:59:59Z");
}

// Announcements by the fuzz log key of the fuzz witness key, issued when
// the harness's clock says it is, so they verify there.
void KeyRotationSeeds() {
  for (const auto& [name, node_name] :
       {std::pair{"valid", std::string("Leerplicht Haarlem")},
        std::pair{"longest-name", std::string(schema::kMaxKeyRotationNameSize, 'a')}}) {
    auto message =
        node::keys::Announce(fuzz::LogKey(), fuzz::WitnessKey(), node_name, fuzz::kKeyRotationNow);
    Require(message.has_value(), "key rotation announcement");
    Write("key_rotation", name, std::string(message->begin(), message->end()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus DIR   (normally fuzz/corpus)\n");
    return 2;
  }
  Require(sodium_init() >= 0, "sodium_init");
  root = argv[1];
  PsiSeeds();
  NoteSeeds();
  ExportSeeds();
  MerkleSeeds();
  KeyRotationSeeds();
  RegionSeeds();
  TextSeeds();
  std::printf("make_corpus: wrote %d seeds under %s\n", written, root.c_str());
  return 0;
}
