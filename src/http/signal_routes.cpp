#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/async/run_on.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/indicator_columns.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kMaxSymbolsPerRequest = 100;
// Agents' indicator columns kept for /v1/indicators, over all series: at most this many
// (series, agent) sets, each 8 bytes x keys x 1.25 x the bars held plus a kept body of at most
// 128 KB (docs/streaming.md): ~30 MB with 128 sets of 3 keys over 5,000 bars.
constexpr std::size_t kMaxColumnSets = 128;

[[noreturn]] void no_bars(const std::string& symbol, market::Timeframe timeframe) {
    throw ClientError(status::not_found, "unknown_symbol",
                      fmt::format("no {} bars for {}", market::to_string(timeframe), symbol));
}

std::vector<std::string> symbol_list(const Request& request) {
    auto raw = request.query.get("symbols");
    if (!raw || raw->empty()) {
        throw ClientError(status::bad_request, "invalid_parameter",
                          "symbols is required: a comma-separated list");
    }
    std::vector<std::string> out;
    std::string_view rest = *raw;
    while (true) {
        auto comma = rest.find(',');
        auto item = rest.substr(0, comma);
        if (out.size() == kMaxSymbolsPerRequest) {
            throw ClientError(status::bad_request, "too_many_symbols",
                              fmt::format("at most {} symbols per request", kMaxSymbolsPerRequest));
        }
        auto symbol = params::symbol(item);
        if (std::find(out.begin(), out.end(), symbol) == out.end()) {
            out.push_back(std::move(symbol));
        }
        if (comma == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(comma + 1);
    }
    return out;
}

const agents::AgentDef& agent_param(const Request& request) {
    auto agent_name = request.query.get("agent");
    if (!agent_name || agent_name->empty()) {
        throw ClientError(status::bad_request, "invalid_parameter",
                          "agent is required (see GET /v1/agents)");
    }
    const auto* agent = agents::find_agent(*agent_name);
    if (agent == nullptr) {
        throw ClientError(
            status::bad_request, "unknown_agent",
            fmt::format("no agent named '{}' (see GET /v1/agents)", market::excerpt(*agent_name)));
    }
    return *agent;
}

// A JSON string as nlohmann writes it (escaping, UTF-8 checks).
void append_string(std::string& out, std::string_view text) {
    out += nlohmann::json(text).dump();
}

// Written in full, as nlohmann writes a double (the shortest text that reads back as the same
// double, through its own to_chars, so the bytes are those of the former nlohmann tree): a
// fixed number of decimals would zero the series of a coin priced at 0.00001. NaN (warm-up)
// and infinities are null.
void append_value(std::string& out, double x) {
    if (!std::isfinite(x)) {
        out += "null";
        return;
    }
    std::array<char, 64> buffer;
    char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
    out.append(buffer.data(), end);
}

// The newest slice.count bars of the agent's columns, written straight to text with the keys
// in the order a JSON object sorts them (the body is the one the nlohmann tree used to give).
std::string render_indicators(const orchestrator::IndicatorSlice& slice, const std::string& symbol,
                              market::Timeframe timeframe, const agents::AgentDef& agent,
                              const market::BarSeries& series) {
    const std::size_t n = series.size();
    const std::size_t from = n - slice.count;
    // Sorted by key; of a key added twice the last wins, as assigning into an object did.
    std::vector<std::size_t> order(slice.keys.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
        order[k] = k;
    }
    std::stable_sort(order.begin(), order.end(), [&slice](std::size_t a, std::size_t b) {
        return slice.keys[a] < slice.keys[b];
    });
    std::string body;
    body.reserve(128 + slice.count * (24 + 20 * slice.keys.size()));
    body += R"({"agent":)";
    append_string(body, agent.name);
    body += R"(,"series":{)";
    bool first_key = true;
    for (std::size_t j = 0; j < order.size(); ++j) {
        if (j + 1 < order.size() && slice.keys[order[j + 1]] == slice.keys[order[j]]) {
            continue;
        }
        if (!first_key) {
            body += ',';
        }
        first_key = false;
        append_string(body, slice.keys[order[j]]);
        body += ":[";
        const auto column = slice.column(order[j]);
        for (std::size_t i = 0; i < column.size(); ++i) {
            if (i != 0) {
                body += ',';
            }
            append_value(body, column[i]);
        }
        body += ']';
    }
    body += R"(},"symbol":)";
    append_string(body, symbol);
    body += R"(,"time":[)";
    const auto times = series.view().time;
    for (std::size_t i = from; i < n; ++i) {
        if (i != from) {
            body += ',';
        }
        body += '"';
        market::append_iso8601(body, times[i]);
        body += '"';
    }
    body += R"(],"timeframe":)";
    append_string(body, market::to_string(timeframe));
    body += '}';
    return body;
}

// The agent's kept columns (issue 12, orchestrator::IndicatorColumnsCache), the newest `limit`
// bars; the body is kept with them until the series changes. CPU-bound: runs on the compute
// pool.
Response indicators_response(orchestrator::IndicatorColumnsCache& columns,
                             const std::string& symbol, market::Timeframe timeframe,
                             const agents::AgentDef& agent, const market::BarSeries& series,
                             std::size_t limit) {
    return Response::json_body(status::ok,
                               columns.body(symbol, timeframe, agent, series, limit,
                                            [&](const orchestrator::IndicatorSlice& slice) {
                                                return render_indicators(slice, symbol, timeframe,
                                                                         agent, series);
                                            }));
}

}  // namespace

namespace {

// {"count", "hit_rate", "avg_forward_return"} of a track's rolling window (null rates with no
// call; docs/backtest.md "Live accuracy").
nlohmann::json live_figures(const accuracy::LiveAccuracy& live, market::Timeframe tf,
                            std::size_t track) {
    auto nullable = [](double x) { return std::isnan(x) ? nlohmann::json() : nlohmann::json(x); };
    const auto f = live.figures(tf, track);
    return {{"count", f.count},
            {"hit_rate", nullable(f.hit_rate)},
            {"avg_forward_return", nullable(f.avg_forward_return)}};
}

}  // namespace

void add_signal_routes(Router& router, market::BarStore& /*store*/,
                       orchestrator::SignalService& signals, asio::any_io_executor compute,
                       const orchestrator::ProvisionalService* provisional,
                       const accuracy::LiveAccuracy* live_accuracy) {
    router.add(
        verb::get, "/v1/signals/{symbol}",
        [&signals, provisional](Request& request) -> asio::awaitable<Response> {
            const std::string symbol = params::symbol(request.param("symbol"));
            const auto timeframe = params::timeframe(request);
            const bool with_agents = params::boolean(request, "agents", true);
            const bool want_provisional = params::boolean(request, "provisional", false);
            std::string name = symbol;
            auto lookup = co_await signals.current(
                std::move(name), timeframe,
                with_agents ? orchestrator::Need::kWithAgents : orchestrator::Need::kSummary);
            if (!lookup.entry) {
                no_bars(symbol, timeframe);
            }
            // The provisional signal of the forming period when asked for and newer
            // than the final one (docs/rollup.md); the final one otherwise.
            if (want_provisional && provisional != nullptr) {
                auto forming = provisional->latest(symbol, timeframe);
                if (forming && forming->as_of > lookup.entry->as_of) {
                    auto body = with_agents ? provisional->full_json(symbol, timeframe)
                                            : forming->summary_json;
                    // Replaced by the final one between the two reads: that one answers.
                    if (!body) {
                        body = with_agents ? lookup.entry->full_json() : lookup.entry->summary_json;
                    }
                    auto response = Response::json_body(status::ok, std::move(body));
                    response.header("X-Cache", "PROVISIONAL");
                    co_return response;
                }
            }
            auto response = Response::json_body(
                status::ok, with_agents ? lookup.entry->full_json() : lookup.entry->summary_json);
            response.header("X-Cache", std::string(orchestrator::to_string(lookup.tier)));
            co_return response;
        });

    router.add(verb::get, "/v1/signals", [&signals](Request& request) -> asio::awaitable<Response> {
        const auto timeframe = params::timeframe(request);
        const auto symbols = symbol_list(request);
        std::string body = R"({"timeframe":")";
        body += market::to_string(timeframe);
        body += R"(","signals":[)";
        nlohmann::json missing = nlohmann::json::array();
        bool first = true;
        for (const auto& symbol : symbols) {
            std::string name = symbol;
            auto lookup =
                co_await signals.current(std::move(name), timeframe, orchestrator::Need::kSummary);
            if (!lookup.entry) {
                missing.push_back(symbol);
                continue;
            }
            if (!first) {
                body += ',';
            }
            first = false;
            body += *lookup.entry->summary_json;
        }
        body += R"(],"missing":)";
        body += missing.dump();
        body += '}';
        co_return Response::json_body(status::ok,
                                      std::make_shared<const std::string>(std::move(body)));
    });

    router.add(
        verb::get, "/v1/indicators/{symbol}",
        [&signals, compute,
         columns = std::make_shared<orchestrator::IndicatorColumnsCache>(kMaxColumnSets)](
            Request& request) -> asio::awaitable<Response> {
            const std::string symbol = params::symbol(request.param("symbol"));
            const auto timeframe = params::timeframe(request);
            const std::size_t limit = params::bounded_integer(request, "limit", 500, 1, 100'000);
            const agents::AgentDef& agent = agent_param(request);
            // Loaded first when not in memory (docs/memory.md); the snapshot is kept below.
            auto series = co_await signals.bar_sync().resident(symbol, timeframe);
            if (!series || series->empty()) {
                no_bars(symbol, timeframe);
            }
            // A build of the columns (tens of thousands of bars through an agent's
            // indicators) and the JSON: on the compute pool, not the session's I/O thread.
            auto work = [&] {
                return indicators_response(*columns, symbol, timeframe, agent, *series, limit);
            };
            co_return co_await async::run_on(compute, std::move(work));
        });

    router.add(
        verb::get, "/v1/agents", sync_handler([&signals, live_accuracy](Request& request) {
            const auto tf = params::timeframe(request);
            const auto& config = signals.orchestrator().config();
            const auto list = agents::all_agents();
            // Nominal weights: every agent voting.
            std::array<double, agents::kCategoryCount> agent_sum{};
            double category_sum = 0.0;
            for (const auto* agent : list) {
                agent_sum[static_cast<std::size_t>(agent->category)] +=
                    config.agent_weight(agent->name);
            }
            for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
                if (agent_sum[c] > 0.0) {
                    category_sum += config.category_weights[c];
                }
            }
            nlohmann::json out = nlohmann::json::array();
            for (const auto* agent : list) {
                const auto c = static_cast<std::size_t>(agent->category);
                const double weight = category_sum > 0.0 && agent_sum[c] > 0.0
                                          ? config.category_weights[c] / category_sum *
                                                config.agent_weight(agent->name) / agent_sum[c]
                                          : 0.0;
                out.push_back({{"name", agent->name},
                               {"category", agents::to_string(agent->category)},
                               {"parameters", nlohmann::json::parse(agent->parameters)},
                               {"weight", weight},
                               {"min_bars", agent->min_bars},
                               {"lookback", agent->min_bars - 1}});
                if (live_accuracy != nullptr) {
                    out.back()["live_accuracy"] =
                        live_figures(*live_accuracy, tf,
                                     live_accuracy->track_of(fmt::format("agent:{}", agent->name)));
                }
            }
            nlohmann::json body{{"count", list.size()}, {"agents", out}};
            if (live_accuracy != nullptr) {
                nlohmann::json categories = nlohmann::json::object();
                for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
                    const auto category = static_cast<agents::Category>(c);
                    categories[std::string(agents::to_string(category))] =
                        live_figures(*live_accuracy, tf, accuracy::category_track(category));
                }
                body["live"] = {
                    {"timeframe", market::to_string(tf)},
                    {"horizon", live_accuracy->options().horizon},
                    {"window", live_accuracy->options().window},
                    {"consensus", live_figures(*live_accuracy, tf, accuracy::kConsensusTrack)},
                    {"categories", std::move(categories)}};
            }
            return Response::json(status::ok, body);
        }));
}

}  // namespace gs::http
