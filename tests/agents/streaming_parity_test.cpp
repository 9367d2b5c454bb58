// The streaming form of every agent against its batch form (issue 12): bars fed one at a time
// into the agent's state give, at every bar checked, the same verdict as evaluate() over all
// the bars so far: same action and reason, and confidence, score and every indicator value
// equal to 1e-9 relative (in practice bit-identical: the states replay the batch kernels'
// arithmetic). The batch forms are the reference here because the TA-Lib tests check them.
//
// Series: long seeded random walks with regimes, gaps, flat stretches and zero volume at
// three price scales, and the reference data (real bars). Checked at every bar up to 400,
// then every 37th, and the last.
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/agent_states.h"
#include "goldensignals/agents/registry.h"

namespace gs::agents {
namespace {

using flow_agent_test::Bars;
using flow_agent_test::load_bars;
using flow_agent_test::random_bars;

market::BarsView prefix(const Bars& b, std::size_t n) {
    const auto v = b.view();
    return {v.time.first(n), v.open.first(n),  v.high.first(n),
            v.low.first(n),  v.close.first(n), v.volume.first(n)};
}

market::Bar bar_at(const Bars& b, std::size_t i) {
    return {b.time[i], b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]};
}

bool close_enough(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) && std::isnan(b);
    }
    if (a == b) {
        return true;
    }
    return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
}

// Empty when equal, else what differs.
std::string difference(const AgentResult& streamed, const AgentResult& batch) {
    std::string out;
    if (streamed.action != batch.action) {
        out += " action " + std::string(to_string(streamed.action)) + " vs " +
               std::string(to_string(batch.action)) + ";";
    }
    if (streamed.reason != batch.reason) {
        out += " reason '" + streamed.reason.str() + "' vs '" + batch.reason.str() + "';";
    }
    if (!close_enough(streamed.confidence, batch.confidence)) {
        out += " confidence " + std::to_string(streamed.confidence) + " vs " +
               std::to_string(batch.confidence) + ";";
    }
    if (!close_enough(streamed.score, batch.score)) {
        out +=
            " score " + std::to_string(streamed.score) + " vs " + std::to_string(batch.score) + ";";
    }
    if (streamed.indicator_count != batch.indicator_count) {
        out += " indicator count differs;";
    } else {
        for (std::size_t k = 0; k < batch.indicator_count; ++k) {
            const auto& s = streamed.values()[k];
            const auto& b = batch.values()[k];
            if (s.key != b.key || !close_enough(s.value, b.value)) {
                out += " " + std::string(b.key) + " " + std::to_string(s.value) + " vs " +
                       std::to_string(b.value) + ";";
            }
        }
    }
    return out;
}

bool checked_at(std::size_t n, std::size_t size) {
    return n <= 400 || n % 37 == 0 || n == size;
}

// Feeds `bars` to a fresh state of `def`; reports the first few bars where it differs.
void expect_parity(const AgentDef& def, const Bars& bars, const std::string& what) {
    const StreamOps& ops = *def.stream;
    auto block = std::make_unique<std::byte[]>(ops.size + ops.align);
    void* raw = block.get();
    std::size_t space = ops.size + ops.align;
    void* state = std::align(ops.align, ops.size, raw, space);
    ops.construct(state);
    Workspace ws;
    int failures = 0;
    for (std::size_t i = 0; i < bars.size() && failures < 3; ++i) {
        ops.update(state, bar_at(bars, i));
        const std::size_t n = i + 1;
        if (n < def.min_bars || !checked_at(n, bars.size())) {
            continue;
        }
        ws.reset();
        const AgentResult batch = def.evaluate(prefix(bars, n), ws);
        const AgentResult streamed = ops.evaluate(state);
        const std::string diff = difference(streamed, batch);
        if (!diff.empty()) {
            ADD_FAILURE() << def.name << " on " << what << " at " << n << " bars:" << diff;
            ++failures;
        }
    }
    ops.destroy(state);
}

std::vector<const AgentDef*> streaming_agents() {
    std::vector<const AgentDef*> out;
    for (const AgentDef* def : all_agents()) {
        if (def->stream != nullptr) {
            out.push_back(def);
        }
    }
    return out;
}

TEST(StreamingParityTest, SomeAgentsStream) {
    EXPECT_FALSE(streaming_agents().empty());
}

TEST(StreamingParityTest, LongRandomWalksAtThreePriceScales) {
    const Bars walks[] = {random_bars(11, 10'000, 1.0), random_bars(12, 3'000, 1e-5),
                          random_bars(13, 3'000, 1e6)};
    for (const AgentDef* def : streaming_agents()) {
        for (std::size_t w = 0; w < std::size(walks); ++w) {
            expect_parity(*def, walks[w], "walk " + std::to_string(w));
        }
    }
}

TEST(StreamingParityTest, ReferenceDataRealBars) {
    for (const char* name : {"finance", "finance_scaled_1e-6", "random_walk"}) {
        const Bars bars = load_bars(name);
        for (const AgentDef* def : streaming_agents()) {
            expect_parity(*def, bars, name);
        }
    }
}

// The block the engine keeps: a copy taken mid-series continues exactly as the original, and
// a block built from bars equals one fed them one by one.
TEST(AgentStatesTest, ACopyContinuesLikeTheOriginalAndABuildEqualsFeeding) {
    const Bars bars = random_bars(21, 1'500, 100.0);
    const auto defs = all_agents();
    AgentStates fed(defs);
    std::unique_ptr<AgentStates> copy;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        fed.update(bar_at(bars, i));
        if (copy) {
            copy->update(bar_at(bars, i));
        }
        if (i == 700) {
            copy = std::make_unique<AgentStates>(fed);
        }
    }
    const AgentStates built = AgentStates::built_from(defs, bars.view());
    ASSERT_EQ(fed.taken(), bars.size());
    ASSERT_EQ(built.taken(), bars.size());
    EXPECT_EQ(built.last_time(), bars.time.back());
    for (std::size_t i = 0; i < defs.size(); ++i) {
        if (defs[i]->stream == nullptr) {
            EXPECT_EQ(fed.state(i), nullptr);
            continue;
        }
        const AgentResult a = defs[i]->stream->evaluate(fed.state(i));
        EXPECT_EQ(difference(defs[i]->stream->evaluate(copy->state(i)), a), "") << defs[i]->name;
        EXPECT_EQ(difference(defs[i]->stream->evaluate(built.state(i)), a), "") << defs[i]->name;
    }
}

}  // namespace
}  // namespace gs::agents
