#pragma once

// The contract every analysis agent fulfils. An agent is a pure function of the bars: no
// I/O, no logging, no shared state. Each one lives in its own .cpp under
// src/agents/<category>/ with a header comment giving its indicator and the exact rule
// mapping it to an action and a confidence (also in docs/agents.md); its numbers live in one
// Params struct there.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bars_view.h"

namespace gs::agents {

enum class Action : std::uint8_t { kBuy, kSell, kHold, kAbstain };

enum class Category : std::uint8_t {
    kTrend,
    kMomentum,
    kVolatility,
    kVolume,
    kPattern,
    kStatistical
};
inline constexpr std::size_t kCategoryCount = 6;

std::string_view to_string(Action action) noexcept;
std::string_view to_string(Category category) noexcept;

// The values behind a decision, under the API's key names (`sma_50`, `rsi`, ...).
// NaN serialises as null.
struct IndicatorValue {
    std::string_view key;
    double value;
};

inline constexpr std::size_t kMaxIndicators = 8;

// One agent's verdict on the latest bar.
//  - BUY:  score = +confidence, SELL: score = -confidence (confidence in (0, 1]).
//  - HOLD: score is the lean in (-1, 1) short of a signal; confidence says how clearly the
//          market is neutral for this agent.
//  - ABSTAIN: not enough data (or degenerate data); left out of the vote; reason says why.
struct AgentResult {
    Action action = Action::kAbstain;
    double confidence = 0.0;
    double score = 0.0;
    std::string reason;
    std::array<IndicatorValue, kMaxIndicators> indicators{};
    std::uint8_t indicator_count = 0;

    void add(std::string_view key, double value) noexcept {
        if (indicator_count < kMaxIndicators) {
            indicators[indicator_count++] = {key, value};
        }
    }
    std::span<const IndicatorValue> values() const noexcept {
        return {indicators.data(), indicator_count};
    }
    // The value under `key`, NaN when absent.
    double value(std::string_view key) const noexcept;
};

// Builders that keep the score/confidence invariants in one place. `confidence` must be in
// [0, 1] (asserted in debug builds; tests run every agent over real and random series to
// check it); `lean` is clamped to (-1, 1).
AgentResult buy(double confidence, std::string reason);
AgentResult sell(double confidence, std::string reason);
AgentResult hold(double confidence, double lean, std::string reason);
AgentResult abstain(std::string reason);

// Scratch memory for one agent evaluation, reused across evaluations on the same thread so
// the hot path does not allocate. take() hands out zero-filled-or-not (unspecified) buffers
// valid until reset().
class Workspace final {
  public:
    std::span<double> take(std::size_t n);
    void reset() noexcept { used_ = 0; }

  private:
    std::vector<std::vector<double>> buffers_;
    std::size_t used_ = 0;
};

// An agent's indicator keys as full series aligned with the bars (NaN during warm-up),
// for GET /v1/indicators and the dashboard's chart.
//
// One idiom for every agent: add() for one output, add_all() for several, taking the spans
// they return. Both are valid until the set is destroyed (a deque never moves its elements on
// emplace_back), so no agent indexes `series` or does arithmetic on element addresses.
struct SeriesSet {
    std::deque<std::pair<std::string_view, std::vector<double>>> series;

    std::span<double> add(std::string_view key, std::size_t n) {
        series.emplace_back(key, std::vector<double>(n));
        return series.back().second;
    }

    // All of `keys`, in order, each n long.
    template <std::size_t N>
    std::array<std::span<double>, N> add_all(const std::array<std::string_view, N>& keys,
                                             std::size_t n) {
        std::array<std::span<double>, N> out;
        for (std::size_t i = 0; i < N; ++i) {
            out[i] = add(keys[i], n);
        }
        return out;
    }
};

// The streaming form of an agent (issue 12): a small state per series that takes each new bar
// in O(1) and from which the agent evaluates the latest bar without reading the history. The
// state is a value type seen only through these functions (src/agents/streaming.h makes them
// from a class), so a series keeps every agent's state in one block (AgentStates).
struct StreamOps {
    std::size_t size;
    std::size_t align;
    void (*construct)(void* at);
    void (*copy_construct)(void* at, const void* from);
    void (*destroy)(void* at) noexcept;
    // The next bar, strictly newer than every bar the state has taken.
    void (*update)(void* state, const market::Bar& bar);
    // The verdict on the newest bar taken; called once at least min_bars bars were taken.
    AgentResult (*evaluate)(const void* state);
};

struct AgentDef {
    std::string_view name;
    Category category;
    // Parameters as a JSON object, e.g. {"fast":50,"slow":200}: the view of the agent's
    // params_json(), rendered at compile time from its Params (src/agents/params.h).
    std::string_view parameters;
    // Fewer bars than this: the orchestrator answers ABSTAIN without calling evaluate().
    // Derived from the indicators' lookbacks (src/agents/lookback.h) plus the bars the rule
    // itself looks back over.
    std::size_t min_bars;
    // Called with at least min_bars bars.
    AgentResult (*evaluate)(const market::BarsView& bars, Workspace& workspace);
    // Fills the full series of the agent's indicator keys; called with any number of bars.
    void (*series)(const market::BarsView& bars, SeriesSet& out);
    // The streaming form; evaluating it after bars b0..bn were taken one by one gives exactly
    // evaluate() over b0..bn (tests/agents/streaming_parity_test.cpp). nullptr: not streamed
    // yet, the engine calls evaluate() over the bars held.
    const StreamOps* stream = nullptr;
};

}  // namespace gs::agents
