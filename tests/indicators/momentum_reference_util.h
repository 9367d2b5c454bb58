#pragma once

// Helpers shared by the momentum kernels' reference tests (CCI, CMO, MOM, PPO, ROC, RSI,
// Stochastic, Ultimate Oscillator, Williams %R): load the bars a TA-Lib reference file was
// computed from, and compare a series with a TA-Lib column row by row.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "support/reference_data.h"

namespace gs::indicators::momentum_test {

using gs::testing::ReferenceTable;

inline constexpr const char* kReferenceFiles[] = {"finance_talib.csv", "random_walk_talib.csv"};

// The bars a reference file was computed from: finance_talib.csv <- finance.csv.
inline ReferenceTable load_input(const std::string& reference_file) {
    const std::string suffix = "_talib.csv";
    return ReferenceTable::load(reference_file.substr(0, reference_file.size() - suffix.size()) +
                                ".csv");
}

inline std::size_t warm_up(std::span<const double> s) {
    return gs::indicators::first_value(s);
}

// Every row: NaN exactly where TA-Lib has no value, else within 1e-6 relative (absolute
// below magnitude 1).
inline void expect_matches(std::span<const double> ours, const std::vector<double>& ref) {
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

}  // namespace gs::indicators::momentum_test
