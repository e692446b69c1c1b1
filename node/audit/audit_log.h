// node/audit/audit_log.h — the node's tamper-evident exchange log.
//
// Records (schema::AuditRecord, Logboek Dataverwerkingen shape) are appended as
// leaves of an RFC 9162 Merkle tree (TreeStore). Checkpoints — origin, size,
// root — are C2SP signed notes under the node's Ed25519 key. Peers cosign them
// (C2SP cosignature/v1) when they witness, and this node keeps those
// cosignatures, each with a record of its own (AcceptCosignature, witness.h);
// it also keeps the latest checkpoint it witnessed of each peer.
//
// Invariants:
//  - append-only: a record, once committed, is never changed or removed;
//  - every record carries "inbeeld.seq" = its leaf index, so a deleted or
//    reordered record is named by `audit verify`;
//  - the node never signs two inconsistent checkpoints: before signing size n
//    it recomputes the root at the last signed size m from its stored hashes
//    and refuses (kDataLoss) if it no longer matches. That check reads the
//    cached hashes of sealed 256-leaf blocks, not every record: an edit of a
//    record's text (or of a hash inside a sealed block) is caught by
//    `audit verify`, which recomputes everything from the exported text, and
//    by peers, whose cosignatures commit to the old roots;
//  - a data subject appears only as its audit pseudonym (SubjectPseudonym);
//    a session's list is committed once (list_commitments.h), and only its
//    matched children get records of their own;
//  - retention redacts content, never leaves: an expired record's text is
//    removed and its leaf hash kept (exported as {"redacted":"<base64>"}).
//
// Thread safety: one thread at a time, like the Store.
#ifndef INBEELD_NODE_AUDIT_AUDIT_LOG_H_
#define INBEELD_NODE_AUDIT_AUDIT_LOG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"
#include "crypto/pseudonym.h"
#include "crypto/signing.h"
#include "node/audit/tree_store.h"
#include "node/clock/clock.h"
#include "node/store/store.h"
#include "schema/audit_record.h"

namespace inbeeld::node {
class Statement;
}  // namespace inbeeld::node

namespace inbeeld::node::audit {

// The log's origin line and key name: "inbeeld/<64 hex of the public key>".
std::string OriginFor(const crypto::VerifyingKey& key);

// A data subject in the log: the keyed pseudonym of its list subject under the
// audit key, written with the letters a–p for the 16 nibble values. An export
// thus never holds a digit run that could pass for a BSN.
std::string SubjectPseudonym(const crypto::PseudonymKey& audit_key,
                             const std::array<uint8_t, 32>& list_subject);

// Fresh random ids in the Logboek shapes: 16 bytes / 8 bytes, lowercase hex.
std::string NewTraceId();
std::string NewOperationId();
// The clock's time in milliseconds since the epoch (a record's start/end).
int64_t NowMs(const Clock& clock);

struct SignedCheckpoint {
  uint64_t size = 0;
  crypto::Hash root{};
  std::string note;  // signed note, without cosignatures
};

struct Cosignature {
  uint64_t size;
  std::string witness;      // peer name
  std::string witness_key;  // "ed25519:<hex>"
  std::string line;         // the signature line, ending in "\n"
  uint64_t timestamp;
};

// A key that signed this log's checkpoints before the current one (`inbeeld
// key rotate`, node/datadir/key_rotation.h): it signed every checkpoint up to and
// including `through_size`, the one covering its own inbeeld.node.key.rotated
// record (leaf through_size − 1); the next key signs every larger one.
struct PreviousKey {
  std::string key;  // "ed25519:<hex>"
  uint64_t through_size = 0;
  // The announcement of the next key, signed by this key and the next
  // (schema/key_rotation.h), base64: kept beside the record, so the link
  // from this key to the next can be shown after retention redacted it.
  std::string announcement;
};

struct StoredRecord {
  uint64_t index;
  std::string line;
  schema::AuditRecord record;
};

struct RecordFilter {
  int64_t since_ms = 0;
  std::string peer;               // inbeeld.peer
  std::string purpose;            // dpl.core.processing_activity_id ends with this id
  bool include_subjects = false;  // also child (per-subject) records
};

class AuditLog {
 public:
  AuditLog(Store& store, const crypto::SigningKey& key);

  const std::string& origin() const { return origin_; }
  const Clock& clock() const { return store_.clock(); }
  TreeStore& tree() { return tree_; }
  // For the log's other tables (list_commitments.h). REQUIRES: same thread.
  Store& store() { return store_; }

  // Appends in order, assigning inbeeld.seq. REQUIRES: the caller holds a
  // transaction (so records commit with what they describe).
  Status AppendInTransaction(std::vector<schema::AuditRecord> records);
  // Same, in a transaction of its own.
  Status Append(std::vector<schema::AuditRecord> records);
  // Pre-encoded canonical lines whose "inbeeld.seq" already equals their
  // position (see AppendExchangeInTransaction). REQUIRES: a transaction.
  Status AppendLinesInTransaction(const std::vector<std::string>& lines,
                                  const std::vector<LeafIndex>& index);
  // Runs `body` in a transaction of its own, committed if it succeeds.
  Status InTransaction(const std::function<Status()>& body);
  Result<uint64_t> Size() { return tree_.Size(); }

  // Signs a checkpoint for the current size if the log grew since the last
  // one (else returns the last). kDataLoss if the log no longer matches the
  // last signed checkpoint.
  Result<SignedCheckpoint> Checkpoint();
  Result<std::optional<SignedCheckpoint>> Latest();
  Result<std::vector<SignedCheckpoint>> Checkpoints();

  // The keys before the current one, oldest first (empty: never rotated).
  Result<std::vector<PreviousKey>> PreviousKeys();
  // Adds the current key, as having signed up to `through_size`, with the
  // announcement of its successor (base64), to them.
  // REQUIRES: a transaction (the switch of keys commits with it).
  Status RetireKeyInTransaction(uint64_t through_size, const std::string& announcement);

  // Cosignatures peers made of this node's checkpoints. Stores `cosignature`
  // unless the witness already cosigned that size; returns whether it stored.
  // (AcceptCosignature in witness.h also records it in the log.)
  Result<bool> AddCosignature(const Cosignature& cosignature);
  Result<std::vector<Cosignature>> Cosignatures();
  // The largest checkpoint size `witness_key` has cosigned, or 0.
  Result<uint64_t> LastCosignedSize(const std::string& witness_key);

  // Checkpoints of peers this node witnessed (the latest per peer).
  Result<std::optional<SignedCheckpoint>> LastWitnessed(const std::string& peer_key);
  Status StoreWitnessed(const std::string& peer_key, const SignedCheckpoint& checkpoint);
  // The largest checkpoint of the peer witnessed with size <= `size`
  // (every witnessed size is kept), for a restored peer (rejoin.h).
  Result<std::optional<SignedCheckpoint>> WitnessedAtMost(const std::string& peer_key,
                                                          uint64_t size);
  // Forgets the peer's witnessed checkpoints above `size`, once the peer's
  // restore from a backup was accepted and recorded. REQUIRES: a transaction.
  Status ForgetWitnessedAboveInTransaction(const std::string& peer_key, uint64_t size);

  Result<std::vector<StoredRecord>> Records(const RecordFilter& filter);
  // The kept records that started in [from_ms, to_ms) (Unix milliseconds),
  // in log order; per-child records only with `include_subjects`. Redacted
  // records are left out.
  Result<std::vector<StoredRecord>> RecordsBetween(int64_t from_ms, int64_t to_ms,
                                                   bool include_subjects = false);
  Result<std::vector<StoredRecord>> RecordsForSubject(const std::string& pseudonym);
  Result<std::vector<StoredRecord>> RecordsForTrace(const std::string& trace_id);
  // The index of the newest kept record whose event name (the record's
  // "name") is `event_name`, or nullopt when there is none: redacted records
  // no longer have a name.
  Result<std::optional<uint64_t>> LatestIndexNamed(std::string_view event_name);
  // The kept exchange records that name committed list `list_id`
  // (list_commitments.h), in log order.
  Result<std::vector<StoredRecord>> RecordsNamingList(int64_t list_id);
  // Every leaf in order, for export: its record line ("" once redacted) and
  // its leaf hash.
  Status ForEachLeaf(
      const std::function<Status(uint64_t, const std::string&, const crypto::Hash&)>& visit);

  // Retention: removes the content of the oldest records started before
  // `cutoff_ms` — always a prefix of the log, stopping at the first younger
  // record — keeping each leaf hash, so the tree, every checkpoint and every
  // cosignature still verify; and forgets each committed list no kept record
  // names any more. Returns how many records were redacted now.
  // REQUIRES: the caller holds a transaction.
  Result<uint64_t> RedactBeforeInTransaction(int64_t cutoff_ms);

 private:
  Result<std::vector<StoredRecord>> Query(const std::string& where, const std::string& arg);
  // Decodes every row of `s` (idx, record), skipping redacted ones.
  Result<std::vector<StoredRecord>> Collect(Statement& s);

  Store& store_;
  const crypto::SigningKey& key_;
  std::string origin_;
  TreeStore tree_;
};

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_AUDIT_LOG_H_
