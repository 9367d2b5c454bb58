#include <gtest/gtest.h>

#include "goldensignals/market/symbol.h"
#include "goldensignals/market/timeframe.h"

namespace gs::market {
namespace {

TEST(SymbolTest, NormalisesToUpperCase) {
    EXPECT_EQ(normalize_symbol("brk.b").value(), "BRK.B");
    EXPECT_EQ(normalize_symbol("^GSPC").value(), "^GSPC");
    EXPECT_EQ(normalize_symbol("EURUSD=X").value(), "EURUSD=X");
    EXPECT_EQ(normalize_symbol("btc-usd").value(), "BTC-USD");
    EXPECT_EQ(normalize_symbol("a_b").value(), "A_B");
}

TEST(SymbolTest, RejectsBadSymbols) {
    EXPECT_FALSE(normalize_symbol(""));
    EXPECT_FALSE(normalize_symbol(std::string(21, 'A')));
    EXPECT_TRUE(normalize_symbol(std::string(20, 'A')));
    EXPECT_FALSE(normalize_symbol("AA PL"));
    EXPECT_FALSE(normalize_symbol("A/B"));
    EXPECT_FALSE(normalize_symbol("A\"B"));
    EXPECT_FALSE(normalize_symbol("\xc3\xa9"));
}

TEST(SymbolTest, RejectsDotSegments) {
    // As path segments they resolve to the parent folder in proxies, clients and files.
    EXPECT_FALSE(normalize_symbol("."));
    EXPECT_FALSE(normalize_symbol(".."));
    EXPECT_EQ(normalize_symbol("...").value(), "...");
    EXPECT_EQ(normalize_symbol(".a").value(), ".A");
}

TEST(TimeframeTest, ParsesEveryNameAndRoundTrips) {
    for (auto tf : kAllTimeframes) {
        EXPECT_EQ(parse_timeframe(to_string(tf)).value(), tf);
    }
    EXPECT_EQ(seconds_of(Timeframe::k1d), 86400);
    EXPECT_EQ(seconds_of(Timeframe::k4h), 14400);
    EXPECT_FALSE(parse_timeframe("1D"));
    EXPECT_FALSE(parse_timeframe("2d"));
    EXPECT_FALSE(parse_timeframe(""));
}

}  // namespace
}  // namespace gs::market
