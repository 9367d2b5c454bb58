// agents::Reason: the text formatted when read is exactly fmt::format's, a static text is
// verbatim, a run-time text is kept, and a copy formats the same (arguments held by value).
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "goldensignals/agents/agent.h"

namespace gs::agents {
namespace {

TEST(ReasonTest, FormatsExactlyAsFmtFormat) {
    const double c = 101.23456789;
    const std::size_t since = 3;
    const int period = 20;
    const Reason r("close {:.6g} above SAR {:.6g}, flipped {} bars ago ({}-bar, {:+.2f}%) {}", c,
                   99.5, since, period, -0.125, "rose");
    EXPECT_EQ(r.str(), fmt::format("close {:.6g} above SAR {:.6g}, flipped {} bars ago ({}-bar, "
                                   "{:+.2f}%) {}",
                                   c, 99.5, since, period, -0.125, "rose"));
    std::string out = "x: ";
    r.append_to(out);
    EXPECT_EQ(out, "x: " + r.str());
}

TEST(ReasonTest, StaticTextIsVerbatim) {
    // No format processing: braces and percent signs stay as written.
    const Reason r("100% of {range}");
    EXPECT_EQ(r.str(), "100% of {range}");
    EXPECT_FALSE(r.empty());
    EXPECT_TRUE(Reason().empty());
}

TEST(ReasonTest, RunTimeTextIsOwned) {
    std::string text = "agent failed: kaboom";
    const Reason r(text);
    text.assign("overwritten");
    EXPECT_EQ(r.str(), "agent failed: kaboom");
}

TEST(ReasonTest, CopyFormatsTheSameAndComparesByText) {
    const std::string_view label = "SMA 50";
    Reason a("{} above {} by {:.2f}%", label, "SMA 200", 1.5);
    const Reason b = a;
    a = Reason("something else {}", 1);
    EXPECT_EQ(b.str(), "SMA 50 above SMA 200 by 1.50%");
    EXPECT_EQ(b, Reason("SMA 50 above SMA 200 by 1.50%"));
    EXPECT_FALSE(a == b);
    EXPECT_EQ(b, "SMA 50 above SMA 200 by 1.50%");
}

}  // namespace
}  // namespace gs::agents
