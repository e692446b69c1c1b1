// node/audit/export.h — the audit log as a directory a privacy officer can
// take away and check with nothing but this file format:
//
//   DIR/records.jsonl     record i on line i+1, canonical JSON (the leaf data),
//                         or {"redacted":"<base64 leaf hash>"} for a record
//                         whose content retention removed (always the oldest)
//   DIR/leaf_hashes.txt   line i+1: record i's RFC 9162 leaf hash as the node
//                         stored it, lowercase hex; it hashes to the latest
//                         signed root, so it names the line of an edited record
//   DIR/checkpoints/N.note  the node's signed checkpoint of size N, followed by
//                         the cosignature lines peers gave it
//   DIR/proofs.json       RFC 9162 consistency proofs between consecutive
//                         checkpoints: [{"from": m, "to": n, "proof": [base64]}]
//   DIR/keys.json         the node's origin and Ed25519 key, and each witness's
//                         name, origin and key (an auditor pins them; see
//                         verify.h)
//   DIR/lists/<root>.txt  each committed list of children (list_commitments.h)
//                         an exported record names: its audit pseudonyms,
//                         sorted, one a line; RFC 9162 root = the file name
//
// `inbeeld audit verify` (verify.h) checks it.
//
// Thread safety: uses the Store (one thread at a time).
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
  size_t lists = 0;
};

// Signs a fresh checkpoint, then writes DIR (which must not exist or be empty).
Result<ExportSummary> ExportAudit(AuditLog& log, const config::NodeConfig& config,
                                  const crypto::VerifyingKey& node_key,
                                  const std::filesystem::path& dir);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_EXPORT_H_
