#include "node/schedule/key_announcer.h"

#include <fmt/format.h>

#include "node/clock/timestamp.h"
#include "node/schedule/scheduler.h"

namespace inbeeld::node::schedule {

void KeyAnnouncer::Tick() {
  auto state = ReadKeyRotationState(*node_.store);
  if (!state) {
    log_ << "key announcement: the pending rotation could not be read: " << state.error().message
         << "\n"
         << std::flush;
    return;
  }
  // Nothing to announce with once the old key is erased (AnnounceKeyRotation
  // needs it); a kept old key with nobody left to tell is erased by one run.
  if (!state->previous_key_kept) {
    attempt_ = 0;
    next_.reset();
    return;
  }
  const TimePoint now = node_.clock().Now();
  if (next_ && now < *next_) return;

  auto report = AnnounceKeyRotation(node_, send_);
  size_t waiting = 0;
  if (!report) {
    log_ << "key announcement failed: " << report.error().message << "\n";
    waiting = state->pending.size();
  } else {
    for (const AnnouncementOutcome& outcome : report->outcomes) {
      if (outcome.accepted) {
        log_ << fmt::format("key announcement: partner {} now pins the new key\n", outcome.peer);
      } else if (node_.config.FindPeer(outcome.peer) == nullptr) {
        log_ << fmt::format("key announcement: partner {} was removed; not told\n", outcome.peer);
      } else {
        ++waiting;
        log_ << fmt::format("key announcement: partner {} not yet: {}\n", outcome.peer,
                            outcome.reason);
      }
    }
  }
  if (report && waiting == 0) {
    log_ << "key announcement: every partner has the new key"
         << (report->previous_key_erased ? "; the old key is erased" : "")
         << "; make a new backup\n"
         << std::flush;
    attempt_ = 0;
    next_.reset();
    return;
  }
  ++attempt_;
  next_ = now + Scheduler::RetryDelay(attempt_);
  log_ << fmt::format(
              "key announcement: {} partner(s) still pin the old key; the next attempt "
              "at {}\n",
              waiting, IsoUtc(*next_))
       << std::flush;
}

}  // namespace inbeeld::node::schedule
