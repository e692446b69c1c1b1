// node/net/bounded_task_queue.h — the server's worker pool: a fixed number of
// threads and a bounded queue of accepted connections.
//
// cpp-httplib 0.11.4's ThreadPool queues without limit and its TaskQueue
// interface has no way to refuse a task: enqueue() returns void and the task
// owns the accepted socket, so dropping it would leak the descriptor and leave
// the client hanging. This queue therefore applies backpressure instead: when
// `max_queued` connections are waiting, enqueue() blocks the accept loop
// until a worker frees a slot. Further clients then wait in the kernel's
// listen backlog and, past it, fail to connect — the server's memory and
// thread count stay bounded either way.
//
// Thread safety: enqueue() may be called from any thread; shutdown() from one
// thread at a time (httplib calls both from its accept loop, and the
// destructor calls shutdown() again, which is then a no-op).
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
