#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

#include "goldensignals/json/writer.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/signal.h"

namespace gs::orchestrator {
namespace {

// Keys in the order nlohmann's json (a std::map per object) wrote them until issue 12, so the
// bodies stay byte for byte what they were: sorted by their bytes. Numbers are not rounded:
// every double is the shortest text that reads back as the same double, so a value near zero
// (MACD of a coin priced at 0.00001) keeps every digit; NaN and infinities become null.

// The categories by name.
const std::array<std::size_t, agents::kCategoryCount>& categories_by_name() {
    static const auto order = [] {
        std::array<std::size_t, agents::kCategoryCount> o{};
        for (std::size_t i = 0; i < o.size(); ++i) {
            o[i] = i;
        }
        std::sort(o.begin(), o.end(), [](std::size_t a, std::size_t b) {
            return agents::to_string(static_cast<agents::Category>(a)) <
                   agents::to_string(static_cast<agents::Category>(b));
        });
        return o;
    }();
    return order;
}

void write_iso8601(json::Writer& w, std::int64_t epoch_seconds) {
    // Digits, dashes, colons, 'T' and 'Z' only: nothing to escape.
    std::string& out = w.raw_value("\"").out();
    market::append_iso8601(out, epoch_seconds);
    out += '"';
}

// An agent's indicators as an object: by key, a repeated key keeping its last value (as
// assigning it to a json object did).
void write_indicators(json::Writer& w, const agents::AgentResult& r) {
    const auto values = r.values();
    std::array<std::uint8_t, agents::kMaxIndicators> order{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        // Insertion by key; an equal key replaces the earlier one in place.
        std::size_t at = 0;
        while (at < n && values[order[at]].key < values[i].key) {
            ++at;
        }
        if (at < n && values[order[at]].key == values[i].key) {
            order[at] = static_cast<std::uint8_t>(i);
            continue;
        }
        std::copy_backward(order.begin() + static_cast<std::ptrdiff_t>(at),
                           order.begin() + static_cast<std::ptrdiff_t>(n),
                           order.begin() + static_cast<std::ptrdiff_t>(n + 1));
        order[at] = static_cast<std::uint8_t>(i);
        ++n;
    }
    w.begin_object();
    for (std::size_t j = 0; j < n; ++j) {
        const auto& v = values[order[j]];
        w.key(v.key).number(v.value);
    }
    w.end_object();
}

void write_agents(json::Writer& w, const Signal& signal) {
    // The agents' reasons are formatted here, when the body is written (agents::Reason).
    thread_local std::string reason;
    w.raw_key("agents").begin_array();
    for (std::size_t i = 0; i < signal.agents.size(); ++i) {
        const auto& r = signal.agents[i];
        const auto& def = *signal.defs[i];
        w.begin_object();
        w.raw_key("action").string(agents::to_string(r.action));
        w.raw_key("category").string(agents::to_string(def.category));
        w.raw_key("confidence").number(r.confidence);
        w.raw_key("indicators");
        write_indicators(w, r);
        w.raw_key("name").string(def.name);
        reason.clear();
        r.reason.append_to(reason);
        w.raw_key("reason").string(reason);
        w.raw_key("score").number(r.score);
        w.end_object();
    }
    w.end_array();
}

// The full body into `out`; [agents_begin, agents_end) is the agents member with its leading
// comma, so the rest is the summary body.
void write_signal(std::string& out, const Signal& signal, bool with_agents,
                  std::size_t& agents_begin, std::size_t& agents_end) {
    const auto& c = signal.consensus;
    json::Writer w(out);
    w.begin_object();
    w.raw_key("action").string(agents::to_string(c.action));
    agents_begin = out.size();
    if (with_agents) {
        write_agents(w, signal);
    }
    agents_end = out.size();
    w.raw_key("as_of");
    write_iso8601(w, signal.as_of);
    w.raw_key("bars_used").unsigned_integer(signal.bars_used);
    w.raw_key("categories").begin_object();
    for (const std::size_t i : categories_by_name()) {
        const auto& summary = c.categories[i];
        w.key(agents::to_string(static_cast<agents::Category>(i))).begin_object();
        w.raw_key("action").string(agents::to_string(summary.action));
        w.raw_key("score").number(summary.score);
        w.raw_key("voters").unsigned_integer(summary.voters);
        w.end_object();
    }
    w.end_object();
    w.raw_key("computed_at");
    write_iso8601(w, signal.computed_at);
    w.raw_key("confidence").number(c.confidence);
    w.raw_key("score").number(c.score);
    w.raw_key("strength").string(consensus::to_string(c.strength));
    w.raw_key("symbol").string(signal.symbol);
    w.raw_key("timeframe").string(market::to_string(signal.timeframe));
    w.raw_key("votes").begin_object();
    w.raw_key("abstain").unsigned_integer(c.votes.abstain);
    w.raw_key("buy").unsigned_integer(c.votes.buy);
    w.raw_key("hold").unsigned_integer(c.votes.hold);
    w.raw_key("sell").unsigned_integer(c.votes.sell);
    w.end_object();
    w.end_object();
}

// One buffer per thread, grown to the largest body written: the body is written once into it
// and copied out at its exact size (the cached strings hold no slack).
std::string& scratch() {
    thread_local std::string buffer;
    buffer.clear();
    return buffer;
}

}  // namespace

std::string to_json(const Signal& signal, bool with_agents) {
    std::string& out = scratch();
    std::size_t begin = 0;
    std::size_t end = 0;
    write_signal(out, signal, with_agents, begin, end);
    return out;
}

SignalJson to_json_bodies(const Signal& signal) {
    std::string& out = scratch();
    std::size_t begin = 0;
    std::size_t end = 0;
    write_signal(out, signal, true, begin, end);
    SignalJson bodies;
    bodies.full = out;
    bodies.summary.reserve(out.size() - (end - begin));
    bodies.summary.append(out, 0, begin);
    bodies.summary.append(out, end, std::string::npos);
    return bodies;
}

std::string full_json_with_summary(const Signal& signal, std::string_view summary) {
    std::string& out = scratch();
    std::size_t begin = 0;
    std::size_t end = 0;
    write_signal(out, signal, true, begin, end);
    // out[begin, end) is `,"agents":[...]`; a summary has nothing there: its "as_of" follows
    // "action" at once, and "action"'s value (an enum name) holds no such text.
    constexpr std::string_view kAsOf = ",\"as_of\":";
    const std::size_t at = summary.find(kAsOf);
    if (!summary.starts_with("{\"action\":") || at == std::string_view::npos ||
        summary.find("\"agents\":") != std::string_view::npos) {
        return out;
    }
    std::string full;
    full.reserve(summary.size() + (end - begin));
    full.append(summary.substr(0, at));
    full.append(out, begin, end - begin);
    full.append(summary.substr(at));
    return full;
}

}  // namespace gs::orchestrator
