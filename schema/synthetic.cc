#include "schema/synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "schema/identifier.h"
#include "schema/synthetic_draws.h"

namespace inbeeld::schema {
namespace synthetic_draws {

Identifier MustParse(const std::string& digits) {
  Result<Identifier> id = Identifier::Parse(digits);
  if (!id) std::abort();  // a generator bug, not bad input
  return std::move(*id);
}

std::vector<std::string> DrawSchools(Rng& rng) {
  std::vector<std::string> schools;
  std::unordered_set<std::string> seen;
  while (schools.size() < 80) {
    std::string brin;
    brin.push_back(Digit(rng));
    brin.push_back(Digit(rng));
    brin.push_back(static_cast<char>('A' + Below(rng, 26)));
    brin.push_back(static_cast<char>('A' + Below(rng, 26)));
    if (Chance(rng, 0.2)) brin.append("01");
    if (seen.insert(brin).second) schools.push_back(std::move(brin));
  }
  return schools;
}

std::string Reference(const std::string& prefix, size_t number) {
  std::string digits = std::to_string(number);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return prefix + "-" + digits;
}

}  // namespace synthetic_draws

namespace {

using synthetic_draws::Below;
using synthetic_draws::Chance;
using synthetic_draws::Digit;
using synthetic_draws::DrawCategory;
using synthetic_draws::DrawSchools;
using synthetic_draws::kCategories;
using synthetic_draws::MustParse;
using synthetic_draws::Pick;
using synthetic_draws::Reference;

constexpr std::array<int, 8> kWeights = {9, 8, 7, 6, 5, 4, 3, 2};

constexpr std::array<std::string_view, 40> kFirstNames = {
    "Daan",   "Sem",   "Lucas",   "Finn",  "Levi",  "Noah",   "Bram",    "Luuk",  "Milan", "Jesse",
    "Thijs",  "Ruben", "Mohamed", "Ayoub", "Noël",  "Julian", "Emma",    "Julia", "Tess",  "Sophie",
    "Zoë",    "Mila",  "Sara",    "Anna",  "Evi",   "Lotte",  "Fenna",   "Nora",  "Yara",  "Chloë",
    "Fatima", "Amira", "Liv",     "Saar",  "Lieke", "Femke",  "Jasmijn", "Anouk", "Björn", "Inés",
};

constexpr std::array<std::string_view, 40> kLastNames = {
    "de Jong",        "Jansen",       "de Vries",      "van den Berg", "van Dijk",
    "Bakker",         "Janssen",      "Visser",        "Smit",         "Meijer",
    "de Boer",        "Mulder",       "de Groot",      "Bos",          "Vos",
    "Peters",         "Hendriks",     "van Leeuwen",   "Dekker",       "Brouwer",
    "de Wit",         "Dijkstra",     "Smits",         "de Graaf",     "van der Meer",
    "van der Linden", "Kok",          "Jacobs",        "de Haan",      "Vermeulen",
    "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn",    "Schouten",
    "van Beek",       "Willems",      "El Amrani",     "Öztürk",       "Kaya",
};

PersonName FullName(const std::string& name) {
  PersonName out;
  out.full_name = name;
  return out;
}

// A child as the region knows it; each list records it with its own labels.
struct Child {
  Identifier identifier;
  std::string name;
  Date birth_date;
  Category category;
  int64_t since_days;
  size_t school;
  bool plan;
};

class RegionGenerator {
 public:
  explicit RegionGenerator(const RegionSpec& spec)
      : rng_(spec.seed),
        today_days_(DaysSinceEpoch(spec.today)),
        onderwijsnummer_share_(std::clamp(spec.onderwijsnummer_share, 0.0, 1.0)),
        schools_(DrawSchools(rng_)) {}

  Child NewChild() {
    std::string digits;
    do {
      digits =
          Chance(rng_, onderwijsnummer_share_) ? GenerateOnderwijsnummer(rng_) : GenerateBsn(rng_);
    } while (!used_.insert(static_cast<uint32_t>(std::stoul(digits))).second);
    std::string name(Pick(rng_, kFirstNames));
    name.push_back(' ');
    name.append(Pick(rng_, kLastNames));
    // Ages 5 to 17: between 5 years and a day and 18 years less a day old.
    int64_t age_days = 1827 + static_cast<int64_t>(Below(rng_, 6573 - 1827));
    return Child{
        .identifier = MustParse(digits),
        .name = std::move(name),
        .birth_date = FromDaysSinceEpoch(today_days_ - age_days),
        .category = DrawCategory(rng_),
        .since_days = today_days_ - static_cast<int64_t>(Below(rng_, 365)),
        .school = Below(rng_, schools_.size()),
        .plan = Chance(rng_, 0.5),
    };
  }

  // The child as this partner records it: its own labels, mostly agreeing.
  ListRow Record(const Child& child, bool vary) {
    Category category = child.category;
    int64_t since = child.since_days;
    size_t school = child.school;
    bool plan = child.plan;
    if (vary) {
      if (Chance(rng_, 0.1)) {
        Category other;
        do {
          other = Pick(rng_, kCategories);
        } while (other == category);
        category = other;
      }
      if (!Chance(rng_, 0.3)) since += static_cast<int64_t>(Below(rng_, 43)) - 21;
      since = std::clamp(since, today_days_ - 364, today_days_);
      if (Chance(rng_, 0.05)) school = Below(rng_, schools_.size());
      if (Chance(rng_, 0.15)) plan = !plan;
    }
    return ListRow{
        .identifier = child.identifier,
        .category = category,
        .since = FromDaysSinceEpoch(since),
        .school_brin = schools_[school],
        .plan_in_place = plan,
        .own_reference = "",
        .name = FullName(child.name),
        .birth_date = PartialDate::FromDate(child.birth_date),
    };
  }

  // Fisher–Yates with our own draws.
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[Below(rng_, i)]);
  }

  // The first `k` elements of `items` become a uniform random k-subset.
  void PartialShuffle(std::vector<size_t>& items, size_t k) {
    for (size_t i = 0; i < k && i < items.size(); ++i) {
      std::swap(items[i], items[i + Below(rng_, items.size() - i)]);
    }
  }

 private:
  Rng rng_;
  int64_t today_days_;
  double onderwijsnummer_share_;
  std::vector<std::string> schools_;
  std::unordered_set<uint32_t> used_;
};

std::string ReferencePrefix(std::string_view name) {
  std::string prefix;
  bool word_start = true;
  for (char c : name) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter && word_start && prefix.size() < 3) {
      prefix.push_back((c >= 'a') ? static_cast<char>(c - 'a' + 'A') : c);
    }
    word_start = !letter && !(c >= '0' && c <= '9');
  }
  return prefix.empty() ? "REF" : prefix;
}

}  // namespace

std::string GenerateBsn(Rng& rng) {
  while (true) {
    std::string digits(9, '0');
    int sum = 0;
    for (size_t i = 0; i < 8; ++i) {
      digits[i] = Digit(rng);
      sum += kWeights[i] * (digits[i] - '0');
    }
    // 9·d1+…+2·d8 − d9 ≡ 0 (mod 11) ⇒ d9 = sum mod 11, unless that is 10.
    int check = sum % 11;
    if (check == 10) continue;
    digits[8] = static_cast<char>('0' + check);
    if (digits == "000000000") continue;
    return digits;
  }
}

std::string GenerateOnderwijsnummer(Rng& rng) {
  while (true) {
    std::string digits = "10";
    digits.resize(9, '0');
    int sum = 9 * 1 + 8 * 0;
    for (size_t i = 2; i < 8; ++i) {
      digits[i] = Digit(rng);
      sum += kWeights[i] * (digits[i] - '0');
    }
    // sum − d9 ≡ 5 (mod 11) ⇒ d9 = (sum − 5) mod 11, unless that is 10.
    int check = ((sum - 5) % 11 + 11) % 11;
    if (check == 10) continue;
    digits[8] = static_cast<char>('0' + check);
    return digits;
  }
}

std::vector<std::vector<ListRow>> GenerateRegion(const RegionSpec& spec) {
  const double overlap = std::clamp(spec.overlap, 0.0, 1.0);
  RegionGenerator gen(spec);

  std::vector<size_t> shared;
  size_t pool_size = 0;
  for (const PartnerSpec& partner : spec.partners) {
    auto k = static_cast<size_t>(std::llround(overlap * static_cast<double>(partner.size)));
    shared.push_back(std::min(k, partner.size));
    pool_size = std::max(pool_size, shared.back());
  }

  std::vector<Child> pool;
  pool.reserve(pool_size);
  for (size_t i = 0; i < pool_size; ++i) pool.push_back(gen.NewChild());

  std::vector<std::vector<ListRow>> lists;
  lists.reserve(spec.partners.size());
  std::vector<size_t> indices(pool_size);
  for (size_t p = 0; p < spec.partners.size(); ++p) {
    const PartnerSpec& partner = spec.partners[p];
    std::vector<ListRow> rows;
    rows.reserve(partner.size);
    for (size_t i = 0; i < pool_size; ++i) indices[i] = i;
    gen.PartialShuffle(indices, shared[p]);
    for (size_t i = 0; i < shared[p]; ++i) rows.push_back(gen.Record(pool[indices[i]], true));
    for (size_t i = shared[p]; i < partner.size; ++i) {
      rows.push_back(gen.Record(gen.NewChild(), false));
    }
    gen.Shuffle(rows);
    const std::string prefix = ReferencePrefix(partner.name);
    for (size_t i = 0; i < rows.size(); ++i) rows[i].own_reference = Reference(prefix, i + 1);
    lists.push_back(std::move(rows));
  }
  return lists;
}

std::vector<ListRow> GenerateList(uint64_t seed, size_t n, Date today) {
  RegionSpec spec;
  spec.seed = seed;
  spec.partners.push_back(PartnerSpec{.name = "Synthetische lijst", .size = n});
  spec.overlap = 0.0;
  spec.today = today;
  return std::move(GenerateRegion(spec)[0]);
}

}  // namespace inbeeld::schema
