#include "node/region/regional.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "crypto/bytes.h"
#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/audit/session_journal.h"
#include "node/exchange/exchange_list.h"
#include "node/exchange/initiator.h"
#include "node/exchange/policy.h"
#include "node/exchange/report.h"
#include "node/net/routes.h"
#include "node/net/tls_identity.h"
#include "node/psi/session.h"
#include "node/region/session_store.h"
#include "schema/region_wire.h"

namespace inbeeld::node::region {
namespace {

using json = nlohmann::json;  // the figures as the CLI and the console print them
// A participant's reply to a result is empty.
constexpr size_t kMaxResultReplyBytes = 1024;

// This node's list as its set will carry it, and the list's version.
struct LoadedList {
  OwnList list;
  int64_t version = 0;
};

// Reads the current list from the store and picks each group's keys.
// REQUIRES: no other thread uses node.store (the caller holds its lock).
Result<LoadedList> LoadOwnList(UnlockedNode& node, uint8_t key_mask) {
  auto list = exchange::LoadExchangeList(*node.store, node.field_key, schema::wire::kLabelCategory,
                                         key_mask);
  if (!list) return std::unexpected(list.error());
  LoadedList loaded;
  loaded.version = list->version.id;
  OwnList& out = loaded.list;
  const std::vector<size_t> slots = schema::wire::GroupSlots(key_mask);
  out.k = slots.size();
  out.keys.reserve(list->inputs.size() * out.k);
  out.categories.reserve(list->inputs.size());
  // As in a PSI session (node/psi/records.h): a certain or probable key two
  // children of this list share is ambiguous and left out for both; a
  // possible key stands for at most kMaxKeyRepeats children.
  std::map<std::string_view, uint32_t> records_per_key;
  for (const auto& input : list->inputs) {
    std::set<std::string_view> own;
    for (size_t slot : slots) {
      if (input.keys[slot]) own.insert(*input.keys[slot]);
    }
    for (std::string_view key : own) ++records_per_key[key];
  }
  std::map<std::string_view, uint32_t> uses;
  for (const auto& input : list->inputs) {
    std::set<std::string_view> placed;
    for (size_t slot : slots) {
      std::optional<std::string> key;
      if (input.keys[slot] && !placed.contains(*input.keys[slot])) {
        const std::string_view text = *input.keys[slot];
        const bool possible = schema::SlotStrength(slot) == schema::Strength::kPossible;
        if (possible ? uses[text] < node::psi::kMaxKeyRepeats : records_per_key[text] == 1) {
          key = std::string(text);
          placed.insert(text);
          ++uses[text];
        }
      }
      out.keys.push_back(std::move(key));
    }
    out.categories.push_back(schema::wire::CategoryCode(*input.labels.category));
  }
  return loaded;
}

std::map<std::string, std::string> RegionAttributes(const std::string& role,
                                                    const std::string& session,
                                                    const std::string& coordinator,
                                                    const std::string& purpose, size_t participants,
                                                    const std::string& outcome) {
  return {{"inbeeld.role", role},
          {"inbeeld.region.session", session},
          {"inbeeld.region.coordinator", coordinator},
          {"dpl.core.processing_activity_id", "urn:inbeeld:activity:" + purpose},
          {"inbeeld.peer", coordinator},
          {"inbeeld.region.participants", std::to_string(participants)},
          {"inbeeld.outcome", outcome}};
}

std::string RegionJournalKey(const std::string& role, const std::string& session) {
  return "region/" + role + "/" + session;
}

// Opens the session in the audit journal before this node's blinded set
// leaves: "inbeeld.region.opened" now, "interrupted" should it never close.
Status OpenRegionJournal(UnlockedNode& node, const std::string& role, const std::string& session,
                         const std::string& coordinator, const std::string& purpose,
                         size_t participants) {
  schema::AuditRecord opened = audit::EventRecord(
      node.clock(), "inbeeld.region.opened", true,
      RegionAttributes(role, session, coordinator, purpose, participants, "opened"));
  opened.status = schema::AuditStatus::kUnknown;
  auto attributes =
      RegionAttributes(role, session, coordinator, purpose, participants, "interrupted");
  attributes["inbeeld.reason"] = "the node stopped before the count finished";
  schema::AuditRecord interrupted =
      audit::EventRecord(node.clock(), "inbeeld.region.count", false, std::move(attributes));
  audit::AuditLog log(*node.store, node.identity);
  audit::SessionJournal journal(*node.store, log);
  return log.InTransaction([&]() -> Status {
    return journal.OpenInTransaction(RegionJournalKey(role, session), opened, interrupted);
  });
}

Status AuditRegion(UnlockedNode& node, const std::string& role, const std::string& session,
                   const std::string& coordinator, const std::string& purpose, size_t participants,
                   const std::string& outcome, const std::string& reason,
                   const RegionalCounts* counts) {
  std::map<std::string, std::string> a =
      RegionAttributes(role, session, coordinator, purpose, participants, outcome);
  if (!reason.empty()) a["inbeeld.reason"] = reason;
  if (counts) {
    a["inbeeld.region.distinct"] = std::to_string(counts->distinct);
    a["inbeeld.region.single_list"] = std::to_string(counts->single_list);
    a["inbeeld.region.possible"] = std::to_string(counts->possible);
  }
  audit::AuditLog log(*node.store, node.identity);
  audit::SessionJournal journal(*node.store, log);
  // The closing record and the end of the journal entry, in one transaction.
  // A refusal closes nothing: it may answer a replay of a running count.
  return log.InTransaction([&]() -> Status {
    INBEELD_RETURN_IF_ERROR(log.AppendInTransaction(
        {audit::EventRecord(node.clock(), "inbeeld.region.count", outcome == "completed", a)}));
    if (outcome == "refused") return {};
    return journal.CloseInTransaction(RegionJournalKey(role, session));
  });
}

}  // namespace

std::string Suppressed(uint64_t count) {
  return count >= 1 && count <= 4 ? "<5" : std::to_string(count);
}

nlohmann::json RegionalJson(const RegionalCounts& c) {
  json partners = json::array();
  for (size_t i = 0; i < c.participants.size(); ++i) {
    uint64_t n = i < c.list_sizes.size() ? c.list_sizes[i] : 0;
    std::string share = c.distinct == 0 || (n >= 1 && n <= 4)
                            ? (n == 0 ? "0%" : "<5 children")
                            : fmt::format("{:.1f}%", 100.0 * static_cast<double>(n) /
                                                         static_cast<double>(c.distinct));
    partners.push_back(
        {{"node", c.participants[i]}, {"children", Suppressed(n)}, {"share", share}});
  }
  json categories = json::object();
  static constexpr schema::Category kCategories[] = {
      schema::Category::kRelatiefVerzuim, schema::Category::kAbsoluutVerzuim,
      schema::Category::kVrijstelling5a, schema::Category::kDreigend};
  for (size_t i = 0; i < 4; ++i) {
    categories[std::string(schema::CategoryName(kCategories[i]))] =
        Suppressed(i < c.by_category.size() ? c.by_category[i] : 0);
  }
  return {{"session", c.session},
          {"distinct_children", Suppressed(c.distinct)},
          {"on_one_list_only", Suppressed(c.single_list)},
          {"possibly_the_same_as_another", Suppressed(c.possible)},
          {"by_category", categories},
          {"partners", partners}};
}

namespace {

// HTTPS with mutual TLS to each peer's configured address, a client a peer
// made at its first request.
class TlsRegionTransport final : public RegionTransport {
 public:
  TlsRegionTransport(UnlockedNode& node, net::ClientOptions options)
      : node_(node), options_(std::move(options)) {}

  Result<std::string> Post(const config::PeerConfig& peer, std::string_view path,
                           const std::string& body, size_t max_reply_bytes) override {
    auto it = clients_.find(peer.name);
    if (it == clients_.end()) {
      auto client = Connect(peer, max_reply_bytes);
      if (!client) return std::unexpected(client.error());
      it = clients_.emplace(peer.name, std::move(*client)).first;
    }
    // The bodies are binary (docs/PROTOCOL.md §11).
    auto reply = net::PostPatiently(*it->second, path, body, "application/octet-stream");
    if (!reply) return std::unexpected(Error(reply.error()));
    return std::move(reply->body);
  }

 private:
  Result<std::unique_ptr<net::PeerClient>> Connect(const config::PeerConfig& peer,
                                                   size_t max_reply_bytes) {
    if (!identity_) {
      const auto& seed = node_.identity.SeedForStorage().RevealForCrypto();
      auto identity = net::TlsIdentity::Create(seed.first<32>(), node_.config.node_name);
      if (!identity) return std::unexpected(identity.error());
      identity_.emplace(std::move(*identity));
    }
    auto key = crypto::VerifyingKey::FromFingerprint(peer.key);
    if (!key) return std::unexpected(key.error());
    auto address = config::ParseAddress(peer.address);
    if (!address) return std::unexpected(address.error());
    net::ClientOptions options = options_;
    options.max_response_bytes = std::max(options.max_response_bytes, max_reply_bytes);
    return net::PeerClient::Create(*identity_, peer.name, key->bytes(), address->host,
                                   address->port, options);
  }

  UnlockedNode& node_;
  net::ClientOptions options_;
  std::optional<net::TlsIdentity> identity_;
  std::map<std::string, std::unique_ptr<net::PeerClient>> clients_;
};

}  // namespace

Result<RegionalCounts> RunRegionalCount(UnlockedNode& node, const RegionRequest& request) {
  TlsRegionTransport transport(node, request.client);
  return RunRegionalCount(node, request, transport);
}

Result<RegionalCounts> RunRegionalCount(UnlockedNode& node, const RegionRequest& request,
                                        RegionTransport& transport) {
  const size_t n = request.peers.size() + 1;
  if (n < kMinRegionNodes || n > kMaxRegionNodes) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("a regional count needs 2 to {} peers besides this node", kMaxRegionNodes - 1));
  }
  std::vector<const config::PeerConfig*> peers;
  std::vector<std::string> names = {node.config.node_name};
  std::vector<schema::region_wire::KeyBytes> keys;
  auto own_key = crypto::VerifyingKey::FromFingerprint(node.metadata.fingerprint);
  if (!own_key) return std::unexpected(WithContext(own_key.error(), "this node's key"));
  keys.push_back(own_key->bytes());
  for (const auto& name : request.peers) {
    const auto* peer = node.config.FindPeer(name);
    if (peer == nullptr) {
      return Fail(ErrorCode::kNotFound,
                  fmt::format("no peer named \"{}\" in the configuration", name));
    }
    if (std::find(peers.begin(), peers.end(), peer) != peers.end()) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("peer \"{}\" named twice", name));
    }
    auto key = crypto::VerifyingKey::FromFingerprint(peer->key);
    if (!key) return std::unexpected(WithContext(key.error(), "peer " + peer->name));
    peers.push_back(peer);
    names.push_back(peer->name);
    keys.push_back(key->bytes());
  }
  RegionalCounts counts;
  schema::region_wire::SessionId raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string session = crypto::HexEncode(raw);
  auto fail = [&](Error e) -> Result<RegionalCounts> {
    if (auto finished = RegionSessionStore(*node.store).Finish(session, e.message, nullptr);
        !finished) {
      return std::unexpected(WithContext(finished.error(), "marking the count failed"));
    }
    if (auto a = AuditRegion(node, "coordinator", session, node.config.node_name, request.purpose,
                             n, "failed", e.message, nullptr);
        !a) {
      return std::unexpected(WithContext(a.error(), "writing the audit record"));
    }
    return std::unexpected(std::move(e));
  };
  for (const auto* peer : peers) {
    if (auto ok = exchange::CheckRequest(node.config, *peer, request.purpose,
                                         schema::wire::Mode::kCount, 1);
        !ok) {
      if (auto a = AuditRegion(node, "coordinator", session, node.config.node_name, request.purpose,
                               n, "refused", ok.error().message, nullptr);
          !a) {
        return std::unexpected(a.error());
      }
      return std::unexpected(WithContext(ok.error(), "peer " + peer->name));
    }
  }
  // The key types every participant allows with this node (no PGN as soon
  // as one of them, or this node, is a samenwerkingsverband).
  uint8_t key_mask = schema::kAllKeyTypes;
  for (const auto* peer : peers) key_mask &= exchange::AllowedKeyMask(node.config, *peer);
  if (key_mask == 0) {
    return Fail(ErrorCode::kPermissionDenied,
                "the participants' policies have no key type in common");
  }
  auto list = LoadOwnList(node, key_mask);
  if (!list) return std::unexpected(list.error());
  CoordinatorSession::Params params;
  params.session = raw;
  params.purpose = request.purpose;
  params.names = names;
  params.keys = keys;
  params.key_mask = key_mask;
  params.max_set_size = {kMaxSetSize};
  for (const auto* p : peers) params.max_set_size.push_back(p->policy.max_list_size);
  params.threads = request.threads;
  auto protocol = CoordinatorSession::Create(std::move(params), list->list);
  if (!protocol) return std::unexpected(protocol.error());
  StartedRegionCount started;
  started.id_hex = session;
  started.role = "coordinator";
  started.coordinator = node.config.node_name;
  started.purpose = request.purpose;
  started.participants = n;
  started.list_version = list->version;
  started.own_list_size = static_cast<uint32_t>((*protocol)->own_size());
  INBEELD_RETURN_IF_ERROR(RegionSessionStore(*node.store).Record(started));
  if (auto opened = OpenRegionJournal(node, "coordinator", session, node.config.node_name,
                                      request.purpose, n);
      !opened) {
    return fail(WithContext(opened.error(), "recording the count"));
  }
  // A hop's reply carries every list sent plus the participant's own: up to
  // one set a node of k points and a category byte a child.
  size_t largest = (*protocol)->own_size();
  for (const auto* p : peers) largest = std::max(largest, p->policy.max_list_size);
  const size_t max_reply_bytes = schema::region_wire::MaxReplySize(n, key_mask, largest);

  CoordinatorSession& count = **protocol;
  while (count.state() == CoordinatorSession::State::kHop) {
    auto hop = count.NextHop();
    if (!hop) return fail(hop.error());
    auto reply =
        transport.Post(*peers[hop->to - 1], net::routes::kRegionHop, hop->body, max_reply_bytes);
    if (!reply) return fail(WithContext(reply.error(), "peer " + names[hop->to]));
    if (auto ok = count.HandleReply(*reply); !ok) return fail(ok.error());
  }
  auto figures = count.Counts();
  if (!figures) return fail(figures.error());
  counts = std::move(*figures);
  auto result = count.ResultMessage();
  if (!result) return fail(result.error());
  for (size_t i = 1; i < n; ++i) {
    if (auto r = transport.Post(*peers[i - 1], net::routes::kRegionResult, *result,
                                kMaxResultReplyBytes);
        !r) {
      return fail(WithContext(r.error(), "peer " + names[i]));
    }
  }
  INBEELD_RETURN_IF_ERROR(RegionSessionStore(*node.store).Finish(session, "", &counts));
  INBEELD_RETURN_IF_ERROR(AuditRegion(node, "coordinator", session, node.config.node_name,
                                      request.purpose, n, "completed", "", &counts));
  return counts;
}

Result<std::vector<DatedRegionalCounts>> RegionalCountHistory(Store& store, size_t limit) {
  return RegionSessionStore(store).Completed(limit);
}

Result<std::optional<RegionalCounts>> LatestRegionalCount(Store& store) {
  auto history = RegionalCountHistory(store, 1);
  if (!history) return std::unexpected(history.error());
  if (history->empty()) return std::optional<RegionalCounts>();
  return std::optional<RegionalCounts>(std::move(history->front().counts));
}

RegionParticipant::RegionParticipant(UnlockedNode& node, std::chrono::seconds session_ttl,
                                     unsigned threads)
    : node_(node), ttl_(session_ttl), threads_(threads) {}

namespace {
constexpr std::string_view kHopRequest = "POST /v1/region/hop";
constexpr std::string_view kResultRequest = "POST /v1/region/result";
}  // namespace

void RegionParticipant::SetRefusalSink(RefusalSink sink) { refusal_sink_ = std::move(sink); }

std::unexpected<Error> RegionParticipant::Unrecorded(std::string_view peer,
                                                     std::string_view request, Error error) {
  if (refusal_sink_) refusal_sink_(peer, request, error.message);
  return std::unexpected(std::move(error));
}

Status RegionParticipant::Close(const std::string& session, const Session& s,
                                const std::string& outcome, const std::string& reason,
                                const RegionalCounts* counts) {
  if (outcome != "refused") {
    INBEELD_RETURN_IF_ERROR(RegionSessionStore(*node_.store).Finish(session, reason, counts));
  }
  return AuditRegion(node_, "participant", session, s.coordinator, s.purpose, s.participants,
                     outcome, reason, counts);
}

void RegionParticipant::CloseOrReport(const std::string& session, const Session& s,
                                      const std::string& outcome, const std::string& reason) {
  if (auto closed = Close(session, s, outcome, reason, nullptr); !closed) {
    fmt::print(stderr,
               "inbeeld: regional count {} could not be recorded now ({}); its audit journal "
               "closes it as interrupted at the next start\n",
               session, closed.error().message);
  }
}

Result<std::string> RegionParticipant::HandleHop(std::string_view peer, std::string_view body) {
  const config::PeerConfig* coordinator = node_.config.FindPeer(peer);
  if (coordinator == nullptr) return Fail(ErrorCode::kUnauthenticated, "unknown peer");
  // The decoder checks every count and enum, and refuses a set larger than
  // this node takes from the coordinator before it is read.
  const size_t limit = std::min<size_t>(coordinator->policy.max_list_size, kMaxSetSize);
  auto hop = schema::region_wire::DecodeHop(body, static_cast<uint32_t>(limit));
  if (!hop) return Unrecorded(peer, kHopRequest, hop.error());
  const schema::region_wire::HopHeader& header = hop->header;
  const std::string session = crypto::HexEncode(header.session_id);
  const size_t n = header.participants.size();
  const size_t index = header.index;
  const int round = header.round;
  Session fresh;
  fresh.coordinator = coordinator->name;
  // The decoder checked the purpose: a valid activity id, safe for the audit log.
  fresh.purpose = header.purpose;
  fresh.participants = n;
  fresh.index = index;
  auto refuse = [&](Error e) -> Result<std::string> {
    std::lock_guard lock(mu_);
    if (auto recorded = Close(session, fresh, "refused", e.message, nullptr); !recorded) {
      return std::unexpected(WithContext(recorded.error(), "recording a refused hop"));
    }
    return std::unexpected(std::move(e));
  };
  auto coordinator_key = crypto::VerifyingKey::FromFingerprint(coordinator->key);
  auto own_key = crypto::VerifyingKey::FromFingerprint(node_.metadata.fingerprint);
  if (!coordinator_key || !own_key) {
    return refuse(Error{ErrorCode::kInternal, "region hop: a configured key does not parse"});
  }
  if (header.participants[0] != coordinator_key->bytes() ||
      header.participants[index] != own_key->bytes()) {
    return refuse(Error{ErrorCode::kInvalidArgument,
                        "region hop: participants must be 3 to 16 nodes with the caller first "
                        "and this node at the given index"});
  }
  const uint8_t key_mask = header.key_mask;
  if ((key_mask & ~exchange::AllowedKeyMask(node_.config, *coordinator)) != 0) {
    return refuse(Error{ErrorCode::kPermissionDenied, "region hop: the key types asked for (" +
                                                          exchange::KeyMaskNames(key_mask) +
                                                          ") are not all allowed with this peer"});
  }
  fresh.key_mask = key_mask;
  for (const auto& s : hop->sets) {
    if (s.origin == index) {
      return refuse(
          Error{ErrorCode::kInvalidArgument, "region hop: a set claims to come from this node"});
    }
  }
  auto sets = CheckedSets(hop->sets, schema::wire::SlotCount(key_mask), threads_);
  if (!sets) return refuse(sets.error());

  // Under mu_: the state checks and the store (policy, limits, the session
  // on record). The crypto runs after, outside it, with the session marked
  // busy so that no other call touches it meanwhile.
  std::unique_lock lock(mu_);
  auto it = sessions_.find(session);
  if (round == 1) {
    if (it != sessions_.end()) {
      lock.unlock();
      return refuse(Error{ErrorCode::kFailedPrecondition, "region hop: round 1 seen twice"});
    }
    if (auto ok = exchange::CheckRequest(node_.config, *coordinator, fresh.purpose,
                                         schema::wire::Mode::kCount, 1);
        !ok) {
      lock.unlock();
      return refuse(ok.error());
    }
    auto today = RegionSessionStore(*node_.store)
                     .CountStartedSince(coordinator->name,
                                        IsoUtc(node_.clock().Now() - std::chrono::hours(24)));
    if (!today) return std::unexpected(today.error());
    if (*today >= coordinator->policy.max_sessions_per_day) {
      lock.unlock();
      return refuse(Error{ErrorCode::kResourceExhausted,
                          "region hop: daily session limit for this peer reached"});
    }
    auto loaded = LoadOwnList(node_, key_mask);
    if (!loaded) {
      lock.unlock();
      return refuse(loaded.error());
    }
    fresh.deadline = node_.clock().Monotonic() + ttl_;
    fresh.started_ms = audit::NowMs(node_.clock());
    fresh.list_version = loaded->version;
    fresh.own_size = static_cast<uint32_t>(loaded->list.groups());
    StartedRegionCount started;
    started.id_hex = session;
    started.role = "participant";
    started.coordinator = coordinator->name;
    started.purpose = fresh.purpose;
    started.participants = n;
    started.list_version = fresh.list_version;
    started.own_list_size = fresh.own_size;
    if (auto ok = RegionSessionStore(*node_.store).Record(started); !ok) {
      lock.unlock();
      return refuse(ok.error());
    }
    // Our blinded set leaves with the reply: the count is on record first.
    if (auto opened =
            OpenRegionJournal(node_, "participant", session, coordinator->name, fresh.purpose, n);
        !opened) {
      if (auto finished =
              RegionSessionStore(*node_.store).Finish(session, opened.error().message, nullptr);
          !finished) {
        fmt::print(stderr, "inbeeld: could not mark regional count {} failed: {}\n", session,
                   finished.error().message);
      }
      return std::unexpected(WithContext(opened.error(), "recording the count"));
    }
    fresh.protocol = std::make_unique<ParticipantSession>(
        ParticipantSession::Params{header.session_id, n, index, threads_}, std::move(loaded->list));
    it = sessions_.emplace(session, std::move(fresh)).first;
  } else if (it == sessions_.end() || it->second.busy ||
             it->second.coordinator != coordinator->name || it->second.index != index ||
             it->second.key_mask != key_mask) {
    lock.unlock();
    return refuse(Error{ErrorCode::kFailedPrecondition, "region hop: round 2 out of order"});
  }
  Session& state = it->second;
  state.busy = true;
  lock.unlock();
  if (busy_hook_) busy_hook_(session);

  // Busy sessions are neither expired, nor ended by a result, nor given
  // another hop: the session is this call's alone until it is unmarked.
  Result<std::string> reply = state.protocol->HandleHop(round, std::move(*sets));

  lock.lock();
  state.busy = false;
  if (!reply) {
    CloseOrReport(session, state, "failed", reply.error().message);
    sessions_.erase(it);
  }
  return reply;
}

Result<std::string> RegionParticipant::HandleResult(std::string_view peer, std::string_view body) {
  auto result = schema::region_wire::DecodeResult(body);
  if (!result) return Unrecorded(peer, kResultRequest, result.error());
  std::lock_guard lock(mu_);
  auto it = sessions_.find(crypto::HexEncode(result->session_id));
  const config::PeerConfig* coordinator = node_.config.FindPeer(peer);
  if (it == sessions_.end() || coordinator == nullptr ||
      it->second.coordinator != coordinator->name) {
    return Unrecorded(
        peer, kResultRequest,
        Error{ErrorCode::kFailedPrecondition, "region result: no such session with this peer"});
  }
  if (it->second.busy) {
    // The coordinator waits for a hop's reply before it sends the result.
    return Unrecorded(peer, kResultRequest,
                      Error{ErrorCode::kFailedPrecondition,
                            "region result: this node is still blinding the session's sets"});
  }
  RegionalCounts counts;
  counts.session = it->first;
  counts.distinct = result->distinct;
  counts.single_list = result->single_list;
  counts.possible = result->possible;
  counts.by_category.assign(result->by_category.begin(), result->by_category.end());
  counts.list_sizes = std::move(result->list_sizes);
  counts.participants = std::move(result->participants);
  if (auto ok = it->second.protocol->HandleResult(counts); !ok) {
    CloseOrReport(it->first, it->second, "failed", ok.error().message);
    sessions_.erase(it);
    return std::unexpected(ok.error());
  }
  // Fail closed: the coordinator hears "done" only once the result is on record.
  Status closed = Close(it->first, it->second, "completed", "", &counts);
  if (!closed) return std::unexpected(WithContext(closed.error(), "recording the count"));
  sessions_.erase(it);
  return std::string();  // the reply to a result is empty
}

void RegionParticipant::SetBusyHookForTest(std::function<void(std::string_view)> hook) {
  busy_hook_ = std::move(hook);
}

void RegionParticipant::ExpireStale() {
  std::lock_guard lock(mu_);
  auto now = node_.clock().Monotonic();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    // A busy session is blinding outside mu_; it is expired on a later call.
    if (it->second.deadline < now && !it->second.busy) {
      CloseOrReport(it->first, it->second, "failed", "the coordinator did not finish in time");
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace inbeeld::node::region
