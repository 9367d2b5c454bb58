#include <gtest/gtest.h>

#include "goldensignals/store/history_cursor.h"

namespace gs::store {
namespace {

TEST(HistoryCursorTest, RoundTripsCreatedAtAndId) {
    const HistoryCursor cursor{1'714'567'890'123'456, 987'654'321};
    const std::string text = encode_history_cursor(cursor);
    EXPECT_EQ(text.size(), 34u);
    const auto decoded = decode_history_cursor(text);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, cursor);
}

TEST(HistoryCursorTest, RoundTripsExtremeValues) {
    for (const HistoryCursor cursor :
         {HistoryCursor{0, 0}, HistoryCursor{-1, 1}, HistoryCursor{INT64_MAX, INT64_MAX},
          HistoryCursor{INT64_MIN, 1}}) {
        const auto decoded = decode_history_cursor(encode_history_cursor(cursor));
        ASSERT_TRUE(decoded.has_value());
        EXPECT_EQ(*decoded, cursor);
    }
}

TEST(HistoryCursorTest, DifferentPositionsGiveDifferentCursors) {
    EXPECT_NE(encode_history_cursor({10, 1}), encode_history_cursor({10, 2}));
    EXPECT_NE(encode_history_cursor({10, 1}), encode_history_cursor({11, 1}));
}

TEST(HistoryCursorTest, AcceptsUpperCaseHex) {
    const HistoryCursor cursor{0xabcdef, 0xfedcba};
    std::string text = encode_history_cursor(cursor);
    for (auto& c : text) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    const auto decoded = decode_history_cursor(text);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, cursor);
}

TEST(HistoryCursorTest, RejectsMalformedText) {
    const std::string good = encode_history_cursor({1, 2});
    EXPECT_FALSE(decode_history_cursor("").has_value());
    EXPECT_FALSE(decode_history_cursor(good.substr(0, 33)).has_value());
    EXPECT_FALSE(decode_history_cursor(good + "0").has_value());
    std::string not_hex = good;
    not_hex[10] = 'g';
    EXPECT_FALSE(decode_history_cursor(not_hex).has_value());
    std::string wrong_version = good;
    wrong_version[1] = '2';
    EXPECT_FALSE(decode_history_cursor(wrong_version).has_value());
}

}  // namespace
}  // namespace gs::store
