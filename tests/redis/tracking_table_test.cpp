// The local half of Redis client-side caching: what may be answered without asking Redis,
// and every way a kept value must be dropped (invalidation before or after the reply, a
// connection change while a read is on its way, a flush).

#include "goldensignals/redis/tracking_table.h"

#include <gtest/gtest.h>

namespace gs::redis {
namespace {

constexpr std::string_view kKey = "gs:barver:1d:AAPL";

// Tracking confirmed, as after both connections came up.
void activate(TrackingTable& table) {
    table.tracking_on(table.reset());
}

TEST(TrackingTableTest, KeepsNothingUntilTrackingIsConfirmed) {
    TrackingTable table;
    EXPECT_EQ(table.begin(kKey), 0u);
    const auto epoch = table.reset();
    EXPECT_FALSE(table.active());
    EXPECT_EQ(table.begin(kKey), 0u);
    table.tracking_on(epoch);
    EXPECT_TRUE(table.active());
    EXPECT_NE(table.begin(kKey), 0u);
}

TEST(TrackingTableTest, AnswersARecordedValueUntilItIsInvalidated) {
    TrackingTable table;
    activate(table);
    EXPECT_FALSE(table.find(kKey));
    const auto ticket = table.begin(kKey);
    ASSERT_NE(ticket, 0u);
    EXPECT_FALSE(table.find(kKey)) << "a pending read is no answer";
    table.complete(kKey, ticket, std::string("100:00000000000000aa"));
    auto known = table.find(kKey);
    ASSERT_TRUE(known);
    EXPECT_EQ(*known, std::optional<std::string>("100:00000000000000aa"));
    EXPECT_EQ(table.hits(), 1u);

    table.invalidate({std::string_view("gs:barver:1d:MSFT"), kKey});
    EXPECT_FALSE(table.find(kKey));
}

TEST(TrackingTableTest, KeepsAMissingRecordToo) {
    TrackingTable table;
    activate(table);
    const auto ticket = table.begin(kKey);
    table.complete(kKey, ticket, std::nullopt);
    auto known = table.find(kKey);
    ASSERT_TRUE(known);
    EXPECT_FALSE(known->has_value());
}

TEST(TrackingTableTest, AnInvalidationThatOvertakesTheReplyWins) {
    TrackingTable table;
    activate(table);
    const auto ticket = table.begin(kKey);
    // Another instance wrote the record after Redis answered our GET; the invalidation
    // arrived on its connection before the reply on ours.
    table.invalidate({kKey});
    table.complete(kKey, ticket, std::string("old"));
    EXPECT_FALSE(table.find(kKey));
    // The next read is tracked again.
    const auto again = table.begin(kKey);
    ASSERT_NE(again, 0u);
    table.complete(kKey, again, std::string("new"));
    EXPECT_EQ(*table.find(kKey), std::optional<std::string>("new"));
}

TEST(TrackingTableTest, AConnectionChangeWhileAReadIsOnItsWayDropsTheReply) {
    TrackingTable table;
    activate(table);
    const auto ticket = table.begin(kKey);
    // The invalidation connection dropped and came back (new id, tracking enabled again):
    // invalidations sent meanwhile are lost, so the reply may already be stale.
    table.tracking_on(table.reset());
    table.complete(kKey, ticket, std::string("maybe stale"));
    EXPECT_FALSE(table.find(kKey));
}

TEST(TrackingTableTest, AResetForgetsEveryValueAndStopsAnswering) {
    TrackingTable table;
    activate(table);
    const auto ticket = table.begin(kKey);
    table.complete(kKey, ticket, std::string("v"));
    const auto epoch = table.reset();
    EXPECT_FALSE(table.find(kKey));
    EXPECT_EQ(table.size(), 0u);
    table.tracking_on(epoch);
    EXPECT_FALSE(table.find(kKey)) << "a reconnect flushes: nothing survives it";
}

TEST(TrackingTableTest, AStaleTrackingConfirmationIsIgnored) {
    TrackingTable table;
    const auto first = table.reset();
    const auto second = table.reset();  // the connection changed again before the reply
    table.tracking_on(first);
    EXPECT_FALSE(table.active());
    table.tracking_on(second);
    EXPECT_TRUE(table.active());
}

TEST(TrackingTableTest, ANullInvalidationFlushesEverything) {
    TrackingTable table;
    activate(table);
    for (std::string_view key : {std::string_view("a"), std::string_view("b")}) {
        table.complete(key, table.begin(key), std::string("v"));
    }
    const auto pending = table.begin(kKey);
    table.invalidate_all();
    table.complete(kKey, pending, std::string("v"));
    EXPECT_FALSE(table.find("a"));
    EXPECT_FALSE(table.find("b"));
    EXPECT_FALSE(table.find(kKey));
}

TEST(TrackingTableTest, ConcurrentReadsOfOneKeyKeepOnlyTheFirst) {
    TrackingTable table;
    activate(table);
    const auto first = table.begin(kKey);
    EXPECT_EQ(table.begin(kKey), 0u);
    table.complete(kKey, first, std::string("v"));
    EXPECT_TRUE(table.find(kKey));
}

TEST(TrackingTableTest, AFailedReadLeavesNoPlaceholder) {
    TrackingTable table;
    activate(table);
    const auto ticket = table.begin(kKey);
    table.abandon(kKey, ticket);
    EXPECT_EQ(table.size(), 0u);
    EXPECT_NE(table.begin(kKey), 0u);
}

TEST(TrackingTableTest, StaysWithinItsBound) {
    TrackingTable table(2);
    table.tracking_on(table.reset());
    EXPECT_NE(table.begin("a"), 0u);
    EXPECT_NE(table.begin("b"), 0u);
    EXPECT_EQ(table.begin("c"), 0u) << "full: read from Redis, not kept";
    EXPECT_EQ(table.size(), 2u);
}

TEST(TrackingTableTest, KnownSaysWhetherFindWouldAnswerWithoutCountingAHit) {
    TrackingTable table;
    activate(table);
    EXPECT_FALSE(table.known(kKey));
    const auto ticket = table.begin(kKey);
    EXPECT_FALSE(table.known(kKey)) << "a pending read is no answer";
    table.complete(kKey, ticket, std::string("1:0000000000000001"));
    EXPECT_TRUE(table.known(kKey));
    EXPECT_EQ(table.hits(), 0u);
    table.invalidate({kKey});
    EXPECT_FALSE(table.known(kKey));
    const auto again = table.begin(kKey);
    table.complete(kKey, again, std::nullopt);
    EXPECT_TRUE(table.known(kKey)) << "a missing record is known too";
    table.reset();
    EXPECT_FALSE(table.known(kKey));
}

}  // namespace
}  // namespace gs::redis
