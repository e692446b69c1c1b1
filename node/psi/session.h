// node/psi/session.h — mutual Diffie-Hellman private set intersection, one
// session, transport-free: each side turns one message into the next.
//
// Protocol (suite ristretto255-SHA512; full byte layout in docs/PROTOCOL.md):
//
//   H(e) = hash_to_ristretto255(9 ASCII digits of e, DST "inbeeld-PSI-v1-ristretto255-SHA512")
//   Initiator I holds X, responder R holds Y; each picks a fresh random scalar
//   (a, b) for this session only.
//
//   1. I → R  StartRequest:   session id, mode, purpose, offered labels, list date,
//                             A = [H(x)^a for x in X], in a random order π_I.
//   2. R → I  StartResponse:  agreed labels, list date,
//                             B = [H(y)^b for y in Y], in a random order π_R,
//                             C = [A_i^b] — in A's order in match mode,
//                                         sorted bytewise in count mode.
//   3. I → R  FinishRequest:  D = [B_j^a] — in B's order in match mode, sorted in
//                             count mode; in match mode, for each x that matched
//                             (C_i ∈ D), the agreed labels of x tagged with j.
//   4. R → I  FinishResponse: overlap size; in match mode, for each y that
//                             matched (D_j ∈ C), the agreed labels of y tagged
//                             with i.
//
//   I learns which of its own x matched (C_i ∈ D) and, for those, R's labels;
//   R learns which of its own y matched (D_j ∈ C) and, for those, I's labels.
//   In count mode both learn only |X ∩ Y|: sorting C and D breaks every link
//   between a double-blinded value and a record. Both learn |X|, |Y|, the
//   purpose and each other's list date. Labels travel only for matched records,
//   chosen by their owner, so a side can never obtain the labels of a record the
//   other holds alone.
//
// Every received point is decoded canonically and must not be the identity;
// duplicate points in one list are rejected (a duplicate would let a dishonest
// side double-count or probe). Messages in the wrong state, with another session
// id, with out-of-range or repeated label indices, or with labels outside the
// agreed set are rejected with kInvalidArgument / kFailedPrecondition and a
// specific message; a rejected message leaves the session failed.
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
#include "schema/wire.h"

namespace inbeeld::node::psi {

inline constexpr std::string_view kHashToGroupDst = "inbeeld-PSI-v1-ristretto255-SHA512";

// One record as the protocol sees it: the identifier's 9 digits and the labels
// its owner may share. The caller keeps everything else (subject, reference)
// in a parallel vector and uses MatchedRecord::local_index to find it.
struct PsiInput {
  std::array<char, 9> digits{};
  schema::wire::Labels labels;
};

struct MatchedRecord {
  uint32_t local_index;              // index into the caller's inputs
  schema::wire::Labels peer_labels;  // empty fields where not agreed
};

struct Outcome {
  schema::wire::Mode mode;
  uint32_t own_list_size = 0;
  uint32_t peer_list_size = 0;
  uint32_t overlap = 0;
  schema::Date peer_list_date{};
  uint8_t label_mask = 0;              // the agreed labels
  std::vector<MatchedRecord> matches;  // empty in count mode; sorted by local_index
};

struct InitiatorParams {
  schema::wire::Mode mode = schema::wire::Mode::kMatch;
  std::string purpose;
  uint8_t label_mask = 0;  // labels this side offers and wants; ignored in count mode
  schema::Date list_date{};
  uint32_t max_peer_list_size = 1'000'000;
  unsigned threads = 0;  // 0 = hardware concurrency
};

struct ResponderParams {
  uint8_t allowed_label_mask = 0;  // this side's policy for the peer
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
  // The permutation applied to inputs: position k of A (or B) holds
  // inputs[order[k]]. Must be a permutation of 0..inputs.size()-1.
  std::vector<uint32_t> order;
};

class InitiatorSession {
 public:
  // Shuffles the inputs, hashes and blinds them under a fresh scalar, and
  // builds message 1. Keeps only the labels in params.label_mask (packed) and
  // the permutation; the identifiers are not kept.
  // Errors: kInvalidArgument for an empty list, duplicate digits, digits that
  // are not 9 ASCII digits, an input missing a label in params.label_mask (or
  // holding one that cannot be encoded), or an invalid purpose or list date.
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
  // kInvalidArgument for a malformed message, another session id, an agreed
  // mask beyond the offered one, |C| ≠ |A|, an invalid or repeated point in
  // B or C, or (count mode) an unsorted C.
  Result<std::string> HandleStartResponse(std::string_view message);
  // Message 4 in, the outcome out.
  // Errors: kFailedPrecondition unless HandleStartResponse succeeded and this
  // was not called yet; kInvalidArgument for a malformed message, another
  // session id or mask, an overlap other than the one computed here, or
  // label entries out of range, for records that did not match, or not
  // exactly one per match (when labels were agreed).
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
  // count mode); inputs need only those. An empty `inputs` is allowed.
  // Errors: kInvalidArgument for a malformed message, an empty A, a
  // non-canonical, identity or duplicate point, or bad inputs (as Create);
  // kResourceExhausted if A exceeds params.max_peer_list_size.
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
  // session id or mask, |D| < |B|, an invalid or repeated point in D, (count
  // mode) an unsorted D, or label entries out of range, for records that did
  // not match, or not exactly one per match (when labels were agreed);
  // kResourceExhausted if D or the label entries number more than |B|.
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
