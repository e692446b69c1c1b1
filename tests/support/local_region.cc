#include "tests/support/local_region.h"

#include <utility>

#include "node/net/routes.h"

namespace inbeeld::testing {

namespace {
constexpr std::string_view kPurpose = "thuiszitters-afstemming";  // LocalNode's example
}  // namespace

Result<std::unique_ptr<LocalRegion>> LocalRegion::Create(
    const std::vector<std::vector<schema::ListRow>>& lists, config::Role role, unsigned threads) {
  std::unique_ptr<LocalRegion> region(new LocalRegion());
  for (size_t i = 0; i < lists.size(); ++i) {
    auto node = LocalNode::CreateWithList("n" + std::to_string(i), role, lists[i]);
    if (!node) return std::unexpected(node.error());
    region->nodes_.push_back(std::move(*node));
  }
  for (size_t i = 0; i < lists.size(); ++i) {
    for (size_t j = 0; j < lists.size(); ++j) {
      if (i == j) continue;
      region->nodes_[i]->AddPeer("n" + std::to_string(j), role,
                                 region->nodes_[j]->node().metadata.fingerprint);
      region->nodes_[i]->node().config.peers.back().policy.max_sessions_per_day = 10'000;
    }
    if (i > 0) {
      region->participants_.emplace(
          "n" + std::to_string(i),
          std::make_unique<node::region::RegionParticipant>(region->nodes_[i]->node(),
                                                            std::chrono::seconds(600), threads));
    }
  }
  return region;
}

Result<node::region::RegionalCounts> LocalRegion::Count(unsigned threads) {
  node::region::RegionRequest request;
  for (size_t i = 1; i < nodes_.size(); ++i) request.peers.push_back("n" + std::to_string(i));
  request.purpose = std::string(kPurpose);
  request.threads = threads;
  return node::region::RunRegionalCount(nodes_[0]->node(), request, *this);
}

Result<std::string> LocalRegion::Post(const config::PeerConfig& peer, std::string_view path,
                                      const std::string& body, size_t max_reply_bytes) {
  auto it = participants_.find(peer.name);
  if (it == participants_.end()) {
    return Fail(ErrorCode::kNotFound, "no participant \"" + peer.name + "\" in this region");
  }
  Result<std::string> reply;
  if (path == node::net::routes::kRegionHop) {
    reply = it->second->HandleHop("n0", body);
  } else if (path == node::net::routes::kRegionResult) {
    reply = it->second->HandleResult("n0", body);
  } else {
    return Fail(ErrorCode::kNotFound, "no route " + std::string(path));
  }
  if (reply && reply->size() > max_reply_bytes) {
    return Fail(ErrorCode::kResourceExhausted, "the reply exceeds max_reply_bytes");
  }
  return reply;
}

}  // namespace inbeeld::testing
