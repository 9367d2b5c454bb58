// Tests of the volume agents: indicator values against TA-Lib (directly, composed from TA-Lib
// columns, or, where TA-Lib has nothing, the textbook definition), each rule firing BUY / SELL /
// HOLD on hand-made bars, and the edge cases every agent must survive.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "agents/agent_test_util.h"
#include "agents/category_lists.h"
#include "support/reference_data.h"

namespace gs::agents {

extern const AgentDef kObv;
extern const AgentDef kVolumeSpike;
extern const AgentDef kMfi;
extern const AgentDef kChaikinOscillator;
extern const AgentDef kAdLine;
extern const AgentDef kVwap;
extern const AgentDef kForceIndex;
extern const AgentDef kEaseOfMovement;
extern const AgentDef kCmf;
extern const AgentDef kPvo;

namespace {

using namespace flow_agent_test;
using gs::testing::ReferenceTable;

const std::vector<std::string> kDataSets = {"finance", "random_walk"};

// ---------------------------------------------------------------------------------------------
// Properties shared by every volume agent.

class VolumeAgentTest : public ::testing::TestWithParam<const AgentDef*> {};

TEST_P(VolumeAgentTest, ConsistentWithItsSeriesAndFiresBothWaysOnReferenceData) {
    Fired fired;
    for (const auto& name : kDataSets) {
        const Fired f = expect_consistent_on_reference_data(*GetParam(), name);
        fired.buys += f.buys;
        fired.sells += f.sells;
    }
    EXPECT_GT(fired.buys, 0u) << "never BUY";
    EXPECT_GT(fired.sells, 0u) << "never SELL";
}

TEST_P(VolumeAgentTest, FlatPricesGiveAHoldOrAbstainWithoutNaN) {
    expect_flat_prices_handled(*GetParam());
}

TEST_P(VolumeAgentTest, SeriesHandlesFewBarsAndMinBarsIsEnough) {
    expect_few_bars_handled(*GetParam());
}

TEST_P(VolumeAgentTest, TimeGapsDoNotChangeTheResult) {
    expect_time_gaps_irrelevant(*GetParam());
}

TEST_P(VolumeAgentTest, IsListedAsAVolumeAgent) {
    EXPECT_EQ(GetParam()->category, Category::kVolume);
    EXPECT_FALSE(GetParam()->parameters.empty());
}

INSTANTIATE_TEST_SUITE_P(All, VolumeAgentTest, ::testing::ValuesIn(volume_agents()),
                         [](const auto& info) { return std::string(info.param->name); });

TEST(VolumeAgentsListTest, ListsTheTenAgentsInTableOrder) {
    const auto list = volume_agents();
    const std::vector<const AgentDef*> expected = {
        &kObv,    &kVolumeSpike, &kMfi,        &kChaikinOscillator,
        &kAdLine, &kVwap,        &kForceIndex, &kEaseOfMovement,
        &kCmf,    &kPvo,
    };
    ASSERT_EQ(list.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(list[i], expected[i]) << i;
    }
}

// `count` bars moving `step` a bar; each closes `close_pos` of the way up its range of 2
// (1 = at the high, 0 = at the low), on `volume`.
Bars trend(std::size_t count, double step, double close_pos = 0.5, double volume = 1000.0,
           double from = 100.0) {
    Bars b;
    double c = from;
    for (std::size_t i = 0; i < count; ++i) {
        c += step;
        const double low = c - 2.0 * close_pos;
        b.add(c - step, low + 2.0, low, c, volume);
    }
    return b;
}

// Closes alternating 100 / 101 (h = l = c), constant volume: nothing happens on average.
Bars seesaw(std::size_t count, double volume = 1000.0) {
    Bars b;
    for (std::size_t i = 0; i < count; ++i) {
        const double c = i % 2 == 0 ? 100.0 : 101.0;
        b.add(c, c, c, c, volume);
    }
    return b;
}

void expect_action(const AgentDef& def, const Bars& bars, Action action) {
    const AgentResult r = run(def, bars);
    EXPECT_EQ(r.action, action) << def.name << ": " << to_string(r.action) << " " << r.reason;
    expect_invariants(r, def.name);
}

// ---------------------------------------------------------------------------------------------
// obv

TEST(ObvAgentTest, SeriesMatchTaLibObvAndItsSma20) {
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto& obv = ref.column("obv");
        expect_series_matches(series_of(kObv, bars.view(), "obv"), obv, 1e-6, 1.0);
        // SMA 20 composed over TA-Lib's OBV column.
        std::vector<double> sma(obv.size(), std::nan(""));
        for (std::size_t i = 19; i < obv.size(); ++i) {
            double sum = 0.0;
            for (std::size_t j = i - 19; j <= i; ++j) {
                sum += obv[j];
            }
            sma[i] = sum / 20.0;
        }
        const auto ours = series_of(kObv, bars.view(), "obv_sma");
        EXPECT_EQ(leading_nans(ours), 19u);
        expect_series_matches(ours, sma, 1e-6, 1.0);
    }
}

TEST(ObvAgentTest, RisingObvBuysFallingSellsFlatAverageHolds) {
    expect_action(kObv, trend(30, 0.5), Action::kBuy);
    expect_action(kObv, trend(30, -0.5), Action::kSell);
    // OBV alternates between two values: its SMA 20 is flat.
    expect_action(kObv, seesaw(30), Action::kHold);
}

// ---------------------------------------------------------------------------------------------
// volume_spike

TEST(VolumeSpikeTest, RatioIsVolumeOverTaLibSmaVolume20) {
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto& sma = ref.column("sma_volume_20");
        std::vector<double> ratio(bars.size());
        for (std::size_t i = 0; i < ratio.size(); ++i) {
            ratio[i] = bars.volume[i] / sma[i];
        }
        const auto ours = series_of(kVolumeSpike, bars.view(), "volume_ratio");
        EXPECT_EQ(leading_nans(ours), 19u);
        expect_series_matches(ours, ratio);
    }
}

TEST(VolumeSpikeTest, SpikeOnAnUpCloseBuysOnADownCloseSellsOnASmallMoveHolds) {
    Bars up = seesaw(25);  // last close 100
    up.add(100.0, 102.5, 100.0, 102.0, 4000.0);
    expect_action(kVolumeSpike, up, Action::kBuy);
    EXPECT_NEAR(run(kVolumeSpike, up).value("volume_ratio"), 4000.0 / (23000.0 / 20.0), 1e-12);

    Bars down = seesaw(25);
    down.add(100.0, 100.0, 97.5, 98.0, 4000.0);
    expect_action(kVolumeSpike, down, Action::kSell);

    Bars small = seesaw(25);
    small.add(100.0, 100.6, 100.0, 100.5, 4000.0);  // +0.5 %: not enough
    expect_action(kVolumeSpike, small, Action::kHold);

    Bars quiet = seesaw(25);
    quiet.add(100.0, 103.0, 100.0, 103.0, 1000.0);  // +3 % on ordinary volume
    expect_action(kVolumeSpike, quiet, Action::kHold);
}

// ---------------------------------------------------------------------------------------------
// mfi

TEST(MfiAgentTest, SeriesMatchTaLibMfi14) {
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto ours = series_of(kMfi, bars.view(), "mfi");
        EXPECT_EQ(leading_nans(ours), 14u);
        expect_series_matches(ours, ref.column("mfi_14"));
    }
}

TEST(MfiAgentTest, OversoldBuysOverboughtSellsMiddleHolds) {
    expect_action(kMfi, trend(20, -0.5), Action::kBuy);  // every flow negative: MFI 0
    expect_action(kMfi, trend(20, 0.5), Action::kSell);  // every flow positive: MFI 100
    expect_action(kMfi, seesaw(20), Action::kHold);      // about even: near 50
    EXPECT_NEAR(run(kMfi, trend(20, -0.5)).value("mfi"), 0.0, 1e-12);
}

TEST(MfiAgentTest, NoMoneyFlowIsJudgedOnTheTypicalPriceItself) {
    // TA-Lib's typical price is (h + l + c) / 3: two bars whose sums differ by one ulp can
    // have the same typical price (no flow, MFI 0). Comparing the sums without the / 3 saw
    // money move and read that MFI 0 as oversold (BUY).
    Bars b;
    b.repeat(20, 1.2, 1.25, 1.1, 1.2, 1000.0);
    b.add(1.2, 1.25, 1.1, std::nextafter(1.2, 2.0), 1000.0);
    ASSERT_NE(1.25 + 1.1 + 1.2, 1.25 + 1.1 + b.close.back());
    ASSERT_EQ((1.25 + 1.1 + 1.2) / 3.0, (1.25 + 1.1 + b.close.back()) / 3.0);
    const auto r = run(kMfi, b);
    EXPECT_EQ(r.value("mfi"), 0.0);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_EQ(r.confidence, 1.0);
}

// ---------------------------------------------------------------------------------------------
// chaikin_oscillator

TEST(ChaikinOscillatorTest, SeriesMatchTaLibAdosc3And10) {
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto ours = series_of(kChaikinOscillator, bars.view(), "adosc");
        EXPECT_EQ(leading_nans(ours), 9u);
        expect_series_matches(ours, ref.column("adosc"), 1e-6, 1.0);
    }
}

TEST(ChaikinOscillatorTest, AccumulationBuysDistributionSellsNoFlowHolds) {
    expect_action(kChaikinOscillator, trend(20, 0.0, 0.9), Action::kBuy);   // closes near highs
    expect_action(kChaikinOscillator, trend(20, 0.0, 0.1), Action::kSell);  // closes near lows
    expect_action(kChaikinOscillator, trend(20, 0.0, 0.5), Action::kHold);  // mid-range
}

// ---------------------------------------------------------------------------------------------
// ad_line

TEST(AdLineTest, SeriesMatchTaLibAd) {
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto ours = series_of(kAdLine, bars.view(), "ad");
        EXPECT_EQ(leading_nans(ours), 0u);
        expect_series_matches(ours, ref.column("ad"), 1e-6, 1.0);
    }
}

TEST(AdLineTest, AccumulationIntoAFallBuysDistributionIntoARiseSellsConfirmationHolds) {
    expect_action(kAdLine, trend(20, -0.3, 0.9), Action::kBuy);
    expect_action(kAdLine, trend(20, 0.3, 0.1), Action::kSell);
    expect_action(kAdLine, trend(20, 0.3, 0.9), Action::kHold);
}

// ---------------------------------------------------------------------------------------------
// vwap

TEST(VwapAgentTest, SeriesMatchTheDefinitionWindowByWindow) {
    // TA-Lib has no VWAP: the reference is the definition evaluated per window with two passes.
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        std::vector<double> mid(bars.size(), std::nan("")), up(mid), low(mid);
        for (std::size_t i = 19; i < bars.size(); ++i) {
            double pv = 0.0;
            double v = 0.0;
            for (std::size_t j = i - 19; j <= i; ++j) {
                pv += (bars.high[j] + bars.low[j] + bars.close[j]) / 3.0 * bars.volume[j];
                v += bars.volume[j];
            }
            double var = 0.0;
            for (std::size_t j = i - 19; j <= i; ++j) {
                const double d = (bars.high[j] + bars.low[j] + bars.close[j]) / 3.0 - pv / v;
                var += bars.volume[j] * d * d;
            }
            mid[i] = pv / v;
            up[i] = mid[i] + 2.0 * std::sqrt(var / v);
            low[i] = mid[i] - 2.0 * std::sqrt(var / v);
        }
        expect_series_matches(series_of(kVwap, bars.view(), "vwap"), mid, 1e-9);
        expect_series_matches(series_of(kVwap, bars.view(), "vwap_upper"), up, 1e-9);
        expect_series_matches(series_of(kVwap, bars.view(), "vwap_lower"), low, 1e-9);
    }
}

TEST(VwapAgentTest, TrendAboveRisingVwapBuysBelowFallingSellsBandTouchesRevert) {
    // A steady trend: the close leads the VWAP by about 9.5 steps, inside the +2 sigma band.
    expect_action(kVwap, trend(30, 0.5), Action::kBuy);
    expect_action(kVwap, trend(30, -0.5), Action::kSell);
    // VWAP flat (10 bars at each price in every window): close above it but no slope.
    expect_action(kVwap, seesaw(30), Action::kHold);
    // A jump far above the band of a seesaw: stretched, reversion SELL; far below: BUY.
    Bars spike = seesaw(30);
    spike.add(101.0, 110.0, 110.0, 110.0, 1000.0);
    expect_action(kVwap, spike, Action::kSell);
    Bars drop = seesaw(30);
    drop.add(101.0, 90.0, 90.0, 90.0, 1000.0);
    expect_action(kVwap, drop, Action::kBuy);
}

TEST(VwapAgentTest, NoVolumeAbstainsWithAReason) {
    const AgentResult r = run(kVwap, seesaw(30, 0.0));
    EXPECT_EQ(r.action, Action::kAbstain);
    EXPECT_FALSE(r.reason.empty());
    EXPECT_EQ(r.values().size(), 0u);
}

// ---------------------------------------------------------------------------------------------
// force_index

TEST(ForceIndexTest, SeriesMatchTaLibEma13OfRawForce) {
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto ours = series_of(kForceIndex, bars.view(), "force_index");
        EXPECT_EQ(leading_nans(ours), 13u);
        expect_series_matches(ours, ref.column("force_index_13"), 1e-6, 1.0);
    }
}

TEST(ForceIndexTest, PositiveForceBuysNegativeSellsNearZeroHolds) {
    expect_action(kForceIndex, trend(20, 0.5), Action::kBuy);
    expect_action(kForceIndex, trend(20, -0.5), Action::kSell);
    // Up 0.04 then down 0.04 on equal volume: raw force +/-40 against a unit of 1000 (1 % of
    // 100 on 1000 shares); the EMA swings about +/-3, well inside the 5 % dead zone.
    Bars small;
    for (int i = 0; i < 41; ++i) {
        const double c = i % 2 == 0 ? 100.0 : 100.04;
        small.add(c, c, c, c, 1000.0);
    }
    expect_action(kForceIndex, small, Action::kHold);
}

// ---------------------------------------------------------------------------------------------
// ease_of_movement

TEST(EaseOfMovementTest, SeriesMatchTheDefinition) {
    // TA-Lib has no EMV: per bar ((h + l)/2 - (ph + pl)/2) x (h - l) x 1e8 / volume, SMA 14.
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        std::vector<double> expected(bars.size(), std::nan(""));
        for (std::size_t i = 14; i < bars.size(); ++i) {
            double sum = 0.0;
            for (std::size_t j = i - 13; j <= i; ++j) {
                const double move =
                    (bars.high[j] + bars.low[j]) / 2.0 - (bars.high[j - 1] + bars.low[j - 1]) / 2.0;
                sum += move / ((bars.volume[j] / 1e8) / (bars.high[j] - bars.low[j]));
            }
            expected[i] = sum / 14.0;
        }
        expect_series_matches(series_of(kEaseOfMovement, bars.view(), "emv"), expected, 1e-9);
    }
}

TEST(EaseOfMovementTest, EasyRiseBuysEasyFallSellsBackAndForthHolds) {
    expect_action(kEaseOfMovement, trend(20, 0.5), Action::kBuy);
    expect_action(kEaseOfMovement, trend(20, -0.5), Action::kSell);
    Bars swing;
    for (int i = 0; i < 20; ++i) {
        const double c = i % 2 == 0 ? 100.0 : 101.0;
        swing.add(c, c + 1.0, c - 1.0, c, 1000.0);
    }
    expect_action(kEaseOfMovement, swing, Action::kHold);
}

// ---------------------------------------------------------------------------------------------
// cmf

TEST(CmfAgentTest, SeriesComposeFromTaLibAd) {
    // sum(MFV, 20) is the 20-bar difference of TA_AD.
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto& ad = ref.column("ad");
        std::vector<double> expected(bars.size(), std::nan(""));
        for (std::size_t i = 19; i < bars.size(); ++i) {
            double volume = 0.0;
            for (std::size_t j = i - 19; j <= i; ++j) {
                volume += bars.volume[j];
            }
            expected[i] = (ad[i] - (i >= 20 ? ad[i - 20] : 0.0)) / volume;
        }
        const auto ours = series_of(kCmf, bars.view(), "cmf");
        EXPECT_EQ(leading_nans(ours), 19u);
        // The CSV keeps 10 significant digits of A/D values far larger than their difference.
        expect_series_matches(ours, expected, 1e-4, 1e-2);
    }
}

TEST(CmfAgentTest, BuyingPressureBuysSellingPressureSellsBalancedHolds) {
    expect_action(kCmf, trend(25, 0.0, 0.8), Action::kBuy);    // cmf 0.6
    expect_action(kCmf, trend(25, 0.0, 0.2), Action::kSell);   // cmf -0.6
    expect_action(kCmf, trend(25, 0.0, 0.51), Action::kHold);  // cmf 0.02
    EXPECT_NEAR(run(kCmf, trend(25, 0.0, 0.8)).value("cmf"), 0.6, 1e-12);
}

TEST(CmfAgentTest, ThresholdIsFivePercentOfVolume) {
    // Closes 53 % / 47 % of the way up each bar: cmf = 2 x 0.53 - 1 = +0.06 / -0.06, just past
    // the threshold; 52 % gives +0.04, just short of it.
    expect_action(kCmf, trend(25, 0.0, 0.53), Action::kBuy);
    expect_action(kCmf, trend(25, 0.0, 0.47), Action::kSell);
    expect_action(kCmf, trend(25, 0.0, 0.52), Action::kHold);
    EXPECT_NEAR(run(kCmf, trend(25, 0.0, 0.53)).value("cmf"), 0.06, 1e-9);
}

// ---------------------------------------------------------------------------------------------
// pvo

TEST(PvoAgentTest, SeriesMatchTaLibPvoAndSignal) {
    for (const auto& name : kDataSets) {
        SCOPED_TRACE(name);
        const Bars bars = load_bars(name);
        const auto ref = ReferenceTable::load(name + "_talib.csv");
        const auto ours = series_of(kPvo, bars.view(), "pvo");
        EXPECT_EQ(leading_nans(ours), 25u);
        expect_series_matches(ours, ref.column("pvo"));
        const auto signal = series_of(kPvo, bars.view(), "pvo_signal");
        EXPECT_EQ(leading_nans(signal), 33u);
        expect_series_matches(signal, ref.column("pvo_signal"));
    }
}

TEST(PvoAgentTest, VolumeSurgeOnARiseBuysOnAFallSellsQuietVolumeHolds) {
    auto surge = [](double step) {
        Bars b = seesaw(40);
        double c = b.close.back();
        for (int i = 0; i < 5; ++i) {
            c += step;
            b.add(c - step, std::max(c, c - step), std::min(c, c - step), c, 3000.0);
        }
        return b;
    };
    expect_action(kPvo, surge(1.0), Action::kBuy);
    expect_action(kPvo, surge(-1.0), Action::kSell);
    expect_action(kPvo, trend(45, 1.0), Action::kHold);  // a rise on unchanged volume
}

}  // namespace
}  // namespace gs::agents
