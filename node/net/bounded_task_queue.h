// node/net/bounded_task_queue.h — the server's worker pool: a fixed number of
// threads and a bounded queue of tasks waiting for one.
//
// cpp-httplib 0.11.4's ThreadPool queues without limit. This pool holds at
// most `max_queued` waiting tasks and offers two ways in: TryEnqueue() refuses
// a task when the queue is full (PeerServer then answers that connection 429
// from its acceptor thread, which must never block), and enqueue() — the
// httplib::TaskQueue interface — waits for room instead.
//
// Thread safety: enqueue() and TryEnqueue() may be called from any thread;
// shutdown() from one thread at a time (the destructor calls it again, which
// is then a no-op).
#ifndef INBEELD_NODE_NET_BOUNDED_TASK_QUEUE_H_
#define INBEELD_NODE_NET_BOUNDED_TASK_QUEUE_H_

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace inbeeld::node::net {

class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  // REQUIRES: threads >= 1, max_queued >= 1.
  BoundedTaskQueue(size_t threads, size_t max_queued);
  BoundedTaskQueue(const BoundedTaskQueue&) = delete;
  BoundedTaskQueue& operator=(const BoundedTaskQueue&) = delete;
  ~BoundedTaskQueue() override;

  // Queues `fn`; blocks while `max_queued` tasks are already waiting.
  void enqueue(std::function<void()> fn) override;

  // Queues `fn` and returns true if fewer than `max_queued` tasks are
  // waiting; otherwise, or after shutdown(), returns false at once and leaves
  // `fn` with the caller (untouched, so whatever it owns can be handed back).
  bool TryEnqueue(std::function<void()>& fn);

  // Lets the workers run what is queued, then joins them. Idempotent.
  void shutdown() override;

 private:
  void WorkerLoop();

  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable has_work_;         // signalled when a task is queued or on shutdown
  std::condition_variable has_room_;         // signalled when a task is taken off the queue
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mutex_)
  bool shutting_down_ = false;               // GUARDED_BY(mutex_)
  std::vector<std::thread> workers_;
};

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_BOUNDED_TASK_QUEUE_H_
