// node/psi/parallel.h — run a loop over [0, n) on a few threads, in
// contiguous blocks, and report the lowest index at which the loop body
// failed.
//
// The PSI session spends almost all of its time in per-element group
// operations (hash-to-group, scalar multiplication, point decoding) that are
// independent of each other. Each thread takes the next contiguous block of
// indices from a shared counter, so it works on its own cache lines of the
// input and output buffers, and a thread that the machine slows down (the
// cores are shared with the other node and other jobs) simply takes fewer
// blocks instead of holding up the whole loop, as fixed halves would.
//
// Thread safety: ParallelFor itself is reentrant. `body` is called
// concurrently from several threads on disjoint ranges; it must only write
// state belonging to its range.
#ifndef INBEELD_NODE_PSI_PARALLEL_H_
#define INBEELD_NODE_PSI_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace inbeeld::node::psi {

// Below this many elements a block is not worth the bookkeeping, and a loop
// not worth a thread start (~20 µs against ~50 µs an element).
inline constexpr size_t kMinBlock = 16;
// Blocks per thread: enough to even out a slowed-down thread, few enough that
// the shared counter is touched rarely.
inline constexpr size_t kBlocksPerThread = 32;

// 0 means "as many as the hardware has" (at least 1).
inline unsigned ResolveThreads(unsigned threads) {
  if (threads != 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

// Calls body(begin, end) for contiguous ranges covering [0, n). `body` returns
// the first index in its range at which it failed, or `end` if none did.
// Returns the lowest failing index over all ranges, or n if none failed, so
// the error a caller reports does not depend on the thread count or on
// timing. After a failure, ranges above it are skipped (failures are the
// hostile case; there is nothing to gain from finishing the work).
// If a thread cannot be started, the others (and the caller) do its share.
template <typename Body>
size_t ParallelFor(size_t n, unsigned threads, Body&& body) {
  if (n == 0) return 0;
  const size_t workers = std::min<size_t>(ResolveThreads(threads), (n + kMinBlock - 1) / kMinBlock);
  if (workers <= 1) return body(size_t{0}, n);

  const size_t block = std::max(kMinBlock, n / (workers * kBlocksPerThread));
  std::atomic<size_t> next{0};
  std::atomic<size_t> lowest_bad{n};
  auto work = [&] {
    for (;;) {
      const size_t begin = next.fetch_add(block, std::memory_order_relaxed);
      if (begin >= n || begin > lowest_bad.load(std::memory_order_relaxed)) return;
      const size_t end = std::min(n, begin + block);
      const size_t bad = body(begin, end);
      if (bad != end) {
        size_t seen = lowest_bad.load(std::memory_order_relaxed);
        while (bad < seen && !lowest_bad.compare_exchange_weak(seen, bad)) {
        }
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (size_t k = 1; k < workers; ++k) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // fewer threads; the blocks still all get done
    }
  }
  work();
  for (std::thread& t : pool) t.join();
  return lowest_bad.load();
}

}  // namespace inbeeld::node::psi

#endif  // INBEELD_NODE_PSI_PARALLEL_H_
