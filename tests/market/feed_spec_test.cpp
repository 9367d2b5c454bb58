#include "goldensignals/market/feed_spec.h"

#include <gtest/gtest.h>

namespace gs::market {
namespace {

TEST(FeedSpecTest, ParsesSimulatedFeeds) {
    auto spec = parse_feed_spec("sim:5:250");
    EXPECT_EQ(spec.kind, FeedSpec::Kind::kSimulated);
    EXPECT_EQ(spec.symbols, 5u);
    EXPECT_EQ(spec.interval, std::chrono::milliseconds(250));
    EXPECT_EQ(parse_feed_spec("sim:3").interval, std::chrono::milliseconds(1000));
}

TEST(FeedSpecTest, ParsesReplayWithAndWithoutRate) {
    auto spec = parse_feed_spec("replay:data/demo/DEMO.csv:4");
    EXPECT_EQ(spec.kind, FeedSpec::Kind::kReplay);
    EXPECT_EQ(spec.file, "data/demo/DEMO.csv");
    EXPECT_EQ(spec.interval, std::chrono::milliseconds(250));
    auto plain = parse_feed_spec("replay:/tmp/AAPL.csv");
    EXPECT_EQ(plain.file, "/tmp/AAPL.csv");
    EXPECT_EQ(plain.interval, std::chrono::milliseconds(1000));
}

TEST(FeedSpecTest, EmptyOrNoneIsNoFeed) {
    EXPECT_EQ(parse_feed_spec("").kind, FeedSpec::Kind::kNone);
    EXPECT_EQ(parse_feed_spec("none").kind, FeedSpec::Kind::kNone);
}

TEST(FeedSpecTest, RejectsBadSpecs) {
    for (const char* bad : {"sim", "sim:0", "sim:x", "sim:2.5", "sim:5:1", "sim:5000",
                            "replay:", "replay::3", "kafka:topic", "replay:f.csv:5000"}) {
        EXPECT_THROW(parse_feed_spec(bad), std::invalid_argument) << bad;
    }
}

TEST(FeedSpecTest, RefusesIntervalsNoIntegerHolds) {
    // These used to reach a double -> long long conversion out of range (undefined).
    for (const char* bad : {"sim:5:1e300", "sim:5:inf", "sim:5:86400001", "replay:f.csv:1e-300",
                            "replay:f.csv:0.00001"}) {
        EXPECT_THROW(parse_feed_spec(bad), std::invalid_argument) << bad;
    }
    EXPECT_EQ(parse_feed_spec("sim:5:86400000").interval, std::chrono::hours(24));
}

}  // namespace
}  // namespace gs::market
