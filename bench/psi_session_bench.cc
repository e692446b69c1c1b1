// PSI session benchmark: a mutual match of n × n with both sessions in this
// process (no TLS, no store, no audit), 2 threads per side, against the bare
// crypto both sides must do — per side n hash-to-group and 2n scalar
// multiplications — measured in the same run, alternating with the protocol
// so machine noise hits both alike. Also the peak memory of one protocol run.
//
//   build/bench/psi_session_bench [N] [ROUNDS]     defaults: 100000 3
//
// Formerly the opt-in test PsiBenchmark.MutualMatchAgainstBareCrypto in
// tests/node/psi/session_test.cc (INBEELD_PSI_BENCH_N / INBEELD_PSI_BENCH_REPS).
// The end-to-end figure, two `inbeeld` processes over mutual TLS, is
// bench/match_bench.cc.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "node/psi/parallel.h"
#include "node/psi/session.h"
#include "tests/node/psi/psi_test_util.h"

using namespace inbeeld;
using namespace inbeeld::node::psi;
using namespace inbeeld::node::psi::testing;

namespace {

constexpr int kInitiatorSide = 0;
constexpr int kResponderSide = 1;

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A "Name:   123 kB" line of /proc/self/status, in kB; -1 if absent.
long ProcStatusKb(std::string_view name) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name)) return std::strtol(line.c_str() + name.size(), nullptr, 10);
  }
  return -1;
}

// The bare crypto of one record on one side: H(e), then two scalar
// multiplications (blinding own, and blinding the peer's).
bool BareRecord(const std::string& id, const crypto::Scalar& s, wire::PointBytes& out) {
  const auto dst = std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(kHashToGroupDst.data()), kHashToGroupDst.size());
  auto h = crypto::Point::HashToGroup(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(id.data()), 9), dst);
  wire::PointBytes p;
  return h && crypto::MultiplyRaw(h->Encode(), s, p) && crypto::MultiplyRaw(p, s, out);
}

// Both sides' bare crypto (2n records) on `threads` threads.
double BareSeconds(const ListPair& lists, unsigned threads) {
  const crypto::Scalar s = crypto::Scalar::Random();
  const size_t n = lists.initiator.size();
  auto start = std::chrono::steady_clock::now();
  const size_t bad = ParallelFor(2 * n, threads, [&](size_t begin, size_t end) {
    wire::PointBytes sink;
    for (size_t k = begin; k < end; ++k) {
      if (!BareRecord(k < n ? lists.initiator[k] : lists.responder[k - n], s, sink)) return k;
    }
    return end;
  });
  if (bad != 2 * n) {
    std::fprintf(stderr, "bare crypto failed at record %zu\n", bad);
    std::exit(1);
  }
  return Seconds(start);
}

// One protocol run with the time of each step: Create, Start,
// HandleStartResponse, HandleFinish, HandleFinishResponse.
struct Timed {
  double step[5] = {};
  double total = 0;
  uint32_t overlap = 0;
};

template <typename T>
T OrDie(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s failed: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(*r);
}

Timed TimedRun(const ListPair& lists, unsigned threads) {
  InitiatorParams ip;
  ip.mode = wire::Mode::kMatch;
  ip.purpose = "thuiszitterspact.afstemming";
  ip.label_mask = wire::kAllLabels;
  ip.list_date = schema::Date{2026, 1, 15};
  ResponderParams rp;
  rp.allowed_label_mask = wire::kAllLabels;
  rp.list_date = schema::Date{2026, 1, 12};
  ip.threads = rp.threads = threads;
  std::vector<PsiInput> xs = MakeInputs(lists.initiator, kInitiatorSide);
  std::vector<PsiInput> ys = MakeInputs(lists.responder, kResponderSide);
  Timed t;
  auto start = std::chrono::steady_clock::now();
  auto initiator = OrDie(InitiatorSession::Create(std::move(xs), ip), "InitiatorSession::Create");
  t.step[0] = Seconds(start);
  auto at = std::chrono::steady_clock::now();
  auto responder = OrDie(ResponderSession::Start(initiator->StartMessage(), std::move(ys), rp),
                         "ResponderSession::Start");
  std::string message2 = responder->TakeStartResponse();
  t.step[1] = Seconds(at);
  at = std::chrono::steady_clock::now();
  std::string message3 = OrDie(initiator->HandleStartResponse(message2), "HandleStartResponse");
  std::string().swap(message2);
  t.step[2] = Seconds(at);
  at = std::chrono::steady_clock::now();
  auto finish = OrDie(responder->HandleFinish(message3), "HandleFinish");
  t.step[3] = Seconds(at);
  at = std::chrono::steady_clock::now();
  t.overlap = OrDie(initiator->HandleFinishResponse(finish.message), "HandleFinishResponse").overlap;
  t.step[4] = Seconds(at);
  t.total = Seconds(start);
  return t;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void CheckOverlap(uint32_t got, size_t want) {
  if (got != want) {
    std::fprintf(stderr, "WRONG RESULT: overlap %u, expected %zu\n", got, want);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 3 || (argc > 1 && std::string_view(argv[1]).starts_with("-"))) {
    std::fprintf(stderr, "usage: psi_session_bench [N] [ROUNDS]   (defaults 100000 3)\n");
    return 2;
  }
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const size_t reps = argc > 2 ? std::max<size_t>(1, std::strtoull(argv[2], nullptr, 10)) : 3;
  if (n < 2) {
    std::fprintf(stderr, "N must be at least 2\n");
    return 2;
  }
  const ListPair lists = MakeListPair(n, n, n / 2, 77);

  // Peak memory of one protocol run: reset the high-water mark (Linux: "5"
  // to clear_refs) and subtract what the fixtures hold.
  const long rss_before = ProcStatusKb("VmRSS:");
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
  }
  {
    const Timed warm = TimedRun(lists, 2);
    CheckOverlap(warm.overlap, n / 2);
  }
  const long hwm = ProcStatusKb("VmHWM:");
  std::printf("psi_session_bench: n=%zu x %zu, match mode, both sides in-process, %zu rounds\n", n,
              n, reps);
  std::printf(
      "  peak RSS of one run above the fixtures: %.1f MB = %.0f bytes per record per node\n"
      "  (counts the inputs handed to both sessions, 88 bytes a record, and this program's\n"
      "  copies of messages 2 and 3)\n",
      static_cast<double>(hwm - rss_before) / 1024.0,
      static_cast<double>(hwm - rss_before) * 1024.0 / (2.0 * static_cast<double>(n)));

  // Alternate the bare crypto and the protocol so that machine noise (other
  // jobs on the 2 cores) hits both alike; compare medians.
  std::vector<double> bare_1t, bare_2t, protocol, ratio_2t, ratio_1t;
  const size_t sample = std::min<size_t>(n, 10000);
  for (size_t r = 0; r < reps; ++r) {
    const crypto::Scalar s = crypto::Scalar::Random();
    auto bare_start = std::chrono::steady_clock::now();
    wire::PointBytes sink{};
    for (size_t k = 0; k < sample; ++k) {
      if (!BareRecord(lists.initiator[k], s, sink)) {
        std::fprintf(stderr, "bare crypto failed\n");
        return 1;
      }
    }
    // One side's n H2G + 2n mult on one thread, scaled from the sample.
    bare_1t.push_back(Seconds(bare_start) * static_cast<double>(n) / static_cast<double>(sample));
    bare_2t.push_back(BareSeconds(lists, 2));
    const Timed t = TimedRun(lists, 2);
    CheckOverlap(t.overlap, n / 2);
    protocol.push_back(t.total);
    ratio_2t.push_back(t.total / bare_2t.back());
    ratio_1t.push_back(t.total / bare_1t.back());  // = wall / (2 sides x 1-thread cost / 2 threads)
    std::printf(
        "  round %zu: protocol %.2f s (Create %.2f, Start %.2f, HandleStartResponse %.2f, "
        "HandleFinish %.2f, HandleFinishResponse %.3f); bare both sides 2 threads %.2f s; bare "
        "one side 1 thread %.2f s (%.1f us/record)\n",
        r, t.total, t.step[0], t.step[1], t.step[2], t.step[3], t.step[4], bare_2t.back(),
        bare_1t.back(), bare_1t.back() * 1e6 / static_cast<double>(n));
  }
  std::printf(
      "  medians: protocol %.2f s; bare both sides on 2 threads %.2f s; bare one side 1 thread "
      "%.2f s\n"
      "  ratio protocol / bare(both sides, 2 threads), median of rounds: %.2f\n"
      "  ratio protocol / (2 x bare one side 1 thread / 2), median of rounds: %.2f\n",
      Median(protocol), Median(bare_2t), Median(bare_1t), Median(ratio_2t), Median(ratio_1t));
  return 0;
}
