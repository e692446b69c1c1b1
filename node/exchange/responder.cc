#include "node/exchange/responder.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <vector>

#include "node/exchange/exchange_list.h"
#include "node/exchange/policy.h"

namespace inbeeld::node::exchange {

Responder::Responder(UnlockedNode& node, ResponderOptions options)
    : node_(node), options_(options) {
  // Sessions left running by a previous process can never finish now.
  std::lock_guard lock(store_mu_);
  ResultsStore results(*node_.store);
  (void)results.FailStale("responder", "9999", "the node stopped before the session finished");
}

const config::PeerConfig* Responder::PeerOrNull(std::string_view name) const {
  return node_.config.FindPeer(name);
}

Status Responder::RecordFailure(const schema::wire::SessionId& id, const std::string& why) {
  std::lock_guard lock(store_mu_);
  ResultsStore results(*node_.store);
  return results.MarkFailed(id, why);
}

Result<std::string> Responder::HandleStart(std::string_view peer_name, std::string_view body) {
  ExpireStale();
  const config::PeerConfig* peer = PeerOrNull(peer_name);
  if (peer == nullptr) {
    return Fail(ErrorCode::kUnauthenticated, "the caller is not a configured peer");
  }
  auto header = psi::ResponderSession::PeekStart(body);
  if (!header) return std::unexpected(header.error());
  INBEELD_RETURN_IF_ERROR(
      CheckRequest(node_.config, *peer, header->purpose, header->mode, header->list_size));

  // Reserve a slot. A new start from a peer supersedes its unfinished session,
  // so an initiator that died mid-session can simply run again.
  std::vector<schema::wire::SessionId> superseded;
  {
    std::lock_guard lock(pending_mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.peer == peer->name) {
        superseded.push_back(it->first);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    if (pending_.size() + starting_ >= options_.max_open_sessions) {
      return Fail(ErrorCode::kResourceExhausted,
                  "the node is busy with other sessions; try again in a few minutes");
    }
    ++starting_;
  }
  struct SlotRelease {
    Responder* self;
    ~SlotRelease() {
      std::lock_guard lock(self->pending_mu_);
      --self->starting_;
    }
  } release{this};
  for (const auto& id : superseded) {
    (void)RecordFailure(id, "superseded by a new session from the same peer");
  }

  ExchangeList list;
  {
    std::lock_guard lock(store_mu_);
    ResultsStore results(*node_.store);
    INBEELD_RETURN_IF_ERROR(CheckDailyLimit(*peer, "responder", results));
    auto loaded = LoadExchangeList(*node_.store, node_.field_key,
                                   AllowedLabelMask(*peer) & header->label_mask);
    if (!loaded) return std::unexpected(loaded.error());
    list = std::move(*loaded);
    if (list.inputs.size() > peer->policy.max_list_size) {
      return Fail(ErrorCode::kResourceExhausted,
                  fmt::format("{}'s own list ({} records) exceeds the limit of {} set for peer "
                              "\"{}\"",
                              node_.config.node_name, list.inputs.size(),
                              peer->policy.max_list_size, peer->name));
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
    INBEELD_RETURN_IF_ERROR(results.Begin(record));
  }

  psi::ResponderParams params;
  params.allowed_label_mask = AllowedLabelMask(*peer);
  params.list_date = list.version.list_date;
  params.threads = options_.threads;
  auto session = psi::ResponderSession::Start(body, std::move(list.inputs), params);
  if (!session) {
    (void)RecordFailure(header->session_id, session.error().message);
    return std::unexpected(session.error());
  }
  std::string response = (*session)->StartResponse();
  (*session)->ReleaseStartResponse();
  {
    std::lock_guard lock(pending_mu_);
    pending_[header->session_id] =
        Pending{peer->name, std::move(*session), std::move(list.subjects),
                std::chrono::steady_clock::now() + options_.session_ttl};
  }
  return response;
}

Result<std::string> Responder::HandleFinish(std::string_view peer_name, std::string_view body) {
  auto id = schema::wire::PeekSessionId(body);
  if (!id) return std::unexpected(id.error());
  Pending pending;
  {
    std::lock_guard lock(pending_mu_);
    auto it = pending_.find(*id);
    // Another peer's session id is treated exactly like an unknown one.
    if (it == pending_.end() || it->second.peer != peer_name) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "no open session with this id: it finished, expired, was superseded, or never "
                  "started");
    }
    pending = std::move(it->second);
    pending_.erase(it);
  }
  auto finish = pending.session->HandleFinish(body);
  if (!finish) {
    (void)RecordFailure(*id, finish.error().message);
    return std::unexpected(finish.error());
  }
  {
    // Fail closed: the last message leaves only once the result is durable.
    std::lock_guard lock(store_mu_);
    ResultsStore results(*node_.store);
    INBEELD_RETURN_IF_ERROR(results.Complete(*id, finish->outcome, pending.subjects));
  }
  return std::move(finish->message);
}

void Responder::ExpireStale() {
  std::vector<schema::wire::SessionId> expired;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(pending_mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(it->first);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& id : expired) {
    (void)RecordFailure(id, "the peer did not finish the session in time");
  }
}

}  // namespace inbeeld::node::exchange
