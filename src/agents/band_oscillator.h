#pragma once

// The band-oscillator rule shared by rsi, cmo, cci, williams_r and mfi: a bounded oscillator
// read as mean reversion, with its own numbers.
//
//   value <= oversold:   BUY,  confidence = 0.3 + 0.7 * min((oversold - value) / full, 1)
//   value >= overbought: SELL, confidence = 0.3 + 0.7 * min((value - overbought) / full, 1)
//   otherwise:           HOLD, confidence = 1 - |value - centre| / half (1 at the centre, 0 at
//                        the thresholds), lean = (centre - value) / (2 * half)
// where centre = (oversold + overbought) / 2 and half = (overbought - oversold) / 2. Each
// agent keeps its own reading of the latest value, its degenerate case (0/0 where TA-Lib
// prints 0) and its reason wording. A pure function of one value, so an incremental agent
// can apply it per bar.

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "agents/params.h"
#include "goldensignals/agents/agent.h"

namespace gs::agents {

struct BandRule {
    int oversold;    // BUY at or below
    int overbought;  // SELL at or above
    int full;        // distance past a threshold that gives full confidence
    // false for an oscillator bounded exactly `full` past its thresholds (Williams' %R in
    // [-100, 0]): no min() needed, and its confidence keeps the rounding it always had
    // (0.7 * excess / full, which can differ from 0.7 * (excess / full) in the last bit).
    bool capped = true;

    constexpr double centre() const noexcept { return (oversold + overbought) / 2.0; }
    constexpr double half() const noexcept { return (overbought - oversold) / 2.0; }
};

enum class BandZone { kOversold, kOverbought, kNeutral };

// `reason(zone)` words the verdict; called once, for the zone the value is in.
template <class Words>
AgentResult band_verdict(const BandRule& rule, double value, Words&& reason) {
    auto strength = [&](double excess) {
        return rule.capped ? 0.3 + 0.7 * std::min(excess / rule.full, 1.0)
                           : 0.3 + 0.7 * excess / rule.full;
    };
    if (value <= rule.oversold) {
        return buy(strength(rule.oversold - value), reason(BandZone::kOversold));
    }
    if (value >= rule.overbought) {
        return sell(strength(value - rule.overbought), reason(BandZone::kOverbought));
    }
    // A centre of 0 leans -value, as the agents always have (0 - 0 would turn -0 into +0).
    const double lean =
        (rule.centre() == 0.0 ? -value : rule.centre() - value) / (2.0 * rule.half());
    return hold(1.0 - std::abs(value - rule.centre()) / rule.half(), lean,
                reason(BandZone::kNeutral));
}

// The three reasons of a band agent as format strings of the value, its numbers written in
// at compile time: "RSI {:.1f} at or below 30 (oversold)", "RSI {:.1f} at or above 70
// (overbought)", "RSI {:.1f} between 30 and 70".
struct BandReasons {
    FixedText oversold;
    FixedText overbought;
    FixedText neutral;
};

constexpr BandReasons band_reasons(std::string_view label, const BandRule& rule) {
    return {format_text(label, " {:.1f} at or below ", rule.oversold, " (oversold)"),
            format_text(label, " {:.1f} at or above ", rule.overbought, " (overbought)"),
            format_text(label, " {:.1f} between ", rule.oversold, " and ", rule.overbought)};
}

// `reasons` must have static storage (a constexpr BandReasons): the Reason keeps its texts.
inline Reason band_reason(const BandReasons& reasons, BandZone zone, double value) {
    const FixedText& text = zone == BandZone::kOversold     ? reasons.oversold
                            : zone == BandZone::kOverbought ? reasons.overbought
                                                            : reasons.neutral;
    return Reason(fmt::runtime(text.view()), value);
}

}  // namespace gs::agents
