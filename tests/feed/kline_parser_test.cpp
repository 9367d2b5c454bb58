#include "goldensignals/feed/binance/kline_parser.h"

#include <gtest/gtest.h>

namespace gs::feed::binance {
namespace {

// The kline payload of Binance's web-socket-streams.md, in the combined-stream wrapper, but
// with l = 0.0009: the documented low (0.0015) is above its open, a bar validate_bar refuses.
constexpr const char* kDocumentedKline = R"({"stream":"bnbbtc@kline_1m","data":{
  "e": "kline", "E": 1672515782136, "s": "BNBBTC",
  "k": {"t": 1672515780000, "T": 1672515839999, "s": "BNBBTC", "i": "1m", "f": 100, "L": 200,
        "o": "0.0010", "c": "0.0020", "h": "0.0025", "l": "0.0009", "v": "1000", "n": 100,
        "x": false, "q": "1.0000", "V": "500", "Q": "0.500", "B": "123456"}}})";

void expect_bar(const market::Bar& bar, const market::Bar& expected) {
    EXPECT_EQ(bar.time, expected.time);
    EXPECT_DOUBLE_EQ(bar.open, expected.open);
    EXPECT_DOUBLE_EQ(bar.high, expected.high);
    EXPECT_DOUBLE_EQ(bar.low, expected.low);
    EXPECT_DOUBLE_EQ(bar.close, expected.close);
    EXPECT_DOUBLE_EQ(bar.volume, expected.volume);
}

TEST(KlineParserTest, ReadsTheDocumentedStreamPayload) {
    auto kline = parse_stream_message(kDocumentedKline);
    ASSERT_TRUE(kline.has_value());
    EXPECT_EQ(kline->symbol, "BNBBTC");
    EXPECT_EQ(kline->interval, "1m");
    EXPECT_FALSE(kline->final);
    EXPECT_EQ(kline->event_time_ms, 1672515782136);
    EXPECT_EQ(kline->open_time_ms, 1672515780000);
    EXPECT_EQ(kline->close_time_ms, 1672515839999);
    // o, h, l, c in Binance's order o, c, h, l: a mix-up of c and h would show here.
    expect_bar(kline->bar, {1672515780, 0.0010, 0.0025, 0.0009, 0.0020, 1000});
}

TEST(KlineParserTest, ReadsARawPayloadAndTheClosedFlag) {
    auto kline = parse_stream_message(
        R"({"e":"kline","E":1672531260001,"s":"BTCUSDT","k":{"t":1672531200000,"T":1672531259999,)"
        R"("s":"BTCUSDT","i":"1m","o":"16541.77000000","c":"16523.46000000","h":"16549.01000000",)"
        R"("l":"16515.67000000","v":"193.33051000","x":true}})");
    ASSERT_TRUE(kline.has_value());
    EXPECT_TRUE(kline->final);
    expect_bar(kline->bar, {1672531200, 16541.77, 16549.01, 16515.67, 16523.46, 193.33051});
}

TEST(KlineParserTest, RepliesToRequestsAndOtherEventsAreNotKlines) {
    EXPECT_FALSE(parse_stream_message(R"({"result":null,"id":1})").has_value());
    EXPECT_FALSE(
        parse_stream_message(R"({"stream":"bnbbtc@trade","data":{"e":"trade","E":1,"s":"BNBBTC"}})")
            .has_value());
}

TEST(KlineParserTest, RefusesBrokenMessages) {
    const std::string good = kDocumentedKline;
    auto with = [&](const std::string& from, const std::string& to) {
        std::string text = good;
        auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return text.replace(at, from.size(), to);
    };
    for (const std::string& bad : {
             std::string("not json"),
             std::string("[1,2]"),
             std::string(R"({"stream":"bnbbtc@kline_1m"})"),  // no data
             std::string(R"({"stream":"x","data":[]})"),
             std::string(R"({"foo":1})"),
             with(R"("o": "0.0010")", R"("o": "abc")"),     // not a number
             with(R"("o": "0.0010")", R"("o": 0.0010)"),    // a number, not a string
             with(R"("o": "0.0010")", R"("o": "")"),        // empty
             with(R"("h": "0.0025")", R"("h": "0.0012")"),  // high below the close
             with(R"("v": "1000")", R"("v": "-1")"),        // negative volume
             with(R"("x": false)", R"("x": "false")"),      // flag of the wrong type
             with(R"("t": 1672515780000)", R"("t": "1672515780000")"),
             with(R"("t": 1672515780000)", R"("t": 1672515780500)"),  // not on a second
             with(R"("T": 1672515839999)", R"("T": 1672515770000)"),  // closes before it opens
             with(R"("E": 1672515782136, )", ""),                     // no event time
             with(R"("k": {)", R"("k": 5, "kk": {)"),
         }) {
        EXPECT_THROW(parse_stream_message(bad), ParseError) << bad;
    }
}

TEST(KlineParserTest, ReadsTheDocumentedRestRows) {
    // rest-api.md's example row, and a second one opened a minute later.
    auto rows = parse_rest_klines(R"([
      [1499040000000, "0.01634790", "0.80000000", "0.01575800", "0.01577100",
       "148976.11427815", 1499644799999, "2434.19055334", 308, "1756.87402397",
       "28.46694368", "0"],
      [1499040060000, "1.5", "2.5", "1.0", "2.0", "0", 1499040119999]])");
    ASSERT_EQ(rows.size(), 2u);
    expect_bar(rows[0].bar, {1499040000, 0.0163479, 0.8, 0.015758, 0.015771, 148976.11427815});
    EXPECT_EQ(rows[0].open_time_ms, 1499040000000);
    EXPECT_EQ(rows[0].close_time_ms, 1499644799999);
    EXPECT_TRUE(rows[0].final);
    expect_bar(rows[1].bar, {1499040060, 1.5, 2.5, 1.0, 2.0, 0});
    EXPECT_TRUE(parse_rest_klines("[]").empty());
}

TEST(KlineParserTest, RefusesBrokenRestBodies) {
    for (const char* bad :
         {R"({"code":-1121,"msg":"Invalid symbol."})", "nope",
          R"([[1499040000000,"1","2","0.5","1.5","10"]])",
          R"([[1499040000000,"1","2","0.5","1.5","10","x"]])",
          R"([[1499040000000,"1","0.9","0.5","1.5","10",1499040059999]])", R"([5])"}) {
        EXPECT_THROW(parse_rest_klines(bad), ParseError) << bad;
    }
}

}  // namespace
}  // namespace gs::feed::binance
