// schema/synthetic_draws.h — the draws and small pieces the synthetic-data
// generators (schema/synthetic.cc, schema/synthetic_name_match.cc) share.
// Internal to them; no other module includes it.
//
// Our own draws rather than <random>'s distributions, whose algorithms the
// standard leaves to the implementation: a seed must give the same lists
// everywhere.
//
// Thread safety: pure functions of their arguments and the Rng they advance.
#ifndef INBEELD_SCHEMA_SYNTHETIC_DRAWS_H_
#define INBEELD_SCHEMA_SYNTHETIC_DRAWS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "schema/identifier.h"
#include "schema/list_row.h"
#include "schema/synthetic.h"

namespace inbeeld::schema::synthetic_draws {

// Uniform in [0, n), by rejection. REQUIRES: n > 0.
inline uint64_t Below(Rng& rng, uint64_t n) {
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

// Uniform in [0, 1), 53 bits.
inline double Uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// True with probability p.
inline bool Chance(Rng& rng, double p) { return Uniform01(rng) < p; }

template <typename T, size_t N>
const T& Pick(Rng& rng, const std::array<T, N>& items) {
  return items[Below(rng, N)];
}

inline char Digit(Rng& rng) { return static_cast<char>('0' + Below(rng, 10)); }

inline constexpr std::array<Category, 4> kCategories = {
    Category::kRelatiefVerzuim, Category::kAbsoluutVerzuim, Category::kVrijstelling5a,
    Category::kDreigend};

inline Category DrawCategory(Rng& rng) {
  // Roughly how the categories weigh in regional reports.
  uint64_t r = Below(rng, 100);
  if (r < 55) return Category::kRelatiefVerzuim;
  if (r < 70) return Category::kAbsoluutVerzuim;
  if (r < 80) return Category::kVrijstelling5a;
  return Category::kDreigend;
}

// The identifier of 9 digits that the generator made valid. Aborts
// otherwise: a generator bug, not bad input.
Identifier MustParse(const std::string& digits);

// 80 distinct synthetic BRIN codes ("12AB", a fifth of them with "01").
std::vector<std::string> DrawSchools(Rng& rng);

// "PREFIX-000123".
std::string Reference(const std::string& prefix, size_t number);

}  // namespace inbeeld::schema::synthetic_draws

#endif  // INBEELD_SCHEMA_SYNTHETIC_DRAWS_H_
