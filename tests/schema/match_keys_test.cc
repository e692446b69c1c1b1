// Tests for schema/match_keys.h against its specification, docs/NORMALISATION.md:
// every conformance vector in tests/testdata/normalisation/vectors.json, the
// particle and placeholder lists as the document states them, and the
// malformed, oversized and hostile input the vectors cannot carry (JSON holds
// only valid Unicode).
#include "schema/match_keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "schema/identifier.h"
#include "schema/person.h"

namespace inbeeld::schema {
namespace {

using nlohmann::json;

const std::string kVectorsPath = INBEELD_TESTDATA_DIR "/normalisation/vectors.json";
const std::string kSpecPath = INBEELD_TESTDATA_DIR "/../../docs/NORMALISATION.md";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const json& Vectors() {
  static const json* vectors = new json(json::parse(ReadFile(kVectorsPath)));
  return *vectors;
}

std::optional<std::string> Opt(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<std::string>();
}

PersonName NameFrom(const json& j) {
  return PersonName{Opt(j, "first_names"), Opt(j, "roepnaam"), Opt(j, "initials"),
                    Opt(j, "prefix"),      Opt(j, "surname"),  Opt(j, "full_name")};
}

// The keys of a vector's record: {"pgn", "allow_pgn", "name", "birth_date"}.
MatchKeys KeysOf(const json& record) {
  std::optional<Identifier> pgn;
  if (std::optional<std::string> text = Opt(record, "pgn")) {
    Result<Identifier> id = Identifier::Parse(*text);
    EXPECT_TRUE(id.has_value()) << "vector PGN does not parse";
    if (id) pgn = *id;
  }
  std::optional<PartialDate> date;
  if (std::optional<std::string> text = Opt(record, "birth_date")) {
    Result<PartialDate> d = ParsePartialDate(*text);
    EXPECT_TRUE(d.has_value()) << "vector birth date does not parse: " << *text;
    if (d) date = *d;
  }
  bool allow_pgn = record.value("allow_pgn", true);
  return DeriveMatchKeys(pgn, NameFrom(record.at("name")), date, allow_pgn);
}

std::optional<PartialDate> DateOf(const json& record) {
  std::optional<std::string> text = Opt(record, "birth_date");
  if (!text) return std::nullopt;
  Result<PartialDate> d = ParsePartialDate(*text);
  if (!d) return std::nullopt;
  return *d;
}

std::string Kind(const std::string& key) { return key.substr(0, key.find('|')); }

std::string Show(const std::optional<std::string>& s) { return s ? '"' + *s + '"' : "null"; }

// ---------------------------------------------------------------------------
// The conformance vectors.

TEST(NormalisationVectors, ThereAreEnough) {
  const json& v = Vectors();
  size_t n =
      v.at("tokens").size() + v.at("names").size() + v.at("keys").size() + v.at("pairs").size();
  EXPECT_GE(n, 60u);
}

TEST(NormalisationVectors, Tokens) {
  for (const json& t : Vectors().at("tokens")) {
    SCOPED_TRACE(t.at("rule").get<std::string>());
    std::string in = t.at("in").get<std::string>();
    EXPECT_EQ(NormaliseToken(in), t.at("out").get<std::string>()) << in;
  }
}

TEST(NormalisationVectors, Names) {
  for (const json& t : Vectors().at("names")) {
    SCOPED_TRACE(t.at("rule").get<std::string>() + " " + t.at("name").dump());
    NormalisedName n = NormaliseName(NameFrom(t.at("name")));
    EXPECT_EQ(n.surname, Opt(t, "surname")) << Show(n.surname);
    EXPECT_EQ(n.given, Opt(t, "given")) << Show(n.given);
    EXPECT_EQ(n.roepnaam, Opt(t, "roepnaam")) << Show(n.roepnaam);
  }
}

TEST(NormalisationVectors, Keys) {
  for (const json& t : Vectors().at("keys")) {
    SCOPED_TRACE(t.at("rule").get<std::string>() + " " + t.at("name").dump());
    MatchKeys keys = KeysOf(t);
    const json& want = t.at("keys");
    ASSERT_EQ(want.size(), kSlotCount);
    for (size_t slot = 0; slot < kSlotCount; ++slot) {
      std::optional<std::string> w;
      if (!want[slot].is_null()) w = want[slot].get<std::string>();
      EXPECT_EQ(keys[slot], w) << "slot " << slot << ": " << Show(keys[slot]);
    }
    std::optional<std::string> identity = PersonIdentityKey(NameFrom(t.at("name")), DateOf(t));
    EXPECT_EQ(identity, Opt(t, "identity")) << Show(identity);
  }
}

TEST(NormalisationVectors, Pairs) {
  for (const json& t : Vectors().at("pairs")) {
    SCOPED_TRACE(t.at("rule").get<std::string>() + " " + t.at("a").dump() + " / " +
                 t.at("b").dump());
    MatchKeys a = KeysOf(t.at("a"));
    MatchKeys b = KeysOf(t.at("b"));
    std::set<std::string> shared_kinds;
    std::optional<Strength> strongest;
    for (size_t i = 0; i < kSlotCount; ++i) {
      for (size_t j = 0; j < kSlotCount; ++j) {
        if (a[i] && b[j] && *a[i] == *b[j]) {
          shared_kinds.insert(Kind(*a[i]));
          EXPECT_EQ(SlotStrength(i), SlotStrength(j)) << "one kind, one strength";
          if (!strongest || SlotStrength(i) < *strongest) strongest = SlotStrength(i);
        }
      }
    }
    if (std::optional<std::string> kind = Opt(t, "must_share")) {
      EXPECT_TRUE(shared_kinds.contains(*kind)) << "should share a " << *kind << " key";
    }
    if (t.contains("must_not_share")) {
      for (const json& kind : t.at("must_not_share")) {
        EXPECT_FALSE(shared_kinds.contains(kind.get<std::string>()))
            << "must not share a " << kind.get<std::string>() << " key";
      }
    }
    std::optional<std::string> want_strongest = Opt(t, "strongest");
    std::optional<std::string> got_strongest;
    if (strongest) got_strongest = std::string(StrengthName(*strongest));
    EXPECT_EQ(got_strongest, want_strongest) << Show(got_strongest);
  }
}

// Every listed particle vanishes wherever it stands; every listed
// non-particle stays, so its spellings agree (docs/NORMALISATION.md §4).
TEST(NormalisationVectors, ParticlesBehaveAsListed) {
  for (const json& p : Vectors().at("particles")) {
    std::string w = p.get<std::string>();
    SCOPED_TRACE(w);
    auto core = [](std::string surname) {
      PersonName n;
      n.surname = std::move(surname);
      return NormaliseName(n).surname;
    };
    EXPECT_EQ(core(w + " Berg"), "berg");
    EXPECT_EQ(core("Berg " + w), "berg");
    EXPECT_EQ(core("Jansen-" + w + " Berg"), "jansenberg");
    EXPECT_EQ(core("Berg, " + w), "berg");
    EXPECT_EQ(core(w), w) << "a particle-only surname keeps its word";
    PersonName full;
    full.full_name = "Anna " + w + " Berg";
    EXPECT_EQ(NormaliseName(full).surname, "berg");
    EXPECT_EQ(NormaliseName(full).given, "anna");
  }
  for (const json& p : Vectors().at("not_particles")) {
    std::string w = p.get<std::string>();
    SCOPED_TRACE(w);
    for (std::string spelling : {w + " Berg", w + "-Berg", w + "Berg", w + "'Berg"}) {
      PersonName n;
      n.surname = spelling;
      EXPECT_EQ(NormaliseName(n).surname, w + "berg") << spelling;
    }
    PersonName prefixed;
    prefixed.prefix = w;
    prefixed.surname = "Berg";
    EXPECT_EQ(NormaliseName(prefixed).surname, w + "berg");
  }
}

TEST(NormalisationVectors, PlaceholdersBehaveAsListed) {
  for (const json& p : Vectors().at("placeholders")) {
    std::string w = p.get<std::string>();
    SCOPED_TRACE(w);
    for (std::string spelling :
         {w, std::string(1, static_cast<char>(w[0] - 'a' + 'A')) + w.substr(1), " " + w + ". "}) {
      PersonName n;
      n.first_names = spelling;
      n.roepnaam = spelling;
      n.prefix = spelling;
      n.surname = spelling;
      EXPECT_EQ(NormaliseName(n), NormalisedName{}) << spelling;
      PersonName full;
      full.full_name = spelling;
      EXPECT_EQ(NormaliseName(full), NormalisedName{}) << spelling;
    }
  }
}

// The lists in the specification are the lists in the vectors (and so, by the
// tests above, the lists in the code).
std::vector<std::string> ListAfterMarker(const std::string& doc, std::string_view marker) {
  size_t at = doc.find(marker);
  if (at == std::string::npos) return {};
  size_t open = doc.find("```\n", at);
  size_t close = doc.find("```", open + 4);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::istringstream words(doc.substr(open + 4, close - open - 4));
  std::vector<std::string> out;
  for (std::string w; words >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> ListOf(const json& j) {
  std::vector<std::string> out;
  for (const json& w : j) out.push_back(w.get<std::string>());
  return out;
}

TEST(NormalisationSpec, ListsAgreeWithTheDocument) {
  std::string doc = ReadFile(kSpecPath);
  ASSERT_FALSE(doc.empty()) << kSpecPath;
  EXPECT_EQ(ListAfterMarker(doc, "<!-- particles:"), ListOf(Vectors().at("particles")));
  EXPECT_EQ(ListAfterMarker(doc, "<!-- placeholders:"), ListOf(Vectors().at("placeholders")));
  EXPECT_NE(doc.find(std::to_string(Vectors().at("particles").size()) + " (normalised"),
            std::string::npos)
      << "the document states how many particles there are";
}

// ---------------------------------------------------------------------------
// Slots and strengths.

TEST(MatchKeysTest, SlotsHaveTheirKindStrengthAndKeyType) {
  EXPECT_EQ(StrengthName(Strength::kCertain), "certain");
  EXPECT_EQ(StrengthName(Strength::kProbable), "probable");
  EXPECT_EQ(StrengthName(Strength::kPossible), "possible");
  const Strength strengths[kSlotCount] = {Strength::kCertain,  Strength::kProbable,
                                          Strength::kProbable, Strength::kPossible,
                                          Strength::kPossible, Strength::kPossible};
  const uint8_t types[kSlotCount] = {kKeyTypePgn,  kKeyTypeName, kKeyTypeName,
                                     kKeyTypeWeak, kKeyTypeWeak, kKeyTypeWeak};
  uint8_t all = 0;
  for (size_t slot = 0; slot < kSlotCount; ++slot) {
    EXPECT_EQ(SlotStrength(slot), strengths[slot]) << slot;
    EXPECT_EQ(SlotKeyType(slot), types[slot]) << slot;
    all = static_cast<uint8_t>(all | SlotKeyType(slot));
  }
  EXPECT_EQ(all, kAllKeyTypes);
}

TEST(MatchKeysTest, InvalidBirthDateCountsAsAbsent) {
  PersonName n;
  n.first_names = "Eva";
  n.surname = "Smit";
  for (PartialDate bad : {PartialDate{2014, 0, 5}, PartialDate{2014, 2, 30},
                          PartialDate{1800, 0, 0}, PartialDate{2014, 13, 0}}) {
    MatchKeys keys = DeriveMatchKeys(std::nullopt, n, bad);
    for (const auto& k : keys) EXPECT_FALSE(k.has_value());
    EXPECT_FALSE(PersonIdentityKey(n, bad).has_value());
  }
}

// ---------------------------------------------------------------------------
// Malformed, oversized and hostile input.

const std::vector<std::string> kInvalidUtf8 = {
    "\xFF",                  // never valid
    "Berg\xC3",              // truncated two-byte sequence
    "\xC3\x28",              // bad continuation
    "\xC0\xAF",              // overlong '/'
    "\xE0\x80\xAF",          // overlong, three bytes
    "\xED\xA0\x80",          // surrogate U+D800
    "\xF4\x90\x80\x80",      // above U+10FFFF
    "\xF8\x88\x80\x80\x80",  // five-byte form
    "Jan\x80sen",            // lone continuation byte
    "\xEF\xBB",              // truncated BOM
};

TEST(MatchKeysHostileTest, InvalidUtf8IsAbsent) {
  for (const std::string& bad : kInvalidUtf8) {
    EXPECT_EQ(NormaliseToken(bad), "");
    PersonName n;
    n.first_names = bad;
    n.roepnaam = bad;
    n.prefix = bad;
    n.surname = bad;
    EXPECT_EQ(NormaliseName(n), NormalisedName{});
    // An invalid column falls back as an absent one does.
    n.full_name = "Karel de Vries";
    NormalisedName fallback = NormaliseName(n);
    EXPECT_EQ(fallback.surname, "vries");
    EXPECT_EQ(fallback.given, "karel");
    EXPECT_EQ(fallback.roepnaam, std::nullopt);
  }
}

TEST(MatchKeysHostileTest, EmbeddedNulSeparatesLikeAControl) {
  EXPECT_EQ(NormaliseToken(std::string("Jan\0sen", 7)), "jansen");
  PersonName n;
  n.first_names = std::string("Jan\0Piet", 8);
  n.surname = "Berg";
  EXPECT_EQ(NormaliseName(n).given, "jan");
}

TEST(MatchKeysHostileTest, EmptyAndPlaceholderNamesGiveNoNameKeys) {
  Result<Identifier> pgn = Identifier::Parse("123456782");
  ASSERT_TRUE(pgn.has_value());
  PartialDate date{2014, 3, 5};
  for (std::string_view v : {"", " ", "\t\r\n", ".", "-", "?", "...", "--", "0", "\xC2\xA0",
                             "\xE2\x80\x8B", "N.N.", "Onbekend", "x"}) {
    PersonName n;
    n.first_names = std::string(v);
    n.roepnaam = std::string(v);
    n.prefix = std::string(v);
    n.surname = std::string(v);
    n.full_name = std::string(v);
    n.initials = "J.";
    MatchKeys keys = DeriveMatchKeys(*pgn, n, date);
    EXPECT_EQ(keys[0], "pgn|123456782");
    for (size_t slot = 1; slot < kSlotCount; ++slot) EXPECT_FALSE(keys[slot]) << slot;
    EXPECT_FALSE(PersonIdentityKey(n, date));
  }
  EXPECT_EQ(NormaliseName(PersonName{}), NormalisedName{});
}

TEST(MatchKeysHostileTest, FieldsUpTo4096BytesAreReadLongerOnesAreAbsent) {
  std::string at_limit(4096, 'a');
  EXPECT_EQ(NormaliseToken(at_limit), at_limit);
  EXPECT_EQ(NormaliseToken(at_limit + "a"), "");
  PersonName n;
  n.first_names = "Jan";
  n.surname = at_limit;
  EXPECT_EQ(NormaliseName(n).surname, at_limit);
  n.surname = at_limit + "a";
  n.full_name = "Karel de Vries";
  EXPECT_EQ(NormaliseName(n).surname, "vries") << "an oversized column falls back";
}

TEST(MatchKeysHostileTest, CombiningMarksDoNotBlowUp) {
  // 100,000 combining marks of mixed canonical classes: a naive canonical
  // reordering is quadratic in them. Over the field limit: absent at once.
  std::string many = "a";
  for (int i = 0; i < 100000; ++i)
    many += (i % 3 == 0 ? "\xCC\x81" : i % 3 == 1 ? "\xCC\x96" : "\xCC\xB4");
  EXPECT_EQ(NormaliseToken(many), "");
  // Within the limit they are folded away (utf8proc strips marks before it
  // reorders them).
  std::string within = "a" + many.substr(1, 4094);
  ASSERT_LE(within.size(), 4096u);
  EXPECT_EQ(NormaliseToken(within), "a");
  PersonName n;
  n.first_names = within;
  n.surname = within;
  n.roepnaam = within;
  n.full_name = within;
  NormalisedName got = NormaliseName(n);
  EXPECT_EQ(got.surname, "a");
  EXPECT_EQ(got.given, std::nullopt) << "one letter is initials";
  // Marks alone: no letters, a placeholder.
  EXPECT_EQ(NormaliseToken(many.substr(1, 4000)), "");
}

TEST(MatchKeysHostileTest, ManyTokensParticlesAndCommasStayLinear) {
  std::string particles;
  while (particles.size() < 4090) particles += "van ";
  std::string commas(4096, ',');
  std::string dots(4096, '.');
  std::string words;
  while (words.size() < 4090) words += "ab-";
  for (const std::string& s : {particles, commas, dots, words, particles + "Berg"}) {
    PersonName n;
    n.first_names = s;
    n.surname = s;
    n.full_name = s;
    n.roepnaam = s;
    NormalisedName got = NormaliseName(n);
    for (const auto& part : {got.surname, got.given, got.roepnaam}) {
      if (part) {
        EXPECT_FALSE(part->empty());
      }
    }
    PersonName full;
    full.full_name = s;
    (void)DeriveMatchKeys(std::nullopt, full, PartialDate{2014, 3, 5});
  }
  PersonName only_particles;
  only_particles.surname = particles;
  std::string expect;
  for (size_t i = 0; i < particles.size() / 4; ++i) expect += "van";
  EXPECT_EQ(NormaliseName(only_particles).surname, expect);
}

// Random names from an alphabet chosen to hit every rule (separators,
// particles, marks, placeholders, invalid bytes): whatever comes in, each part
// that comes out is one or more of a-z, and every key has its slot's shape.
TEST(MatchKeysHostileTest, RandomNamesGiveWellFormedKeys) {
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "é",
                                           "\xCC\x81",
                                           " ",
                                           "-",
                                           "'",
                                           "\xE2\x80\x99",
                                           ",",
                                           ".",
                                           "/",
                                           "van",
                                           "der",
                                           "d'",
                                           "'t",
                                           "v.d.",
                                           "Berg",
                                           "\xC4\xB1",
                                           "\xC3\x9F",
                                           "ĳ",
                                           "\t",
                                           "\xC2\xA0",
                                           "\xE2\x80\x8B",
                                           "x",
                                           "NN",
                                           "onbekend",
                                           "\xFF",
                                           "\xC3",
                                           "7",
                                           "\xD0\x98",
                                           "\xD9\x85",
                                           "El",
                                           "O'",
                                           "\xEF\xBC\xAA",
                                           std::string(1, '\0')};
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<size_t> piece(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 12);
  std::bernoulli_distribution present(0.7);
  auto field = [&]() -> std::optional<std::string> {
    if (!present(rng)) return std::nullopt;
    std::string s;
    for (int i = length(rng); i > 0; --i) s += pieces[piece(rng)];
    return s;
  };
  auto is_letters = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos;
  };
  for (int round = 0; round < 3000; ++round) {
    PersonName n{field(), field(), field(), field(), field(), field()};
    NormalisedName got = NormaliseName(n);
    for (const auto& part : {got.surname, got.given, got.roepnaam}) {
      if (part) {
        EXPECT_TRUE(is_letters(*part)) << *part;
      }
    }
    if (n.surname) {
      std::string once = NormaliseToken(*n.surname);
      EXPECT_EQ(NormaliseToken(once), once) << "NormaliseToken is idempotent";
      EXPECT_TRUE(once.empty() || is_letters(once));
    }
    MatchKeys keys = DeriveMatchKeys(std::nullopt, n, PartialDate{2014, 3, 5});
    const char* kinds[kSlotCount] = {"pgn",         "name-dob",  "name-dob",
                                     "surname-dob", "name-year", "name-year"};
    for (size_t slot = 1; slot < kSlotCount; ++slot) {
      if (!keys[slot]) continue;
      const std::string& k = *keys[slot];
      EXPECT_EQ(Kind(k), kinds[slot]);
      std::string date = slot <= 3 ? "2014-03-05" : "2014";
      EXPECT_TRUE(k.ends_with("|" + date)) << k;
      size_t bars = std::count(k.begin(), k.end(), '|');
      EXPECT_EQ(bars, slot == 3 ? 2u : 3u) << k;
    }
    if (keys[2]) {
      EXPECT_NE(keys[1], keys[2]) << "GIVEN2 differs from GIVEN1";
    }
  }
}

}  // namespace
}  // namespace inbeeld::schema
