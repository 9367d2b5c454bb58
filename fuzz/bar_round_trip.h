#pragma once

// Shared by bar_json_fuzz and bar_csv_fuzz: whatever either parser accepts must be storable
// and must read back unchanged from both formats.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "goldensignals/market/bar.h"
#include "goldensignals/market/bar_parsing.h"

namespace gs::fuzz {

using market::Bar;

// Small, so the kTooMany path is reached too.
inline constexpr std::size_t kMaxRows = 64;

inline bool same(const std::vector<Bar>& a, const std::vector<Bar>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].time != b[i].time || a[i].open != b[i].open || a[i].high != b[i].high ||
            a[i].low != b[i].low || a[i].close != b[i].close || a[i].volume != b[i].volume) {
            return false;
        }
    }
    return true;
}

inline std::string to_json(const std::vector<Bar>& bars) {
    nlohmann::json array = nlohmann::json::array();
    for (const Bar& bar : bars) {
        array.push_back({{"time", bar.time},
                         {"open", bar.open},
                         {"high", bar.high},
                         {"low", bar.low},
                         {"close", bar.close},
                         {"volume", bar.volume}});
    }
    return array.dump();
}

inline std::string to_csv(const std::vector<Bar>& bars) {
    std::string out = "time,open,high,low,close,volume\n";
    for (const Bar& bar : bars) {
        // {} is the shortest text that reads back as the same double.
        out += fmt::format("{},{},{},{},{},{}\n", bar.time, bar.open, bar.high, bar.low, bar.close,
                           bar.volume);
    }
    return out;
}

}  // namespace gs::fuzz

namespace gs::fuzz {

// Runs `parse` (one of the two parsers) on `body` and checks the outcome.
template <typename Parse>
void check_bar_parser(std::string_view body, Parse parse) {
    std::vector<Bar> bars;
    try {
        bars = parse(body, kMaxRows);
    } catch (const market::BarParseError& e) {
        GS_FUZZ_CHECK(std::string_view(e.what()).size() > 0);
        if (e.kind() == market::BarParseError::Kind::kTooMany) {
            GS_FUZZ_CHECK(e.row() > kMaxRows);
        } else {
            GS_FUZZ_CHECK(e.row() <= kMaxRows);
        }
        return;
    }
    GS_FUZZ_CHECK(!bars.empty() && bars.size() <= kMaxRows);
    for (const Bar& bar : bars) {
        GS_FUZZ_CHECK(!market::validate_bar(bar).has_value());
    }
    GS_FUZZ_CHECK(same(market::parse_bars_json(to_json(bars), kMaxRows), bars));
    GS_FUZZ_CHECK(same(market::parse_bars_csv(to_csv(bars), kMaxRows), bars));
}

}  // namespace gs::fuzz
