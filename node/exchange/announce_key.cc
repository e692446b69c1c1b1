#include "node/exchange/announce_key.h"

#include <string_view>

#include "node/net/routes.h"
#include "node/net/tls_identity.h"
#include "schema/json_reader.h"
#include "schema/key_rotation.h"

namespace inbeeld::node::exchange {
namespace {

constexpr std::string_view kContentType = "application/octet-stream";

net::PeerResult PostUnder(const crypto::SigningKey& key, const std::string& node_name,
                          const config::PeerConfig& peer, std::span<const uint8_t> body,
                          const net::ClientOptions& options) {
  auto fail = [](Error e) { return std::unexpected(net::PeerError{std::move(e)}); };
  auto pinned = crypto::VerifyingKey::FromFingerprint(peer.key);
  if (!pinned) return fail(WithContext(pinned.error(), "peer " + peer.name + " key"));
  auto address = config::ParseAddress(peer.address);
  if (!address) return fail(WithContext(address.error(), "peer " + peer.name));
  auto identity =
      net::TlsIdentity::Create(key.SeedForStorage().RevealForCrypto().first<32>(), node_name);
  if (!identity) return fail(identity.error());
  auto client = net::PeerClient::Create(*identity, peer.name, pinned->bytes(), address->host,
                                        address->port, options);
  if (!client) return fail(client.error());
  return net::PostPatiently(
      **client, net::routes::kKeyRotate,
      std::string_view(reinterpret_cast<const char*>(body.data()), body.size()), kContentType);
}

}  // namespace

Status SendKeyAnnouncement(const config::PeerConfig& peer, const std::string& node_name,
                           const crypto::SigningKey& previous, const crypto::SigningKey& current,
                           std::span<const uint8_t> announcement,
                           const net::ClientOptions& options) {
  net::ClientOptions limited = options;
  limited.max_response_bytes = 1 << 12;
  auto reply = PostUnder(previous, node_name, peer, announcement, limited);
  if (reply) {
    // The partner answers {"pinned": "<the fingerprint it pins now>"}.
    const std::string expected = current.PublicKey().Fingerprint();
    auto body = schema::JsonDocument::Parse(reply->body, "key rotation answer");
    auto pinned = body ? body->Root().String("pinned", schema::JsonString::Text(expected.size()))
                       : Result<std::string>(std::unexpected(body.error()));
    if (pinned && body->Root().OnlyMembers({"pinned"}) && *pinned == expected) return {};
    return Fail(ErrorCode::kDataLoss,
                "peer " + peer.name + " accepted the announcement but did not confirm the new key" +
                    (pinned ? std::string() : " (" + pinned.error().message + ")"));
  }
  if (reply.error().code != ErrorCode::kUnauthenticated || reply.error().http_status != 0) {
    return std::unexpected(Error(reply.error()));
  }
  // Refused at the handshake: perhaps it pins the new key already.
  auto probe = PostUnder(current, node_name, peer, announcement, limited);
  if (probe || probe.error().http_status != 0) return {};
  // Both messages: one may say the partner presented a key other than the
  // one pinned here, which no key of ours can fix.
  return Fail(ErrorCode::kUnauthenticated, "no handshake with peer " + peer.name +
                                               " under this node's previous key (" +
                                               reply.error().message + ") nor under its new one (" +
                                               probe.error().message + ")");
}

}  // namespace inbeeld::node::exchange
