#include "node/audit/refusal_log.h"

#include <fmt/format.h>

#include "node/audit/audit_log.h"

namespace inbeeld::node::audit {
namespace {

constexpr int64_t kMinuteMs = 60'000;

}  // namespace

RefusalLog::RefusalLog(AppendFn append, NowFn now)
    : append_(std::move(append)), now_(std::move(now)) {}

RefusalLog::~RefusalLog() {
  if (auto flushed = Flush(/*all=*/true); !flushed) {
    fmt::print(stderr, "inbeeld: could not record refused requests: {}\n", flushed.error().message);
  }
}

schema::AuditRecord RefusalLog::MakeRecord(const Key& key, const Pending& pending) {
  schema::AuditRecord r;
  r.trace_id = NewTraceId();
  r.operation_id = NewOperationId();
  r.name = "inbeeld.request.refused";
  r.status = schema::AuditStatus::kError;
  r.start_time_ms = pending.first_ms;
  r.end_time_ms = pending.last_ms;
  r.attributes["inbeeld.peer"] = std::get<0>(key);
  r.attributes["inbeeld.peer_key"] = pending.peer_key;
  r.attributes["inbeeld.request"] = std::get<1>(key);
  r.attributes["inbeeld.reason"] = std::get<2>(key);
  r.attributes["inbeeld.outcome"] = "refused";
  r.attributes["inbeeld.count.requests"] = std::to_string(pending.count);
  return r;
}

Status RefusalLog::Write(std::vector<schema::AuditRecord> records) {
  if (records.empty()) return {};
  std::lock_guard lock(write_mu_);
  return append_(std::move(records));
}

Status RefusalLog::Note(const RefusedRequest& refused) {
  const int64_t now = now_();
  const int64_t minute = now / kMinuteMs;
  Key key{refused.peer, refused.request, refused.reason};
  std::vector<schema::AuditRecord> records;
  Pending immediate;
  Pending earlier;
  {
    std::lock_guard lock(mu_);
    auto [it, fresh] = pending_.try_emplace(key);
    Pending& p = it->second;
    if (!fresh && p.minute == minute) {
      // Counted into this minute's record.
      if (p.count == 0) p.first_ms = now;
      p.last_ms = now;
      ++p.count;
      return {};
    }
    earlier = p;
    if (!fresh && p.count > 0) records.push_back(MakeRecord(key, p));
    immediate = Pending{refused.peer_key, minute, now, now, 1};
    records.push_back(MakeRecord(key, immediate));
    p = Pending{refused.peer_key, minute, now, now, 0};
  }
  Status written = Write(std::move(records));
  if (!written) {
    // Kept for the next Flush(): nothing is dropped.
    std::lock_guard lock(mu_);
    Pending& p = pending_[key];
    p.count += immediate.count + earlier.count;
    p.first_ms = std::min(p.first_ms, earlier.count > 0 ? earlier.first_ms : now);
  }
  return written;
}

Status RefusalLog::Flush(bool all) {
  const int64_t minute = now_() / kMinuteMs;
  std::vector<schema::AuditRecord> records;
  std::vector<std::pair<Key, Pending>> taken;
  {
    std::lock_guard lock(mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      Pending& p = it->second;
      const bool over = p.minute < minute;
      if (p.count > 0 && (all || over)) {
        records.push_back(MakeRecord(it->first, p));
        taken.emplace_back(it->first, p);
        p.count = 0;
      }
      if (over && p.count == 0) {
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  Status written = Write(std::move(records));
  if (!written) {
    std::lock_guard lock(mu_);
    for (auto& [key, p] : taken) {
      auto [it, fresh] = pending_.try_emplace(key, p);
      if (!fresh) {
        it->second.count += p.count;
        it->second.first_ms = std::min(it->second.first_ms, p.first_ms);
      }
    }
  }
  return written;
}

}  // namespace inbeeld::node::audit
