#include "goldensignals/market/rollup.h"

#include <algorithm>
#include <limits>

#include "goldensignals/market/periods.h"

namespace gs::market {

// The derived bars one call changed: a period changed twice (re-derived, then folded into)
// is reported once, as it ends up.
class Rollup::Changes {
  public:
    void record(Timeframe timeframe, const Bar& bar, bool final) {
        // Changes come lane by lane and mostly to the newest period, so the match, if any,
        // is almost always the last entry.
        for (auto it = bars_.rbegin(); it != bars_.rend() && it->timeframe == timeframe; ++it) {
            if (it->bar.time == bar.time) {
                it->bar = bar;
                it->final = final;
                return;
            }
        }
        bars_.push_back({timeframe, bar, final});
    }

    std::vector<DerivedBar> take() && {
        std::stable_sort(bars_.begin(), bars_.end(), [](const auto& a, const auto& b) {
            return seconds_of(a.timeframe) != seconds_of(b.timeframe)
                       ? seconds_of(a.timeframe) < seconds_of(b.timeframe)
                       : a.bar.time < b.bar.time;
        });
        return std::move(bars_);
    }

  private:
    std::vector<DerivedBar> bars_;
};

Rollup::Rollup(Timeframe base, std::int64_t close_grace_seconds)
    : base_(base), grace_(std::max<std::int64_t>(0, close_grace_seconds)) {
    for (const Timeframe timeframe : longer_timeframes(base)) {
        lanes_.emplace_back().timeframe = timeframe;
    }
}

std::vector<DerivedBar> Rollup::apply(std::span<const Bar> bars, std::int64_t now,
                                      const BaseBarsInRange& base_bars) {
    // Sorted with unique times, the later of two duplicates winning, as the base series
    // took them.
    std::vector<Bar> batch(bars.begin(), bars.end());
    std::stable_sort(batch.begin(), batch.end(),
                     [](const Bar& a, const Bar& b) { return a.time < b.time; });
    std::size_t kept = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (kept > 0 && batch[kept - 1].time == batch[i].time) {
            batch[kept - 1] = batch[i];
        } else {
            batch[kept++] = batch[i];
        }
    }
    batch.resize(kept);

    auto split = batch.begin();
    if (newest_base_time_) {
        split = std::partition_point(batch.begin(), batch.end(), [&](const Bar& bar) {
            return bar.time <= *newest_base_time_;
        });
    }
    const std::span<const Bar> late(batch.begin(), split);
    const std::span<const Bar> newer(split, batch.end());
    if (!newer.empty()) {
        newest_base_time_ = newer.back().time;
    }

    Changes changes;
    const std::int64_t horizon = closed_before(now);
    for (Lane& lane : lanes_) {
        apply_late(lane, late, base_bars, changes);
        apply_newer(lane, newer, changes);
        if (lane.newest && !lane.final &&
            period_end(lane.timeframe, lane.newest->time) <= horizon) {
            lane.final = true;
            changes.record(lane.timeframe, *lane.newest, true);
        }
    }
    return std::move(changes).take();
}

std::vector<DerivedBar> Rollup::close_due(std::int64_t now) {
    Changes changes;
    const std::int64_t horizon = closed_before(now);
    for (Lane& lane : lanes_) {
        if (lane.newest && !lane.final &&
            period_end(lane.timeframe, lane.newest->time) <= horizon) {
            lane.final = true;
            changes.record(lane.timeframe, *lane.newest, true);
        }
    }
    return std::move(changes).take();
}

void Rollup::resume(std::int64_t newest_base_time, std::int64_t now,
                    const BaseBarsInRange& base_bars) {
    newest_base_time_ = newest_base_time;
    const std::int64_t horizon = closed_before(now);
    for (Lane& lane : lanes_) {
        const std::int64_t start = period_start(lane.timeframe, newest_base_time);
        lane.newest = rederive(lane.timeframe, start, base_bars);
        lane.final = false;
        lane.unknown_before = std::numeric_limits<std::int64_t>::min();
        if (!lane.newest) {
            // Bars folded into a period whose earlier bars are unknown would make a wrong
            // bar: the period is skipped until the next one begins.
            lane.unknown_before = period_end(lane.timeframe, newest_base_time);
            ++unresolved_;
        } else if (period_end(lane.timeframe, start) <= horizon) {
            lane.final = true;
        }
    }
}

std::optional<DerivedBar> Rollup::newest(Timeframe timeframe) const {
    for (const Lane& lane : lanes_) {
        if (lane.timeframe == timeframe && lane.newest) {
            return DerivedBar{timeframe, *lane.newest, lane.final};
        }
    }
    return std::nullopt;
}

void Rollup::apply_late(Lane& lane, std::span<const Bar> late, const BaseBarsInRange& base_bars,
                        Changes& changes) {
    std::optional<std::int64_t> previous;
    for (const Bar& bar : late) {
        const std::int64_t start = period_start(lane.timeframe, bar.time);
        if (previous == start) {
            continue;  // sorted: each touched period once
        }
        previous = start;
        auto derived = rederive(lane.timeframe, start, base_bars);
        if (!derived) {
            ++unresolved_;
            continue;
        }
        if (lane.newest && lane.newest->time == start) {
            lane.newest = *derived;
            changes.record(lane.timeframe, *derived, lane.final);
        } else if (lane.newest && lane.newest->time > start) {
            changes.record(lane.timeframe, *derived, true);  // an older period: closed
        } else {
            // Newer than the lane has seen (only after resume() could not re-derive).
            if (lane.newest && !lane.final) {
                changes.record(lane.timeframe, *lane.newest, true);
            }
            lane.newest = *derived;
            lane.final = false;
            lane.unknown_before = std::numeric_limits<std::int64_t>::min();
            changes.record(lane.timeframe, *derived, false);
        }
    }
}

void Rollup::apply_newer(Lane& lane, std::span<const Bar> newer, Changes& changes) {
    for (const Bar& bar : newer) {
        if (bar.time < lane.unknown_before) {
            continue;
        }
        const std::int64_t start = period_start(lane.timeframe, bar.time);
        if (lane.newest && lane.newest->time == start) {
            // Newer than every base bar folded so far, so folding is exact, also into a
            // period the clock already closed (its bar is then corrected, still final).
            fold(*lane.newest, bar);
        } else {
            if (lane.newest && !lane.final) {
                changes.record(lane.timeframe, *lane.newest, true);  // a later period began
            }
            lane.newest = open_period(lane.timeframe, bar);
            lane.final = false;
        }
        changes.record(lane.timeframe, *lane.newest, lane.final);
    }
}

std::optional<Bar> Rollup::rederive(Timeframe timeframe, std::int64_t start,
                                    const BaseBarsInRange& base_bars) {
    const auto bars = base_bars(start, start + seconds_of(timeframe));
    if (!bars || bars->empty()) {
        return std::nullopt;
    }
    return aggregate(*bars, timeframe).front();
}

std::int64_t Rollup::closed_before(std::int64_t now) const noexcept {
    // A base bar is closed when it arrives, so the base bars reach the newest one's end.
    std::int64_t horizon = now - grace_;
    if (newest_base_time_) {
        horizon = std::max(horizon, *newest_base_time_ + seconds_of(base_));
    }
    return horizon;
}

}  // namespace gs::market
