#include "node/console/jobs.h"

#include <sodium.h>

#include <utility>

#include "node/exchange/initiator.h"
#include "node/exchange/results_store.h"
#include "node/region/regional.h"
#include "node/sync/sync.h"

namespace inbeeld::node::console {
namespace {

std::string NewJobId() {
  uint8_t bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

std::string StepFor(const JobRequest& r) {
  switch (r.kind) {
    case JobKind::kMatch:
      return "Lijst wordt vergeleken met " + r.peer;
    case JobKind::kCount:
      return "Overlap wordt geteld met " + r.peer;
    case JobKind::kSync:
      return "Afstemming met alle partners";
    case JobKind::kRegion:
      return "Regionale telling";
  }
  return "";
}

}  // namespace

std::string_view JobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kMatch:
      return "match";
    case JobKind::kCount:
      return "tellen";
    case JobKind::kSync:
      return "sync";
    case JobKind::kRegion:
      return "regio";
  }
  return "match";
}

Result<JobKind> ParseJobKind(std::string_view name) {
  if (name == "match") return JobKind::kMatch;
  if (name == "tellen") return JobKind::kCount;
  if (name == "sync") return JobKind::kSync;
  if (name == "regio") return JobKind::kRegion;
  return Fail(ErrorCode::kInvalidArgument, "soort must be match, tellen, sync or regio");
}

namespace {

Result<std::string> RunJob(UnlockedNode& node, const JobRequest& request,
                           const SessionEnded& session_ended) {
  switch (request.kind) {
    case JobKind::kMatch:
    case JobKind::kCount: {
      exchange::MatchRequest match;
      match.peer = request.peer;
      match.purpose = request.purpose;
      match.mode =
          request.kind == JobKind::kCount ? schema::wire::Mode::kCount : schema::wire::Mode::kMatch;
      match.session_ended = session_ended;
      auto report = exchange::RunMatch(node, match);
      if (!report) return std::unexpected(report.error());
      return exchange::SessionIdHex(report->session.id);
    }
    case JobKind::kSync: {
      sync::SyncOptions options;
      options.purpose = request.purpose;
      options.session_ended = session_ended;
      auto report = sync::RunSync(node, options);
      if (!report) return std::unexpected(report.error());
      std::string failed;
      for (const auto& peer : report->peers) {
        if (peer.status == "failed" || peer.status == "refused") {
          failed += (failed.empty() ? "" : "; ") + peer.peer + ": " + peer.message;
        }
      }
      if (!failed.empty()) return Fail(ErrorCode::kUnavailable, failed);
      return std::string();
    }
    case JobKind::kRegion: {
      region::RegionRequest region;
      region.peers = request.peers;
      region.purpose = request.purpose;
      auto counts = region::RunRegionalCount(node, region);
      if (!counts) return std::unexpected(counts.error());
      return counts->session;
    }
  }
  return Fail(ErrorCode::kInternal, "unknown job kind");
}

}  // namespace

Result<std::string> RunExchangeJob(UnlockedNode& node, const JobRequest& request) {
  return RunJob(node, request, {});
}

JobBody ExchangeJobsTelling(SessionEnded session_ended) {
  return [session_ended = std::move(session_ended)](UnlockedNode& node, const JobRequest& request) {
    return RunJob(node, request, session_ended);
  };
}

JobRunner::JobRunner(UnlockedNode& node, JobBody body)
    : node_(node), body_(body ? std::move(body) : JobBody(RunExchangeJob)) {
  worker_ = std::thread([this] { Work(); });
}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

Result<std::string> JobRunner::Start(JobRequest request, std::string started_by) {
  std::lock_guard lock(mu_);
  if (queue_.size() >= kMaxQueued) {
    return Fail(ErrorCode::kResourceExhausted,
                "Er wachten al " + std::to_string(kMaxQueued) +
                    " opdrachten; probeer het over een paar minuten opnieuw.");
  }
  std::string id = NewJobId();
  JobStatus status;
  status.id = id;
  status.kind = request.kind;
  status.state = "wacht";
  status.step = "Wacht op de vorige opdracht";
  status.started_by = std::move(started_by);
  statuses_[id] = status;
  order_.push_back(id);
  while (order_.size() > kKeptJobs) {
    // Never forget a job that still waits.
    auto oldest = statuses_.find(order_.front());
    if (oldest != statuses_.end() && oldest->second.state == "wacht") break;
    statuses_.erase(order_.front());
    order_.pop_front();
  }
  queue_.emplace_back(id, std::move(request));
  cv_.notify_all();
  return id;
}

void JobRunner::UpdateConfig(config::NodeConfig config) {
  std::lock_guard lock(mu_);
  next_config_ = std::move(config);
}

std::optional<JobStatus> JobRunner::Get(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = statuses_.find(id);
  if (it == statuses_.end()) return std::nullopt;
  return it->second;
}

void JobRunner::Work() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) {
      for (auto& [id, request] : queue_) {
        statuses_[id].state = "mislukt";
        statuses_[id].error = "De node is gestopt voordat deze opdracht begon.";
      }
      queue_.clear();
      return;
    }
    auto [id, request] = std::move(queue_.front());
    queue_.pop_front();
    // Only this thread uses node_ (its own connection): between jobs the
    // configuration can be replaced without a lock around the job.
    if (next_config_) {
      node_.config = std::move(*next_config_);
      next_config_.reset();
    }
    statuses_[id].state = "bezig";
    statuses_[id].step = StepFor(request);
    lock.unlock();
    Result<std::string> result = [&]() -> Result<std::string> {
      audit::ActorScope actor(request.actor);
      try {
        return body_(node_, request);
      } catch (const std::exception&) {
        return Fail(ErrorCode::kInternal, "internal error while running the job");
      }
    }();
    lock.lock();
    JobStatus& status = statuses_[id];
    if (result) {
      status.state = "klaar";
      status.step = "Klaar";
      status.session = *result;
    } else {
      status.state = "mislukt";
      status.step = "Mislukt";
      status.error = result.error().message;
    }
  }
}

}  // namespace inbeeld::node::console
