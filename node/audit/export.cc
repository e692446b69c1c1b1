#include "node/audit/export.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/signed_note.h"
#include "node/audit/base64.h"
#include "node/node_dir.h"
#include "schema/audit_record.h"
#include "schema/utf8.h"

namespace inbeeld::node::audit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Result<std::string> ReadText(const fs::path& path, size_t limit) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Fail(ErrorCode::kNotFound, path.filename().string() + " is missing");
  if (fs::file_size(path, ec) > limit) return Fail(ErrorCode::kResourceExhausted, path.filename().string() + " is too large");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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
  if (ec) return Fail(ErrorCode::kFailedPrecondition, "cannot create " + dir.string() + ": " + ec.message());

  ExportSummary summary;
  {
    std::ofstream out(dir / "records.jsonl", std::ios::binary | std::ios::trunc);
    INBEELD_RETURN_IF_ERROR(log.ForEachLeaf(
        [&](uint64_t index, const std::string& line, const crypto::Hash& hash) -> Status {
          if (index >= latest->size) return {};  // appended after the checkpoint: next export
          if (line.empty()) {
            out << "{\"redacted\":\"" << Base64(hash) << "\"}\n";  // retention kept only the hash
          } else {
            out << line << '\n';
          }
          ++summary.records;
          return {};
        }));
    if (!out) return Fail(ErrorCode::kFailedPrecondition, "cannot write records.jsonl");
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
    std::ofstream(dir / "checkpoints" / (std::to_string(c.size) + ".note"), std::ios::binary) << note;
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
      witnesses.push_back({{"peer", cos.witness}, {"name", OriginFor(*key)}, {"key", cos.witness_key}});
    }
  }
  json keys = {{"origin", log.origin()},
               {"node", {{"name", config.node_name}, {"key", node_key.Fingerprint()}}},
               {"witnesses", witnesses}};
  std::ofstream(dir / "keys.json", std::ios::binary) << keys.dump(2) << "\n";
  std::ofstream(dir / "README.txt", std::ios::binary)
      << "inbeeld audit export of " << config.node_name << "\n"
      << "Check it offline with: inbeeld audit verify " << dir.filename().string() << "\n"
      << "records.jsonl: one record per line (Logboek Dataverwerkingen shape); subjects are\n"
      << "keyed pseudonyms, never identifiers. checkpoints/: signed checkpoints (C2SP\n"
      << "signed-note) with peers' cosignatures. proofs.json: RFC 9162 consistency proofs.\n";
  return summary;
}

VerifyReport VerifyExport(const fs::path& dir) {
  VerifyReport report;
  auto problem = [&](std::string text) { report.problems.push_back(std::move(text)); };

  // Keys.
  auto keys_text = ReadText(dir / "keys.json", 1 << 20);
  if (!keys_text) {
    problem("keys.json: " + keys_text.error().message);
    return report;
  }
  json keys = json::parse(*keys_text, nullptr, false);
  std::string origin;
  std::optional<crypto::VerifyingKey> node_key;
  if (!keys.is_discarded() && keys.is_object() && keys.contains("origin") &&
      keys["origin"].is_string() && keys.contains("node") && keys["node"].is_object() &&
      keys["node"].contains("key") && keys["node"]["key"].is_string()) {
    origin = keys["origin"];
    auto k = crypto::VerifyingKey::FromFingerprint(keys["node"]["key"].get<std::string>());
    if (k) node_key = *k;
  }
  if (!node_key || origin != OriginFor(*node_key)) {
    problem("keys.json: the node's key or origin is missing or malformed");
    return report;
  }
  struct Witness {
    std::string peer, name;
    crypto::VerifyingKey key;
  };
  std::vector<Witness> witnesses;
  if (keys.contains("witnesses") && keys["witnesses"].is_array()) {
    for (const auto& w : keys["witnesses"]) {
      if (!w.is_object() || !w.contains("key") || !w["key"].is_string() || !w.contains("peer") ||
          !w["peer"].is_string()) {
        problem("keys.json: a witness entry is malformed");
        continue;
      }
      auto k = crypto::VerifyingKey::FromFingerprint(w["key"].get<std::string>());
      if (!k) {
        problem("keys.json: witness \"" + w["peer"].get<std::string>() + "\" has a malformed key");
        continue;
      }
      witnesses.push_back({w["peer"], OriginFor(*k), *k});
    }
  }

  // Records: shape, sequence, leaf hashes.
  std::vector<crypto::Hash> leaves;
  {
    std::ifstream in(dir / "records.jsonl", std::ios::binary);
    if (!in) {
      problem("records.jsonl is missing");
      return report;
    }
    std::string line;
    uint64_t line_no = 0;
    bool seen_content = false;
    constexpr std::string_view kRedacted = "{\"redacted\":\"";
    while (std::getline(in, line)) {
      ++line_no;
      uint64_t expected = line_no - 1;
      if (line.starts_with(kRedacted) && line.ends_with("\"}")) {
        // Retention removed the content and kept the leaf hash.
        auto hash = HashFromBase64(line.substr(kRedacted.size(), line.size() - kRedacted.size() - 2));
        if (!hash) {
          problem(fmt::format("records.jsonl line {}: a redacted record with a malformed hash", line_no));
          hash = crypto::Hash{};
        } else if (seen_content) {
          problem(fmt::format("records.jsonl line {}: redacted after a kept record (retention "
                              "removes the oldest records first)",
                              line_no));
        }
        ++report.redacted;
        leaves.push_back(*hash);
        continue;
      }
      seen_content = true;
      auto record = schema::DecodeAuditRecord(line);
      if (!record) {
        problem(fmt::format("records.jsonl line {}: {}", line_no, record.error().message));
      } else {
        auto seq = record->attributes.find("inbeeld.seq");
        uint64_t got = 0;
        if (seq == record->attributes.end() ||
            std::from_chars(seq->second.data(), seq->second.data() + seq->second.size(), got).ec !=
                std::errc()) {
          problem(fmt::format("records.jsonl line {}: no sequence number", line_no));
        } else if (got > expected) {
          problem(fmt::format("records.jsonl line {}: holds record {}, so record {} is missing "
                              "(deleted)",
                              line_no, got, expected));
        } else if (got < expected) {
          problem(fmt::format("records.jsonl line {}: holds record {} again or out of order "
                              "(records swapped or duplicated)",
                              line_no, got));
        }
      }
      leaves.push_back(crypto::LeafHash(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size())));
    }
    report.records = leaves.size();
  }

  // Checkpoints: signature, origin, root against the records, cosignatures.
  std::map<uint64_t, crypto::Hash> roots;  // size -> signed root
  std::error_code ec;
  if (!fs::is_directory(dir / "checkpoints", ec)) {
    problem("checkpoints/ is missing");
    return report;
  }
  std::vector<fs::path> notes;
  for (const auto& entry : fs::directory_iterator(dir / "checkpoints", ec)) notes.push_back(entry.path());
  if (notes.empty()) problem("checkpoints/ holds no checkpoint: nothing is signed");
  for (const auto& path : notes) {
    // The report is printed as JSON (`audit verify --json`), which cannot hold
    // a name that is not UTF-8; no exported checkpoint has such a name.
    if (!schema::IsValidUtf8(path.filename().string())) {
      problem("checkpoints/: a file whose name is not UTF-8 (not an exported checkpoint)");
      continue;
    }
    std::string file = "checkpoints/" + path.filename().string();
    auto text = ReadText(path, crypto::kMaxNoteSize);
    if (!text) {
      problem(file + ": " + text.error().message);
      continue;
    }
    auto note = crypto::ParseNote(*text);
    if (!note) {
      problem(file + ": not a signed note: " + note.error().message);
      continue;
    }
    if (!crypto::VerifyNoteSignature(*note, origin, *node_key)) {
      problem(file + ": the node's signature does not verify (checkpoint replaced or edited)");
      continue;
    }
    auto checkpoint = crypto::ParseCheckpointBody(note->body);
    if (!checkpoint || checkpoint->origin != origin) {
      problem(file + ": not a checkpoint of this node's log");
      continue;
    }
    if (path.stem().string() != std::to_string(checkpoint->size)) {
      problem(file + ": file name does not match the checkpoint size " + std::to_string(checkpoint->size));
    }
    if (auto [it, inserted] = roots.emplace(checkpoint->size, checkpoint->root);
        !inserted && it->second != checkpoint->root) {
      problem(fmt::format("{}: two signed checkpoints of size {} with different roots (fork)", file,
                          checkpoint->size));
    }
    ++report.checkpoints;
    for (const auto& line : note->signatures) {
      if (line.name == origin) continue;
      const Witness* witness = nullptr;
      for (const auto& w : witnesses) {
        if (w.name == line.name) witness = &w;
      }
      if (witness == nullptr) {
        problem(file + ": a cosignature by an unknown witness");
        continue;
      }
      if (!crypto::VerifyCosignature(*note, witness->name, witness->key)) {
        problem(fmt::format("{}: the cosignature by \"{}\" does not verify (forged, or the "
                            "checkpoint was changed after it was witnessed)",
                            file, witness->peer));
        continue;
      }
      ++report.cosignatures;
      if (std::find(report.witnesses.begin(), report.witnesses.end(), witness->peer) ==
          report.witnesses.end()) {
        report.witnesses.push_back(witness->peer);
      }
    }
  }

  // Roots: each checkpoint must match the records it covers.
  uint64_t verified_up_to = 0;
  for (const auto& [size, root] : roots) {
    if (size > leaves.size()) {
      problem(fmt::format("checkpoint {} covers {} records but records.jsonl holds only {} "
                          "(log truncated)",
                          size, size, leaves.size()));
      continue;
    }
    crypto::Hash computed = crypto::RootFromLeafHashes(std::span(leaves).first(size));
    if (computed != root) {
      problem(fmt::format("checkpoint {}: records 1 to {} do not hash to its signed root: a record "
                          "on lines {} to {} was edited, or history was rewritten",
                          size, size, verified_up_to + 1, size));
    } else {
      verified_up_to = size;
    }
  }
  if (!roots.empty() && leaves.size() > roots.rbegin()->first) {
    problem(fmt::format("records.jsonl lines {} to {} are not covered by any signed checkpoint "
                        "(appended afterwards)",
                        roots.rbegin()->first + 1, leaves.size()));
  }

  // Consistency proofs between consecutive checkpoints.
  auto proofs_text = ReadText(dir / "proofs.json", 64 << 20);
  json proofs = proofs_text ? json::parse(*proofs_text, nullptr, false) : json();
  if (!proofs_text || proofs.is_discarded() || !proofs.is_array()) {
    problem("proofs.json is missing or malformed");
  } else {
    for (const auto& p : proofs) {
      if (!p.is_object() || !p.contains("from") || !p.contains("to") || !p.contains("proof") ||
          !p["from"].is_number_unsigned() || !p["to"].is_number_unsigned() || !p["proof"].is_array()) {
        problem("proofs.json: an entry is malformed");
        continue;
      }
      uint64_t from = p["from"], to = p["to"];
      auto a = roots.find(from), b = roots.find(to);
      if (a == roots.end() || b == roots.end()) {
        problem(fmt::format("proofs.json: a proof from {} to {} names a checkpoint that is not "
                            "exported",
                            from, to));
        continue;
      }
      std::vector<crypto::Hash> hashes;
      bool malformed = false;
      for (const auto& h : p["proof"]) {
        auto hash = h.is_string() ? HashFromBase64(h.get<std::string>()) : Result<crypto::Hash>(
                                                                               std::unexpected(Error{}));
        if (!hash) {
          malformed = true;
          break;
        }
        hashes.push_back(*hash);
      }
      if (malformed || !crypto::VerifyConsistency(from, to, a->second, b->second, hashes)) {
        problem(fmt::format("checkpoints {} and {} are not consistent: the log forked between them",
                            from, to));
      }
    }
  }

  // Inclusion: every record against the latest checkpoint, with proofs taken
  // from the tree's levels (an odd last node is carried up, as RFC 9162's
  // left-balanced tree does), then checked by the RFC verifier.
  if (report.problems.empty() && !roots.empty()) {
    auto [size, root] = *roots.rbegin();
    std::vector<std::vector<crypto::Hash>> levels{
        std::vector<crypto::Hash>(leaves.begin(), leaves.begin() + static_cast<long>(size))};
    while (levels.back().size() > 1) {
      const auto& below = levels.back();
      std::vector<crypto::Hash> up;
      for (size_t i = 0; i + 1 < below.size(); i += 2) up.push_back(crypto::NodeHash(below[i], below[i + 1]));
      if (below.size() % 2 == 1) up.push_back(below.back());
      levels.push_back(std::move(up));
    }
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<crypto::Hash> proof;
      uint64_t i = index;
      for (size_t level = 0; level + 1 < levels.size(); ++level, i /= 2) {
        uint64_t sibling = i ^ 1;
        if (sibling < levels[level].size()) proof.push_back(levels[level][sibling]);
      }
      if (!crypto::VerifyInclusion(leaves[index], index, size, proof, root)) {
        problem(fmt::format("records.jsonl line {}: not included in checkpoint {}", index + 1, size));
        break;
      }
    }
  }
  return report;
}

}  // namespace inbeeld::node::audit
