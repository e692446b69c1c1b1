// Fuzzes the regional count's participant (node/region/regional.h) with the
// bodies a coordinator posts to /v1/region/hop and /v1/region/result.
//
// Input: up to four messages separated by "\n---\n", each a kind letter
// ('H' a hop, 'R' a result) followed by the binary body (schema/
// region_wire.h). Before a body is handled, three placeholders of the
// fields' own sizes are replaced, so seeds stay valid across runs:
//   kCoordinatorMark (32 bytes)  the coordinator's raw ed25519 key
//   kSelfMark (32 bytes)         this node's raw key
//   kSessionMark (16 bytes)      a session id fresh for this input
// Each input meets a fresh RegionParticipant on one node (tests/support/
// local_node.h) holding a list of 5 children; messages within an input share
// it, so a hop of round 1 can be followed by round 2 and a result.
//
// Invariants beyond "no crash": an accepted hop's reply decodes as a
// reply for the hop's session (the placeholder's, unless mutated away); a refusal's message stays short.
#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/signing.h"
#include "fuzz/fuzz_target.h"
#include "node/region/regional.h"
#include "schema/region_wire.h"
#include "tests/support/local_node.h"

namespace {

using inbeeld::config::Role;

// The placeholders fuzz/make_corpus.cc writes into the region seeds.
constexpr std::string_view kCoordinatorMark = "$COORDINATOR-KEY-PLACEHOLDER-32b";
constexpr std::string_view kSelfMark = "$SELF-KEY-PLACEHOLDER-32-bytes-.";
constexpr std::string_view kSessionMark = "$SESSION-ID-16b.";
static_assert(kCoordinatorMark.size() == 32 && kSelfMark.size() == 32 && kSessionMark.size() == 16);

std::string Raw(std::span<const uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

struct Region {
  std::unique_ptr<inbeeld::testing::LocalNode> node;
  std::string coordinator_key;  // raw
  std::string self_key;         // raw
  uint64_t sessions = 0;
};

Region& TheRegion() {
  static Region region = [] {
    Region r;
    auto node = inbeeld::testing::LocalNode::Create("deelnemer", Role::kLeerplicht, 5);
    if (!node) inbeeld::fuzz::CheckFailed(node.error().message.c_str(), __FILE__, __LINE__);
    r.node = std::move(*node);
    r.coordinator_key = Raw(r.node->AddPeer("coordinator", Role::kLeerplicht).PublicKey().bytes());
    auto self = inbeeld::crypto::VerifyingKey::FromFingerprint(r.node->node().metadata.fingerprint);
    if (!self) inbeeld::fuzz::CheckFailed(self.error().message.c_str(), __FILE__, __LINE__);
    r.self_key = Raw(self->bytes());
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
  const std::string session = Raw(id);

  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (int message = 0; message < 4 && !input.empty(); ++message) {
    const size_t end = input.find("\n---\n");
    std::string body(input.substr(0, end));
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 5);
    if (body.empty()) continue;
    const char kind = body[0];
    body.erase(0, 1);
    ReplaceAll(body, kCoordinatorMark, region.coordinator_key);
    ReplaceAll(body, kSelfMark, region.self_key);
    ReplaceAll(body, kSessionMark, session);
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
    // An accepted hop decodes; its reply is for the same nodes and key types.
    namespace rw = inbeeld::schema::region_wire;
    auto hop = rw::DecodeHop(body, UINT32_MAX);
    INBEELD_FUZZ_CHECK(hop.has_value());
    auto decoded =
        rw::DecodeReply(*reply, hop->header.participants.size(), hop->header.key_mask, UINT32_MAX);
    // The fuzzer may rewrite the placeholder, so the session is the hop's own.
    INBEELD_FUZZ_CHECK(decoded.has_value() &&
                       Raw(decoded->session_id) == Raw(hop->header.session_id));
  }
}
