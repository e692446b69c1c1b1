// schema/match_keys.h — the key family of a child: the strings that are
// hashed to the group and blinded in a PSI session (protocol v2).
//
// A child is matched not by one identifier but by a small, fixed family of
// keys, each of a *kind* with a *strength*. Two children whose records share a
// key of some kind are linked at that kind's strength; a pair of records takes
// the strongest kind they share. The rules that turn what partner systems hold
// (name parts in any spelling, a birth date that may be partial) into these
// keys are specified in docs/NORMALISATION.md, with conformance vectors in
// tests/testdata/normalisation/; this header is their code.
//
// The family has kSlotCount slots, always in this order:
//
//   slot  kind          strength  key string (all ASCII)
//   0     pgn           certain   "pgn|" 9 digits
//   1     name-dob      probable  "name-dob|" SURNAME "|" GIVEN1 "|" yyyy-mm-dd
//   2     name-dob      probable  "name-dob|" SURNAME "|" GIVEN2 "|" yyyy-mm-dd
//   3     surname-dob   possible  "surname-dob|" SURNAME "|" yyyy-mm-dd
//   4     name-year     possible  "name-year|" SURNAME "|" GIVEN1 "|" yyyy
//   5     name-year     possible  "name-year|" SURNAME "|" GIVEN2 "|" yyyy
//
// SURNAME is the normalised surname core (NormalisedName::surname), GIVEN1 the
// normalised first official given name (or, without official names, the
// roepnaam), GIVEN2 the normalised roepnaam when it differs from GIVEN1. A
// slot is empty (nullopt) when the record lacks what it needs: no PGN, no
// surname, no given name, no full birth date (slots 1–3), no birth year
// (slots 4–5), or a GIVEN2 equal to GIVEN1. The kind is the first word of the
// string, so keys of different kinds never collide, and the two name-dob (or
// name-year) slots of one side match either slot of the other: the official
// first name on one side meets the roepnaam on the other.
//
// Which kinds take part in a session is agreed per peer (a key-type mask,
// schema/wire.h): kKeyTypePgn covers slot 0, kKeyTypeName slots 1–2 and
// kKeyTypeWeak slots 3–5.
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_MATCH_KEYS_H_
#define INBEELD_SCHEMA_MATCH_KEYS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schema/identifier.h"
#include "schema/person.h"

namespace inbeeld::schema {

inline constexpr size_t kSlotCount = 6;

enum class Strength : uint8_t { kCertain = 0, kProbable = 1, kPossible = 2 };

// "certain", "probable", "possible".
constexpr std::string_view StrengthName(Strength strength) {
  switch (strength) {
    case Strength::kCertain:
      return "certain";
    case Strength::kProbable:
      return "probable";
    case Strength::kPossible:
      return "possible";
  }
  return "possible";
}

// The strength of a slot's kind. REQUIRES: slot < kSlotCount.
constexpr Strength SlotStrength(size_t slot) {
  return slot == 0 ? Strength::kCertain : slot <= 2 ? Strength::kProbable : Strength::kPossible;
}

// Key-type bits, as carried on the wire (the key mask).
inline constexpr uint8_t kKeyTypePgn = 1;   // slot 0
inline constexpr uint8_t kKeyTypeName = 2;  // slots 1, 2
inline constexpr uint8_t kKeyTypeWeak = 4;  // slots 3, 4, 5
inline constexpr uint8_t kAllKeyTypes = 7;

// The key-type bit a slot belongs to. REQUIRES: slot < kSlotCount.
constexpr uint8_t SlotKeyType(size_t slot) {
  return slot == 0 ? kKeyTypePgn : slot <= 2 ? kKeyTypeName : kKeyTypeWeak;
}

using MatchKeys = std::array<std::optional<std::string>, kSlotCount>;

// A name normalised for matching (docs/NORMALISATION.md): each part only
// [a-z], no spaces; empty parts are absent.
struct NormalisedName {
  std::optional<std::string> surname;   // surname core: particles removed, parts joined
  std::optional<std::string> given;     // first official given name, else the roepnaam
  std::optional<std::string> roepnaam;  // the roepnaam, when present

  bool operator==(const NormalisedName&) const = default;
};

// One name part for matching (docs/NORMALISATION.md §2): Unicode full case
// folding and compatibility decomposition (NFKD), combining marks (the
// diacritics) and default-ignorable code points removed, letters without a
// decomposition mapped (ı→i, ø→o, ł→l, đ/ð→d, þ→th, æ→ae, œ→oe, ß→ss, ĳ→ij,
// ħ→h, ŧ→t), then every character that is not a-z removed. So "Zoë Öztürk"
// gives "zoeozturk": particles are NormaliseName's business, not this one's.
// Invalid UTF-8 and text longer than 4096 bytes yield "" (the importer has
// already refused such text). Linear in the input.
std::string NormaliseToken(std::string_view text);

// Splits and normalises a name as docs/NORMALISATION.md specifies: the
// surname with its prefix (also "Berg, van der" and a combined full name),
// particles (van, der, de, …) removed wherever they stand, hyphens and spaces
// in double surnames ignored; the first official given name; the roepnaam.
// Placeholders such as "." or "onbekend", initials ("J.P.") and fields that
// are not valid UTF-8 or longer than 4096 bytes count as absent. The
// `initials` field is never used.
NormalisedName NormaliseName(const PersonName& name);

// The key family of one record. `allow_pgn` false leaves slot 0 empty (a node
// that may not use its PGN towards a peer never even derives the key). A
// birth date that is not IsValidPartialDate counts as absent.
MatchKeys DeriveMatchKeys(const std::optional<Identifier>& pgn, const PersonName& name,
                          const std::optional<PartialDate>& birth_date, bool allow_pgn = true);

// A stable string naming the child for the node's own pseudonym (the subject)
// when it has no PGN: the slot-1 key if present, else slot 3, else slot 4;
// nullopt when none of these exists (the record cannot be matched by name).
std::optional<std::string> PersonIdentityKey(const PersonName& name,
                                             const std::optional<PartialDate>& birth_date);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_MATCH_KEYS_H_
