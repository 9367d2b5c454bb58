// A signal is a function of the shape of the bars, not of the price unit: the same bars with
// every price times 1e-6 (a coin quoted at 0.00003) or 1e6 give the same action, strength,
// score and confidence, and every agent the same action and score.

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "support/reference_data.h"

namespace gs::orchestrator {
namespace {

using gs::testing::ReferenceTable;

// Scores are ratios of values that each carry a rounding of 1 ulp of their own scale; the
// scaled bars differ from the originals by that rounding, so a score may move by a few ulp.
constexpr double kScoreTolerance = 1e-9;

// finance.csv's prices have 2 decimals, so +DM and -DM (high - previous high, previous low -
// low) are sometimes equal in decimal. TA_PLUS_DI / TA_MINUS_DI compare them exactly, so the
// tie goes to whichever side the binary rounding of that scale favours (an integer at x1e6, an
// ulp either way at x1 and x1e-6): measured on the newest 60 bars, +DI moves by up to 0.4,
// adx_dmi's score by up to 0.008 and its confidence by up to 0.015. That is TA-Lib's
// definition on inexact data, not an absolute threshold, and our DMI equals TA-Lib's at every
// scale (scaled_reference_test); so adx_dmi's numbers get this tolerance there, the consensus
// keeps kConsensusTieTolerance (it moved by < 1e-3) and every action must still match.
constexpr double kDecimalTieTolerance = 0.05;
constexpr double kConsensusTieTolerance = 1e-3;
constexpr std::string_view kDecimalTieAgent = "adx_dmi";

std::vector<market::Bar> load_bars(const std::string& file) {
    const auto table = ReferenceTable::load(file);
    const auto& time = table.text_column("time");
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < table.rows(); ++i) {
        const auto t = market::parse_iso8601(time[i]);
        if (!t) {
            throw std::runtime_error(file + ": bad time " + time[i]);
        }
        bars.push_back({*t, table.column("open")[i], table.column("high")[i],
                        table.column("low")[i], table.column("close")[i],
                        table.column("volume")[i]});
    }
    return bars;
}

struct ScaleCase {
    const char* base;     // tests/reference/data/<base>.csv and <base>_scaled_<factor>.csv
    std::size_t windows;  // signals compared: one per bar over the newest `windows` bars
    bool decimal_ties;    // prices with few decimals: see kDecimalTieTolerance
};

class ScaleInvarianceTest : public ::testing::TestWithParam<ScaleCase> {
  protected:
    static std::shared_ptr<const Signal> signal_at(const Orchestrator& orchestrator,
                                                   const std::vector<market::Bar>& bars,
                                                   std::size_t end) {
        const auto series =
            market::BarSeries(bars.size()).merged(std::span<const market::Bar>(bars).first(end));
        return orchestrator.compute_inline("SCALE", market::kDefaultTimeframe, series);
    }
};

TEST_P(ScaleInvarianceTest, SignalDoesNotDependOnThePriceUnit) {
    const auto& param = GetParam();
    const auto bars = load_bars(std::string(param.base) + ".csv");
    boost::asio::thread_pool pool{1};
    const Orchestrator orchestrator(pool.get_executor(), 1, agents::all_agents(),
                                    consensus::Config{}, Options{});
    std::size_t agent_votes = 0;
    for (const char* factor : {"1e-6", "1e6"}) {
        const auto scaled = load_bars(std::string(param.base) + "_scaled_" + factor + ".csv");
        ASSERT_EQ(scaled.size(), bars.size());
        for (std::size_t end = bars.size() - param.windows + 1; end <= bars.size(); ++end) {
            SCOPED_TRACE(std::string("x") + factor + ", bars 0.." + std::to_string(end - 1));
            const auto base = signal_at(orchestrator, bars, end);
            const auto other = signal_at(orchestrator, scaled, end);
            const auto& a = base->consensus;
            const auto& b = other->consensus;
            EXPECT_EQ(a.action, b.action);
            EXPECT_EQ(a.strength, b.strength);
            const double consensus_tolerance =
                param.decimal_ties ? kConsensusTieTolerance : kScoreTolerance;
            EXPECT_NEAR(a.score, b.score, consensus_tolerance);
            EXPECT_NEAR(a.confidence, b.confidence, consensus_tolerance);
            ASSERT_EQ(base->agents.size(), other->agents.size());
            for (std::size_t i = 0; i < base->agents.size(); ++i) {
                const auto& x = base->agents[i];
                const auto& y = other->agents[i];
                const double tolerance =
                    param.decimal_ties && base->defs[i]->name == kDecimalTieAgent
                        ? kDecimalTieTolerance
                        : kScoreTolerance;
                EXPECT_EQ(x.action, y.action)
                    << base->defs[i]->name << ": " << x.reason << " | " << y.reason;
                EXPECT_NEAR(x.score, y.score, tolerance)
                    << base->defs[i]->name << ": " << x.reason << " | " << y.reason;
                EXPECT_NEAR(x.confidence, y.confidence, tolerance)
                    << base->defs[i]->name << ": " << x.reason << " | " << y.reason;
                agent_votes +=
                    x.action == agents::Action::kBuy || x.action == agents::Action::kSell ? 1 : 0;
            }
        }
    }
    // The bars must make the agents vote, or the comparison proves little.
    EXPECT_GT(agent_votes, param.windows * 10);
}

INSTANTIATE_TEST_SUITE_P(ReferenceBars, ScaleInvarianceTest,
                         ::testing::Values(ScaleCase{"finance", 60, true},
                                           ScaleCase{"random_walk", 200, false}),
                         [](const auto& info) { return std::string(info.param.base); });

}  // namespace
}  // namespace gs::orchestrator
