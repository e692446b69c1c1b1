#include "node/psi/session.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "node/psi/parallel.h"
#include "node/psi/point_index.h"
#include "node/psi/records.h"

namespace inbeeld::node::psi {
namespace {

namespace wire = schema::wire;

using Points = std::vector<wire::PointBytes>;

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

// Copies a point list out of a message, into memory this session owns.
Points CopyPoints(wire::PointView view) {
  Points out(view.size());
  if (!view.empty()) std::memcpy(out.data(), view.data(), view.size() * wire::kPointSize);
  return out;
}

wire::PointView ViewOf(const Points& points) {
  return wire::PointView(reinterpret_cast<const uint8_t*>(points.data()), points.size());
}

void WritePoints(const Points& points, wire::MutablePointView slots) {
  if (!points.empty()) std::memcpy(slots.data(), points.data(), points.size() * wire::kPointSize);
}

// The first position whose point is not greater (bytewise) than the one
// before it, or points.size() if the list is strictly increasing.
size_t FirstUnsorted(wire::PointView points) {
  for (size_t k = 1; k < points.size(); ++k) {
    if (std::memcmp(points[k - 1].data(), points[k].data(), wire::kPointSize) >= 0) return k;
  }
  return points.size();
}

// |x ∩ y| for two strictly increasing lists.
uint32_t SortedIntersectionSize(wire::PointView x, wire::PointView y) {
  uint32_t count = 0;
  size_t i = 0, j = 0;
  while (i < x.size() && j < y.size()) {
    const int c = std::memcmp(x[i].data(), y[j].data(), wire::kPointSize);
    if (c < 0) {
      ++i;
    } else if (c > 0) {
      ++j;
    } else {
      ++count;
      ++i;
      ++j;
    }
  }
  return count;
}

// The sorted-order check of a count-mode list, with a message that tells a
// repeated point from a missing sort.
Status CheckSortedList(std::string_view message, std::string_view list, wire::PointView points) {
  const size_t k = FirstUnsorted(points);
  if (k == points.size()) return {};
  if (std::memcmp(points[k - 1].data(), points[k].data(), wire::kPointSize) == 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string(message) + ": list " + std::string(list) +
                                                 " holds the same point at positions " +
                                                 std::to_string(k - 1) + " and " +
                                                 std::to_string(k));
  }
  return Fail(ErrorCode::kInvalidArgument,
              std::string(message) + ": list " + std::string(list) +
                  " is not sorted bytewise (count mode), first out of order at position " +
                  std::to_string(k));
}

std::unexpected<Error> DuplicateError(std::string_view message, std::string_view list,
                                      const PointIndex::Duplicate& d) {
  return Fail(ErrorCode::kInvalidArgument, std::string(message) + ": list " + std::string(list) +
                                               " holds the same point at positions " +
                                               std::to_string(d.first) + " and " +
                                               std::to_string(d.second));
}

// Two of our own inputs hashed to the same point: positions d.first and
// d.second of the shuffled list, reported as the caller's indices.
std::unexpected<Error> SameIdentifierError(std::span<const uint32_t> order,
                                           const PointIndex::Duplicate& d) {
  const uint32_t x = order[d.first];
  const uint32_t y = order[d.second];
  return Fail(ErrorCode::kInvalidArgument, "inputs " + std::to_string(std::min(x, y)) + " and " +
                                               std::to_string(std::max(x, y)) +
                                               " have the same identifier");
}

// Checks received label entries against the records this side found matched
// itself. `matched` holds the matched positions in the sender's index space,
// increasing; `list_size` bounds the indices.
Status CheckLabelEntries(std::string_view message, std::span<const wire::LabelEntry> entries,
                         uint8_t agreed_mask, std::span<const uint32_t> matched, size_t list_size,
                         std::string_view list) {
  for (size_t k = 0; k < entries.size(); ++k) {
    const uint32_t index = entries[k].index;
    const std::string where = std::string(message) + ": label entry " + std::to_string(k);
    if (index >= list_size) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + ": index " + std::to_string(index) + " is out of range (list " +
                      std::string(list) + " has " + std::to_string(list_size) + " points)");
    }
    if (!std::binary_search(matched.begin(), matched.end(), index)) {
      return Fail(ErrorCode::kInvalidArgument,
                  where + ": index " + std::to_string(index) +
                      " is not a record that matched (labels travel only for matches)");
    }
  }
  const size_t expected = agreed_mask == 0 ? 0 : matched.size();
  if (entries.size() != expected) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(message) + ": " + std::to_string(entries.size()) +
                    " label entries, expected " + std::to_string(expected) + " (" +
                    std::to_string(matched.size()) + " matched records, label mask " +
                    MaskText(agreed_mask) + ")");
  }
  return {};
}

void RandomSessionId(wire::SessionId& id) {
  EnsureSodiumReady();
  randombytes_buf(id.data(), id.size());
}

}  // namespace

// ================================================================ initiator

struct InitiatorSession::State {
  explicit State(crypto::Scalar s) : scalar(std::move(s)) {}

  Step step = Step::kAwaitingStartResponse;
  wire::Mode mode = wire::Mode::kMatch;
  uint8_t offered_mask = 0;
  uint32_t max_peer_list_size = 0;
  unsigned threads = 1;
  wire::SessionId session_id{};
  std::optional<crypto::Scalar> scalar;  // a; wiped once D is computed
  std::vector<uint32_t> order;           // position in A → local index
  std::vector<PackedLabels> labels;      // by local index; empty without labels
  std::string message1;

  // Known after message 2.
  uint8_t agreed_mask = 0;
  schema::Date peer_list_date{};
  uint32_t peer_list_size = 0;
  uint32_t overlap = 0;
  std::vector<uint32_t> matched;  // positions in A whose C_i ∈ D, increasing

  Result<std::string> HandleStartResponse(std::string_view message);
  Result<Outcome> HandleFinishResponse(std::string_view message);
};

Result<std::unique_ptr<InitiatorSession>> InitiatorSession::Create(std::vector<PsiInput> inputs,
                                                                   InitiatorParams params) {
  Determinism determinism{.session_id = {}, .scalar = crypto::Scalar::Random(), .order = {}};
  RandomSessionId(determinism.session_id);
  if (inputs.size() < std::numeric_limits<uint32_t>::max()) {
    determinism.order = RandomPermutation(static_cast<uint32_t>(inputs.size()));
  }
  return CreateForTesting(std::move(inputs), std::move(params), std::move(determinism));
}

Result<std::unique_ptr<InitiatorSession>> InitiatorSession::CreateForTesting(
    std::vector<PsiInput> inputs, InitiatorParams params, Determinism determinism) {
  if (inputs.empty()) return Fail(ErrorCode::kInvalidArgument, "the list to match is empty");
  if (inputs.size() >= std::numeric_limits<uint32_t>::max()) {
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
  state->max_peer_list_size = params.max_peer_list_size;
  state->threads = ResolveThreads(params.threads);
  state->session_id = determinism.session_id;
  state->order = std::move(determinism.order);
  const auto n = static_cast<uint32_t>(inputs.size());

  // Message 1: A = [H(x_order[k])^a], computed straight into the message.
  const wire::StartHeader header{.session_id = state->session_id,
                                 .mode = params.mode,
                                 .purpose = params.purpose,
                                 .label_mask = params.label_mask,
                                 .list_date = params.list_date,
                                 .list_size = n};
  wire::MutablePointView a = wire::BeginStartRequest(header, state->message1);
  INBEELD_RETURN_IF_ERROR(HashAndBlind(inputs, state->order, *state->scalar, a, state->threads));
  // Equal identifiers give equal points (and distinct ones distinct points,
  // but for a hash collision of probability ~2^-250).
  {
    PointIndex index(a.view());
    if (const auto& d = index.duplicate()) return SameIdentifierError(state->order, *d);
  }
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
  if (m.b.size() > max_peer_list_size) {
    return Fail(ErrorCode::kResourceExhausted,
                "StartResponse: point list B has " + std::to_string(m.b.size()) +
                    " entries, more than the limit of " + std::to_string(max_peer_list_size) +
                    " for this peer");
  }
  if (m.c.size() != own_size) {
    return Fail(ErrorCode::kInvalidArgument, "StartResponse: point list C has " +
                                                 std::to_string(m.c.size()) +
                                                 " entries, expected " + std::to_string(own_size));
  }
  // The cheap checks on C come before the expensive work on B. C is only
  // compared, never multiplied, so it is decoded here on its own.
  if (size_t k = FirstInvalidPoint(m.c, threads); k != m.c.size()) {
    return std::unexpected(BadPointError(kName, "C", m.c, k));
  }
  std::optional<PointIndex> c_index;
  if (mode == wire::Mode::kCount) {
    // Strictly increasing also means no point repeats.
    if (Status sorted = CheckSortedList(kName, "C", m.c); !sorted) {
      return std::unexpected(std::move(sorted).error());
    }
  } else {
    c_index.emplace(m.c);
    if (const auto& dup = c_index->duplicate()) return DuplicateError(kName, "C", *dup);
    c_index.reset();
  }
  const auto peer_size = static_cast<uint32_t>(m.b.size());
  const bool with_labels = mode == wire::Mode::kMatch && m.label_mask != 0;

  // Message 3: D = [B_j^a], computed straight into the message; decoding B
  // happens inside the multiplication.
  std::string out;
  wire::MutablePointView d = wire::BeginFinishRequest(
      session_id, m.label_mask, peer_size, with_labels ? std::min(own_size, peer_size) : 0, out);
  if (size_t k = BlindReceived(m.b, *scalar, d, threads); k != m.b.size()) {
    return std::unexpected(BadPointError(kName, "B", m.b, k));
  }
  scalar.reset();  // a is not needed again

  // (position in B, local index) of each matched record, for the labels.
  std::vector<std::pair<uint32_t, uint32_t>> tagged;
  if (mode == wire::Mode::kCount) {
    // D goes out sorted. A repeated point in B gives a repeated point in D,
    // which shows up as equal neighbours.
    {
      Points sorted_d = CopyPoints(d.view());
      std::sort(sorted_d.begin(), sorted_d.end());
      WritePoints(sorted_d, d);
    }
    if (size_t k = FirstUnsorted(d.view()); k != d.size()) {
      return Fail(ErrorCode::kInvalidArgument, "StartResponse: list B holds a repeated point");
    }
    overlap = SortedIntersectionSize(m.c, d.view());
  } else {
    PointIndex d_index(d.view());
    if (const auto& dup = d_index.duplicate()) return DuplicateError(kName, "B", *dup);
    for (uint32_t i = 0; i < own_size; ++i) {
      const uint32_t j = d_index.Find(m.c[i]);
      if (j == PointIndex::kNotFound) continue;
      matched.push_back(i);
      if (with_labels) tagged.emplace_back(j, order[i]);
    }
    overlap = static_cast<uint32_t>(matched.size());
    std::sort(tagged.begin(), tagged.end());
  }
  // Written one by one from the packed labels, into the room
  // BeginFinishRequest reserved, so nothing is gathered or reallocated.
  wire::AppendLabelCount(static_cast<uint32_t>(tagged.size()), out);
  for (const auto& [j, local] : tagged) {
    wire::AppendLabelEntry(m.label_mask,
                           wire::LabelEntry{j, UnpackLabels(labels[local], m.label_mask)}, out);
  }

  agreed_mask = m.label_mask;
  peer_list_date = m.list_date;
  peer_list_size = peer_size;
  step = Step::kAwaitingFinish;
  return out;
}

Result<Outcome> InitiatorSession::State::HandleFinishResponse(std::string_view message) {
  constexpr std::string_view kName = "FinishResponse";
  if (step != Step::kAwaitingFinish) return WrongState(kName, step);
  const auto own_size = static_cast<uint32_t>(order.size());
  Result<wire::FinishResponse> decoded = wire::DecodeFinishResponse(message, own_size);
  if (!decoded) return std::unexpected(std::move(decoded).error());
  const wire::FinishResponse& m = *decoded;

  if (m.session_id != session_id) {
    return Fail(ErrorCode::kInvalidArgument,
                "FinishResponse: session id does not match this session");
  }
  if (m.label_mask != agreed_mask) {
    return Fail(ErrorCode::kInvalidArgument,
                "FinishResponse: label mask " + MaskText(m.label_mask) +
                    " is not the agreed mask " + MaskText(agreed_mask));
  }
  if (m.overlap != overlap) {
    return Fail(ErrorCode::kInvalidArgument, "FinishResponse: overlap " +
                                                 std::to_string(m.overlap) + " differs from the " +
                                                 std::to_string(overlap) + " computed here");
  }
  INBEELD_RETURN_IF_ERROR(CheckLabelEntries(kName, m.labels, agreed_mask, matched, own_size, "A"));

  Outcome outcome{.mode = mode,
                  .own_list_size = own_size,
                  .peer_list_size = peer_list_size,
                  .overlap = overlap,
                  .peer_list_date = peer_list_date,
                  .label_mask = agreed_mask,
                  .matches = {}};
  if (mode == wire::Mode::kMatch) {
    outcome.matches.reserve(matched.size());
    // matched and m.labels are both increasing in i, and the labels are
    // either absent (mask 0) or one per match (checked above).
    for (size_t k = 0; k < matched.size(); ++k) {
      outcome.matches.push_back(
          MatchedRecord{order[matched[k]],
                        m.labels.empty() ? wire::Labels{} : std::move(decoded->labels[k].labels)});
    }
    std::sort(outcome.matches.begin(), outcome.matches.end(),
              [](const MatchedRecord& x, const MatchedRecord& y) {
                return x.local_index < y.local_index;
              });
  }
  step = Step::kDone;
  matched = {};
  labels = {};
  return outcome;
}

// ================================================================ responder

struct ResponderSession::State {
  Step step = Step::kAwaitingFinish;
  wire::Mode mode = wire::Mode::kMatch;
  uint8_t agreed_mask = 0;
  unsigned threads = 1;
  wire::SessionId session_id{};
  schema::Date peer_list_date{};
  std::vector<uint32_t> order;       // position in B → local index
  std::vector<PackedLabels> labels;  // by local index; empty without labels
  std::string message2;
  // C as sent (A's order in match mode, sorted in count mode), kept after
  // message 2 is released; c_index finds a D_j in it (match mode).
  Points c;
  std::optional<PointIndex> c_index;

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
  if (inputs.size() >= std::numeric_limits<uint32_t>::max()) {
    return Fail(ErrorCode::kInvalidArgument, "the list to match is too long");
  }
  Determinism determinism{.session_id = header->session_id,
                          .scalar = crypto::Scalar::Random(),
                          .order = RandomPermutation(static_cast<uint32_t>(inputs.size()))};
  return StartForTesting(message, std::move(inputs), params, std::move(determinism));
}

Result<std::unique_ptr<ResponderSession>> ResponderSession::StartForTesting(
    std::string_view message, std::vector<PsiInput> inputs, ResponderParams params,
    Determinism determinism) {
  constexpr std::string_view kName = "StartRequest";
  Result<wire::StartRequest> decoded = wire::DecodeStartRequest(message, params.max_peer_list_size);
  if (!decoded) return std::unexpected(std::move(decoded).error());
  const wire::StartRequest& m = *decoded;
  if (m.a.empty()) return Fail(ErrorCode::kInvalidArgument, "StartRequest: list A is empty");
  if (determinism.session_id != m.header.session_id) {
    return Fail(ErrorCode::kInvalidArgument, "determinism: session id differs from message 1");
  }
  if (inputs.size() >= std::numeric_limits<uint32_t>::max()) {
    return Fail(ErrorCode::kInvalidArgument, "the list to match is too long");
  }
  if ((params.allowed_label_mask & ~wire::kAllLabels) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "allowed label mask has unknown bits");
  }
  if (!schema::IsValidDate(params.list_date)) {
    return Fail(ErrorCode::kInvalidArgument, "list date is not a valid date in 1900..2100");
  }
  const uint8_t agreed =
      m.header.mode == wire::Mode::kCount
          ? uint8_t{0}
          : static_cast<uint8_t>(m.header.label_mask & params.allowed_label_mask);
  INBEELD_RETURN_IF_ERROR(CheckInputs(inputs, agreed));
  INBEELD_RETURN_IF_ERROR(CheckPermutation(determinism.order, inputs.size()));

  auto state = std::make_unique<State>();
  state->mode = m.header.mode;
  state->agreed_mask = agreed;
  state->threads = ResolveThreads(params.threads);
  state->session_id = m.header.session_id;
  state->peer_list_date = m.header.list_date;
  state->order = std::move(determinism.order);
  const auto own_size = static_cast<uint32_t>(inputs.size());
  const auto peer_size = static_cast<uint32_t>(m.a.size());

  // A repeat in A is refused before any group operation. A is chosen by the
  // peer, hence the keyed hash inside PointIndex.
  {
    PointIndex a_index(m.a);
    if (const auto& d = a_index.duplicate()) return DuplicateError(kName, "A", *d);
  }

  // Message 2: B = [H(y_order[j])^b] and C = [A_i^b], straight into the
  // message; decoding A happens inside the multiplication.
  wire::StartResponseSlots slots = wire::BeginStartResponse(
      state->session_id, agreed, params.list_date, own_size, peer_size, state->message2);
  if (size_t k = BlindReceived(m.a, determinism.scalar, slots.c, state->threads); k != m.a.size()) {
    return std::unexpected(BadPointError(kName, "A", m.a, k));
  }
  INBEELD_RETURN_IF_ERROR(
      HashAndBlind(inputs, state->order, determinism.scalar, slots.b, state->threads));
  {
    const crypto::Scalar wipe = std::move(determinism.scalar);  // b is not needed again
  }
  {
    PointIndex b_index(slots.b.view());
    if (const auto& d = b_index.duplicate()) return SameIdentifierError(state->order, *d);
  }
  if (agreed != 0) {
    state->labels.reserve(own_size);
    for (const PsiInput& input : inputs) state->labels.push_back(PackLabels(input.labels, agreed));
  }
  std::vector<PsiInput>().swap(inputs);  // the identifiers are not needed again

  // C is kept for message 3 in memory of its own, since message 2 is
  // released once sent.
  state->c = CopyPoints(slots.c.view());
  if (state->mode == wire::Mode::kCount) {
    std::sort(state->c.begin(), state->c.end());
    WritePoints(state->c, slots.c);
  } else {
    state->c_index.emplace(ViewOf(state->c));
  }
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
  const auto peer_size = static_cast<uint32_t>(c.size());
  Result<wire::FinishRequest> decoded = wire::DecodeFinishRequest(message, own_size);
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
  if (m.d.size() != own_size) {
    return Fail(ErrorCode::kInvalidArgument, "FinishRequest: point list D has " +
                                                 std::to_string(m.d.size()) +
                                                 " entries, expected " + std::to_string(own_size));
  }
  if (size_t k = FirstInvalidPoint(m.d, threads); k != m.d.size()) {
    return std::unexpected(BadPointError(kName, "D", m.d, k));
  }

  Finish finish;
  finish.outcome = Outcome{.mode = mode,
                           .own_list_size = own_size,
                           .peer_list_size = peer_size,
                           .overlap = 0,
                           .peer_list_date = peer_list_date,
                           .label_mask = agreed_mask,
                           .matches = {}};
  // (position in A, local index) of each matched record, for message 4.
  std::vector<std::pair<uint32_t, uint32_t>> reply;
  if (mode == wire::Mode::kCount) {
    INBEELD_RETURN_IF_ERROR(CheckSortedList(kName, "D", m.d));
    if (!m.labels.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "FinishRequest: count mode carries no label entries");
    }
    finish.outcome.overlap = SortedIntersectionSize(ViewOf(c), m.d);
  } else {
    {
      PointIndex d_index(m.d);
      if (const auto& dup = d_index.duplicate()) return DuplicateError(kName, "D", *dup);
    }
    // matched_j: positions in B whose D_j ∈ C, increasing; matched_i the
    // position in A of the same record.
    std::vector<uint32_t> matched_j;
    std::vector<uint32_t> matched_i;
    for (uint32_t j = 0; j < own_size; ++j) {
      const uint32_t i = c_index->Find(m.d[j]);
      if (i == PointIndex::kNotFound) continue;
      matched_j.push_back(j);
      matched_i.push_back(i);
    }
    // C has done its job; whatever follows, this session ends here.
    c_index.reset();
    c = {};
    INBEELD_RETURN_IF_ERROR(
        CheckLabelEntries(kName, m.labels, agreed_mask, matched_j, own_size, "B"));
    finish.outcome.overlap = static_cast<uint32_t>(matched_j.size());
    finish.outcome.matches.reserve(matched_j.size());
    reply.reserve(matched_j.size());
    for (size_t k = 0; k < matched_j.size(); ++k) {
      const uint32_t local = order[matched_j[k]];
      finish.outcome.matches.push_back(
          MatchedRecord{local, m.labels.empty() ? wire::Labels{} : std::move(m.labels[k].labels)});
      reply.emplace_back(matched_i[k], local);
    }
    std::sort(finish.outcome.matches.begin(), finish.outcome.matches.end(),
              [](const MatchedRecord& x, const MatchedRecord& y) {
                return x.local_index < y.local_index;
              });
    std::sort(reply.begin(), reply.end());
  }
  // Entries are written one by one from the packed labels rather than
  // gathered first: a full overlap would otherwise hold ~80 bytes a record.
  const bool with_labels = mode == wire::Mode::kMatch && agreed_mask != 0;
  wire::BeginFinishResponse(session_id, finish.outcome.overlap, agreed_mask,
                            with_labels ? reply.size() : 0, finish.message);
  wire::AppendLabelCount(with_labels ? static_cast<uint32_t>(reply.size()) : 0, finish.message);
  if (with_labels) {
    for (const auto& [i, local] : reply) {
      wire::AppendLabelEntry(agreed_mask,
                             wire::LabelEntry{i, UnpackLabels(labels[local], agreed_mask)},
                             finish.message);
    }
  }
  step = Step::kDone;
  c_index.reset();
  c = {};
  labels = {};
  std::string().swap(message2);
  return finish;
}

}  // namespace inbeeld::node::psi
