// PLACEHOLDER: filled in when the sheets and report branches land.
#include "node/console/handlers.h"
#include "node/console/meeting_list.h"
namespace inbeeld::node::console {
std::vector<Route> ImportRoutes() { return {}; }
std::vector<Route> LogbookRoutes() { return {}; }
std::vector<Route> ReportRoutes() { return {}; }
Result<std::string> MeetingListXlsx(const exchange::SessionRecord&, const std::vector<MeetingRow>&) {
  return Fail(ErrorCode::kFailedPrecondition, "xlsx pending");
}
}  // namespace inbeeld::node::console
