#include "goldensignals/http/api_routes.h"

#include <future>
#include <optional>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/market/time_format.h"
#include "support/test_server.h"
#include "support/wait.h"

namespace gs::http {
namespace {

using nlohmann::json;
using testing::request;

// n daily bars of a gentle up-trend with a wiggle, starting 2020-01-01.
std::string csv_bars(std::size_t n, double start = 100.0) {
    std::string body = "time,open,high,low,close,volume\n";
    for (std::size_t i = 0; i < n; ++i) {
        const double c = start + 0.1 * static_cast<double>(i) + ((i % 5) - 2) * 0.3;
        const double o = c - 0.2;
        body += fmt::format("{},{:.4f},{:.4f},{:.4f},{:.4f},{}\n", 1577836800 + 86400 * i, o,
                            c + 0.5, o - 0.5, c, 1000 + 10 * (i % 7));
    }
    return body;
}

std::string error_code(const testing::RawResponse& r) {
    return json::parse(r.body).at("error").at("code").get<std::string>();
}

class ApiRoutesTest : public ::testing::Test {
  protected:
    // `compute`: where the signal routes compute (default: `pool`).
    void start(std::string token = {},
               std::optional<boost::asio::any_io_executor> compute = std::nullopt) {
        auto options = testing::TestServer::default_options();
        options.api_token = std::move(token);
        server = std::make_unique<testing::TestServer>(options);
        orchestrator = std::make_unique<orchestrator::Orchestrator>(
            pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
            orchestrator::Options{});
        signals = std::make_unique<orchestrator::SignalService>(
            store, *orchestrator, orchestrator::SignalServiceOptions{});
        ingest = std::make_unique<orchestrator::IngestService>(store, *signals);
        ingest->score_with(&accuracy);
        add_bar_routes(server->router, store, *ingest, pool.get_executor());
        add_signal_routes(server->router, store, *signals, compute ? *compute : pool.get_executor(),
                          nullptr, &accuracy);
        server->start();
    }
    void TearDown() override {
        if (server) {
            server->stop();
        }
        // Join the pools while the server's io_context exists: a compute task hands its result
        // to a session's strand and then drops its own copy of that executor (async::run_on);
        // main.cpp joins its pool before the io_context goes the same way.
        pool.stop();
        pool.join();
    }
    testing::RawResponse post_csv(const std::string& symbol, const std::string& body,
                                  const std::string& query = "") {
        return request(server->port(), "POST", "/v1/bars/" + symbol + query, body, "text/csv");
    }

    static std::vector<std::string> agent_names() {
        std::vector<std::string> names;
        for (const auto* agent : agents::all_agents()) {
            names.emplace_back(agent->name);
        }
        return names;
    }

    boost::asio::thread_pool pool{2};
    market::MemoryBarStore store{5000};
    accuracy::LiveAccuracy accuracy{agent_names(), {.horizon = 1, .window = 50}};
    std::unique_ptr<orchestrator::Orchestrator> orchestrator;
    std::unique_ptr<orchestrator::SignalService> signals;
    std::unique_ptr<orchestrator::IngestService> ingest;
    std::unique_ptr<testing::TestServer> server;
};

TEST_F(ApiRoutesTest, PostedCsvBarsComeBackSortedAndLimited) {
    start();
    auto posted = post_csv("aapl", csv_bars(30));
    ASSERT_EQ(posted.status, 200u) << posted.body;
    auto body = json::parse(posted.body);
    EXPECT_EQ(body["symbol"], "AAPL");
    EXPECT_EQ(body["timeframe"], "1d");
    EXPECT_EQ(body["accepted"], 30);
    EXPECT_EQ(body["last_time"], "2020-01-30T00:00:00Z");

    auto got = request(server->port(), "GET", "/v1/bars/AAPL?limit=5");
    ASSERT_EQ(got.status, 200u);
    auto bars = json::parse(got.body)["bars"];
    ASSERT_EQ(bars.size(), 5u);
    EXPECT_EQ(bars[0]["time"], "2020-01-26T00:00:00Z");
    EXPECT_EQ(bars[4]["time"], "2020-01-30T00:00:00Z");
}

TEST_F(ApiRoutesTest, PostedJsonBarsUpsertByTime) {
    start();
    const std::string first =
        R"([{"time":"2024-01-03T00:00:00Z","open":10,"high":11,"low":9,"close":10,"volume":5},
                                  {"time":1704153600,"open":9,"high":10,"low":8,"close":9.5,"volume":5}])";
    ASSERT_EQ(request(server->port(), "POST", "/v1/bars/MSFT?timeframe=1h", first,
                      "application/json; charset=utf-8")
                  .status,
              200u);
    const std::string fix =
        R"([{"time":"2024-01-03T00:00:00Z","open":10,"high":12,"low":9,"close":11.5,"volume":7}])";
    ASSERT_EQ(request(server->port(), "POST", "/v1/bars/MSFT?timeframe=1h", fix, "application/json")
                  .status,
              200u);
    auto bars =
        json::parse(request(server->port(), "GET", "/v1/bars/MSFT?timeframe=1h").body)["bars"];
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[0]["time"], "2024-01-02T00:00:00Z");
    EXPECT_EQ(bars[1]["close"], 11.5);
    EXPECT_EQ(request(server->port(), "GET", "/v1/bars/MSFT").status, 404u);  // 1d is empty
}

TEST_F(ApiRoutesTest, BadBatchIsRefusedWholeAndNamesTheRow) {
    start();
    std::string body = csv_bars(10);
    body += "1590000000,10,9,9.5,10,1\n";  // high below max(open, close)
    auto r = post_csv("IBM", body);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(error_code(r), "invalid_bars");
    EXPECT_NE(r.body.find("line 12"), std::string::npos) << r.body;
    EXPECT_EQ(request(server->port(), "GET", "/v1/bars/IBM").status, 404u);
}

TEST_F(ApiRoutesTest, RejectsBadSymbolTimeframeTypeAndSize) {
    start();
    auto bad_symbol = post_csv("WAY-TOO-LONG-SYMBOL-NAME", csv_bars(2));
    EXPECT_EQ(bad_symbol.status, 400u);
    EXPECT_EQ(error_code(bad_symbol), "invalid_symbol");
    auto bad_timeframe = post_csv("A", csv_bars(2), "?timeframe=2d");
    EXPECT_EQ(bad_timeframe.status, 400u);
    EXPECT_EQ(error_code(bad_timeframe), "invalid_timeframe");
    auto bad_type = request(server->port(), "POST", "/v1/bars/A", csv_bars(2), "text/plain");
    EXPECT_EQ(bad_type.status, 415u);
    EXPECT_EQ(error_code(bad_type), "unsupported_media_type");
    auto too_big = request(server->port(), "POST", "/v1/bars/A",
                           std::string(kBarsBodyLimit + 1, ' '), "text/csv");
    EXPECT_EQ(too_big.status, 413u);
    auto bad_limit = request(server->port(), "GET", "/v1/bars/A?limit=0");
    EXPECT_EQ(bad_limit.status, 400u);
}

TEST_F(ApiRoutesTest, MoreThanTheRowLimitIs413) {
    start();
    std::string body = "time,open,high,low,close,volume\n";
    body.reserve(3'000'000);
    for (int i = 0; i <= 100'000; ++i) {
        body += "1,1,1,1,1,1\n";
    }
    auto r = post_csv("BIG", body);
    EXPECT_EQ(r.status, 413u);
    EXPECT_EQ(error_code(r), "too_many_bars");
}

TEST_F(ApiRoutesTest, WritesNeedTheTokenWhenOneIsSet) {
    start("s3cret");
    EXPECT_EQ(post_csv("A", csv_bars(3)).status, 401u);
    auto wrong = request(server->port(), "POST", "/v1/bars/A", csv_bars(3), "text/csv",
                         {{"Authorization", "Bearer nope"}});
    EXPECT_EQ(wrong.status, 401u);
    EXPECT_EQ(error_code(wrong), "unauthorized");
    auto right = request(server->port(), "POST", "/v1/bars/A", csv_bars(3), "text/csv",
                         {{"Authorization", "Bearer s3cret"}});
    EXPECT_EQ(right.status, 200u);
    EXPECT_EQ(request(server->port(), "GET", "/v1/bars/A").status, 200u);  // reads stay open
}

TEST_F(ApiRoutesTest, SignalHasEveryAgentAndTheConsensus) {
    start();
    ASSERT_EQ(post_csv("SPY", csv_bars(300)).status, 200u);
    auto r = request(server->port(), "GET", "/v1/signals/spy");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto body = json::parse(r.body);
    EXPECT_EQ(body["symbol"], "SPY");
    EXPECT_EQ(body["as_of"], "2020-10-26T00:00:00Z");
    EXPECT_EQ(body["agents"].size(), agents::all_agents().size());
    const auto votes = body["votes"];
    EXPECT_EQ(votes["buy"].get<int>() + votes["sell"].get<int>() + votes["hold"].get<int>() +
                  votes["abstain"].get<int>(),
              static_cast<int>(agents::all_agents().size()));
    for (const auto& agent : body["agents"]) {
        const double confidence = agent["confidence"].get<double>();
        EXPECT_GE(confidence, 0.0);
        EXPECT_LE(confidence, 1.0);
    }
    const std::string action = body["action"];
    EXPECT_TRUE(action == "BUY" || action == "SELL" || action == "HOLD") << action;

    auto summary_response = request(server->port(), "GET", "/v1/signals/SPY?agents=false");
    EXPECT_EQ(summary_response.header("X-Cache"), "L1");
    auto summary = json::parse(summary_response.body);
    EXPECT_FALSE(summary.contains("agents"));
    EXPECT_EQ(summary["score"], body["score"]);
}

TEST_F(ApiRoutesTest, NewBarsMakeANewSignal) {
    start();
    ASSERT_EQ(post_csv("QQQ", csv_bars(250)).status, 200u);
    auto before = json::parse(request(server->port(), "GET", "/v1/signals/QQQ").body);
    ASSERT_EQ(
        post_csv("QQQ", "time,open,high,low,close,volume\n1999999999,150,151,149,150.5,1000\n")
            .status,
        200u);
    auto after = json::parse(request(server->port(), "GET", "/v1/signals/QQQ").body);
    EXPECT_NE(before["as_of"], after["as_of"]);
    EXPECT_EQ(after["as_of"], "2033-05-18T03:33:19Z");
}

TEST_F(ApiRoutesTest, BatchSignalsListMissingSymbols) {
    start();
    ASSERT_EQ(post_csv("AAA", csv_bars(60)).status, 200u);
    ASSERT_EQ(post_csv("BBB", csv_bars(60, 50)).status, 200u);
    auto r = request(server->port(), "GET", "/v1/signals?symbols=aaa,BBB,ZZZ,AAA");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto body = json::parse(r.body);
    ASSERT_EQ(body["signals"].size(), 2u);
    EXPECT_EQ(body["signals"][0]["symbol"], "AAA");
    EXPECT_FALSE(body["signals"][0].contains("agents"));
    EXPECT_EQ(body["missing"], json::array({"ZZZ"}));
    EXPECT_EQ(request(server->port(), "GET", "/v1/signals").status, 400u);
    EXPECT_EQ(request(server->port(), "GET", "/v1/signals?symbols=A,B%20C").status, 400u);
    std::string many = "/v1/signals?symbols=S0";
    for (int i = 1; i <= 100; ++i) {
        many += fmt::format(",S{}", i);
    }
    EXPECT_EQ(error_code(request(server->port(), "GET", many)), "too_many_symbols");
}

TEST_F(ApiRoutesTest, UnknownSymbolIs404) {
    start();
    auto r = request(server->port(), "GET", "/v1/signals/NOPE");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(error_code(r), "unknown_symbol");
}

TEST_F(ApiRoutesTest, IndicatorSeriesAlignWithBarsAndWarmUpIsNull) {
    start();
    ASSERT_EQ(post_csv("DIA", csv_bars(220)).status, 200u);
    auto r = request(server->port(), "GET", "/v1/indicators/DIA?agent=sma_cross&limit=30");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto body = json::parse(r.body);
    ASSERT_EQ(body["time"].size(), 30u);
    EXPECT_EQ(body["series"]["sma_50"].size(), 30u);
    EXPECT_FALSE(body["series"]["sma_200"].back().is_null());
    auto full = json::parse(
        request(server->port(), "GET", "/v1/indicators/DIA?agent=sma_cross&limit=1000").body);
    EXPECT_EQ(full["time"].size(), 220u);
    EXPECT_TRUE(full["series"]["sma_200"][198].is_null());
    EXPECT_FALSE(full["series"]["sma_200"][199].is_null());
    EXPECT_EQ(request(server->port(), "GET", "/v1/indicators/DIA").status, 400u);
    EXPECT_EQ(error_code(request(server->port(), "GET", "/v1/indicators/DIA?agent=astrology")),
              "unknown_agent");
}

// The series of tens of thousands of bars must not hold an I/O thread: they are computed on
// the compute executor. Here that is an io_context the test runs itself, so the request can
// only be answered once the test has run the work it posted there.
TEST_F(ApiRoutesTest, IndicatorsAreComputedOnTheComputeExecutor) {
    boost::asio::io_context compute;
    auto work = boost::asio::make_work_guard(compute);
    start({}, compute.get_executor());
    ASSERT_EQ(post_csv("DIA", csv_bars(220)).status, 200u);
    auto answer = std::async(std::launch::async, [port = server->port()] {
        return request(port, "GET", "/v1/indicators/DIA?agent=sma_cross&limit=30");
    });
    // Run the compute executor until the answer comes (async::run_on takes more than one step
    // there: the spawned work, then its completion).
    std::size_t ran = 0;
    ASSERT_TRUE(support::wait_until([&] {
        ran += compute.poll();
        return answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    })) << "no answer";
    EXPECT_GT(ran, 0u) << "nothing was posted to the compute executor";
    const auto r = answer.get();
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json::parse(r.body)["time"].size(), 30u);
}

// The body GET /v1/indicators gave before the kept columns (issue 12): series() over every
// bar held on each request, cut to the newest `limit`, as an nlohmann tree.
std::string batch_indicators_body(const market::BarSeries& series, const std::string& symbol,
                                  const agents::AgentDef& agent, std::size_t limit) {
    agents::SeriesSet set;
    agent.series(series.view(), set);
    const std::size_t n = series.size();
    const std::size_t from = n - std::min(limit, n);
    json times = json::array();
    for (std::size_t i = from; i < n; ++i) {
        times.push_back(market::format_iso8601(series.view().time[i]));
    }
    json out_series = json::object();
    for (const auto& [key, values] : set.series) {
        json column = json::array();
        for (std::size_t i = from; i < n && i < values.size(); ++i) {
            column.push_back(std::isfinite(values[i]) ? json(values[i]) : json(nullptr));
        }
        out_series[std::string(key)] = std::move(column);
    }
    return json{{"symbol", symbol},
                {"timeframe", "1d"},
                {"agent", agent.name},
                {"time", std::move(times)},
                {"series", std::move(out_series)}}
        .dump();
}

// The kept columns answer byte for byte what series() over the bars held gave, for every agent,
// at a normal and a tiny price scale, after the first request (a build), after new bars
// (appended from the streaming form) and after a correction (a new epoch, rebuilt).
TEST_F(ApiRoutesTest, IndicatorColumnsAnswerExactlyWhatTheBatchSeriesGave) {
    start();
    for (const auto& [symbol_binding, scale] : {std::pair<std::string, double>{"WALK", 50.0},
                                                std::pair<std::string, double>{"COIN", 1e-5}}) {
        // A named copy: clang 14 rejects lambdas capturing structured bindings.
        const std::string symbol = symbol_binding;
        const auto walk = agents::flow_agent_test::random_bars(41, 720, scale);
        std::vector<market::Bar> bars;
        for (std::size_t i = 0; i < walk.size(); ++i) {
            bars.push_back({walk.time[i], walk.open[i], walk.high[i], walk.low[i], walk.close[i],
                            walk.volume[i]});
        }
        auto expect_batch = [&](const std::string& when) {
            const auto held = store.get(symbol, market::Timeframe::k1d);
            for (const auto* agent : agents::all_agents()) {
                for (std::size_t limit : {1000u, 30u}) {
                    const auto r = request(server->port(), "GET",
                                           fmt::format("/v1/indicators/{}?agent={}&limit={}",
                                                       symbol, agent->name, limit));
                    ASSERT_EQ(r.status, 200u) << r.body;
                    EXPECT_EQ(r.body, batch_indicators_body(*held, symbol, *agent, limit))
                        << agent->name << " " << when << " limit " << limit;
                    if (limit == 30) {  // again, unchanged: the kept body
                        EXPECT_EQ(request(server->port(), "GET",
                                          fmt::format("/v1/indicators/{}?agent={}&limit={}", symbol,
                                                      agent->name, limit))
                                      .body,
                                  r.body);
                    }
                }
            }
        };
        store.upsert(symbol, market::Timeframe::k1d, std::span(bars).first(700));
        expect_batch("built");
        store.upsert(symbol, market::Timeframe::k1d, std::span(bars).subspan(700, 1));
        store.upsert(symbol, market::Timeframe::k1d, std::span(bars).subspan(701, 19));
        expect_batch("appended");
        market::Bar fix = bars[690];
        fix.close = (fix.close + fix.low) / 2.0;
        store.upsert(symbol, market::Timeframe::k1d, std::span(&fix, 1));
        expect_batch("corrected");
    }
}

TEST_F(ApiRoutesTest, AgentsListHasEveryAgentWithWeights) {
    start();
    auto body = json::parse(request(server->port(), "GET", "/v1/agents").body);
    ASSERT_EQ(body["agents"].size(), agents::all_agents().size());
    double total = 0.0;
    for (const auto& agent : body["agents"]) {
        EXPECT_TRUE(agent["parameters"].is_object());
        EXPECT_GE(agent["min_bars"].get<int>(), 1);
        total += agent["weight"].get<double>();
    }
    EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST_F(ApiRoutesTest, AgentsListCarriesLiveAccuracyOfTheTimeframe) {
    start();
    // 60 daily bars at once, then 20 more one POST each: every signal but the last is scored.
    const std::string all = csv_bars(80);
    std::vector<std::string> lines;
    for (std::size_t at = 0, next; at < all.size(); at = next + 1) {
        next = all.find('\n', at);
        lines.push_back(all.substr(at, next - at));
    }
    std::string head = lines[0] + "\n";
    for (std::size_t i = 1; i <= 60; ++i) {
        head += lines[i] + "\n";
    }
    ASSERT_EQ(post_csv("acc", head).status, 200u);
    std::size_t consensus_calls = 0;
    for (std::size_t i = 61; i <= 80; ++i) {
        const auto before = json::parse(request(server->port(), "GET", "/v1/signals/ACC").body);
        ASSERT_EQ(post_csv("acc", lines[0] + "\n" + lines[i] + "\n").status, 200u);
        consensus_calls += before["action"] == "HOLD" ? 0 : 1;
    }

    const auto body = json::parse(request(server->port(), "GET", "/v1/agents?timeframe=1d").body);
    ASSERT_TRUE(body.contains("live")) << body.dump();
    const auto& live = body["live"];
    EXPECT_EQ(live["timeframe"], "1d");
    EXPECT_EQ(live["horizon"], 1);
    EXPECT_EQ(live["window"], 50);
    EXPECT_EQ(live["consensus"]["count"].get<std::size_t>(), consensus_calls);
    EXPECT_EQ(live["categories"].size(), agents::kCategoryCount);
    std::size_t agent_calls = 0;
    for (const auto& agent : body["agents"]) {
        const auto& acc = agent["live_accuracy"];
        const auto count = acc["count"].get<std::size_t>();
        agent_calls += count;
        EXPECT_LE(count, 20u);
        if (count == 0) {
            EXPECT_TRUE(acc["hit_rate"].is_null());
            EXPECT_TRUE(acc["avg_forward_return"].is_null());
        } else {
            EXPECT_GE(acc["hit_rate"].get<double>(), 0.0);
            EXPECT_LE(acc["hit_rate"].get<double>(), 1.0);
            EXPECT_TRUE(acc["avg_forward_return"].is_number());
        }
    }
    EXPECT_GT(agent_calls, 0u);

    // Another timeframe has nothing scored yet; a bad one is refused.
    const auto hourly = json::parse(request(server->port(), "GET", "/v1/agents?timeframe=1h").body);
    EXPECT_EQ(hourly["live"]["consensus"]["count"], 0);
    EXPECT_TRUE(hourly["live"]["consensus"]["hit_rate"].is_null());
    EXPECT_EQ(hourly["agents"][0]["live_accuracy"]["count"], 0);
    EXPECT_EQ(request(server->port(), "GET", "/v1/agents?timeframe=2d").status, 400u);
}

}  // namespace
}  // namespace gs::http
