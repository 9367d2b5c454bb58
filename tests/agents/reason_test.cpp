// agents::Reason: the text formatted when read is exactly fmt::format's, a static text is
// verbatim, a run-time text is kept, and a copy formats the same (arguments held by value).
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
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

// Reasons skip fmt's run-time parse for the specs agents use ({}, {:.Nf}, {:.Ng}, '+'), with
// std::to_chars writing the numbers: every one must give fmt::format's exact text.
TEST(ReasonTest, FastFormatMatchesFmt) {
    std::mt19937_64 rng(20261202);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-14, 14);
    std::vector<double> values = {0.0,    -0.0,   0.5,     1.5,   2.5,    0.125,  -0.125,
                                  0.375,  1e-300, 5e-324,  1e300, -1e300, 1e16,   123456.5,
                                  99.995, 0.0005, -0.0005, 1e-5,  100000, 1234567};
    for (int i = 0; i < 40000; ++i) {
        values.push_back(unit(rng) * std::pow(10.0, exponent(rng)));
    }
    for (int i = -800; i <= 800; ++i) {
        values.push_back(i / 8.0);    // exact ties at every precision
        values.push_back(i * 0.005);  // near-ties in decimal
        values.push_back(i / 1000.0 + 0.0005);
    }
    std::size_t checked = 0;
    for (const double v : values) {
        EXPECT_EQ(Reason("{}", v).str(), fmt::format("{}", v));
        EXPECT_EQ(Reason("{:.0f}|{:.1f}|{:.2f}|{:.3f}|{:.4f}", v, v, v, v, v).str(),
                  fmt::format("{:.0f}|{:.1f}|{:.2f}|{:.3f}|{:.4f}", v, v, v, v, v));
        EXPECT_EQ(Reason("{:+.0f} {:+.1f} {:+.2f} {:+.3f} {:+.4f}", v, v, v, v, v).str(),
                  fmt::format("{:+.0f} {:+.1f} {:+.2f} {:+.3f} {:+.4f}", v, v, v, v, v));
        EXPECT_EQ(Reason("{:.3g}/{:.4g}/{:.6g}/{:+.4g}", v, v, v, v).str(),
                  fmt::format("{:.3g}/{:.4g}/{:.6g}/{:+.4g}", v, v, v, v));
        checked += 15;
        if (::testing::Test::HasFailure()) {
            ADD_FAILURE() << "first difference at " << fmt::format("{:.17g}", v);
            break;
        }
    }
    EXPECT_GT(checked, 500000u);
}

TEST(ReasonTest, IntegersTextAndBracesMatchFmt) {
    const std::int64_t big = std::numeric_limits<std::int64_t>::min();
    const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();
    EXPECT_EQ(Reason("{} {} {} {:+} {:+} {}", 0, -7, big, 5, -5, huge).str(),
              fmt::format("{} {} {} {:+} {:+} {}", 0, -7, big, 5, -5, huge));
    const std::size_t n = 42;
    const unsigned short small = 7;
    EXPECT_EQ(Reason("{{n}} = {}, {{{}}} }}{{", n, small).str(),
              fmt::format("{{n}} = {}, {{{}}} }}{{", n, small));
    EXPECT_EQ(Reason("{}{}", "left", std::string_view("right")).str(), "leftright");
}

TEST(ReasonTest, WhatTheFastPathLeavesToFmtStillMatches) {
    // Not finite, float, bool, char, width, other presentations: fmt writes these.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(Reason("{:.2f} {:+.2f} {:.6g} {}", nan, -inf, inf, -nan).str(),
              fmt::format("{:.2f} {:+.2f} {:.6g} {}", nan, -inf, inf, -nan));
    EXPECT_EQ(Reason("{} {:.2f} {} {}", 1.5f, 2.25f, true, 'x').str(),
              fmt::format("{} {:.2f} {} {}", 1.5f, 2.25f, true, 'x'));
    EXPECT_EQ(Reason("{:8.2f}|{:e}|{:.2}|{:x}|{:>5}", 3.14159, 3.14159, 3.14159, 255, "ab").str(),
              fmt::format("{:8.2f}|{:e}|{:.2}|{:x}|{:>5}", 3.14159, 3.14159, 3.14159, 255, "ab"));
    std::string out = "kept: ";
    Reason("{:e} then {:.2f}", 1.0, 2.0).append_to(out);  // a fallback after fast text
    EXPECT_EQ(out, "kept: " + fmt::format("{:e} then {:.2f}", 1.0, 2.0));
}

}  // namespace
}  // namespace gs::agents
