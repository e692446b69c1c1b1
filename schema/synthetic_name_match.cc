// GenerateNameMatchLists (schema/synthetic.h): a leerplicht list and an SWV
// list of one region, spelled as each partner's system spells them, with
// decoys and the ground truth.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "schema/date.h"
#include "schema/match_keys.h"
#include "schema/person.h"
#include "schema/synthetic.h"
#include "schema/synthetic_draws.h"
#include "schema/synthetic_names.h"

namespace inbeeld::schema {
namespace {

using synthetic_draws::Below;
using synthetic_draws::Chance;
using synthetic_draws::DrawCategory;
using synthetic_draws::DrawSchools;
using synthetic_draws::kCategories;
using synthetic_draws::MustParse;
using synthetic_draws::Pick;
using synthetic_draws::Reference;
namespace names = synthetic_names;

// A child as the region knows it, spelled as the BRP spells it.
struct Person {
  std::vector<std::string> given;  // official names, in order; at least one
  std::string prefix;              // tussenvoegsel, or ""
  std::string surname;
  Date birth;
  Sex sex = Sex::kFemale;
};

// The labels of one record.
struct Labels {
  Category category = Category::kRelatiefVerzuim;
  int64_t since_days = 0;
  std::string school;
  bool plan = false;
};

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out.push_back(' ');
    out.append(part);
  }
  return out;
}

// Applies `table` (multi-byte letters) and `ascii` (to every ASCII byte).
// Table entries start with a UTF-8 lead byte, so a match is always at a
// character boundary.
template <size_t N>
std::string Respell(std::string_view text, const std::array<names::Spelling, N>& table,
                    char (*ascii)(char)) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    for (const names::Spelling& s : table) {
      if (text.substr(i).starts_with(s.from)) {
        out.append(s.to);
        i += s.from.size();
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    unsigned char c = static_cast<unsigned char>(text[i]);
    out.push_back(c < 0x80 && ascii != nullptr ? ascii(text[i]) : text[i]);
    ++i;
  }
  return out;
}

char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string WithoutDiacritics(std::string_view text) {
  return Respell(text, names::kWithoutDiacritics, nullptr);
}
std::string Capitals(std::string_view text) { return Respell(text, names::kCapitals, AsciiUpper); }
std::string LowerCase(std::string_view text) {
  return Respell(text, names::kLowerCase, AsciiLower);
}

// "Van der", "'T" (the first ASCII letter capitalised).
std::string Capitalised(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      c = AsciiUpper(c);
      break;
    }
  }
  return out;
}

// One space doubled, as a hurried typist leaves it.
std::string StraySpace(std::string text, Rng& rng) {
  std::vector<size_t> spaces;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') spaces.push_back(i);
  }
  if (!spaces.empty()) text.insert(spaces[Below(rng, spaces.size())], " ");
  return text;
}

// How the SWV's system spells a given name: usually as the BRP does, else
// without diacritics, in capitals or in lower case.
std::string SwvGivenName(std::string_view name, Rng& rng) {
  uint64_t r = Below(rng, 100);
  if (r < 55) return std::string(name);
  if (r < 85) return WithoutDiacritics(name);
  if (r < 95) return Capitals(name);
  return LowerCase(name);
}

struct SwvSurname {
  std::optional<std::string> prefix;
  std::string surname;
};

// How the SWV's system spells a surname: the tussenvoegsel in its own column
// or written into the surname in one of the ways Dutch systems do; hyphens
// and spaces of a double surname swapped; diacritics dropped; capitals; a
// doubled space.
SwvSurname SwvSurnameOf(const Person& p, Rng& rng) {
  SwvSurname out;
  std::string name = p.surname;
  if (name.find('-') != std::string::npos && Chance(rng, 0.5)) {
    std::replace(name.begin(), name.end(), '-', ' ');  // "Jansen de Vries"
  } else if (name.find(' ') != std::string::npos && Chance(rng, 0.3)) {
    std::replace(name.begin(), name.end(), ' ', '-');  // "El-Amrani", "Tjon-A-Fong"
  }
  if (Chance(rng, 0.35)) name = WithoutDiacritics(name);
  if (p.prefix.empty()) {
    uint64_t r = Below(rng, 100);
    if (r < 12) {
      name = Capitals(name);
    } else if (r < 16) {
      name = LowerCase(name);
    }
    out.surname = Chance(rng, 0.1) ? StraySpace(name, rng) : name;
    return out;
  }
  const std::string& prefix = p.prefix;
  const bool abbreviable = prefix == "van der" || prefix == "van den" || prefix == "van de";
  switch (Below(rng, abbreviable ? 7 : 6)) {
    case 0:  // the BRP's own columns
      out.prefix = prefix;
      out.surname = name;
      break;
    case 1:  // prefix column capitalised: "Van der" + "Berg"
      out.prefix = Capitalised(prefix);
      out.surname = name;
      break;
    case 2:  // "Berg, van der"
      out.surname = name + ", " + prefix;
      break;
    case 3:  // "VAN DER BERG"
      out.surname = Capitals(prefix + " " + name);
      break;
    case 4:  // "van der Berg" in the surname column
      out.surname = prefix + " " + name;
      break;
    case 5:  // "Berg van der"
      out.surname = name + " " + prefix;
      break;
    default:  // "v.d. Berg"
      out.surname = "v.d. " + name;
      break;
  }
  if (Chance(rng, 0.1)) out.surname = StraySpace(out.surname, rng);
  return out;
}

PersonName LeerplichtName(const Person& p) {
  PersonName name;
  name.first_names = Join(p.given);
  if (!p.prefix.empty()) name.prefix = p.prefix;
  name.surname = p.surname;
  return name;
}

int64_t Clamp(int64_t days, int64_t low, int64_t high) { return std::clamp(days, low, high); }

// The BRIN's first four characters: a school without its vestiging.
std::string_view BrinRoot(std::string_view brin) { return brin.substr(0, 4); }

// A CSV field as a spreadsheet writes it: quoted only when it must be.
void AppendCsvField(std::string& out, std::string_view value) {
  if (value.find_first_of(";\"\r\n") == std::string_view::npos) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCsvLine(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(';');
    AppendCsvField(out, fields[i]);
  }
  out.append("\r\n");
}

std::string Or(const std::optional<std::string>& value) { return value.value_or(""); }

// "5-3-2014": day and month without leading zeros.
std::string UnpaddedDutch(const Date& d) {
  return std::to_string(d.day) + "-" + std::to_string(d.month) + "-" + std::to_string(d.year);
}

// As a municipal system fed by the BRP exports its list.
std::string LeerplichtCsv(const std::vector<ListRow>& rows) {
  std::string out = "\xEF\xBB\xBF";
  AppendCsvLine(out, {"BSN", "Geslachtsnaam", "Voorvoegsel", "Voornamen", "Geboortedatum",
                      "Geslacht", "Soort verzuim", "Verzuim sinds", "BRIN", "Aanbod", "Kenmerk"});
  for (const ListRow& row : rows) {
    AppendCsvLine(out, {row.identifier ? row.identifier->digits() : "", Or(row.name.surname),
                        Or(row.name.prefix), Or(row.name.first_names),
                        row.birth_date ? FormatPartialDutch(*row.birth_date) : "",
                        row.sex ? std::string(SexCode(*row.sex)) : "",
                        std::string(CategoryLabel(row.category)), FormatDutch(row.since),
                        row.school_brin, row.plan_in_place ? "ja" : "nee", row.own_reference});
  }
  return out;
}

// As an SWV's own system exports its list: other headers, no PGN, dates and
// words written as its users typed them, stray spaces around some fields.
std::string SwvCsv(const std::vector<ListRow>& rows, Rng& rng) {
  std::string out;
  out.append(
      "Dossiernummer;Achternaam;Tussenvoegsel;Roepnaam;Voornamen;Geb.datum;Geslacht;Categorie;"
      "Startdatum;Brincode;Plan aanwezig\r\n");
  auto birth_text = [&rng](const PartialDate& d) -> std::string {
    if (d.full()) {
      switch (Below(rng, 3)) {
        case 0:
          return FormatDutch(d.date());
        case 1:
          return FormatIso(d.date());
        default:
          return UnpaddedDutch(d.date());
      }
    }
    std::string year = std::to_string(d.year);
    if (d.month != 0)
      return std::string("00-") + (d.month < 10 ? "0" : "") + std::to_string(d.month) + "-" + year;
    return Chance(rng, 0.5) ? year : "00-00-" + year;
  };
  auto sex_text = [&rng](const std::optional<Sex>& sex) -> std::string {
    if (!sex) return "";
    if (Chance(rng, 0.5)) return std::string(SexCode(*sex));
    return *sex == Sex::kMale ? "jongen" : *sex == Sex::kFemale ? "meisje" : "x";
  };
  auto category_text = [&rng](Category c) -> std::string {
    switch (Below(rng, 3)) {
      case 0:
        return std::string(CategoryName(c));  // "relatief_verzuim"
      case 1:
        return Capitalised(CategoryLabel(c));  // "Relatief verzuim"
      default:
        return std::string(CategoryLabel(c));
    }
  };
  for (const ListRow& row : rows) {
    std::vector<std::string> fields = {
        row.own_reference,
        Or(row.name.surname),
        Or(row.name.prefix),
        Or(row.name.roepnaam),
        Or(row.name.first_names),
        row.birth_date ? birth_text(*row.birth_date) : "",
        sex_text(row.sex),
        category_text(row.category),
        Chance(rng, 0.5) ? FormatDutch(row.since) : FormatIso(row.since),
        Chance(rng, 0.2) ? LowerCase(row.school_brin) : row.school_brin,
        row.plan_in_place ? (Chance(rng, 0.5) ? "Ja" : "j") : (Chance(rng, 0.5) ? "Nee" : "n")};
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out.push_back(';');
      // A stray space around an unquoted field: importers trim it.
      const bool stray =
          fields[i].find_first_of(";\"\r\n") == std::string::npos && Chance(rng, 0.05);
      if (stray) out.push_back(' ');
      AppendCsvField(out, fields[i]);
      if (stray) out.push_back(' ');
    }
    out.append("\r\n");
  }
  return out;
}

class NameMatchGenerator {
 public:
  explicit NameMatchGenerator(const NameMatchSpec& spec)
      : spec_(spec),
        rng_(spec.seed),
        today_days_(DaysSinceEpoch(spec.today)),
        schools_(DrawSchools(rng_)) {}

  NameMatchLists Generate();

 private:
  // Where a record's reference goes in the ground truth.
  enum class Sink { kShared, kDecoy, kOnly };
  struct Record {
    ListRow row;
    Sink sink;
    size_t index;  // into shared or decoys
  };

  // A new child none of whose name keys (as the leerplicht list spells it)
  // any earlier child has.
  Person NewPerson();
  // `base` with other official names (a twin, the same surname and birth date).
  Person Twin(const Person& base);
  // Draws until `p` shares no key of `slots` with an earlier child; `redraw`
  // changes p. Then registers every key of p.
  template <typename Redraw>
  Person Fresh(Person p, std::initializer_list<size_t> slots, Redraw redraw);
  MatchKeys KeysOf(const Person& p) const {
    return DeriveMatchKeys(std::nullopt, LeerplichtName(p), PartialDate::FromDate(p.birth));
  }
  bool IsFresh(const MatchKeys& keys, std::initializer_list<size_t> slots) const;
  void Register(const MatchKeys& keys);

  std::vector<std::string> DrawGivenNames(const names::Community& c, Sex sex, size_t n);
  const names::Community& DrawCommunity();
  Date DrawBirthDate();
  Labels DrawLabels();
  // The SWV's labels for a child whose leerplicht labels are `lp`.
  Labels SwvLabels(const Labels& lp, const LabelDifferences& differs);

  ListRow LeerplichtRow(const Person& p, const Labels& labels);
  // `birth` overrides the full birth date (kPartialBirthDate); `no_first_name`
  // writes "." as the roepnaam.
  ListRow SwvRow(const Person& p, const Labels& labels, std::optional<PartialDate> birth = {},
                 bool no_first_name = false);
  ListRow WithLabels(ListRow row, const Labels& labels) const;

  void AddLp(ListRow row, Sink sink, size_t index) {
    lp_.push_back(Record{std::move(row), sink, index});
  }
  void AddSwv(ListRow row, Sink sink, size_t index) {
    swv_.push_back(Record{std::move(row), sink, index});
  }
  // Shuffles, numbers the references and fills the ground truth.
  std::vector<ListRow> Finish(std::vector<Record>& records, const std::string& prefix, bool lp,
                              NameMatchLists& out);

  const NameMatchSpec& spec_;
  Rng rng_;
  int64_t today_days_;
  std::vector<std::string> schools_;
  std::unordered_set<uint32_t> used_bsns_;
  std::unordered_set<std::string> keys_;
  std::vector<Record> lp_, swv_;
};

const names::Community& NameMatchGenerator::DrawCommunity() {
  int r = static_cast<int>(Below(rng_, 100));
  for (size_t i = 0; i < names::kCommunities.size(); ++i) {
    if (r < names::kCommunityWeights[i]) return names::kCommunities[i];
    r -= names::kCommunityWeights[i];
  }
  return names::kCommunities[0];
}

std::vector<std::string> NameMatchGenerator::DrawGivenNames(const names::Community& c, Sex sex,
                                                            size_t n) {
  std::vector<std::string> given;
  while (given.size() < n) {
    // Mostly names of the surname's community; now and then another's.
    const names::Community& from = Chance(rng_, 0.8) ? c : DrawCommunity();
    std::span<const std::string_view> pool = sex == Sex::kMale ? from.boys : from.girls;
    std::string name(pool[Below(rng_, pool.size())]);
    if (std::find(given.begin(), given.end(), name) == given.end()) given.push_back(name);
  }
  return given;
}

Date NameMatchGenerator::DrawBirthDate() {
  // Ages 5 to 17, as GenerateRegion.
  int64_t age_days = 1827 + static_cast<int64_t>(Below(rng_, 6573 - 1827));
  return FromDaysSinceEpoch(today_days_ - age_days);
}

Person NameMatchGenerator::NewPerson() {
  auto draw = [this](Person& p) {
    const names::Community& c = DrawCommunity();
    const names::Surname& s = c.surnames[Below(rng_, c.surnames.size())];
    p.sex = Chance(rng_, 0.5) ? Sex::kMale : Sex::kFemale;
    // 1 to 3 official names; Dutch children more often have several.
    size_t n = 1 + Below(rng_, c.label == "Dutch" ? 3 : 2);
    p.given = DrawGivenNames(c, p.sex, n);
    p.prefix = std::string(s.prefix);
    p.surname = std::string(s.name);
    p.birth = DrawBirthDate();
  };
  Person p;
  draw(p);
  return Fresh(std::move(p), {1, 2, 3, 4, 5}, draw);
}

Person NameMatchGenerator::Twin(const Person& base) {
  // Fresh() refuses the sibling's first name (its slot-1 key is taken): twins
  // who share it are the documented limit of docs/NORMALISATION.md §9, not a
  // decoy.
  auto draw = [this](Person& p) {
    p.sex = Chance(rng_, 0.5) ? Sex::kMale : Sex::kFemale;
    const names::Community& c = DrawCommunity();
    p.given = DrawGivenNames(c, p.sex, 1 + Below(rng_, 2));
  };
  Person p = base;
  draw(p);
  return Fresh(std::move(p), {1, 4}, draw);
}

template <typename Redraw>
Person NameMatchGenerator::Fresh(Person p, std::initializer_list<size_t> slots, Redraw redraw) {
  for (int attempt = 0; attempt < 100'000; ++attempt) {
    MatchKeys keys = KeysOf(p);
    if (IsFresh(keys, slots)) {
      Register(keys);
      return p;
    }
    redraw(p);
  }
  std::abort();  // the built-in names are exhausted: a spec far too large
}

bool NameMatchGenerator::IsFresh(const MatchKeys& keys, std::initializer_list<size_t> slots) const {
  for (size_t slot : slots) {
    if (keys[slot] && keys_.contains(*keys[slot])) return false;
  }
  // Slot 1 is what every test relies on: a child without it is not a child
  // the lists can be built from.
  return keys[1].has_value();
}

void NameMatchGenerator::Register(const MatchKeys& keys) {
  for (size_t slot = 1; slot < kSlotCount; ++slot) {
    if (keys[slot]) keys_.insert(*keys[slot]);
  }
}

Labels NameMatchGenerator::DrawLabels() {
  return Labels{.category = DrawCategory(rng_),
                .since_days = today_days_ - static_cast<int64_t>(Below(rng_, 365)),
                .school = schools_[Below(rng_, schools_.size())],
                .plan = Chance(rng_, 0.5)};
}

Labels NameMatchGenerator::SwvLabels(const Labels& lp, const LabelDifferences& differs) {
  Labels swv = lp;
  if (differs.category) {
    do {
      swv.category = Pick(rng_, kCategories);
    } while (swv.category == lp.category);
  }
  const int64_t earliest = today_days_ - 364;
  if (differs.since) {
    // 29 to 120 days apart, within the year both lists cover.
    int64_t delta = 29 + static_cast<int64_t>(Below(rng_, 92));
    swv.since_days =
        lp.since_days - delta >= earliest ? lp.since_days - delta : lp.since_days + delta;
  } else {
    swv.since_days =
        Clamp(lp.since_days + static_cast<int64_t>(Below(rng_, 43)) - 21, earliest, today_days_);
  }
  if (differs.plan) swv.plan = !lp.plan;
  if (differs.school) {
    do {
      swv.school = schools_[Below(rng_, schools_.size())];
    } while (BrinRoot(swv.school) == BrinRoot(lp.school));
  } else if (lp.school.size() == 6 && Chance(rng_, 0.3)) {
    swv.school = lp.school.substr(0, 4);  // the same school, without its vestiging
  }
  return swv;
}

ListRow NameMatchGenerator::WithLabels(ListRow row, const Labels& labels) const {
  row.category = labels.category;
  row.since = FromDaysSinceEpoch(labels.since_days);
  row.school_brin = labels.school;
  row.plan_in_place = labels.plan;
  return row;
}

ListRow NameMatchGenerator::LeerplichtRow(const Person& p, const Labels& labels) {
  std::string digits;
  do {
    digits = GenerateBsn(rng_);
  } while (!used_bsns_.insert(static_cast<uint32_t>(std::stoul(digits))).second);
  ListRow row;
  row.identifier = MustParse(digits);
  row.name = LeerplichtName(p);
  row.birth_date = PartialDate::FromDate(p.birth);
  row.sex = p.sex;
  return WithLabels(std::move(row), labels);
}

ListRow NameMatchGenerator::SwvRow(const Person& p, const Labels& labels,
                                   std::optional<PartialDate> birth, bool no_first_name) {
  ListRow row;
  if (no_first_name) {
    row.name.roepnaam = ".";
  } else {
    row.name.roepnaam = SwvGivenName(p.given[0], rng_);
    if (Chance(rng_, 0.3)) row.name.first_names = SwvGivenName(Join(p.given), rng_);
  }
  SwvSurname surname = SwvSurnameOf(p, rng_);
  row.name.prefix = std::move(surname.prefix);
  row.name.surname = std::move(surname.surname);
  row.birth_date = birth ? *birth : PartialDate::FromDate(p.birth);
  if (Chance(rng_, 0.7)) row.sex = p.sex;
  return WithLabels(std::move(row), labels);
}

std::vector<ListRow> NameMatchGenerator::Finish(std::vector<Record>& records,
                                                const std::string& prefix, bool lp,
                                                NameMatchLists& out) {
  // Fisher–Yates with our own draws, as GenerateRegion.
  for (size_t i = records.size(); i > 1; --i) std::swap(records[i - 1], records[Below(rng_, i)]);
  std::vector<ListRow> rows;
  rows.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    Record& r = records[i];
    r.row.own_reference = Reference(prefix, i + 1);
    switch (r.sink) {
      case Sink::kShared:
        (lp ? out.shared[r.index].lp_reference : out.shared[r.index].swv_reference) =
            r.row.own_reference;
        break;
      case Sink::kDecoy:
        (lp ? out.decoys[r.index].lp_references : out.decoys[r.index].swv_references)
            .push_back(r.row.own_reference);
        break;
      case Sink::kOnly:
        (lp ? out.lp_only_references : out.swv_only_references).push_back(r.row.own_reference);
        break;
    }
    rows.push_back(std::move(r.row));
  }
  return rows;
}

NameMatchLists NameMatchGenerator::Generate() {
  NameMatchLists out;

  // Children on both lists, each kind of label disagreement at least once.
  std::vector<Person> shared_people;
  for (size_t i = 0; i < spec_.shared; ++i) {
    Person p = NewPerson();
    LabelDifferences differs{.category = i == 0 || Chance(rng_, 0.15),
                             .since = i == 1 || Chance(rng_, 0.2),
                             .plan = i == 2 || Chance(rng_, 0.15),
                             .school = i == 3 || Chance(rng_, 0.1)};
    Labels lp = DrawLabels();
    Labels swv = SwvLabels(lp, differs);
    out.shared.push_back(SharedChild{.lp_reference = "", .swv_reference = "", .differs = differs});
    AddLp(LeerplichtRow(p, lp), Sink::kShared, i);
    AddSwv(SwvRow(p, swv), Sink::kShared, i);
    shared_people.push_back(std::move(p));
  }

  // Decoys, by kind; n alternates the variant of a kind.
  for (size_t k = 0; k < kDecoyKindCount; ++k) {
    const auto kind = static_cast<DecoyKind>(k);
    for (size_t n = 0; n < spec_.decoys_per_kind; ++n) {
      const size_t index = out.decoys.size();
      DecoyCase c{.kind = kind,
                  .lp_references = {},
                  .swv_references = {},
                  .expected = std::nullopt,
                  .same_child = false};
      switch (kind) {
        case DecoyKind::kTwinAcross: {
          Person a = NewPerson();
          Person b = Twin(a);
          AddLp(LeerplichtRow(a, DrawLabels()), Sink::kDecoy, index);
          AddSwv(SwvRow(b, DrawLabels()), Sink::kDecoy, index);
          c.expected = Strength::kPossible;
          break;
        }
        case DecoyKind::kTwinOfShared: {
          if (n >= shared_people.size()) continue;  // no sibling to have
          Person twin = Twin(shared_people[n]);
          if (n % 2 == 0) {
            AddLp(LeerplichtRow(twin, DrawLabels()), Sink::kDecoy, index);
          } else {
            AddSwv(SwvRow(twin, DrawLabels()), Sink::kDecoy, index);
          }
          break;
        }
        case DecoyKind::kNamesakeOtherYear: {
          Person a = NewPerson();
          Person b = Fresh(a, {1, 2, 3, 4, 5}, [this, &a](Person& p) {
            do {
              p.birth = DrawBirthDate();
            } while (p.birth.year == a.birth.year);
          });
          AddLp(LeerplichtRow(a, DrawLabels()), Sink::kDecoy, index);
          AddSwv(SwvRow(b, DrawLabels()), Sink::kDecoy, index);
          break;
        }
        case DecoyKind::kNamesakeSameYear: {
          Person a = NewPerson();
          Person b = Fresh(a, {1, 2, 3}, [this, &a](Person& p) {
            const int64_t first = DaysSinceEpoch(Date{a.birth.year, 1, 1});
            const int64_t days = DaysSinceEpoch(Date{a.birth.year, 12, 31}) - first + 1;
            p.birth = FromDaysSinceEpoch(first + static_cast<int64_t>(Below(rng_, days)));
          });
          AddLp(LeerplichtRow(a, DrawLabels()), Sink::kDecoy, index);
          AddSwv(SwvRow(b, DrawLabels()), Sink::kDecoy, index);
          c.expected = Strength::kPossible;
          break;
        }
        case DecoyKind::kOtherFamily: {
          Person a = NewPerson();
          Person b = Fresh(a, {1, 2, 3, 4, 5}, [this](Person& p) {
            const names::Community& community = DrawCommunity();
            const names::Surname& s = community.surnames[Below(rng_, community.surnames.size())];
            p.prefix = std::string(s.prefix);
            p.surname = std::string(s.name);
          });
          AddLp(LeerplichtRow(a, DrawLabels()), Sink::kDecoy, index);
          AddSwv(SwvRow(b, DrawLabels()), Sink::kDecoy, index);
          break;
        }
        case DecoyKind::kPartialBirthDate: {
          Person p = NewPerson();
          PartialDate partial{p.birth.year, n % 2 == 0 ? p.birth.month : 0, 0};
          // One child: both partners' labels mostly agree, as for a shared child.
          const Labels labels = DrawLabels();
          AddLp(LeerplichtRow(p, labels), Sink::kDecoy, index);
          AddSwv(SwvRow(p, SwvLabels(labels, {}), partial), Sink::kDecoy, index);
          c.expected = Strength::kPossible;
          c.same_child = true;
          break;
        }
        case DecoyKind::kNoFirstName: {
          Person p = NewPerson();
          const Labels labels = DrawLabels();
          ListRow lp = LeerplichtRow(p, labels);
          if (n % 2 == 0) lp.name.first_names = ".";
          AddLp(std::move(lp), Sink::kDecoy, index);
          AddSwv(SwvRow(p, SwvLabels(labels, {}), std::nullopt, /*no_first_name=*/n % 2 == 1),
                 Sink::kDecoy, index);
          c.expected = Strength::kPossible;
          c.same_child = true;
          break;
        }
      }
      out.decoys.push_back(std::move(c));
    }
  }

  for (size_t i = 0; i < spec_.lp_only; ++i) {
    AddLp(LeerplichtRow(NewPerson(), DrawLabels()), Sink::kOnly, 0);
  }
  for (size_t i = 0; i < spec_.swv_only; ++i) {
    AddSwv(SwvRow(NewPerson(), DrawLabels()), Sink::kOnly, 0);
  }

  out.leerplicht = Finish(lp_, spec_.lp_prefix, /*lp=*/true, out);
  out.swv = Finish(swv_, spec_.swv_prefix, /*lp=*/false, out);
  out.leerplicht_csv = LeerplichtCsv(out.leerplicht);
  out.swv_csv = SwvCsv(out.swv, rng_);
  return out;
}

}  // namespace

std::string_view DecoyKindName(DecoyKind kind) {
  switch (kind) {
    case DecoyKind::kTwinAcross:
      return "twin_across";
    case DecoyKind::kTwinOfShared:
      return "twin_of_shared";
    case DecoyKind::kNamesakeOtherYear:
      return "namesake_other_year";
    case DecoyKind::kNamesakeSameYear:
      return "namesake_same_year";
    case DecoyKind::kOtherFamily:
      return "other_family";
    case DecoyKind::kPartialBirthDate:
      return "partial_birth_date";
    case DecoyKind::kNoFirstName:
      return "no_first_name";
  }
  return "unknown";
}

NameMatchLists GenerateNameMatchLists(const NameMatchSpec& spec) {
  return NameMatchGenerator(spec).Generate();
}

}  // namespace inbeeld::schema
