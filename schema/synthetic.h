// schema/synthetic.h — deterministic synthetic lists for tests, demos and
// benchmarks. Never real data.
//
// Two kinds of fixture:
//  - GenerateRegion / GenerateList: lists whose children all have a PGN and one
//    combined name, overlapping through a shared pool (the PGN matching of
//    protocol v1 and the benchmarks);
//  - GenerateNameMatchLists: a leerplicht list (BSN, official names as the BRP
//    holds them) and an SWV list (no PGN; roepnaam, the SWV's own spelling) of
//    the same region, with decoys, and the ground truth of what matching them
//    by name and birth date (docs/NORMALISATION.md) must find.
//
// Everything is drawn from a seeded std::mt19937_64 (not a cryptographic
// generator: these are fixtures) through this module's own integer and real
// draws, so a seed gives the same lists with any standard library. Identifiers
// are random numbers that pass the 11-proof; one may coincide with a number
// issued to a real person, but nothing generated is about anyone. Names are
// common first names and surnames from small built-in lists, combined at
// random: no record describes a real child.
//
// Thread safety: pure functions of their arguments; an Rng must not be shared
// between threads without a lock.
#ifndef INBEELD_SCHEMA_SYNTHETIC_H_
#define INBEELD_SCHEMA_SYNTHETIC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "schema/date.h"
#include "schema/list_row.h"
#include "schema/match_keys.h"

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

// ---------------------------------------------------------------------------
// Matching without a PGN (issue 8)
//
// One region's children, listed twice:
//  - the leerplicht list, as a municipal system fed by the BRP holds them: a
//    BSN (valid, synthetic); first_names with 1 to 3 official names ("Johanna
//    Maria", "Çağla Elif"), diacritics kept; the tussenvoegsel in `prefix` and
//    the rest in `surname` ("van der" + "Berg"); the full birth date; sex; no
//    roepnaam;
//  - the SWV list, as an SWV's own system holds them: no PGN at all; a
//    roepnaam, for a child on both lists its first official name (so the two
//    records share a name-dob key, docs/NORMALISATION.md), sometimes also the
//    official first names; the surname in the SWV's own spelling ("Berg, van
//    der", "VAN DER BERG", "v.d. Berg", "Berg van der", prefix "Van der";
//    "Jansen de Vries" for "Jansen-de Vries"); diacritics kept or dropped
//    ("Zoë"/"Zoe", "Yıldız"/"Yildiz"), upper or lower case, a doubled space;
//    sex for most children.
// A child on both lists has a full birth date on both. Partial birth dates
// occur on the SWV list only, in the kPartialBirthDate decoys.
//
// Labels are drawn as GenerateRegion draws them. For a child on both lists the
// two records disagree on purpose, each field independently: another category
// (about 15%), since dates more than 28 days apart (20%; otherwise at most 21
// days apart), the other plan value (15%), another school (10%; a school
// counts as the same when the first four characters of the BRIN agree, and
// some SWV records leave out the vestiging "01"). With at least four shared
// children each kind of disagreement occurs at least once. The ground truth
// records every disagreement. The two records of a same_child decoy agree on
// every label (since dates at most 21 days apart, the vestiging perhaps left
// out); other decoys' records have labels of their own.
//
// Apart from the decoys (which are built to share, or nearly share, a key),
// no two children of the region share any name key (slots 1-5), even spelled
// as the leerplicht list spells them: the generator redraws a child until
// that holds.

// How a decoy case is built and what matching must make of it. A "possible"
// case links exactly one leerplicht record with one SWV record by a weak key
// (slots 3-5) and by nothing stronger.
enum class DecoyKind {
  kTwinAcross,         // twins (same surname, same birth date, other first name),
                       // one on each list: possible (surname-dob)
  kTwinOfShared,       // the twin of a child on both lists, on one list only: in
                       // no pair (its possible pair with the sibling is pruned,
                       // PROTOCOL.md 4.1)
  kNamesakeOtherYear,  // same name, born in another year, one on each list: no pair
  kNamesakeSameYear,   // same name, another birth date in the same year: possible
                       // (name-year)
  kOtherFamily,        // same first name and birth date, another surname: no pair
  kPartialBirthDate,   // one child on both lists; the SWV knows only the month and
                       // year ("00-05-2014") or the year: possible (name-year)
  kNoFirstName,        // an asylum child whose first name is "." on one list
                       // (alternately): possible (surname-dob)
};
inline constexpr size_t kDecoyKindCount = 7;

// "twin_across", "twin_of_shared", "namesake_other_year", "namesake_same_year",
// "other_family", "partial_birth_date", "no_first_name".
std::string_view DecoyKindName(DecoyKind kind);

struct NameMatchSpec {
  uint64_t seed = 1;
  size_t shared = 40;              // children on both lists, to be found as probable
  size_t lp_only = 30;             // children on the leerplicht list only
  size_t swv_only = 20;            // children on the SWV list only
  size_t decoys_per_kind = 2;      // cases of every DecoyKind (kTwinOfShared: at most `shared`)
  Date today{2026, 1, 15};         // REQUIRES: IsValidDate(today)
  std::string lp_prefix = "LPH";   // own references "LPH-000001", …
  std::string swv_prefix = "SVZ";  // REQUIRES: differs from lp_prefix
};

// Which labels of a pair disagree, by the rules of node/exchange/report.h.
struct LabelDifferences {
  bool category = false;
  bool since = false;  // more than 28 days apart
  bool plan = false;
  bool school = false;  // first four BRIN characters differ

  bool any() const { return category || since || plan || school; }
  bool operator==(const LabelDifferences&) const = default;
};

// A child on both lists, findable as probable.
struct SharedChild {
  std::string lp_reference;
  std::string swv_reference;
  LabelDifferences differs;  // what each side's report must flag for this pair
};

struct DecoyCase {
  DecoyKind kind = DecoyKind::kTwinAcross;
  std::vector<std::string> lp_references;   // this case's own records on each list
  std::vector<std::string> swv_references;  // (not the shared sibling of kTwinOfShared)
  // kPossible: one record on each list, paired at possible strength. nullopt:
  // none of the case's records is in any pair.
  std::optional<Strength> expected;
  bool same_child = false;  // the two records are one child (kPartialBirthDate, kNoFirstName)
};

struct NameMatchLists {
  std::vector<ListRow> leerplicht;  // in random order; references "LPH-000001" … in list order
  std::vector<ListRow> swv;         // likewise "SVZ-…"; no row has an identifier
  // Ground truth.
  std::vector<SharedChild> shared;               // spec.shared children
  std::vector<DecoyCase> decoys;                 // decoys_per_kind of each kind, by kind
  std::vector<std::string> lp_only_references;   // in no pair
  std::vector<std::string> swv_only_references;  // in no pair
  // The same lists as each partner's system exports them, which ParseListCsv
  // reads back to exactly `leerplicht` and `swv`. Leerplicht: ';', UTF-8 with a
  // BOM, BRP-style headers (BSN, Voornamen, Voorvoegsel, Geslachtsnaam,
  // Geboortedatum, …), dates dd-mm-jjjj. SWV: ';', UTF-8 without BOM, its
  // own headers (Dossiernummer, Roepnaam, Tussenvoegsel, Achternaam,
  // Geb.datum, …) and no PGN column; birth and since dates mixed dd-mm-jjjj,
  // d-m-jjjj and jjjj-mm-dd, partial ones as 00-mm-jjjj, 00-00-jjjj or jjjj;
  // sex as M/V or jongen/meisje; stray spaces around some fields.
  std::string leerplicht_csv;
  std::string swv_csv;
};

// Deterministic in spec. Aborts (a generator bug, not bad input) if the
// built-in names cannot give this many distinct children: keep the total
// below about 20,000.
NameMatchLists GenerateNameMatchLists(const NameMatchSpec& spec);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_SYNTHETIC_H_
