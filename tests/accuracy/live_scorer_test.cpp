// Live accuracy's pure core against figures worked by hand (docs/backtest.md "Live accuracy"):
// closes 100, 110, 99, 99, 108.9 at bars 1..5; a BUY at 100 scored at 110 is a hit returning
// +0.1, a SELL at 110 scored at 99 a hit returning +0.1 (-forward), a BUY at 99 scored at 99 a
// miss returning 0 (an equal close is a miss), a SELL at 99 scored at 108.9 a miss returning
// -0.1.
#include "goldensignals/accuracy/live_scorer.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "goldensignals/accuracy/live_accuracy.h"

namespace gs::accuracy {
namespace {

using agents::Action;
using market::Timeframe;

constexpr Action B = Action::kBuy;
constexpr Action S = Action::kSell;
constexpr Action H = Action::kHold;
constexpr Action A = Action::kAbstain;

const std::vector<std::int64_t> kTimes{1, 2, 3, 4, 5};
const std::vector<double> kCloses{100.0, 110.0, 99.0, 99.0, 108.9};

// Two agents: "up" and "down".
LiveScorer make(std::size_t horizon, std::size_t window) {
    return LiveScorer({"up", "down"}, {.horizon = horizon, .window = window});
}

Verdicts at(std::int64_t time, Action consensus, Action up = A, Action down = A) {
    Verdicts v;
    v.time = time;
    v.consensus = consensus;
    v.categories.fill(A);
    v.categories[static_cast<std::size_t>(agents::Category::kTrend)] = consensus;
    v.agents = {up, down};
    return v;
}

// Appends bar i (0-based into kTimes) and gives it the signal `v`, as the ingest path does.
void step(LiveScorer& scorer, std::size_t i, const Verdicts& v, std::vector<ScoredCall>& out) {
    scorer.on_appended("AAA", Timeframe::k1d, std::span(kTimes).subspan(i, 1),
                       std::span(kCloses).subspan(i, 1), &out);
    scorer.on_signal("AAA", Timeframe::k1d, v, &out);
}

TEST(RollingWindowTest, KeepsTheLastNCalls) {
    RollingWindow w(3);
    EXPECT_EQ(w.count(), 0u);
    EXPECT_TRUE(std::isnan(w.hit_rate()));
    EXPECT_TRUE(std::isnan(w.avg_forward_return()));
    w.add(true, 0.1);
    w.add(false, -0.2);
    EXPECT_EQ(w.count(), 2u);
    EXPECT_DOUBLE_EQ(w.hit_rate(), 0.5);
    EXPECT_DOUBLE_EQ(w.avg_forward_return(), -0.05);
    w.add(true, 0.3);
    w.add(true, 0.4);  // the 0.1 hit leaves: miss -0.2, hits 0.3 and 0.4 remain
    EXPECT_EQ(w.count(), 3u);
    EXPECT_EQ(w.hits(), 2u);
    EXPECT_DOUBLE_EQ(w.hit_rate(), 2.0 / 3.0);
    EXPECT_NEAR(w.avg_forward_return(), 0.5 / 3.0, 1e-15);
    w.add(false, 0.0);
    w.add(false, 0.0);  // only 0.4 (hit) and two misses at 0
    EXPECT_DOUBLE_EQ(w.hit_rate(), 1.0 / 3.0);
    EXPECT_NEAR(w.avg_forward_return(), 0.4 / 3.0, 1e-15);
}

TEST(LiveScorerTest, ScoresEachSignalWhenTheNextBarArrives) {
    auto scorer = make(1, 10);
    std::vector<ScoredCall> out;
    step(scorer, 0, at(1, B, B, S), out);
    EXPECT_TRUE(out.empty());  // waits for bar 2
    EXPECT_EQ(scorer.pending(), 1u);
    step(scorer, 1, at(2, S, S, B), out);
    step(scorer, 2, at(3, H, B, H), out);
    step(scorer, 3, at(4, S, H, S), out);
    step(scorer, 4, at(5, B, B, B), out);  // pending: bar 6 has not come

    // Consensus: BUY@1 hit +0.1, SELL@2 hit +0.1, HOLD@3 not scored, SELL@4 miss -0.1.
    const auto consensus = scorer.figures(Timeframe::k1d, kConsensusTrack);
    EXPECT_EQ(consensus.count, 3u);
    EXPECT_DOUBLE_EQ(consensus.hit_rate, 2.0 / 3.0);
    EXPECT_NEAR(consensus.avg_forward_return, 0.1 / 3.0, 1e-12);
    // The trend category carried the consensus' actions here: the same figures.
    const auto trend = scorer.figures(Timeframe::k1d, category_track(agents::Category::kTrend));
    EXPECT_EQ(trend.count, 3u);
    EXPECT_DOUBLE_EQ(trend.hit_rate, 2.0 / 3.0);
    // Abstaining categories make no call.
    const auto volume = scorer.figures(Timeframe::k1d, category_track(agents::Category::kVolume));
    EXPECT_EQ(volume.count, 0u);
    EXPECT_TRUE(std::isnan(volume.hit_rate));
    // "up": BUY@1 hit +0.1, SELL@2 hit +0.1, BUY@3 at an equal close: miss 0, HOLD@4.
    const auto up = scorer.figures(Timeframe::k1d, kFirstAgentTrack);
    EXPECT_EQ(up.count, 3u);
    EXPECT_DOUBLE_EQ(up.hit_rate, 2.0 / 3.0);
    EXPECT_NEAR(up.avg_forward_return, 0.2 / 3.0, 1e-12);
    // "down": SELL@1 miss -0.1, BUY@2 miss -0.1, HOLD@3, SELL@4 miss -0.1.
    const auto down = scorer.figures(Timeframe::k1d, kFirstAgentTrack + 1);
    EXPECT_EQ(down.count, 3u);
    EXPECT_DOUBLE_EQ(down.hit_rate, 0.0);
    EXPECT_NEAR(down.avg_forward_return, -0.1, 1e-12);
    // Other timeframes untouched.
    EXPECT_EQ(scorer.figures(Timeframe::k1h, kConsensusTrack).count, 0u);

    // What is kept: one row per call, with both returns.
    std::size_t consensus_rows = 0;
    for (const auto& call : out) {
        if (call.track == "consensus") {
            ++consensus_rows;
            if (call.signal_time == 4) {
                EXPECT_EQ(call.scored_time, 5);
                EXPECT_EQ(call.action, S);
                EXPECT_FALSE(call.hit);
                EXPECT_NEAR(call.forward_return, 0.1, 1e-12);
                EXPECT_NEAR(call.follow_return, -0.1, 1e-12);
            }
        }
    }
    EXPECT_EQ(consensus_rows, 3u);
    EXPECT_EQ(out.size(), 3u + 3u + 3u + 3u);  // consensus, trend, up, down
    EXPECT_EQ(scorer.pending(), 1u);
}

// With nothing to keep the calls (no PostgreSQL), none is made: the windows and the count are
// those of a scorer that hands them out.
TEST(LiveScorerTest, WithoutAnOutputTheWindowsAndTheCountAreTheSame) {
    auto keeping = make(1, 10);
    auto scoring = make(1, 10);
    std::vector<ScoredCall> out;
    const Verdicts verdicts[] = {at(1, B, B, S), at(2, S, S, B), at(3, H, B, H), at(4, S, H, S),
                                 at(5, B, B, B)};
    for (std::size_t i = 0; i < std::size(verdicts); ++i) {
        step(keeping, i, verdicts[i], out);
        scoring.on_appended("AAA", Timeframe::k1d, std::span(kTimes).subspan(i, 1),
                            std::span(kCloses).subspan(i, 1), nullptr);
        scoring.on_signal("AAA", Timeframe::k1d, verdicts[i], nullptr);
    }
    EXPECT_EQ(keeping.scored(), out.size());
    EXPECT_EQ(scoring.scored(), out.size());
    for (std::size_t track = 0; track < keeping.track_count(); ++track) {
        const auto a = keeping.figures(Timeframe::k1d, track);
        const auto b = scoring.figures(Timeframe::k1d, track);
        EXPECT_EQ(a.count, b.count) << keeping.track_name(track);
        EXPECT_TRUE(a.hit_rate == b.hit_rate || (std::isnan(a.hit_rate) && std::isnan(b.hit_rate)))
            << keeping.track_name(track);
    }
    EXPECT_EQ(scoring.agent_track("down"), kFirstAgentTrack + 1);
    EXPECT_EQ(scoring.agent_track("agent:down"), scoring.track_count()) << "a bare name";
    EXPECT_EQ(scoring.agent_track("gone"), scoring.track_count());
}

TEST(LiveScorerTest, WindowKeepsTheLastCallsOnly) {
    auto scorer = make(1, 2);
    std::vector<ScoredCall> out;
    step(scorer, 0, at(1, B), out);
    step(scorer, 1, at(2, S), out);
    step(scorer, 2, at(3, H), out);
    step(scorer, 3, at(4, S), out);
    step(scorer, 4, at(5, H), out);
    // The last two calls: SELL@2 hit +0.1, SELL@4 miss -0.1.
    const auto f = scorer.figures(Timeframe::k1d, kConsensusTrack);
    EXPECT_EQ(f.count, 2u);
    EXPECT_DOUBLE_EQ(f.hit_rate, 0.5);
    EXPECT_NEAR(f.avg_forward_return, 0.0, 1e-12);
}

TEST(LiveScorerTest, HorizonCountsAppendedBars) {
    auto scorer = make(2, 10);
    std::vector<ScoredCall> out;
    step(scorer, 0, at(1, B), out);  // scored at bar 3: 99 / 100 - 1 = -0.01, a miss
    step(scorer, 1, at(2, S), out);  // scored at bar 4: 99 / 110 - 1 = -0.1, a hit returning +0.1
    step(scorer, 2, at(3, H), out);
    EXPECT_EQ(scorer.figures(Timeframe::k1d, kConsensusTrack).count, 1u);
    step(scorer, 3, at(4, B), out);
    const auto f = scorer.figures(Timeframe::k1d, kConsensusTrack);
    EXPECT_EQ(f.count, 2u);
    EXPECT_DOUBLE_EQ(f.hit_rate, 0.5);
    EXPECT_NEAR(f.avg_forward_return, (-0.01 + 0.1) / 2.0, 1e-12);
}

TEST(LiveScorerTest, ABatchOfBarsScoresAtTheRightBarAndALateSignalAtOnce) {
    auto scorer = make(1, 10);
    std::vector<ScoredCall> out;
    scorer.on_appended("AAA", Timeframe::k1d, std::span(kTimes).first(1),
                       std::span(kCloses).first(1), &out);
    scorer.on_signal("AAA", Timeframe::k1d, at(1, S), &out);
    // Bars 2..4 in one batch: the SELL at 100 is judged by bar 2 (110), a miss, not by bar 4.
    scorer.on_appended("AAA", Timeframe::k1d, std::span(kTimes).subspan(1, 3),
                       std::span(kCloses).subspan(1, 3), &out);
    auto f = scorer.figures(Timeframe::k1d, kConsensusTrack);
    EXPECT_EQ(f.count, 1u);
    EXPECT_DOUBLE_EQ(f.hit_rate, 0.0);
    EXPECT_NEAR(f.avg_forward_return, -0.1, 1e-12);
    // A signal for bar 2 that arrives after bar 3 did (concurrent ingests) is scored at once.
    scorer.on_signal("AAA", Timeframe::k1d, at(2, S), &out);
    f = scorer.figures(Timeframe::k1d, kConsensusTrack);
    EXPECT_EQ(f.count, 2u);
    EXPECT_DOUBLE_EQ(f.hit_rate, 0.5);
    // A second signal for a bar already signalled, or an older one, is ignored.
    scorer.on_signal("AAA", Timeframe::k1d, at(2, B), &out);
    scorer.on_signal("AAA", Timeframe::k1d, at(1, B), &out);
    EXPECT_EQ(scorer.figures(Timeframe::k1d, kConsensusTrack).count, 2u);
    // A signal for a bar never appended (a correction's) is ignored.
    scorer.on_signal("AAA", Timeframe::k1d, at(7, B), &out);
    EXPECT_EQ(scorer.pending(), 0u);
}

TEST(LiveScorerTest, ForgetDropsPendingSignalsAndRestoreFillsWindows) {
    auto scorer = make(1, 10);
    std::vector<ScoredCall> out;
    step(scorer, 0, at(1, B), out);
    EXPECT_EQ(scorer.pending(), 1u);
    scorer.forget("AAA", Timeframe::k1d);
    EXPECT_EQ(scorer.pending(), 0u);
    step(scorer, 1, at(2, H), out);
    EXPECT_EQ(scorer.figures(Timeframe::k1d, kConsensusTrack).count, 0u);

    ScoredCall kept;
    kept.timeframe = Timeframe::k1h;
    kept.track = "agent:down";
    kept.hit = true;
    kept.follow_return = 0.25;
    scorer.restore(kept);
    kept.track = "agent:gone";  // an agent since removed: skipped
    scorer.restore(kept);
    const auto f = scorer.figures(Timeframe::k1h, scorer.track_of("agent:down"));
    EXPECT_EQ(f.count, 1u);
    EXPECT_DOUBLE_EQ(f.avg_forward_return, 0.25);
    EXPECT_EQ(scorer.track_of("agent:gone"), scorer.track_count());
}

TEST(LiveScorerTest, RefusesABadHorizonOrWindow) {
    EXPECT_THROW(make(0, 10), std::invalid_argument);
    EXPECT_THROW(make(1, 0), std::invalid_argument);
}

// The shell: only bars newer than the series held are appends; a corrected bar neither counts as
// a step nor rescores.
TEST(LiveAccuracyTest, CorrectionsAndOlderBarsAreNotAppends) {
    LiveAccuracy accuracy({"up"}, {.horizon = 1, .window = 10});
    const std::vector<market::Bar> first{{1, 100, 100, 100, 100, 1}};
    accuracy.on_stored("AAA", Timeframe::k1d, first, std::nullopt);
    accuracy.on_signal("AAA", Timeframe::k1d, at(1, B));
    // Bar 1 corrected to 120: not an append, the BUY keeps its close of 100.
    const std::vector<market::Bar> fix{{1, 120, 120, 120, 120, 1}};
    accuracy.on_stored("AAA", Timeframe::k1d, fix, std::int64_t{1});
    accuracy.on_signal("AAA", Timeframe::k1d, at(1, S));  // the corrected bar's signal: ignored
    EXPECT_EQ(accuracy.figures(Timeframe::k1d, kConsensusTrack).count, 0u);
    // Bars 3 and 2 in one batch, out of order: appended as 2 then 3; bar 2 (110) scores the BUY.
    const std::vector<market::Bar> next{{3, 99, 99, 99, 99, 1}, {2, 110, 110, 110, 110, 1}};
    accuracy.on_stored("AAA", Timeframe::k1d, next, std::int64_t{1});
    const auto f = accuracy.figures(Timeframe::k1d, kConsensusTrack);
    EXPECT_EQ(f.count, 1u);
    EXPECT_DOUBLE_EQ(f.hit_rate, 1.0);
    EXPECT_NEAR(f.avg_forward_return, 0.1, 1e-12);
}

TEST(LiveAccuracyTest, MetricsCarryTheConsensusHitRatePerTimeframe) {
    LiveAccuracy accuracy({"up"}, {.horizon = 1, .window = 10});
    for (std::size_t i = 0; i < kTimes.size(); ++i) {
        const std::vector<market::Bar> bar{
            {kTimes[i], kCloses[i], kCloses[i], kCloses[i], kCloses[i], 1}};
        accuracy.on_stored("AAA", Timeframe::k1d, bar,
                           i == 0 ? std::nullopt : std::optional<std::int64_t>(kTimes[i - 1]));
        const Action actions[] = {B, S, H, S, B};
        accuracy.on_signal("AAA", Timeframe::k1d, at(kTimes[i], actions[i]));
    }
    std::string out;
    accuracy.render_metrics(out);
    EXPECT_NE(out.find("# TYPE gs_live_consensus_hit_rate gauge\n"), std::string::npos);
    EXPECT_NE(out.find("gs_live_consensus_hit_rate{timeframe=\"1d\"} 0.6666666666666666\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("gs_live_consensus_hit_rate{timeframe=\"1h\"} NaN\n"), std::string::npos);
    EXPECT_NE(out.find("gs_live_consensus_calls{timeframe=\"1d\"} 3\n"), std::string::npos);
    // consensus 3 + trend 3 calls.
    EXPECT_NE(out.find("gs_live_calls_scored_total 6\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace gs::accuracy
