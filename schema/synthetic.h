// schema/synthetic.h — deterministic synthetic lists for tests, demos and
// benchmarks. Never real data.
//
// Everything is drawn from a seeded std::mt19937_64 (not a cryptographic
// generator: these are fixtures) through this module's own integer and real
// draws, so a seed gives the same lists with any standard library. Identifiers
// are random numbers that pass the 11-proof; one may coincide with a number
// issued to a real person, but nothing generated is about anyone. Names come
// from small built-in lists of Dutch-looking first and last names.
//
// Thread safety: pure functions of their arguments; an Rng must not be shared
// between threads without a lock.
#ifndef INBEELD_SCHEMA_SYNTHETIC_H_
#define INBEELD_SCHEMA_SYNTHETIC_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "schema/date.h"
#include "schema/list_row.h"

namespace inbeeld::schema {

using Rng = std::mt19937_64;

// A random valid BSN: 9 digits, not all zeros, weighted sum ≡ 0 (mod 11).
// It may start with "10" (that is still a BSN: the sum decides the type).
std::string GenerateBsn(Rng& rng);

// A random valid onderwijsnummer: "10" then 7 digits, weighted sum ≡ 5 (mod 11).
std::string GenerateOnderwijsnummer(Rng& rng);

struct PartnerSpec {
  std::string name;  // e.g. "Leerplicht Haarlem"; gives the reference prefix
  size_t size = 0;   // number of rows in this partner's list
};

// A region of partners whose lists overlap through a shared pool of children.
//
// Overlap semantics, exactly: partner p with size n_p gets
//   k_p = round(overlap · n_p)
// rows drawn from the shared regional pool, and n_p − k_p rows for children that
// appear on no other list. The pool holds P = max_p k_p children; each partner
// takes k_p distinct pool children uniformly at random. Hence:
//  - with two partners, |A ∩ B| = min(k_A, k_B) exactly (the partner with the
//    larger k holds the whole pool);
//  - with more, |A ∩ B| ≥ k_A + k_B − P, and about k_A·k_B/P on average;
//  - overlap 0 gives disjoint lists; overlap 1 with equal sizes, equal sets.
// All identifiers in a region are distinct except that a pool child keeps one
// identifier on every list it is on; within each list identifiers are unique.
// The true intersection of two lists is the intersection of their identifiers.
//
// A pool child is one identity: the same identifier, name and birth date on
// every list. Its labels vary a little per partner, as real registrations do:
// the category is usually the same (about 1 in 10 records differs, so
// disagreement flagging has something to find), the since date usually within
// three weeks of the child's, the school and plan usually the same.
//
// Other properties: own_reference is "<PREFIX>-<6 digits>", unique per list
// (PREFIX: up to 3 upper-case letters of the partner name's words);
// onderwijsnummer_share of the children have an onderwijsnummer, the others a
// BSN; birth dates give ages 5 to 17 at `today`; since dates fall within the
// 365 days up to `today`; BRIN codes are synthetic ("12AB", some with "01");
// roughly half the rows have a plan in place; rows are in random order.
struct RegionSpec {
  uint64_t seed = 1;
  std::vector<PartnerSpec> partners;
  double overlap = 0.0;                 // REQUIRES: 0 <= overlap <= 1 (clamped if not)
  double onderwijsnummer_share = 0.03;  // REQUIRES: 0 <= share <= 1 (clamped)
  Date today{2026, 1, 15};              // REQUIRES: IsValidDate(today)
};

// One list per partner, in the order of spec.partners. Deterministic in spec.
std::vector<std::vector<ListRow>> GenerateRegion(const RegionSpec& spec);

// A single list of n rows (a region of one partner, overlap 0).
std::vector<ListRow> GenerateList(uint64_t seed, size_t n, Date today);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_SYNTHETIC_H_
