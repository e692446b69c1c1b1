#include "node/exchange/rejoin_peer.h"

#include "node/net/client.h"
#include "node/net/routes.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::exchange {

Result<audit::RejoinResponse> RejoinPeer(UnlockedNode& node, const config::PeerConfig& peer) {
  auto key = crypto::VerifyingKey::FromFingerprint(peer.key);
  if (!key) return std::unexpected(WithContext(key.error(), "peer " + peer.name + " key"));
  auto address = config::ParseAddress(peer.address);
  if (!address) return std::unexpected(WithContext(address.error(), "peer " + peer.name));
  auto seed = node.identity.SeedForStorage().RevealForCrypto();
  auto identity = net::TlsIdentity::Create(seed.first<32>(), node.config.node_name);
  if (!identity) return std::unexpected(identity.error());
  net::ClientOptions options;
  options.max_response_bytes = 1 << 16;
  auto client = net::PeerClient::Create(*identity, peer.name, key->bytes(), address->host,
                                        address->port, options);
  if (!client) return std::unexpected(client.error());
  audit::AuditLog log(*node.store, node.identity);
  const audit::WitnessPeer witness_peer{peer.name, *key};
  uint64_t proof_from = UINT64_MAX;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto request = audit::MakeRejoinRequest(log, witness_peer, proof_from);
    if (!request) return std::unexpected(request.error());
    auto reply = net::PostPatiently(**client, net::routes::kAuditRejoin,
                                    audit::EncodeRejoinRequest(*request), "application/json");
    if (!reply) return std::unexpected(Error(reply.error()));
    auto response = audit::DecodeRejoinResponse(reply->body);
    if (!response) return std::unexpected(response.error());
    if (response->retry_proof_from) {
      proof_from = *response->retry_proof_from;
      continue;
    }
    if (response->outcome == audit::RejoinOutcome::kAccepted) {
      INBEELD_RETURN_IF_ERROR(
          audit::RecordRejoined(log, witness_peer, request->restore_index, response->lost));
    }
    return response;
  }
  return Fail(ErrorCode::kFailedPrecondition,
              "peer \"" + peer.name +
                  "\" witnessed none of this node's log up to the backup the "
                  "way this node holds it; the restored log cannot be proved to keep it");
}

}  // namespace inbeeld::node::exchange
