#pragma once

// The last N bars as a BarsView, for streaming agents whose batch rule reads only the newest
// few bars (a candle pattern and the trend before it, a 20-bar window recomputed from
// scratch): the Stream keeps this and calls the batch rule on view(), which then reads exactly
// the bars the batch path reads. Plain value (Tail<N> columns), O(1) per push. The time
// column is zeros: no rule reads it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "agents/tail.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/market/bar.h"
#include "goldensignals/market/bars_view.h"

namespace gs::agents {

template <std::size_t N>
class BarsTail {
  public:
    void push(const market::Bar& bar) noexcept {
        open_.push(bar.open);
        high_.push(bar.high);
        low_.push(bar.low);
        close_.push(bar.close);
        volume_.push(bar.volume);
    }
    std::size_t size() const noexcept { return close_.size(); }
    // One column of view(): the newest min(size(), N) values, oldest first.
    std::span<const double> open() const noexcept { return open_.values(); }
    std::span<const double> high() const noexcept { return high_.values(); }
    std::span<const double> low() const noexcept { return low_.values(); }
    std::span<const double> close() const noexcept { return close_.values(); }
    // The newest min(size(), N) bars, oldest first.
    market::BarsView view() const noexcept {
        return {std::span<const std::int64_t>(kNoTimes).first(close_.size()),
                open_.values(),
                high_.values(),
                low_.values(),
                close_.values(),
                volume_.values()};
    }

  private:
    static constexpr std::array<std::int64_t, N> kNoTimes{};
    Tail<N> open_;
    Tail<N> high_;
    Tail<N> low_;
    Tail<N> close_;
    Tail<N> volume_;
};

// The whole streaming form of an agent whose rule reads only the newest N bars (the candle
// agents, the window-only volume agents): it keeps those bars and applies the batch rule to
// them, so the streamed verdict is the batch verdict over the same bars by construction.
//   extern const AgentDef kX = {..., &stream_ops<TailStream<kTail, verdict>>};
template <std::size_t N, AgentResult (*Verdict)(const market::BarsView&)>
class TailStream {
  public:
    void update(const market::Bar& bar) noexcept { recent_.push(bar); }
    AgentResult evaluate() const { return Verdict(recent_.view()); }

  private:
    BarsTail<N> recent_;
};

}  // namespace gs::agents
