#include "goldensignals/import/csv_import.h"

#include <gtest/gtest.h>

#include "goldensignals/market/bar_parsing.h"

namespace gs::import {
namespace {

using market::Bar;

void expect_bar(const Bar& bar, std::int64_t time, double open, double high, double low,
                double close, double volume) {
    EXPECT_EQ(bar.time, time);
    EXPECT_EQ(bar.open, open);
    EXPECT_EQ(bar.high, high);
    EXPECT_EQ(bar.low, low);
    EXPECT_EQ(bar.close, close);
    EXPECT_EQ(bar.volume, volume);
}

TEST(CsvImportTest, DetectsEachDialectByItsHeader) {
    EXPECT_EQ(detect_format("time,open,high,low,close,volume"), CsvFormat::kGoldenSignals);
    EXPECT_EQ(detect_format("Date,Open,High,Low,Close,Adj Close,Volume\r"), CsvFormat::kYahoo);
    EXPECT_EQ(detect_format("Datetime,Open,High,Low,Close,Adj Close,Volume"), CsvFormat::kYahoo);
    EXPECT_EQ(detect_format("\xEF\xBB\xBF"
                            "Date,Open,High,Low,Close,Volume"),
              CsvFormat::kStooq);
    EXPECT_EQ(detect_format("Date,Open,High,Low,Close"), CsvFormat::kStooq);
    EXPECT_EQ(detect_format("<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,"
                            "<OPENINT>"),
              CsvFormat::kStooqAscii);
    EXPECT_EQ(detect_format("Date,Open,High,Low,Close,Volume,Adj Close"), std::nullopt);
    EXPECT_EQ(detect_format("Date,Dividends"), std::nullopt);
    EXPECT_EQ(detect_format("time;open;high;low;close;volume"), std::nullopt);
}

TEST(CsvImportTest, ReadsYahooIgnoringAdjCloseAndSkippingNullRows) {
    const auto parsed = parse_csv(
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-01-02,187.149994,188.440002,183.889999,185.639999,184.938217,82488700\n"
        "2024-01-03,null,null,null,null,null,null\n"
        "2024-01-04,182.149994,183.089996,180.880005,181.910004,181.22229,71983600\n");
    ASSERT_TRUE(parsed.ok()) << parsed.errors.at(0).reason;
    EXPECT_EQ(parsed.format, CsvFormat::kYahoo);
    EXPECT_EQ(parsed.skipped_rows, 1u);
    ASSERT_EQ(parsed.bars.size(), 2u);
    expect_bar(parsed.bars[0], 1704153600, 187.149994, 188.440002, 183.889999, 185.639999,
               82488700);
    expect_bar(parsed.bars[1], 1704326400, 182.149994, 183.089996, 180.880005, 181.910004,
               71983600);
    EXPECT_EQ(parsed.lines, (std::vector<std::size_t>{2, 4}));
}

TEST(CsvImportTest, ReadsStooqDailyWithAndWithoutVolume) {
    auto parsed = parse_csv(
        "Date,Open,High,Low,Close,Volume\r\n"
        "2024-01-02,185.64,188.44,183.885,185.64,82488674\r\n");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.format, CsvFormat::kStooq);
    ASSERT_EQ(parsed.bars.size(), 1u);
    expect_bar(parsed.bars[0], 1704153600, 185.64, 188.44, 183.885, 185.64, 82488674);

    parsed = parse_csv("Date,Open,High,Low,Close\n2024-01-05,4697.42,4721.49,4682.11,4697.24\n");
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed.bars.size(), 1u);
    expect_bar(parsed.bars[0], 1704412800, 4697.42, 4721.49, 4682.11, 4697.24, 0);
}

TEST(CsvImportTest, ReadsStooqAsciiWithItsPeriodAndTime) {
    const auto parsed = parse_csv(
        "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\n"
        "AAPL.US,5,20240102,153000,187.15,187.5,186.9,187.2,1200,0\n"
        "AAPL.US,5,20240102,153500,187.2,187.3,186.8,187.0,900,0\n");
    ASSERT_TRUE(parsed.ok()) << parsed.errors.at(0).reason;
    EXPECT_EQ(parsed.format, CsvFormat::kStooqAscii);
    EXPECT_EQ(parsed.timeframe, market::Timeframe::k5m);
    ASSERT_EQ(parsed.bars.size(), 2u);
    expect_bar(parsed.bars[0], 1704153600 + 15 * 3600 + 30 * 60, 187.15, 187.5, 186.9, 187.2, 1200);
    EXPECT_EQ(parsed.bars[1].time - parsed.bars[0].time, 300);

    const auto daily = parse_csv(
        "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>\n"
        "^SPX,D,20240102,000000,4745.2,4754.33,4722.67,4742.83,,0\n");
    ASSERT_TRUE(daily.ok()) << daily.errors.at(0).reason;
    EXPECT_EQ(daily.timeframe, market::Timeframe::k1d);
    expect_bar(daily.bars.at(0), 1704153600, 4745.2, 4754.33, 4722.67, 4742.83, 0);
}

TEST(CsvImportTest, ReadsOurOwnFormatAsTheServerDoes) {
    const std::string body =
        "time,open,high,low,close,volume\n"
        "2024-01-02T00:00:00Z,10,11,9,10.5,1000\n"
        "1704240000,10.5,12,10,11,0\n";
    const auto parsed = parse_csv(body);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.format, CsvFormat::kGoldenSignals);
    const auto server = market::parse_bars_csv(body);
    ASSERT_EQ(parsed.bars.size(), server.size());
    for (std::size_t i = 0; i < server.size(); ++i) {
        expect_bar(parsed.bars[i], server[i].time, server[i].open, server[i].high, server[i].low,
                   server[i].close, server[i].volume);
    }
}

TEST(CsvImportTest, NamesEveryBadLineUpToTheLimitAndCountsTheRest) {
    const auto parsed = parse_csv(
        "Date,Open,High,Low,Close,Volume\n"
        "2024-01-02,10,11,9,10,100\n"
        "2024-01-03,10,9,9.5,10,100\n"            // high below low
        "2024-13-04,10,11,9,10,100\n"             // no such month
        "2024-01-05,10,11,9,ten,100\n"            // not a number
        "2024-01-06,10,11,9,10\n"                 // a field short
        "2024-01-07,10,11,9,10,-5\n"              // negative volume
        "2024-01-08,null,null,null,null,null\n",  // null is Yahoo's, not Stooq's
        3);
    EXPECT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error_count, 6u);
    ASSERT_EQ(parsed.errors.size(), 3u);
    EXPECT_EQ(parsed.errors[0].line, 3u);
    EXPECT_NE(parsed.errors[0].reason.find("high"), std::string::npos) << parsed.errors[0].reason;
    EXPECT_EQ(parsed.errors[1].line, 4u);
    EXPECT_NE(parsed.errors[1].reason.find("2024-13-04"), std::string::npos);
    EXPECT_EQ(parsed.errors[2].line, 5u);
    EXPECT_EQ(parsed.errors[2].reason, "close \"ten\" is not a number");
}

TEST(CsvImportTest, RefusesUnknownHeadersEmptyFilesAndMixedPeriods) {
    auto parsed = parse_csv("Date,Dividends\n2024-01-02,0.24\n");
    EXPECT_FALSE(parsed.ok());
    EXPECT_FALSE(parsed.format.has_value());
    ASSERT_EQ(parsed.errors.size(), 1u);
    EXPECT_EQ(parsed.errors[0].line, 1u);
    EXPECT_NE(parsed.errors[0].reason.find("Yahoo"), std::string::npos);

    parsed = parse_csv("");
    EXPECT_FALSE(parsed.ok());
    parsed = parse_csv("Date,Open,High,Low,Close,Volume\n\n");
    EXPECT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.errors.at(0).reason, "no rows after the header");

    parsed = parse_csv(
        "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>\n"
        "X,D,20240102,000000,1,1,1,1,1\n"
        "X,W,20240109,000000,1,1,1,1,1\n"
        "X,D,2024010,000000,1,1,1,1,1\n");
    EXPECT_EQ(parsed.error_count, 2u);
    EXPECT_EQ(parsed.errors.at(0).line, 3u);
    EXPECT_EQ(parsed.errors.at(1).line, 4u);

    parsed = parse_csv(
        "<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>\n"
        "X,M,20240102,000000,1,1,1,1,1\n");
    EXPECT_FALSE(parsed.ok());
    EXPECT_NE(parsed.errors.at(0).reason.find("\"M\""), std::string::npos);
}

TEST(CsvImportTest, TakesTheSymbolFromTheFileName) {
    EXPECT_EQ(symbol_from_path("data/aapl.us.txt"), "AAPL.US");
    EXPECT_EQ(symbol_from_path("/tmp/BRK.B.csv"), "BRK.B");
    EXPECT_EQ(symbol_from_path("EURUSD=X.CSV"), "EURUSD=X");
    EXPECT_EQ(symbol_from_path("^GSPC"), "^GSPC");
    EXPECT_EQ(symbol_from_path("my prices.csv"), std::nullopt);
}

TEST(CsvImportTest, ChunksStayUnderTheRowAndByteLimitsAndReadBackExactly) {
    std::vector<Bar> bars;
    for (int i = 0; i < 25; ++i) {
        bars.push_back({1704153600 + i * 86400, 0.1 + i, 0.3 + i, 0.05 + i,
                        0.2 + i + (i % 3) / 30.0, 1e21 + i});
    }
    std::string body;
    EXPECT_EQ(encode_chunk(bars, 10, 1 << 20, body), 10u);
    const auto back = market::parse_bars_csv(body);
    ASSERT_EQ(back.size(), 10u);
    for (std::size_t i = 0; i < back.size(); ++i) {
        expect_bar(back[i], bars[i].time, bars[i].open, bars[i].high, bars[i].low, bars[i].close,
                   bars[i].volume);
    }
    const std::size_t limit = 400;
    const std::size_t taken = encode_chunk(bars, 100, limit, body);
    EXPECT_LE(body.size(), limit);
    EXPECT_GT(taken, 0u);
    EXPECT_LT(taken, 25u);
    EXPECT_EQ(market::parse_bars_csv(body).size(), taken);
    // A single row larger than the byte limit still goes: progress is always made.
    EXPECT_EQ(encode_chunk(bars, 100, 10, body), 1u);
}

}  // namespace
}  // namespace gs::import
