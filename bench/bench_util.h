// bench/bench_util.h — timing and memory figures shared by the benchmarks.
//
// Machines here are noisy: figures are medians of several samples, and every
// benchmark prints the crypto lower bound measured in the same run so the
// ratio, not the absolute time, is what to compare.
#ifndef INBEELD_BENCH_BENCH_UTIL_H_
#define INBEELD_BENCH_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace inbeeld::bench {

inline double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Median over `samples` runs of fn(), in seconds per call.
inline double MedianSeconds(int samples, const std::function<void()>& fn) {
  std::vector<double> times;
  for (int i = 0; i < samples; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    times.push_back(Seconds(std::chrono::steady_clock::now() - start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Peak resident set size of this process so far, in bytes (VmHWM).
uint64_t PeakRssBytes();
// Current resident set size, in bytes (VmRSS).
uint64_t CurrentRssBytes();

struct CryptoCosts {
  double hash_to_group_s;  // one hash_to_ristretto255 of 9 digits, single thread
  double scalar_mult_s;    // one variable-base scalar multiplication, single thread
};
// Measures both as medians of nine samples of `batch` operations each.
CryptoCosts MeasureCryptoCosts(int batch = 2000);

}  // namespace inbeeld::bench

#endif  // INBEELD_BENCH_BENCH_UTIL_H_
