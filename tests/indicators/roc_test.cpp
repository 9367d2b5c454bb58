#include "goldensignals/indicators/roc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "support/reference_data.h"

namespace {

using gs::testing::ReferenceTable;

constexpr const char* kReferenceFiles[] = {"finance_talib.csv", "random_walk_talib.csv"};

// The bars a reference file was computed from: finance_talib.csv <- finance.csv.
ReferenceTable load_input(const std::string& reference_file) {
    const std::string suffix = "_talib.csv";
    return ReferenceTable::load(reference_file.substr(0, reference_file.size() - suffix.size()) +
                                ".csv");
}

std::size_t warm_up(std::span<const double> s) {
    return gs::indicators::first_value(s);
}

// Every row: NaN exactly where TA-Lib has no value, else within 1e-6 relative (absolute
// below magnitude 1).
void expect_matches(std::span<const double> ours, const std::vector<double>& ref) {
    ASSERT_EQ(ours.size(), ref.size());
    EXPECT_EQ(warm_up(ours), warm_up(ref));
    std::size_t compared = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        if (std::isnan(ref[i])) {
            EXPECT_TRUE(std::isnan(ours[i])) << "row " << i << ": " << ours[i];
            continue;
        }
        ASSERT_FALSE(std::isnan(ours[i])) << "row " << i;
        EXPECT_NEAR(ours[i], ref[i], 1e-6 * std::max(1.0, std::abs(ref[i]))) << "row " << i;
        ++compared;
    }
    EXPECT_GT(compared, ref.size() / 2);
}

}  // namespace

TEST(RocTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::roc(close, 12, out);
        EXPECT_EQ(warm_up(ref.column("roc_12")), 12u);
        expect_matches(out, ref.column("roc_12"));
    }
}

TEST(RocTest, IsThePercentChangeOverThePeriod) {
    // Period 2: 12 / 10 - 1 = +20 %, 9 / 11 - 1 = -18.18 %.
    const std::vector<double> close = {10.0, 11.0, 12.0, 9.0};
    std::vector<double> out(4);
    gs::indicators::roc(close, 2, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 20.0, 1e-12);
    EXPECT_NEAR(out[3], -200.0 / 11.0, 1e-12);
}

TEST(RocTest, GivesTaLibsZeroWhenTheOlderValueIsZero) {
    const std::vector<double> in = {0.0, 1.0, 2.0};
    std::vector<double> out(3);
    gs::indicators::roc(in, 1, out);
    EXPECT_EQ(out[1], 0.0);
    EXPECT_DOUBLE_EQ(out[2], 100.0);
}

TEST(RocTest, HandlesEmptyShortAndNanPrefixedInputs) {
    std::vector<double> none;
    gs::indicators::roc(none, 12, none);
    const std::vector<double> few = {1.0, 2.0};
    std::vector<double> out(2, 5.0);
    gs::indicators::roc(few, 12, out);
    EXPECT_EQ(warm_up(out), 2u);
    const std::vector<double> prefixed = {gs::indicators::kNaN, 10.0, 11.0};
    std::vector<double> out3(3);
    gs::indicators::roc(prefixed, 1, out3);
    EXPECT_EQ(warm_up(out3), 2u);
    EXPECT_NEAR(out3[2], 10.0, 1e-12);
}
