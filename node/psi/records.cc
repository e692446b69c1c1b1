#include "node/psi/records.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>

#include "node/psi/parallel.h"
#include "node/psi/point_index.h"

namespace inbeeld::node::psi {

namespace wire = schema::wire;

PackedLabels PackLabels(const wire::Labels& labels, uint8_t mask) {
  PackedLabels p;
  if (mask & wire::kLabelCategory) p.category = wire::CategoryCode(*labels.category);
  if (mask & wire::kLabelSince) p.since = wire::DateCode(*labels.since);
  if (mask & wire::kLabelSchool) {
    p.school_size = static_cast<uint8_t>(labels.school->size());
    std::copy(labels.school->begin(), labels.school->end(), p.school.begin());
  }
  if (mask & wire::kLabelPlan) p.plan = *labels.plan ? 2 : 1;
  return p;
}

wire::Labels UnpackLabels(const PackedLabels& packed, uint8_t mask) {
  wire::Labels labels;
  if (mask & wire::kLabelCategory) labels.category = wire::CategoryFromCode(packed.category);
  if (mask & wire::kLabelSince) labels.since = wire::DateFromCode(packed.since);
  if (mask & wire::kLabelSchool) labels.school.emplace(packed.school.data(), packed.school_size);
  if (mask & wire::kLabelPlan) labels.plan = packed.plan == 2;
  return labels;
}

Status CheckInputs(std::span<const PsiInput> inputs, uint8_t mask) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (Status labels = wire::CheckLabels(inputs[i].labels, mask); !labels) {
      return std::unexpected(WithContext(std::move(labels).error(), "input " + std::to_string(i)));
    }
  }
  return {};
}

std::vector<uint32_t> RandomPermutation(uint32_t n) {
  EnsureSodiumReady();
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  for (uint32_t i = n; i > 1; --i) {
    const uint32_t j = randombytes_uniform(i);  // uniform in [0, i)
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

Status CheckPermutation(std::span<const uint32_t> order, size_t n) {
  if (order.size() != n) {
    return Fail(ErrorCode::kInvalidArgument, "permutation has " + std::to_string(order.size()) +
                                                 " entries for " + std::to_string(n) + " inputs");
  }
  std::vector<bool> seen(n, false);
  for (uint32_t k : order) {
    if (k >= n || seen[k]) {
      return Fail(ErrorCode::kInvalidArgument, "order is not a permutation of the inputs");
    }
    seen[k] = true;
  }
  return {};
}

namespace {

constexpr std::string_view kFillerDst = "inbeeld-PSI-v2-filler";

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Which (record position, slot position) keep their key.
//  - A certain or probable key that two records of this list share is
//    ambiguous (twins who share their first official name, or a child
//    entered twice): it is left out for all of them, so neither can be taken
//    for the other; the records still meet the peer on their other keys.
//  - A possible key is expected to repeat (twins share surname and birth
//    date); a key used by kMaxKeyRepeats earlier records (in the order sent)
//    is left out, so an honest list never trips the peer's repeat check.
//  - Two slots of one record holding one key count once.
std::vector<bool> KeptKeys(std::span<const PsiInput> inputs, std::span<const uint32_t> order,
                           std::span<const size_t> slots) {
  std::vector<bool> kept(order.size() * slots.size(), false);
  // Records per key string, counting a record once.
  std::unordered_map<std::string_view, uint32_t> records;
  auto distinct_in_record = [&](const PsiInput& input, size_t p) {
    const std::optional<std::string>& key = input.keys[slots[p]];
    if (!key) return false;
    for (size_t q = 0; q < p; ++q) {
      if (input.keys[slots[q]] == key) return false;
    }
    return true;
  };
  for (uint32_t local : order) {
    for (size_t p = 0; p < slots.size(); ++p) {
      if (distinct_in_record(inputs[local], p)) ++records[*inputs[local].keys[slots[p]]];
    }
  }
  std::unordered_map<std::string_view, uint32_t> uses;
  for (size_t k = 0; k < order.size(); ++k) {
    const PsiInput& input = inputs[order[k]];
    for (size_t p = 0; p < slots.size(); ++p) {
      if (!distinct_in_record(input, p)) continue;
      const std::string& key = *input.keys[slots[p]];
      if (schema::SlotStrength(slots[p]) != schema::Strength::kPossible) {
        kept[k * slots.size() + p] = records[key] == 1;
        continue;
      }
      uint32_t& n = uses[key];
      if (n < kMaxKeyRepeats) {
        kept[k * slots.size() + p] = true;
        ++n;
      }
    }
  }
  return kept;
}

}  // namespace

Status HashAndBlind(std::span<const PsiInput> inputs, std::span<const uint32_t> order,
                    std::span<const size_t> slots, std::span<const uint8_t, 32> filler_seed,
                    const crypto::Scalar& scalar, wire::MutablePointView out, unsigned threads) {
  const size_t k = slots.size();
  const std::vector<bool> kept = KeptKeys(inputs, order, slots);
  const size_t bad = ParallelFor(out.size(), threads, [&](size_t begin, size_t end) {
    std::array<uint8_t, 36> filler{};
    std::copy(filler_seed.begin(), filler_seed.end(), filler.begin());
    for (size_t n = begin; n < end; ++n) {
      if (!kept[n]) {
        for (int b = 0; b < 4; ++b) filler[32 + b] = static_cast<uint8_t>(n >> (24 - 8 * b));
      }
      Result<crypto::Point> h =
          kept[n] ? crypto::Point::HashToGroup(Bytes(*inputs[order[n / k]].keys[slots[n % k]]),
                                               Bytes(kHashToGroupDst))
                  : crypto::Point::HashToGroup(filler, Bytes(kFillerDst));
      if (!h || !crypto::MultiplyRaw(h->Encode(), scalar, out[n])) return n;
    }
    return end;
  });
  if (bad != out.size()) {
    return Fail(ErrorCode::kInternal,
                "input " + std::to_string(order[bad / k]) + ": hashing or blinding a key failed");
  }
  return {};
}

size_t BlindToTags(wire::PointView in, size_t in_slots, std::span<const size_t> keep,
                   std::span<const uint32_t> group_order, const crypto::Scalar& scalar,
                   wire::MutableTagView out, unsigned threads) {
  const size_t width = keep.size();
  auto source_of = [&](size_t n) {
    const size_t g = n / width;
    const size_t record = group_order.empty() ? g : group_order[g];
    return record * in_slots + keep[n % width];
  };
  const size_t bad = ParallelFor(out.size(), threads, [&](size_t begin, size_t end) {
    wire::PointBytes point;
    for (size_t n = begin; n < end; ++n) {
      if (!crypto::MultiplyRaw(in[source_of(n)], scalar, point)) return n;
      std::memcpy(out[n].data(), point.data(), wire::kTagSize);
    }
    return end;
  });
  if (bad != out.size()) return source_of(bad);
  // Points of A or B outside the agreed slots are never multiplied; they
  // must still be valid points, so a peer cannot hide anything there.
  if (width != in_slots) {
    return ParallelFor(in.size(), threads, [&](size_t begin, size_t end) {
      for (size_t n = begin; n < end; ++n) {
        if (!crypto::Point::Decode(in[n])) return n;
      }
      return end;
    });
  }
  return in.size();
}

Error BadPointError(std::string_view message, std::string_view list, wire::PointView points,
                    size_t k) {
  Result<crypto::Point> decoded = crypto::Point::Decode(points[k]);
  const std::string why = decoded ? "not a valid point" : decoded.error().message;
  return Error{ErrorCode::kInvalidArgument, std::string(message) + ": point " + std::to_string(k) +
                                                " of list " + std::string(list) + ": " + why};
}

}  // namespace inbeeld::node::psi
