#pragma once

// Helpers shared by the volatility and volume kernels' tests: load a reference bar file and
// compare a series with a TA-Lib column (or a series composed from TA-Lib columns) row by row.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "support/reference_data.h"

namespace gs::indicators::flow_test {

// The two reference data sets: bars in "<name>.csv", TA-Lib outputs in "<name>_talib.csv".
inline const std::vector<std::string> kDataSets = {"finance", "random_walk"};

struct RefBars {
    std::vector<double> open, high, low, close, volume;
    gs::testing::ReferenceTable talib;

    std::size_t size() const { return close.size(); }
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

// Same warm-up as the reference (`expected_lookback` leading empty rows in both) and every
// defined row within `rel_tol` of it, relative to max(|reference|, `floor`) so values crossing
// zero are compared on the series' own scale.
inline void expect_matches(std::span<const double> ours, std::span<const double> ref,
                           std::size_t expected_lookback, double rel_tol = 1e-6,
                           double floor = 1e-3) {
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
        const double tol = rel_tol * std::max(std::abs(ref[i]), floor);
        if (!(std::abs(ours[i] - ref[i]) <= tol) && ++failures <= 5) {
            ADD_FAILURE() << "row " << i << ": ours " << ours[i] << ", reference " << ref[i];
        }
    }
    EXPECT_EQ(failures, 0u);
    EXPECT_EQ(compared, ref.size() - expected_lookback);
}

}  // namespace gs::indicators::flow_test
