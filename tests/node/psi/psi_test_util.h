// tests/node/psi/psi_test_util.h — fixtures for the PSI tests: synthetic
// identifiers and labels, and a helper that runs both sides in-process.
#ifndef INBEELD_TESTS_NODE_PSI_PSI_TEST_UTIL_H_
#define INBEELD_TESTS_NODE_PSI_PSI_TEST_UTIL_H_

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ristretto.h"
#include "node/psi/session.h"
#include "schema/synthetic.h"
#include "schema/wire.h"

namespace inbeeld::node::psi::testing {

namespace wire = schema::wire;

// `n` distinct valid BSNs, deterministic in `seed`.
inline std::vector<std::string> DistinctBsns(size_t n, uint64_t seed) {
  schema::Rng rng(seed);
  std::set<std::string> seen;
  std::vector<std::string> out;
  while (out.size() < n) {
    std::string bsn = schema::GenerateBsn(rng);
    if (seen.insert(bsn).second) out.push_back(std::move(bsn));
  }
  return out;
}

// Labels derived from the identifier and the side, so the tests can predict
// what the peer should receive.
inline wire::Labels LabelsFor(std::string_view digits, int side) {
  const int v = (digits[8] - '0') + 3 * (digits[7] - '0') + side;
  wire::Labels labels;
  labels.category = static_cast<schema::Category>(v % 4);
  labels.since = schema::Date{2025, 1 + v % 12, 1 + v % 28};
  labels.school = (v % 2 == 0) ? std::string("12AB") : std::string("34CD0") + char('0' + v % 10);
  labels.plan = (v % 3) == 0;
  return labels;
}

inline PsiInput MakeInput(std::string_view digits, int side) {
  PsiInput input;
  std::copy(digits.begin(), digits.end(), input.digits.begin());
  input.labels = LabelsFor(digits, side);
  return input;
}

inline std::vector<PsiInput> MakeInputs(const std::vector<std::string>& ids, int side) {
  std::vector<PsiInput> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back(MakeInput(id, side));
  return out;
}

// Two lists with `common` shared identifiers, shuffled deterministically so
// the shared ones sit at different positions on each side.
struct ListPair {
  std::vector<std::string> initiator;
  std::vector<std::string> responder;
};
inline ListPair MakeListPair(size_t n_initiator, size_t n_responder, size_t common, uint64_t seed) {
  std::vector<std::string> ids = DistinctBsns(n_initiator + n_responder - common, seed);
  ListPair p;
  p.initiator.assign(ids.begin(), ids.begin() + static_cast<long>(n_initiator));
  p.responder.assign(ids.begin() + static_cast<long>(n_initiator - common), ids.end());
  schema::Rng rng(seed + 1);
  std::shuffle(p.initiator.begin(), p.initiator.end(), rng);
  std::shuffle(p.responder.begin(), p.responder.end(), rng);
  return p;
}

// The plain-set answer for one side: local index → the peer's index.
inline std::map<uint32_t, uint32_t> PlainIntersection(const std::vector<std::string>& own,
                                                      const std::vector<std::string>& peer) {
  std::map<std::string, uint32_t> where;
  for (size_t k = 0; k < peer.size(); ++k) where[peer[k]] = static_cast<uint32_t>(k);
  std::map<uint32_t, uint32_t> out;
  for (size_t k = 0; k < own.size(); ++k) {
    if (auto it = where.find(own[k]); it != where.end()) out[static_cast<uint32_t>(k)] = it->second;
  }
  return out;
}

inline std::vector<uint32_t> IdentityOrder(size_t n) {
  std::vector<uint32_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = static_cast<uint32_t>(k);
  return order;
}

// A scalar derived from a label: SHA-512(label) reduced mod L.
inline crypto::Scalar ScalarFromLabel(std::string_view label) {
  std::array<uint8_t, 64> wide;
  crypto_hash_sha512(wide.data(), reinterpret_cast<const uint8_t*>(label.data()), label.size());
  return *crypto::Scalar::FromUniformBytes(wide);
}

inline wire::SessionId CountingSessionId() {
  wire::SessionId id;
  for (size_t k = 0; k < id.size(); ++k) id[k] = static_cast<uint8_t>(k);
  return id;
}

// A valid point that no honest party would produce in these tests.
inline wire::PointBytes StrayPoint(uint8_t tag) {
  const uint8_t msg[1] = {tag};
  const uint8_t dst[] = {'t', 'e', 's', 't'};
  return crypto::Point::HashToGroup(msg, dst)->Encode();
}

inline std::vector<wire::PointBytes> ToVector(wire::PointView view) {
  std::vector<wire::PointBytes> out(view.size());
  for (size_t k = 0; k < view.size(); ++k)
    std::copy(view[k].begin(), view[k].end(), out[k].begin());
  return out;
}

inline bool IsSortedStrictly(wire::PointView view) {
  for (size_t k = 1; k < view.size(); ++k) {
    if (!std::lexicographical_compare(view[k - 1].begin(), view[k - 1].end(), view[k].begin(),
                                      view[k].end())) {
      return false;
    }
  }
  return true;
}

}  // namespace inbeeld::node::psi::testing

#endif  // INBEELD_TESTS_NODE_PSI_PSI_TEST_UTIL_H_
