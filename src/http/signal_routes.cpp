#include <optional>

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/params.h"
#include "goldensignals/market/excerpt.h"
#include "goldensignals/market/time_format.h"

namespace gs::http {

namespace asio = boost::asio;
using boost::beast::http::status;
using boost::beast::http::verb;

namespace {

constexpr std::size_t kMaxSymbolsPerRequest = 100;

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

// Written in full (nlohmann writes the shortest text that reads back as the same double):
// a fixed number of decimals would zero the series of a coin priced at 0.00001. NaN (warm-up)
// and infinities are null.
nlohmann::json series_value(double x) {
    if (!std::isfinite(x)) {
        return nullptr;
    }
    return x;
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

// The agent's series over every stored bar, so warm-up matches the signal's view, then cut to
// the newest `limit`. CPU-bound: runs on the compute pool.
Response indicators_response(const std::string& symbol, market::Timeframe timeframe,
                             const agents::AgentDef& agent, const market::BarSeries& series,
                             std::size_t limit) {
    agents::SeriesSet set;
    agent.series(series.view(), set);
    const std::size_t n = series.size();
    const std::size_t from = n - std::min(limit, n);
    nlohmann::json times = nlohmann::json::array();
    for (std::size_t i = from; i < n; ++i) {
        times.push_back(market::format_iso8601(series.view().time[i]));
    }
    nlohmann::json out_series = nlohmann::json::object();
    for (const auto& [key, values] : set.series) {
        nlohmann::json column = nlohmann::json::array();
        for (std::size_t i = from; i < n && i < values.size(); ++i) {
            column.push_back(series_value(values[i]));
        }
        out_series[std::string(key)] = std::move(column);
    }
    return Response::json(status::ok, {{"symbol", symbol},
                                       {"timeframe", market::to_string(timeframe)},
                                       {"agent", agent.name},
                                       {"time", std::move(times)},
                                       {"series", std::move(out_series)}});
}

}  // namespace

void add_signal_routes(Router& router, market::BarStore& store,
                       orchestrator::SignalService& signals, asio::any_io_executor compute) {
    router.add(verb::get, "/v1/signals/{symbol}",
               [&signals](Request& request) -> asio::awaitable<Response> {
                   const std::string symbol = params::symbol(request.param("symbol"));
                   const auto timeframe = params::timeframe(request);
                   const bool with_agents = params::boolean(request, "agents", true);
                   std::string name = symbol;
                   auto lookup = co_await signals.current(std::move(name), timeframe);
                   if (!lookup.entry) {
                       no_bars(symbol, timeframe);
                   }
                   auto response =
                       Response::json_body(status::ok, with_agents ? lookup.entry->full_json
                                                                   : lookup.entry->summary_json);
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
            auto lookup = co_await signals.current(std::move(name), timeframe);
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

    router.add(verb::get, "/v1/indicators/{symbol}",
               [&store, compute](Request& request) -> asio::awaitable<Response> {
                   const std::string symbol = params::symbol(request.param("symbol"));
                   const auto timeframe = params::timeframe(request);
                   const std::size_t limit =
                       params::bounded_integer(request, "limit", 500, 1, 100'000);
                   const agents::AgentDef& agent = agent_param(request);
                   auto series = store.get(symbol, timeframe);
                   if (!series || series->empty()) {
                       no_bars(symbol, timeframe);
                   }
                   // Tens of thousands of bars through an agent's indicators, and their JSON:
                   // off the I/O threads, then back to the session.
                   auto home = co_await asio::this_coro::executor;
                   co_await asio::post(compute, asio::use_awaitable);
                   std::optional<Response> response;
                   std::exception_ptr error;
                   try {
                       response = indicators_response(symbol, timeframe, agent, *series, limit);
                   } catch (...) {
                       error = std::current_exception();
                   }
                   co_await asio::post(home, asio::use_awaitable);
                   if (error) {
                       std::rethrow_exception(error);
                   }
                   co_return std::move(*response);
               });

    router.add(verb::get, "/v1/agents", sync_handler([&signals](Request&) {
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
                                                       config.agent_weight(agent->name) /
                                                       agent_sum[c]
                                                 : 0.0;
                       out.push_back({{"name", agent->name},
                                      {"category", agents::to_string(agent->category)},
                                      {"parameters", nlohmann::json::parse(agent->parameters)},
                                      {"weight", weight},
                                      {"min_bars", agent->min_bars},
                                      {"lookback", agent->min_bars - 1}});
                   }
                   return Response::json(status::ok, {{"count", list.size()}, {"agents", out}});
               }));
}

}  // namespace gs::http
