#include "node/region/scheduler.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "node/region/retention.h"
#include "node/region/sync.h"
#include "node/timestamp.h"

namespace inbeeld::node::region {
using TimePoint = std::chrono::system_clock::time_point;

void Scheduler::Tick() {
  const TimePoint now = node_.clock().Now();
  const config::SyncConfig& sync = node_.config.sync;
  if (sync.every_days > 0 && !sync.purpose.empty()) {
    // Kept in meta, not read from sync_runs: retention may purge old runs.
    auto last_text = node_.store->GetMeta("last_sync_at");
    std::optional<TimePoint> last;
    if (last_text) last = ParseIsoUtc(*last_text);
    if (last_text && (!last || now - *last >= std::chrono::days(sync.every_days))) {
      auto report = RunSync(node_, SyncOptions{});
      if (report) {
        // Unrecorded, the next tick would run the whole sync again: say so.
        if (auto saved = node_.store->PutMeta("last_sync_at", IsoUtc(now)); !saved) {
          log_ << "scheduled sync: its time was not recorded, so it may run again early: "
               << saved.error().message << "\n";
        }
        log_ << fmt::format("scheduled sync {}: {} peers, {} not completed\n", report->run_id,
                            report->peers.size(), report->failures())
             << std::flush;
      } else {
        log_ << "scheduled sync failed: " << report.error().message << "\n" << std::flush;
      }
    }
  }
  auto last_purge = node_.store->GetMeta("last_purge_at");
  if (!last_purge) return;
  auto last = ParseIsoUtc(*last_purge);
  if (!last || now - *last >= std::chrono::hours(sync.purge_every_hours)) {
    auto report = Purge(node_, now);
    if (report) {
      if (auto saved = node_.store->PutMeta("last_purge_at", IsoUtc(now)); !saved) {
        log_ << "scheduled purge: its time was not recorded, so it may run again early: "
             << saved.error().message << "\n";
      }
      log_ << fmt::format("scheduled purge: {} list versions, {} sessions, {} audit records "
                          "redacted\n",
                          report->list_versions, report->sessions, report->audit_records_redacted)
           << std::flush;
    } else {
      log_ << "scheduled purge failed (retried next time): " << report.error().message << "\n"
           << std::flush;
    }
  }
}

}  // namespace inbeeld::node::region
