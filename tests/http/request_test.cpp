#include "goldensignals/http/request.h"

#include <gtest/gtest.h>

namespace gs::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapes) {
    EXPECT_EQ(percent_decode("%5EGSPC", false).value(), "^GSPC");
    EXPECT_EQ(percent_decode("EURUSD%3dX", false).value(), "EURUSD=X");
}

TEST(PercentDecodeTest, PlusIsSpaceOnlyInQueries) {
    EXPECT_EQ(percent_decode("a+b", true).value(), "a b");
    EXPECT_EQ(percent_decode("a+b", false).value(), "a+b");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
    EXPECT_FALSE(percent_decode("%", false));
    EXPECT_FALSE(percent_decode("%4", false));
    EXPECT_FALSE(percent_decode("%zz", false));
    EXPECT_FALSE(percent_decode("a%00b", false));
}

TEST(ParseTargetTest, SplitsPathAndQuery) {
    std::string path;
    Params query;
    ASSERT_TRUE(parse_target("/v1/signals?symbols=A,B&timeframe=1d&flag", path, query));
    EXPECT_EQ(path, "/v1/signals");
    EXPECT_EQ(query.get("symbols").value(), "A,B");
    EXPECT_EQ(query.get("timeframe").value(), "1d");
    EXPECT_EQ(query.get("flag").value(), "");
    EXPECT_FALSE(query.get("missing"));
}

TEST(ParseTargetTest, FirstValueWins) {
    std::string path;
    Params query;
    ASSERT_TRUE(parse_target("/x?a=1&a=2", path, query));
    EXPECT_EQ(query.get("a").value(), "1");
}

TEST(ParseTargetTest, RejectsAbsoluteFormAndBadEscapes) {
    std::string path;
    Params query;
    EXPECT_FALSE(parse_target("http://example.com/x", path, query));
    EXPECT_FALSE(parse_target("/x%zz", path, query));
    EXPECT_FALSE(parse_target("/x?a=%", path, query));
    EXPECT_FALSE(parse_target("", path, query));
}

}  // namespace
}  // namespace gs::http
