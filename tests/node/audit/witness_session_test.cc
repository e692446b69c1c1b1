// The witness exchange as a transport-free session (node/audit/witness_session.h):
// an initiator's WitnessInitiator against a responder's AnswerWitness and
// AnswerCosignRequest, both on real audit logs in temporary stores, with no
// HTTP between them. Messages in the wrong state, typed retries, a stale answer
// after a concurrent exchange, a rolled-back and a forked peer, five retries,
// and cosignatures that cover the wrong checkpoint.
#include "node/audit/witness_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/audit/witness.h"
#include "node/store/store.h"
#include "schema/witness_wire.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::audit {
namespace {

namespace wire = schema::witness;
using ::testing::HasSubstr;
using State = WitnessInitiator::State;

const testing::FakeClock kClock("2026-11-22T14:03:05Z");

// One node: a store in a temporary directory, its key and its audit log.
struct Node {
  std::string name;
  const crypto::SigningKey& key;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> log;

  WitnessPeer AsPeer() const { return {name, key.PublicKey()}; }
  void Grow(int records, const std::string& event = "test.event") {
    for (int i = 0; i < records; ++i) {
      ASSERT_TRUE(log->Append({EventRecord(kClock, event, true, {})}));
    }
  }
  uint64_t Size() { return *log->Size(); }
  size_t Records(const std::string& event) {
    auto records = log->Records({});
    size_t n = 0;
    for (const auto& r : *records) n += r.record.name == event;
    return n;
  }
};

class WitnessSessionTest : public ::testing::Test {
 protected:
  // A node named `name` with `records` records, keyed by `key`.
  std::unique_ptr<Node> MakeNode(const std::string& name, int records,
                                 const crypto::SigningKey& key) {
    std::unique_ptr<Node> node(new Node{name, key, nullptr, nullptr});
    auto store = Store::Open(tmp_.path() / (name + std::to_string(++stores_)),
                             crypto::SecretBytes::Random(32), true, kClock);
    EXPECT_TRUE(store) << store.error().message;
    node->store = std::move(*store);
    node->log = std::make_unique<AuditLog>(*node->store, node->key);
    node->Grow(records);
    return node;
  }

  // R's answer to a witness request, as its HTTP layer would send it.
  static std::string Answer(Node& r, Node& i, const std::string& body) {
    auto request = wire::DecodeWitnessRequest(body);
    EXPECT_TRUE(request) << request.error().message;
    auto response = AnswerWitness(*r.log, r.key, i.AsPeer(), *request);
    EXPECT_TRUE(response) << response.error().message;
    return wire::EncodeWitnessResponse(*response);
  }
  static std::string AnswerCosign(Node& r, Node& i, const std::string& body) {
    auto request = wire::DecodeCosignRequest(body);
    EXPECT_TRUE(request) << request.error().message;
    auto ack = AnswerCosignRequest(*r.log, i.AsPeer(), *request);
    EXPECT_TRUE(ack) << ack.error().message;
    return *ack;
  }

  // Runs `session` against `r` until it is done or fails; `tamper` may
  // change R's witness response before I sees it.
  static Status Run(WitnessInitiator& session, Node& r, Node& i,
                    const std::function<void(wire::WitnessResponse&)>& tamper = {}) {
    while (!session.done()) {
      auto message = session.Next();
      if (!message) return std::unexpected(message.error());
      std::string reply;
      if (message->route == WitnessRoute::kWitness) {
        reply = Answer(r, i, message->body);
        if (tamper) {
          auto response = wire::DecodeWitnessResponse(reply);
          tamper(*response);
          reply = wire::EncodeWitnessResponse(*response);
        }
      } else {
        reply = AnswerCosign(r, i, message->body);
      }
      INBEELD_RETURN_IF_ERROR(session.Handle(reply));
    }
    return {};
  }

  static void ExpectFailed(const Status& s, ErrorCode code, const std::string& says,
                           const WitnessInitiator& session) {
    ASSERT_FALSE(s) << "accepted";
    EXPECT_EQ(s.error().code, code) << s.error().message;
    EXPECT_THAT(s.error().message, HasSubstr(says));
    EXPECT_EQ(session.state(), State::kFailed);
  }

  testing::TempDir tmp_;
  int stores_ = 0;
  const crypto::SigningKey i_key_ = crypto::SigningKey::Generate();
  const crypto::SigningKey r_key_ = crypto::SigningKey::Generate();
};

TEST_F(WitnessSessionTest, AnExchangeWalksItsStatesAndLeavesBothLogsCosigned) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  EXPECT_EQ(session.state(), State::kRequest);
  auto request = session.Next();
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->route, WitnessRoute::kWitness);
  EXPECT_EQ(session.state(), State::kAwaitingResponse);
  EXPECT_EQ(session.attempts(), 1);
  auto sent = wire::DecodeWitnessRequest(request->body);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->proof_from, 0u);  // R never cosigned anything of I's
  EXPECT_EQ(sent->seen_your_size, 0u);

  ASSERT_TRUE(session.Handle(Answer(*r, *i, request->body)));
  EXPECT_EQ(session.state(), State::kCosign);
  auto cosign = session.Next();
  ASSERT_TRUE(cosign) << cosign.error().message;
  EXPECT_EQ(cosign->route, WitnessRoute::kCosign);
  EXPECT_EQ(session.state(), State::kAwaitingAck);
  ASSERT_TRUE(session.Handle(AnswerCosign(*r, *i, cosign->body)));
  EXPECT_EQ(session.state(), State::kDone);
  EXPECT_TRUE(session.done());

  auto i_saw = i->log->LastWitnessed(r->key.PublicKey().Fingerprint());
  ASSERT_TRUE(i_saw && *i_saw);
  EXPECT_EQ((*i_saw)->size, 4u);
  auto r_saw = r->log->LastWitnessed(i->key.PublicKey().Fingerprint());
  ASSERT_TRUE(r_saw && *r_saw);
  EXPECT_EQ((*r_saw)->size, 3u);
  EXPECT_EQ(i->Records("inbeeld.witness.cosigned"), 1u);
  EXPECT_EQ(r->Records("inbeeld.witness.cosigned"), 1u);

  // The next exchange proves both logs from what was cosigned.
  i->Grow(2);
  r->Grow(5);
  WitnessInitiator again(*i->log, i->key, r->AsPeer());
  auto next = again.Next();
  ASSERT_TRUE(next);
  auto second = wire::DecodeWitnessRequest(next->body);
  EXPECT_EQ(second->proof_from, 3u);
  EXPECT_EQ(second->seen_your_size, 4u);
  EXPECT_FALSE(second->proof.empty());
  ASSERT_TRUE(again.Handle(Answer(*r, *i, next->body)));
  auto last = again.Next();
  ASSERT_TRUE(last);
  ASSERT_TRUE(again.Handle(AnswerCosign(*r, *i, last->body)));
  EXPECT_TRUE(again.done());
  EXPECT_EQ(i->Records("inbeeld.witness.cosigned"), 2u);
}

TEST_F(WitnessSessionTest, AMessageInTheWrongStateFailsTheSession) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  {
    WitnessInitiator session(*i->log, i->key, r->AsPeer());
    ExpectFailed(session.Handle("{}"), ErrorCode::kFailedPrecondition,
                 "witness reply not accepted: the witness request has not been sent yet", session);
    auto after = session.Next();
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(after.error().message,
              "no witness message to send: the witness exchange failed earlier");
  }
  {
    WitnessInitiator session(*i->log, i->key, r->AsPeer());
    ASSERT_TRUE(session.Next());
    auto twice = session.Next();
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(twice.error().message,
              "no witness message to send: the witness response has not arrived yet");
    EXPECT_EQ(session.state(), State::kFailed);
  }
  {
    WitnessInitiator session(*i->log, i->key, r->AsPeer());
    auto request = session.Next();
    ASSERT_TRUE(session.Handle(Answer(*r, *i, request->body)));
    // A second reply before the cosign request went out.
    ExpectFailed(session.Handle("{}"), ErrorCode::kFailedPrecondition,
                 "the cosign request has not been sent yet", session);
  }
  {
    WitnessInitiator session(*i->log, i->key, r->AsPeer());
    ASSERT_TRUE(Run(session, *r, *i));
    auto more = session.Next();
    ASSERT_FALSE(more);
    EXPECT_EQ(more.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_THAT(more.error().message, HasSubstr("already finished"));
    WitnessInitiator done(*i->log, i->key, r->AsPeer());
    ASSERT_TRUE(Run(done, *r, *i));
    ExpectFailed(done.Handle("{}"), ErrorCode::kFailedPrecondition,
                 "the witness exchange has already finished", done);
  }
}

TEST_F(WitnessSessionTest, MalformedRepliesFailTheSession) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(session.Next());
  ExpectFailed(session.Handle(R"({"retry":{"proof_from":1},"x":1})"), ErrorCode::kInvalidArgument,
               "witness response", session);
  WitnessInitiator acked(*i->log, i->key, r->AsPeer());
  auto request = acked.Next();
  ASSERT_TRUE(acked.Handle(Answer(*r, *i, request->body)));
  auto cosign = acked.Next();
  ASSERT_TRUE(cosign);
  (void)AnswerCosign(*r, *i, cosign->body);  // R stores it; its answer is lost
  ExpectFailed(acked.Handle(R"({"ok":true})"), ErrorCode::kInvalidArgument,
               "cosign answer: is not an empty object", acked);
}

TEST_F(WitnessSessionTest, ATypedRetryIsFollowedByAFreshRequestFromTheNamedSize) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator first(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(first, *r, *i));
  i->Grow(4);  // I's log: 3 + 1 cosigned record + 4
  // R names a size I's log had (its cosignature of it never reached I, say).
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(session.Next());
  wire::WitnessResponse retry;
  retry.retry_proof_from = 3;
  ASSERT_TRUE(session.Handle(wire::EncodeWitnessResponse(retry)));
  EXPECT_EQ(session.state(), State::kRequest);
  auto again = session.Next();
  ASSERT_TRUE(again);
  EXPECT_EQ(session.attempts(), 2);
  auto request = wire::DecodeWitnessRequest(again->body);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->proof_from, 3u);
  ASSERT_TRUE(session.Handle(Answer(*r, *i, again->body)));
  auto cosign = session.Next();
  ASSERT_TRUE(cosign);
  ASSERT_TRUE(session.Handle(AnswerCosign(*r, *i, cosign->body)));
  EXPECT_TRUE(session.done());
}

TEST_F(WitnessSessionTest, TheRespondersOwnRetryIsHonoured) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator first(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(first, *r, *i));
  // A concurrent exchange's checkpoint reached R, but its cosignature never
  // reached I: I still proves from 3, R asks for a proof from the newer size.
  i->Grow(2);
  auto newer = i->log->Checkpoint();
  ASSERT_TRUE(newer);
  ASSERT_TRUE(r->log->StoreWitnessed(i->key.PublicKey().Fingerprint(), *newer));
  i->Grow(1);
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(session, *r, *i)) << "retry then success";
  EXPECT_EQ(session.attempts(), 2);
}

TEST_F(WitnessSessionTest, AStaleAnswerAfterAConcurrentExchangeWitnessesAgain) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator first(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(first, *r, *i));
  WitnessInitiator slow(*i->log, i->key, r->AsPeer());
  auto request = slow.Next();
  ASSERT_TRUE(request);
  const std::string stale = Answer(*r, *i, request->body);  // R's checkpoint of n
  // Meanwhile R grows and another exchange of I's witnesses it past n.
  r->Grow(3);
  WitnessInitiator fast(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(fast, *r, *i));
  ASSERT_TRUE(slow.Handle(stale));
  EXPECT_EQ(slow.state(), State::kRequest);
  ASSERT_TRUE(Run(slow, *r, *i));
  EXPECT_EQ(slow.attempts(), 2);
}

TEST_F(WitnessSessionTest, FiveRetriesAndTheSessionGivesUp) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  wire::WitnessResponse retry;
  retry.retry_proof_from = 0;
  for (int attempt = 1; attempt < kMaxWitnessAttempts; ++attempt) {
    ASSERT_TRUE(session.Next());
    ASSERT_TRUE(session.Handle(wire::EncodeWitnessResponse(retry)));
    EXPECT_EQ(session.attempts(), attempt);
  }
  ASSERT_TRUE(session.Next());
  EXPECT_EQ(session.attempts(), kMaxWitnessAttempts);
  auto last = session.Handle(wire::EncodeWitnessResponse(retry));
  ExpectFailed(last, ErrorCode::kUnavailable,
               "the peer's and this node's audit logs kept moving while witnessing; try again",
               session);
  EXPECT_FALSE(session.Next());
}

TEST_F(WitnessSessionTest, ARolledBackPeerIsRefused) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 6, r_key_);
  WitnessInitiator first(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(first, *r, *i));
  // R restored from an older backup: the same key, a log of 2 records.
  auto restored = MakeNode("swv", 2, r_key_);
  WitnessInitiator session(*i->log, i->key, restored->AsPeer());
  ExpectFailed(Run(session, *restored, *i), ErrorCode::kPermissionDenied,
               "peer \"swv\" showed an audit log of 2 records after one of 6 was witnessed: its "
               "log was rolled back; session refused",
               session);
  auto kept = i->log->LastWitnessed(r->key.PublicKey().Fingerprint());
  EXPECT_EQ((*kept)->size, 6u);
}

TEST_F(WitnessSessionTest, AForkedPeerIsRefused) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator first(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(first, *r, *i));
  // Another log under R's key, longer than what I saw but not extending it.
  auto forked = MakeNode("swv", 0, r_key_);
  forked->Grow(9, "test.other");
  WitnessInitiator session(*i->log, i->key, forked->AsPeer());
  ExpectFailed(Run(session, *forked, *i), ErrorCode::kPermissionDenied,
               "records that does not extend the one of 4 witnessed before: its log forked",
               session);
  // The same size with another root.
  auto same_size = MakeNode("swv", 0, r_key_);
  same_size->Grow(4, "test.other");
  WitnessInitiator again(*i->log, i->key, same_size->AsPeer());
  ExpectFailed(Run(again, *same_size, *i), ErrorCode::kPermissionDenied,
               "showed a different audit log of the same size 4", again);
}

TEST_F(WitnessSessionTest, ACheckpointNotSignedByThePinnedKeyIsRefused) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  const crypto::SigningKey impostor_key = crypto::SigningKey::Generate();
  auto impostor = MakeNode("swv", 4, impostor_key);
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  ExpectFailed(Run(session, *r, *i,
                   [&](wire::WitnessResponse& response) {
                     response.checkpoint = impostor->log->Checkpoint()->note;
                   }),
               ErrorCode::kPermissionDenied, "checkpoint not signed by its pinned key", session);
}

TEST_F(WitnessSessionTest, ACosignatureOfTheWrongSizeIsRefused) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator first(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(first, *r, *i));
  auto old_checkpoints = i->log->Checkpoints();
  ASSERT_TRUE(old_checkpoints && !old_checkpoints->empty());
  const std::string old_note = old_checkpoints->front().note;
  i->Grow(2);

  // At I: R's cosignature covers an older checkpoint of I's than the one sent.
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  ExpectFailed(Run(session, *r, *i,
                   [&](wire::WitnessResponse& response) {
                     response.cosignature = *Cosign(old_note, r->log->origin(), r->key, kClock);
                   }),
               ErrorCode::kPermissionDenied, "sent a cosignature that does not verify", session);

  // At R: I's cosignature of R's checkpoint named with another size.
  WitnessInitiator honest(*i->log, i->key, r->AsPeer());
  auto request = honest.Next();
  ASSERT_TRUE(request);
  ASSERT_TRUE(honest.Handle(Answer(*r, *i, request->body)));
  auto cosign = honest.Next();
  ASSERT_TRUE(cosign);
  auto decoded = wire::DecodeCosignRequest(cosign->body);
  ASSERT_TRUE(decoded);
  wire::CosignRequest wrong = *decoded;
  wrong.size = 1000;  // a size R never signed a checkpoint of
  auto never = AnswerCosignRequest(*r->log, i->AsPeer(), wrong);
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(never.error().message, HasSubstr("cosigned a checkpoint this node never signed"));
  wrong.size = 4;  // R signed one of 4 in the first exchange, but this line is not over it
  auto mismatch = AnswerCosignRequest(*r->log, i->AsPeer(), wrong);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kUnauthenticated);
  EXPECT_THAT(mismatch.error().message, HasSubstr("does not verify"));
  // The honest one is accepted.
  EXPECT_TRUE(AnswerCosignRequest(*r->log, i->AsPeer(), *decoded));
}

TEST_F(WitnessSessionTest, AProofFromAnotherSizeThanAskedIsRefused) {
  auto i = MakeNode("gemeente", 3, i_key_);
  auto r = MakeNode("swv", 4, r_key_);
  WitnessInitiator first(*i->log, i->key, r->AsPeer());
  ASSERT_TRUE(Run(first, *r, *i));
  r->Grow(2);
  WitnessInitiator session(*i->log, i->key, r->AsPeer());
  ExpectFailed(
      Run(session, *r, *i, [](wire::WitnessResponse& response) { response.proof_from += 1; }),
      ErrorCode::kPermissionDenied, "answered with a proof from the wrong size", session);
}

}  // namespace
}  // namespace inbeeld::node::audit
