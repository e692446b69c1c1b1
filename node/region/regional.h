// node/region/regional.h — regional coverage counts without a central list.
//
// A multi-party protocol among N >= 3 nodes (docs/PROTOCOL.md, "Regional
// count"): the coordinator (index 0, the node that runs `inbeeld region
// count`) and N−1 participants, each pinned by the coordinator and pinning it.
// The protocol itself — its steps, states, crypto and sets — is
// node/region/session.h, transport-free. This file puts it in the node: the
// coordinator's RunRegionalCount (policy, key mask, the session and audit on
// record, the transport) and the participant's RegionParticipant (decoding
// the hop and result bodies, the peer's policy and limits, a table of
// sessions, the session and audit on record). The coordinator sends the
// figures (only those) to every participant.
//
// Every participation — refused, failed, completed or interrupted — is one
// audit record ("inbeeld.region.count") at each node, with the figures when
// known. A node opens the count in its audit journal ("inbeeld.region.opened",
// node/audit/session_journal.h) before its own blinded set leaves, so a count
// cut off by a stop or crash is recorded as interrupted at the next start.
//
// Cost: every set is blinded by every node, so a count of K nodes with lists
// of N children and k key slots a child costs K²·N·k scalar multiplications
// in all (plus K·N·k hash-to-group and the decoding of every point a node
// receives), done one node at a time: a node's share runs on its worker
// threads (node/psi/parallel.h), `threads` of them (0: one a core).
// bench/region_count_bench measures it.
//
// Thread safety: RegionParticipant's methods may be called concurrently from
// server threads. Its session table and its use of the store are guarded by
// an internal mutex; the crypto of a hop (decoding, hashing, blinding) runs
// outside it, on the worker threads, while the session is marked busy (a
// hop or a result for a busy session is refused with kFailedPrecondition;
// ExpireStale leaves it to a later call). It shares the node's store connection with the PSI
// responder: each store call is serialised by SQLite, and a write that
// collides with the responder's transaction fails (the hop is refused)
// rather than mixing with it. RunRegionalCount is one call on one thread
// (plus its worker threads); it uses the node's store, whose caller
// serialises access to it.
#ifndef INBEELD_NODE_REGION_REGIONAL_H_
#define INBEELD_NODE_REGION_REGIONAL_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/ristretto.h"
#include "node/datadir/node_dir.h"
#include "node/net/client.h"
#include "node/region/session.h"
#include "node/region/session_store.h"

namespace inbeeld::node::region {

// "<5" for 1..4, otherwise the number: small counts could single a child out.
std::string Suppressed(uint64_t count);
nlohmann::json RegionalJson(const RegionalCounts& counts);

struct RegionRequest {
  std::vector<std::string> peers;  // peer names; with this node, >= 3 in all
  std::string purpose;
  net::ClientOptions client;  // for the HTTPS transport
  unsigned threads = 0;       // crypto worker threads; 0 = one a core
};

// How the coordinator reaches the participants: POST /v1/region/hop and
// /v1/region/result, binary bodies (schema/region_wire.h, application/
// octet-stream) as docs/PROTOCOL.md §11 has them. The node's own is
// HTTPS with mutual TLS to each peer's configured address; benchmarks and
// tests hand the bodies to RegionParticipant objects in the process.
class RegionTransport {
 public:
  virtual ~RegionTransport() = default;
  // Sends `body` to `path` at `peer` and returns the reply body.
  // Errors: the peer's refusal (its code and message), or the transport's;
  // kResourceExhausted for a reply above max_reply_bytes.
  virtual Result<std::string> Post(const config::PeerConfig& peer, std::string_view path,
                                   const std::string& body, size_t max_reply_bytes) = 0;
};

// Runs the protocol as coordinator. Errors: kInvalidArgument for fewer than 2
// or more than 15 peers, an unknown peer or one twice; kPermissionDenied when
// this node's policy does not allow the purpose with a peer; a peer's error
// (its name in the message) when it refuses or fails. Audited either way.
// The first form reaches the peers over HTTPS (request.client).
Result<RegionalCounts> RunRegionalCount(UnlockedNode& node, const RegionRequest& request);
Result<RegionalCounts> RunRegionalCount(UnlockedNode& node, const RegionRequest& request,
                                        RegionTransport& transport);

// The latest completed regional count this node took part in, if any.
Result<std::optional<RegionalCounts>> LatestRegionalCount(Store& store);

// The completed regional counts, newest first, at most `limit`.
Result<std::vector<DatedRegionalCounts>> RegionalCountHistory(Store& store, size_t limit);

class RegionParticipant {
 public:
  // REQUIRES: `node` outlives this object.
  // `threads`: crypto worker threads a hop; 0 = one a core.
  explicit RegionParticipant(UnlockedNode& node,
                             std::chrono::seconds session_ttl = std::chrono::seconds(600),
                             unsigned threads = 0);
  // POST /v1/region/hop and /v1/region/result from the pinned peer `peer`:
  // the reply body (a region_wire reply; empty for a result), or an error.
  // A body that does not decode (schema::region_wire::DecodeHop or
  // DecodeResult: malformed, a version-2 JSON peer, a set larger than this
  // node takes from the peer) is refused before a count exists and goes to
  // the refusal sink; a hop that decodes but is refused (participants, key
  // types, policy, limits, points that fail CheckedSets, the wrong state)
  // is recorded and audited as a refused or failed count.
  Result<std::string> HandleHop(std::string_view peer, std::string_view body);
  Result<std::string> HandleResult(std::string_view peer, std::string_view body);
  // Drops sessions past their deadline (wiping their scalars), marks them failed.
  void ExpireStale();
  // Where requests refused before a count exists go (a message that does not
  // decode, a result for no open count): the serving node's RefusalLog. Set
  // before the server starts.
  using RefusalSink =
      std::function<void(std::string_view peer, std::string_view request, std::string reason)>;
  void SetRefusalSink(RefusalSink sink);
  // For tests: called on a hop's thread once its session is marked busy and
  // the lock is released, just before the hop's crypto, with the session id
  // (hex). A test blocks in it to hold a session busy. Set before the first
  // hop; never set by the node.
  void SetBusyHookForTest(std::function<void(std::string_view session)> hook);

 private:
  struct Session {
    std::string coordinator;
    std::string purpose;
    size_t participants = 0;
    size_t index = 0;
    std::unique_ptr<ParticipantSession> protocol;  // the protocol's state and scalar
    std::chrono::steady_clock::time_point deadline;
    int64_t started_ms = 0;
    uint32_t own_size = 0;
    int64_t list_version = 0;
    uint8_t key_mask = 0;  // the key types of this count
    // A hop is blinding outside mu_: no other call may use `protocol`,
    // change or end the session.
    bool busy = false;
  };
  // Ends the session: its region_sessions row (unless refused before one
  // existed) and its closing audit record, closing its journal entry.
  // REQUIRES: mu_ is held.
  Status Close(const std::string& session, const Session& s, const std::string& outcome,
               const std::string& reason, const RegionalCounts* counts);
  // Close() for a request that fails anyway: a failure to record is reported
  // on stderr, and the journal closes the session at the next start.
  void CloseOrReport(const std::string& session, const Session& s, const std::string& outcome,
                     const std::string& reason);

  // Reports `error` to the refusal sink and returns it.
  std::unexpected<Error> Unrecorded(std::string_view peer, std::string_view request, Error error);

  UnlockedNode& node_;
  RefusalSink refusal_sink_;
  std::function<void(std::string_view session)> busy_hook_;
  std::chrono::seconds ttl_;
  unsigned threads_;
  std::mutex mu_;  // guards sessions_ and node_.store
  std::map<std::string, Session> sessions_;
};

}  // namespace inbeeld::node::region

#endif  // INBEELD_NODE_REGION_REGIONAL_H_
