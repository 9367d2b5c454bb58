#include "goldensignals/sse/event_format.h"

#include <gtest/gtest.h>

namespace gs::sse {
namespace {

TEST(EventFormatTest, FormatsIdEventAndOneLineOfData) {
    EXPECT_EQ(format_event("signal", R"({"symbol":"AAPL"})", 42),
              "id: 42\nevent: signal\ndata: {\"symbol\":\"AAPL\"}\n\n");
}

TEST(EventFormatTest, OmitsTheIdLineWithoutAnId) {
    EXPECT_EQ(format_event("signal", "x"), "event: signal\ndata: x\n\n");
}

TEST(EventFormatTest, OmitsTheEventLineWithoutAName) {
    EXPECT_EQ(format_event("", "x", 1), "id: 1\ndata: x\n\n");
}

TEST(EventFormatTest, SplitsMultiLineDataIntoOneDataLinePerLine) {
    EXPECT_EQ(format_event("signal", "a\nb\nc", 7),
              "id: 7\nevent: signal\ndata: a\ndata: b\ndata: c\n\n");
}

TEST(EventFormatTest, TreatsCrLfAndLoneCrAsLineBreaks) {
    EXPECT_EQ(format_event("m", "a\r\nb\rc\n\nd"),
              "event: m\ndata: a\ndata: b\ndata: c\ndata: \ndata: d\n\n");
}

TEST(EventFormatTest, KeepsATrailingLineBreakAsAnEmptyDataLine) {
    // A client joins data lines with LF, so "a\n" comes back as "a\n".
    EXPECT_EQ(format_event("m", "a\n"), "event: m\ndata: a\ndata: \n\n");
}

TEST(EventFormatTest, EmptyDataIsOneEmptyDataLine) {
    EXPECT_EQ(format_event("m", ""), "event: m\ndata: \n\n");
}

TEST(EventFormatTest, LineBreaksInTheEventNameBecomeSpaces) {
    EXPECT_EQ(format_event("a\nb\rc", "x"), "event: a b c\ndata: x\n\n");
}

TEST(EventFormatTest, AppendsToAnExistingBuffer) {
    std::string out = "retry: 10\n\n";
    append_event(out, "signal", "x", 3);
    EXPECT_EQ(out, "retry: 10\n\nid: 3\nevent: signal\ndata: x\n\n");
}

TEST(EventFormatTest, FormatsCommentsOnOneLine) {
    EXPECT_EQ(format_comment("ping"), ": ping\n\n");
    EXPECT_EQ(format_comment("a\nb"), ": a b\n\n");
}

TEST(EventFormatTest, FormatsRetryInMilliseconds) {
    EXPECT_EQ(format_retry(std::chrono::milliseconds(3000)), "retry: 3000\n\n");
}

TEST(EventFormatTest, FormatsLargeIds) {
    EXPECT_EQ(format_event("e", "d", 18446744073709551615ULL),
              "id: 18446744073709551615\nevent: e\ndata: d\n\n");
}

}  // namespace
}  // namespace gs::sse
