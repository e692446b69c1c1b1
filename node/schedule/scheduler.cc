#include "node/schedule/scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "node/clock/timestamp.h"
#include "node/retention/retention.h"
#include "schema/json_reader.h"

namespace inbeeld::node::schedule {
namespace {

// The meta key of the pending retry: {"run", "peers", "retry", "at"}, or "".
constexpr char kRetryKey[] = "sync_retry";

std::string Why(const sync::PeerSyncOutcome& o, std::string_view prefix) {
  return fmt::format("{} ({})", prefix, o.code ? ErrorCodeName(*o.code) : "unknown");
}

}  // namespace

std::chrono::minutes Scheduler::RetryDelay(int retry) {
  if (retry <= 1) return std::chrono::minutes(1);
  if (retry > 7) return std::chrono::minutes(60);
  return std::chrono::minutes(std::min(60, 1 << (retry - 1)));
}

void Scheduler::Tick() {
  const TimePoint now = node_.clock().Now();
  const config::SyncConfig& sync = node_.config.sync;
  if (sync.every_days > 0 && !sync.purpose.empty()) TickSync(now);
  TickPurge(now);
}

void Scheduler::TickSync(TimePoint now) {
  const auto period = std::chrono::days(node_.config.sync.every_days);
  // Kept in meta, not read from sync_runs: retention may purge old runs.
  auto last_text = node_.store->GetMeta("last_sync_at");
  if (!last_text) return;  // unreadable now; the next tick tries again
  const std::optional<TimePoint> last = ParseIsoUtc(*last_text);
  if (!last || now - *last >= period) {
    RunScheduledSync(now, now + period);
    return;
  }
  if (auto pending = LoadRetry(); pending && now >= pending->at) {
    Retry(*pending, now, *last + period);
  }
}

void Scheduler::RunScheduledSync(TimePoint now, TimePoint next_sync) {
  auto report = sync::RunSync(node_, sync_);
  if (!report) {
    log_ << "scheduled sync failed: " << report.error().message << "\n" << std::flush;
    return;
  }
  PutTime("last_sync_at", now, "scheduled sync");
  log_ << fmt::format("scheduled sync {}: {} peers, {} not completed\n", report->run_id,
                      report->peers.size(), report->failures())
       << std::flush;
  DownPeers down;
  for (const sync::PeerSyncOutcome& o : report->peers) {
    if (o.PeerWasDown()) down.emplace_back(o.peer, Why(o, "not reached"));
  }
  ScheduleRetry(report->run_id, down, 1, now, next_sync);
}

void Scheduler::Retry(const PendingRetry& pending, TimePoint now, TimePoint next_sync) {
  auto report = sync::RetrySync(node_, pending.run_id, pending.peers, sync_);
  DownPeers down;
  if (!report) {
    const ErrorCode code = report.error().code;
    if (code == ErrorCode::kNotFound || code == ErrorCode::kFailedPrecondition) {
      // The run is gone or superseded: the next scheduled sync covers these peers.
      for (const std::string& peer : pending.peers) {
        log_ << fmt::format("scheduled sync {}: peer {} not retried: {}\n", pending.run_id, peer,
                            report.error().message);
      }
      log_ << std::flush;
      SaveRetry(std::nullopt);
      return;
    }
    // The store failed us, not the peer: try again on the same schedule.
    for (const std::string& peer : pending.peers) {
      down.emplace_back(
          peer, fmt::format("retry {} could not run ({})", pending.retry, ErrorCodeName(code)));
    }
  } else {
    for (const sync::PeerSyncOutcome& o : report->peers) {
      if (o.status == "completed") {
        log_ << fmt::format("scheduled sync {}: peer {} synced on retry {}\n", pending.run_id,
                            o.peer, pending.retry);
      } else if (o.PeerWasDown()) {
        down.emplace_back(o.peer, Why(o, "still not reached"));
      } else {
        log_ << fmt::format("scheduled sync {}: peer {} {} on retry {}{}; not retried again\n",
                            pending.run_id, o.peer, o.status, pending.retry,
                            o.code ? fmt::format(" ({})", ErrorCodeName(*o.code)) : "");
      }
    }
  }
  ScheduleRetry(pending.run_id, down, pending.retry + 1, now, next_sync);
}

void Scheduler::ScheduleRetry(int64_t run_id, const DownPeers& down, int retry, TimePoint now,
                              TimePoint next_sync) {
  if (down.empty()) {
    log_ << std::flush;
    SaveRetry(std::nullopt);
    return;
  }
  const TimePoint at = now + RetryDelay(retry);
  const bool before_next = at < next_sync;
  PendingRetry pending{run_id, {}, retry, at};
  for (const auto& [peer, why] : down) {
    pending.peers.push_back(peer);
    if (before_next) {
      log_ << fmt::format("scheduled sync {}: peer {} {}; retry {} at {}\n", run_id, peer, why,
                          retry, IsoUtc(at));
    } else {
      log_ << fmt::format("scheduled sync {}: peer {} {}; the next sync at {} tries again\n",
                          run_id, peer, why, IsoUtc(next_sync));
    }
  }
  log_ << std::flush;
  SaveRetry(before_next ? std::optional(std::move(pending)) : std::nullopt);
}

std::optional<Scheduler::PendingRetry> Scheduler::LoadRetry() {
  auto text = node_.store->GetMeta(kRetryKey);
  if (!text || text->empty()) return std::nullopt;
  PendingRetry pending;
  std::optional<TimePoint> at;
  if (auto doc = schema::JsonDocument::Parse(*text, "pending retry")) {
    const schema::JsonObject& j = doc->Root();
    auto run = j.Uint("run", 0, INT64_MAX);
    auto retry = j.Uint("retry", 0, INT32_MAX);
    auto peers = j.StringArray("peers", 4096, schema::JsonString::Text(1024));
    auto when = j.String("at", schema::JsonString::Text(64));
    if (run && retry && peers && when) {
      at = ParseIsoUtc(*when);
      pending.run_id = static_cast<int64_t>(*run);
      pending.retry = static_cast<int>(*retry);
      pending.peers = std::move(*peers);
    }
  }
  if (!at) {
    // Written by us, so unreadable only if damaged: the next sync covers the peers.
    log_ << "scheduled sync: the pending retry is unreadable and dropped\n" << std::flush;
    SaveRetry(std::nullopt);
    return std::nullopt;
  }
  pending.at = *at;
  return pending;
}

void Scheduler::SaveRetry(const std::optional<PendingRetry>& pending) {
  std::string text;
  if (pending) {
    text = nlohmann::json{{"run", pending->run_id},
                          {"peers", pending->peers},
                          {"retry", pending->retry},
                          {"at", IsoUtc(pending->at)}}
               .dump();
  }
  if (auto saved = node_.store->PutMeta(kRetryKey, text); !saved) {
    log_ << "scheduled sync: the pending retry was not recorded: " << saved.error().message << "\n"
         << std::flush;
  }
}

void Scheduler::PutTime(const char* key, TimePoint t, const char* what) {
  // Unrecorded, the next tick would run it all again: say so.
  if (auto saved = node_.store->PutMeta(key, IsoUtc(t)); !saved) {
    log_ << what
         << ": its time was not recorded, so it may run again early: " << saved.error().message
         << "\n"
         << std::flush;
  }
}

void Scheduler::TickPurge(TimePoint now) {
  auto last_purge = node_.store->GetMeta("last_purge_at");
  if (!last_purge) return;
  auto last = ParseIsoUtc(*last_purge);
  if (last && now - *last < std::chrono::hours(node_.config.sync.purge_every_hours)) return;
  auto report = retention::Purge(node_, now);
  if (!report) {
    log_ << "scheduled purge failed (retried next time): " << report.error().message << "\n"
         << std::flush;
    return;
  }
  PutTime("last_purge_at", now, "scheduled purge");
  log_ << fmt::format("scheduled purge: {} list versions, {} sessions, {} audit records redacted\n",
                      report->list_versions, report->sessions, report->audit_records_redacted)
       << std::flush;
}

}  // namespace inbeeld::node::schedule
