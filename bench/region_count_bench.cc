// Regional count benchmark: K nodes with N synthetic children each, in this
// process (tests/support/local_region.h: the whole protocol with its stores
// and audit records, each request body handed to the participant without TLS
// or HTTP), against the crypto the protocol cannot do without: every node
// blinds every set, so K²·N·k scalar multiplications (k key slots a child),
// timed on one thread with the same primitive (crypto::MultiplyRaw) in the
// same run, on a sample before and after each count so that machine noise
// hits both alike.
//
//   build-dir/bench/region_count_bench [K] [N] [ROUNDS]   defaults: 16 1000 1
//
// The target on a 2-core machine: wall time at most 1.3 × that
// single-threaded cost, i.e. the protocol's own overhead (hashing, decoding,
// JSON, hex, shuffles, the tally, SQL and audit) must be paid for by the
// second core. The figures are printed, not asserted.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "crypto/ristretto.h"
#include "node/exchange/policy.h"
#include "schema/synthetic.h"
#include "schema/wire.h"
#include "tests/support/local_region.h"

using namespace inbeeld;

namespace {

// Seconds for one variable-base scalar multiplication on this thread: the
// median of five batches of `batch` MultiplyRaw on distinct points.
double MultiplySeconds(size_t batch) {
  std::vector<std::array<uint8_t, crypto::kPointSize>> points(batch);
  const std::string dst = "inbeeld-bench-region";
  for (size_t i = 0; i < batch; ++i) {
    const std::string text = "point " + std::to_string(i);
    auto p = crypto::Point::HashToGroup(
        std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
        std::span(reinterpret_cast<const uint8_t*>(dst.data()), dst.size()));
    if (!p) std::abort();
    points[i] = p->Encode();
  }
  const crypto::Scalar k = crypto::Scalar::Random();
  return bench::MedianSeconds(5,
                              [&] {
                                for (auto& p : points) {
                                  if (!crypto::MultiplyRaw(p, k, p)) std::abort();
                                }
                              }) /
         static_cast<double>(batch);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 4) {
    std::fprintf(stderr, "usage: region_count_bench [K] [N] [ROUNDS]   (defaults 16 1000 1)\n");
    return 2;
  }
  const size_t nodes = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 16;
  const size_t children = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000;
  const size_t rounds = argc > 3 ? std::max<size_t>(1, std::strtoull(argv[3], nullptr, 10)) : 1;
  if (nodes < node::region::kMinRegionNodes || nodes > node::region::kMaxRegionNodes ||
      children < 10) {
    std::fprintf(stderr, "K must be 3..16 and N at least 10\n");
    return 2;
  }

  schema::RegionSpec spec;
  spec.seed = 2026;
  for (size_t i = 0; i < nodes; ++i) {
    spec.partners.push_back({"Leerplicht " + std::to_string(i), children});
  }
  spec.overlap = 0.3;
  spec.today = {2026, 11, 2};
  const auto setup_start = std::chrono::steady_clock::now();
  auto region = testing::LocalRegion::Create(schema::GenerateRegion(spec),
                                             config::Role::kLeerplicht, /*threads=*/0);
  if (!region) {
    std::fprintf(stderr, "setting up the region failed: %s\n", region.error().message.c_str());
    return 1;
  }
  // The key types of the count, as the coordinator agrees them.
  const node::UnlockedNode& coordinator = (*region)->node(0).node();
  uint8_t key_mask = schema::kAllKeyTypes;
  for (const auto& peer : coordinator.config.peers) {
    key_mask &= node::exchange::AllowedKeyMask(coordinator.config, peer);
  }
  const size_t slots = schema::wire::SlotCount(key_mask);
  std::printf(
      "region_count_bench: K=%zu nodes x N=%zu children, %zu key slots a child (key mask %u), "
      "in process (no TLS), crypto on %u threads a node; setup %.1f s\n",
      nodes, children, slots, key_mask, std::thread::hardware_concurrency(),
      bench::Seconds(std::chrono::steady_clock::now() - setup_start));

  std::vector<double> walls, costs, ratios;
  for (size_t r = 0; r < rounds; ++r) {
    const double before = MultiplySeconds(20'000);
    const auto start = std::chrono::steady_clock::now();
    auto counts = (*region)->Count(/*threads=*/0);
    const double wall = bench::Seconds(std::chrono::steady_clock::now() - start);
    if (!counts) {
      std::fprintf(stderr, "the count failed: %s\n", counts.error().message.c_str());
      return 1;
    }
    const double after = MultiplySeconds(20'000);
    uint64_t groups = 0;
    for (uint64_t size : counts->list_sizes) groups += size;
    if (counts->list_sizes.size() != nodes || groups != nodes * children ||
        counts->distinct < children || counts->distinct > groups) {
      std::fprintf(stderr, "WRONG RESULT: %zu lists, %llu children, %llu distinct\n",
                   counts->list_sizes.size(), static_cast<unsigned long long>(groups),
                   static_cast<unsigned long long>(counts->distinct));
      return 1;
    }
    // Every set (one a node, one group a child, `slots` points a group) is
    // blinded once by every node.
    const double multiplications = static_cast<double>(nodes * groups * slots);
    const double per_mult = (before + after) / 2;
    const double cost = multiplications * per_mult;
    walls.push_back(wall);
    costs.push_back(cost);
    ratios.push_back(wall / cost);
    std::printf(
        "  round %zu: wall %.2f s; %.0f scalar multiplications (K x K x N x %zu) at %.1f us "
        "on one thread = %.2f s; ratio wall / crypto %.2f (distinct %llu, on one list %llu)\n",
        r, wall, multiplications, slots, per_mult * 1e6, cost, wall / cost,
        static_cast<unsigned long long>(counts->distinct),
        static_cast<unsigned long long>(counts->single_list));
  }
  std::printf(
      "  medians: wall %.2f s, crypto cost (one thread) %.2f s, ratio %.2f (target <= 1.30 on "
      "2 cores)\n",
      Median(walls), Median(costs), Median(ratios));
  return 0;
}
