#include "goldensignals/market/bar_parsing.h"

#include <gtest/gtest.h>

namespace gs::market {
namespace {

std::size_t error_row(const std::function<void()>& fn, std::string* message = nullptr) {
    try {
        fn();
    } catch (const BarParseError& e) {
        if (message != nullptr) {
            *message = e.what();
        }
        return e.row();
    }
    ADD_FAILURE() << "expected BarParseError";
    return 999;
}

TEST(BarParsingJsonTest, ParsesIsoAndEpochTimes) {
    auto bars = parse_bars_json(R"([
        {"time": "2024-01-02T00:00:00Z", "open": 10, "high": 11, "low": 9, "close": 10.5, "volume": 1000},
        {"time": 1704240000, "open": 10.5, "high": 12, "low": 10, "close": 11, "volume": 0}])");
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[0].time, 1704153600);
    EXPECT_EQ(bars[1].time, 1704240000);
    EXPECT_DOUBLE_EQ(bars[0].close, 10.5);
    EXPECT_DOUBLE_EQ(bars[1].volume, 0);
}

TEST(BarParsingJsonTest, NamesTheFirstBadRowAndWhy) {
    std::string message;
    auto row = error_row(
        [] {
            parse_bars_json(R"([
            {"time": 1, "open": 10, "high": 11, "low": 9, "close": 10, "volume": 1},
            {"time": 2, "open": 10, "high": 9.5, "low": 9, "close": 10, "volume": 1},
            {"time": 3, "open": -1, "high": 11, "low": 9, "close": 10, "volume": 1}])");
        },
        &message);
    EXPECT_EQ(row, 2u);
    EXPECT_NE(message.find("bar 2"), std::string::npos) << message;
    EXPECT_NE(message.find("high"), std::string::npos) << message;
}

struct BadJson {
    const char* name;
    const char* body;
    const char* fragment;
};

class BarParsingJsonRejectTest : public ::testing::TestWithParam<BadJson> {};

TEST_P(BarParsingJsonRejectTest, RefusesWithReason) {
    std::string message;
    error_row([&] { parse_bars_json(GetParam().body); }, &message);
    EXPECT_NE(message.find(GetParam().fragment), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BarParsingJsonRejectTest,
    ::testing::Values(
        BadJson{"NotJson", "[{", "not valid JSON"}, BadJson{"NotArray", R"({"a":1})", "array"},
        BadJson{"Empty", "[]", "no bars"},
        BadJson{"MissingClose", R"([{"time":1,"open":1,"high":1,"low":1,"volume":1}])",
                "missing \"close\""},
        BadJson{"StringPrice", R"([{"time":1,"open":"1","high":1,"low":1,"close":1,"volume":1}])",
                "\"open\" is not a number"},
        BadJson{"ZeroPrice", R"([{"time":1,"open":0,"high":1,"low":0,"close":1,"volume":1}])",
                "not positive"},
        BadJson{"NegativeVolume", R"([{"time":1,"open":1,"high":1,"low":1,"close":1,"volume":-5}])",
                "negative"},
        BadJson{"LowAboveBody",
                R"([{"time":1,"open":2,"high":3,"low":2.5,"close":2.8,"volume":1}])",
                "low 2.5 is above"},
        BadJson{"BadTime",
                R"([{"time":"tomorrow","open":1,"high":1,"low":1,"close":1,"volume":1}])",
                "not ISO-8601"},
        BadJson{"FractionalEpoch",
                R"([{"time":1.5,"open":1,"high":1,"low":1,"close":1,"volume":1}])",
                "whole epoch seconds"},
        BadJson{"MillisecondEpoch",
                R"([{"time":1704153600000,"open":1,"high":1,"low":1,"close":1,"volume":1}])",
                "outside"},
        BadJson{"NotObject", "[1]", "not an object"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BarParsingJsonTest, RefusesMoreThanTheRowLimit) {
    std::string body = "[";
    for (int i = 0; i < 4; ++i) {
        body += (i ? "," : "");
        body += R"({"time":1,"open":1,"high":1,"low":1,"close":1,"volume":1})";
    }
    body += "]";
    try {
        parse_bars_json(body, 3);
        FAIL();
    } catch (const BarParseError& e) {
        EXPECT_EQ(e.kind(), BarParseError::Kind::kTooMany);
    }
}

TEST(BarParsingCsvTest, ParsesWithCrlfBomAndBlankLines) {
    auto bars = parse_bars_csv(
        "\xEF\xBB\xBFTime,Open,High,Low,Close,Volume\r\n"
        "2024-01-02T00:00:00Z,10,11,9,10.5,1000\r\n"
        "\r\n"
        "1704240000, 10.5, 12, 10, 11, 2e3\r\n");
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[0].time, 1704153600);
    EXPECT_DOUBLE_EQ(bars[1].volume, 2000);
}

TEST(BarParsingCsvTest, NamesTheLineOfTheFirstBadRow) {
    std::string message;
    auto row = error_row(
        [] {
            parse_bars_csv(
                "time,open,high,low,close,volume\n"
                "1,10,11,9,10,1\n"
                "2,10,11,9,abc,1\n");
        },
        &message);
    EXPECT_EQ(row, 2u);
    EXPECT_NE(message.find("line 3"), std::string::npos) << message;
    EXPECT_NE(message.find("close"), std::string::npos) << message;
}

TEST(BarParsingCsvTest, RejectsWrongHeaderAndFieldCounts) {
    std::string message;
    error_row([] { parse_bars_csv("date,o,h,l,c,v\n1,1,1,1,1,1\n"); }, &message);
    EXPECT_NE(message.find("header"), std::string::npos);
    error_row([] { parse_bars_csv("time,open,high,low,close,volume\n1,1,1,1,1\n"); }, &message);
    EXPECT_NE(message.find("6 comma-separated"), std::string::npos);
    error_row([] { parse_bars_csv("time,open,high,low,close,volume\n1,1,1,1,1,1,1\n"); }, &message);
    EXPECT_NE(message.find("6 comma-separated"), std::string::npos);
    error_row([] { parse_bars_csv(""); }, &message);
    EXPECT_NE(message.find("empty"), std::string::npos);
    error_row([] { parse_bars_csv("time,open,high,low,close,volume\n"); }, &message);
    EXPECT_NE(message.find("no bars"), std::string::npos);
    error_row([] { parse_bars_csv("time,open,high,low,close,volume\n1,nan,1,1,1,1\n"); }, &message);
    EXPECT_NE(message.find("open"), std::string::npos) << message;
    error_row([] { parse_bars_csv("time,open,high,low,close,volume\n1,inf,inf,1,1,1\n"); },
              &message);
    EXPECT_NE(message.find("finite"), std::string::npos) << message;
}

}  // namespace
}  // namespace gs::market
