#pragma once

// A backtest over many symbols (POST /v1/backtests): each symbol's figures reduced to what the
// universe view needs, the ranking and the aggregate. Pure: docs/backtest.md defines every
// figure; tests check them against hand-worked values.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "goldensignals/backtest/figures.h"

namespace gs::backtest {

// One symbol of a universe backtest: its summary, or why it has none.
struct SymbolResult {
    std::string symbol;
    std::size_t bars = 0;     // bars scored
    std::size_t skipped = 0;  // bars before any agent could vote
    Summary summary;
    std::size_t calls = 0;             // BUY and SELL verdicts with a known forward return
    std::size_t hits = 0;              // of those, the ones the forward return proved right
    std::optional<std::string> error;  // set: the symbol was not tested (e.g. too few bars)
};

// From a symbol's report: its summary and the consensus' calls and hits, counted from the
// scored bars (report.rows).
SymbolResult summarize(std::string symbol, const Report& report);

// Over the symbols tested (those without an error). NaN when no symbol was tested.
struct Aggregate {
    std::size_t tested = 0;
    std::size_t failed = 0;    // symbols with an error
    std::size_t positive = 0;  // tested symbols whose total_return > 0
    std::size_t beat_buy_and_hold = 0;
    double mean_total_return = 0.0;
    double median_total_return = 0.0;
    double mean_buy_and_hold_return = 0.0;
    double mean_sharpe = 0.0;  // over the symbols whose Sharpe is defined
    double mean_max_drawdown = 0.0;
    double hit_rate = 0.0;  // pooled: all hits / all calls (NaN without calls)
    std::size_t calls = 0;
    std::size_t trades = 0;
};

Aggregate aggregate(std::span<const SymbolResult> results);

// Indices of the tested symbols, best first: total_return descending, then Sharpe descending
// (undefined last), then symbol ascending. Symbols with an error are not ranked.
std::vector<std::size_t> ranking(std::span<const SymbolResult> results);

}  // namespace gs::backtest
