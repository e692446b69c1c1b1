// node/console/jobs.h — exchanges the console starts, run in the background.
//
// A match, count, sync or regional count can take seconds to minutes (a peer
// that is slow or busy is retried), far longer than a page should wait for an
// answer. The console queues it here and the page polls its status. One
// worker thread runs the jobs in order on the node view it was given (its own
// store connection), inside an audit ActorScope naming the person who
// started it, so the exchange's records say who did it.
//
// Statuses are kept for the last kKeptJobs jobs; at most kMaxQueued wait.
//
// Thread safety: Start and Get from any thread. The destructor lets the
// running job finish and drops the ones still queued (marked failed).
#ifndef INBEELD_NODE_CONSOLE_JOBS_H_
#define INBEELD_NODE_CONSOLE_JOBS_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "node/audit/actor.h"
#include "node/audit/exchange_records.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node::console {

inline constexpr size_t kKeptJobs = 100;
inline constexpr size_t kMaxQueued = 8;

enum class JobKind { kMatch, kCount, kSync, kRegion };

// "match", "tellen", "sync", "regio" (the console's words).
std::string_view JobKindName(JobKind kind);
Result<JobKind> ParseJobKind(std::string_view name);

struct JobRequest {
  JobKind kind = JobKind::kMatch;
  std::string peer;                // match and count
  std::vector<std::string> peers;  // regional count
  std::string purpose;             // empty for sync: the configured purpose
  audit::Actor actor;
};

struct JobStatus {
  std::string id;  // 16 hex
  JobKind kind = JobKind::kMatch;
  std::string state;       // "wacht", "bezig", "klaar", "mislukt"
  std::string step;        // what happens now, in Dutch
  std::string error;       // when failed: the node's message (never an identifier)
  std::string session;     // match/count: the session id (32 hex) when one was recorded
  std::string started_by;  // the person's name
};

// Runs one job on `node`; returns the session id it recorded (or "") or an
// error. The seam tests use; the default runs the real exchange.
using JobBody = std::function<Result<std::string>(UnlockedNode& node, const JobRequest& request)>;

class JobRunner {
 public:
  explicit JobRunner(UnlockedNode& node, JobBody body = {});
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Queues a job. kResourceExhausted when kMaxQueued are waiting.
  Result<std::string> Start(JobRequest request, std::string started_by);
  std::optional<JobStatus> Get(const std::string& id) const;

  // The configuration the next job starts with (a reload); a job already
  // running keeps the one it started with.
  void UpdateConfig(config::NodeConfig config);

 private:
  void Work();

  UnlockedNode& node_;
  JobBody body_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::deque<std::pair<std::string, JobRequest>> queue_;
  std::map<std::string, JobStatus> statuses_;
  std::deque<std::string> order_;                  // ids, oldest first, for trimming
  std::optional<config::NodeConfig> next_config_;  // guarded by mu_; applied between jobs
  std::thread worker_;
};

// The real exchange behind each kind: exchange::RunMatch, sync::RunSync,
// region::RunRegionalCount.
Result<std::string> RunExchangeJob(UnlockedNode& node, const JobRequest& request);

// As RunExchangeJob, telling `session_ended` of each match or count it runs
// (a sync's too; exchange::MatchRequest::session_ended): what `serve` gives
// its JobRunner, so the sessions its console starts are in its metrics.
using SessionEnded =
    std::function<void(const audit::ExchangeAudit& audit, std::optional<ErrorCode> code)>;
JobBody ExchangeJobsTelling(SessionEnded session_ended);

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_JOBS_H_
