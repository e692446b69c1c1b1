#include "node/psi/records.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>

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
    const auto& digits = inputs[i].digits;
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Fail(ErrorCode::kInvalidArgument,
                  "input " + std::to_string(i) + ": identifier is not 9 ASCII digits");
    }
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

Status HashAndBlind(std::span<const PsiInput> inputs, std::span<const uint32_t> order,
                    const crypto::Scalar& scalar, wire::MutablePointView out, unsigned threads) {
  const auto dst = std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(kHashToGroupDst.data()), kHashToGroupDst.size());
  const size_t bad = ParallelFor(order.size(), threads, [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      const auto& digits = inputs[order[k]].digits;
      Result<crypto::Point> h = crypto::Point::HashToGroup(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(digits.data()), digits.size()),
          dst);
      if (!h || !crypto::MultiplyRaw(h->Encode(), scalar, out[k])) return k;
    }
    return end;
  });
  if (bad != order.size()) {
    return Fail(ErrorCode::kInternal, "input " + std::to_string(order[bad]) +
                                          ": hashing or blinding the identifier failed");
  }
  return {};
}

size_t BlindReceived(wire::PointView in, const crypto::Scalar& scalar, wire::MutablePointView out,
                     unsigned threads) {
  return ParallelFor(in.size(), threads, [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      if (!crypto::MultiplyRaw(in[k], scalar, out[k])) return k;
    }
    return end;
  });
}

size_t FirstInvalidPoint(wire::PointView points, unsigned threads) {
  return ParallelFor(points.size(), threads, [&](size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) {
      if (!crypto::Point::Decode(points[k])) return k;
    }
    return end;
  });
}

Error BadPointError(std::string_view message, std::string_view list, wire::PointView points,
                    size_t k) {
  Result<crypto::Point> decoded = crypto::Point::Decode(points[k]);
  const std::string why = decoded ? "not a valid point" : decoded.error().message;
  return Error{ErrorCode::kInvalidArgument, std::string(message) + ": point " + std::to_string(k) +
                                                " of list " + std::string(list) + ": " + why};
}

}  // namespace inbeeld::node::psi
