// node/psi/records.h — the per-record work shared by both PSI sides: checking
// and shuffling the inputs, packing their labels small, hashing and blinding
// the key families, and blinding received point lists into tags.
//
// Thread safety: free functions; the ones taking `threads` run their loop on
// that many worker threads (node/psi/parallel.h) and return after joining.
#ifndef INBEELD_NODE_PSI_RECORDS_H_
#define INBEELD_NODE_PSI_RECORDS_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/ristretto.h"
#include "node/psi/session.h"
#include "schema/wire.h"

namespace inbeeld::node::psi {

// One record's shareable labels in 16 bytes instead of the 72 of
// schema::wire::Labels: a session holds one per record for its whole life.
struct PackedLabels {
  uint32_t since = 0;            // schema::wire::DateCode; 0 when absent
  std::array<char, 6> school{};  // the first school_size characters
  uint8_t school_size = 0;
  uint8_t category = 0;  // schema::wire::CategoryCode; 0 when absent
  uint8_t plan = 0;      // 0 absent, 1 no, 2 yes
};
static_assert(sizeof(PackedLabels) <= 16);

// REQUIRES: schema::wire::CheckLabels(labels, mask) succeeded.
PackedLabels PackLabels(const schema::wire::Labels& labels, uint8_t mask);
// The fields in `mask` (a subset of the mask packed with).
schema::wire::Labels UnpackLabels(const PackedLabels& packed, uint8_t mask);

// Checks that every input carries the labels in `mask` in encodable form.
// Errors: kInvalidArgument naming the input's position (never its keys).
Status CheckInputs(std::span<const PsiInput> inputs, uint8_t mask);

// A uniformly random permutation of 0..n-1: Fisher-Yates with libsodium's
// randombytes_uniform (unbiased).
std::vector<uint32_t> RandomPermutation(uint32_t n);

// OK iff `order` is a permutation of 0..n-1. Errors: kInvalidArgument.
Status CheckPermutation(std::span<const uint32_t> order, size_t n);

// Record k of the output is inputs[order[k]]; its group holds, for each slot
// s in `slots`, H(keys[s])^scalar with H = hash_to_ristretto255 under
// kHashToGroupDst, or, for an empty slot, a certain or probable key that
// another record of this list also has (ambiguous: twins who share a first
// name, a child entered twice), a possible key already used by
// kMaxKeyRepeats earlier records, or a key a record holds twice, a filler point
// H(filler_seed || u32be(n))^scalar under the DST "inbeeld-PSI-v2-filler",
// n counting the group positions. Fillers are uniform points like the rest,
// and cost the same to make, so neither their number nor where they stand
// shows. Errors: kInternal if a hash is the identity (probability ~2^-252).
// REQUIRES: out.size() == order.size() * slots.size(), order.size() == inputs.size().
Status HashAndBlind(std::span<const PsiInput> inputs, std::span<const uint32_t> order,
                    std::span<const size_t> slots, std::span<const uint8_t, 32> filler_seed,
                    const crypto::Scalar& scalar, schema::wire::MutablePointView out,
                    unsigned threads);

// out[n] = the first kTagSize bytes of (in[positions...]^scalar): for every
// record of `in` (in_slots points each) the positions `keep` of its group,
// blinded and cut to tags, into groups of keep.size() tags. With `group_order`
// non-empty, output group g is input record group_order[g]. Returns the first
// input point index that is not a canonical non-identity encoding, or
// in.size() if all are fine. REQUIRES: out.size() == records * keep.size().
size_t BlindToTags(schema::wire::PointView in, size_t in_slots, std::span<const size_t> keep,
                   std::span<const uint32_t> group_order, const crypto::Scalar& scalar,
                   schema::wire::MutableTagView out, unsigned threads);

// "<message>: point <k> of list <list>: <why>", why from crypto::Point::Decode.
Error BadPointError(std::string_view message, std::string_view list, schema::wire::PointView points,
                    size_t k);

}  // namespace inbeeld::node::psi

#endif  // INBEELD_NODE_PSI_RECORDS_H_
