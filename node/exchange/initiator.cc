#include "node/exchange/initiator.h"

#include <fmt/format.h>

#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/audit/rejoin.h"
#include "node/audit/session_journal.h"
#include "node/audit/witness.h"
#include "node/audit/witness_session.h"
#include "node/exchange/exchange_list.h"
#include "node/exchange/policy.h"
#include "node/exchange/rejoin_peer.h"
#include "node/exchange/report.h"
#include "node/net/routes.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::exchange {
namespace {

constexpr std::string_view kOctets = "application/octet-stream";
constexpr std::string_view kJson = "application/json";

// After `inbeeld restore` a partner that saw more of this node's log refuses
// it. If this node was restored and the partner has yet to accept it, asks it
// now (node/audit/rejoin.h) and returns the refusal to report instead: one
// that says what happened and who must act. nullopt: not that case.
std::optional<Error> AskToRejoinAfterRestore(UnlockedNode& node, const config::PeerConfig& peer) {
  audit::AuditLog log(*node.store, node.identity);
  auto restored = audit::LatestRestore(log);
  if (!restored || !*restored) return std::nullopt;
  auto asked = RejoinPeer(node, peer);
  if (!asked) return std::nullopt;
  switch (asked->outcome) {
    case audit::RejoinOutcome::kPending:
      return Error{ErrorCode::kPermissionDenied,
                   fmt::format("peer {} refuses this node's audit log since it was restored from a "
                               "backup ({} records it had seen are lost). It was asked to accept "
                               "the restore: its operator must run `inbeeld peer accept-restore "
                               "{}`; then try again",
                               peer.name, asked->lost, node.config.node_name)};
    case audit::RejoinOutcome::kAccepted:
      return Error{ErrorCode::kUnavailable,
                   fmt::format("peer {} has just accepted this node's restore from a backup; try "
                               "again",
                               peer.name)};
    case audit::RejoinOutcome::kNotNeeded:
      return std::nullopt;
  }
  return std::nullopt;
}

// One witness exchange (node/audit/witness_session.h); this only routes.
Status Witness(audit::AuditLog& log, const crypto::SigningKey& key, net::PeerClient& client,
               const audit::WitnessPeer& peer) {
  audit::WitnessInitiator session(log, key, peer);
  while (!session.done()) {
    auto message = session.Next();
    if (!message) return std::unexpected(message.error());
    const std::string_view route = message->route == audit::WitnessRoute::kWitness
                                       ? net::routes::kAuditWitness
                                       : net::routes::kAuditCosign;
    auto reply = net::PostPatiently(client, route, message->body, kJson);
    if (!reply) return std::unexpected(reply.error());
    INBEELD_RETURN_IF_ERROR(session.Handle(reply->body));
  }
  return {};
}

}  // namespace

namespace {

// RunMatch, filling `a`: its outcome is set once a record of it is written.
Result<MatchReport> RunMatchRecorded(UnlockedNode& node, const MatchRequest& request,
                                     audit::ExchangeAudit& a) {
  audit::AuditLog log(*node.store, node.identity);
  a.role = "initiator";
  a.node_key = node.metadata.fingerprint;
  a.peer = request.peer;
  a.purpose = request.purpose;
  a.mode = request.mode == schema::wire::Mode::kCount ? "count" : "match";
  a.start_ms = audit::NowMs(node.clock());
  if (const auto* activity = node.config.FindActivity(request.purpose)) {
    a.legal_basis = activity->legal_basis;
  }
  // Ended before anything left the node: one parent record, no children.
  auto refuse = [&](Error error, std::string outcome = "refused") -> Result<MatchReport> {
    if (a.trace_id.empty()) a.trace_id = audit::NewTraceId();
    a.outcome = std::move(outcome);
    a.reason = error.message;
    a.end_ms = audit::NowMs(node.clock());
    if (auto logged = audit::AppendExchange(log, a, node.audit_key, {}, {}); !logged) {
      return std::unexpected(WithContext(logged.error(), "writing the audit record"));
    }
    return std::unexpected(std::move(error));
  };

  const config::PeerConfig* peer = node.config.FindPeer(request.peer);
  if (peer == nullptr) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("no peer named \"{}\" in the configuration (see `inbeeld peer add`)",
                            request.peer));
  }
  a.peer_key = peer->key;
  uint8_t mask = AllowedLabelMask(*peer);
  auto list =
      LoadExchangeList(*node.store, node.field_key, mask, AllowedKeyMask(node.config, *peer));
  if (!list) return std::unexpected(list.error());
  // Offer only the key types the list has: PGNs only, one slot a record.
  const uint8_t key_mask = NarrowToPresentKeys(*list, AllowedKeyMask(node.config, *peer));
  a.list_version = list->version.id;
  a.sent = static_cast<uint32_t>(list->inputs.size());
  a.match_keys = KeyMaskNames(key_mask);
  a.shared_labels = LabelMaskNames(request.mode == schema::wire::Mode::kCount ? 0 : mask);
  ResultsStore results(*node.store);
  if (auto allowed =
          CheckRequest(node.config, *peer, request.purpose, request.mode, list->inputs.size());
      !allowed) {
    return refuse(allowed.error());
  }
  if (auto limit = CheckDailyLimit(*peer, "initiator", results); !limit) {
    return refuse(limit.error());
  }

  auto peer_key = crypto::VerifyingKey::FromFingerprint(peer->key);
  if (!peer_key)
    return std::unexpected(WithContext(peer_key.error(), "peer " + peer->name + " key"));
  auto address = config::ParseAddress(peer->address);
  if (!address) return std::unexpected(WithContext(address.error(), "peer " + peer->name));
  auto seed = node.identity.SeedForStorage().RevealForCrypto();
  auto identity = net::TlsIdentity::Create(seed.first<32>(), node.config.node_name);
  if (!identity) return std::unexpected(identity.error());
  net::ClientOptions client_options = request.client;
  // Message 2 carries a group of k points for each of the peer's records and
  // a group of k tags for each of ours.
  const size_t k = schema::wire::SlotCount(key_mask);
  client_options.max_response_bytes =
      std::max(client_options.max_response_bytes,
               k * (schema::wire::kPointSize * peer->policy.max_list_size +
                    schema::wire::kTagSize * list->inputs.size()) +
                   (1 << 20));
  auto client = net::PeerClient::Create(*identity, peer->name, peer_key->bytes(), address->host,
                                        address->port, client_options);
  if (!client) return std::unexpected(client.error());

  // Each side checks the other's audit log before any list leaves.
  if (auto witnessed = Witness(log, node.identity, **client, {peer->name, *peer_key}); !witnessed) {
    bool unreachable = witnessed.error().code == ErrorCode::kUnavailable ||
                       witnessed.error().code == ErrorCode::kDeadlineExceeded;
    // A partner refuses a rolled-back log by policy (403, older ones 401).
    if (witnessed.error().code == ErrorCode::kPermissionDenied ||
        witnessed.error().code == ErrorCode::kUnauthenticated) {
      if (auto asked = AskToRejoinAfterRestore(node, *peer); asked) return refuse(*asked);
    }
    return refuse(witnessed.error(), unreachable ? "failed" : "refused");
  }

  psi::InitiatorParams params;
  params.mode = request.mode;
  params.purpose = request.purpose;
  params.label_mask = mask;
  params.key_mask = key_mask;
  params.list_date = list->version.list_date;
  params.max_peer_list_size = static_cast<uint32_t>(peer->policy.max_list_size);
  // Message 3 would tell the peer which of its records are on our list: not
  // for a list so small that it asks about one child (min_list_size).
  params.min_peer_list_size = static_cast<uint32_t>(peer->policy.min_list_size);
  params.threads = request.threads;
  auto session = psi::InitiatorSession::Create(std::move(list->inputs), params);
  if (!session) return std::unexpected(session.error());
  a.trace_id = SessionIdHex((*session)->session_id());

  SessionRecord record;
  record.id = (*session)->session_id();
  record.role = "initiator";
  record.peer = peer->name;
  record.peer_key = peer->key;
  record.purpose = request.purpose;
  record.mode = request.mode;
  record.started_at = NowIso(node.clock());
  record.list_version = list->version.id;
  record.own_list_size = static_cast<uint32_t>(list->subjects.size());
  // From here on our blinded list may have left the node: every outcome is
  // recorded with one child record per child on it, and the session is in the
  // audit journal before message 1 leaves, so a crash cannot lose it.
  audit::SessionJournal journal(*node.store, log);
  auto fail = [&](Error error, bool recorded_session) -> Result<MatchReport> {
    a.outcome =
        error.code == ErrorCode::kPermissionDenied || error.code == ErrorCode::kResourceExhausted
            ? "refused"
            : "failed";
    a.reason = error.message;
    a.end_ms = audit::NowMs(node.clock());
    auto append = [&]() -> Status {
      INBEELD_RETURN_IF_ERROR(
          audit::AppendExchangeInTransaction(log, a, node.audit_key, list->subjects, {}));
      return journal.CloseInTransaction(audit::ExchangeJournalKey(a));
    };
    Status logged = recorded_session ? results.MarkFailed(record.id, error.message, append)
                                     : log.InTransaction(append);
    if (!logged) return std::unexpected(WithContext(logged.error(), "writing the audit record"));
    return std::unexpected(std::move(error));
  };

  if (auto opened = log.InTransaction([&]() -> Status {
        return audit::OpenExchangeInTransaction(log, journal, a, node.audit_key, list->subjects);
      });
      !opened) {
    return std::unexpected(WithContext(opened.error(), "writing the audit record"));
  }
  auto started =
      net::PostPatiently(**client, net::routes::kPsiStart, (*session)->StartMessage(), kOctets);
  if (!started) return fail(started.error(), false);
  // The peer accepted: from here on the session is on record.
  if (auto begun = results.Begin(record); !begun) return fail(begun.error(), false);

  auto finish_request = (*session)->HandleStartResponse(started->body);
  std::string().swap(started->body);
  if (!finish_request) return fail(WithContext(finish_request.error(), "peer " + peer->name), true);

  auto finished = net::PostPatiently(**client, net::routes::kPsiFinish, *finish_request, kOctets);
  std::string().swap(*finish_request);
  if (!finished) return fail(finished.error(), true);
  auto outcome = (*session)->HandleFinishResponse(finished->body);
  if (!outcome) return fail(WithContext(outcome.error(), "peer " + peer->name), true);

  a.outcome = "completed";
  a.end_ms = audit::NowMs(node.clock());
  a.received = outcome->peer_list_size;
  a.matched = outcome->overlap;
  a.matched_possible = outcome->own.possible;
  a.match_keys = KeyMaskNames(outcome->key_mask);
  a.shared_labels = LabelMaskNames(outcome->label_mask);
  const std::vector<audit::ChildMatch> matched = ChildMatches(*outcome, list->subjects.size());
  // Fail closed: the result is stored, and shown, only with its audit records.
  if (auto completed =
          results.Complete(record.id, *outcome, list->subjects,
                           [&]() -> Status {
                             INBEELD_RETURN_IF_ERROR(audit::AppendExchangeInTransaction(
                                 log, a, node.audit_key, list->subjects, matched));
                             return journal.CloseInTransaction(audit::ExchangeJournalKey(a));
                           });
      !completed) {
    return fail(WithContext(completed.error(), "storing the result"), true);
  }
  // Witness again now that both logs hold this session's records, so rolling
  // either back to before the session is caught at the next one. The result is
  // already stored and recorded; a failure here only delays that coverage to
  // the next session's witnessing, so it is reported, not fatal.
  if (auto witnessed = Witness(log, node.identity, **client, {peer->name, *peer_key}); !witnessed) {
    fmt::print(stderr,
               "inbeeld: witnessing after the session with \"{}\" failed ({}); the next "
               "session witnesses both logs again\n",
               peer->name, witnessed.error().message);
  }
  auto stored = results.Get(record.id);
  if (!stored) return std::unexpected(stored.error());
  return MatchReport{std::move(*stored), std::move(*outcome)};
}

}  // namespace

Result<MatchReport> RunMatch(UnlockedNode& node, const MatchRequest& request) {
  audit::ExchangeAudit a;
  auto report = RunMatchRecorded(node, request, a);
  if (request.session_ended && !a.outcome.empty()) {
    request.session_ended(a, report ? std::nullopt : std::optional(report.error().code));
  }
  return report;
}

}  // namespace inbeeld::node::exchange
