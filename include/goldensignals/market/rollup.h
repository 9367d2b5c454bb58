#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"

namespace gs::market {

// A bar of a longer timeframe that roll-up derived. `final` once its period has closed: it
// then belongs in that timeframe's series; before that it is the forming bar (provisional).
struct DerivedBar {
    Timeframe timeframe = Timeframe::k1d;
    Bar bar;
    bool final = false;
};

// The base bars with times in [from, to), after the batch being rolled up was applied;
// nullopt when the caller cannot tell (the range begins before the bars it holds and no
// durable store has the rest).
using BaseBarsInRange =
    std::function<std::optional<std::vector<Bar>>(std::int64_t from, std::int64_t to)>;

// Rolls one series of base bars (a symbol at one timeframe) up into every longer timeframe.
// Pure: no clock, no I/O; the caller passes the time and the base bars it holds.
//
// - A base bar newer than every one before it is folded into its period's bar: O(1) per
//   longer timeframe.
// - A bar at or before the newest (a correction, a late bar, a duplicate) re-derives each
//   period it touches from the base bars (`BaseBarsInRange`); a period that cannot be
//   re-derived keeps its bar and is counted in unresolved().
// - A period closes when the base bars reach its end (a base bar ending at or after it) or
//   when `now` passes its end by the grace (a feed that stops, e.g. at the session's close).
//   A base bar that arrives for a closed period re-derives it, and the result is final again.
class Rollup final {
  public:
    // `close_grace_seconds`: how long after a period's end the clock closes it, so that the
    // base bar ending the period, still on its way, does not arrive after the close.
    explicit Rollup(Timeframe base, std::int64_t close_grace_seconds);

    Timeframe base() const noexcept { return base_; }

    // Bars just upserted into the base series (validated; any order; a later duplicate
    // wins). Returns the derived bars that changed, ordered by timeframe, then time: every
    // period that closed or was re-derived (final) and the forming period (not final).
    std::vector<DerivedBar> apply(std::span<const Bar> bars, std::int64_t now,
                                  const BaseBarsInRange& base_bars);

    // Closes the forming periods whose end `now` has passed by the grace.
    std::vector<DerivedBar> close_due(std::int64_t now);

    // Picks up where a series stands (after a restart): re-derives each longer timeframe's
    // newest period from the base bars around `newest_base_time`.
    void resume(std::int64_t newest_base_time, std::int64_t now, const BaseBarsInRange& base_bars);

    // The newest period of `timeframe` and whether it has closed; nullopt before any bar.
    std::optional<DerivedBar> newest(Timeframe timeframe) const;
    // Corrections whose periods could not be re-derived (their base bars were not available).
    std::uint64_t unresolved() const noexcept { return unresolved_; }

  private:
    struct Lane {
        Timeframe timeframe = Timeframe::k1d;
        std::optional<Bar> newest;  // the newest period's bar
        bool final = false;         // whether that period has closed
        // Base bars before this time fall in a period resume() could not re-derive.
        std::int64_t unknown_before = std::numeric_limits<std::int64_t>::min();
    };
    class Changes;

    void apply_late(Lane& lane, std::span<const Bar> late, const BaseBarsInRange& base_bars,
                    Changes& changes);
    void apply_newer(Lane& lane, std::span<const Bar> newer, Changes& changes);
    std::optional<Bar> rederive(Timeframe timeframe, std::int64_t start,
                                const BaseBarsInRange& base_bars);
    std::int64_t closed_before(std::int64_t now) const noexcept;

    Timeframe base_;
    std::int64_t grace_;
    std::vector<Lane> lanes_;
    std::optional<std::int64_t> newest_base_time_;
    std::uint64_t unresolved_ = 0;
};

}  // namespace gs::market
