// node/exchange/announce_key.h — tells one partner, over mutual TLS, that this
// node has a new identity key (the transport side of `inbeeld key rotate`;
// node/datadir/key_rotation.h decides whom to tell and records the outcome).
//
// The request goes out under the previous key, the one the partner pins
// (docs/PROTOCOL.md §12). When the partner refuses that key at the handshake,
// it may already pin the new one (it accepted an earlier announcement whose
// answer never arrived): the same announcement is then sent under the new
// key, and any answer the partner gives over that handshake proves it pins
// the new key (the partner logs the announcement as refused: its old key is
// no longer pinned).
//
// Thread safety: one call at a time per node.
#ifndef INBEELD_NODE_EXCHANGE_ANNOUNCE_KEY_H_
#define INBEELD_NODE_EXCHANGE_ANNOUNCE_KEY_H_

#include <span>

#include "base/error.h"
#include "config/node_config.h"
#include "crypto/signing.h"
#include "node/net/client.h"

namespace inbeeld::node::exchange {

// OK once `peer` pins `current`. Errors: the transport's (kUnavailable,
// kDeadlineExceeded, kUnauthenticated when the partner pins neither key),
// the partner's refusal (its code and message), kDataLoss for an answer that
// names another key.
Status SendKeyAnnouncement(const config::PeerConfig& peer, const std::string& node_name,
                           const crypto::SigningKey& previous, const crypto::SigningKey& current,
                           std::span<const uint8_t> announcement,
                           const net::ClientOptions& options = {});

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_ANNOUNCE_KEY_H_
