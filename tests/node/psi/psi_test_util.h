// tests/node/psi/psi_test_util.h — fixtures for the PSI tests and benchmarks:
// synthetic children with their key families, labels, and a plain
// (non-cryptographic) reference of the pairs a session must find.
//
// The key strings are built here from the slot table of schema/match_keys.h,
// not with DeriveMatchKeys: the tests pin down what the protocol does with a
// key family, whatever normalisation produced it. A Child's name parts are
// therefore already normalised (only [a-z], particles removed).
//
// No GoogleTest in here: bench/psi_session_bench.cc uses it too.
#ifndef INBEELD_TESTS_NODE_PSI_PSI_TEST_UTIL_H_
#define INBEELD_TESTS_NODE_PSI_PSI_TEST_UTIL_H_

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/error.h"
#include "crypto/ristretto.h"
#include "node/psi/session.h"
#include "schema/match_keys.h"
#include "schema/person.h"
#include "schema/synthetic.h"
#include "schema/wire.h"

namespace inbeeld::node::psi::testing {

namespace wire = schema::wire;
using schema::Strength;

// A child as a partner system holds it, name parts already normalised.
struct Child {
  uint32_t id = 0;                         // picks the labels (LabelsFor); not a key
  std::optional<std::string> pgn;          // 9 digits
  std::optional<std::string> surname;      // surname core, e.g. "berg" for "van den Berg"
  std::optional<std::string> first_given;  // first official given name
  std::optional<std::string> roepnaam;
  std::optional<schema::PartialDate> birth;
};

inline std::string Digits(int value, int width) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%0*d", width, value);
  return buffer;
}

// The key family of `child` as schema/match_keys.h's table lays it out:
// GIVEN1 is the first official given name (else the roepnaam), GIVEN2 the
// roepnaam when it differs; slots 1–3 need a full birth date, 4–5 a year.
inline schema::MatchKeys KeysOf(const Child& child) {
  schema::MatchKeys keys;
  if (child.pgn) keys[0] = "pgn|" + *child.pgn;
  if (!child.surname || !child.birth) return keys;
  const std::string& surname = *child.surname;
  const std::optional<std::string> given1 = child.first_given ? child.first_given : child.roepnaam;
  std::optional<std::string> given2;
  if (child.first_given && child.roepnaam && *child.roepnaam != *child.first_given) {
    given2 = child.roepnaam;
  }
  const schema::PartialDate& birth = *child.birth;
  const std::string year = Digits(birth.year, 4);
  if (birth.full()) {
    const std::string dob = year + "-" + Digits(birth.month, 2) + "-" + Digits(birth.day, 2);
    if (given1) keys[1] = "name-dob|" + surname + "|" + *given1 + "|" + dob;
    if (given2) keys[2] = "name-dob|" + surname + "|" + *given2 + "|" + dob;
    keys[3] = "surname-dob|" + surname + "|" + dob;
  }
  if (given1) keys[4] = "name-year|" + surname + "|" + *given1 + "|" + year;
  if (given2) keys[5] = "name-year|" + surname + "|" + *given2 + "|" + year;
  return keys;
}

// Labels derived from the child and the side, so the tests can predict what
// the peer should receive.
inline wire::Labels LabelsFor(uint32_t id, int side) {
  const int v = static_cast<int>(id % 1000) + side;
  wire::Labels labels;
  labels.category = static_cast<schema::Category>(v % 4);
  labels.since = schema::Date{2025, 1 + v % 12, 1 + v % 28};
  labels.school = (v % 2 == 0) ? std::string("12AB") : std::string("34CD0") + char('0' + v % 10);
  labels.plan = (v % 3) == 0;
  return labels;
}

inline PsiInput MakeInput(const Child& child, int side) {
  return PsiInput{.keys = KeysOf(child), .labels = LabelsFor(child.id, side)};
}

inline std::vector<PsiInput> MakeInputs(const std::vector<Child>& children, int side) {
  std::vector<PsiInput> out;
  out.reserve(children.size());
  for (const Child& child : children) out.push_back(MakeInput(child, side));
  return out;
}

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

inline std::string RandomWord(schema::Rng& rng, size_t min_size, size_t max_size) {
  const size_t size = min_size + rng() % (max_size - min_size + 1);
  std::string word;
  for (size_t k = 0; k < size; ++k) word.push_back(static_cast<char>('a' + rng() % 26));
  return word;
}

// `n` children with distinct PGNs and random names (so two of them share a
// name key only by a negligible chance), a full birth date in 2008..2019,
// and a roepnaam that is absent, equal to or different from the first name.
inline std::vector<Child> RandomChildren(size_t n, uint64_t seed) {
  const std::vector<std::string> pgns = DistinctBsns(n, seed);
  schema::Rng rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<Child> out(n);
  for (size_t k = 0; k < n; ++k) {
    Child& c = out[k];
    c.id = static_cast<uint32_t>(k);
    c.pgn = pgns[k];
    c.surname = RandomWord(rng, 5, 9);
    c.first_given = RandomWord(rng, 3, 7);
    switch (rng() % 4) {
      case 0:
        c.roepnaam = RandomWord(rng, 3, 6);
        break;
      case 1:
        c.roepnaam = c.first_given;
        break;
      default:
        break;
    }
    c.birth =
        schema::PartialDate{2008 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 12),
                            1 + static_cast<int>(rng() % 28)};
  }
  return out;
}

// Two lists with `common` shared children, shuffled deterministically so the
// shared ones sit at different positions on each side.
struct ListPair {
  std::vector<Child> initiator;
  std::vector<Child> responder;
};
inline ListPair MakeListPair(size_t n_initiator, size_t n_responder, size_t common, uint64_t seed) {
  std::vector<Child> children = RandomChildren(n_initiator + n_responder - common, seed);
  ListPair p;
  p.initiator.assign(children.begin(), children.begin() + static_cast<long>(n_initiator));
  p.responder.assign(children.begin() + static_cast<long>(n_initiator - common), children.end());
  schema::Rng rng(seed + 1);
  std::shuffle(p.initiator.begin(), p.initiator.end(), rng);
  std::shuffle(p.responder.begin(), p.responder.end(), rng);
  return p;
}

// ------------------------------------------------------ the plain answer

// A pair by local indices on both sides.
struct PlainPair {
  uint32_t initiator = 0;
  uint32_t responder = 0;
  Strength strength = Strength::kPossible;

  auto operator<=>(const PlainPair&) const = default;
};

// The certain and probable keys that more than one record of `list` holds
// (a child entered twice, twins who share a first name): ambiguous, so a
// node leaves them out (node/psi/records.h) and they link nothing.
inline std::set<std::string> AmbiguousKeys(const std::vector<PsiInput>& list) {
  std::map<std::string, uint32_t> records;
  for (const PsiInput& input : list) {
    std::set<std::string> own;
    for (size_t s = 0; s < schema::kSlotCount; ++s) {
      if (schema::SlotStrength(s) != Strength::kPossible && input.keys[s])
        own.insert(*input.keys[s]);
    }
    for (const std::string& key : own) ++records[key];
  }
  std::set<std::string> out;
  for (const auto& [key, n] : records) {
    if (n > 1) out.insert(key);
  }
  return out;
}

// The pairs of docs/PROTOCOL.md §4 computed on the key strings themselves:
// records are linked by an equal key in slots of `key_mask` (any slot of one
// side against any of the other), at the weaker of the two slots' strengths;
// a certain or probable key held by two records of one list links nothing;
// a pair keeps its strongest link; a possible pair is dropped when either
// record has a certain or probable pair. Sorted. Knows nothing of
// kMaxKeyRepeats (fixtures that reach it are checked by hand).
inline std::vector<PlainPair> PlainPairs(const std::vector<PsiInput>& xs,
                                         const std::vector<PsiInput>& ys, uint8_t key_mask) {
  const std::set<std::string> ambiguous_x = AmbiguousKeys(xs), ambiguous_y = AmbiguousKeys(ys);
  std::map<std::string, std::vector<std::pair<uint32_t, size_t>>> where;  // key → (j, slot)
  for (size_t j = 0; j < ys.size(); ++j) {
    for (size_t s = 0; s < schema::kSlotCount; ++s) {
      if ((key_mask & schema::SlotKeyType(s)) && ys[j].keys[s] &&
          !ambiguous_y.contains(*ys[j].keys[s])) {
        where[*ys[j].keys[s]].emplace_back(static_cast<uint32_t>(j), s);
      }
    }
  }
  std::map<std::pair<uint32_t, uint32_t>, Strength> best;
  for (size_t i = 0; i < xs.size(); ++i) {
    for (size_t s = 0; s < schema::kSlotCount; ++s) {
      if (!(key_mask & schema::SlotKeyType(s)) || !xs[i].keys[s] ||
          ambiguous_x.contains(*xs[i].keys[s])) {
        continue;
      }
      auto it = where.find(*xs[i].keys[s]);
      if (it == where.end()) continue;
      for (const auto& [j, t] : it->second) {
        const Strength link = std::max(schema::SlotStrength(s), schema::SlotStrength(t));
        auto [at, fresh] = best.try_emplace({static_cast<uint32_t>(i), j}, link);
        if (!fresh) at->second = std::min(at->second, link);
      }
    }
  }
  std::set<uint32_t> strong_x, strong_y;
  for (const auto& [ij, strength] : best) {
    if (strength != Strength::kPossible) {
      strong_x.insert(ij.first);
      strong_y.insert(ij.second);
    }
  }
  std::vector<PlainPair> out;
  for (const auto& [ij, strength] : best) {
    if (strength == Strength::kPossible &&
        (strong_x.contains(ij.first) || strong_y.contains(ij.second))) {
      continue;
    }
    out.push_back(PlainPair{ij.first, ij.second, strength});
  }
  return out;
}

// The counts of one side for `pairs`: records with a certain or probable
// pair, and records with possible pairs only.
inline wire::MatchCounts PlainCounts(const std::vector<PlainPair>& pairs, bool initiator) {
  std::map<uint32_t, bool> strong;
  for (const PlainPair& p : pairs) {
    bool& s = strong[initiator ? p.initiator : p.responder];
    s = s || p.strength != Strength::kPossible;
  }
  wire::MatchCounts counts;
  for (const auto& [record, s] : strong) ++(s ? counts.strong : counts.possible);
  return counts;
}

// The two sides' pairs joined by pair code: each code must name one pair on
// each side, with the same strength, and each side's peer_record must name
// the peer's record consistently (one peer record number per peer local
// index, and the other way round). Returns the pairs by local indices.
// Errors: kInternal describing the first disagreement.
inline Result<std::vector<PlainPair>> JoinByCode(const Outcome& initiator,
                                                 const Outcome& responder) {
  if (initiator.pairs.size() != responder.pairs.size()) {
    return Fail(ErrorCode::kInternal,
                "the initiator has " + std::to_string(initiator.pairs.size()) +
                    " pairs, the responder " + std::to_string(responder.pairs.size()));
  }
  std::map<std::string, const MatchedPair*> by_code;
  for (const MatchedPair& p : responder.pairs) {
    if (!by_code.emplace(p.pair_code, &p).second) {
      return Fail(ErrorCode::kInternal, "the responder has pair code " + p.pair_code + " twice");
    }
  }
  // peer record number → the peer's local index, in both directions.
  std::map<uint32_t, uint32_t> responder_record, initiator_record;
  std::map<uint32_t, uint32_t> responder_local, initiator_local;
  auto consistent = [](std::map<uint32_t, uint32_t>& forward, std::map<uint32_t, uint32_t>& back,
                       uint32_t record, uint32_t local) {
    auto [f, f_new] = forward.try_emplace(record, local);
    auto [b, b_new] = back.try_emplace(local, record);
    return f->second == local && b->second == record;
  };
  std::vector<PlainPair> out;
  std::set<std::string> seen;
  for (const MatchedPair& p : initiator.pairs) {
    if (!seen.insert(p.pair_code).second) {
      return Fail(ErrorCode::kInternal, "the initiator has pair code " + p.pair_code + " twice");
    }
    auto it = by_code.find(p.pair_code);
    if (it == by_code.end()) {
      return Fail(ErrorCode::kInternal, "pair code " + p.pair_code + " only at the initiator");
    }
    const MatchedPair& q = *it->second;
    if (p.strength != q.strength) {
      return Fail(ErrorCode::kInternal, "pair " + p.pair_code + " has different strengths");
    }
    if (!consistent(responder_record, responder_local, p.peer_record, q.local_index) ||
        !consistent(initiator_record, initiator_local, q.peer_record, p.local_index)) {
      return Fail(ErrorCode::kInternal, "pair " + p.pair_code + " names another peer record");
    }
    out.push_back(PlainPair{p.local_index, q.local_index, p.strength});
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string Describe(const std::vector<PlainPair>& pairs) {
  std::string out;
  for (const PlainPair& p : pairs) {
    out += "(" + std::to_string(p.initiator) + "," + std::to_string(p.responder) + "," +
           std::string(schema::StrengthName(p.strength)) + ") ";
  }
  return out;
}

// ----------------------------------------------------------- determinism

inline std::vector<uint32_t> IdentityOrder(size_t n) {
  std::vector<uint32_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = static_cast<uint32_t>(k);
  return order;
}

inline std::array<uint8_t, 64> Sha512(std::string_view text) {
  std::array<uint8_t, 64> out;
  crypto_hash_sha512(out.data(), reinterpret_cast<const uint8_t*>(text.data()), text.size());
  return out;
}

// A scalar derived from a label: SHA-512(label) reduced mod L.
inline crypto::Scalar ScalarFromLabel(std::string_view label) {
  return *crypto::Scalar::FromUniformBytes(Sha512(label));
}

// A filler seed derived from a label: the first 32 bytes of SHA-512(label).
inline std::array<uint8_t, 32> SeedFromLabel(std::string_view label) {
  const std::array<uint8_t, 64> wide = Sha512(label);
  std::array<uint8_t, 32> seed;
  std::copy(wide.begin(), wide.begin() + 32, seed.begin());
  return seed;
}

inline wire::SessionId CountingSessionId() {
  wire::SessionId id;
  for (size_t k = 0; k < id.size(); ++k) id[k] = static_cast<uint8_t>(k);
  return id;
}

// Fixed secrets for one side, named by `side` ("a", "b"). The two sides'
// filler seeds must differ: with equal seeds, filler n of A and filler n of
// B are the same point before blinding, and would link two records that
// hold no key in that slot.
inline Determinism Fixed(std::string_view side, std::vector<uint32_t> order,
                         std::vector<uint32_t> count_order = {},
                         const wire::SessionId& id = CountingSessionId()) {
  return Determinism{.session_id = id,
                     .scalar = ScalarFromLabel(std::string("scalar ") + std::string(side)),
                     .order = std::move(order),
                     .count_order = std::move(count_order),
                     .filler_seed = SeedFromLabel(std::string("filler ") + std::string(side))};
}

// ------------------------------------------------------------ point helpers

inline std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// H(key) under the session's DST.
inline crypto::Point HashKey(std::string_view key) {
  return *crypto::Point::HashToGroup(Bytes(key), Bytes(kHashToGroupDst));
}

// Filler number n before blinding: H(seed || u32be(n)) under the filler DST.
inline crypto::Point FillerPoint(const std::array<uint8_t, 32>& seed, uint32_t n) {
  std::array<uint8_t, 36> msg{};
  std::copy(seed.begin(), seed.end(), msg.begin());
  for (int b = 0; b < 4; ++b) msg[32 + b] = static_cast<uint8_t>(n >> (24 - 8 * b));
  return *crypto::Point::HashToGroup(msg, Bytes("inbeeld-PSI-v2-filler"));
}

// A valid point that no honest party would produce in these tests.
inline wire::PointBytes StrayPoint(uint8_t tag) {
  const uint8_t msg[1] = {tag};
  return crypto::Point::HashToGroup(msg, Bytes("test"))->Encode();
}

template <size_t N>
std::vector<std::array<uint8_t, N>> ToVector(wire::ItemView<N> view) {
  std::vector<std::array<uint8_t, N>> out(view.size());
  for (size_t k = 0; k < view.size(); ++k)
    std::copy(view[k].begin(), view[k].end(), out[k].begin());
  return out;
}

}  // namespace inbeeld::node::psi::testing

#endif  // INBEELD_TESTS_NODE_PSI_PSI_TEST_UTIL_H_
