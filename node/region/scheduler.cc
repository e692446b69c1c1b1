#include "node/region/scheduler.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
#include <ctime>

#include "node/region/retention.h"
#include "node/region/sync.h"

namespace inbeeld::node::region {
namespace {

using Clock = std::chrono::system_clock;

// "2026-11-22T14:03:05Z" → time point; nullopt if malformed.
std::optional<Clock::time_point> ParseIso(const std::string& text) {
  std::tm tm{};
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
      z != 'Z') {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return Clock::from_time_t(timegm(&tm));
}

std::string Iso(Clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

void Scheduler::Tick(Clock::time_point now) {
  const config::SyncConfig& sync = node_.config.sync;
  if (sync.every_days > 0 && !sync.purpose.empty()) {
    // Kept in meta, not read from sync_runs: retention may purge old runs.
    auto last_text = node_.store->GetMeta("last_sync_at");
    std::optional<Clock::time_point> last;
    if (last_text) last = ParseIso(*last_text);
    if (last_text && (!last || now - *last >= std::chrono::days(sync.every_days))) {
      auto report = RunSync(node_, SyncOptions{});
      if (report) {
        (void)node_.store->PutMeta("last_sync_at", Iso(now));
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
  auto last = ParseIso(*last_purge);
  if (!last || now - *last >= std::chrono::hours(sync.purge_every_hours)) {
    auto report = Purge(node_, now);
    if (report) {
      (void)node_.store->PutMeta("last_purge_at", Iso(now));
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
