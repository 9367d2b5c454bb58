// The signal bodies written by json::Writer (issue 12) against the nlohmann tree they replace
// (kept here as the reference, as it was in src/orchestrator/signal_json.cpp): for signals of
// the real agents over real and random bars, and hand-made ones with the values that trip
// writers up, the new text parses to the same JSON as the old one (same keys in the same order,
// same types), every double in it reads back bit for bit, and it is the old text wherever the
// two write a double with the same digits (std::to_chars' shortest digits against nlohmann's
// Grisu2, which now and then writes one digit more).
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/json/writer.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal.h"

namespace gs::orchestrator {
namespace {

namespace flow = agents::flow_agent_test;

// --- the reference: to_json as it was before issue 12 ---
nlohmann::json number(double x) {
    if (!std::isfinite(x)) {
        return nullptr;
    }
    return x;
}

nlohmann::json reference_tree(const Signal& signal, bool with_agents) {
    const auto& c = signal.consensus;
    nlohmann::json categories = nlohmann::json::object();
    for (std::size_t i = 0; i < agents::kCategoryCount; ++i) {
        const auto& summary = c.categories[i];
        categories[std::string(agents::to_string(static_cast<agents::Category>(i)))] = {
            {"score", number(summary.score)},
            {"action", agents::to_string(summary.action)},
            {"voters", summary.voters}};
    }
    nlohmann::json body = {
        {"symbol", signal.symbol},
        {"timeframe", market::to_string(signal.timeframe)},
        {"as_of", market::format_iso8601(signal.as_of)},
        {"action", agents::to_string(c.action)},
        {"strength", consensus::to_string(c.strength)},
        {"score", number(c.score)},
        {"confidence", number(c.confidence)},
        {"votes",
         {{"buy", c.votes.buy},
          {"sell", c.votes.sell},
          {"hold", c.votes.hold},
          {"abstain", c.votes.abstain}}},
        {"categories", std::move(categories)},
        {"bars_used", signal.bars_used},
    };
    if (with_agents) {
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < signal.agents.size(); ++i) {
            const auto& r = signal.agents[i];
            nlohmann::json indicators = nlohmann::json::object();
            for (const auto& v : r.values()) {
                indicators[std::string(v.key)] = number(v.value);
            }
            list.push_back({{"name", signal.defs[i]->name},
                            {"category", agents::to_string(signal.defs[i]->category)},
                            {"action", agents::to_string(r.action)},
                            {"confidence", number(r.confidence)},
                            {"score", number(r.score)},
                            {"reason", r.reason.str()},
                            {"indicators", std::move(indicators)}});
        }
        body["agents"] = std::move(list);
    }
    body["computed_at"] = market::format_iso8601(signal.computed_at);
    return body;
}

std::string dump(const nlohmann::json& tree) {
    return tree.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `text` with every double re-read and written again by json::append_double: the old
// serialiser's text as it would be with shortest digits. A double is a token with '.' or 'e'
// outside strings.
std::string with_shortest_doubles(const std::string& text) {
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\') {
                out += text[i + 1];
                i += 2;
                continue;
            }
            in_string = c != '"';
            ++i;
            continue;
        }
        if (c == '"') {
            in_string = true;
            out += c;
            ++i;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i;
            while (end < text.size() && std::strchr("+-.0123456789eE", text[end]) != nullptr) {
                ++end;
            }
            const std::string token = text.substr(i, end - i);
            if (token.find_first_of(".eE") == std::string::npos) {
                out += token;
            } else {
                json::append_double(out, std::strtod(token.c_str(), nullptr));
            }
            i = end;
            continue;
        }
        out += c;
        ++i;
    }
    return out;
}

// Same structure and types, doubles equal bit for bit (-0.0 is not 0.0 here).
void expect_same(const nlohmann::json& ours, const nlohmann::json& tree, const std::string& path) {
    ASSERT_EQ(ours.type(), tree.type()) << path;
    if (ours.is_object()) {
        ASSERT_EQ(ours.size(), tree.size()) << path;
        for (auto it = tree.begin(); it != tree.end(); ++it) {
            ASSERT_TRUE(ours.contains(it.key())) << path << "." << it.key();
            expect_same(ours.at(it.key()), it.value(), path + "." + it.key());
        }
    } else if (ours.is_array()) {
        ASSERT_EQ(ours.size(), tree.size()) << path;
        for (std::size_t i = 0; i < tree.size(); ++i) {
            expect_same(ours[i], tree[i], path + "[" + std::to_string(i) + "]");
        }
    } else if (ours.is_number_float()) {
        EXPECT_EQ(std::bit_cast<std::uint64_t>(ours.get<double>()),
                  std::bit_cast<std::uint64_t>(tree.get<double>()))
            << path << ": " << ours.get<double>() << " vs " << tree.get<double>();
    } else if (tree.is_string()) {
        // Invalid UTF-8 in the tree reads back replaced (U+FFFD), as from the old text.
        EXPECT_EQ(ours.get<std::string>(), nlohmann::json::parse(dump(tree)).get<std::string>())
            << path;
    } else {
        EXPECT_TRUE(ours == tree) << path << ": " << dump(ours) << " vs " << dump(tree);
    }
}

// Both bodies of `signal`, by every entry point, against the reference.
void check(const Signal& signal) {
    for (const bool with_agents : {true, false}) {
        const auto tree = reference_tree(signal, with_agents);
        const std::string old_text = dump(tree);
        const std::string new_text = to_json(signal, with_agents);
        const auto parsed = nlohmann::json::parse(new_text);
        EXPECT_TRUE(parsed == nlohmann::json::parse(old_text)) << dump(parsed);
        expect_same(parsed, tree, signal.symbol);
        // The same text after the old text's doubles are rewritten as the new writer writes
        // them: keys, order, strings and layout byte for byte.
        EXPECT_EQ(new_text, with_shortest_doubles(old_text));
    }
    const auto bodies = to_json_bodies(signal);
    EXPECT_EQ(bodies.full, to_json(signal, true));
    EXPECT_EQ(bodies.summary, to_json(signal, false));
}

Signal signal_over(const flow::Bars& bars, std::size_t n, std::string symbol) {
    Signal s;
    s.symbol = std::move(symbol);
    s.timeframe = market::Timeframe::k1d;
    s.defs.assign(agents::all_agents().begin(), agents::all_agents().end());
    s.agents.resize(s.defs.size());
    const market::BarsView all = bars.view();
    const market::BarsView view{all.time.first(n), all.open.first(n),  all.high.first(n),
                                all.low.first(n),  all.close.first(n), all.volume.first(n)};
    agents::Workspace workspace;
    run_agents(s.defs, view, s.agents, workspace);
    s.consensus = consensus::build(s.agents, s.defs, consensus::Config{});
    s.as_of = bars.time[n - 1];
    s.bars_used = n;
    s.computed_at = 1'700'000'000 + static_cast<std::int64_t>(n);
    return s;
}

TEST(SignalJsonTest, RealAgentsOverRealBars) {
    for (const char* name : {"finance", "random_walk", "finance_scaled_1e-6"}) {
        const auto bars = flow::load_bars(name);
        for (std::size_t n = 1; n <= bars.size(); n += n < 60 ? 1 : 37) {
            check(signal_over(bars, n, name));
        }
    }
}

TEST(SignalJsonTest, RealAgentsOverRandomBars) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        const double scale = std::pow(10.0, static_cast<double>(seed) * 2.0 - 6.0);  // 1e-4..1e6
        const auto bars = flow::random_bars(seed, 400, scale);
        for (std::size_t n = 5; n <= bars.size(); n += 23) {
            check(signal_over(bars, n, "R" + std::to_string(seed)));
        }
    }
}

TEST(SignalJsonTest, HandMadeValues) {
    const auto bars = flow::random_bars(99, 260, 1.0);
    Signal s = signal_over(bars, 260, "A\"B\\C\n\x01\x7f caf\xC3\xA9 \xFF\xE2\x82");
    const double awkward[] = {std::nan(""),
                              std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity(),
                              -0.0,
                              0.0,
                              std::numeric_limits<double>::denorm_min(),
                              -std::numeric_limits<double>::denorm_min(),
                              1e-300,
                              -1e300,
                              std::numeric_limits<double>::max(),
                              1e-5,
                              1e15,
                              1e16,
                              0.1 + 0.2,
                              100.0};
    const std::size_t m = std::size(awkward);
    for (std::size_t i = 0; i < s.agents.size(); ++i) {
        auto& r = s.agents[i];
        r.confidence = awkward[i % m];
        r.score = awkward[(i + 3) % m];
        r.reason = i % 2 == 0 ? std::string("quote \" backslash \\ tab \t nul ") + '\0' + " end"
                              : std::string("bad \xC0\xAF utf-8 \xF0\x9F\x93\x88 ok \xED\xA0\x80");
        r.indicator_count = 0;
        // Unsorted keys, a repeated one (the later value wins), one needing escapes.
        r.add("zeta", awkward[(i + 5) % m]);
        r.add("alpha", awkward[(i + 7) % m]);
        r.add("zeta", awkward[(i + 9) % m]);
        r.add("k\"ey", awkward[(i + 1) % m]);
        r.add("Alpha", awkward[(i + 2) % m]);
    }
    for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
        s.consensus.categories[c].score = awkward[(c + 4) % m];
        s.consensus.categories[c].voters = static_cast<std::uint16_t>(65535 - c);
    }
    s.consensus.score = -0.0;
    s.consensus.confidence = std::numeric_limits<double>::denorm_min();
    s.consensus.votes = {65535, 0, 7, 1};
    s.as_of = -86'400;                // before 1970
    s.computed_at = 253'402'300'799;  // 9999-12-31T23:59:59Z
    check(s);

    // No agents at all, and a signal of nothing but defaults.
    Signal empty;
    check(empty);
}

}  // namespace
}  // namespace gs::orchestrator
