// The coalescing of strict reads onto barriers, without I/O: a read waits for a barrier sent
// after it began, one barrier serves every read that began before it was sent, reads that
// arrive while it is out share the next one, and a failure releases every read to fall back.

#include "goldensignals/redis/read_barrier.h"

#include <vector>

#include <gtest/gtest.h>

namespace gs::redis {
namespace {

using Barrier = ReadBarrier<int>;
using Reads = std::vector<int>;

TEST(ReadBarrierTest, TheFirstReadAsksForABarrierAndWaitsForIt) {
    Barrier barrier;
    const auto first = barrier.begin(1);
    EXPECT_EQ(first.barrier, 1u);
    EXPECT_TRUE(first.send);
    EXPECT_EQ(barrier.send(), 1u);
    EXPECT_EQ(barrier.in_flight(), 1u);
    const auto released = barrier.complete(1);
    EXPECT_EQ(released.reads, Reads({1}));
    EXPECT_FALSE(released.send_next);
    EXPECT_EQ(barrier.waiting(), 0u);
    EXPECT_EQ(barrier.in_flight(), 0u);
}

TEST(ReadBarrierTest, ReadsBeforeTheSendShareOneBarrier) {
    Barrier barrier;
    EXPECT_TRUE(barrier.begin(1).send);
    // A send is scheduled but not written yet: the next reads wait for the same barrier and
    // schedule nothing more.
    const auto second = barrier.begin(2);
    const auto third = barrier.begin(3);
    EXPECT_EQ(second.barrier, 1u);
    EXPECT_FALSE(second.send);
    EXPECT_EQ(third.barrier, 1u);
    EXPECT_FALSE(third.send);
    ASSERT_EQ(barrier.send(), 1u);
    const auto released = barrier.complete(1);
    EXPECT_EQ(released.reads, Reads({1, 2, 3}));
    EXPECT_FALSE(released.send_next);
    EXPECT_EQ(barrier.sent(), 1u);
}

TEST(ReadBarrierTest, AReadThatBeginsWhileABarrierIsOutWaitsForTheNextOne) {
    Barrier barrier;
    barrier.begin(1);
    ASSERT_EQ(barrier.send(), 1u);
    // Barrier 1 may have run in Redis before this read began: it cannot serve it.
    const auto late = barrier.begin(2);
    EXPECT_EQ(late.barrier, 2u);
    EXPECT_FALSE(late.send) << "one barrier in flight at a time";
    const auto another = barrier.begin(3);
    EXPECT_EQ(another.barrier, 2u);
    EXPECT_EQ(barrier.send(), 0u) << "nothing is sent while a barrier is out";

    auto released = barrier.complete(1);
    EXPECT_EQ(released.reads, Reads({1}));
    EXPECT_TRUE(released.send_next);
    ASSERT_EQ(barrier.send(), 2u);
    released = barrier.complete(2);
    EXPECT_EQ(released.reads, Reads({2, 3}));
    EXPECT_FALSE(released.send_next);
}

TEST(ReadBarrierTest, ASendWithNoReadWaitingSendsNothing) {
    Barrier barrier;
    EXPECT_EQ(barrier.send(), 0u);
    EXPECT_EQ(barrier.sent(), 0u);
}

TEST(ReadBarrierTest, AFailureReleasesEveryWaitingReadToFallBack) {
    Barrier barrier;
    barrier.begin(1);
    ASSERT_EQ(barrier.send(), 1u);
    barrier.begin(2);  // waits for barrier 2
    EXPECT_EQ(barrier.fail(), Reads({1, 2}));
    EXPECT_EQ(barrier.waiting(), 0u);
    EXPECT_EQ(barrier.in_flight(), 0u);
    EXPECT_EQ(barrier.failures(), 1u);
    // The reply of the lost barrier (it cannot come: the connection is dropped) is ignored.
    EXPECT_TRUE(barrier.complete(1).reads.empty());
    // The next read starts afresh, on a barrier numbered after the lost one.
    const auto next = barrier.begin(3);
    EXPECT_TRUE(next.send);
    EXPECT_EQ(next.barrier, 2u);
    ASSERT_EQ(barrier.send(), 2u);
    EXPECT_EQ(barrier.complete(2).reads, Reads({3}));
}

TEST(ReadBarrierTest, AStaleCompletionReleasesNothing) {
    Barrier barrier;
    barrier.begin(1);
    ASSERT_EQ(barrier.send(), 1u);
    EXPECT_TRUE(barrier.complete(0).reads.empty());
    EXPECT_TRUE(barrier.complete(2).reads.empty());
    EXPECT_EQ(barrier.waiting(), 1u);
    EXPECT_EQ(barrier.complete(1).reads, Reads({1}));
    EXPECT_EQ(barrier.completed(), 1u);
}

TEST(ReadBarrierTest, AFailureWithASendScheduledLeavesTheSendWithNothingToDo) {
    Barrier barrier;
    EXPECT_TRUE(barrier.begin(1).send);
    EXPECT_EQ(barrier.fail(), Reads({1}));
    EXPECT_EQ(barrier.send(), 0u) << "the scheduled send finds no read";
    EXPECT_TRUE(barrier.begin(2).send);
}

}  // namespace
}  // namespace gs::redis
