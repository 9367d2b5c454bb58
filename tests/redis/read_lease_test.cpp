// The read lease without I/O: a returned barrier serves reads that begin within the lease of
// its send time, never later ones, never after the connection changed, and never a barrier
// from an older connection that comes back late.

#include "goldensignals/redis/read_lease.h"

#include <gtest/gtest.h>

namespace gs::redis {
namespace {

using namespace std::chrono_literals;
using Clock = ReadLease::Clock;

const Clock::time_point kT0 = Clock::time_point(1h);

TEST(ReadLeaseTest, NothingIsHeldBeforeTheFirstBarrierComesBack) {
    ReadLease lease(2ms);
    EXPECT_FALSE(lease.holds(kT0));
    EXPECT_TRUE(lease.due(kT0));
}

TEST(ReadLeaseTest, ABarrierServesReadsThatBeginWithinTheLeaseOfItsSendTime) {
    ReadLease lease(2ms);
    lease.renew(lease.epoch(), kT0);
    EXPECT_TRUE(lease.holds(kT0));
    EXPECT_TRUE(lease.holds(kT0 + 1999us));
    EXPECT_FALSE(lease.holds(kT0 + 2ms)) << "measured from the send, not the reply";
    EXPECT_FALSE(lease.holds(kT0 + 1s));
}

TEST(ReadLeaseTest, ItIsDueForRenewalHalfwayThrough) {
    ReadLease lease(2ms);
    lease.renew(lease.epoch(), kT0);
    EXPECT_FALSE(lease.due(kT0 + 999us));
    EXPECT_TRUE(lease.due(kT0 + 1ms));
}

TEST(ReadLeaseTest, AnOlderBarrierComingBackLateDoesNotShortenIt) {
    ReadLease lease(2ms);
    const auto epoch = lease.epoch();
    lease.renew(epoch, kT0 + 1ms);
    lease.renew(epoch, kT0);
    EXPECT_TRUE(lease.holds(kT0 + 2500us));
}

TEST(ReadLeaseTest, AConnectionChangeEndsItAndItsBarriersRenewNothing) {
    ReadLease lease(2ms);
    const auto old_epoch = lease.epoch();
    lease.renew(old_epoch, kT0);
    lease.reset();
    EXPECT_FALSE(lease.holds(kT0 + 1us));
    // A barrier sent on the old connection whose reply is handled after the change.
    lease.renew(old_epoch, kT0 + 10us);
    EXPECT_FALSE(lease.holds(kT0 + 20us));
    lease.renew(lease.epoch(), kT0 + 30us);
    EXPECT_TRUE(lease.holds(kT0 + 40us));
}

TEST(ReadLeaseTest, WritersWaitLongerThanTheLease) {
    EXPECT_GT(ReadLease::ack_delay(2ms), 2ms);
    EXPECT_LT(ReadLease::ack_delay(2ms), 3ms);
    EXPECT_GT(ReadLease::ack_delay(10s), 10s + 10ms - 1us) << "the rate margin scales";
    EXPECT_EQ(ReadLease::ack_delay(0s), 0s) << "no lease, no wait";
}

TEST(ReadLeaseTest, ALeaseOfZeroNeverHolds) {
    ReadLease lease(0s);
    lease.renew(lease.epoch(), kT0);
    EXPECT_FALSE(lease.holds(kT0));
}

}  // namespace
}  // namespace gs::redis
