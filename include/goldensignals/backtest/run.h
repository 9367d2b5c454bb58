#pragma once

// One symbol's backtest from its bars: the range a request selects and the walk over it. The
// single-symbol route and the universe jobs both run this, so they give the same figures.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>

#include "goldensignals/agents/agent.h"
#include "goldensignals/backtest/figures.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/bars_view.h"

namespace gs::backtest {

// The bars [begin, end) of a series with times in [from, to]. The walk takes every bar before
// `end` (the range and its warm-up).
struct Range {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// More than kMaxBars bars would be walked.
class TooManyBars : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Throws TooManyBars when the walk would exceed kMaxBars.
Range select_range(std::span<const std::int64_t> time, std::optional<std::int64_t> from,
                   std::optional<std::int64_t> to);

// The walk-forward over bars [0, range.end) and the figures over the range. CPU-bound (~6 us a
// bar): run it off the I/O threads.
Report run(std::span<const agents::AgentDef* const> defs, const consensus::Config& config,
           const market::BarsView& bars, Range range, const Options& options);

}  // namespace gs::backtest
