#include "bench/bench_util.h"

#include <fstream>
#include <string>

#include "crypto/ristretto.h"

namespace inbeeld::bench {
namespace {

uint64_t ReadStatusKb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
  }
  return 0;
}

}  // namespace

uint64_t PeakRssBytes() { return ReadStatusKb("VmHWM"); }
uint64_t CurrentRssBytes() { return ReadStatusKb("VmRSS"); }

CryptoCosts MeasureCryptoCosts(int batch) {
  static constexpr std::string_view kDst = "inbeeld-bench-ristretto255-SHA512";
  std::vector<std::array<uint8_t, 9>> inputs(static_cast<size_t>(batch));
  for (size_t i = 0; i < inputs.size(); ++i) {
    uint64_t v = 100000000 + i * 7919;
    for (int d = 8; d >= 0; --d) {
      inputs[i][static_cast<size_t>(d)] = static_cast<uint8_t>('0' + v % 10);
      v /= 10;
    }
  }
  auto dst = std::span(reinterpret_cast<const uint8_t*>(kDst.data()), kDst.size());
  std::vector<crypto::Point> points;
  points.reserve(inputs.size());
  for (const auto& in : inputs) points.push_back(*crypto::Point::HashToGroup(in, dst));
  double h2g = MedianSeconds(9, [&] {
    for (const auto& in : inputs) {
      auto p = crypto::Point::HashToGroup(in, dst);
      if (!p) std::abort();
    }
  });
  crypto::Scalar k = crypto::Scalar::Random();
  double mult = MedianSeconds(9, [&] {
    for (const auto& p : points) {
      auto q = p.Multiply(k);
      if (!q) std::abort();
    }
  });
  return {h2g / batch, mult / batch};
}

}  // namespace inbeeld::bench
