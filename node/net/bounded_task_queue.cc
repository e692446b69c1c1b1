#include "node/net/bounded_task_queue.h"

#include <utility>

namespace inbeeld::node::net {

BoundedTaskQueue::BoundedTaskQueue(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

BoundedTaskQueue::~BoundedTaskQueue() { shutdown(); }

void BoundedTaskQueue::enqueue(std::function<void()> fn) {
  {
    std::unique_lock lock(mutex_);
    has_room_.wait(lock, [this] { return tasks_.size() < max_queued_ || shutting_down_; });
    // After shutdown the task still runs (on a worker, which drains the queue
    // before exiting): it owns a socket that only it will close.
    tasks_.push_back(std::move(fn));
  }
  has_work_.notify_one();
}

bool BoundedTaskQueue::TryEnqueue(std::function<void()>& fn) {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_ || tasks_.size() >= max_queued_) return false;
    tasks_.push_back(std::move(fn));
  }
  has_work_.notify_one();
  return true;
}

void BoundedTaskQueue::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_ && workers_.empty()) return;
    shutting_down_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

void BoundedTaskQueue::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      has_work_.wait(lock, [this] { return !tasks_.empty() || shutting_down_; });
      if (tasks_.empty()) return;  // shutting down and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    has_room_.notify_one();
    task();
  }
}

}  // namespace inbeeld::node::net
