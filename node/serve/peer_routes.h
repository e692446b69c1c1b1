// node/serve/peer_routes.h — what a serving node answers its partners: every
// peer route of docs/PROTOCOL.md (node/net/routes.h) bound to its handler,
// and what the peer server trusts and accepts, derived from the
// configuration.
//
// The handlers — the exchange Responder, the regional participant, the key
// rotation responder — are transport-free; this file only routes: a body in,
// a reply out, "busy" (kUnavailable) as a 429 with Retry-After, any other
// refusal as its HTTP status (node/net/reply.h). `inbeeld serve` assembles a
// net::PeerServer from these and runs it with its threads; tests run the same
// server in process over loopback (tests/node/serve/).
//
// Thread safety: the handlers AddPeerRoutes binds run on the server's threads,
// each holding `config_mu` shared, so a reload (which takes it exclusively)
// swaps the configuration between requests, never during one.
#ifndef INBEELD_NODE_SERVE_PEER_ROUTES_H_
#define INBEELD_NODE_SERVE_PEER_ROUTES_H_

#include <algorithm>
#include <chrono>
#include <shared_mutex>

#include "base/error.h"
#include "config/node_config.h"
#include "node/datadir/key_rotation.h"
#include "node/exchange/responder.h"
#include "node/net/pinning.h"
#include "node/net/server.h"
#include "node/region/regional.h"

namespace inbeeld::node::serve {

// The hint sent with a busy refusal (429).
inline constexpr std::chrono::seconds kBusyRetryAfter{5};

// What the peer server trusts and accepts, derived from the configuration.
struct PeerSetup {
  net::PinSet pins;
  // The largest request a peer may send: PSI message 1 (a group of k
  // 32-byte points a record, k from the key types allowed with it), message
  // 3, or a regional hop (schema::region_wire::MaxHopSize: up to
  // kMaxRegionNodes - 1 sets of k 32-byte points and a category byte a
  // child), for the largest list a peer's policy allows. Anything bigger is
  // refused before parsing.
  size_t psi_start = 1, psi_finish = 1, region_hop = 1;
  size_t max_body() const { return std::max({psi_start, psi_finish, region_hop}); }
};

// Errors: a peer's key that is not a valid fingerprint, or a key or name
// pinned twice (kInvalidArgument, kAlreadyExists).
Result<PeerSetup> PeerSetupFor(const config::NodeConfig& config);

// The server's limits for `setup`: each route its own body limit (so a pinned
// peer cannot send a regional hop's worth of bytes to a route that takes a
// few kilobytes; a regional result at most MaxResultSize), a request timeout for the largest body
// at 2 MB/s (at least a minute), 60-second read and write timeouts. The pins and on_refused are the
// caller's.
net::ServerOptions PeerServerOptions(const PeerSetup& setup);

struct PeerHandlers {
  exchange::Responder* responder = nullptr;
  region::RegionParticipant* region = nullptr;
  KeyRotationResponder* rotations = nullptr;
  std::shared_mutex* config_mu = nullptr;
};

// Binds POST /v1/ping, /v1/psi/start and /finish, /v1/audit/witness, /cosign
// and /rejoin, /v1/key/rotate, /v1/region/hop and /result. Every handler
// must outlive the server's serving. Errors: the server's (a route bound
// twice).
Status AddPeerRoutes(net::PeerServer& server, const PeerHandlers& handlers);

}  // namespace inbeeld::node::serve

#endif  // INBEELD_NODE_SERVE_PEER_ROUTES_H_
