// node/console/meeting_list.h — a session's pairs as the casusoverleg needs
// them: the own child's reference, name and birth date next to what the
// partner knows, the pair code both sides share, its strength, the decision
// and every difference flagged. The page shows it; CSV and .xlsx take it to
// the meeting.
//
// Thread safety: as the node's Store (one thread at a time).
#ifndef INBEELD_NODE_CONSOLE_MEETING_LIST_H_
#define INBEELD_NODE_CONSOLE_MEETING_LIST_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/datadir/node_dir.h"
#include "node/exchange/report.h"
#include "node/exchange/results_store.h"

namespace inbeeld::node::console {

struct MeetingRow {
  exchange::ResultRow result;
  std::string name;        // as DisplayName shows it; "-" when the list has none
  std::string birth_date;  // dd-mm-jjjj, mm-jjjj or jjjj; "" when unknown
};

// The pairs of a completed match session (none for a count or an unfinished
// session), in own-reference order. kDataLoss if its list version was purged.
Result<std::vector<MeetingRow>> LoadMeetingList(UnlockedNode& node,
                                                const exchange::SessionRecord& session);

// "zeker", "waarschijnlijk", "mogelijk".
std::string StrengthWord(schema::Strength strength);
nlohmann::json MeetingRowJson(const MeetingRow& row);

// The Dutch column headers and one row of cells per pair (the same for CSV
// and .xlsx).
std::vector<std::string> MeetingListHeader();
std::vector<std::vector<std::string>> MeetingListCells(const std::vector<MeetingRow>& rows);

// UTF-8 with BOM, ';', CRLF (Dutch Excel); a cell starting with = + - @ gets
// a leading ' so a spreadsheet never runs it.
std::string MeetingListCsv(const std::vector<MeetingRow>& rows);
Result<std::string> MeetingListXlsx(const exchange::SessionRecord& session,
                                    const std::vector<MeetingRow>& rows);

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_MEETING_LIST_H_
