#pragma once

// The body of GET /v1/backtest/{symbol} (docs/backtest.md, docs/http.md).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "goldensignals/agents/agent.h"
#include "goldensignals/backtest/figures.h"
#include "goldensignals/market/timeframe.h"

namespace gs::backtest {

// Points of the equity curve served at most.
inline constexpr std::size_t kMaxEquityPoints = 1000;

struct ReportMeta {
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::optional<std::int64_t> from;  // the range's first and last bar; none when empty
    std::optional<std::int64_t> to;
    Options options;
    bool with_bars = false;                         // detail=bars
    std::span<const agents::AgentDef* const> defs;  // defs[i] made report.agents[i]
};

std::string to_json(const Report& report, const ReportMeta& meta);

}  // namespace gs::backtest
