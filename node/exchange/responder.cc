#include "node/exchange/responder.h"

#include <fmt/format.h>

#include <vector>

#include "node/audit/rejoin.h"
#include "node/audit/witness.h"
#include "node/audit/witness_session.h"
#include "node/exchange/exchange_list.h"
#include "node/exchange/policy.h"
#include "node/exchange/report.h"

namespace inbeeld::node::exchange {
namespace {

constexpr std::string_view kStartRequest = "POST /v1/psi/start";
constexpr std::string_view kFinishRequest = "POST /v1/psi/finish";

std::string_view ModeName(schema::wire::Mode mode) {
  return mode == schema::wire::Mode::kCount ? "count" : "match";
}

}  // namespace

Responder::Responder(UnlockedNode& node, ResponderOptions options)
    : node_(node),
      options_(options),
      audit_(*node.store, node.identity),
      refusals_(
          [this](std::vector<schema::AuditRecord> records) -> Status {
            std::lock_guard lock(store_mu_);
            return audit_.Append(std::move(records));
          },
          [this] { return audit::NowMs(node_.clock()); }) {
  // Sessions left running by a previous process can never finish now; their
  // audit records are closed as interrupted by the session journal.
  std::lock_guard lock(store_mu_);
  ResultsStore results(*node_.store);
  // "~" sorts after every ISO timestamp: every running session of this role.
  if (auto failed =
          results.FailStale("responder", "~", "the node stopped before the session finished");
      !failed) {
    fmt::print(stderr, "inbeeld: could not mark earlier sessions failed: {}\n",
               failed.error().message);
  }
}

const config::PeerConfig* Responder::PeerOrNull(std::string_view name) const {
  return node_.config.FindPeer(name);
}

audit::ExchangeAudit Responder::AuditBase(const config::PeerConfig& peer,
                                          const schema::wire::StartHeader& header) {
  audit::ExchangeAudit a;
  a.trace_id = SessionIdHex(header.session_id);
  a.role = "responder";
  a.node_key = node_.metadata.fingerprint;
  a.peer = peer.name;
  a.peer_key = peer.key;
  a.purpose = header.purpose;
  if (const auto* activity = node_.config.FindActivity(header.purpose)) {
    a.legal_basis = activity->legal_basis;
  }
  a.mode = std::string(ModeName(header.mode));
  a.start_ms = audit::NowMs(node_.clock());
  a.received = header.list_size;  // as message 1 declares it
  a.match_keys = KeyMaskNames(AllowedKeyMask(node_.config, peer) & header.key_mask);
  a.shared_labels = LabelMaskNames(AllowedLabelMask(peer) & header.label_mask);
  return a;
}

Status Responder::RecordRefusal(audit::ExchangeAudit a, const Error& why) {
  // A refusal gets a trace of its own: the peer's session id may be a replay
  // of a completed session, whose records must stay unambiguous.
  a.peer_session = a.trace_id;
  a.trace_id = audit::NewTraceId();
  a.outcome = "refused";
  a.reason = why.message;
  a.sent.reset();  // nothing of ours left
  a.end_ms = audit::NowMs(node_.clock());
  Status appended = [&]() -> Status {
    std::lock_guard lock(store_mu_);
    return audit::AppendExchange(audit_, a, node_.audit_key, {}, {});
  }();
  if (observer_.session_ended) observer_.session_ended(a, why.code);
  return appended;
}

void Responder::NoteRefused(std::string_view peer_name, std::string_view request,
                            std::string reason) {
  if (observer_.request_refused) observer_.request_refused(peer_name, request, reason);
  const config::PeerConfig* peer = PeerOrNull(peer_name);
  if (auto noted = refusals_.Note(
          {std::string(peer_name), peer ? peer->key : "", std::string(request), std::move(reason)});
      !noted) {
    // Kept in the RefusalLog and retried at its next flush.
    fmt::print(stderr, "inbeeld: recording a refused request failed (will retry): {}\n",
               noted.error().message);
  }
}

void Responder::RecordTransportRefusal(std::string_view peer_name, std::string_view request,
                                       std::string_view reason) {
  NoteRefused(peer_name, request, std::string(reason));
}

Status Responder::RecordFailure(const schema::wire::SessionId& id, audit::ExchangeAudit a,
                                const std::vector<Subject>& subjects, const std::string& why) {
  a.outcome = "failed";
  a.reason = why;
  a.end_ms = audit::NowMs(node_.clock());
  if (subjects.empty()) a.sent.reset();
  Status marked = [&]() -> Status {
    std::lock_guard lock(store_mu_);
    ResultsStore results(*node_.store);
    audit::SessionJournal journal(*node_.store, audit_);
    return results.MarkFailed(id, why, [&]() -> Status {
      INBEELD_RETURN_IF_ERROR(
          audit::AppendExchangeInTransaction(audit_, a, node_.audit_key, subjects, {}));
      return journal.CloseInTransaction(audit::ExchangeJournalKey(a));
    });
  }();
  if (observer_.session_ended) observer_.session_ended(a, std::nullopt);
  return marked;
}

void Responder::RecordFailureOrReport(const schema::wire::SessionId& id,
                                      const audit::ExchangeAudit& a,
                                      const std::vector<Subject>& subjects,
                                      const std::string& why) {
  if (auto recorded = RecordFailure(id, a, subjects, why); !recorded) {
    fmt::print(stderr,
               "inbeeld: session {} with peer \"{}\" failed and could not be recorded now ({}); "
               "its audit journal closes it as interrupted at the next start\n",
               a.trace_id, a.peer, recorded.error().message);
  }
}

Error Responder::Busy(std::string what) const {
  return Error{ErrorCode::kUnavailable,
               fmt::format("{}; try again in {} seconds", what, options_.busy_retry_after.count())};
}

Result<std::string> Responder::HandleWitness(std::string_view peer_name, std::string_view body) {
  const config::PeerConfig* peer = PeerOrNull(peer_name);
  if (peer == nullptr)
    return Fail(ErrorCode::kUnauthenticated, "the caller is not a configured peer");
  auto key = crypto::VerifyingKey::FromFingerprint(peer->key);
  if (!key) return std::unexpected(key.error());
  auto request = schema::witness::DecodeWitnessRequest(body);
  if (!request) {
    NoteRefused(peer_name, "POST /v1/audit/witness", "malformed: " + request.error().message);
    return std::unexpected(request.error());
  }
  std::lock_guard lock(store_mu_);
  auto response = audit::AnswerWitness(audit_, node_.identity, {peer->name, *key}, *request);
  if (!response) {
    if (response.error().code == ErrorCode::kUnauthenticated) {
      if (observer_.witness_refused)
        observer_.witness_refused(peer->name, response.error().message);
      witnessed_.erase(peer->name);  // an earlier witness no longer vouches for this peer
      INBEELD_RETURN_IF_ERROR(RecordWitnessRefused(*peer, response.error().message));
      // A rolled-back or forked log is refused by this node's policy (403,
      // exit 5 at the initiator), not an authentication failure: the peer's
      // key was fine.
      return Fail(ErrorCode::kPermissionDenied, response.error().message);
    }
    return std::unexpected(response.error());
  }
  if (!response->retry_proof_from) witnessed_[peer->name] = node_.clock().Monotonic();
  return schema::witness::EncodeWitnessResponse(*response);
}

Status Responder::RecordWitnessRefused(const config::PeerConfig& peer, const std::string& reason) {
  auto recorded = audit_.Append({audit::EventRecord(
      node_.clock(), "inbeeld.witness.refused", false,
      {{"inbeeld.peer", peer.name}, {"inbeeld.peer_key", peer.key}, {"inbeeld.reason", reason}})});
  if (!recorded)
    return std::unexpected(WithContext(recorded.error(), "recording a refused witness"));
  return {};
}

Result<std::string> Responder::HandleRejoin(std::string_view peer_name, std::string_view body) {
  const config::PeerConfig* peer = PeerOrNull(peer_name);
  if (peer == nullptr)
    return Fail(ErrorCode::kUnauthenticated, "the caller is not a configured peer");
  auto key = crypto::VerifyingKey::FromFingerprint(peer->key);
  if (!key) return std::unexpected(key.error());
  auto request = audit::DecodeRejoinRequest(body);
  if (!request) {
    NoteRefused(peer_name, "POST /v1/audit/rejoin", "malformed: " + request.error().message);
    return std::unexpected(request.error());
  }
  std::lock_guard lock(store_mu_);
  auto response = audit::AnswerRejoin(audit_, {peer->name, *key}, *request);
  if (!response) {
    if (response.error().code == ErrorCode::kUnauthenticated) {
      INBEELD_RETURN_IF_ERROR(RecordWitnessRefused(*peer, response.error().message));
    }
    return std::unexpected(response.error());
  }
  return audit::EncodeRejoinResponse(*response);
}

Result<std::string> Responder::HandleCosign(std::string_view peer_name, std::string_view body) {
  const config::PeerConfig* peer = PeerOrNull(peer_name);
  if (peer == nullptr)
    return Fail(ErrorCode::kUnauthenticated, "the caller is not a configured peer");
  auto key = crypto::VerifyingKey::FromFingerprint(peer->key);
  if (!key) return std::unexpected(key.error());
  auto request = schema::witness::DecodeCosignRequest(body);
  if (!request) {
    NoteRefused(peer_name, "POST /v1/audit/cosign", "malformed: " + request.error().message);
    return std::unexpected(request.error());
  }
  std::lock_guard lock(store_mu_);
  return audit::AnswerCosignRequest(audit_, {peer->name, *key}, *request);
}

Result<std::string> Responder::HandleStart(std::string_view peer_name, std::string_view body) {
  ExpireStale();
  const config::PeerConfig* peer = PeerOrNull(peer_name);
  if (peer == nullptr) {
    return Fail(ErrorCode::kUnauthenticated, "the caller is not a configured peer");
  }
  auto header = psi::ResponderSession::PeekStart(body);
  if (!header) {
    NoteRefused(peer_name, kStartRequest, "message 1 malformed: " + header.error().message);
    return std::unexpected(header.error());
  }
  audit::ExchangeAudit audit_base = AuditBase(*peer, *header);
  auto refuse = [&](Error error) -> Result<std::string> {
    if (auto recorded = RecordRefusal(audit_base, error); !recorded) {
      return std::unexpected(WithContext(recorded.error(), "recording a refused session"));
    }
    return std::unexpected(std::move(error));
  };
  if (auto allowed =
          CheckRequest(node_.config, *peer, header->purpose, header->mode, header->list_size);
      !allowed) {
    return refuse(allowed.error());
  }
  if (auto enough = CheckPeerListSize(node_.config, *peer, header->list_size); !enough) {
    return refuse(enough.error());
  }
  if ((AllowedKeyMask(node_.config, *peer) & header->key_mask) == 0) {
    const bool swv = node_.config.role == config::Role::kSwv || peer->role == config::Role::kSwv;
    return refuse(Error{
        ErrorCode::kPermissionDenied,
        fmt::format("{}'s policy allows none of the key types peer \"{}\" offered ({}){}",
                    node_.config.node_name, peer->name, KeyMaskNames(header->key_mask),
                    swv && header->key_mask == schema::kKeyTypePgn
                        ? "; a BSN or onderwijsnummer is never used with a samenwerkingsverband"
                        : "")});
  }
  bool witnessed_recently = false;
  {
    std::lock_guard lock(store_mu_);
    auto it = witnessed_.find(peer->name);
    witnessed_recently =
        it != witnessed_.end() && node_.clock().Monotonic() - it->second <= options_.witness_window;
  }
  if (!witnessed_recently) {
    return refuse(Error{ErrorCode::kFailedPrecondition,
                        "witness the audit logs first (POST /v1/audit/witness)"});
  }

  // Reserve a slot; sessions of one peer run side by side, none ends another.
  {
    std::lock_guard lock(pending_mu_);
    size_t all = 0;
    size_t own = 0;
    for (const auto& [id, p] : pending_) {
      ++all;
      own += p.peer == peer->name ? 1 : 0;
    }
    for (const auto& [name, n] : starting_) {
      all += n;
      own += name == peer->name ? n : 0;
    }
    if (pending_.contains(header->session_id)) {
      return refuse(Error{ErrorCode::kAlreadyExists, "a session with this id is already open"});
    }
    if (own >= options_.max_sessions_per_peer) {
      return refuse(Busy(fmt::format("peer \"{}\" already has {} sessions open with {}", peer->name,
                                     own, node_.config.node_name)));
    }
    if (all >= options_.max_open_sessions) {
      return refuse(
          Busy(fmt::format("{} is busy with {} other sessions", node_.config.node_name, all)));
    }
    ++starting_[peer->name];
  }
  struct SlotRelease {
    Responder* self;
    std::string peer;
    ~SlotRelease() {
      std::lock_guard lock(self->pending_mu_);
      if (auto it = self->starting_.find(peer); it != self->starting_.end() && --it->second == 0) {
        self->starting_.erase(it);
      }
    }
  } release{this, peer->name};

  ExchangeList list;
  {
    std::unique_lock lock(store_mu_);
    ResultsStore results(*node_.store);
    if (auto limit = CheckDailyLimit(*peer, "responder", results); !limit) {
      lock.unlock();
      return refuse(limit.error());
    }
    auto loaded = LoadExchangeList(*node_.store, node_.field_key,
                                   AllowedLabelMask(*peer) & header->label_mask,
                                   AllowedKeyMask(node_.config, *peer) & header->key_mask);
    if (!loaded) {
      lock.unlock();
      return refuse(loaded.error());
    }
    list = std::move(*loaded);
    if (list.inputs.size() > peer->policy.max_list_size) {
      lock.unlock();
      return refuse(Error{ErrorCode::kResourceExhausted,
                          fmt::format("{}'s own list ({} records) exceeds the limit of {} set for "
                                      "peer \"{}\"",
                                      node_.config.node_name, list.inputs.size(),
                                      peer->policy.max_list_size, peer->name)});
    }
    SessionRecord record;
    record.id = header->session_id;
    record.role = "responder";
    record.peer = peer->name;
    record.peer_key = peer->key;
    record.purpose = header->purpose;
    record.mode = header->mode;
    record.list_version = list.version.id;
    record.own_list_size = static_cast<uint32_t>(list.inputs.size());
    if (auto begun = results.Begin(record); !begun) {
      lock.unlock();
      return refuse(begun.error());
    }
  }
  audit_base.list_version = list.version.id;

  psi::ResponderParams params;
  params.allowed_label_mask = AllowedLabelMask(*peer);
  // Allow only the key types the list has (when it has any of the offered ones).
  params.allowed_key_mask =
      NarrowToPresentKeys(list, AllowedKeyMask(node_.config, *peer) & header->key_mask);
  params.max_peer_list_size = static_cast<uint32_t>(peer->policy.max_list_size);
  params.list_date = list.version.list_date;
  params.threads = options_.threads;
  const auto list_size = static_cast<uint32_t>(list.inputs.size());
  auto session = psi::ResponderSession::Start(body, std::move(list.inputs), params);
  if (!session) {
    // Message 1 did not hold what its header said: nothing of ours left the
    // node, so the session fails without child records and sent unset.
    RecordFailureOrReport(header->session_id, audit_base, {}, session.error().message);
    return std::unexpected(session.error());
  }
  // Message 2 carries our blinded list: the session is on record first.
  audit_base.sent = list_size;
  Status opened;
  {
    std::lock_guard lock(store_mu_);
    audit::SessionJournal journal(*node_.store, audit_);
    opened = audit_.InTransaction([&]() -> Status {
      return audit::OpenExchangeInTransaction(audit_, journal, audit_base, node_.audit_key,
                                              list.subjects);
    });
  }
  if (!opened) {
    audit::ExchangeAudit unsent = audit_base;
    unsent.sent.reset();
    RecordFailureOrReport(header->session_id, unsent, {},
                          "the session could not be recorded: " + opened.error().message);
    return std::unexpected(WithContext(opened.error(), "recording the session"));
  }
  std::string response = (*session)->TakeStartResponse();
  {
    std::lock_guard lock(pending_mu_);
    pending_[header->session_id] =
        Pending{peer->name, std::move(*session), std::move(list.subjects),
                node_.clock().Monotonic() + options_.session_ttl, audit_base};
  }
  return response;
}

Result<std::string> Responder::HandleFinish(std::string_view peer_name, std::string_view body) {
  auto id = schema::wire::PeekSessionId(body);
  if (!id) {
    NoteRefused(peer_name, kFinishRequest, "message 3 malformed: " + id.error().message);
    return std::unexpected(id.error());
  }
  Pending pending;
  bool found = false;
  {
    std::lock_guard lock(pending_mu_);
    auto it = pending_.find(*id);
    // Another peer's session id is treated exactly like an unknown one.
    if (it != pending_.end() && it->second.peer == peer_name) {
      pending = std::move(it->second);
      pending_.erase(it);
      found = true;
    }
  }
  if (!found) {
    NoteRefused(peer_name, kFinishRequest, "no open session with this id");
    return Fail(ErrorCode::kFailedPrecondition,
                "no open session with this id: it finished, expired, or never started");
  }
  auto finish = pending.session->HandleFinish(body);
  if (!finish) {
    RecordFailureOrReport(*id, pending.audit, pending.subjects, finish.error().message);
    return std::unexpected(finish.error());
  }
  const psi::Outcome& outcome = finish->outcome;
  audit::ExchangeAudit a = pending.audit;
  a.outcome = "completed";
  a.end_ms = audit::NowMs(node_.clock());
  a.matched = outcome.overlap;
  a.matched_possible = outcome.own.possible;
  a.match_keys = KeyMaskNames(outcome.key_mask);
  const std::vector<audit::ChildMatch> matched = ChildMatches(outcome, pending.subjects.size());
  {
    // Fail closed: the last message leaves only once result and audit records
    // are durable, in one transaction.
    std::lock_guard lock(store_mu_);
    ResultsStore results(*node_.store);
    audit::SessionJournal journal(*node_.store, audit_);
    auto completed = results.Complete(*id, outcome, pending.subjects, [&]() -> Status {
      INBEELD_RETURN_IF_ERROR(audit::AppendExchangeInTransaction(audit_, a, node_.audit_key,
                                                                 pending.subjects, matched));
      return journal.CloseInTransaction(audit::ExchangeJournalKey(a));
    });
    if (!completed) {
      // Nothing of the result was stored; the session is failed and recorded.
      ResultsStore failed(*node_.store);
      audit::ExchangeAudit f = pending.audit;
      f.outcome = "failed";
      f.reason = "the result could not be stored: " + completed.error().message;
      f.end_ms = audit::NowMs(node_.clock());
      if (auto recorded =
              failed.MarkFailed(*id, f.reason,
                                [&]() -> Status {
                                  INBEELD_RETURN_IF_ERROR(audit::AppendExchangeInTransaction(
                                      audit_, f, node_.audit_key, pending.subjects, {}));
                                  return journal.CloseInTransaction(audit::ExchangeJournalKey(f));
                                });
          !recorded) {
        fmt::print(stderr,
                   "inbeeld: session {} failed and could not be recorded now ({}); its audit "
                   "journal closes it as interrupted at the next start\n",
                   f.trace_id, recorded.error().message);
      }
      if (observer_.session_ended) observer_.session_ended(f, completed.error().code);
      return std::unexpected(completed.error());
    }
  }
  if (observer_.session_ended) observer_.session_ended(a, std::nullopt);
  return std::move(finish->message);
}

Result<Responder::Totals> Responder::ReadTotals() {
  std::lock_guard lock(store_mu_);
  Totals totals;
  auto size = audit_.Size();
  if (!size) return std::unexpected(size.error());
  totals.audit_records = *size;
  auto current = node_.store->CurrentVersion();
  if (!current) return std::unexpected(current.error());
  if (*current) totals.list_rows = (*current)->row_count;
  auto recent = ResultsStore(*node_.store).Recent(1000);
  if (!recent) return std::unexpected(recent.error());
  for (const SessionRecord& session : *recent) {
    if (session.status != "completed") continue;
    std::string& last = totals.last_completed[session.peer];
    last = std::max(last, session.finished_at);  // ISO UTC strings sort by time
  }
  return totals;
}

void Responder::ExpireStale() {
  std::vector<std::pair<schema::wire::SessionId, Pending>> expired;
  auto now = node_.clock().Monotonic();
  {
    std::lock_guard lock(pending_mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        expired.emplace_back(it->first, std::move(it->second));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [id, pending] : expired) {
    RecordFailureOrReport(id, pending.audit, pending.subjects,
                          "the peer did not finish the session in time");
  }
  if (auto flushed = refusals_.Flush(); !flushed) {
    fmt::print(stderr, "inbeeld: recording refused requests failed (will retry): {}\n",
               flushed.error().message);
  }
}

void Responder::Shutdown() {
  std::map<schema::wire::SessionId, Pending> open;
  {
    std::lock_guard lock(pending_mu_);
    open.swap(pending_);
  }
  for (auto& [id, pending] : open) {
    RecordFailureOrReport(id, pending.audit, pending.subjects,
                          "the node stopped before the session finished");
  }
  if (auto flushed = refusals_.Flush(/*all=*/true); !flushed) {
    fmt::print(stderr, "inbeeld: recording refused requests failed: {}\n", flushed.error().message);
  }
}

}  // namespace inbeeld::node::exchange
