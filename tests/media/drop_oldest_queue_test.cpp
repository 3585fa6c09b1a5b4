#include <charla/sdk/media/drop_oldest_queue.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace charla::sdk::media {
namespace {

using namespace std::chrono_literals;

TEST(DropOldestQueue, DropsTheOldestWhenFull) {
    DropOldestQueue<int> q(3);
    for (int i = 1; i <= 5; ++i)
        EXPECT_EQ(q.push(i), i > 3) << i;
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(q.dropped(), 2u);
    std::stop_source stop;
    EXPECT_EQ(q.pop(stop.get_token()), 3);
    EXPECT_EQ(q.pop(stop.get_token()), 4);
    EXPECT_EQ(q.pop(stop.get_token()), 5);
    EXPECT_EQ(q.size(), 0u);
}

TEST(DropOldestQueue, ACapacityOfZeroHoldsOne) {
    DropOldestQueue<int> q(0);
    q.push(1);
    q.push(2);
    EXPECT_EQ(q.capacity(), 1u);
    EXPECT_EQ(q.popAvailable(5), std::vector<int>{2});
}

TEST(DropOldestQueue, PopLatestSkipsStaleItems) {
    DropOldestQueue<int> q(2);
    q.push(1);
    q.push(2);
    q.push(3);
    std::stop_source stop;
    EXPECT_EQ(q.popLatest(stop.get_token()), 3);
    EXPECT_EQ(q.size(), 0u);
    EXPECT_EQ(q.dropped(), 2u); // 1 pushed out, 2 skipped
}

TEST(DropOldestQueue, PopAvailableTakesAtMostMaxWithoutWaiting) {
    DropOldestQueue<int> q(5);
    EXPECT_TRUE(q.popAvailable(3).empty());
    for (int i = 1; i <= 4; ++i)
        q.push(i);
    EXPECT_EQ(q.popAvailable(3), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(q.popAvailable(3), std::vector<int>{4});
}

TEST(DropOldestQueue, StopWakesAWaitingConsumerAtOnce) {
    DropOldestQueue<int> q(2);
    std::stop_source stop;
    const auto start = std::chrono::steady_clock::now();
    std::thread t([&] { EXPECT_EQ(q.pop(stop.get_token()), std::nullopt); });
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
    t.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(DropOldestQueue, AStoppedConsumerGetsNothingEvenWithItemsQueued) {
    DropOldestQueue<int> q(2);
    q.push(1);
    std::stop_source stop;
    stop.request_stop();
    EXPECT_EQ(q.pop(stop.get_token()), std::nullopt);
    EXPECT_EQ(q.popLatest(stop.get_token()), std::nullopt);
    EXPECT_EQ(q.size(), 1u);
}

TEST(DropOldestQueue, WakeReturnsAWaitingConsumerEmptyHanded) {
    DropOldestQueue<int> q(2);
    std::stop_source stop;
    std::atomic<bool> returned{false};
    std::thread t([&] {
        EXPECT_EQ(q.pop(stop.get_token()), std::nullopt);
        returned = true;
    });
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(returned);
    q.wake();
    t.join();
    EXPECT_TRUE(returned);
    EXPECT_FALSE(stop.stop_requested());
    // A wake-up is for the consumers waiting then, not a state: the next pop gets the next item.
    q.push(7);
    EXPECT_EQ(q.pop(stop.get_token()), 7);
}

TEST(DropOldestQueue, APushWakesAWaitingConsumer) {
    DropOldestQueue<int> q(2);
    std::stop_source stop;
    std::thread t([&] { EXPECT_EQ(q.popLatest(stop.get_token()), 42); });
    std::this_thread::sleep_for(20ms);
    q.push(42);
    t.join();
}

// Producers and consumers at full speed on a queue too small for them: every item is either
// consumed exactly once or counted as dropped, and each producer's items arrive in order.
TEST(DropOldestQueue, ConcurrentProducersAndConsumersLoseNothingUncounted) {
    constexpr int kProducers = 3, kConsumers = 2, kItems = 20000;
    struct Item {
        int producer;
        int seq;
    };
    DropOldestQueue<Item> q(4);
    std::stop_source stop;
    std::vector<std::vector<Item>> consumed(kConsumers);
    std::vector<std::thread> consumers;
    for (int c = 0; c < kConsumers; ++c)
        consumers.emplace_back([&, c] {
            while (auto item = (c == 0 ? q.pop(stop.get_token()) : q.popLatest(stop.get_token())))
                consumed[c].push_back(*item);
            // Stopped: take what is left so that the count below is exact.
            for (const Item& item : q.popAvailable(SIZE_MAX))
                consumed[c].push_back(item);
        });
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&, p] {
            for (int i = 0; i < kItems; ++i)
                q.push({p, i});
        });
    for (auto& t : producers)
        t.join();
    while (q.size() > 0)
        std::this_thread::yield();
    stop.request_stop();
    for (auto& t : consumers)
        t.join();

    std::uint64_t total = 0;
    std::vector<std::vector<int>> seen(kProducers, std::vector<int>(kItems, 0));
    for (const auto& list : consumed) {
        std::vector<int> last(kProducers, -1);
        for (const Item& item : list) {
            ++seen[item.producer][item.seq];
            EXPECT_GT(item.seq, last[item.producer]) << "out of order for one consumer";
            last[item.producer] = item.seq;
        }
        total += list.size();
    }
    for (const auto& counts : seen)
        for (int n : counts)
            ASSERT_LE(n, 1) << "an item was consumed twice";
    EXPECT_EQ(total + q.dropped(), std::uint64_t(kProducers) * kItems);
    EXPECT_GT(total, 0u);
}

} // namespace
} // namespace charla::sdk::media
