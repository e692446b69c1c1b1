#include "node/serve/peer_routes.h"

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "crypto/signing.h"
#include "node/exchange/policy.h"
#include "node/net/reply.h"
#include "node/net/routes.h"
#include "schema/key_rotation.h"
#include "schema/region_wire.h"
#include "schema/wire.h"

namespace inbeeld::node::serve {
namespace {

using Handle = std::function<Result<std::string>(std::string_view, std::string_view)>;

net::PeerHandler Handler(Handle handle, std::string content_type, std::shared_mutex* config_mu) {
  return [handle = std::move(handle), content_type = std::move(content_type),
          config_mu](const net::PeerRequest& request) -> Result<net::Reply> {
    Result<std::string> body = [&] {
      if (config_mu == nullptr) return handle(request.peer, request.body);
      std::shared_lock lock(*config_mu);
      return handle(request.peer, request.body);
    }();
    if (!body && body.error().code == ErrorCode::kUnavailable) {
      return net::BusyReply(body.error().message, kBusyRetryAfter);
    }
    if (!body) return net::ErrorReply(body.error());
    return net::Reply{200, content_type, std::move(*body)};
  };
}

constexpr char kJson[] = "application/json";
constexpr char kBinary[] = "application/octet-stream";

}  // namespace

Result<PeerSetup> PeerSetupFor(const config::NodeConfig& config) {
  PeerSetup setup;
  for (const auto& peer : config.peers) {
    auto key = crypto::VerifyingKey::FromFingerprint(peer.key);
    if (!key) return std::unexpected(WithContext(key.error(), "peer " + peer.name));
    INBEELD_RETURN_IF_ERROR(setup.pins.Add(peer.name, key->bytes()));
    const size_t k = schema::wire::SlotCount(exchange::AllowedKeyMask(config, peer));
    const size_t n = peer.policy.max_list_size;
    setup.psi_start = std::max(setup.psi_start, (schema::wire::kPointSize * k + 1) * n);
    // D, and labels for at most one record a record (up to 16 bytes each).
    setup.psi_finish = std::max(setup.psi_finish, (schema::wire::kTagSize * k + 24) * n);
    // A hop: the header, 16 keys and up to 15 sets the peer may send, each
    // of at most n children (the participant refuses a larger one).
    setup.region_hop = std::max(
        setup.region_hop, schema::region_wire::MaxHopSize(exchange::AllowedKeyMask(config, peer),
                                                          std::min(n, region::kMaxSetSize)));
  }
  return setup;
}

net::ServerOptions PeerServerOptions(const PeerSetup& setup) {
  net::ServerOptions options;
  options.max_body_bytes = setup.max_body() + (1 << 20);
  options.max_body_bytes_by_path = {
      {std::string(net::routes::kPsiStart), setup.psi_start + (1 << 16)},
      {std::string(net::routes::kPsiFinish), setup.psi_finish + (1 << 16)},
      {std::string(net::routes::kRegionHop), setup.region_hop},
      {std::string(net::routes::kRegionResult), schema::region_wire::MaxResultSize()},
      {std::string(net::routes::kAuditWitness), 1 << 20},
      {std::string(net::routes::kAuditCosign), 1 << 16},
      {std::string(net::routes::kAuditRejoin), 1 << 16},
      {std::string(net::routes::kKeyRotate), schema::kMaxKeyRotationSize},
  };
  // A whole request may take as long as its largest body needs at 2 MB/s.
  options.request_timeout =
      std::chrono::seconds(std::max<size_t>(60, options.max_body_bytes / (size_t{2} << 20)));
  options.read_timeout = std::chrono::seconds(60);
  options.write_timeout = std::chrono::seconds(60);
  return options;
}

Status AddPeerRoutes(net::PeerServer& server, const PeerHandlers& h) {
  // Reachability (the console's "bereikbaar?"): answers a pinned peer after
  // the handshake; carries no data, so it is not an exchange.
  INBEELD_RETURN_IF_ERROR(
      server.Post(net::routes::kPing, [](const net::PeerRequest&) -> Result<net::Reply> {
        return net::Reply{200, kJson, "{}"};
      }));
  auto bind = [&](std::string_view path, Handle handle, const char* type, std::shared_mutex* mu) {
    return server.Post(path, Handler(handle, type, mu));
  };
  exchange::Responder& responder = *h.responder;
  INBEELD_RETURN_IF_ERROR(bind(
      net::routes::kPsiStart,
      [&responder](std::string_view p, std::string_view b) { return responder.HandleStart(p, b); },
      kBinary, h.config_mu));
  INBEELD_RETURN_IF_ERROR(bind(
      net::routes::kPsiFinish,
      [&responder](std::string_view p, std::string_view b) { return responder.HandleFinish(p, b); },
      kBinary, h.config_mu));
  INBEELD_RETURN_IF_ERROR(bind(
      net::routes::kAuditWitness,
      [&responder](std::string_view p, std::string_view b) {
        return responder.HandleWitness(p, b);
      },
      kJson, h.config_mu));
  INBEELD_RETURN_IF_ERROR(bind(
      net::routes::kAuditRejoin,
      [&responder](std::string_view p, std::string_view b) { return responder.HandleRejoin(p, b); },
      kJson, h.config_mu));
  INBEELD_RETURN_IF_ERROR(bind(
      net::routes::kAuditCosign,
      [&responder](std::string_view p, std::string_view b) { return responder.HandleCosign(p, b); },
      kJson, h.config_mu));
  // A peer announcing its new key (docs/PROTOCOL.md §12) rewrites
  // inbeeld.toml, whose reload then takes config_mu: not held here.
  if (h.rotations != nullptr) {
    KeyRotationResponder& rotations = *h.rotations;
    INBEELD_RETURN_IF_ERROR(bind(
        net::routes::kKeyRotate,
        [&rotations](std::string_view p, std::string_view b) { return rotations.Handle(p, b); },
        kJson, nullptr));
  }
  if (h.region != nullptr) {
    region::RegionParticipant& region = *h.region;
    INBEELD_RETURN_IF_ERROR(bind(
        net::routes::kRegionHop,
        [&region](std::string_view p, std::string_view b) { return region.HandleHop(p, b); },
        kBinary, h.config_mu));
    INBEELD_RETURN_IF_ERROR(bind(
        net::routes::kRegionResult,
        [&region](std::string_view p, std::string_view b) { return region.HandleResult(p, b); },
        kBinary, h.config_mu));
  }
  return {};
}

}  // namespace inbeeld::node::serve
