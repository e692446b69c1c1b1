// The rejoin exchange (node/audit/rejoin.h) in process: a node backed up,
// witnessed further by its partner, restored; the partner checks each claim
// of the request and keeps it for its operator; forged and stale requests are
// refused with specific errors and change nothing. The same between real
// processes is in backup_test.cc. Then the bodies against hostile input, with
// the table of tests/support/hostile_json.h.
#include "node/audit/rejoin.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "node/audit/exchange_records.h"
#include "node/backup/backup.h"
#include "tests/support/fake_clock.h"
#include "tests/support/hostile_json.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::audit {
namespace {

namespace fs = std::filesystem;

crypto::SecretBytes Passphrase() {
  const std::string text = "passphrase of an in-process test node";
  return crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

class RejoinTest : public ::testing::Test {
 protected:
  RejoinTest() : clock_("2031-03-04T09:00:00Z"), ik_(clock_, "ik"), partner_(clock_, "partner") {}

  WitnessPeer IkAsPeer() { return {"ik", ik_.node().identity.PublicKey()}; }
  WitnessPeer PartnerAsPeer() { return {"partner", partner_.node().identity.PublicKey()}; }
  AuditLog IkLog() { return AuditLog(*ik_.node().store, ik_.node().identity); }
  AuditLog PartnerLog() { return AuditLog(*partner_.node().store, partner_.node().identity); }

  void Grow(AuditLog& log, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(log.Append({EventRecord(clock_, "inbeeld.test.event", true, {})}));
    }
  }
  // The partner witnesses `log`'s latest checkpoint, proved from what it saw.
  void PartnerWitnesses(AuditLog& log) {
    auto own = log.Checkpoint();
    ASSERT_TRUE(own) << own.error().message;
    AuditLog p = PartnerLog();
    auto last = p.LastWitnessed(IkAsPeer().key.Fingerprint());
    ASSERT_TRUE(last);
    uint64_t from = *last ? (*last)->size : 0;
    std::vector<crypto::Hash> proof;
    if (from > 0) proof = *log.tree().ConsistencyProof(from, own->size);
    auto stored = CheckAndStorePeerCheckpoint(p, IkAsPeer(), own->note, from, proof);
    ASSERT_TRUE(stored) << stored.error().message;
  }

  // Backs up, lets the partner see `after` more records, and restores into a
  // new directory; returns the restored node.
  UnlockedNode BackupWitnessRestore(int after) {
    AuditLog log = IkLog();
    Grow(log, 4);
    PartnerWitnesses(log);
    fs::path file = dir_.path() / "ik.backup";
    auto made = backup::WriteBackup(ik_.node(), file);
    EXPECT_TRUE(made) << made.error().message;
    backup_size_ = made->audit_size;
    PartnerWitnesses(log);
    Grow(log, after);
    PartnerWitnesses(log);
    fs::path restored_dir = dir_.path() / "restored";
    auto restored = backup::RestoreBackup(file, restored_dir, Passphrase(), clock_, {});
    EXPECT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(restored->restore_record, backup_size_);
    auto node = NodeDir(restored_dir, clock_).Unlock(Passphrase());
    EXPECT_TRUE(node) << node.error().message;
    return std::move(*node);
  }

  testing::FakeClock clock_;
  testing::InProcessNode ik_, partner_;
  testing::TempDir dir_;
  uint64_t backup_size_ = 0;
};

TEST_F(RejoinTest, ARestoreIsKeptForTheOperatorThenAcceptedAndWitnessingGoesOn) {
  UnlockedNode restored = BackupWitnessRestore(/*after=*/3);
  AuditLog ik(*restored.store, restored.identity);
  AuditLog partner = PartnerLog();
  auto latest = LatestRestore(ik);
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ(**latest, backup_size_);

  // The partner refuses the restored log as it would any rolled-back one.
  auto own = ik.Checkpoint();
  ASSERT_TRUE(own);
  auto last = partner.LastWitnessed(IkAsPeer().key.Fingerprint());
  auto refused = CheckAndStorePeerCheckpoint(partner, IkAsPeer(), own->note, (*last)->size, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);

  // Nothing was cosigned, so the first request proves from 0: the partner
  // names the size it saw at the backup.
  auto request = MakeRejoinRequest(ik, PartnerAsPeer());
  ASSERT_TRUE(request) << request.error().message;
  auto retry = AnswerRejoin(partner, IkAsPeer(), *request);
  ASSERT_TRUE(retry) << retry.error().message;
  ASSERT_TRUE(retry->retry_proof_from);
  EXPECT_EQ(*retry->retry_proof_from, backup_size_);

  request = MakeRejoinRequest(ik, PartnerAsPeer(), *retry->retry_proof_from);
  ASSERT_TRUE(request);
  auto pending = AnswerRejoin(partner, IkAsPeer(), *request);
  ASSERT_TRUE(pending) << pending.error().message;
  EXPECT_EQ(pending->outcome, RejoinOutcome::kPending);
  // Lost: the backup's own "backup made" checkpoint was witnessed, then 3.
  EXPECT_EQ(pending->lost, 3u);
  auto kept = PendingRestoreOf(partner, IkAsPeer());
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->restore_index, backup_size_);
  // Asking twice records the request once.
  ASSERT_TRUE(AnswerRejoin(partner, IkAsPeer(), *request));
  auto requested = partner.Records({});
  ASSERT_TRUE(requested);
  size_t requests = 0;
  for (const auto& r : *requested)
    requests += r.record.name == "inbeeld.witness.peer_restore_requested";
  EXPECT_EQ(requests, 1u);

  auto lost = AcceptRestore(partner, IkAsPeer());
  ASSERT_TRUE(lost) << lost.error().message;
  EXPECT_EQ(*lost, 3u);
  auto again = AcceptRestore(partner, IkAsPeer());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  auto accepted = AnswerRejoin(partner, IkAsPeer(), *request);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->outcome, RejoinOutcome::kAccepted);
  EXPECT_EQ(accepted->lost, 3u);

  // Ordinary witnessing continues from the accepted checkpoint.
  Grow(ik, 2);
  auto grown = ik.Checkpoint();
  ASSERT_TRUE(grown);
  auto proof = ik.tree().ConsistencyProof(own->size, grown->size);
  ASSERT_TRUE(proof);
  auto witnessed = CheckAndStorePeerCheckpoint(partner, IkAsPeer(), grown->note, own->size, *proof);
  EXPECT_TRUE(witnessed) << witnessed.error().message;
}

TEST_F(RejoinTest, ForgedAndAlteredRequestsAreRefusedAndKeepNothing) {
  UnlockedNode restored = BackupWitnessRestore(/*after=*/2);
  AuditLog ik(*restored.store, restored.identity);
  AuditLog partner = PartnerLog();
  auto good = MakeRejoinRequest(ik, PartnerAsPeer(), backup_size_);
  ASSERT_TRUE(good) << good.error().message;
  auto refused = [&](const RejoinRequest& request, const std::string& what) {
    auto answer = AnswerRejoin(partner, IkAsPeer(), request);
    ASSERT_FALSE(answer) << what << " accepted";
    EXPECT_EQ(answer.error().code, ErrorCode::kUnauthenticated)
        << what << ": " << answer.error().message;
    auto kept = PendingRestoreOf(partner, IkAsPeer());
    ASSERT_TRUE(kept);
    EXPECT_FALSE(*kept) << what << " was kept";
  };

  // The restore record altered (another backup time): not in the checkpoint.
  RejoinRequest altered = *good;
  altered.restore_record.replace(altered.restore_record.find("inbeeld.backup_created_at\":\"") + 28,
                                 4, "1999");
  refused(altered, "an altered restore record");
  // Another record presented as the restore (the backup's own record).
  RejoinRequest other = *good;
  other.restore_index = backup_size_ - 1;
  other.restore_record = *ik.tree().Leaf(backup_size_ - 1);
  other.inclusion = *ik.tree().InclusionProof(backup_size_ - 1, *ik.Size());
  refused(other, "a record that is no restore");
  // A checkpoint signed by another key (the partner's own).
  RejoinRequest foreign = *good;
  auto partner_checkpoint = partner.Checkpoint();
  ASSERT_TRUE(partner_checkpoint);
  foreign.checkpoint = partner_checkpoint->note;
  refused(foreign, "a checkpoint not signed by the pinned key");
  // A consistency proof that does not lead from what the partner saw.
  RejoinRequest unproved = *good;
  ASSERT_FALSE(unproved.proof.empty());
  unproved.proof[0][0] ^= 1;
  refused(unproved, "a broken consistency proof");
  // A restore index outside the checkpoint is malformed, not forged.
  RejoinRequest outside = *good;
  outside.restore_index = 1u << 30;
  auto answer = AnswerRejoin(partner, IkAsPeer(), outside);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kInvalidArgument);

  // Nothing pending: nothing to accept.
  auto accept = AcceptRestore(partner, IkAsPeer());
  ASSERT_FALSE(accept);
  EXPECT_EQ(accept.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(RejoinTest, APartnerThatSawNothingAfterTheBackupHasNothingToAccept) {
  AuditLog log = IkLog();
  Grow(log, 2);
  PartnerWitnesses(log);
  fs::path file = dir_.path() / "ik.backup";
  auto made = backup::WriteBackup(ik_.node(), file);
  ASSERT_TRUE(made) << made.error().message;
  auto restored = backup::RestoreBackup(file, dir_.path() / "r", Passphrase(), clock_, {});
  ASSERT_TRUE(restored) << restored.error().message;
  auto node = NodeDir(dir_.path() / "r", clock_).Unlock(Passphrase());
  ASSERT_TRUE(node);
  AuditLog ik(*node->store, node->identity);
  auto request = MakeRejoinRequest(ik, PartnerAsPeer(), 3);
  ASSERT_TRUE(request) << request.error().message;
  AuditLog partner = PartnerLog();
  auto answer = AnswerRejoin(partner, IkAsPeer(), *request);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->outcome, RejoinOutcome::kNotNeeded);
  // And a node never restored has nothing to ask.
  auto never = MakeRejoinRequest(log, PartnerAsPeer());
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().code, ErrorCode::kFailedPrecondition);
}

// The rejoin bodies against hostile input: the shared table of
// tests/support/hostile_json.h, then the retry, the outcome, bounded strings
// and proofs, each with its exact error.
std::vector<crypto::Hash> Hashes(size_t n) {
  std::vector<crypto::Hash> out(n);
  for (size_t i = 0; i < n; ++i) out[i].fill(static_cast<uint8_t>(i + 1));
  return out;
}

const RejoinRequest kRequest{"note\n",  4, "{\"name\":\"inbeeld.log.restored\"}",
                             Hashes(3), 2, Hashes(4)};

using ::inbeeld::testing::ExpectInvalid;

TEST(RejoinBodies, RoundTripIncludingTheRetry) {
  auto r = DecodeRejoinRequest(EncodeRejoinRequest(kRequest));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->checkpoint, kRequest.checkpoint);
  EXPECT_EQ(r->restore_index, 4u);
  EXPECT_EQ(r->restore_record, kRequest.restore_record);
  EXPECT_EQ(r->inclusion, kRequest.inclusion);
  EXPECT_EQ(r->proof_from, 2u);
  EXPECT_EQ(r->proof, kRequest.proof);
  for (auto outcome :
       {RejoinOutcome::kPending, RejoinOutcome::kAccepted, RejoinOutcome::kNotNeeded}) {
    auto back = DecodeRejoinResponse(EncodeRejoinResponse({outcome, 5, std::nullopt}));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->outcome, outcome);
    EXPECT_EQ(back->lost, 5u);
  }
  auto retry = DecodeRejoinResponse(EncodeRejoinResponse({RejoinOutcome::kPending, 0, 7}));
  ASSERT_TRUE(retry && retry->retry_proof_from);
  EXPECT_EQ(*retry->retry_proof_from, 7u);
}

TEST(RejoinBodies, HostileBodiesAreRefusedWithExactErrors) {
  using ::inbeeld::testing::DropValue;
  using ::inbeeld::testing::ExpectAllRefused;
  using ::inbeeld::testing::JsonType;
  ExpectAllRefused([](std::string_view t) { return DropValue(DecodeRejoinRequest(t)); },
                   "rejoin request", EncodeRejoinRequest(kRequest),
                   {{"checkpoint", JsonType::kString},
                    {"restore_index", JsonType::kUint},
                    {"restore_record", JsonType::kString},
                    {"inclusion", JsonType::kArray},
                    {"proof_from", JsonType::kUint},
                    {"proof", JsonType::kArray}});
  ExpectAllRefused([](std::string_view t) { return DropValue(DecodeRejoinResponse(t)); },
                   "rejoin response",
                   EncodeRejoinResponse({RejoinOutcome::kPending, 12, std::nullopt}),
                   {{"outcome", JsonType::kString}, {"lost", JsonType::kUint}});
}

TEST(RejoinBodies, TheRetryAndTheOutcomeAreStrict) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"outcome":"maybe","lost":1})",
       "rejoin response: member \"outcome\": not pending, accepted or not_needed"},
      {R"({"outcome":"Pending","lost":1})",
       "rejoin response: member \"outcome\": not pending, accepted or not_needed"},
      {R"({"retry":{"proof_from":1},"outcome":"pending"})",
       "rejoin response: holds a member other than retry"},
      {R"({"retry":5})", "rejoin response: member \"retry\": not an object"},
      {R"({"retry":{}})", "rejoin response: member \"retry.proof_from\": missing"},
      {R"({"retry":{"proof_from":-3}})",
       "rejoin response: member \"retry.proof_from\": not an unsigned integer"},
      {R"({"retry":{"proof_from":3,"geheim":1}})",
       "rejoin response: member \"retry\": holds a member other than proof_from"},
  };
  for (const auto& [text, message] : bad) {
    SCOPED_TRACE(text);
    ExpectInvalid(DecodeRejoinResponse(text), message);
  }
}

TEST(RejoinBodies, OversizedStringsAndProofsAreRefused) {
  RejoinRequest big = kRequest;
  big.restore_record = std::string(8192, 'a');
  EXPECT_TRUE(DecodeRejoinRequest(EncodeRejoinRequest(big)));
  big.restore_record = std::string(8193, 'a');
  ExpectInvalid(DecodeRejoinRequest(EncodeRejoinRequest(big)),
                "rejoin request: member \"restore_record\": longer than 8192 bytes");
  big = kRequest;
  big.checkpoint = std::string(8193, 'n');
  ExpectInvalid(DecodeRejoinRequest(EncodeRejoinRequest(big)),
                "rejoin request: member \"checkpoint\": longer than 8192 bytes");
  big = kRequest;
  big.inclusion = Hashes(65);
  ExpectInvalid(DecodeRejoinRequest(EncodeRejoinRequest(big)),
                "rejoin request: member \"inclusion\": more than 64 entries");
  big = kRequest;
  big.proof = Hashes(65);
  ExpectInvalid(DecodeRejoinRequest(EncodeRejoinRequest(big)),
                "rejoin request: member \"proof\": more than 64 entries");
}

TEST(RejoinBodies, ProofHashesMustBeCanonicalBase64Of32Bytes) {
  const std::string good = EncodeRejoinRequest(kRequest);
  const std::string first = "\"inclusion\":[\"";
  const size_t at = good.find(first) + first.size();
  for (const std::string& hash :
       {std::string(""), std::string(43, 'A'),
        std::string(43, 'A') + "B=", std::string(43, '-') + "=", std::string(44, 'A') + "AA=="}) {
    SCOPED_TRACE(hash);
    std::string text = good;
    text.replace(at, 44, hash);
    ExpectInvalid(DecodeRejoinRequest(text),
                  "rejoin request: member \"inclusion\"[0]: not canonical base64 of 32 bytes");
  }
  std::string text = good;
  text.replace(at - 1, 46, "7");
  ExpectInvalid(DecodeRejoinRequest(text), "rejoin request: member \"inclusion\"[0]: not a string");
}

}  // namespace
}  // namespace inbeeld::node::audit
