// GET /v1/backtest/{symbol} over HTTP: bounds on every parameter (400s naming them), 404 for an
// unknown series, the answer's shape, and no look-ahead end to end: the backtest's action and
// score at bar k are those GET /v1/signals gives after posting bars[0..k] to a fresh symbol.
// The universe jobs (POST /v1/backtests): the same figures per symbol, the ranking and the
// aggregate recomputed here from the per-symbol answers, validation, and the progress stream.
#include <algorithm>
#include <fstream>
#include <future>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "support/test_server.h"
#include "support/wait.h"

namespace gs::http {
namespace {

using nlohmann::json;
using testing::request;

std::vector<std::string> demo_lines() {
    std::ifstream in(std::string(GS_SOURCE_DIR) + "/data/demo/DEMO.csv");
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;  // lines[0] is the header
}

// The header and the first `count` bars.
std::string csv_prefix(const std::vector<std::string>& lines, std::size_t count) {
    std::string body;
    for (std::size_t i = 0; i <= count && i < lines.size(); ++i) {
        body += lines[i];
        body += '\n';
    }
    return body;
}

class BacktestRouteTest : public ::testing::Test {
  protected:
    void SetUp() override {
        server = std::make_unique<testing::TestServer>();
        orchestrator = std::make_unique<orchestrator::Orchestrator>(
            pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
            orchestrator::Options{});
        signals = std::make_unique<orchestrator::SignalService>(
            store, *orchestrator, orchestrator::SignalServiceOptions{});
        ingest = std::make_unique<orchestrator::IngestService>(store, *signals);
        add_bar_routes(server->router, store, *ingest, pool.get_executor());
        add_signal_routes(server->router, store, *signals, pool.get_executor());
        add_backtest_route(server->router, store, *orchestrator, backtest_pool.get_executor());
        add_backtest_job_routes(
            server->router, store,
            make_backtest_jobs(store, *orchestrator, backtest_pool.get_executor(),
                               {.max_symbols = 5, .max_active = 2}));
        server->start();
        lines = demo_lines();
        ASSERT_EQ(lines.size(), 254u);
        ASSERT_EQ(post("DEMO", csv_prefix(lines, 253)).status, 200u);
    }
    void TearDown() override {
        server->stop();
        // Join the pools while the server's io_context exists: a compute task hands its result
        // to a session's strand and then drops its own copy of that executor (async::run_on);
        // main.cpp joins its pool before the io_context goes the same way.
        pool.stop();
        pool.join();
        backtest_pool.stop();
        backtest_pool.join();
    }

    testing::RawResponse post(const std::string& symbol, const std::string& csv) {
        return request(server->port(), "POST", "/v1/bars/" + symbol, csv, "text/csv");
    }
    testing::RawResponse get(const std::string& target) {
        return request(server->port(), "GET", target);
    }

    boost::asio::thread_pool pool{2};
    boost::asio::thread_pool backtest_pool{1};  // where the backtests run
    market::MemoryBarStore store{60'000};
    std::unique_ptr<orchestrator::Orchestrator> orchestrator;
    std::unique_ptr<orchestrator::SignalService> signals;
    std::unique_ptr<orchestrator::IngestService> ingest;
    std::unique_ptr<testing::TestServer> server;
    std::vector<std::string> lines;
};

TEST_F(BacktestRouteTest, BadParametersAreRefusedWithTheirName) {
    const std::vector<std::tuple<std::string, unsigned, std::string>> cases = {
        {"horizon=0", 400, "horizon"},
        {"horizon=1001", 400, "horizon"},
        {"horizon=x", 400, "horizon"},
        {"fee_bps=-1", 400, "fee_bps"},
        {"fee_bps=1000.5", 400, "fee_bps"},
        {"fee_bps=nan", 400, "fee_bps"},
        {"fee_bps=", 400, "fee_bps"},
        {"mode=short", 400, "mode"},
        {"weighting=dynamic", 400, "weighting"},
        {"detail=all", 400, "detail"},
        {"from=yesterday", 400, "from"},
        {"to=99999999999", 400, "to"},
        {"from=2004-01-01&to=2003-06-01", 400, "from must not be after to"},
        {"timeframe=2d", 400, "timeframe"},
    };
    for (const auto& [query, status, word] : cases) {
        const auto r = get("/v1/backtest/DEMO?" + query);
        EXPECT_EQ(r.status, status) << query << ": " << r.body;
        const auto body = json::parse(r.body, nullptr, false);
        ASSERT_TRUE(body.contains("error")) << query << ": " << r.body;
        EXPECT_NE(body["error"]["message"].get<std::string>().find(word), std::string::npos)
            << query << ": " << r.body;
    }
    EXPECT_EQ(get("/v1/backtest/NOPE").status, 404u);
    EXPECT_EQ(get("/v1/backtest/DEMO?timeframe=1h").status, 404u);
    EXPECT_EQ(get("/v1/backtest/SYMBOL_OF_MORE_THAN_20_CHARS").status, 400u);
}

TEST_F(BacktestRouteTest, TooManyBarsToWalkIsRefusedBeforeAnyWork) {
    std::string csv = "time,open,high,low,close,volume\n";
    for (std::size_t i = 0; i < 50'001; ++i) {
        csv += fmt::format("{},10,11,9,10.5,100\n", 946'684'800 + 3600 * i);
    }
    ASSERT_EQ(request(server->port(), "POST", "/v1/bars/LONG?timeframe=1h", csv, "text/csv").status,
              200u);
    const auto r = get("/v1/backtest/LONG?timeframe=1h");
    EXPECT_EQ(r.status, 400u) << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "too_many_bars");
    // An earlier `to` brings it within the bound.
    EXPECT_EQ(get("/v1/backtest/LONG?timeframe=1h&to=946684800").status, 200u);
}

TEST_F(BacktestRouteTest, AThirdBacktestAtOnceIsTurnedAwayWith503) {
    // The compute thread is held: two of three backtests wait there holding their places, and
    // whichever comes third is answered at once.
    std::promise<void> release;
    boost::asio::post(backtest_pool, [done = release.get_future().share()] { done.wait(); });
    std::vector<std::future<testing::RawResponse>> calls;
    for (int i = 0; i < 3; ++i) {
        calls.push_back(
            std::async(std::launch::async, [this] { return get("/v1/backtest/DEMO"); }));
    }
    EXPECT_TRUE(support::wait_until([&] {
        return std::any_of(calls.begin(), calls.end(), [](auto& f) {
            return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
        });
    }));
    release.set_value();
    std::map<unsigned, int> statuses;
    for (auto& call : calls) {
        const auto r = call.get();
        ++statuses[r.status];
        if (r.status == 503u) {
            EXPECT_EQ(json::parse(r.body)["error"]["code"], "backtests_busy");
        }
    }
    EXPECT_EQ(statuses[200u], 2);
    EXPECT_EQ(statuses[503u], 1);
    // The places are given back.
    EXPECT_EQ(get("/v1/backtest/DEMO").status, 200u);
}

TEST_F(BacktestRouteTest, AnswerHasEveryFigureAndTheRange) {
    const auto r =
        get("/v1/backtest/DEMO?from=2003-06-02&to=2004-01-30&horizon=3&fee_bps=2.5"
            "&mode=long_only&detail=bars");
    ASSERT_EQ(r.status, 200u) << r.body;
    const json body = json::parse(r.body);
    EXPECT_EQ(body["symbol"], "DEMO");
    EXPECT_EQ(body["timeframe"], "1d");
    EXPECT_EQ(body["from"], "2003-06-02T00:00:00Z");
    EXPECT_EQ(body["to"], "2004-01-30T00:00:00Z");
    EXPECT_EQ(body["horizon"], 3);
    EXPECT_EQ(body["mode"], "long_only");
    EXPECT_EQ(body["fee_bps"], 2.5);
    EXPECT_EQ(body["weighting"], "static");
    EXPECT_EQ(body["periods_per_year"], 252.0);
    for (const char* key : {"total_return", "buy_and_hold_return", "cagr", "sharpe", "sortino",
                            "max_drawdown", "hit_rate", "trades", "exposure", "turnover"}) {
        EXPECT_TRUE(body["summary"].contains(key)) << key;
    }
    for (const char* key : {"BUY", "SELL", "HOLD"}) {
        EXPECT_TRUE(body["by_action"][key].contains("count")) << key;
    }
    EXPECT_EQ(body["categories"].size(), 6u);
    ASSERT_EQ(body["agents"].size(), 51u);
    EXPECT_TRUE(body["agents"][0].contains("ic"));
    const auto& bars = body["bars_detail"];
    const std::size_t scored = bars.size();
    EXPECT_EQ(body["bars"], scored);
    EXPECT_EQ(scored + body["skipped"].get<std::size_t>(),
              169u);  // DEMO.csv holds 169 bars from 2003-06-02 to 2004-01-30
    EXPECT_EQ(bars[0]["time"], body["from"]);
    EXPECT_EQ(bars[scored - 1]["time"], "2004-01-30T00:00:00Z");
    // long_only: positions are 0 or 1; the equity's last point is 1 + total_return.
    for (const auto& bar : bars) {
        EXPECT_TRUE(bar["position"] == 0 || bar["position"] == 1);
    }
    EXPECT_NEAR(body["equity"].back()[1].get<double>(),
                1.0 + body["summary"]["total_return"].get<double>(), 1e-12);
    EXPECT_EQ(body["equity"].size(), scored);  // under 1,000: every bar
    EXPECT_TRUE(bars[scored - 1]["forward_return"].is_null());
    // Without detail=bars there is no per-bar list.
    EXPECT_FALSE(json::parse(get("/v1/backtest/DEMO").body).contains("bars_detail"));
}

// weighting=adaptive: the adaptive figures, and the static summary beside them equal to the
// static answer's over the same bars (the agents' own figures do not depend on the weighting).
TEST_F(BacktestRouteTest, AdaptiveAnswerShowsStaticAndAdaptiveSideBySide) {
    const std::string query = "/v1/backtest/DEMO?from=2003-06-02&horizon=2";
    const json plain = json::parse(get(query).body);
    const auto r = get(query + "&weighting=adaptive");
    ASSERT_EQ(r.status, 200u) << r.body;
    const json adaptive = json::parse(r.body);
    EXPECT_EQ(adaptive["weighting"], "adaptive");
    EXPECT_FALSE(plain.contains("side_by_side"));
    ASSERT_TRUE(adaptive.contains("side_by_side"));
    EXPECT_EQ(adaptive["side_by_side"]["static"], plain["summary"]);
    EXPECT_EQ(adaptive["side_by_side"]["adaptive"], adaptive["summary"]);
    EXPECT_EQ(adaptive["agents"], plain["agents"]);
    EXPECT_EQ(adaptive["bars"], plain["bars"]);
    // The weights moved the consensus: the two summaries differ.
    EXPECT_NE(adaptive["summary"], plain["summary"]);
}

TEST_F(BacktestRouteTest, EquityIsDownsampledToAThousandPoints) {
    std::string csv = "time,open,high,low,close,volume\n";
    for (std::size_t i = 0; i < 2'400; ++i) {
        const double c = 100.0 + 10.0 * std::sin(static_cast<double>(i) / 17.0);
        csv += fmt::format("{},{},{},{},{},{}\n", 946'684'800 + 86'400 * i, c, c + 1, c - 1, c,
                           1000 + i % 13);
    }
    ASSERT_EQ(post("WAVE", csv).status, 200u);
    const json body = json::parse(get("/v1/backtest/WAVE?detail=bars").body);
    const auto& bars = body["bars_detail"];
    const auto& equity = body["equity"];
    ASSERT_EQ(equity.size(), 1000u);
    EXPECT_GT(bars.size(), 1000u);
    EXPECT_EQ(equity.front()[0], bars.front()["time"]);
    EXPECT_EQ(equity.back()[0], bars.back()["time"]);
    EXPECT_EQ(equity.back()[1], bars.back()["equity"]);
}

TEST_F(BacktestRouteTest, ActionAtBarKIsTheSignalOfAFreshSymbolHoldingBarsUpToK) {
    const json body = json::parse(get("/v1/backtest/DEMO?detail=bars").body);
    const auto& bars = body["bars_detail"];
    ASSERT_GT(bars.size(), 200u);
    const std::size_t skipped = body["skipped"];
    std::size_t checked = 0;
    for (std::size_t k = skipped; k < 253; k += 17) {
        const std::string symbol = fmt::format("K{}", k);
        ASSERT_EQ(post(symbol, csv_prefix(lines, k + 1)).status, 200u);
        const auto live = get("/v1/signals/" + symbol + "?agents=false");
        ASSERT_EQ(live.status, 200u) << live.body;
        const json signal = json::parse(live.body);
        const json& row = bars[k - skipped];
        EXPECT_EQ(row["time"], signal["as_of"]) << k;
        EXPECT_EQ(row["action"], signal["action"]) << k;
        EXPECT_EQ(row["score"].get<double>(), signal["score"].get<double>()) << k;
        ++checked;
    }
    EXPECT_GE(checked, 14u);
}

// ---------------------------------------------------------------------------------------
// Universe jobs

json wait_for_job(std::uint16_t port, const std::string& location) {
    json job;
    support::wait_until(
        [&] {
            job = json::parse(request(port, "GET", location).body, nullptr, false);
            return job.is_object() && job.value("status", "") != "queued" &&
                   job.value("status", "") != "running";
        },
        std::chrono::seconds(30));
    return job;
}

TEST_F(BacktestRouteTest, UniverseJobGivesEachSymbolsSingleBacktestAndRanksThem) {
    ASSERT_EQ(post("EARLY", csv_prefix(lines, 150)).status, 200u);
    ASSERT_EQ(post("TINY", csv_prefix(lines, 3)).status, 200u);
    const auto submitted = request(server->port(), "POST", "/v1/backtests",
                                   R"({"symbols":"*","horizon":2,"fee_bps":5,"mode":"long_only"})",
                                   "application/json");
    ASSERT_EQ(submitted.status, 202u) << submitted.body;
    const auto location = submitted.header("Location");
    ASSERT_TRUE(location.starts_with("/v1/backtests/bt_")) << location;
    const json accepted = json::parse(submitted.body);
    EXPECT_EQ(accepted["progress"]["symbols_total"], 3);
    EXPECT_EQ(accepted["mode"], "long_only");

    const json job = wait_for_job(server->port(), location);
    ASSERT_EQ(job["status"], "done") << job.dump();
    EXPECT_EQ(job["progress"]["symbols_done"], 3);
    ASSERT_EQ(job["results"].size(), 3u);
    // Each symbol's summary is what the single-symbol route answers for the same options.
    double sum = 0.0;
    std::size_t calls = 0, hits = 0;
    std::vector<std::pair<double, std::string>> by_return;
    for (const auto& r : job["results"]) {
        const std::string symbol = r["symbol"];
        const auto single =
            json::parse(get("/v1/backtest/" + symbol + "?horizon=2&fee_bps=5&mode=long_only").body);
        EXPECT_EQ(r["summary"], single["summary"]) << symbol;
        EXPECT_EQ(r["bars"], single["bars"]) << symbol;
        EXPECT_EQ(r["skipped"], single["skipped"]) << symbol;
        // calls x hit rate: the consensus' hits, as the single answer counts them.
        const auto& buy = single["by_action"]["BUY"];
        const auto& sell = single["by_action"]["SELL"];
        if (r["calls"].get<std::size_t>() > 0) {
            EXPECT_NEAR(r["hits"].get<double>() / r["calls"].get<double>(),
                        single["summary"]["hit_rate"].get<double>(), 1e-12)
                << symbol;
        }
        EXPECT_LE(r["calls"].get<std::size_t>(),
                  buy["count"].get<std::size_t>() + sell["count"].get<std::size_t>());
        sum += r["summary"]["total_return"].get<double>();
        calls += r["calls"].get<std::size_t>();
        hits += r["hits"].get<std::size_t>();
        by_return.emplace_back(r["summary"]["total_return"].get<double>(), symbol);
    }
    EXPECT_NEAR(job["aggregate"]["mean_total_return"].get<double>(), sum / 3, 1e-12);
    EXPECT_EQ(job["aggregate"]["calls"], calls);
    if (calls > 0) {
        EXPECT_NEAR(job["aggregate"]["hit_rate"].get<double>(),
                    static_cast<double>(hits) / static_cast<double>(calls), 1e-12);
    }
    std::sort(by_return.begin(), by_return.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    ASSERT_EQ(job["ranking"].size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(job["ranking"][i]["symbol"], by_return[i].second) << i;
    }
}

TEST_F(BacktestRouteTest, UniverseJobReportsASymbolWithoutBarsAndGoesOn) {
    const auto submitted = request(server->port(), "POST", "/v1/backtests",
                                   R"({"symbols":["NOPE","DEMO"]})", "application/json");
    ASSERT_EQ(submitted.status, 202u) << submitted.body;
    const json job = wait_for_job(server->port(), submitted.header("Location"));
    ASSERT_EQ(job["status"], "done") << job.dump();
    EXPECT_EQ(job["results"][0]["symbol"], "NOPE");
    EXPECT_NE(job["results"][0]["error"].get<std::string>().find("no 1d bars"), std::string::npos);
    EXPECT_EQ(job["aggregate"]["failed"], 1);
    EXPECT_EQ(job["ranking"].size(), 1u);
}

TEST_F(BacktestRouteTest, UniverseJobBodiesAreCheckedFieldByField) {
    const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
        {"not json", "invalid_json", "JSON object"},
        {"[1]", "invalid_json", "JSON object"},
        {"{}", "invalid_parameter", "symbols is required"},
        {R"({"symbols":[]})", "invalid_parameter", "non-empty"},
        {R"({"symbols":[1]})", "invalid_parameter", "strings"},
        {R"({"symbols":["BAD SYMBOL"]})", "invalid_symbol", "symbol"},
        {R"({"symbols":["A","B","C","D","E","F"]})", "too_many_symbols", "at most 5"},
        {R"({"symbols":"*","horizon":0})", "invalid_parameter", "horizon"},
        {R"({"symbols":"*","horizon":1.5})", "invalid_parameter", "horizon"},
        {R"({"symbols":"*","fee_bps":-1})", "invalid_parameter", "fee_bps"},
        {R"({"symbols":"*","mode":"short"})", "invalid_parameter", "mode"},
        {R"({"symbols":"*","weighting":"adaptive"})", "invalid_parameter", "adaptive"},
        {R"({"symbols":"*","timeframe":"2d"})", "invalid_timeframe", "timeframe"},
        {R"({"symbols":"*","from":"yesterday"})", "invalid_parameter", "from"},
        {R"({"symbols":"*","from":"2004-01-01","to":"2003-01-01"})", "invalid_parameter",
         "from must not be after to"},
        {R"({"symbols":"*","horizn":2})", "invalid_parameter", "unknown field 'horizn'"},
    };
    for (const auto& [body, code, word] : cases) {
        const auto r = request(server->port(), "POST", "/v1/backtests", body, "application/json");
        EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
        const auto answer = json::parse(r.body, nullptr, false);
        ASSERT_TRUE(answer.contains("error")) << body << ": " << r.body;
        EXPECT_EQ(answer["error"]["code"], code) << body;
        EXPECT_NE(answer["error"]["message"].get<std::string>().find(word), std::string::npos)
            << body << ": " << r.body;
    }
    const auto none = request(server->port(), "POST", "/v1/backtests",
                              R"({"symbols":"*","timeframe":"1h"})", "application/json");
    EXPECT_EQ(none.status, 404u) << none.body;
    EXPECT_EQ(get("/v1/backtests/bt_nope").status, 404u);
    EXPECT_EQ(request(server->port(), "DELETE", "/v1/backtests/bt_nope").status, 404u);
    EXPECT_EQ(get("/v1/backtests/bt_nope/events").status, 404u);
}

TEST_F(BacktestRouteTest, UniverseJobStreamsProgressAndEndsWithDone) {
    const auto submitted = request(server->port(), "POST", "/v1/backtests",
                                   R"({"symbols":["DEMO"]})", "application/json");
    ASSERT_EQ(submitted.status, 202u) << submitted.body;
    // Connection: close and no Content-Length: the response ends when the stream does.
    const auto events = request(server->port(), "GET", submitted.header("Location") + "/events");
    EXPECT_EQ(events.status, 200u);
    EXPECT_EQ(events.header("Content-Type"), "text/event-stream");
    const auto done = events.body.find("event: done\ndata: ");
    ASSERT_NE(done, std::string::npos) << events.body;
    const auto data_start = done + std::string("event: done\ndata: ").size();
    const json last = json::parse(
        events.body.substr(data_start, events.body.find('\n', data_start) - data_start));
    EXPECT_EQ(last["status"], "done");
    EXPECT_EQ(last["progress"]["symbols_done"], 1);
    EXPECT_FALSE(last.contains("results"));  // the events carry progress; GET has the results
}

TEST_F(BacktestRouteTest, DeletingAFinishedJobLeavesItAsItWas) {
    const auto submitted = request(server->port(), "POST", "/v1/backtests",
                                   R"({"symbols":["DEMO"]})", "application/json");
    const auto location = submitted.header("Location");
    ASSERT_EQ(wait_for_job(server->port(), location)["status"], "done");
    const auto deleted = request(server->port(), "DELETE", location);
    EXPECT_EQ(deleted.status, 200u);
    EXPECT_EQ(json::parse(deleted.body)["status"], "done");
}

}  // namespace
}  // namespace gs::http
