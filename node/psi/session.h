// node/psi/session.h — mutual Diffie-Hellman private set intersection over a
// key family, one session, transport-free: each side turns one message into
// the next. Protocol version 2.
//
// Protocol (suite ristretto255-SHA512; full byte layout in docs/PROTOCOL.md):
//
//   Every record is a *group* of k slots, one per key of its family
//   (schema/match_keys.h) whose key type both sides agreed on: k = 1 for PGN
//   keys only, up to 6 for PGN, name and weak keys. A slot holds
//   H(key) = hash_to_ristretto255(key string, DST "inbeeld-PSI-v2-ristretto255-SHA512")
//   or, where the record has no such key, a uniformly random point, so the
//   peer cannot tell which records carry which keys. tag(P) is the first 16
//   bytes of P's encoding.
//
//   Initiator I holds records X, responder R holds Y; each picks a fresh random
//   scalar (a, b) for this session only and a random order of its records.
//
//   1. I → R  StartRequest:   session id, mode, purpose, offered labels and key
//                             types, list date, A = groups [H(x.slot)^a], in
//                             I's random record order.
//   2. R → I  StartResponse:  agreed labels and key types (offered ∩ allowed),
//                             list date, B = groups [H(y.slot)^b] in R's random
//                             order, C = [tag(A_i,s^b)] for the agreed slots —
//                             in A's order in match mode, with whole groups in
//                             a fresh random order in count mode.
//   3. I → R  FinishRequest:  D = [tag(B_j,t^a)] — in B's order in match mode,
//                             groups in a fresh random order in count mode; in
//                             match mode the agreed labels of each of I's
//                             records that matched, by its position i in A.
//   4. R → I  FinishResponse: both sides' match counts as R computed them; in
//                             match mode the agreed labels of each of R's
//                             records that matched, by its position j in B.
//
//   Records i (of A) and j (of B) are linked when a tag of group i in C equals
//   a tag of group j in D; the link's strength is that of the weaker of the
//   two slots' kinds (PGN: certain, name + birth date: probable, the rest:
//   possible) and a pair takes its strongest link. A possible pair is dropped
//   when either record has a certain or probable pair (a twin or sibling of a
//   matched child). Both sides compute the same pairs: I from C and its own D,
//   R from its own C and D. Each pair gets a code both sides derive from the
//   session id and (i, j) ("K7F-2QX"), meaningless outside the session.
//
//   Each side learns, for each of its own records, the peer records it pairs
//   with, how strongly, and their labels; in count mode only the counts (and
//   the shape of the link graph between anonymous records). Both learn both
//   list sizes, the purpose, the agreed masks and each other's list date.
//   Labels travel only for records in a pair, chosen by their owner.
//
// Every received point is decoded canonically and must not be the identity.
// Equal points within A or B are allowed (twins share weak keys), but a tag
// in more than kMaxKeyRepeats groups of one list is refused (it would blow
// the link graph up). Messages in the wrong state, with another session id,
// with out-of-range or repeated label indices, labels outside the agreed set
// or for records not in a pair are rejected with kInvalidArgument /
// kFailedPrecondition and a specific message; a rejected message leaves the
// session failed.
//
// Thread safety: a session object is used by one thread at a time. Inside a
// call, the heavy loops run on `threads` worker threads.
#ifndef INBEELD_NODE_PSI_SESSION_H_
#define INBEELD_NODE_PSI_SESSION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/ristretto.h"
#include "schema/match_keys.h"
#include "schema/wire.h"

namespace inbeeld::node::psi {

inline constexpr std::string_view kHashToGroupDst = "inbeeld-PSI-v2-ristretto255-SHA512";

// A tag shared by more groups than this on one side refuses the list: no
// honest list has more than a handful of children with one surname and birth
// date (twins, triplets), and the link graph must stay linear in the lists.
inline constexpr uint32_t kMaxKeyRepeats = 16;

// One record as the protocol sees it: its key family (slots outside the
// session's key mask are ignored) and the labels its owner may share. The
// caller keeps everything else (subject, reference) in a parallel vector and
// uses MatchedPair::local_index to find it.
struct PsiInput {
  schema::MatchKeys keys;
  schema::wire::Labels labels;
};

struct MatchedPair {
  uint32_t local_index = 0;  // index into the caller's inputs
  uint32_t peer_record = 0;  // the peer's record as numbered in this session
  schema::Strength strength = schema::Strength::kPossible;
  std::string pair_code;             // "K7F-2QX", the same on both sides
  schema::wire::Labels peer_labels;  // empty fields where not agreed
};

struct Outcome {
  schema::wire::Mode mode;
  uint32_t own_list_size = 0;
  uint32_t peer_list_size = 0;
  schema::Date peer_list_date{};
  uint8_t label_mask = 0;          // the agreed labels
  uint8_t key_mask = 0;            // the agreed key types
  schema::wire::MatchCounts own;   // own records in a pair: strong, possible only
  schema::wire::MatchCounts peer;  // the peer's records likewise
  // Own records in a certain or probable pair (own.strong): how many of our
  // children the peer also knows. own.possible more may be; an operator
  // decides.
  uint32_t overlap = 0;
  // Match mode: every pair, sorted by local_index, then peer_record. Empty in
  // count mode.
  std::vector<MatchedPair> pairs;
};

struct InitiatorParams {
  schema::wire::Mode mode = schema::wire::Mode::kMatch;
  std::string purpose;
  uint8_t label_mask = 0;  // labels this side offers and wants; ignored in count mode
  uint8_t key_mask = schema::kAllKeyTypes;  // key types this side offers (1..7)
  schema::Date list_date{};
  uint32_t max_peer_list_size = 1'000'000;
  // The peer's smallest accepted list (B): message 3 would tell the peer
  // which of its records are on ours, so a list of one is a question about
  // one child. Below it HandleStartResponse fails with kPermissionDenied.
  uint32_t min_peer_list_size = 0;
  unsigned threads = 0;  // 0 = hardware concurrency
};

struct ResponderParams {
  uint8_t allowed_label_mask = 0;  // this side's policy for the peer
  uint8_t allowed_key_mask = schema::kAllKeyTypes;
  schema::Date list_date{};
  // The peer's largest accepted list (A); above it Start fails with
  // kResourceExhausted. The caller normally refuses earlier, after PeekStart.
  uint32_t max_peer_list_size = 1'000'000;
  unsigned threads = 0;
};

// Fixed secrets for the worked example in docs/PROTOCOL.md and for tests.
struct Determinism {
  // The initiator's session id. For the responder it must equal the id in
  // message 1 (the responder never chooses one).
  schema::wire::SessionId session_id;
  crypto::Scalar scalar;
  // The permutation applied to inputs: record k of A (or B) is
  // inputs[order[k]]. Must be a permutation of 0..inputs.size()-1.
  std::vector<uint32_t> order;
  // Count mode: the order in which the groups of C (responder) or D
  // (initiator) are sent; empty for match mode. A permutation of the peer's
  // record count on either side: C holds A's records, D holds B's.
  std::vector<uint32_t> count_order;
  // Seed of the random points in empty slots: point number n is
  // hash_to_ristretto255(seed || u32be(n), "inbeeld-PSI-v2-filler"). The two
  // sides of a test MUST use different seeds: with equal seeds filler n of
  // one side meets filler n of the other (real sessions draw random seeds).
  std::array<uint8_t, 32> filler_seed{};
};

class InitiatorSession {
 public:
  // Shuffles the inputs, hashes and blinds their keys under a fresh scalar,
  // and builds message 1. Keeps only the labels in params.label_mask (packed)
  // and the permutation; the keys are not kept.
  // Errors: kInvalidArgument for an empty list, a key mask of 0 or with
  // unknown bits, an input missing a label in params.label_mask (or holding
  // one that cannot be encoded), or an invalid purpose or list date.
  static Result<std::unique_ptr<InitiatorSession>> Create(std::vector<PsiInput> inputs,
                                                          InitiatorParams params);
  static Result<std::unique_ptr<InitiatorSession>> CreateForTesting(std::vector<PsiInput> inputs,
                                                                    InitiatorParams params,
                                                                    Determinism determinism);
  ~InitiatorSession();

  const schema::wire::SessionId& session_id() const;
  // Message 1. Valid until this session is destroyed.
  const std::string& StartMessage() const;
  // Message 2 in, message 3 out. `message` need only live for the call.
  // Errors: kFailedPrecondition if called in another state (twice, or after
  // a failure); kResourceExhausted if B exceeds params.max_peer_list_size;
  // kPermissionDenied if B is smaller than params.min_peer_list_size;
  // kInvalidArgument for a malformed message, another session id, an agreed
  // mask beyond the offered one, C not holding one group per record of A,
  // an invalid point in B, or a tag repeated in more than kMaxKeyRepeats
  // groups.
  Result<std::string> HandleStartResponse(std::string_view message);
  // Message 4 in, the outcome out.
  // Errors: kFailedPrecondition unless HandleStartResponse succeeded and this
  // was not called yet; kInvalidArgument for a malformed message, another
  // session id or mask, counts other than the ones computed here, or label
  // entries out of range, for records in no pair, or not exactly one per
  // record in a pair (when labels were agreed).
  Result<Outcome> HandleFinishResponse(std::string_view message);

 private:
  struct State;
  explicit InitiatorSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class ResponderSession {
 public:
  // Reads the header of message 1 (session id, mode, purpose, labels, list size)
  // without touching the points, so the caller can apply its policy before any
  // expensive work. Errors: kInvalidArgument for a malformed message.
  static Result<schema::wire::StartHeader> PeekStart(std::string_view message);

  // Message 1 in; builds message 2 (retrieve it with StartResponse()). The
  // agreed labels are the offered ones ∩ params.allowed_label_mask (none in
  // count mode), the agreed key types the offered ones ∩
  // params.allowed_key_mask; inputs need only those. An empty `inputs` is
  // allowed. Errors: kPermissionDenied when no key type is agreed;
  // kInvalidArgument for a malformed message, an empty A, a non-canonical
  // or identity point, or bad inputs (as Create); kResourceExhausted if A
  // exceeds params.max_peer_list_size.
  static Result<std::unique_ptr<ResponderSession>> Start(std::string_view message,
                                                         std::vector<PsiInput> inputs,
                                                         ResponderParams params);
  static Result<std::unique_ptr<ResponderSession>> StartForTesting(std::string_view message,
                                                                   std::vector<PsiInput> inputs,
                                                                   ResponderParams params,
                                                                   Determinism determinism);
  ~ResponderSession();

  const schema::wire::SessionId& session_id() const;
  const std::string& StartResponse() const;
  // Moves message 2 out of the session once it is to be sent (it is the
  // largest buffer held); StartResponse() is empty afterwards.
  std::string TakeStartResponse();

  // Message 3 in; message 4 and this side's outcome out.
  // Errors: kFailedPrecondition once the session has finished or failed (a
  // replayed message 3); kInvalidArgument for a malformed message, another
  // session id or mask, D not holding one group per record of B, a tag
  // repeated in more than kMaxKeyRepeats groups, or label entries out of
  // range, for records in no pair, or not exactly one per record in a pair
  // (when labels were agreed); kResourceExhausted if D or the label entries
  // number more than the larger of A's and B's records (one record may pair
  // with up to kMaxKeyRepeats of the other side's).
  struct Finish {
    std::string message;
    Outcome outcome;
  };
  Result<Finish> HandleFinish(std::string_view message);

 private:
  struct State;
  explicit ResponderSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace inbeeld::node::psi

#endif  // INBEELD_NODE_PSI_SESSION_H_
