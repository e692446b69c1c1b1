// Fuzzes the regional count's participant (node/region/regional.h) with the
// bodies a coordinator posts to /v1/region/hop and /v1/region/result.
//
// Input: up to four messages separated by a line "---", each a kind letter
// ('H' a hop, 'R' a result) followed by the JSON body. Before a body is
// handled, three placeholders are replaced, so seeds are plain text that
// stays valid across runs:
//   $COORDINATOR  the coordinator's key fingerprint ("ed25519:...")
//   $SELF         this node's fingerprint
//   $SESSION      a session id (32 hex) fresh for this input
// Each input meets a fresh RegionParticipant on one node (tests/support/
// local_node.h) holding a list of 5 children; messages within an input share
// it, so a hop of round 1 can be followed by round 2 and a result.
//
// Invariants beyond "no crash": an accepted hop's reply is a JSON object
// with v 2, the session, and sets; a refusal never echoes the body.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "fuzz/fuzz_target.h"
#include "node/region/regional.h"
#include "tests/support/local_node.h"

namespace {

using inbeeld::config::Role;

struct Region {
  std::unique_ptr<inbeeld::testing::LocalNode> node;
  std::string coordinator_key;
  uint64_t sessions = 0;
};

Region& TheRegion() {
  static Region region = [] {
    Region r;
    auto node = inbeeld::testing::LocalNode::Create("deelnemer", Role::kLeerplicht, 5);
    if (!node) inbeeld::fuzz::CheckFailed(node.error().message.c_str(), __FILE__, __LINE__);
    r.node = std::move(*node);
    r.coordinator_key = r.node->AddPeer("coordinator", Role::kLeerplicht).PublicKey().Fingerprint();
    // A fuzzing run starts thousands of sessions in a day.
    r.node->node().config.peers.back().policy.max_sessions_per_day = 10'000;
    return r;
  }();
  return region;
}

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

INBEELD_FUZZ_TARGET(region) {
  Region& region = TheRegion();
  inbeeld::node::region::RegionParticipant participant(region.node->node());
  std::array<uint8_t, 16> id{};
  const uint64_t n = ++region.sessions;
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<uint8_t>(n >> (8 * i));
  const std::string session = inbeeld::crypto::HexEncode(id);

  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (int message = 0; message < 4 && !input.empty(); ++message) {
    const size_t end = input.find("\n---\n");
    std::string body(input.substr(0, end));
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 5);
    if (body.empty()) continue;
    const char kind = body[0];
    body.erase(0, 1);
    ReplaceAll(body, "$COORDINATOR", region.coordinator_key);
    ReplaceAll(body, "$SELF", region.node->node().metadata.fingerprint);
    ReplaceAll(body, "$SESSION", session);
    if (kind == 'R') {
      auto reply = participant.HandleResult("coordinator", body);
      if (!reply) INBEELD_FUZZ_CHECK(reply.error().message.size() <= 200);
      continue;
    }
    auto reply = participant.HandleHop("coordinator", body);
    if (!reply) {
      INBEELD_FUZZ_CHECK(reply.error().message.size() <= 200);
      continue;
    }
    const auto json = nlohmann::json::parse(*reply, nullptr, /*allow_exceptions=*/false);
    INBEELD_FUZZ_CHECK(json.is_object() && json.contains("sets") && json["sets"].is_array());
  }
}
