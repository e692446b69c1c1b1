// node/net/routes.h — the paths of the peer API (docs/PROTOCOL.md), named
// once: the server's route table (node/cli/serve_command.cc) and every client
// use these.
#ifndef INBEELD_NODE_NET_ROUTES_H_
#define INBEELD_NODE_NET_ROUTES_H_

#include <string_view>

namespace inbeeld::node::net::routes {

inline constexpr std::string_view kPing = "/v1/ping";                   // §2, reachability
inline constexpr std::string_view kPsiStart = "/v1/psi/start";          // §5
inline constexpr std::string_view kPsiFinish = "/v1/psi/finish";        // §5
inline constexpr std::string_view kAuditWitness = "/v1/audit/witness";  // §2.1
inline constexpr std::string_view kAuditCosign = "/v1/audit/cosign";    // §2.1
inline constexpr std::string_view kAuditRejoin = "/v1/audit/rejoin";    // §2.2
inline constexpr std::string_view kKeyRotate = "/v1/key/rotate";        // §12
inline constexpr std::string_view kRegionHop = "/v1/region/hop";        // §11
inline constexpr std::string_view kRegionResult = "/v1/region/result";  // §11

}  // namespace inbeeld::node::net::routes

#endif  // INBEELD_NODE_NET_ROUTES_H_
