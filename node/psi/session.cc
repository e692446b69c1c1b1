#include "node/psi/session.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "node/psi/match_graph.h"
#include "node/psi/parallel.h"
#include "node/psi/point_index.h"
#include "node/psi/records.h"

namespace inbeeld::node::psi {
namespace {

namespace wire = schema::wire;

using Tags = std::vector<wire::TagBytes>;

// Sessions move through these steps; any rejected message moves them to
// kFailed, from which nothing is accepted.
enum class Step { kAwaitingStartResponse, kAwaitingFinish, kDone, kFailed };

std::string StepProblem(Step step) {
  switch (step) {
    case Step::kAwaitingStartResponse:
      return "message 2 has not been handled yet";
    case Step::kAwaitingFinish:
      return "message 2 was already handled";
    case Step::kDone:
      return "the session has already finished";
    case Step::kFailed:
      return "the session failed earlier";
  }
  return "wrong state";
}

std::unexpected<Error> WrongState(std::string_view message, Step step) {
  return Fail(ErrorCode::kFailedPrecondition,
              std::string(message) + " not accepted: " + StepProblem(step));
}

std::string MaskText(uint8_t mask) { return std::to_string(mask); }

wire::TagView ViewOf(const Tags& tags) {
  return wire::TagView(reinterpret_cast<const uint8_t*>(tags.data()), tags.size());
}

// Positions within a group of `offered` key types that belong to `agreed`.
std::vector<size_t> AgreedPositions(uint8_t offered, uint8_t agreed) {
  const std::vector<size_t> slots = wire::GroupSlots(offered);
  std::vector<size_t> positions;
  for (size_t p = 0; p < slots.size(); ++p) {
    if (agreed & schema::SlotKeyType(slots[p])) positions.push_back(p);
  }
  return positions;
}

// Checks received label entries against the records of the sender that are
// in a pair by this side's own computation: `in_pairs` increasing, in the
// sender's record numbering; `records` bounds the indices.
Status CheckLabelEntries(std::string_view message, std::span<const wire::LabelEntry> entries,
                         uint8_t agreed_mask, std::span<const uint32_t> in_pairs, size_t records,
                         std::string_view list) {
  for (size_t k = 0; k < entries.size(); ++k) {
    const uint32_t index = entries[k].index;
    const std::string where = std::string(message) + ": label entry " + std::to_string(k);
    if (index >= records) {
      return Fail(ErrorCode::kInvalidArgument, where + ": index " + std::to_string(index) +
                                                   " is out of range (list " + std::string(list) +
                                                   " has " + std::to_string(records) + " records)");
    }
    if (!std::binary_search(in_pairs.begin(), in_pairs.end(), index)) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + ": index " + std::to_string(index) +
                      " is not a record in a pair (labels travel only for matches)");
    }
  }
  const size_t expected = agreed_mask == 0 ? 0 : in_pairs.size();
  if (entries.size() != expected) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(message) + ": " + std::to_string(entries.size()) +
                    " label entries, expected " + std::to_string(expected) + " (" +
                    std::to_string(in_pairs.size()) + " records in a pair, label mask " +
                    MaskText(agreed_mask) + ")");
  }
  return {};
}

std::string CountsText(const wire::MatchCounts& c) {
  return std::to_string(c.strong) + " strong + " + std::to_string(c.possible) + " possible";
}

// The pairs of one side, from the graph: `own_left` tells whether this side
// is the graph's left (the initiator). `order` maps this side's record
// numbers to local indices; `peer_labels` are the entries received, by the
// peer's record number.
std::vector<MatchedPair> Pairs(const wire::SessionId& session_id, const MatchGraph& graph,
                               bool own_left, std::span<const uint32_t> order,
                               std::vector<wire::LabelEntry>& peer_labels) {
  const std::vector<std::string> codes = PairCodes(session_id, graph.links);
  std::vector<MatchedPair> pairs;
  pairs.reserve(graph.links.size());
  for (size_t n = 0; n < graph.links.size(); ++n) {
    const Link& link = graph.links[n];
    const uint32_t own = own_left ? link.left : link.right;
    const uint32_t peer = own_left ? link.right : link.left;
    MatchedPair pair{.local_index = order[own],
                     .peer_record = peer,
                     .strength = link.strength,
                     .pair_code = codes[n],
                     .peer_labels = {}};
    auto it =
        std::lower_bound(peer_labels.begin(), peer_labels.end(), peer,
                         [](const wire::LabelEntry& e, uint32_t index) { return e.index < index; });
    if (it != peer_labels.end() && it->index == peer) pair.peer_labels = it->labels;
    pairs.push_back(std::move(pair));
  }
  std::sort(pairs.begin(), pairs.end(), [](const MatchedPair& x, const MatchedPair& y) {
    return x.local_index != y.local_index ? x.local_index < y.local_index
                                          : x.peer_record < y.peer_record;
  });
  return pairs;
}

// For each point of `points`, the first position holding the same bytes.
std::vector<uint32_t> EqualityClasses(wire::PointView points) {
  std::vector<uint32_t> order(points.size());
  for (uint32_t p = 0; p < order.size(); ++p) order[p] = p;
  auto less = [&](uint32_t x, uint32_t y) {
    const int c = std::memcmp(points[x].data(), points[y].data(), wire::kPointSize);
    return c != 0 ? c < 0 : x < y;
  };
  std::sort(order.begin(), order.end(), less);
  std::vector<uint32_t> cls(points.size());
  for (size_t n = 0; n < order.size(); ++n) {
    const bool same = n > 0 && std::memcmp(points[order[n]].data(), points[order[n - 1]].data(),
                                           wire::kPointSize) == 0;
    cls[order[n]] = same ? cls[order[n - 1]] : order[n];
  }
  return cls;
}

// OK iff the tags of D are equal exactly where B's points are (`b_class`).
Status CheckMirrorsB(std::string_view message, wire::TagView d, std::span<const uint32_t> b_class) {
  std::vector<uint32_t> order(d.size());
  for (uint32_t p = 0; p < order.size(); ++p) order[p] = p;
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    const int c = std::memcmp(d[x].data(), d[y].data(), wire::kTagSize);
    return c != 0 ? c < 0 : x < y;
  });
  std::vector<bool> class_seen(d.size(), false);
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() &&
           std::memcmp(d[order[end]].data(), d[order[begin]].data(), wire::kTagSize) == 0) {
      ++end;
    }
    const uint32_t cls = b_class[order[begin]];
    bool ok = !class_seen[cls];
    for (size_t n = begin + 1; ok && n < end; ++n) ok = b_class[order[n]] == cls;
    if (!ok) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(message) +
                      ": list D is not list B blinded: its tags are not equal exactly where B's "
                      "points are (around position " +
                      std::to_string(order[begin]) + ")");
    }
    class_seen[cls] = true;
    begin = end;
  }
  return {};
}

void RandomSessionId(wire::SessionId& id) {
  EnsureSodiumReady();
  randombytes_buf(id.data(), id.size());
}

void RandomSeed(std::array<uint8_t, 32>& seed) {
  EnsureSodiumReady();
  randombytes_buf(seed.data(), seed.size());
}

}  // namespace

// ================================================================ initiator

struct InitiatorSession::State {
  explicit State(crypto::Scalar s) : scalar(std::move(s)) {}

  Step step = Step::kAwaitingStartResponse;
  wire::Mode mode = wire::Mode::kMatch;
  uint8_t offered_mask = 0;
  uint8_t offered_keys = 0;
  uint32_t max_peer_list_size = 0;
  uint32_t min_peer_list_size = 0;
  unsigned threads = 1;
  wire::SessionId session_id{};
  std::optional<crypto::Scalar> scalar;  // a; wiped once D is computed
  std::vector<uint32_t> order;           // record of A → local index
  std::vector<uint32_t> count_order;     // count mode: record of B sent as D's group g
  std::vector<PackedLabels> labels;      // by local index; empty without labels
  std::string message1;

  // Known after message 2.
  uint8_t agreed_mask = 0;
  uint8_t agreed_keys = 0;
  schema::Date peer_list_date{};
  uint32_t peer_list_size = 0;
  MatchGraph graph;  // left: C's records, right: B's records

  Result<std::string> HandleStartResponse(std::string_view message);
  Result<Outcome> HandleFinishResponse(std::string_view message);
};

Result<std::unique_ptr<InitiatorSession>> InitiatorSession::Create(std::vector<PsiInput> inputs,
                                                                   InitiatorParams params) {
  Determinism determinism{.session_id = {},
                          .scalar = crypto::Scalar::Random(),
                          .order = {},
                          .count_order = {},
                          .filler_seed = {}};
  RandomSessionId(determinism.session_id);
  RandomSeed(determinism.filler_seed);
  if (inputs.size() < std::numeric_limits<uint32_t>::max()) {
    determinism.order = RandomPermutation(static_cast<uint32_t>(inputs.size()));
  }
  return CreateForTesting(std::move(inputs), std::move(params), std::move(determinism));
}

Result<std::unique_ptr<InitiatorSession>> InitiatorSession::CreateForTesting(
    std::vector<PsiInput> inputs, InitiatorParams params, Determinism determinism) {
  if (inputs.empty()) return Fail(ErrorCode::kInvalidArgument, "the list to match is empty");
  if (inputs.size() >= std::numeric_limits<uint32_t>::max() / schema::kSlotCount) {
    return Fail(ErrorCode::kInvalidArgument, "the list to match is too long");
  }
  if (params.mode != wire::Mode::kMatch && params.mode != wire::Mode::kCount) {
    return Fail(ErrorCode::kInvalidArgument, "unknown mode");
  }
  if (!wire::IsValidPurpose(params.purpose)) {
    return Fail(ErrorCode::kInvalidArgument, "purpose must be 1..64 characters [a-z0-9._-]");
  }
  if ((params.label_mask & ~wire::kAllLabels) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "label mask has unknown bits");
  }
  if (params.key_mask == 0 || (params.key_mask & ~schema::kAllKeyTypes) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "key mask must name 1 to 3 known key types");
  }
  // Count mode exchanges no labels, whatever the caller would allow.
  if (params.mode == wire::Mode::kCount) params.label_mask = 0;
  if (!schema::IsValidDate(params.list_date)) {
    return Fail(ErrorCode::kInvalidArgument, "list date is not a valid date in 1900..2100");
  }
  INBEELD_RETURN_IF_ERROR(CheckInputs(inputs, params.label_mask));
  INBEELD_RETURN_IF_ERROR(CheckPermutation(determinism.order, inputs.size()));

  auto state = std::make_unique<State>(std::move(determinism.scalar));
  state->mode = params.mode;
  state->offered_mask = params.label_mask;
  state->offered_keys = params.key_mask;
  state->max_peer_list_size = params.max_peer_list_size;
  state->min_peer_list_size = params.min_peer_list_size;
  state->threads = ResolveThreads(params.threads);
  state->session_id = determinism.session_id;
  state->order = std::move(determinism.order);
  state->count_order = std::move(determinism.count_order);
  const auto n = static_cast<uint32_t>(inputs.size());

  // Message 1: A, one group of blinded keys a record, straight into the message.
  const wire::StartHeader header{.session_id = state->session_id,
                                 .mode = params.mode,
                                 .purpose = params.purpose,
                                 .label_mask = params.label_mask,
                                 .key_mask = params.key_mask,
                                 .list_date = params.list_date,
                                 .list_size = n};
  wire::MutablePointView a = wire::BeginStartRequest(header, state->message1);
  const std::vector<size_t> slots = wire::GroupSlots(params.key_mask);
  INBEELD_RETURN_IF_ERROR(HashAndBlind(inputs, state->order, slots, determinism.filler_seed,
                                       *state->scalar, a, state->threads));
  sodium_memzero(determinism.filler_seed.data(), determinism.filler_seed.size());
  if (params.label_mask != 0) {
    state->labels.reserve(n);
    for (const PsiInput& input : inputs) {
      state->labels.push_back(PackLabels(input.labels, params.label_mask));
    }
  }
  return std::unique_ptr<InitiatorSession>(new InitiatorSession(std::move(state)));
}

InitiatorSession::InitiatorSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
InitiatorSession::~InitiatorSession() = default;

const wire::SessionId& InitiatorSession::session_id() const { return state_->session_id; }
const std::string& InitiatorSession::StartMessage() const { return state_->message1; }

Result<std::string> InitiatorSession::HandleStartResponse(std::string_view message) {
  Result<std::string> result = state_->HandleStartResponse(message);
  if (!result && state_->step != Step::kDone) state_->step = Step::kFailed;
  return result;
}

Result<Outcome> InitiatorSession::HandleFinishResponse(std::string_view message) {
  Result<Outcome> result = state_->HandleFinishResponse(message);
  if (!result && state_->step != Step::kDone) state_->step = Step::kFailed;
  return result;
}

Result<std::string> InitiatorSession::State::HandleStartResponse(std::string_view message) {
  constexpr std::string_view kName = "StartResponse";
  if (step != Step::kAwaitingStartResponse) return WrongState(kName, step);
  const auto own_size = static_cast<uint32_t>(order.size());
  Result<wire::StartResponse> decoded =
      wire::DecodeStartResponse(message, std::max(max_peer_list_size, own_size));
  if (!decoded) return std::unexpected(std::move(decoded).error());
  const wire::StartResponse& m = *decoded;

  if (m.session_id != session_id) {
    return Fail(ErrorCode::kInvalidArgument,
                "StartResponse: session id does not match this session");
  }
  if ((m.label_mask & ~offered_mask) != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "StartResponse: agreed label mask " + MaskText(m.label_mask) +
                    " includes labels that were not offered (offered " + MaskText(offered_mask) +
                    ")");
  }
  if ((m.key_mask & ~offered_keys) != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "StartResponse: agreed key mask " + MaskText(m.key_mask) +
                    " includes key types that were not offered (offered " + MaskText(offered_keys) +
                    ")");
  }
  if (m.b_records > max_peer_list_size) {
    return Fail(ErrorCode::kResourceExhausted,
                "StartResponse: list B has " + std::to_string(m.b_records) +
                    " records, more than the limit of " + std::to_string(max_peer_list_size) +
                    " for this peer");
  }
  if (m.b_records < min_peer_list_size) {
    return Fail(ErrorCode::kPermissionDenied,
                "StartResponse: list B has " + std::to_string(m.b_records) +
                    " records, fewer than the minimum of " + std::to_string(min_peer_list_size) +
                    " for this peer");
  }
  if (m.c_records != own_size) {
    return Fail(ErrorCode::kInvalidArgument, "StartResponse: list C has " +
                                                 std::to_string(m.c_records) +
                                                 " records, expected " + std::to_string(own_size));
  }
  const std::vector<size_t> slots = wire::GroupSlots(m.key_mask);
  const size_t k = slots.size();
  const uint32_t peer_size = m.b_records;
  const bool with_labels = mode == wire::Mode::kMatch && m.label_mask != 0;
  if (mode == wire::Mode::kCount && count_order.empty()) count_order = RandomPermutation(peer_size);
  if (mode == wire::Mode::kCount) {
    INBEELD_RETURN_IF_ERROR(CheckPermutation(count_order, peer_size));
  }

  // D in B's order, kept here for the graph (message 3 may carry it with its
  // groups shuffled). Decoding B happens inside the multiplication.
  Tags d(size_t{peer_size} * k);
  std::vector<size_t> all(k);
  for (size_t p = 0; p < k; ++p) all[p] = p;
  if (size_t bad = BlindToTags(m.b, k, all, {}, *scalar,
                               wire::MutableTagView(reinterpret_cast<uint8_t*>(d.data()), d.size()),
                               threads);
      bad != m.b.size()) {
    return std::unexpected(BadPointError(kName, "B", m.b, bad));
  }
  scalar.reset();  // a is not needed again

  // Left: C as received (A's records in match mode; anonymous, shuffled
  // records in count mode). Right: D in B's order.
  Result<MatchGraph> built = BuildMatchGraph(m.c, ViewOf(d), slots, kName, "C", "B");
  if (!built) return std::unexpected(std::move(built).error());
  graph = std::move(*built);

  std::vector<uint32_t> labelled;
  if (with_labels) labelled = LeftInPairs(graph);
  std::string out;
  wire::MutableTagView d_out = wire::BeginFinishRequest(session_id, m.label_mask, m.key_mask,
                                                        peer_size, labelled.size(), out);
  for (size_t g = 0; g < peer_size; ++g) {
    const size_t record = mode == wire::Mode::kCount ? count_order[g] : g;
    std::memcpy(d_out[g * k].data(), d[record * k].data(), k * wire::kTagSize);
  }
  // Written one by one from the packed labels, into the room
  // BeginFinishRequest reserved, so nothing is gathered or reallocated.
  wire::AppendLabelCount(static_cast<uint32_t>(labelled.size()), out);
  for (uint32_t i : labelled) {
    wire::AppendLabelEntry(m.label_mask,
                           wire::LabelEntry{i, UnpackLabels(labels[order[i]], m.label_mask)}, out);
  }

  agreed_mask = m.label_mask;
  agreed_keys = m.key_mask;
  peer_list_date = m.list_date;
  peer_list_size = peer_size;
  step = Step::kAwaitingFinish;
  return out;
}

Result<Outcome> InitiatorSession::State::HandleFinishResponse(std::string_view message) {
  constexpr std::string_view kName = "FinishResponse";
  if (step != Step::kAwaitingFinish) return WrongState(kName, step);
  const auto own_size = static_cast<uint32_t>(order.size());
  Result<wire::FinishResponse> decoded = wire::DecodeFinishResponse(message, peer_list_size);
  if (!decoded) return std::unexpected(std::move(decoded).error());
  wire::FinishResponse& m = *decoded;

  if (m.session_id != session_id) {
    return Fail(ErrorCode::kInvalidArgument,
                "FinishResponse: session id does not match this session");
  }
  if (m.label_mask != agreed_mask) {
    return Fail(ErrorCode::kInvalidArgument,
                "FinishResponse: label mask " + MaskText(m.label_mask) +
                    " is not the agreed mask " + MaskText(agreed_mask));
  }
  if (m.responder != graph.right_counts || m.initiator != graph.left_counts) {
    return Fail(ErrorCode::kInvalidArgument,
                "FinishResponse: counts (responder " + CountsText(m.responder) + ", initiator " +
                    CountsText(m.initiator) + ") differ from the ones computed here (responder " +
                    CountsText(graph.right_counts) + ", initiator " +
                    CountsText(graph.left_counts) + ")");
  }
  const bool match = mode == wire::Mode::kMatch;
  INBEELD_RETURN_IF_ERROR(CheckLabelEntries(kName, m.labels, match ? agreed_mask : 0,
                                            match ? RightInPairs(graph) : std::vector<uint32_t>{},
                                            peer_list_size, "B"));

  Outcome outcome{.mode = mode,
                  .own_list_size = own_size,
                  .peer_list_size = peer_list_size,
                  .peer_list_date = peer_list_date,
                  .label_mask = agreed_mask,
                  .key_mask = agreed_keys,
                  .own = graph.left_counts,
                  .peer = graph.right_counts,
                  .overlap = graph.left_counts.strong,
                  .pairs = {}};
  if (match) outcome.pairs = Pairs(session_id, graph, /*own_left=*/true, order, m.labels);
  step = Step::kDone;
  graph = {};
  labels = {};
  return outcome;
}

// ================================================================ responder

struct ResponderSession::State {
  Step step = Step::kAwaitingFinish;
  wire::Mode mode = wire::Mode::kMatch;
  uint8_t agreed_mask = 0;
  uint8_t agreed_keys = 0;
  unsigned threads = 1;
  wire::SessionId session_id{};
  schema::Date peer_list_date{};
  std::vector<uint32_t> order;       // record of B → local index
  std::vector<PackedLabels> labels;  // by local index; empty without labels
  std::string message2;
  Tags c;  // C in A's record order, kept after message 2 is released
  // Match mode: for each position of B, the first position holding the same
  // point. An honest D = tag(B^a) has equal tags exactly where B has equal
  // points; a D made of copies of C's tags (to be paired with records it
  // does not hold) does not.
  std::vector<uint32_t> b_class;

  Result<Finish> HandleFinish(std::string_view message);
};

Result<wire::StartHeader> ResponderSession::PeekStart(std::string_view message) {
  return wire::DecodeStartHeader(message);
}

Result<std::unique_ptr<ResponderSession>> ResponderSession::Start(std::string_view message,
                                                                  std::vector<PsiInput> inputs,
                                                                  ResponderParams params) {
  Result<wire::StartHeader> header = PeekStart(message);
  if (!header) return std::unexpected(std::move(header).error());
  if (inputs.size() >= std::numeric_limits<uint32_t>::max() / schema::kSlotCount) {
    return Fail(ErrorCode::kInvalidArgument, "the list to match is too long");
  }
  Determinism determinism{.session_id = header->session_id,
                          .scalar = crypto::Scalar::Random(),
                          .order = RandomPermutation(static_cast<uint32_t>(inputs.size())),
                          .count_order = {},
                          .filler_seed = {}};
  RandomSeed(determinism.filler_seed);
  if (header->mode == wire::Mode::kCount) {
    determinism.count_order = RandomPermutation(header->list_size);
  }
  return StartForTesting(message, std::move(inputs), params, std::move(determinism));
}

Result<std::unique_ptr<ResponderSession>> ResponderSession::StartForTesting(
    std::string_view message, std::vector<PsiInput> inputs, ResponderParams params,
    Determinism determinism) {
  constexpr std::string_view kName = "StartRequest";
  Result<wire::StartRequest> decoded = wire::DecodeStartRequest(message, params.max_peer_list_size);
  if (!decoded) return std::unexpected(std::move(decoded).error());
  const wire::StartRequest& m = *decoded;
  if (m.header.list_size == 0) {
    return Fail(ErrorCode::kInvalidArgument, "StartRequest: list A is empty");
  }
  if (determinism.session_id != m.header.session_id) {
    return Fail(ErrorCode::kInvalidArgument, "determinism: session id differs from message 1");
  }
  if (inputs.size() >= std::numeric_limits<uint32_t>::max() / schema::kSlotCount) {
    return Fail(ErrorCode::kInvalidArgument, "the list to match is too long");
  }
  if ((params.allowed_label_mask & ~wire::kAllLabels) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "allowed label mask has unknown bits");
  }
  if ((params.allowed_key_mask & ~schema::kAllKeyTypes) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "allowed key mask has unknown bits");
  }
  if (!schema::IsValidDate(params.list_date)) {
    return Fail(ErrorCode::kInvalidArgument, "list date is not a valid date in 1900..2100");
  }
  const uint8_t agreed =
      m.header.mode == wire::Mode::kCount
          ? uint8_t{0}
          : static_cast<uint8_t>(m.header.label_mask & params.allowed_label_mask);
  const auto agreed_keys = static_cast<uint8_t>(m.header.key_mask & params.allowed_key_mask);
  if (agreed_keys == 0) {
    return Fail(ErrorCode::kPermissionDenied,
                "StartRequest: no key type in common (offered " + MaskText(m.header.key_mask) +
                    ", allowed for this peer " + MaskText(params.allowed_key_mask) + ")");
  }
  INBEELD_RETURN_IF_ERROR(CheckInputs(inputs, agreed));
  INBEELD_RETURN_IF_ERROR(CheckPermutation(determinism.order, inputs.size()));
  const auto own_size = static_cast<uint32_t>(inputs.size());
  const uint32_t peer_size = m.header.list_size;
  if (m.header.mode == wire::Mode::kCount) {
    INBEELD_RETURN_IF_ERROR(CheckPermutation(determinism.count_order, peer_size));
  }

  auto state = std::make_unique<State>();
  state->mode = m.header.mode;
  state->agreed_mask = agreed;
  state->agreed_keys = agreed_keys;
  state->threads = ResolveThreads(params.threads);
  state->session_id = m.header.session_id;
  state->peer_list_date = m.header.list_date;
  state->order = std::move(determinism.order);

  // Message 2: B (own groups of the agreed slots) and C (A's groups cut to
  // the agreed slots, as tags), straight into the message; decoding A
  // happens inside the multiplication.
  const std::vector<size_t> slots = wire::GroupSlots(agreed_keys);
  const size_t k = slots.size();
  const size_t offered_k = wire::SlotCount(m.header.key_mask);
  const std::vector<size_t> keep = AgreedPositions(m.header.key_mask, agreed_keys);
  wire::StartResponseSlots out =
      wire::BeginStartResponse(state->session_id, agreed, agreed_keys, params.list_date, own_size,
                               peer_size, state->message2);
  // C in A's order for this side's graph; in count mode message 2 carries
  // it with its groups shuffled.
  state->c.resize(size_t{peer_size} * k);
  if (size_t bad = BlindToTags(
          m.a, offered_k, keep, {}, determinism.scalar,
          wire::MutableTagView(reinterpret_cast<uint8_t*>(state->c.data()), state->c.size()),
          state->threads);
      bad != m.a.size()) {
    return std::unexpected(BadPointError(kName, "A", m.a, bad));
  }
  INBEELD_RETURN_IF_ERROR(HashAndBlind(inputs, state->order, slots, determinism.filler_seed,
                                       determinism.scalar, out.b, state->threads));
  if (state->mode == wire::Mode::kMatch) state->b_class = EqualityClasses(out.b.view());
  {
    const crypto::Scalar wipe = std::move(determinism.scalar);  // b is not needed again
  }
  sodium_memzero(determinism.filler_seed.data(), determinism.filler_seed.size());
  for (size_t g = 0; g < peer_size; ++g) {
    const size_t record = state->mode == wire::Mode::kCount ? determinism.count_order[g] : g;
    std::memcpy(out.c[g * k].data(), state->c[record * k].data(), k * wire::kTagSize);
  }
  if (agreed != 0) {
    state->labels.reserve(own_size);
    for (const PsiInput& input : inputs) state->labels.push_back(PackLabels(input.labels, agreed));
  }
  std::vector<PsiInput>().swap(inputs);  // the keys are not needed again
  return std::unique_ptr<ResponderSession>(new ResponderSession(std::move(state)));
}

ResponderSession::ResponderSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
ResponderSession::~ResponderSession() = default;

const wire::SessionId& ResponderSession::session_id() const { return state_->session_id; }
const std::string& ResponderSession::StartResponse() const { return state_->message2; }
std::string ResponderSession::TakeStartResponse() { return std::exchange(state_->message2, {}); }

Result<ResponderSession::Finish> ResponderSession::HandleFinish(std::string_view message) {
  Result<Finish> result = state_->HandleFinish(message);
  if (!result && state_->step != Step::kDone) state_->step = Step::kFailed;
  return result;
}

Result<ResponderSession::Finish> ResponderSession::State::HandleFinish(std::string_view message) {
  constexpr std::string_view kName = "FinishRequest";
  if (step != Step::kAwaitingFinish) return WrongState(kName, step);
  const auto own_size = static_cast<uint32_t>(order.size());
  const std::vector<size_t> slots = wire::GroupSlots(agreed_keys);
  const auto peer_size = static_cast<uint32_t>(c.size() / slots.size());
  // D holds own_size records (checked below); the label entries are A's
  // records in a pair, up to peer_size of them (one of ours may pair with many).
  Result<wire::FinishRequest> decoded =
      wire::DecodeFinishRequest(message, agreed_keys, std::max(own_size, peer_size));
  if (!decoded) return std::unexpected(std::move(decoded).error());
  wire::FinishRequest& m = *decoded;

  if (m.session_id != session_id) {
    return Fail(ErrorCode::kInvalidArgument,
                "FinishRequest: session id does not match this session");
  }
  if (m.label_mask != agreed_mask) {
    return Fail(ErrorCode::kInvalidArgument, "FinishRequest: label mask " + MaskText(m.label_mask) +
                                                 " is not the agreed mask " +
                                                 MaskText(agreed_mask));
  }
  if (m.d_records != own_size) {
    return Fail(ErrorCode::kInvalidArgument, "FinishRequest: list D has " +
                                                 std::to_string(m.d_records) +
                                                 " records, expected " + std::to_string(own_size));
  }
  if (mode == wire::Mode::kMatch) {
    Status mirrored = CheckMirrorsB(kName, m.d, b_class);
    b_class = {};
    if (!mirrored) {
      c = {};
      return std::unexpected(std::move(mirrored).error());
    }
  }
  // Left: C in A's order (kept). Right: D as received (B's order in match
  // mode; anonymous, shuffled records in count mode).
  Result<MatchGraph> built = BuildMatchGraph(ViewOf(c), m.d, slots, kName, "A", "D");
  c = {};  // whatever follows, this session ends here
  if (!built) return std::unexpected(std::move(built).error());
  const MatchGraph& graph = *built;

  const bool match = mode == wire::Mode::kMatch;
  if (!match && !m.labels.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "FinishRequest: count mode carries no label entries");
  }
  if (match) {
    INBEELD_RETURN_IF_ERROR(
        CheckLabelEntries(kName, m.labels, agreed_mask, LeftInPairs(graph), peer_size, "A"));
  }

  Finish finish;
  finish.outcome = Outcome{.mode = mode,
                           .own_list_size = own_size,
                           .peer_list_size = peer_size,
                           .peer_list_date = peer_list_date,
                           .label_mask = agreed_mask,
                           .key_mask = agreed_keys,
                           .own = graph.right_counts,
                           .peer = graph.left_counts,
                           .overlap = graph.right_counts.strong,
                           .pairs = {}};
  if (match) finish.outcome.pairs = Pairs(session_id, graph, /*own_left=*/false, order, m.labels);

  // Entries are written one by one from the packed labels rather than
  // gathered first: a full overlap would otherwise hold ~80 bytes a record.
  const bool with_labels = match && agreed_mask != 0;
  const std::vector<uint32_t> reply = with_labels ? RightInPairs(graph) : std::vector<uint32_t>{};
  wire::BeginFinishResponse(session_id, graph.right_counts, graph.left_counts, agreed_mask,
                            reply.size(), finish.message);
  wire::AppendLabelCount(static_cast<uint32_t>(reply.size()), finish.message);
  for (uint32_t j : reply) {
    wire::AppendLabelEntry(agreed_mask,
                           wire::LabelEntry{j, UnpackLabels(labels[order[j]], agreed_mask)},
                           finish.message);
  }
  step = Step::kDone;
  labels = {};
  std::string().swap(message2);
  return finish;
}

}  // namespace inbeeld::node::psi
