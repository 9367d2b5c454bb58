#include "goldensignals/market/time_format.h"

#include <gtest/gtest.h>

namespace gs::market {
namespace {

TEST(TimeFormatTest, FormatsEpochAsIsoUtc) {
    EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_iso8601(1704153600), "2024-01-02T00:00:00Z");
    EXPECT_EQ(format_iso8601(951782400), "2000-02-29T00:00:00Z");
    EXPECT_EQ(format_iso8601(1704153600 + 3661), "2024-01-02T01:01:01Z");
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
