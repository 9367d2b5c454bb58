#include "goldensignals/market/bar_parsing.h"

#include <cmath>

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

// A valid bar with `field` replaced by the raw JSON `value`.
std::string bar_with(const std::string& field, const std::string& value) {
    std::string bar = R"({"time":1704153600,"open":10,"high":11,"low":9,"close":10,"volume":1})";
    const std::string key = "\"" + field + "\":";
    const auto at = bar.find(key) + key.size();
    const auto end = bar.find_first_of(",}", at);
    return bar.replace(at, end - at, value);
}

std::string two_bars_second_with(const std::string& field, const std::string& value) {
    return "[" + bar_with("close", "10") + "," + bar_with(field, value) + "]";
}

TEST(BarParsingJsonTest, NumberBeyondDoubleNamesTheRowAndField) {
    // nlohmann refuses 1e309 with out_of_range, which used to escape as a 500.
    for (const char* field : {"volume", "open", "time"}) {
        std::string message;
        EXPECT_EQ(
            error_row([&] { parse_bars_json(two_bars_second_with(field, "1e309")); }, &message), 2u)
            << field;
        EXPECT_NE(message.find("bar 2"), std::string::npos) << message;
        EXPECT_NE(message.find(field), std::string::npos) << message;
        EXPECT_NE(message.find("out of range"), std::string::npos) << message;
    }
    std::string message;
    error_row([] { parse_bars_json(two_bars_second_with("volume", "1, \"extra\": -1e400")); },
              &message);
    EXPECT_NE(message.find("\"extra\" -1e400 is out of range"), std::string::npos) << message;
}

TEST(BarParsingJsonTest, TimeBeyondInt64IsRefusedBeforeConversion) {
    // Casting 1e300 or 2^64 - 1 to int64_t is undefined (it used to show as a negative time).
    std::string message;
    error_row([] { parse_bars_json(two_bars_second_with("time", "1e300")); }, &message);
    EXPECT_NE(message.find("bar 2: time 1e+300 is outside"), std::string::npos) << message;
    error_row([] { parse_bars_json(two_bars_second_with("time", "-1e300")); }, &message);
    EXPECT_NE(message.find("time -1e+300 is outside"), std::string::npos) << message;
    error_row([] { parse_bars_json(two_bars_second_with("time", "18446744073709551615")); },
              &message);
    EXPECT_NE(message.find("time 18446744073709551615 is outside"), std::string::npos) << message;
    error_row([] { parse_bars_json(two_bars_second_with("time", "7258118400")); }, &message);
    EXPECT_NE(message.find("time 7258118400 is outside"), std::string::npos) << message;
    auto bars = parse_bars_json("[" + bar_with("time", "7258118399.0") + "]");
    EXPECT_EQ(bars[0].time, 7258118399);
}

TEST(BarParsingJsonTest, NestedArraysStopAtTheFirstExtraLevel) {
    // An unclosed 1 MB tower of arrays followed by garbage: the parse must stop at the second
    // '[' (it used to build the whole tower, then call the body malformed).
    std::string body(1 << 20, '[');
    body += "garbage";
    std::string message;
    EXPECT_EQ(error_row([&] { parse_bars_json(body); }, &message), 1u);
    EXPECT_EQ(message, "bar 1: not an object");
}

TEST(BarParsingJsonTest, NestedValuesInFieldsAreRefusedAtOnce) {
    std::string message;
    error_row([] { parse_bars_json(two_bars_second_with("open", "{\"a\":[[[[ oops")); }, &message);
    EXPECT_EQ(message, "bar 2: \"open\" is not a number");
    error_row([] { parse_bars_json(two_bars_second_with("time", "[1704153600] oops")); }, &message);
    EXPECT_EQ(message, "bar 2: time must be an ISO-8601 string or epoch seconds");
    error_row([] { parse_bars_json(two_bars_second_with("volume", "1, \"tags\": [[[ oops")); },
              &message);
    EXPECT_EQ(message, "bar 2: \"tags\" holds an array or object: bar fields are scalars");
}

TEST(BarParsingJsonTest, DuplicateFieldsAreRefusedAndUnknownScalarsIgnored) {
    std::string message;
    EXPECT_EQ(error_row([] { parse_bars_json(two_bars_second_with("close", "10, \"close\": 12")); },
                        &message),
              2u);
    EXPECT_EQ(message, "bar 2: duplicate \"close\"");
    auto bars = parse_bars_json(
        "[" + bar_with("volume", R"(5, "vwap": 10.2, "note": "x", "odd": null, "ok": true)") + "]");
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_DOUBLE_EQ(bars[0].volume, 5);
}

TEST(BarParsingJsonTest, ScalarsOutsideABarAreRefused) {
    std::string message;
    for (const char* body : {"1", "\"bars\"", "null", "true"}) {
        error_row([&] { parse_bars_json(body); }, &message);
        EXPECT_EQ(message, "body must be a JSON array of bars") << body;
    }
    EXPECT_EQ(error_row([] { parse_bars_json("[" + bar_with("close", "10") + ", 7]"); }, &message),
              2u);
    EXPECT_EQ(message, "bar 2: not an object");
    error_row([] { parse_bars_json("[" + bar_with("close", "10") + "] []"); }, &message);
    EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
}

TEST(BarParsingJsonTest, NegativeZeroIsStoredAsZero) {
    auto bars = parse_bars_json("[" + bar_with("volume", "-0.0") + "]");
    EXPECT_EQ(bars[0].volume, 0.0);
    EXPECT_FALSE(std::signbit(bars[0].volume));
}

TEST(BarParsingJsonTest, LongTimeIsEchoedShort) {
    const std::string huge(100'000, '7');
    std::string message;
    error_row([&] { parse_bars_json(two_bars_second_with("time", "\"x" + huge + "\"")); },
              &message);
    EXPECT_NE(message.find("bar 2: time \"x777"), std::string::npos) << message.substr(0, 200);
    EXPECT_LT(message.size(), 200u);
}

TEST(BarParsingCsvTest, LongFieldsAreEchoedShort) {
    const std::string huge(100'000, '9');
    const std::string header = "time,open,high,low,close,volume\n";
    std::string message;
    error_row([&] { parse_bars_csv(header + "x" + huge + ",1,1,1,1,1\n"); }, &message);
    EXPECT_NE(message.find("line 2: time \"x999"), std::string::npos) << message.substr(0, 200);
    EXPECT_LT(message.size(), 200u);
    error_row([&] { parse_bars_csv(header + "1,1,1,1,1,x" + huge + "\n"); }, &message);
    EXPECT_NE(message.find("volume \"x999"), std::string::npos) << message.substr(0, 200);
    EXPECT_LT(message.size(), 200u);
}

TEST(BarParsingCsvTest, NegativeZeroVolumeIsStoredAsZero) {
    auto bars = parse_bars_csv("time,open,high,low,close,volume\n1,1,1,1,1,-0\n");
    EXPECT_FALSE(std::signbit(bars[0].volume));
}

TEST(PostedBarsJsonTest, TheLastBarMayBeFormingAndIsKeptApart) {
    const auto posted = parse_posted_bars_json(
        R"([{"time":1,"open":1,"high":2,"low":1,"close":2,"volume":3,"final":true},)"
        R"({"time":2,"open":2,"high":3,"low":2,"close":3,"volume":4,"final":false}])");
    ASSERT_EQ(posted.bars.size(), 1u);
    EXPECT_EQ(posted.bars[0].time, 1);
    ASSERT_TRUE(posted.forming.has_value());
    EXPECT_EQ(posted.forming->time, 2);
    EXPECT_EQ(posted.forming->close, 3);

    const auto alone = parse_posted_bars_json(
        R"([{"time":5,"open":1,"high":2,"low":1,"close":2,"volume":3,"final":false}])");
    EXPECT_TRUE(alone.bars.empty());
    ASSERT_TRUE(alone.forming.has_value());
    EXPECT_FALSE(
        parse_posted_bars_json(R"([{"time":5,"open":1,"high":2,"low":1,"close":2,"volume":3}])")
            .forming.has_value());
}

TEST(PostedBarsJsonTest, AFormingBarIsValidatedLikeAnyBar) {
    try {
        parse_posted_bars_json(
            R"([{"time":5,"open":1,"high":0.5,"low":1,"close":2,"volume":3,"final":false}])");
        FAIL() << "accepted high below low";
    } catch (const BarParseError& e) {
        EXPECT_EQ(e.row(), 1u);
    }
    EXPECT_THROW(
        parse_posted_bars_json(R"([{"time":5,"open":1,"high":2,"low":1,"close":2,"final":false}])"),
        BarParseError);
    EXPECT_THROW(parse_posted_bars_json(
                     R"([{"time":5,"open":1,"high":2,"low":1,"close":2,"volume":1,"final":[]}])"),
                 BarParseError);
}

TEST(PostedBarsJsonTest, ElsewhereFinalIsAnIgnoredField) {
    // parse_bars_json (CSV imports, tools) keeps its rules: an unknown scalar field.
    const auto bars = parse_bars_json(
        R"([{"time":5,"open":1,"high":2,"low":1,"close":2,"volume":3,"final":false}])");
    EXPECT_EQ(bars.size(), 1u);
}

}  // namespace
}  // namespace gs::market
