// PSI session benchmark (protocol v2): a mutual match of n × n with both
// sessions in this process (no TLS, no store, no audit), 2 threads per side,
// against the bare crypto both sides must do — per slot of every record, one
// hash-to-group and two scalar multiplications per side — measured in the
// same run, alternating with the protocol so machine noise hits both alike.
// Also the peak memory of one protocol run and the bytes on the wire.
//
//   build/bench/psi_session_bench [--keys K] [N] [ROUNDS]   defaults: pgn 100000 3
//     --keys K   key types offered and allowed: pgn (the default: two
//                leerplicht nodes, 1 slot a record), or a comma-separated
//                list such as name,weak (5 slots) or pgn,name,weak (6); "all"
//                is pgn,name,weak
//
// Half of each list is shared (the same children with the same keys), so
// with PGN or name keys n/2 records of each side are in a certain or
// probable pair, and with weak keys only in a possible one; the run checks
// that. The end-to-end figure, two `inbeeld` processes over mutual TLS, is
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

// "pgn,name,weak" (or "all") as a key mask; 0 for anything else.
uint8_t ParseKeys(std::string_view text) {
  if (text == "all") return schema::kAllKeyTypes;
  uint8_t mask = 0;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view word = text.substr(0, comma);
    if (word == "pgn") {
      mask |= schema::kKeyTypePgn;
    } else if (word == "name") {
      mask |= schema::kKeyTypeName;
    } else if (word == "weak") {
      mask |= schema::kKeyTypeWeak;
    } else {
      return 0;
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return mask;
}

// What one slot hashes: its key, or for an empty slot a stand-in of a
// filler's length (a filler costs the same hash and multiplication).
std::string SlotInput(const PsiInput& input, size_t slot, size_t n) {
  if (input.keys[slot]) return *input.keys[slot];
  return "filler-" + std::to_string(n) + std::string(28, 'f');
}

// The bare crypto of one slot on one side: H(key), then two scalar
// multiplications (blinding own, and blinding the peer's).
bool BareSlot(const std::string& key, const crypto::Scalar& s, wire::PointBytes& out) {
  wire::PointBytes p;
  auto h = crypto::Point::HashToGroup(Bytes(key), Bytes(kHashToGroupDst));
  return h && crypto::MultiplyRaw(h->Encode(), s, p) && crypto::MultiplyRaw(p, s, out);
}

// The slot inputs of both lists for `key_mask`, initiator's first.
std::vector<std::string> AllSlots(const std::vector<PsiInput>& xs, const std::vector<PsiInput>& ys,
                                  uint8_t key_mask) {
  const std::vector<size_t> slots = wire::GroupSlots(key_mask);
  std::vector<std::string> out;
  out.reserve((xs.size() + ys.size()) * slots.size());
  for (const auto* list : {&xs, &ys}) {
    for (const PsiInput& input : *list) {
      for (size_t s : slots) out.push_back(SlotInput(input, s, out.size()));
    }
  }
  return out;
}

// Both sides' bare crypto on `threads` threads.
double BareSeconds(const std::vector<std::string>& slots, unsigned threads) {
  const crypto::Scalar s = crypto::Scalar::Random();
  auto start = std::chrono::steady_clock::now();
  const size_t bad = ParallelFor(slots.size(), threads, [&](size_t begin, size_t end) {
    wire::PointBytes sink;
    for (size_t k = begin; k < end; ++k) {
      if (!BareSlot(slots[k], s, sink)) return k;
    }
    return end;
  });
  if (bad != slots.size()) {
    std::fprintf(stderr, "bare crypto failed at slot %zu\n", bad);
    std::exit(1);
  }
  return Seconds(start);
}

// One protocol run with the time of each step: Create, Start,
// HandleStartResponse, HandleFinish, HandleFinishResponse.
struct Timed {
  double step[5] = {};
  double total = 0;
  Outcome initiator;
  wire::MatchCounts responder;
  size_t bytes[4] = {};  // messages 1..4
};

template <typename T>
T OrDie(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s failed: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(*r);
}

Timed TimedRun(const std::vector<PsiInput>& xs_in, const std::vector<PsiInput>& ys_in,
               uint8_t key_mask, unsigned threads) {
  InitiatorParams ip;
  ip.mode = wire::Mode::kMatch;
  ip.purpose = "thuiszitterspact.afstemming";
  ip.label_mask = wire::kAllLabels;
  ip.key_mask = key_mask;
  ip.list_date = schema::Date{2026, 1, 15};
  ResponderParams rp;
  rp.allowed_label_mask = wire::kAllLabels;
  rp.allowed_key_mask = key_mask;
  rp.list_date = schema::Date{2026, 1, 12};
  ip.threads = rp.threads = threads;
  std::vector<PsiInput> xs = xs_in;
  std::vector<PsiInput> ys = ys_in;
  Timed t;
  auto start = std::chrono::steady_clock::now();
  auto initiator = OrDie(InitiatorSession::Create(std::move(xs), ip), "InitiatorSession::Create");
  t.step[0] = Seconds(start);
  t.bytes[0] = initiator->StartMessage().size();
  auto at = std::chrono::steady_clock::now();
  auto responder = OrDie(ResponderSession::Start(initiator->StartMessage(), std::move(ys), rp),
                         "ResponderSession::Start");
  std::string message2 = responder->TakeStartResponse();
  t.step[1] = Seconds(at);
  t.bytes[1] = message2.size();
  at = std::chrono::steady_clock::now();
  std::string message3 = OrDie(initiator->HandleStartResponse(message2), "HandleStartResponse");
  std::string().swap(message2);
  t.step[2] = Seconds(at);
  t.bytes[2] = message3.size();
  at = std::chrono::steady_clock::now();
  auto finish = OrDie(responder->HandleFinish(message3), "HandleFinish");
  t.step[3] = Seconds(at);
  t.bytes[3] = finish.message.size();
  t.responder = finish.outcome.own;
  at = std::chrono::steady_clock::now();
  t.initiator = OrDie(initiator->HandleFinishResponse(finish.message), "HandleFinishResponse");
  t.step[4] = Seconds(at);
  t.total = Seconds(start);
  return t;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Every shared child in one pair on each side: certain or probable when
// PGN or name keys take part, possible with weak keys alone.
void CheckResult(const Timed& t, size_t shared, uint8_t key_mask) {
  const bool strong = (key_mask & (schema::kKeyTypePgn | schema::kKeyTypeName)) != 0;
  const wire::MatchCounts want = strong ? wire::MatchCounts{static_cast<uint32_t>(shared), 0}
                                        : wire::MatchCounts{0, static_cast<uint32_t>(shared)};
  if (t.initiator.own != want || t.responder != want || t.initiator.pairs.size() != shared) {
    std::fprintf(stderr,
                 "WRONG RESULT: initiator %u strong + %u possible in %zu pairs, responder %u + "
                 "%u; expected %u + %u in %zu pairs\n",
                 t.initiator.own.strong, t.initiator.own.possible, t.initiator.pairs.size(),
                 t.responder.strong, t.responder.possible, want.strong, want.possible, shared);
    std::exit(1);
  }
}

// What the inputs handed to both sessions occupy: the structs and the key
// strings that do not fit the small-string buffer.
size_t InputBytes(const std::vector<PsiInput>& inputs) {
  size_t bytes = inputs.size() * sizeof(PsiInput);
  for (const PsiInput& input : inputs) {
    for (const auto& key : input.keys) {
      if (key && key->size() > 15) bytes += key->capacity() + 1;
    }
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  uint8_t key_mask = schema::kKeyTypePgn;
  std::string keys_text = "pgn";
  std::vector<std::string_view> positional;
  for (int k = 1; k < argc; ++k) {
    const std::string_view arg = argv[k];
    if (arg == "--keys" && k + 1 < argc) {
      keys_text = argv[++k];
      key_mask = ParseKeys(keys_text);
    } else if (arg.starts_with("--keys=")) {
      keys_text = std::string(arg.substr(7));
      key_mask = ParseKeys(keys_text);
    } else if (arg.starts_with("-")) {
      key_mask = 0;
      break;
    } else {
      positional.push_back(arg);
    }
  }
  if (key_mask == 0 || positional.size() > 2) {
    std::fprintf(stderr,
                 "usage: psi_session_bench [--keys pgn|name|weak|pgn,name,weak|all] [N] [ROUNDS]\n"
                 "       (defaults: --keys pgn, N 100000, ROUNDS 3)\n");
    return 2;
  }
  const size_t n = positional.size() > 0
                       ? std::strtoull(std::string(positional[0]).c_str(), nullptr, 10)
                       : 100'000;
  const size_t reps =
      positional.size() > 1
          ? std::max<size_t>(1, std::strtoull(std::string(positional[1]).c_str(), nullptr, 10))
          : 3;
  if (n < 2) {
    std::fprintf(stderr, "N must be at least 2\n");
    return 2;
  }
  const size_t k = wire::SlotCount(key_mask);
  const ListPair lists = MakeListPair(n, n, n / 2, 77);
  const std::vector<PsiInput> xs = MakeInputs(lists.initiator, kInitiatorSide);
  const std::vector<PsiInput> ys = MakeInputs(lists.responder, kResponderSide);
  const std::vector<std::string> slots = AllSlots(xs, ys, key_mask);

  // Peak memory of one protocol run: reset the high-water mark (Linux: "5"
  // to clear_refs) and subtract what the fixtures hold.
  const long rss_before = ProcStatusKb("VmRSS:");
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
  }
  Timed warm = TimedRun(xs, ys, key_mask, 2);
  CheckResult(warm, n / 2, key_mask);
  const long hwm = ProcStatusKb("VmHWM:");
  const double records = static_cast<double>(n);
  std::printf(
      "psi_session_bench: n=%zu x %zu, match mode, key types %s (key mask %u, %zu slot%s a "
      "record), both sides in-process, 2 threads each, %zu rounds\n",
      n, n, keys_text.c_str(), key_mask, k, k == 1 ? "" : "s", reps);
  std::printf(
      "  bytes on the wire per record: initiator %.1f (messages 1 + 3), responder %.1f "
      "(messages 2 + 4); the points and tags alone are 48 x %zu = %zu\n",
      static_cast<double>(warm.bytes[0] + warm.bytes[2]) / records,
      static_cast<double>(warm.bytes[1] + warm.bytes[3]) / records, k, 48 * k);
  std::printf("  messages: 1 %zu, 2 %zu, 3 %zu, 4 %zu bytes\n", warm.bytes[0], warm.bytes[1],
              warm.bytes[2], warm.bytes[3]);
  std::printf(
      "  peak RSS of one run above the fixtures: %.1f MB = %.0f bytes per record per node\n"
      "  (counts the copies of the inputs handed to both sessions, %.0f bytes a record,\n"
      "  and this program's copies of messages 2 and 3)\n",
      static_cast<double>(hwm - rss_before) / 1024.0,
      static_cast<double>(hwm - rss_before) * 1024.0 / (2.0 * records),
      static_cast<double>(InputBytes(xs) + InputBytes(ys)) / (2.0 * records));
  warm = {};

  // Alternate the bare crypto and the protocol so that machine noise (other
  // jobs on the 2 cores) hits both alike; compare medians.
  std::vector<double> bare_1t, bare_2t, protocol, ratio_2t, ratio_1t;
  const size_t sample = std::min<size_t>(n * k, 10000);
  for (size_t r = 0; r < reps; ++r) {
    const crypto::Scalar s = crypto::Scalar::Random();
    auto bare_start = std::chrono::steady_clock::now();
    wire::PointBytes sink{};
    for (size_t j = 0; j < sample; ++j) {
      if (!BareSlot(slots[j], s, sink)) {
        std::fprintf(stderr, "bare crypto failed\n");
        return 1;
      }
    }
    // One side's n·k slots (H2G + 2 mult each) on one thread, scaled from
    // the sample.
    bare_1t.push_back(Seconds(bare_start) * records * static_cast<double>(k) /
                      static_cast<double>(sample));
    bare_2t.push_back(BareSeconds(slots, 2));
    const Timed t = TimedRun(xs, ys, key_mask, 2);
    CheckResult(t, n / 2, key_mask);
    protocol.push_back(t.total);
    ratio_2t.push_back(t.total / bare_2t.back());
    ratio_1t.push_back(t.total / bare_1t.back());  // = wall / (2 sides x 1-thread cost / 2 threads)
    std::printf(
        "  round %zu: protocol %.2f s (Create %.2f, Start %.2f, HandleStartResponse %.2f, "
        "HandleFinish %.2f, HandleFinishResponse %.3f); bare both sides 2 threads %.2f s; bare "
        "one side 1 thread %.2f s (%.1f us/slot)\n",
        r, t.total, t.step[0], t.step[1], t.step[2], t.step[3], t.step[4], bare_2t.back(),
        bare_1t.back(), bare_1t.back() * 1e6 / (records * static_cast<double>(k)));
  }
  std::printf(
      "  medians: protocol %.2f s; bare both sides on 2 threads %.2f s; bare one side 1 thread "
      "%.2f s\n"
      "  ratio protocol / bare(both sides, 2 threads), median of rounds: %.2f\n"
      "  ratio protocol / (2 x bare one side 1 thread / 2), median of rounds: %.2f\n",
      Median(protocol), Median(bare_2t), Median(bare_1t), Median(ratio_2t), Median(ratio_1t));
  return 0;
}
