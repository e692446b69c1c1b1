#include "node/psi/match_graph.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "node/psi/point_index.h"
#include "node/psi/session.h"

namespace inbeeld::node::psi {
namespace {

namespace wire = schema::wire;

// One tag of a list with where it came from, for the sort-merge join.
struct Entry {
  wire::TagBytes tag;
  uint32_t record;
  uint8_t position;  // position within the record's group
};

// The tags of a list sorted by (tag, record, strength of the position), with
// a record's repeats of one tag collapsed into its strongest position: an
// honest record never holds one key twice, and a hostile one must not turn
// one shared tag into (16 × k)² links.
std::vector<Entry> Entries(wire::TagView tags, std::span<const size_t> slots) {
  const size_t k = slots.size();
  std::vector<Entry> out(tags.size());
  for (size_t n = 0; n < tags.size(); ++n) {
    std::memcpy(out[n].tag.data(), tags[n].data(), wire::kTagSize);
    out[n].record = static_cast<uint32_t>(n / k);
    out[n].position = static_cast<uint8_t>(n % k);
  }
  std::sort(out.begin(), out.end(), [&](const Entry& x, const Entry& y) {
    if (int c = std::memcmp(x.tag.data(), y.tag.data(), wire::kTagSize); c != 0) return c < 0;
    if (x.record != y.record) return x.record < y.record;
    return schema::SlotStrength(slots[x.position]) < schema::SlotStrength(slots[y.position]);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Entry& x, const Entry& y) {
                          return x.record == y.record &&
                                 std::memcmp(x.tag.data(), y.tag.data(), wire::kTagSize) == 0;
                        }),
            out.end());
  return out;
}

// The end of the run of entries equal to out[begin]'s tag.
size_t RunEnd(const std::vector<Entry>& entries, size_t begin) {
  size_t end = begin + 1;
  while (end < entries.size() &&
         std::memcmp(entries[end].tag.data(), entries[begin].tag.data(), wire::kTagSize) == 0) {
    ++end;
  }
  return end;
}

// Refuses a list in which one tag belongs to more than kMaxKeyRepeats
// records. A run holds each record once (Entries collapsed the rest).
Status CheckRepeats(const std::vector<Entry>& entries, std::string_view message,
                    std::string_view list) {
  for (size_t begin = 0; begin < entries.size();) {
    const size_t end = RunEnd(entries, begin);
    const auto records = static_cast<uint32_t>(end - begin);
    if (records > kMaxKeyRepeats) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(message) + ": list " + std::string(list) + " holds one key in " +
                      std::to_string(records) + " records (at most " +
                      std::to_string(kMaxKeyRepeats) + " may share a key)");
    }
    begin = end;
  }
  return {};
}

schema::Strength Weaker(schema::Strength a, schema::Strength b) { return std::max(a, b); }

bool IsStrong(schema::Strength s) { return s != schema::Strength::kPossible; }

wire::MatchCounts Count(const std::vector<Link>& links, size_t records, bool left) {
  // 0: no pair, 1: possible only, 2: strong.
  std::vector<uint8_t> state(records, 0);
  for (const Link& link : links) {
    uint8_t& s = state[left ? link.left : link.right];
    s = std::max<uint8_t>(s, IsStrong(link.strength) ? 2 : 1);
  }
  wire::MatchCounts counts;
  for (uint8_t s : state) {
    if (s == 2) ++counts.strong;
    if (s == 1) ++counts.possible;
  }
  return counts;
}

}  // namespace

Result<MatchGraph> BuildMatchGraph(wire::TagView left, wire::TagView right,
                                   std::span<const size_t> slots, std::string_view message,
                                   std::string_view left_name, std::string_view right_name) {
  const size_t k = slots.size();
  const std::vector<Entry> l = Entries(left, slots);
  INBEELD_RETURN_IF_ERROR(CheckRepeats(l, message, left_name));
  const std::vector<Entry> r = Entries(right, slots);
  INBEELD_RETURN_IF_ERROR(CheckRepeats(r, message, right_name));

  std::vector<Link> links;
  size_t i = 0, j = 0;
  while (i < l.size() && j < r.size()) {
    const int c = std::memcmp(l[i].tag.data(), r[j].tag.data(), wire::kTagSize);
    if (c < 0) {
      i = RunEnd(l, i);
    } else if (c > 0) {
      j = RunEnd(r, j);
    } else {
      const size_t i_end = RunEnd(l, i), j_end = RunEnd(r, j);
      for (size_t x = i; x < i_end; ++x) {
        for (size_t y = j; y < j_end; ++y) {
          links.push_back(Link{l[x].record, r[y].record,
                               Weaker(schema::SlotStrength(slots[l[x].position]),
                                      schema::SlotStrength(slots[r[y].position]))});
        }
      }
      i = i_end;
      j = j_end;
    }
  }
  // One link per pair, the strongest (Strength orders certain first).
  std::sort(links.begin(), links.end(), [](const Link& x, const Link& y) {
    if (x.left != y.left) return x.left < y.left;
    if (x.right != y.right) return x.right < y.right;
    return x.strength < y.strength;
  });
  links.erase(std::unique(links.begin(), links.end(),
                          [](const Link& x, const Link& y) {
                            return x.left == y.left && x.right == y.right;
                          }),
              links.end());

  // A possible pair next to a strong one is a twin or sibling: dropped.
  const size_t left_records = left.size() / k, right_records = right.size() / k;
  std::vector<bool> left_strong(left_records, false), right_strong(right_records, false);
  for (const Link& link : links) {
    if (IsStrong(link.strength)) left_strong[link.left] = right_strong[link.right] = true;
  }
  std::erase_if(links, [&](const Link& link) {
    return !IsStrong(link.strength) && (left_strong[link.left] || right_strong[link.right]);
  });

  MatchGraph graph;
  graph.left_counts = Count(links, left_records, true);
  graph.right_counts = Count(links, right_records, false);
  graph.links = std::move(links);
  return graph;
}

std::vector<uint32_t> LeftInPairs(const MatchGraph& graph) {
  std::vector<uint32_t> out;
  for (const Link& link : graph.links) {
    if (out.empty() || out.back() != link.left) out.push_back(link.left);
  }
  return out;
}

std::vector<uint32_t> RightInPairs(const MatchGraph& graph) {
  std::vector<uint32_t> out;
  out.reserve(graph.links.size());
  for (const Link& link : graph.links) out.push_back(link.right);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string PairCode(const wire::SessionId& session_id, uint32_t left, uint32_t right,
                     uint8_t attempt) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford
  static constexpr char kLabel[] = "inbeeld-pair-v2";
  uint8_t msg[sizeof(kLabel) - 1 + 9];
  std::memcpy(msg, kLabel, sizeof(kLabel) - 1);
  uint8_t* p = msg + sizeof(kLabel) - 1;
  for (int s = 24; s >= 0; s -= 8) *p++ = static_cast<uint8_t>(left >> s);
  for (int s = 24; s >= 0; s -= 8) *p++ = static_cast<uint8_t>(right >> s);
  *p = attempt;
  EnsureSodiumReady();
  uint8_t out[16];
  crypto_generichash(out, sizeof(out), msg, sizeof(msg), session_id.data(), session_id.size());
  const uint32_t bits = (uint32_t{out[0]} << 22) | (uint32_t{out[1]} << 14) |
                        (uint32_t{out[2]} << 6) | (uint32_t{out[3]} >> 2);  // 30 bits
  std::string code;
  for (int n = 5; n >= 0; --n) {
    code.push_back(kAlphabet[(bits >> (5 * n)) & 31]);
    if (n == 3) code.push_back('-');
  }
  return code;
}

std::vector<std::string> PairCodes(const wire::SessionId& session_id, std::span<const Link> links) {
  std::vector<std::string> codes;
  codes.reserve(links.size());
  std::set<std::string> used;
  for (const Link& link : links) {
    std::string code;
    for (unsigned attempt = 0;; ++attempt) {
      code = PairCode(session_id, link.left, link.right, static_cast<uint8_t>(attempt));
      // 2^30 codes: a session of 100,000 pairs has about five repeats, each
      // drawn again; 256 attempts in a row do not all collide.
      if (!used.contains(code) || attempt == 255) break;
    }
    used.insert(code);
    codes.push_back(std::move(code));
  }
  return codes;
}

}  // namespace inbeeld::node::psi
