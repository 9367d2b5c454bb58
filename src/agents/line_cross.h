#pragma once

// The line-cross rule parts: how fresh a cross is (shared by every agent that counts bars
// since a sign change), and the two-average cross rule of sma_cross and ema_cross:
//
//   gap      = the agent's relative distance of the fast line from the slow one
//   fresh    = freshness(bars since the sign of fast - slow changed, window)
//   strength = min(|gap| / full_gap, 1)
//   fast > slow: BUY, fast < slow: SELL, confidence = 0.3 + 0.4 strength + 0.3 fresh
//   equal: HOLD (confidence 1, lean 0)
//
// Pure functions of the latest values and a bar count, so an incremental agent can keep the
// count as state.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "goldensignals/agents/agent.h"

namespace gs::agents {

// 1 on the bar of the cross, falling linearly to 0 at `window` bars after it (and 0 when no
// cross was found within the window).
constexpr double freshness(std::size_t since, std::size_t window) noexcept {
    return since >= window ? 0.0 : 1.0 - static_cast<double>(since) / static_cast<double>(window);
}

struct CrossRule {
    int fresh_window;  // bars a cross counts as fresh
    double full_gap;   // relative gap of a fully opened cross
};

// `fast_label` / `slow_label` name the lines in the reason ("SMA 50", "SMA 200").
inline AgentResult cross_verdict(const CrossRule& rule, double fast, double slow, double gap,
                                 std::size_t since, std::string_view fast_label,
                                 std::string_view slow_label) {
    const auto window = static_cast<std::size_t>(rule.fresh_window);
    const double confidence =
        0.3 + 0.4 * std::min(std::abs(gap) / rule.full_gap, 1.0) + 0.3 * freshness(since, window);
    const bool fresh_cross = since < window;
    if (fast > slow) {
        return buy(confidence, fresh_cross ? Reason("{} above {} by {:.2f}%, crossed {} bars ago",
                                                    fast_label, slow_label, gap * 100.0, since)
                                           : Reason("{} above {} by {:.2f}%", fast_label,
                                                    slow_label, gap * 100.0));
    }
    if (fast < slow) {
        return sell(confidence, fresh_cross ? Reason("{} below {} by {:.2f}%, crossed {} bars ago",
                                                     fast_label, slow_label, -gap * 100.0, since)
                                            : Reason("{} below {} by {:.2f}%", fast_label,
                                                     slow_label, -gap * 100.0));
    }
    return hold(1.0, 0.0, Reason("{} equals {}", fast_label, slow_label));
}

}  // namespace gs::agents
