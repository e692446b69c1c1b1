// node/region/session.h — the regional count (docs/PROTOCOL.md §11, version
// 3), one node's part in one count, transport-free: each side turns one
// message into the next and knows nothing of HTTP, the store or the audit
// log. The messages' bytes are schema/region_wire.h; this file adds the
// checks that need cryptography and the protocol's states. node/region/regional.h wraps these in
// the node: policy, limits, the session table, SQL and audit records, and the transport.
//
// Protocol (N nodes, 3..16; the coordinator is index 0, the participants
// 1..N−1 in the order the coordinator gives):
//
//   Every node i draws a fresh scalar k_i for the count. Its own set S_i
//   holds one group a child: for each slot of the key mask H(key)^k_i, with
//   H = hash_to_ristretto255 under kRegionDst, or a random point where the
//   child has no such key; and the child's category; the groups in a random
//   order. Blinding a set multiplies every point by the node's k and
//   shuffles the groups whole (the new order says nothing about the old).
//
//   1. The coordinator makes S_0 (CoordinatorSession::Create).
//   2. Round 1, i = 1..N−1: a hop to i with every set; i blinds them all,
//      adds S_i and replies with them (ParticipantSession::HandleHop).
//   3. The coordinator blinds every set but S_0, and sets aside every set
//      that is complete (blinded by all N).
//   4. Round 2, i = 1..N−2: a hop to i with the sets not yet complete; i
//      blinds them; the coordinator sets aside the complete ones. No
//      participant ever holds two sets blinded by the same keys.
//   5. The coordinator counts on the N complete sets (docs/PROTOCOL.md §11,
//      "Counting") and sends the figures to every participant, which checks
//      that they give its own list its size (HandleResult).
//
// States. Coordinator: kHop (a hop to send) ⇄ kAwaitingReply, then kResult
// (the figures known, the result message ready). Participant: kRound1 →
// kRound2 → kResult → kDone; the last participant (N−1), which has blinded
// all N sets after round 1, goes from kRound1 to kResult. Either side: a
// message in another state is refused with kFailedPrecondition and a
// specific message, and any refused message leaves the session kFailed
// (every later call is kFailedPrecondition). A node's scalar is wiped as
// soon as it has blinded all N sets, or the session fails.
//
// Every received point is decoded canonically and must not be the identity;
// no point may stand for more than psi::kMaxKeyRepeats groups of one set
// (CheckedSets).
//
// Thread safety: a session is used by one thread at a time. Inside a call,
// the decoding, hashing and blinding run on `threads` worker threads
// (node/psi/parallel.h; 0 = one a core).
#ifndef INBEELD_NODE_REGION_SESSION_H_
#define INBEELD_NODE_REGION_SESSION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/ristretto.h"
#include "schema/region_wire.h"

namespace inbeeld::node::region {

inline constexpr size_t kMinRegionNodes = schema::region_wire::kMinNodes;
inline constexpr size_t kMaxRegionNodes = schema::region_wire::kMaxNodes;
inline constexpr int kRegionVersion = schema::region_wire::kVersion;
// Version 3 changed only the messages' encoding (JSON to binary), not the
// crypto: the hash-to-group domain keeps its version-2 name.
inline constexpr std::string_view kRegionDst = "inbeeld-REGION-v2-ristretto255-SHA512";
inline constexpr size_t kMaxSetSize = 1'000'000;  // children a set, whatever the policy

struct RegionalCounts {
  std::string session;                    // 32 hex
  std::vector<std::string> participants;  // node names, coordinator first
  uint64_t distinct = 0;                  // distinct children across all lists
  uint64_t single_list = 0;               // children on exactly one list
  // Of the distinct children, those linked to another only by a possible key
  // (e.g. the same surname and birth date, another first name): each may be
  // the same child as another, so the true number lies between
  // distinct − possible/2 and distinct.
  uint64_t possible = 0;
  // Distinct children per category (relatief verzuim, absoluut verzuim,
  // vrijstelling 5 onder a, dreigend), each by the first list holding it.
  std::vector<uint64_t> by_category;
  std::vector<uint64_t> list_sizes;  // per participant, in that order
};

// One list on its way round the region: a group of k points a child and the
// child's category.
struct BlindedSet {
  size_t origin = 0;
  std::set<size_t> blinded_by;
  size_t k = 1;                                                 // points a group
  std::vector<std::array<uint8_t, crypto::kPointSize>> points;  // groups of k
  std::vector<uint8_t> categories;  // schema::wire::CategoryCode per group

  size_t groups() const { return categories.size(); }
};

// A node's own list as its set will carry it, before any crypto: for each
// slot of each group the key to hash, or none where a random point goes.
struct OwnList {
  size_t k = 1;                                  // slots a group
  std::vector<std::optional<std::string>> keys;  // groups of k
  std::vector<uint8_t> categories;               // schema::wire::CategoryCode per group

  size_t groups() const { return categories.size(); }
};

// The sets of a decoded hop or reply (schema::region_wire::DecodeHop or
// DecodeReply, which checked their structure: origins, blinded-by masks,
// group counts, categories), copied out of the message after the checks
// that need cryptography. Errors (kInvalidArgument, never echoing the
// payload, naming the set's origin): a point that is not a canonical,
// non-identity ristretto255 element, or one point standing for more than
// psi::kMaxKeyRepeats groups of a set. Decodes on `threads` threads.
// REQUIRES: every set holds groups × k points.
Result<std::vector<BlindedSet>> CheckedSets(std::span<const schema::region_wire::SetView> sets,
                                            size_t k, unsigned threads);

// Views of `sets` to encode (valid while `sets` is unchanged).
std::vector<schema::region_wire::SetView> WireSets(const std::vector<BlindedSet>& sets);

class ParticipantSession {
 public:
  enum class State { kRound1, kRound2, kResult, kDone, kFailed };
  struct Params {
    schema::region_wire::SessionId session{};
    size_t participants = 0;  // N
    size_t index = 0;         // this node
    unsigned threads = 0;
  };
  // Draws the scalar; no crypto yet.
  // REQUIRES: kMinRegionNodes <= participants <= kMaxRegionNodes,
  // 1 <= index < participants, own.keys.size() == own.groups() * own.k.
  ParticipantSession(Params params, OwnList own);
  ~ParticipantSession();
  ParticipantSession(const ParticipantSession&) = delete;
  ParticipantSession& operator=(const ParticipantSession&) = delete;

  State state() const { return state_; }
  size_t own_size() const { return own_.groups(); }

  // A hop of `round` (1 or 2) with its sets in (CheckedSets), the reply
  // body out (schema::region_wire::EncodeReply). Round 1
  // blinds every set and adds this node's own; round 2 blinds every set.
  // Errors, each leaving the session failed: kFailedPrecondition for a round
  // not expected now ("round 1 seen twice", "round 2 out of order");
  // kInvalidArgument for a set that claims to come from this node, one
  // already blinded by it, or sets of another k; kInternal if hashing this
  // node's list fails (probability ~2^-252).
  Result<std::string> HandleHop(int round, std::vector<BlindedSet> sets);

  // The figures the coordinator sends. Errors, each leaving the session
  // failed: kFailedPrecondition unless this node has blinded all N sets and
  // no result came yet; kInvalidArgument unless the figures give one list
  // size a node and this node's list its size.
  Status HandleResult(const RegionalCounts& counts);

 private:
  std::unexpected<Error> Failed(Error error);

  Params params_;
  OwnList own_;
  State state_ = State::kRound1;
  std::optional<crypto::Scalar> scalar_;  // wiped once all N sets are blinded
  size_t blinded_ = 0;                    // sets this node has blinded
};

class CoordinatorSession {
 public:
  enum class State { kHop, kAwaitingReply, kResult, kFailed };
  struct Params {
    schema::region_wire::SessionId session{};
    std::string purpose;                              // an activity id
    std::vector<std::string> names;                   // node names, this node first
    std::vector<schema::region_wire::KeyBytes> keys;  // their raw ed25519 keys
    uint8_t key_mask = 0;                             // 1..7
    std::vector<size_t> max_set_size;                 // per origin: the largest set to accept
    unsigned threads = 0;
  };
  // Makes S_0: hashes and blinds `own` under a fresh scalar and shuffles it.
  // Errors: kInvalidArgument for fewer than 3 or more than 16 names, keys or
  // limits not one a name, an invalid purpose or a name that a result
  // cannot carry (schema/region_wire.h), or a key mask outside 1..7 or not
  // matching own.k;
  // kInternal if a hash fails (probability ~2^-252).
  static Result<std::unique_ptr<CoordinatorSession>> Create(Params params, const OwnList& own);
  ~CoordinatorSession();

  State state() const { return state_; }
  size_t own_size() const { return own_size_; }

  struct Hop {
    size_t to = 0;  // the participant's index
    std::string body;
  };
  // The next hop (state kHop → kAwaitingReply).
  // Errors: kFailedPrecondition in another state (the session fails).
  Result<Hop> NextHop();

  // The reply to the hop just sent (kAwaitingReply → kHop, or kResult after
  // the last). Errors, each leaving the session failed and naming the peer:
  // kFailedPrecondition when no hop is outstanding; kInvalidArgument for a
  // reply that does not decode (schema::region_wire::DecodeReply), is for
  // another session, has sets that fail CheckedSets or not the ones
  // expected (every set sent, blinded by the peer, plus its own in round 1);
  // kResourceExhausted for a set above its origin's limit.
  Status HandleReply(std::string_view reply);

  // State kResult: the figures (session and participants filled in) and
  // the result message every participant gets
  // (schema::region_wire::EncodeResult).
  // Errors: kFailedPrecondition in another state.
  Result<RegionalCounts> Counts() const;
  Result<std::string> ResultMessage() const;

 private:
  CoordinatorSession(Params params, crypto::Scalar scalar, BlindedSet own);
  std::unexpected<Error> Failed(Error error);
  void Harvest();

  Params params_;
  State state_ = State::kHop;
  std::optional<crypto::Scalar> scalar_;  // wiped after round 1
  size_t own_size_ = 0;
  int round_ = 1;
  size_t next_ = 1;                      // the participant of the next (or outstanding) hop
  std::vector<BlindedSet> sets_, done_;  // on their way; complete
  RegionalCounts counts_;
};

}  // namespace inbeeld::node::region

#endif  // INBEELD_NODE_REGION_SESSION_H_
