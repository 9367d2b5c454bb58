#include "goldensignals/backtest/run.h"

#include <algorithm>

#include <fmt/format.h>

#include "goldensignals/backtest/walk_forward.h"
#include "goldensignals/market/time_format.h"

namespace gs::backtest {

Range select_range(std::span<const std::int64_t> time, std::optional<std::int64_t> from,
                   std::optional<std::int64_t> to) {
    Range range;
    range.begin = static_cast<std::size_t>(
        std::lower_bound(time.begin(), time.end(), from.value_or(market::kMinBarTime)) -
        time.begin());
    range.end = static_cast<std::size_t>(
        std::upper_bound(time.begin(), time.end(), to.value_or(market::kMaxBarTime)) -
        time.begin());
    if (range.end > kMaxBars) {
        throw TooManyBars(
            fmt::format("a backtest walks at most {} bars (the range and every bar "
                        "before it); {} here: set an earlier to",
                        kMaxBars, range.end));
    }
    range.begin = std::min(range.begin, range.end);
    return range;
}

Report run(std::span<const agents::AgentDef* const> defs, const consensus::Config& config,
           const market::BarsView& bars, Range range, const Options& options) {
    const std::size_t end = std::min(range.end, bars.size());
    const auto walked =
        market::BarsView{bars.time.first(end), bars.open.first(end),  bars.high.first(end),
                         bars.low.first(end),  bars.close.first(end), bars.volume.first(end)};
    const Input input{walked.time, walked.close, nullptr, std::min(range.begin, end), end};
    if (options.weighting == Weighting::kStatic) {
        const auto trace = walk_forward(defs, config, walked);
        return evaluate({input.time, input.close, &trace, input.begin, input.end}, options);
    }
    // One walk gives both consensuses: the adaptive figures, and the static summary beside them.
    const AdaptiveOptions adaptive{.horizon = options.horizon, .window = kAdaptiveWindow};
    const auto trace = walk_forward(defs, config, walked, &adaptive);
    Report report = evaluate({input.time, input.close, &trace, input.begin, input.end}, options);
    Options plain = options;
    plain.weighting = Weighting::kStatic;
    report.static_summary =
        summarize({input.time, input.close, &trace, input.begin, input.end}, plain);
    return report;
}

}  // namespace gs::backtest
