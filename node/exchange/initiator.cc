#include "node/exchange/initiator.h"

#include <charconv>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "crypto/signing.h"
#include "node/exchange/exchange_list.h"
#include "node/exchange/policy.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::exchange {
namespace {

constexpr std::string_view kOctets = "application/octet-stream";

}  // namespace

Result<std::pair<std::string, int>> SplitAddress(std::string_view address, bool allow_any_port) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string_view::npos || colon == 0) {
    return Fail(ErrorCode::kInvalidArgument, "address must be host:port");
  }
  auto digits = address.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || port < (allow_any_port ? 0 : 1) || port > 65535) {
    return Fail(ErrorCode::kInvalidArgument, "address must end in a port between 1 and 65535");
  }
  std::string host(address.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::pair{host, port};
}

Result<MatchReport> RunMatch(UnlockedNode& node, const MatchRequest& request) {
  const config::PeerConfig* peer = node.config.FindPeer(request.peer);
  if (peer == nullptr) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("no peer named \"{}\" in the configuration (see `inbeeld peer add`)",
                            request.peer));
  }
  uint8_t mask = AllowedLabelMask(*peer);
  auto list = LoadExchangeList(*node.store, node.field_key, mask);
  if (!list) return std::unexpected(list.error());
  INBEELD_RETURN_IF_ERROR(
      CheckRequest(node.config, *peer, request.purpose, request.mode, list->inputs.size()));
  ResultsStore results(*node.store);
  INBEELD_RETURN_IF_ERROR(CheckDailyLimit(*peer, "initiator", results));

  auto peer_key = crypto::VerifyingKey::FromFingerprint(peer->key);
  if (!peer_key) return std::unexpected(WithContext(peer_key.error(), "peer " + peer->name + " key"));
  auto address = SplitAddress(peer->address);
  if (!address) return std::unexpected(WithContext(address.error(), "peer " + peer->name));
  auto seed = node.identity.SeedForStorage().RevealForCrypto();
  auto identity = net::TlsIdentity::Create(seed.first<32>(), node.config.node_name);
  if (!identity) return std::unexpected(identity.error());
  net::ClientOptions client_options = request.client;
  // Message 2 carries two points per record of the larger list.
  client_options.max_response_bytes =
      std::max(client_options.max_response_bytes, 80 * peer->policy.max_list_size + (1 << 20));
  auto client = net::PeerClient::Create(*identity, peer->name, peer_key->bytes(), address->first,
                                        address->second, client_options);
  if (!client) return std::unexpected(client.error());

  psi::InitiatorParams params;
  params.mode = request.mode;
  params.purpose = request.purpose;
  params.label_mask = mask;
  params.list_date = list->version.list_date;
  params.max_peer_list_size = static_cast<uint32_t>(peer->policy.max_list_size);
  params.threads = request.threads;
  auto session = psi::InitiatorSession::Create(std::move(list->inputs), params);
  if (!session) return std::unexpected(session.error());

  auto started = (*client)->Post("/v1/psi/start", (*session)->StartMessage(), kOctets);
  if (!started) return std::unexpected(started.error());
  if (started->status != 200) return std::unexpected(net::ErrorFromReply(peer->name, *started));

  // The peer accepted: from here on the session is on record.
  SessionRecord record;
  record.id = (*session)->session_id();
  record.role = "initiator";
  record.peer = peer->name;
  record.peer_key = peer->key;
  record.purpose = request.purpose;
  record.mode = request.mode;
  record.started_at = NowIso();
  record.list_version = list->version.id;
  record.own_list_size = static_cast<uint32_t>(list->subjects.size());
  INBEELD_RETURN_IF_ERROR(results.Begin(record));
  auto fail = [&](Error error) -> Result<MatchReport> {
    (void)results.MarkFailed(record.id, error.message);
    return std::unexpected(std::move(error));
  };

  auto finish_request = (*session)->HandleStartResponse(started->body);
  std::string().swap(started->body);
  if (!finish_request) return fail(WithContext(finish_request.error(), "peer " + peer->name));
  auto finished = (*client)->Post("/v1/psi/finish", *finish_request, kOctets);
  std::string().swap(*finish_request);
  if (!finished) return fail(finished.error());
  if (finished->status != 200) return fail(net::ErrorFromReply(peer->name, *finished));
  auto outcome = (*session)->HandleFinishResponse(finished->body);
  if (!outcome) return fail(WithContext(outcome.error(), "peer " + peer->name));
  INBEELD_RETURN_IF_ERROR(results.Complete(record.id, *outcome, list->subjects));
  auto stored = results.Get(record.id);
  if (!stored) return std::unexpected(stored.error());
  return MatchReport{std::move(*stored), std::move(*outcome)};
}

}  // namespace inbeeld::node::exchange
