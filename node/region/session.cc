#include "node/region/session.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

#include "crypto/bytes.h"
#include "node/psi/parallel.h"
#include "node/psi/session.h"
#include "schema/match_keys.h"
#include "schema/wire.h"

namespace inbeeld::node::region {
namespace {

using Points = std::vector<std::array<uint8_t, crypto::kPointSize>>;
namespace rw = schema::region_wire;

std::set<size_t> NodesOf(uint16_t mask) {
  std::set<size_t> out;
  for (size_t i = 0; i < kMaxRegionNodes; ++i) {
    if ((mask >> i) & 1u) out.insert(i);
  }
  return out;
}

uint16_t MaskOf(const std::set<size_t>& nodes) {
  uint16_t mask = 0;
  for (size_t i : nodes) mask = static_cast<uint16_t>(mask | (1u << i));
  return mask;
}

// Moves the groups into a uniformly random order (categories along): a new
// order that says nothing about the old one.
void ShuffleGroups(BlindedSet& set) {
  const auto n = static_cast<uint32_t>(set.groups());
  for (uint32_t i = n; i > 1; --i) {
    const uint32_t j = randombytes_uniform(i);
    std::swap(set.categories[i - 1], set.categories[j]);
    std::swap_ranges(set.points.begin() + static_cast<std::ptrdiff_t>((i - 1) * set.k),
                     set.points.begin() + static_cast<std::ptrdiff_t>(i * set.k),
                     set.points.begin() + static_cast<std::ptrdiff_t>(j * set.k));
  }
}

}  // namespace

std::vector<rw::SetView> WireSets(const std::vector<BlindedSet>& sets) {
  std::vector<rw::SetView> out;
  out.reserve(sets.size());
  for (const BlindedSet& s : sets) {
    rw::SetView v;
    v.origin = static_cast<uint8_t>(s.origin);
    v.blinded_by = MaskOf(s.blinded_by);
    v.groups = static_cast<uint32_t>(s.groups());
    v.points = schema::wire::PointView(s.points.empty() ? nullptr : s.points.front().data(),
                                       s.points.size());
    v.categories = s.categories;
    out.push_back(v);
  }
  return out;
}

// Copies the sets out of the message; every point must decode. The decoding
// (a field exponentiation a point, about a fifth of a scalar
// multiplication) runs on `threads` threads.
Result<std::vector<BlindedSet>> CheckedSets(std::span<const rw::SetView> views, size_t k,
                                            unsigned threads) {
  std::vector<BlindedSet> sets;
  sets.reserve(views.size());
  for (const rw::SetView& v : views) {
    BlindedSet s;
    s.origin = v.origin;
    s.blinded_by = NodesOf(v.blinded_by);
    s.k = k;
    s.categories.assign(v.categories.begin(), v.categories.end());
    s.points.resize(v.points.size());
    if (!s.points.empty()) std::memcpy(s.points.data(), v.points.data(), v.points.bytes().size());
    const size_t bad = psi::ParallelFor(s.points.size(), threads, [&](size_t begin, size_t end) {
      for (size_t n = begin; n < end; ++n) {
        if (!crypto::Point::Decode(s.points[n])) return n;
      }
      return end;
    });
    if (bad != s.points.size()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "region message: set " + std::to_string(s.origin) + ": invalid point");
    }
    // As in a PSI session, no key may stand for more than kMaxKeyRepeats
    // children of one list: it keeps the count linear in the list sizes.
    Points sorted = s.points;
    std::sort(sorted.begin(), sorted.end());
    size_t run = 1;
    for (size_t n = 1; n < sorted.size(); ++n) {
      run = sorted[n] == sorted[n - 1] ? run + 1 : 1;
      if (run > node::psi::kMaxKeyRepeats) {
        return Fail(ErrorCode::kInvalidArgument, "region message: set " + std::to_string(s.origin) +
                                                     ": one point stands for too many children");
      }
    }
    sets.push_back(std::move(s));
  }
  return sets;
}

namespace {

// Multiplies every point by `k` on `threads` threads, then shuffles the
// groups. Touches nothing but `set`: callers run it outside any lock.
Status Blind(BlindedSet& set, size_t self, const crypto::Scalar& k, unsigned threads) {
  const size_t bad = psi::ParallelFor(set.points.size(), threads, [&](size_t begin, size_t end) {
    for (size_t n = begin; n < end; ++n) {
      if (!crypto::MultiplyRaw(set.points[n], k, set.points[n])) return n;
    }
    return end;
  });
  if (bad != set.points.size()) {
    return Fail(ErrorCode::kInvalidArgument, "region message: invalid point");
  }
  ShuffleGroups(set);
  set.blinded_by.insert(self);
  return {};
}

// Hashes each key to the group (a random point where there is none),
// multiplies by `k` and shuffles the groups, on `threads` threads: this
// node's set, blinded by itself. Touches no state of the node.
Result<BlindedSet> BlindOwnList(const OwnList& list, size_t self, const crypto::Scalar& k,
                                unsigned threads) {
  BlindedSet s;
  s.origin = self;
  s.blinded_by = {self};
  s.k = list.k;
  s.categories = list.categories;
  s.points.resize(list.keys.size());
  const auto dst =
      std::span(reinterpret_cast<const uint8_t*>(kRegionDst.data()), kRegionDst.size());
  const size_t bad = psi::ParallelFor(list.keys.size(), threads, [&](size_t begin, size_t end) {
    for (size_t n = begin; n < end; ++n) {
      Result<crypto::Point> point = Fail(ErrorCode::kInternal, "");
      if (const auto& key = list.keys[n]) {
        point = crypto::Point::HashToGroup(
            std::span(reinterpret_cast<const uint8_t*>(key->data()), key->size()), dst);
      } else {
        // No key of this kind: a random point, which matches nothing.
        std::array<uint8_t, crypto::kUniformBytesSize> uniform;
        randombytes_buf(uniform.data(), uniform.size());
        point = crypto::Point::FromUniformBytes(uniform);
      }
      if (!point || !crypto::MultiplyRaw(point->Encode(), k, s.points[n])) return n;
    }
    return end;
  });
  if (bad != list.keys.size())
    return Fail(ErrorCode::kInternal, "blinding this node's list failed");
  ShuffleGroups(s);
  return s;
}

// Children across all lists: groups of different lists that share a key
// are linked at the weaker of the two slots' strengths; groups linked by
// certain or probable keys are one child (connected components), and a
// possible link between two children is counted, never merged. Groups of one
// list are never merged, not even through a third list's group (the list
// holds each child once: twins share weak keys); such a link counts as
// possible. A point in at most kMaxKeyRepeats groups of a set (CheckedSets)
// keeps this linear. A child's category is the one the first list holding it reports,
// in participant order (the coordinator's first).
RegionalCounts Tally(const std::vector<BlindedSet>& done, const std::vector<std::string>& names,
                     uint8_t key_mask) {
  RegionalCounts c;
  c.participants = names;
  c.list_sizes.assign(names.size(), 0);
  const std::vector<size_t> slots = schema::wire::GroupSlots(key_mask);
  const size_t k = slots.size();
  // Nodes: every group of every list, numbered list by list in origin order.
  std::vector<const BlindedSet*> by_origin(names.size(), nullptr);
  for (const auto& s : done) by_origin[s.origin] = &s;
  std::vector<size_t> first(names.size() + 1, 0);
  for (size_t o = 0; o < names.size(); ++o) {
    c.list_sizes[o] = by_origin[o] ? by_origin[o]->groups() : 0;
    first[o + 1] = first[o] + c.list_sizes[o];
  }
  const size_t nodes = first[names.size()];
  std::vector<size_t> parent(nodes);
  for (size_t v = 0; v < nodes; ++v) parent[v] = v;
  auto find = [&](size_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  std::vector<size_t> origin_of(nodes);
  std::vector<uint8_t> category_of(nodes);
  struct Holder {
    size_t node;
    size_t position;
  };
  std::map<std::array<uint8_t, crypto::kPointSize>, std::vector<Holder>> holders;
  for (size_t o = 0; o < names.size(); ++o) {
    if (!by_origin[o]) continue;
    const BlindedSet& s = *by_origin[o];
    for (size_t g = 0; g < s.groups(); ++g) {
      const size_t v = first[o] + g;
      origin_of[v] = o;
      category_of[v] = s.categories[g];
      for (size_t p = 0; p < k; ++p) holders[s.points[g * k + p]].push_back({v, p});
    }
  }
  // The lists each component holds a group of (participants <= 16).
  std::vector<uint32_t> origins(nodes);
  for (size_t v = 0; v < nodes; ++v) origins[v] = uint32_t{1} << origin_of[v];
  std::vector<std::pair<size_t, size_t>> possible_links, ambiguous_links;
  for (const auto& [point, hs] : holders) {
    for (size_t x = 0; x < hs.size(); ++x) {
      for (size_t y = x + 1; y < hs.size(); ++y) {
        if (origin_of[hs[x].node] == origin_of[hs[y].node]) continue;
        const schema::Strength strength = std::max(schema::SlotStrength(slots[hs[x].position]),
                                                   schema::SlotStrength(slots[hs[y].position]));
        const size_t a = find(hs[x].node), b = find(hs[y].node);
        if (a == b) continue;
        // Two children of one list never become one child, not even through
        // a third list's group: such a link only says "possibly the same".
        if (strength == schema::Strength::kPossible) {
          possible_links.emplace_back(hs[x].node, hs[y].node);
        } else if ((origins[a] & origins[b]) != 0) {
          ambiguous_links.emplace_back(hs[x].node, hs[y].node);
        } else {
          parent[a] = b;
          origins[b] |= origins[a];
        }
      }
    }
  }
  std::map<size_t, std::set<size_t>> lists_of;  // component -> origins
  std::map<size_t, uint8_t> category;           // component -> category of its first list
  for (size_t v = 0; v < nodes; ++v) {
    const size_t root = find(v);
    lists_of[root].insert(origin_of[v]);
    if (!category.contains(root)) category[root] = category_of[v];  // nodes go in origin order
  }
  c.distinct = lists_of.size();
  c.single_list = static_cast<uint64_t>(std::count_if(
      lists_of.begin(), lists_of.end(), [](const auto& e) { return e.second.size() == 1; }));
  // As in a PSI session, a possible link next to a certain or probable one
  // is a matched child's twin or sibling, not a doubt: only links between
  // children found on one list each count. A strong link refused because it
  // would have merged two children of one list is a doubt whatever else.
  std::set<size_t> uncertain;
  for (const auto& [x, y] : possible_links) {
    const size_t a = find(x), b = find(y);
    if (a != b && lists_of[a].size() == 1 && lists_of[b].size() == 1) {
      uncertain.insert(a);
      uncertain.insert(b);
    }
  }
  for (const auto& [x, y] : ambiguous_links) {
    const size_t a = find(x), b = find(y);
    if (a != b) {
      uncertain.insert(a);
      uncertain.insert(b);
    }
  }
  c.possible = uncertain.size();
  c.by_category.assign(4, 0);
  for (const auto& [root, code] : category) {
    if (code >= 1 && code <= 4) ++c.by_category[code - 1];
  }
  return c;
}

}  // namespace

// --- Participant ---------------------------------------------------------

ParticipantSession::ParticipantSession(Params params, OwnList own)
    : params_(std::move(params)), own_(std::move(own)), scalar_(crypto::Scalar::Random()) {}

ParticipantSession::~ParticipantSession() = default;

std::unexpected<Error> ParticipantSession::Failed(Error error) {
  state_ = State::kFailed;
  scalar_.reset();
  return std::unexpected(std::move(error));
}

Result<std::string> ParticipantSession::HandleHop(int round, std::vector<BlindedSet> sets) {
  if (state_ == State::kFailed) {
    return Fail(ErrorCode::kFailedPrecondition, "region hop: the session failed earlier");
  }
  if (round == 1 && state_ != State::kRound1) {
    return Failed({ErrorCode::kFailedPrecondition, "region hop: round 1 seen twice"});
  }
  if (round != 1 && (round != 2 || state_ != State::kRound2)) {
    return Failed({ErrorCode::kFailedPrecondition, "region hop: round 2 out of order"});
  }
  for (const BlindedSet& s : sets) {
    if (s.origin == params_.index) {
      return Failed(
          {ErrorCode::kInvalidArgument, "region hop: a set claims to come from this node"});
    }
    if (s.blinded_by.contains(params_.index)) {
      return Failed(
          {ErrorCode::kInvalidArgument, "region hop: a set is already blinded by this node"});
    }
    if (s.k != own_.k) {
      return Failed({ErrorCode::kInvalidArgument, "region hop: sets of another key mask"});
    }
  }
  size_t blinded = 0;
  if (round == 1) {
    auto own = BlindOwnList(own_, params_.index, *scalar_, params_.threads);
    if (!own) return Failed(own.error());
    sets.push_back(std::move(*own));
    ++blinded;
    // The keys are not needed again.
    own_.keys.clear();
    own_.keys.shrink_to_fit();
  }
  for (BlindedSet& s : sets) {
    if (s.origin == params_.index) continue;  // our own, just made
    if (auto ok = Blind(s, params_.index, *scalar_, params_.threads); !ok) {
      return Failed(ok.error());
    }
    ++blinded;
  }
  blinded_ += blinded;
  if (round == 2 || blinded_ >= params_.participants) {
    scalar_.reset();
    state_ = State::kResult;
  } else {
    state_ = State::kRound2;
  }
  return rw::EncodeReply(params_.session, WireSets(sets));
}

Status ParticipantSession::HandleResult(const RegionalCounts& counts) {
  if (state_ == State::kFailed) {
    return Fail(ErrorCode::kFailedPrecondition, "region result: the session failed earlier");
  }
  if (state_ != State::kResult) {
    return Failed({ErrorCode::kFailedPrecondition,
                   state_ == State::kDone
                       ? "region result: the result came already"
                       : "region result: this node has not blinded every set yet"});
  }
  if (counts.list_sizes.size() != params_.participants ||
      counts.list_sizes[params_.index] != own_.groups()) {
    return Failed(
        {ErrorCode::kInvalidArgument, "region result: does not match this node's list size"});
  }
  state_ = State::kDone;
  return {};
}

// --- Coordinator ---------------------------------------------------------

Result<std::unique_ptr<CoordinatorSession>> CoordinatorSession::Create(Params params,
                                                                       const OwnList& own) {
  const size_t n = params.names.size();
  if (n < kMinRegionNodes || n > kMaxRegionNodes || params.keys.size() != n ||
      params.max_set_size.size() != n) {
    return Fail(ErrorCode::kInvalidArgument,
                "region count: 3 to 16 nodes, each with a key and a list limit");
  }
  if (params.key_mask == 0 || params.key_mask > schema::kAllKeyTypes ||
      schema::wire::SlotCount(params.key_mask) != own.k ||
      own.keys.size() != own.groups() * own.k) {
    return Fail(ErrorCode::kInvalidArgument,
                "region count: the key mask does not fit this node's list");
  }
  if (!schema::wire::IsValidPurpose(params.purpose)) {
    return Fail(ErrorCode::kInvalidArgument,
                "region count: purpose must be 1..64 characters "
                "[a-z0-9._-]");
  }
  for (const std::string& name : params.names) {
    if (name.empty() || name.size() > rw::kMaxNameSize) {
      return Fail(ErrorCode::kInvalidArgument,
                  "region count: a node name is empty or longer than a result carries");
    }
  }
  crypto::Scalar k = crypto::Scalar::Random();
  auto set = BlindOwnList(own, 0, k, params.threads);
  if (!set) return std::unexpected(set.error());
  return std::unique_ptr<CoordinatorSession>(
      new CoordinatorSession(std::move(params), std::move(k), std::move(*set)));
}

CoordinatorSession::CoordinatorSession(Params params, crypto::Scalar scalar, BlindedSet own)
    : params_(std::move(params)), scalar_(std::move(scalar)), own_size_(own.groups()) {
  sets_.push_back(std::move(own));
}

CoordinatorSession::~CoordinatorSession() = default;

std::unexpected<Error> CoordinatorSession::Failed(Error error) {
  state_ = State::kFailed;
  scalar_.reset();
  return std::unexpected(std::move(error));
}

void CoordinatorSession::Harvest() {
  for (auto it = sets_.begin(); it != sets_.end();) {
    if (it->blinded_by.size() == params_.names.size()) {
      done_.push_back(std::move(*it));
      it = sets_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<CoordinatorSession::Hop> CoordinatorSession::NextHop() {
  if (state_ != State::kHop) {
    return Failed({ErrorCode::kFailedPrecondition, state_ == State::kAwaitingReply
                                                       ? "region count: a hop is still outstanding"
                                                       : "region count: no hop to send now"});
  }
  rw::HopHeader header;
  header.session_id = params_.session;
  header.purpose = params_.purpose;
  header.key_mask = params_.key_mask;
  header.round = static_cast<uint8_t>(round_);
  header.index = static_cast<uint8_t>(next_);
  header.participants = params_.keys;
  std::string body = rw::EncodeHop(header, WireSets(sets_));
  state_ = State::kAwaitingReply;
  return Hop{next_, std::move(body)};
}

Status CoordinatorSession::HandleReply(std::string_view reply) {
  if (state_ != State::kAwaitingReply) {
    return Failed({ErrorCode::kFailedPrecondition, "region count: a reply with no hop sent"});
  }
  const size_t n = params_.names.size();
  const size_t i = next_;
  const std::string peer = "peer " + params_.names[i];
  // The limit a set of any origin; each origin's own is checked below.
  size_t largest = 0;
  for (size_t limit : params_.max_set_size) largest = std::max(largest, limit);
  largest = std::min<size_t>(largest, UINT32_MAX);
  auto decoded = rw::DecodeReply(reply, n, params_.key_mask, static_cast<uint32_t>(largest));
  if (!decoded) return Failed(WithContext(decoded.error(), peer));
  if (decoded->session_id != params_.session) {
    return Failed({ErrorCode::kInvalidArgument, peer + ": region reply is for another session"});
  }
  auto next =
      CheckedSets(decoded->sets, schema::wire::SlotCount(params_.key_mask), params_.threads);
  if (!next) return Failed(WithContext(next.error(), peer));
  // No set may grow beyond what this node's policy takes from its origin.
  for (const BlindedSet& set : *next) {
    if (set.groups() > params_.max_set_size[set.origin]) {
      return Failed({ErrorCode::kResourceExhausted,
                     peer +
                         ": a list in the region reply exceeds the list size allowed for "
                         "peer \"" +
                         params_.names[set.origin] + "\""});
    }
  }
  // Every set must now carry i's blinding, and round 1 adds i's own list.
  const size_t expected = sets_.size() + (round_ == 1 ? 1 : 0);
  if (next->size() != expected ||
      !std::all_of(next->begin(), next->end(),
                   [&](const BlindedSet& s) { return s.blinded_by.contains(i); })) {
    return Failed({ErrorCode::kInvalidArgument, peer + ": region reply has the wrong sets"});
  }
  sets_ = std::move(*next);
  if (round_ == 1 && next_ + 1 < n) {
    ++next_;
  } else if (round_ == 1) {
    // Round 1 is over: blind every set but our own, then round 2 from 1.
    for (BlindedSet& s : sets_) {
      if (s.blinded_by.contains(0)) continue;
      if (auto ok = Blind(s, 0, *scalar_, params_.threads); !ok) return Failed(ok.error());
    }
    scalar_.reset();  // no longer needed
    Harvest();
    round_ = 2;
    next_ = 1;
  } else {
    Harvest();
    ++next_;
  }
  if (round_ == 2 && next_ + 1 >= n) {
    if (done_.size() != n || !sets_.empty()) {
      return Failed({ErrorCode::kInternal, "regional count ended with incomplete sets"});
    }
    counts_ = Tally(done_, params_.names, params_.key_mask);
    counts_.session = crypto::HexEncode(params_.session);
    done_.clear();
    state_ = State::kResult;
    return {};
  }
  state_ = State::kHop;
  return {};
}

Result<RegionalCounts> CoordinatorSession::Counts() const {
  if (state_ != State::kResult) {
    return Fail(ErrorCode::kFailedPrecondition, "region count: the figures are not known yet");
  }
  return counts_;
}

Result<std::string> CoordinatorSession::ResultMessage() const {
  if (state_ != State::kResult) {
    return Fail(ErrorCode::kFailedPrecondition, "region count: the figures are not known yet");
  }
  rw::ResultMessage result;
  result.session_id = params_.session;
  result.distinct = counts_.distinct;
  result.single_list = counts_.single_list;
  result.possible = counts_.possible;
  std::copy_n(counts_.by_category.begin(), rw::kCategories, result.by_category.begin());
  result.list_sizes = counts_.list_sizes;
  result.participants = params_.names;
  return rw::EncodeResult(result);
}

}  // namespace inbeeld::node::region
