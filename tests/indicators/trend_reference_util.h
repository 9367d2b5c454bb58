#pragma once

// Helpers shared by the trend kernels' reference tests: load a reference bar file and compare
// a series with a TA-Lib column row by row.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "support/reference_data.h"

namespace gs::indicators::trend_test {

// The two reference data sets: bars in "<name>.csv", TA-Lib outputs in "<name>_talib.csv".
inline const std::vector<std::string> kDataSets = {"finance", "random_walk"};

struct RefBars {
    std::vector<double> open, high, low, close, volume;
    gs::testing::ReferenceTable talib;
};

inline RefBars load_ref(const std::string& name) {
    const auto bars = gs::testing::ReferenceTable::load(name + ".csv");
    RefBars r{bars.column("open"),   bars.column("high"),
              bars.column("low"),    bars.column("close"),
              bars.column("volume"), gs::testing::ReferenceTable::load(name + "_talib.csv")};
    EXPECT_EQ(r.talib.rows(), r.close.size());
    return r;
}

inline std::size_t leading_nans(std::span<const double> s) {
    std::size_t i = 0;
    while (i < s.size() && std::isnan(s[i])) {
        ++i;
    }
    return i;
}

// Same warm-up length as TA-Lib (the reference is empty exactly where we give NaN) and every
// defined row within `rel_tol` of the reference (relative, floored at 1e-3 in magnitude so
// values crossing zero are compared sensibly).
inline void expect_matches_reference(std::span<const double> ours, const std::vector<double>& ref,
                                     std::size_t expected_lookback, double rel_tol = 1e-6) {
    ASSERT_EQ(ours.size(), ref.size());
    EXPECT_EQ(leading_nans(ref), expected_lookback) << "reference warm-up";
    EXPECT_EQ(leading_nans(ours), expected_lookback) << "our warm-up";
    std::size_t compared = 0;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        if (std::isnan(ref[i])) {
            if (!std::isnan(ours[i]) && ++failures <= 5) {
                ADD_FAILURE() << "row " << i << ": reference empty, ours " << ours[i];
            }
            continue;
        }
        ++compared;
        const double tol = rel_tol * std::max(std::abs(ref[i]), 1e-3);
        if (!(std::abs(ours[i] - ref[i]) <= tol) && ++failures <= 5) {
            ADD_FAILURE() << "row " << i << ": ours " << ours[i] << ", TA-Lib " << ref[i];
        }
    }
    EXPECT_EQ(failures, 0u);
    EXPECT_EQ(compared, ref.size() - expected_lookback);
}

}  // namespace gs::indicators::trend_test
