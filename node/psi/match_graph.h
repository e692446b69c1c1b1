// node/psi/match_graph.h — from the second-pass tags of both lists to the
// pairs of records they link, with strengths, counts and pair codes.
//
// Both sides of a session call this on the same two tag lists (the
// initiator's records' tags C and the responder's records' tags D, each k
// tags a record) and so arrive at the same pairs; the rules are the ones
// node/psi/session.h narrates and docs/PROTOCOL.md §4.1 specifies:
//
//   - records l (left, the initiator's) and r (right, the responder's) are
//     linked when some tag of l equals some tag of r; the link is as strong
//     as the weaker of the two slots' kinds, and a pair keeps its strongest
//     link;
//   - a possible pair is dropped when l or r has a certain or probable pair;
//   - counts: per side, records with a certain or probable pair ("strong")
//     and records with only possible pairs.
//
// The lists are joined by sorting, not hashing: their tags are chosen by the
// peer, and a sort cannot be driven into quadratic time. A tag shared by more
// than kMaxKeyRepeats records of one list refuses the list, which keeps the
// number of links linear in the list sizes.
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_NODE_PSI_MATCH_GRAPH_H_
#define INBEELD_NODE_PSI_MATCH_GRAPH_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "schema/match_keys.h"
#include "schema/wire.h"

namespace inbeeld::node::psi {

struct Link {
  uint32_t left = 0;   // record of the left list (the initiator's, as numbered in C)
  uint32_t right = 0;  // record of the right list (the responder's, as numbered in D)
  schema::Strength strength = schema::Strength::kPossible;

  bool operator==(const Link&) const = default;
};

struct MatchGraph {
  std::vector<Link> links;  // after dropping; sorted by (left, right), one per pair
  schema::wire::MatchCounts left_counts;
  schema::wire::MatchCounts right_counts;
};

// `slots[p]` is the schema::MatchKeys slot of position p of every group; both
// lists hold slots.size() tags a record. `message` names the message in
// errors ("StartResponse"), `left_name` / `right_name` the lists ("C", "D").
// Errors: kInvalidArgument when a tag occurs in more than kMaxKeyRepeats
// records of one list.
// REQUIRES: !slots.empty(); left.size() and right.size() multiples of it.
Result<MatchGraph> BuildMatchGraph(schema::wire::TagView left, schema::wire::TagView right,
                                   std::span<const size_t> slots, std::string_view message,
                                   std::string_view left_name, std::string_view right_name);

// The records of one side that are in at least one pair, increasing.
std::vector<uint32_t> LeftInPairs(const MatchGraph& graph);
std::vector<uint32_t> RightInPairs(const MatchGraph& graph);

// One code per link, in the order of `links` (which must be sorted by
// (left, right)): six characters of Crockford's base32 as "XXX-XXX", from
// BLAKE2b keyed with the session id over (left, right, attempt); a code that
// an earlier link already has is drawn again with the next attempt, so codes
// are unique within the session and both sides derive the same ones.
std::vector<std::string> PairCodes(const schema::wire::SessionId& session_id,
                                   std::span<const Link> links);

// The code for one (left, right, attempt), as PairCodes uses it.
std::string PairCode(const schema::wire::SessionId& session_id, uint32_t left, uint32_t right,
                     uint8_t attempt);

}  // namespace inbeeld::node::psi

#endif  // INBEELD_NODE_PSI_MATCH_GRAPH_H_
