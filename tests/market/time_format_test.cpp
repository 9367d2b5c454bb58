#include "goldensignals/market/time_format.h"

#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace gs::market {
namespace {

TEST(TimeFormatTest, FormatsEpochAsIsoUtc) {
    EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_iso8601(1704153600), "2024-01-02T00:00:00Z");
    EXPECT_EQ(format_iso8601(951782400), "2000-02-29T00:00:00Z");
    EXPECT_EQ(format_iso8601(1704153600 + 3661), "2024-01-02T01:01:01Z");
}

// Against the C library's calendar (gmtime_r), over every four-digit year and either side:
// the digits are written by hand for years 0-9999 and by fmt outside them.
TEST(TimeFormatTest, AgreesWithTheCLibraryAcrossTheFourDigitYearsAndBeyond) {
    constexpr std::int64_t kYear0 = -62167219200;      // 0000-01-01T00:00:00Z
    constexpr std::int64_t kYear10000 = 253402300800;  // 10000-01-01T00:00:00Z
    std::vector<std::int64_t> times = {kYear0,     kYear0 + 1,     kYear0 - 1, kYear10000 - 1,
                                       kYear10000, kYear10000 + 1, -1,         86399,
                                       86400,      951868799,      4107542400};
    std::mt19937_64 random(12);
    std::uniform_int_distribution<std::int64_t> any(kYear0 - 86400LL * 366 * 50,
                                                    kYear10000 + 86400LL * 366 * 50);
    for (int i = 0; i < 200000; ++i) {
        times.push_back(any(random));
    }
    for (const std::int64_t t : times) {
        const std::time_t c_time = t;
        std::tm tm{};
        ASSERT_NE(gmtime_r(&c_time, &tm), nullptr) << t;
        char expected[40];
        std::snprintf(expected, sizeof expected, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
                      static_cast<long long>(tm.tm_year) + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
        ASSERT_EQ(format_iso8601(t), expected) << t;
    }
}

TEST(TimeFormatTest, ParsesTheCommonForms) {
    EXPECT_EQ(parse_iso8601("2024-01-02T00:00:00Z").value(), 1704153600);
    EXPECT_EQ(parse_iso8601("2024-01-02").value(), 1704153600);
    EXPECT_EQ(parse_iso8601("2024-01-02 01:01:01").value(), 1704153600 + 3661);
    EXPECT_EQ(parse_iso8601("2024-01-02T01:01").value(), 1704153600 + 3660);
    EXPECT_EQ(parse_iso8601("2024-01-02T01:01:01.250Z").value(), 1704153600 + 3661);
    EXPECT_EQ(parse_iso8601("2024-01-02T02:00:00+02:00").value(), 1704153600);
    EXPECT_EQ(parse_iso8601("2024-01-01T22:00:00-0200").value(), 1704153600);
}

TEST(TimeFormatTest, RejectsImpossibleDates) {
    for (const char* bad : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32",
                            "2024-01-02T24:00:00Z", "2024-01-02T00:60:00Z", "yesterday", "",
                            "2024-1-2", "2024-01-02T00:00:00Zjunk", "2024-01-02T00:00:00.Z"}) {
        EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
    }
}

TEST(TimeFormatTest, RoundTrips) {
    for (std::int64_t t : {0LL, 86399LL, 1234567890LL, 4102444800LL}) {
        EXPECT_EQ(parse_iso8601(format_iso8601(t)).value(), t);
    }
}

}  // namespace
}  // namespace gs::market
