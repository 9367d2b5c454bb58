#include <gtest/gtest.h>

#include "goldensignals/market/feed_spec.h"

namespace gs::market {
namespace {

TEST(BinanceFeedSpecTest, ParsesSymbolsAndTimeframe) {
    auto spec = parse_feed_spec("binance:BTCUSDT,ethusdt@5m");
    EXPECT_EQ(spec.kind, FeedSpec::Kind::kBinance);
    EXPECT_EQ(spec.instruments, (std::vector<std::string>{"BTCUSDT", "ETHUSDT"}));
    EXPECT_EQ(spec.timeframe, Timeframe::k5m);
}

TEST(BinanceFeedSpecTest, DefaultsToOneMinuteAndDropsRepeats) {
    auto spec = parse_feed_spec("binance:BTCUSDT,btcusdt");
    EXPECT_EQ(spec.instruments, (std::vector<std::string>{"BTCUSDT"}));
    EXPECT_EQ(spec.timeframe, Timeframe::k1m);
}

TEST(BinanceFeedSpecTest, RejectsBadSpecs) {
    for (const char* bad :
         {"binance:", "binance:@1m", "binance:BTCUSDT@2m", "binance:BTCUSDT,", "binance:BTC/USDT",
          "binance:BTC-USDT@1m", "binance:BTCUSDT@", "binance:,ETHUSDT", "binance:btc usdt"}) {
        EXPECT_THROW(parse_feed_spec(bad), std::invalid_argument) << bad;
    }
}

}  // namespace
}  // namespace gs::market
