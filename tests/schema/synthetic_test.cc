#include "schema/synthetic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "schema/csv_import.h"
#include "schema/identifier.h"
#include "schema/match_keys.h"

namespace inbeeld::schema {
namespace {

constexpr Date kToday{2026, 1, 15};

std::set<std::string> Identifiers(const std::vector<ListRow>& rows) {
  std::set<std::string> ids;
  for (const ListRow& row : rows) ids.insert(row.identifier->digits());
  return ids;
}

size_t IntersectionSize(const std::vector<ListRow>& a, const std::vector<ListRow>& b) {
  std::set<std::string> ia = Identifiers(a);
  size_t n = 0;
  for (const ListRow& row : b) n += ia.contains(row.identifier->digits());
  return n;
}

TEST(SyntheticTest, GeneratedBsnsPassTheElevenProof) {
  Rng rng(1);
  for (int i = 0; i < 20'000; ++i) {
    std::string bsn = GenerateBsn(rng);
    ASSERT_TRUE(IsValidBsn(bsn)) << bsn;
    Result<Identifier> id = Identifier::Parse(bsn);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->type(), IdentifierType::kBsn);
    EXPECT_EQ(id->digits(), bsn);
  }
}

TEST(SyntheticTest, GeneratedOnderwijsnummersPassTheirCheck) {
  Rng rng(2);
  for (int i = 0; i < 20'000; ++i) {
    std::string onr = GenerateOnderwijsnummer(rng);
    ASSERT_TRUE(IsValidOnderwijsnummer(onr)) << onr;
    ASSERT_TRUE(onr.starts_with("10"));
    Result<Identifier> id = Identifier::Parse(onr);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->type(), IdentifierType::kOnderwijsnummer);
  }
}

TEST(SyntheticTest, AListLooksLikeAList) {
  const size_t n = 20'000;
  std::vector<ListRow> rows = GenerateList(3, n, kToday);
  ASSERT_EQ(rows.size(), n);
  EXPECT_EQ(Identifiers(rows).size(), n);  // unique within the list

  std::set<std::string> references;
  std::map<Category, size_t> categories;
  size_t onderwijsnummers = 0, plans = 0;
  for (const ListRow& row : rows) {
    // Every row has a PGN, and it survives a re-parse with the same type.
    ASSERT_TRUE(row.identifier.has_value());
    Result<Identifier> id = Identifier::Parse(row.identifier->digits());
    ASSERT_TRUE(id.has_value());
    ASSERT_EQ(id->type(), row.identifier->type());
    onderwijsnummers += row.identifier->type() == IdentifierType::kOnderwijsnummer;
    references.insert(row.own_reference);
    EXPECT_TRUE(row.own_reference.starts_with("SL-")) << row.own_reference;
    ++categories[row.category];
    plans += row.plan_in_place;
    ASSERT_TRUE(IsValidDate(row.since));
    int since_age = DaysBetween(row.since, kToday);
    EXPECT_GE(since_age, 0);
    EXPECT_LE(since_age, 365);
    ASSERT_TRUE(row.birth_date.has_value());
    ASSERT_TRUE(row.birth_date->full());
    int age_days = DaysBetween(row.birth_date->date(), kToday);
    EXPECT_GT(age_days, 5 * 365);
    EXPECT_LT(age_days, 18 * 365 + 4);
    // As before partial names existed: one combined name, nothing else.
    ASSERT_TRUE(row.name.full_name.has_value());
    EXPECT_NE(row.name.full_name->find(' '), std::string::npos);
    PersonName only_full;
    only_full.full_name = row.name.full_name;
    EXPECT_EQ(row.name, only_full);
    EXPECT_FALSE(row.sex.has_value());
    ASSERT_TRUE(ParseBrin(row.school_brin).has_value()) << row.school_brin;
    EXPECT_EQ(*ParseBrin(row.school_brin), row.school_brin);
  }
  EXPECT_EQ(references.size(), n);
  EXPECT_EQ(categories.size(), 4u);
  EXPECT_NEAR(static_cast<double>(onderwijsnummers) / n, 0.03, 0.01);
  EXPECT_NEAR(static_cast<double>(plans) / n, 0.5, 0.03);
  EXPECT_NEAR(static_cast<double>(categories[Category::kRelatiefVerzuim]) / n, 0.55, 0.03);
}

TEST(SyntheticTest, DeterministicForASeed) {
  EXPECT_EQ(GenerateList(42, 500, kToday), GenerateList(42, 500, kToday));
  EXPECT_NE(GenerateList(42, 500, kToday), GenerateList(43, 500, kToday));

  RegionSpec spec{.seed = 9,
                  .partners = {{"Leerplicht Haarlem", 300}, {"SWV VO Zuid-Kennemerland", 200}},
                  .overlap = 0.4,
                  .onderwijsnummer_share = 0.05,
                  .today = kToday};
  EXPECT_EQ(GenerateRegion(spec), GenerateRegion(spec));
  // Pinned: mt19937_64 and our own draws are fully specified, so a seed gives
  // these values with any standard library. A change here is a deliberate one.
  Rng rng(12345);
  EXPECT_EQ(GenerateBsn(rng), "615465869");
  EXPECT_EQ(GenerateOnderwijsnummer(rng), "103768963");
  std::vector<ListRow> one = GenerateList(1, 1, kToday);
  EXPECT_EQ(one[0].identifier->digits(), "102106910");
  EXPECT_EQ(one[0].name.full_name, "Sara de Boer");
}

TEST(SyntheticTest, TwoPartnersOverlapExactlyAsSpecified) {
  RegionSpec spec{.seed = 7,
                  .partners = {{"Leerplicht Haarlem", 1000}, {"SWV PO", 600}},
                  .overlap = 0.5,
                  .onderwijsnummer_share = 0.03,
                  .today = kToday};
  std::vector<std::vector<ListRow>> lists = GenerateRegion(spec);
  ASSERT_EQ(lists.size(), 2u);
  ASSERT_EQ(lists[0].size(), 1000u);
  ASSERT_EQ(lists[1].size(), 600u);
  EXPECT_EQ(Identifiers(lists[0]).size(), 1000u);
  EXPECT_EQ(Identifiers(lists[1]).size(), 600u);
  // k = 500 and 300; the larger holds the whole pool: |A ∩ B| = min = 300.
  EXPECT_EQ(IntersectionSize(lists[0], lists[1]), 300u);
  EXPECT_TRUE(lists[0][0].own_reference.starts_with("LH-"));
  EXPECT_TRUE(lists[1][0].own_reference.starts_with("SP-"));

  // A shared child is one identity on both lists; its labels mostly agree.
  std::map<std::string, const ListRow*> in_a;
  for (const ListRow& row : lists[0]) in_a[row.identifier->digits()] = &row;
  size_t shared = 0, same_category = 0, since_close = 0;
  for (const ListRow& row : lists[1]) {
    auto it = in_a.find(row.identifier->digits());
    if (it == in_a.end()) continue;
    ++shared;
    EXPECT_EQ(row.name, it->second->name);
    EXPECT_EQ(row.birth_date, it->second->birth_date);
    same_category += row.category == it->second->category;
    since_close += std::abs(DaysBetween(row.since, it->second->since)) <= 42;
  }
  ASSERT_EQ(shared, 300u);
  // Each side differs from the child's category 1 time in 10: both agree
  // about 0.81 + 0.01·(1/3) of the time. Some must disagree.
  EXPECT_GT(same_category, 200u);
  EXPECT_LT(same_category, 295u);
  EXPECT_EQ(since_close, shared);
}

TEST(SyntheticTest, ThreePartnersOverlapRoughlyAsConfigured) {
  RegionSpec spec{.seed = 8,
                  .partners = {{"A", 4000}, {"B", 4000}, {"C", 2000}},
                  .overlap = 0.3,
                  .onderwijsnummer_share = 0.03,
                  .today = kToday};
  std::vector<std::vector<ListRow>> lists = GenerateRegion(spec);
  // k = 1200, 1200, 600; P = 1200: A and B both hold the whole pool.
  EXPECT_EQ(IntersectionSize(lists[0], lists[1]), 1200u);
  EXPECT_EQ(IntersectionSize(lists[0], lists[2]), 600u);
  // A list holds round(overlap·n) pool children; the rest are its own.
  std::set<std::string> a = Identifiers(lists[0]), b = Identifiers(lists[1]);
  size_t only_c = 0;
  for (const ListRow& row : lists[2]) only_c += !a.contains(row.identifier->digits());
  EXPECT_EQ(only_c, 1400u);

  spec.partners = {{"A", 3000}, {"B", 2000}, {"C", 2000}};
  lists = GenerateRegion(spec);
  // k = 900, 600, 600; P = 900: B and C each take 600 of 900: ≥ 300, ~400.
  size_t bc = IntersectionSize(lists[1], lists[2]);
  EXPECT_GE(bc, 300u);
  EXPECT_NEAR(static_cast<double>(bc), 400.0, 60.0);
}

TEST(SyntheticTest, OverlapExtremes) {
  RegionSpec spec{.seed = 4,
                  .partners = {{"A", 500}, {"B", 500}},
                  .overlap = 0.0,
                  .onderwijsnummer_share = 0.03,
                  .today = kToday};
  std::vector<std::vector<ListRow>> lists = GenerateRegion(spec);
  EXPECT_EQ(IntersectionSize(lists[0], lists[1]), 0u);
  spec.overlap = 1.0;
  lists = GenerateRegion(spec);
  EXPECT_EQ(Identifiers(lists[0]), Identifiers(lists[1]));
  spec.overlap = 7.0;  // clamped to 1
  EXPECT_EQ(GenerateRegion(spec), lists);
}

TEST(SyntheticTest, EmptyAndAllOnderwijsnummer) {
  EXPECT_TRUE(GenerateList(1, 0, kToday).empty());
  RegionSpec spec{.seed = 5,
                  .partners = {{"A", 200}},
                  .overlap = 0.0,
                  .onderwijsnummer_share = 1.0,
                  .today = kToday};
  std::vector<std::vector<ListRow>> lists = GenerateRegion(spec);
  for (const ListRow& row : lists[0]) {
    EXPECT_EQ(row.identifier->type(), IdentifierType::kOnderwijsnummer);
  }
}

// ---------------------------------------------------------------------------
// GenerateNameMatchLists

namespace name_match {

NameMatchSpec Spec(uint64_t seed, size_t shared = 40, size_t decoys_per_kind = 2) {
  NameMatchSpec spec;
  spec.seed = seed;
  spec.shared = shared;
  spec.lp_only = 30;
  spec.swv_only = 20;
  spec.decoys_per_kind = decoys_per_kind;
  spec.today = kToday;
  return spec;
}

// The keys each side derives: never a PGN key towards an SWV.
MatchKeys Keys(const ListRow& row) {
  return DeriveMatchKeys(row.identifier, row.name, row.birth_date, /*allow_pgn=*/false);
}

std::map<std::string, size_t> ByReference(const std::vector<ListRow>& rows) {
  std::map<std::string, size_t> out;
  for (size_t i = 0; i < rows.size(); ++i) out[rows[i].own_reference] = i;
  return out;
}

// The strongest strength of a key the two records share; nullopt if none.
std::optional<Strength> SharedStrength(const MatchKeys& a, const MatchKeys& b) {
  std::optional<Strength> best;
  for (size_t i = 0; i < kSlotCount; ++i) {
    for (size_t j = 0; j < kSlotCount; ++j) {
      if (!a[i] || !b[j] || *a[i] != *b[j]) continue;
      Strength s = std::max(SlotStrength(i), SlotStrength(j));  // the weaker slot
      if (!best || s < *best) best = s;
    }
  }
  return best;
}

// The pairs PROTOCOL.md 4.1 builds from two lists' keys, by reference: links
// through any shared key, a pair as strong as its strongest link, possible
// pairs of a record in a strong pair pruned. A certain or probable key that
// two records of one list share is left out first (section 3.1).
using Pairs = std::map<std::pair<std::string, std::string>, Strength>;
Pairs ReferencePairs(const std::vector<ListRow>& lp, const std::vector<ListRow>& swv) {
  auto keys_of = [](const std::vector<ListRow>& rows) {
    std::vector<MatchKeys> keys;
    std::map<std::string, int> seen;
    for (const ListRow& row : rows) {
      keys.push_back(Keys(row));
      for (const auto& k : keys.back()) {
        if (k) ++seen[*k];
      }
    }
    for (MatchKeys& family : keys) {
      for (size_t slot = 0; slot < kSlotCount; ++slot) {
        if (family[slot] && SlotStrength(slot) != Strength::kPossible && seen[*family[slot]] > 1) {
          family[slot].reset();
        }
      }
    }
    return keys;
  };
  std::vector<MatchKeys> lk = keys_of(lp), sk = keys_of(swv);
  Pairs pairs;
  std::set<size_t> strong_l, strong_s;
  std::vector<std::tuple<size_t, size_t, Strength>> linked;
  for (size_t l = 0; l < lp.size(); ++l) {
    for (size_t s = 0; s < swv.size(); ++s) {
      std::optional<Strength> st = SharedStrength(lk[l], sk[s]);
      if (!st) continue;
      linked.emplace_back(l, s, *st);
      if (*st != Strength::kPossible) {
        strong_l.insert(l);
        strong_s.insert(s);
      }
    }
  }
  for (auto [l, s, st] : linked) {
    if (st == Strength::kPossible && (strong_l.contains(l) || strong_s.contains(s))) continue;
    pairs[{lp[l].own_reference, swv[s].own_reference}] = st;
  }
  return pairs;
}

TEST(NameMatchListsTest, DeterministicForASeed) {
  NameMatchLists a = GenerateNameMatchLists(Spec(11));
  NameMatchLists b = GenerateNameMatchLists(Spec(11));
  EXPECT_EQ(a.leerplicht, b.leerplicht);
  EXPECT_EQ(a.swv, b.swv);
  EXPECT_EQ(a.leerplicht_csv, b.leerplicht_csv);
  EXPECT_EQ(a.swv_csv, b.swv_csv);
  ASSERT_EQ(a.shared.size(), b.shared.size());
  for (size_t i = 0; i < a.shared.size(); ++i) {
    EXPECT_EQ(a.shared[i].lp_reference, b.shared[i].lp_reference);
    EXPECT_EQ(a.shared[i].swv_reference, b.shared[i].swv_reference);
    EXPECT_EQ(a.shared[i].differs, b.shared[i].differs);
  }
  NameMatchLists c = GenerateNameMatchLists(Spec(12));
  EXPECT_NE(a.leerplicht, c.leerplicht);
  EXPECT_NE(a.swv, c.swv);
  // The PGN-only generator is untouched by the new one (its pinned values
  // are in DeterministicForASeed above).
  EXPECT_EQ(GenerateList(1, 1, kToday)[0].name.full_name, "Sara de Boer");
}

TEST(NameMatchListsTest, SizesReferencesAndWhatEachSideHolds) {
  const NameMatchSpec spec = Spec(21);
  NameMatchLists lists = GenerateNameMatchLists(spec);
  ASSERT_EQ(lists.shared.size(), spec.shared);
  ASSERT_EQ(lists.decoys.size(), kDecoyKindCount * spec.decoys_per_kind);
  EXPECT_EQ(lists.lp_only_references.size(), spec.lp_only);
  EXPECT_EQ(lists.swv_only_references.size(), spec.swv_only);

  size_t decoy_lp = 0, decoy_swv = 0;
  std::map<DecoyKind, size_t> kinds;
  for (const DecoyCase& c : lists.decoys) {
    ++kinds[c.kind];
    decoy_lp += c.lp_references.size();
    decoy_swv += c.swv_references.size();
    if (c.expected) {
      EXPECT_EQ(*c.expected, Strength::kPossible);
      EXPECT_EQ(c.lp_references.size(), 1u) << DecoyKindName(c.kind);
      EXPECT_EQ(c.swv_references.size(), 1u) << DecoyKindName(c.kind);
    }
    EXPECT_EQ(c.lp_references.size() + c.swv_references.size(),
              c.kind == DecoyKind::kTwinOfShared ? 1u : 2u)
        << DecoyKindName(c.kind);
  }
  EXPECT_EQ(kinds.size(), kDecoyKindCount);
  for (const auto& [kind, n] : kinds) EXPECT_EQ(n, spec.decoys_per_kind) << DecoyKindName(kind);
  EXPECT_EQ(lists.leerplicht.size(), spec.shared + spec.lp_only + decoy_lp);
  EXPECT_EQ(lists.swv.size(), spec.shared + spec.swv_only + decoy_swv);

  // Every reference is on its list once, with its side's prefix, and the
  // ground truth names each record exactly once.
  std::map<std::string, size_t> lp = ByReference(lists.leerplicht);
  std::map<std::string, size_t> swv = ByReference(lists.swv);
  EXPECT_EQ(lp.size(), lists.leerplicht.size());
  EXPECT_EQ(swv.size(), lists.swv.size());
  std::multiset<std::string> named_lp, named_swv;
  for (const SharedChild& s : lists.shared) {
    named_lp.insert(s.lp_reference);
    named_swv.insert(s.swv_reference);
  }
  for (const DecoyCase& c : lists.decoys) {
    named_lp.insert(c.lp_references.begin(), c.lp_references.end());
    named_swv.insert(c.swv_references.begin(), c.swv_references.end());
  }
  named_lp.insert(lists.lp_only_references.begin(), lists.lp_only_references.end());
  named_swv.insert(lists.swv_only_references.begin(), lists.swv_only_references.end());
  std::multiset<std::string> all_lp, all_swv;
  for (const auto& [ref, i] : lp) all_lp.insert(ref);
  for (const auto& [ref, i] : swv) all_swv.insert(ref);
  EXPECT_EQ(named_lp, all_lp);
  EXPECT_EQ(named_swv, all_swv);

  std::set<std::string> bsns;
  for (const ListRow& row : lists.leerplicht) {
    EXPECT_TRUE(row.own_reference.starts_with("LPH-")) << row.own_reference;
    // The BRP's view: a valid BSN, official names, the prefix apart, a full
    // birth date, sex, no roepnaam.
    ASSERT_TRUE(row.identifier.has_value());
    EXPECT_EQ(row.identifier->type(), IdentifierType::kBsn);
    EXPECT_TRUE(IsValidBsn(row.identifier->digits()));
    bsns.insert(row.identifier->digits());
    ASSERT_TRUE(row.name.first_names.has_value());
    EXPECT_FALSE(row.name.roepnaam.has_value());
    EXPECT_FALSE(row.name.full_name.has_value());
    ASSERT_TRUE(row.name.surname.has_value());
    EXPECT_EQ(row.name.surname->find(','), std::string::npos);
    if (row.name.prefix) {
      EXPECT_FALSE(row.name.prefix->empty());
    }
    ASSERT_TRUE(row.birth_date.has_value());
    EXPECT_TRUE(row.birth_date->full());
    EXPECT_TRUE(row.sex.has_value());
    ASSERT_TRUE(ParseBrin(row.school_brin).has_value());
  }
  EXPECT_EQ(bsns.size(), lists.leerplicht.size());
  for (const ListRow& row : lists.swv) {
    EXPECT_TRUE(row.own_reference.starts_with("SVZ-")) << row.own_reference;
    EXPECT_FALSE(row.identifier.has_value()) << row.own_reference;  // no PGN, ever
    EXPECT_TRUE(IdentifiesChild(row)) << row.own_reference;
    EXPECT_TRUE(row.name.roepnaam.has_value());
    EXPECT_FALSE(row.name.full_name.has_value());
    ASSERT_TRUE(row.birth_date.has_value());
    ASSERT_TRUE(IsValidPartialDate(*row.birth_date));
    ASSERT_TRUE(ParseBrin(row.school_brin).has_value());
  }
}

// The heart of issue 8's fixtures, checked with the product's own
// normalisation: every shared child shares a name-dob key across the lists,
// no decoy does, and the pairs PROTOCOL.md 4.1 builds are exactly the ground
// truth's.
TEST(NameMatchListsTest, KeysLinkExactlyTheGroundTruth) {
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    NameMatchLists lists = GenerateNameMatchLists(Spec(seed, 60, 3));
    std::map<std::string, size_t> lp = ByReference(lists.leerplicht);
    std::map<std::string, size_t> swv = ByReference(lists.swv);
    auto lp_keys = [&](const std::string& ref) { return Keys(lists.leerplicht[lp.at(ref)]); };
    auto swv_keys = [&](const std::string& ref) { return Keys(lists.swv[swv.at(ref)]); };
    auto name_dob_shared = [](const MatchKeys& a, const MatchKeys& b) {
      for (size_t i : {1, 2}) {
        for (size_t j : {1, 2}) {
          if (a[i] && b[j] && *a[i] == *b[j]) return true;
        }
      }
      return false;
    };

    for (const SharedChild& s : lists.shared) {
      MatchKeys a = lp_keys(s.lp_reference), b = swv_keys(s.swv_reference);
      EXPECT_FALSE(a[0].has_value());  // allow_pgn = false: no PGN key at all
      EXPECT_TRUE(name_dob_shared(a, b))
          << s.lp_reference << " / " << s.swv_reference << ": " << a[1].value_or("-") << " vs "
          << b[1].value_or("-") << " / " << b[2].value_or("-");
    }
    for (const DecoyCase& c : lists.decoys) {
      for (const std::string& l : c.lp_references) {
        for (const std::string& s : c.swv_references) {
          EXPECT_FALSE(name_dob_shared(lp_keys(l), swv_keys(s))) << DecoyKindName(c.kind);
        }
      }
    }

    Pairs expected;
    for (const SharedChild& s : lists.shared) {
      expected[{s.lp_reference, s.swv_reference}] = Strength::kProbable;
    }
    for (const DecoyCase& c : lists.decoys) {
      if (c.expected) expected[{c.lp_references.at(0), c.swv_references.at(0)}] = *c.expected;
    }
    Pairs actual = ReferencePairs(lists.leerplicht, lists.swv);
    for (const auto& [refs, strength] : actual) {
      auto it = expected.find(refs);
      EXPECT_TRUE(it != expected.end() && it->second == strength)
          << refs.first << " / " << refs.second << " paired " << StrengthName(strength)
          << ", not in the ground truth";
    }
    for (const auto& [refs, strength] : expected) {
      EXPECT_TRUE(actual.contains(refs)) << refs.first << " / " << refs.second << " ("
                                         << StrengthName(strength) << ") are not paired";
    }

    // No certain or probable key is shared within one list: none is left out
    // as ambiguous (PROTOCOL.md 3.1), so no shared child is lost to it.
    for (const std::vector<ListRow>* rows : {&lists.leerplicht, &lists.swv}) {
      std::map<std::string, int> seen;
      for (const ListRow& row : *rows) {
        MatchKeys k = Keys(row);
        for (size_t slot : {1, 2}) {
          if (k[slot]) {
            EXPECT_EQ(++seen[*k[slot]], 1) << row.own_reference;
          }
        }
      }
    }
  }
}

TEST(NameMatchListsTest, DecoysAreWhatTheirKindSays) {
  NameMatchLists lists = GenerateNameMatchLists(Spec(31, 40, 4));
  std::map<std::string, size_t> lp = ByReference(lists.leerplicht);
  std::map<std::string, size_t> swv = ByReference(lists.swv);
  for (const DecoyCase& c : lists.decoys) {
    SCOPED_TRACE(std::string(DecoyKindName(c.kind)));
    if (c.kind == DecoyKind::kTwinOfShared) continue;  // checked through the pairs above
    const ListRow& l = lists.leerplicht[lp.at(c.lp_references.at(0))];
    const ListRow& s = lists.swv[swv.at(c.swv_references.at(0))];
    NormalisedName ln = NormaliseName(l.name), sn = NormaliseName(s.name);
    switch (c.kind) {
      case DecoyKind::kTwinAcross:
        EXPECT_EQ(ln.surname, sn.surname);
        EXPECT_EQ(l.birth_date, s.birth_date);
        EXPECT_NE(ln.given, sn.given);
        break;
      case DecoyKind::kNamesakeOtherYear:
        EXPECT_EQ(ln.surname, sn.surname);
        EXPECT_EQ(ln.given, sn.given);
        EXPECT_NE(l.birth_date->year, s.birth_date->year);
        break;
      case DecoyKind::kNamesakeSameYear:
        EXPECT_EQ(ln.surname, sn.surname);
        EXPECT_EQ(ln.given, sn.given);
        EXPECT_EQ(l.birth_date->year, s.birth_date->year);
        EXPECT_NE(l.birth_date, s.birth_date);
        break;
      case DecoyKind::kOtherFamily:
        EXPECT_NE(ln.surname, sn.surname);
        EXPECT_EQ(ln.given, sn.given);
        EXPECT_EQ(l.birth_date, s.birth_date);
        break;
      case DecoyKind::kPartialBirthDate:
        EXPECT_TRUE(c.same_child);
        EXPECT_EQ(ln.surname, sn.surname);
        EXPECT_EQ(ln.given, sn.given);
        EXPECT_FALSE(s.birth_date->full());
        EXPECT_EQ(s.birth_date->year, l.birth_date->year);
        break;
      case DecoyKind::kNoFirstName:
        EXPECT_TRUE(c.same_child);
        EXPECT_EQ(ln.surname, sn.surname);
        EXPECT_TRUE(l.name.first_names == "." || s.name.roepnaam == ".");
        EXPECT_TRUE(!ln.given || !sn.given);
        EXPECT_EQ(l.birth_date, s.birth_date);
        break;
      case DecoyKind::kTwinOfShared:
        break;
    }
  }
  // The two records of one child agree on their labels.
  for (const DecoyCase& c : lists.decoys) {
    if (!c.same_child) continue;
    const ListRow& l = lists.leerplicht[lp.at(c.lp_references.at(0))];
    const ListRow& s = lists.swv[swv.at(c.swv_references.at(0))];
    EXPECT_EQ(l.category, s.category);
    EXPECT_LE(std::abs(DaysBetween(l.since, s.since)), 21);
    EXPECT_EQ(l.plan_in_place, s.plan_in_place);
    EXPECT_EQ(l.school_brin.substr(0, 4), s.school_brin.substr(0, 4));
  }
  // Partial birth dates only where the ground truth expects "possible".
  std::set<std::string> partial_ok;
  for (const DecoyCase& c : lists.decoys) {
    if (c.kind == DecoyKind::kPartialBirthDate) partial_ok.insert(c.swv_references.at(0));
  }
  size_t month_known = 0, year_only = 0;
  for (const ListRow& row : lists.swv) {
    if (row.birth_date->full()) continue;
    EXPECT_TRUE(partial_ok.contains(row.own_reference)) << row.own_reference;
    (row.birth_date->month != 0 ? month_known : year_only)++;
  }
  EXPECT_GT(month_known, 0u);
  EXPECT_GT(year_only, 0u);
}

TEST(NameMatchListsTest, LabelDifferencesAreRecordedExactly) {
  NameMatchLists lists = GenerateNameMatchLists(Spec(41, 200, 1));
  std::map<std::string, size_t> lp = ByReference(lists.leerplicht);
  std::map<std::string, size_t> swv = ByReference(lists.swv);
  LabelDifferences seen;
  size_t agreeing = 0, vestiging_left_out = 0;
  for (const SharedChild& s : lists.shared) {
    const ListRow& l = lists.leerplicht[lp.at(s.lp_reference)];
    const ListRow& r = lists.swv[swv.at(s.swv_reference)];
    // The rules of node/exchange/report.h.
    EXPECT_EQ(s.differs.category, l.category != r.category);
    EXPECT_EQ(s.differs.since, std::abs(DaysBetween(l.since, r.since)) > 28);
    EXPECT_EQ(s.differs.plan, l.plan_in_place != r.plan_in_place);
    EXPECT_EQ(s.differs.school, l.school_brin.substr(0, 4) != r.school_brin.substr(0, 4));
    if (!s.differs.since) {
      EXPECT_LE(std::abs(DaysBetween(l.since, r.since)), 21);
    }
    vestiging_left_out += l.school_brin != r.school_brin && !s.differs.school;
    seen.category |= s.differs.category;
    seen.since |= s.differs.since;
    seen.plan |= s.differs.plan;
    seen.school |= s.differs.school;
    agreeing += !s.differs.any();
    for (const ListRow* row : {&l, &r}) {
      int age = DaysBetween(row->since, kToday);
      EXPECT_GE(age, 0);
      EXPECT_LE(age, 364);
    }
  }
  EXPECT_EQ(seen, (LabelDifferences{true, true, true, true}));
  EXPECT_GT(agreeing, 50u);
  EXPECT_GT(vestiging_left_out, 0u);
  // With four shared children, every kind still occurs.
  NameMatchLists small = GenerateNameMatchLists(Spec(42, 4, 1));
  LabelDifferences few;
  for (const SharedChild& s : small.shared) {
    few.category |= s.differs.category;
    few.since |= s.differs.since;
    few.plan |= s.differs.plan;
    few.school |= s.differs.school;
  }
  EXPECT_EQ(few, (LabelDifferences{true, true, true, true}));
}

// The SWV spells what the BRP holds in its own ways; each way occurs.
TEST(NameMatchListsTest, TheSwvSpellsNamesItsOwnWay) {
  NameMatchLists lists = GenerateNameMatchLists(Spec(51, 400, 1));
  std::map<std::string, size_t> lp = ByReference(lists.leerplicht);
  std::map<std::string, size_t> swv = ByReference(lists.swv);
  std::map<std::string, size_t> ways;
  auto has_non_ascii = [](const std::string& s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  };
  for (const SharedChild& s : lists.shared) {
    const ListRow& l = lists.leerplicht[lp.at(s.lp_reference)];
    const ListRow& r = lists.swv[swv.at(s.swv_reference)];
    const std::string& surname = *r.name.surname;
    const std::string first = l.name.first_names->substr(0, l.name.first_names->find(' '));
    if (l.name.prefix) {
      if (r.name.prefix && *r.name.prefix == *l.name.prefix) ++ways["prefix column"];
      if (r.name.prefix && *r.name.prefix != *l.name.prefix) ++ways["prefix column capitalised"];
      if (surname.find(',') != std::string::npos) ++ways["surname, prefix"];
      if (surname.starts_with("v.d. ")) ++ways["v.d."];
      if (!r.name.prefix && surname.starts_with(*l.name.prefix)) ++ways["prefix in surname"];
    }
    if (surname.find("  ") != std::string::npos) ++ways["doubled space"];
    if (l.name.surname->find('-') != std::string::npos && surname.find('-') == std::string::npos) {
      ++ways["hyphen as space"];
    }
    if (surname.size() > 3 &&
        std::none_of(surname.begin(), surname.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
      ++ways["capitals"];
    }
    if (has_non_ascii(*l.name.surname) && !has_non_ascii(surname))
      ++ways["surname without diacritics"];
    if (has_non_ascii(first) && !has_non_ascii(*r.name.roepnaam))
      ++ways["roepnaam without diacritics"];
    if (has_non_ascii(first) && *r.name.roepnaam == first) ++ways["roepnaam with diacritics"];
    if (r.name.first_names) ++ways["official names too"];
    if (l.name.first_names->find(' ') != std::string::npos) ++ways["several official names"];
  }
  for (const char* way :
       {"prefix column", "prefix column capitalised", "surname, prefix", "v.d.",
        "prefix in surname", "doubled space", "hyphen as space", "capitals",
        "surname without diacritics", "roepnaam without diacritics", "roepnaam with diacritics",
        "official names too", "several official names"}) {
    EXPECT_GT(ways[way], 0u) << way;
  }
}

TEST(NameMatchListsTest, CsvRoundTrips) {
  NameMatchLists lists = GenerateNameMatchLists(Spec(61));
  // WriteListCsv / ParseListCsv give back the same rows.
  ParsedList lp = ParseListCsv(WriteListCsv(lists.leerplicht));
  EXPECT_TRUE(lp.ok()) << (lp.problems.empty() ? "" : lp.problems[0].message);
  EXPECT_EQ(lp.rows, lists.leerplicht);
  const std::string swv_written = WriteListCsv(lists.swv);
  EXPECT_FALSE(swv_written.substr(0, swv_written.find('\n')).contains("bsn"));
  ParsedList swv = ParseListCsv(swv_written, ParseOptions{.allow_identifier = false});
  EXPECT_TRUE(swv.ok()) << (swv.problems.empty() ? "" : swv.problems[0].message);
  EXPECT_FALSE(swv.identifier_refused);
  EXPECT_EQ(swv.rows, lists.swv);

  // So do each system's own exports.
  ParsedList lp_own = ParseListCsv(lists.leerplicht_csv);
  for (const ImportProblem& p : lp_own.problems)
    ADD_FAILURE() << p.line << ": " << p.column << ": " << p.message;
  EXPECT_EQ(lp_own.rows, lists.leerplicht);
  EXPECT_EQ(lp_own.encoding, "utf-8-bom");
  ParsedList swv_own = ParseListCsv(lists.swv_csv, ParseOptions{.allow_identifier = false});
  for (const ImportProblem& p : swv_own.problems)
    ADD_FAILURE() << p.line << ": " << p.column << ": " << p.message;
  EXPECT_EQ(swv_own.rows, lists.swv);
  // Its dates are written in more than one way.
  EXPECT_NE(lists.swv_csv.find(";00-"), std::string::npos);
  size_t iso = 0;
  for (const ListRow& row : lists.swv) {
    if (row.birth_date->full())
      iso += lists.swv_csv.contains(";" + FormatIso(row.birth_date->date()) + ";");
  }
  EXPECT_GT(iso, 0u);

  // A node that may not hold a PGN refuses the leerplicht export by its column.
  ParsedList refused = ParseListCsv(lists.leerplicht_csv, ParseOptions{.allow_identifier = false});
  EXPECT_TRUE(refused.identifier_refused);
  EXPECT_TRUE(refused.rows.empty());
  ASSERT_EQ(refused.problems.size(), 1u);
  EXPECT_EQ(refused.problems[0].column, "BSN");
}

}  // namespace name_match

}  // namespace
}  // namespace inbeeld::schema
