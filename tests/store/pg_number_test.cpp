#include "store/pg_number.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace gs::store {
namespace {

// The C library's strtod is the independent reference: what libpqxx's stream parse gives too.
double strtod_of(const std::string& text) {
    return std::strtod(text.c_str(), nullptr);
}

TEST(PgNumberTest, ReadsWhatStrtodReadsForShortestAndSeventeenDigitTexts) {
    std::mt19937_64 random(20261204);
    std::uniform_int_distribution<std::uint64_t> bits;
    std::size_t checked = 0;
    for (int i = 0; i < 200'000; ++i) {
        double value;
        const std::uint64_t b = bits(random);
        std::memcpy(&value, &b, sizeof(value));
        if (!std::isfinite(value)) {
            continue;
        }
        // PostgreSQL 12+ prints the shortest round-trip text; older settings print 17 digits.
        for (const std::string& text : {fmt::format("{}", value), fmt::format("{:.17g}", value)}) {
            const double parsed = parse_pg_double(text);
            ASSERT_EQ(std::memcmp(&parsed, &value, sizeof(value)), 0) << text;
            ASSERT_EQ(parsed, strtod_of(text)) << text;
            ++checked;
        }
    }
    EXPECT_GT(checked, 350'000u);
}

TEST(PgNumberTest, ReadsPricesTheWayPostgresPrintsThem) {
    EXPECT_EQ(parse_pg_double("0.30000000000000004"), 0.1 + 0.2);
    EXPECT_EQ(parse_pg_double("1e-300"), 1e-300);
    EXPECT_EQ(parse_pg_double("1.7976931348623157e+308"), std::numeric_limits<double>::max());
    EXPECT_EQ(parse_pg_double("5e-324"), std::numeric_limits<double>::denorm_min());
    EXPECT_EQ(parse_pg_double("2.2250738585072014e-308"), std::numeric_limits<double>::min());
    EXPECT_EQ(parse_pg_double("0.00001234"), 0.00001234);
    EXPECT_EQ(parse_pg_double("42"), 42.0);
    const double negative_zero = parse_pg_double("-0");
    EXPECT_EQ(negative_zero, 0.0);
    EXPECT_TRUE(std::signbit(negative_zero));
}

TEST(PgNumberTest, ReadsPostgresSpecialValues) {
    EXPECT_TRUE(std::isnan(parse_pg_double("NaN")));
    EXPECT_EQ(parse_pg_double("Infinity"), std::numeric_limits<double>::infinity());
    EXPECT_EQ(parse_pg_double("-Infinity"), -std::numeric_limits<double>::infinity());
}

TEST(PgNumberTest, RefusesWhatIsNotAWholeNumber) {
    for (const char* text : {"", " 1", "1 ", "1.5x", "abc", "+", "1e", "0x10", "1,5"}) {
        EXPECT_THROW(parse_pg_double(text), pqxx::conversion_error) << "'" << text << "'";
    }
}

}  // namespace
}  // namespace gs::store
