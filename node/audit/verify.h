// node/audit/verify.h — `inbeeld audit verify`: checks an audit export
// (export.h) offline, with nothing but its files, the keys the auditor pins
// and, optionally, checkpoints of this log that peers witnessed.
//
// What it checks:
//  - keys.json: the node's key and origin; with VerifyOptions::node_key, that
//    it is the pinned key (otherwise the keys are taken from the export itself,
//    and the report says so); each pinned witness key likewise;
//  - after `inbeeld key rotate`, keys.json's node.previous_keys: each earlier
//    key signed the checkpoints up to its through_size, the next one every
//    larger one; the record at leaf through_size − 1 is the log's own
//    inbeeld.node.key.rotated, whose announcement both keys signed; the log
//    records no other key change. A pinned earlier key is followed to the
//    current one that way;
//  - checkpoints/*.note (other files there are ignored): the node's signature,
//    origin, size = file name, no two roots for one size (fork); each
//    cosignature line on its own: a valid line by a listed witness counts once
//    per witness and checkpoint; duplicate lines, lines by unlisted keys and
//    lines that do not verify never count and are reported once per file;
//  - records.jsonl: each record's shape and sequence number (a deleted,
//    duplicated, swapped or renumbered record is named once, by line and
//    sequence number, without a message for every later line); each record's
//    leaf hash against leaf_hashes.txt once that file hashes to the latest
//    signed root, so an edited record is named by its line; without a usable
//    leaf_hashes.txt, the first checkpoint whose root fails is named instead;
//  - the roots of every checkpoint and the consistency proofs between them;
//  - "inbeeld.witness.cosigned" records: the checkpoint and cosignature line
//    each one names are in the export (a removed cosignature or checkpoint is
//    caught);
//  - lists/<root>.txt: every committed list a record names (list root, size)
//    is in the export, sorted, and hashes to that root; every matched child of
//    a session is on the session's list; no other list file is there;
//  - VerifyOptions::witnessed_checkpoints: each (a peer's copy of this log's
//    checkpoint, `inbeeld audit witnessed` on the peer) is signed by the node
//    and is a prefix of the exported records. This is the only way to see an
//    export cut back to an older checkpoint: an export alone cannot show that
//    the log did not go on after its latest checkpoint.
//
// Messages name the file and line (or checkpoint); one problem gives one
// message, never one per following line.
//
// Thread safety: pure file reading; safe from any thread.
#ifndef INBEELD_NODE_AUDIT_VERIFY_H_
#define INBEELD_NODE_AUDIT_VERIFY_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/signing.h"

namespace inbeeld::node::audit {

struct VerifyOptions {
  std::optional<crypto::VerifyingKey> node_key;              // --expect-key
  std::map<std::string, crypto::VerifyingKey> witnesses;     // --expect-witness NAME=KEY
  std::vector<std::filesystem::path> witnessed_checkpoints;  // --witnessed-checkpoint
};

// A key the report was checked against.
struct CheckedKey {
  std::string name;         // the node's name, or the witness's peer name
  std::string fingerprint;  // ed25519:<hex>
  bool pinned = false;      // given by the auditor (else read from keys.json)
};

struct VerifyReport {
  std::vector<std::string> problems;  // empty: everything verified
  uint64_t records = 0;
  uint64_t redacted = 0;  // of `records`, removed by retention (hash kept)
  size_t checkpoints = 0;
  uint64_t latest_size = 0;  // size of the latest signed checkpoint
  // Valid cosignatures, at most one per witness and checkpoint.
  size_t cosignatures = 0;
  // "inbeeld.witness.cosigned" records whose cosignature line is present.
  size_t cosignature_records = 0;
  std::vector<std::string> witnesses;  // names whose cosignatures verified
  std::optional<CheckedKey> node_key;  // set once keys.json was read
  // When node_key is an earlier key of the node (pinned by the auditor):
  // the current one, reached through key_changes.
  std::string followed_to;
  std::vector<CheckedKey> witness_keys;
  size_t lists = 0;  // committed lists checked against their roots
  // --witnessed-checkpoint files the export matched, as "size N (FILE)".
  std::vector<std::string> witnessed;
  // "inbeeld.log.restored" records, described: the log was cut back to a
  // backup there, openly (node/audit/rejoin.h).
  std::vector<std::string> restores;
  // Changes of the node's key (`inbeeld key rotate`), described: each one the
  // log's own record, with an announcement signed by the old key and the new.
  std::vector<std::string> key_changes;
  bool ok() const { return problems.empty(); }
};

VerifyReport VerifyExport(const std::filesystem::path& dir, const VerifyOptions& options = {});

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_VERIFY_H_
