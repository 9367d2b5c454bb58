// GET /v1/backtest/{symbol} over HTTP: bounds on every parameter (400s naming them), 404 for an
// unknown series, the answer's shape, and no look-ahead end to end: the backtest's action and
// score at bar k are those GET /v1/signals gives after posting bars[0..k] to a fresh symbol.
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
        server->start();
        lines = demo_lines();
        ASSERT_EQ(lines.size(), 254u);
        ASSERT_EQ(post("DEMO", csv_prefix(lines, 253)).status, 200u);
    }
    void TearDown() override { server->stop(); }

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
        {"weighting=adaptive", 400, "adaptive"},
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

}  // namespace
}  // namespace gs::http
