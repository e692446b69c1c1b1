// node/audit/export.h — the audit log as a directory a privacy officer can
// take away and check with nothing but this file format:
//
//   DIR/records.jsonl     record i on line i+1, canonical JSON (the leaf data),
//                         or {"redacted":"<base64 leaf hash>"} for a record
//                         whose content retention removed (always the oldest)
//   DIR/checkpoints/N.note  the node's signed checkpoint of size N, followed by
//                         the cosignature lines peers gave it
//   DIR/proofs.json       RFC 9162 consistency proofs between consecutive
//                         checkpoints: [{"from": m, "to": n, "proof": [base64]}]
//   DIR/keys.json         the node's origin and Ed25519 key, and each witness's
//                         name, origin and key
//
// VerifyExport recomputes the tree from records.jsonl and checks every
// record's shape and sequence number, every checkpoint's signature and root,
// every consistency proof, every cosignature, and every record's inclusion
// proof against the first checkpoint that covers it. Each kind of damage has
// its own message naming the file and line or checkpoint.
//
// Thread safety: ExportAudit uses the Store (one thread); VerifyExport is pure
// file reading.
#ifndef INBEELD_NODE_AUDIT_EXPORT_H_
#define INBEELD_NODE_AUDIT_EXPORT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/node_config.h"
#include "node/audit/audit_log.h"

namespace inbeeld::node::audit {

struct ExportSummary {
  uint64_t records = 0;
  size_t checkpoints = 0;
  size_t cosignatures = 0;
};

// Signs a fresh checkpoint, then writes DIR (which must not exist or be empty).
Result<ExportSummary> ExportAudit(AuditLog& log, const config::NodeConfig& config,
                                  const crypto::VerifyingKey& node_key,
                                  const std::filesystem::path& dir);

struct VerifyReport {
  std::vector<std::string> problems;  // empty: everything verified
  uint64_t records = 0;
  uint64_t redacted = 0;  // of `records`, removed by retention (hash kept)
  size_t checkpoints = 0;
  size_t cosignatures = 0;
  std::vector<std::string> witnesses;  // names whose cosignatures verified
  bool ok() const { return problems.empty(); }
};

VerifyReport VerifyExport(const std::filesystem::path& dir);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_EXPORT_H_
