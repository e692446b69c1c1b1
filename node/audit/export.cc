#include "node/audit/export.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "crypto/signed_note.h"
#include "node/audit/base64.h"
#include "node/audit/list_commitments.h"
#include "schema/audit_record.h"

namespace inbeeld::node::audit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

}  // namespace

Result<ExportSummary> ExportAudit(AuditLog& log, const config::NodeConfig& config,
                                  const crypto::VerifyingKey& node_key, const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return Fail(ErrorCode::kAlreadyExists, dir.string() + " exists and is not empty");
  }
  auto latest = log.Checkpoint();
  if (!latest) return std::unexpected(latest.error());
  fs::create_directories(dir / "checkpoints", ec);
  if (ec)
    return Fail(ErrorCode::kFailedPrecondition,
                "cannot create " + dir.string() + ": " + ec.message());

  ExportSummary summary;
  {
    std::ofstream out(dir / "records.jsonl", std::ios::binary | std::ios::trunc);
    std::ofstream hashes(dir / "leaf_hashes.txt", std::ios::binary | std::ios::trunc);
    INBEELD_RETURN_IF_ERROR(log.ForEachLeaf(
        [&](uint64_t index, const std::string& line, const crypto::Hash& hash) -> Status {
          if (index >= latest->size) return {};  // appended after the checkpoint: next export
          if (line.empty()) {
            out << "{\"redacted\":\"" << Base64(hash) << "\"}\n";  // retention kept only the hash
          } else {
            out << line << '\n';
          }
          hashes << crypto::HexEncode(hash) << '\n';
          ++summary.records;
          return {};
        }));
    if (!out) return Fail(ErrorCode::kFailedPrecondition, "cannot write records.jsonl");
    if (!hashes) return Fail(ErrorCode::kFailedPrecondition, "cannot write leaf_hashes.txt");
  }
  auto checkpoints = log.Checkpoints();
  if (!checkpoints) return std::unexpected(checkpoints.error());
  auto cosignatures = log.Cosignatures();
  if (!cosignatures) return std::unexpected(cosignatures.error());
  json proofs = json::array();
  const SignedCheckpoint* previous = nullptr;
  for (const auto& c : *checkpoints) {
    if (c.size > latest->size) continue;
    std::string note = c.note;
    for (const auto& cos : *cosignatures) {
      if (cos.size == c.size) {
        note += cos.line;
        ++summary.cosignatures;
      }
    }
    std::ofstream(dir / "checkpoints" / (std::to_string(c.size) + ".note"), std::ios::binary)
        << note;
    if (previous != nullptr && previous->size > 0) {
      auto proof = log.tree().ConsistencyProof(previous->size, c.size);
      if (!proof) return std::unexpected(proof.error());
      json hashes = json::array();
      for (const auto& h : *proof) hashes.push_back(Base64(h));
      proofs.push_back({{"from", previous->size}, {"to", c.size}, {"proof", hashes}});
    }
    previous = &c;
    ++summary.checkpoints;
  }
  std::ofstream(dir / "proofs.json", std::ios::binary) << proofs.dump(1) << "\n";

  // Each committed list the exported records name, for subject answers.
  auto lists = CommittedLists(log);
  if (!lists) return std::unexpected(lists.error());
  for (const auto& list : *lists) {
    if (list.record_index >= latest->size) continue;  // committed after the checkpoint
    if (summary.lists++ == 0) fs::create_directories(dir / "lists", ec);
    std::ofstream out(dir / "lists" / ListFileName(list.root), std::ios::binary);
    INBEELD_RETURN_IF_ERROR(ForEachListMember(log, list.id, [&](const std::string& p) -> Status {
      out << p << '\n';
      return {};
    }));
    if (!out)
      return Fail(ErrorCode::kFailedPrecondition, "cannot write lists/" + ListFileName(list.root));
  }

  json witnesses = json::array();
  for (const auto& peer : config.peers) {
    auto key = crypto::VerifyingKey::FromFingerprint(peer.key);
    if (!key) continue;
    witnesses.push_back({{"peer", peer.name}, {"name", OriginFor(*key)}, {"key", peer.key}});
  }
  // Witnesses no longer configured still vouch for old checkpoints.
  for (const auto& cos : *cosignatures) {
    bool listed = false;
    for (const auto& w : witnesses) listed = listed || w["key"] == cos.witness_key;
    auto key = crypto::VerifyingKey::FromFingerprint(cos.witness_key);
    if (!listed && key) {
      witnesses.push_back(
          {{"peer", cos.witness}, {"name", OriginFor(*key)}, {"key", cos.witness_key}});
    }
  }
  // Keys that signed the older checkpoints (`key rotate`): each up to its
  // size; `audit verify` checks the hand-over against the log's own record.
  auto previous_keys = log.PreviousKeys();
  if (!previous_keys) return std::unexpected(previous_keys.error());
  json earlier_keys = json::array();
  for (const auto& k : *previous_keys) {
    earlier_keys.push_back(
        {{"key", k.key}, {"through_size", k.through_size}, {"announcement", k.announcement}});
  }
  json keys = {{"origin", log.origin()},
               {"node", {{"name", config.node_name}, {"key", node_key.Fingerprint()}}},
               {"witnesses", witnesses}};
  if (!earlier_keys.empty()) keys["node"]["previous_keys"] = earlier_keys;
  std::ofstream(dir / "keys.json", std::ios::binary) << keys.dump(2) << "\n";
  std::ofstream(dir / "README.txt", std::ios::binary)
      << "inbeeld audit export of " << config.node_name << "\n"
      << "Check it offline with: inbeeld audit verify " << dir.filename().string() << "\n"
      << "records.jsonl: one record per line (Logboek Dataverwerkingen shape); subjects are\n"
      << "keyed pseudonyms, never identifiers. checkpoints/: signed checkpoints (C2SP\n"
      << "signed-note) with peers' cosignatures. proofs.json: RFC 9162 consistency proofs.\n"
      << "lists/<root>.txt: each list of children sent, once, as the records name it by its\n"
      << "RFC 9162 root: the children's audit pseudonyms, sorted, one a line (the leaves).\n"
      << "leaf_hashes.txt: each record's RFC 9162 leaf hash as the node stored it (hex), so\n"
      << "an edited record is named by its line. Pin the node's key from its `inbeeld whoami`:\n"
      << "inbeeld audit verify --expect-key ed25519:... " << dir.filename().string() << "\n";
  return summary;
}

}  // namespace inbeeld::node::audit
