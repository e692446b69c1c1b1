// tests/support/local_region.h — a region of LocalNodes in this process for
// the regional count: node 0 the coordinator, every other node with a
// RegionParticipant, each node pinning every other. As the coordinator's
// RegionTransport it hands each request body straight to the participant's
// HandleHop or HandleResult: the protocol, its crypto, the store and the
// audit as in a real count, without TLS or HTTP.
//
// For the regional count's benchmark (bench/region_count_bench.cc) and the
// tests of its protocol in one process; the count between real processes is
// tests/node/region_test.cc.
//
// Thread safety: one thread at a time (the participants' crypto uses its own
// worker threads inside each call).
#ifndef INBEELD_TESTS_SUPPORT_LOCAL_REGION_H_
#define INBEELD_TESTS_SUPPORT_LOCAL_REGION_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/region/regional.h"
#include "schema/list_row.h"
#include "tests/support/local_node.h"

namespace inbeeld::testing {

class LocalRegion final : public node::region::RegionTransport {
 public:
  // One node a list, named "n0", "n1", ..., all of `role`, each allowing the
  // others up to 10,000 sessions a day. `threads`: each participant's crypto
  // worker threads (0: one a core). Errors: as LocalNode::CreateWithList.
  static Result<std::unique_ptr<LocalRegion>> Create(
      const std::vector<std::vector<schema::ListRow>>& lists, config::Role role,
      unsigned threads = 0);

  size_t size() const { return nodes_.size(); }
  LocalNode& node(size_t i) { return *nodes_[i]; }

  // A count run by node 0 with all the others, its crypto on `threads`
  // threads. Errors: as node::region::RunRegionalCount.
  Result<node::region::RegionalCounts> Count(unsigned threads = 0);

  // RegionTransport: the body to participant `peer` as if from "n0".
  // Errors: the participant's; kNotFound for a peer not in this region,
  // kResourceExhausted for a reply above max_reply_bytes.
  Result<std::string> Post(const config::PeerConfig& peer, std::string_view path,
                           const std::string& body, size_t max_reply_bytes) override;

 private:
  LocalRegion() = default;

  std::vector<std::unique_ptr<LocalNode>> nodes_;
  std::map<std::string, std::unique_ptr<node::region::RegionParticipant>> participants_;
};

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_LOCAL_REGION_H_
