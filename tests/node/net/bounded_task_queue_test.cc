#include "node/net/bounded_task_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <latch>
#include <memory>
#include <thread>

namespace inbeeld::node::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(BoundedTaskQueueTest, RunsEveryTaskIncludingQueuedOnesAtShutdown) {
  std::atomic<int> ran{0};
  {
    BoundedTaskQueue queue(2, 4);
    for (int i = 0; i < 20; ++i) queue.enqueue([&ran] { ran.fetch_add(1); });
    queue.shutdown();
    EXPECT_EQ(ran.load(), 20);
  }
  EXPECT_EQ(ran.load(), 20);
}

TEST(BoundedTaskQueueTest, EnqueueWaitsForRoomInsteadOfDroppingTheTask) {
  BoundedTaskQueue queue(1, 1);
  std::latch release(1);
  std::promise<void> first_started;
  std::atomic<int> ran{0};
  queue.enqueue([&] {
    first_started.set_value();
    release.wait();
    ran.fetch_add(1);
  });
  first_started.get_future().wait();         // the only worker is now busy
  queue.enqueue([&] { ran.fetch_add(1); });  // fills the one queue slot

  std::future<void> third =
      std::async(std::launch::async, [&] { queue.enqueue([&] { ran.fetch_add(1); }); });
  // The queue is full: the third enqueue must still be waiting.
  EXPECT_EQ(third.wait_for(milliseconds(100)), std::future_status::timeout);
  release.count_down();
  ASSERT_EQ(third.wait_for(seconds(10)), std::future_status::ready);
  queue.shutdown();
  EXPECT_EQ(ran.load(), 3);
}

TEST(BoundedTaskQueueTest, TryEnqueueRefusesWhenFullAndLeavesTheTaskWithTheCaller) {
  BoundedTaskQueue queue(1, 1);
  std::latch release(1);
  std::promise<void> first_started;
  std::atomic<int> ran{0};
  std::function<void()> first = [&] {
    first_started.set_value();
    release.wait();
    ran.fetch_add(1);
  };
  ASSERT_TRUE(queue.TryEnqueue(first));
  first_started.get_future().wait();  // the only worker is now busy
  std::function<void()> second = [&] { ran.fetch_add(1); };
  ASSERT_TRUE(queue.TryEnqueue(second));  // the one queue slot

  auto owned = std::make_shared<int>(7);
  std::function<void()> third = [&ran, owned] { ran.fetch_add(*owned); };
  EXPECT_FALSE(queue.TryEnqueue(third));  // at once, without waiting
  ASSERT_TRUE(third);                     // still the caller's, with what it holds
  EXPECT_EQ(owned.use_count(), 2);

  release.count_down();
  queue.shutdown();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_FALSE(queue.TryEnqueue(third));  // after shutdown, too
}

}  // namespace
}  // namespace inbeeld::node::net
