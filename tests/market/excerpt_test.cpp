#include "goldensignals/market/excerpt.h"

#include <gtest/gtest.h>

namespace gs::market {
namespace {

TEST(ExcerptTest, ShortTextIsKept) {
    EXPECT_EQ(excerpt("2024-01-02T00:00:00Z"), "2024-01-02T00:00:00Z");
    EXPECT_EQ(excerpt(std::string(kExcerptBytes, 'a')), std::string(kExcerptBytes, 'a'));
    EXPECT_EQ(excerpt(""), "");
}

TEST(ExcerptTest, LongTextIsCutAndMarked) {
    const std::string huge(10 * 1024 * 1024, 'x');
    EXPECT_EQ(excerpt(huge), std::string(kExcerptBytes, 'x') + "...");
    EXPECT_EQ(excerpt("abcdef", 3), "abc...");
}

TEST(ExcerptTest, NeverSplitsAUtf8Sequence) {
    // "aé€" is 1 + 2 + 3 bytes; a cut inside the euro sign keeps "aé" whole.
    EXPECT_EQ(excerpt("a\xC3\xA9\xE2\x82\xAC!", 4), "a\xC3\xA9...");
    EXPECT_EQ(excerpt("a\xC3\xA9\xE2\x82\xAC!", 6), "a\xC3\xA9\xE2\x82\xAC...");
}

TEST(ExcerptTest, ControlCharactersCannotBreakALogLine) {
    EXPECT_EQ(excerpt("a\nb\r\x1b[31m\x7f"), "a?b??[31m?");
}

}  // namespace
}  // namespace gs::market
