// GET /v1/symbols, GET /v1/scan, DELETE /v1/bars/{symbol} and the CSV export, over a real
// server and a standalone (in-memory) service, with the bad input a client can send.
#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "support/test_server.h"

namespace gs::http {
namespace {

using nlohmann::json;
using testing::request;

// `n` daily bars from 2024-01-01, drifting by `drift` a day.
std::string csv_bars(std::size_t n, double drift) {
    std::string out = "time,open,high,low,close,volume\n";
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + drift * static_cast<double>(i) + static_cast<double>(i % 3) * 0.4;
        out += fmt::format("{},{},{},{},{},{}\n", 1704067200 + static_cast<std::int64_t>(i) * 86400,
                           c - 0.2, c + 1, c - 1.2, c, 1000 + i);
    }
    return out;
}

class UniverseRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override { start(testing::TestServer::default_options()); }
    void start(config::ServerOptions options) {
        server = std::make_unique<testing::TestServer>(options);
        orchestrator = std::make_unique<orchestrator::Orchestrator>(
            pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
            orchestrator::Options{});
        signals = std::make_unique<orchestrator::SignalService>(
            store, *orchestrator, orchestrator::SignalServiceOptions{});
        ingest = std::make_unique<orchestrator::IngestService>(store, *signals);
        board = std::make_unique<orchestrator::SignalBoard>(store, *signals);
        add_bar_routes(server->router, store, *ingest, pool.get_executor());
        add_universe_routes(server->router, store, *board);
        add_signal_routes(server->router, store, *signals, pool.get_executor());
        server->start();
    }
    void TearDown() override {
        server->stop();
        // Join the pools while the server's io_context exists: a compute task hands its result
        // to a session's strand and then drops its own copy of that executor (async::run_on);
        // main.cpp joins its pool before the io_context goes the same way.
        pool.stop();
        pool.join();
    }

    void post(const std::string& target, const std::string& csv) {
        auto r = request(server->port(), "POST", target, csv, "text/csv");
        ASSERT_EQ(r.status, 200u) << r.body;
    }
    json get(const std::string& target, unsigned expected = 200) {
        auto r = request(server->port(), "GET", target);
        EXPECT_EQ(r.status, expected) << target << ": " << r.body;
        return json::parse(r.body, nullptr, false);
    }
    std::string error_code(const std::string& target) {
        auto body = get(target, 400);
        return body.is_object() ? body["error"]["code"].get<std::string>() : "";
    }
    void post_universe() {
        post("/v1/bars/AAA", csv_bars(80, 0.5));
        post("/v1/bars/AAB", csv_bars(80, -0.5));
        post("/v1/bars/BBB", csv_bars(60, 0.1));
        post("/v1/bars/AAA?timeframe=1h", csv_bars(10, 0.1));
    }

    boost::asio::thread_pool pool{2};
    market::MemoryBarStore store{5000};
    std::unique_ptr<orchestrator::Orchestrator> orchestrator;
    std::unique_ptr<orchestrator::SignalService> signals;
    std::unique_ptr<orchestrator::IngestService> ingest;
    std::unique_ptr<orchestrator::SignalBoard> board;
    std::unique_ptr<testing::TestServer> server;
};

TEST_F(UniverseRoutesTest, SymbolsListsEverySeriesWithItsBarsAndSpan) {
    post_universe();
    auto body = get("/v1/symbols");
    ASSERT_EQ(body["symbols"].size(), 3u);
    EXPECT_TRUE(body["next_cursor"].is_null());
    const auto& aaa = body["symbols"][0];
    EXPECT_EQ(aaa["symbol"], "AAA");
    EXPECT_EQ(aaa["timeframes"]["1d"]["bars"], 80);
    EXPECT_EQ(aaa["timeframes"]["1d"]["first"], "2024-01-01T00:00:00Z");
    EXPECT_EQ(aaa["timeframes"]["1d"]["last"], "2024-03-20T00:00:00Z");
    EXPECT_EQ(aaa["timeframes"]["1h"]["bars"], 10);
    EXPECT_EQ(body["symbols"][1]["symbol"], "AAB");
    EXPECT_EQ(body["symbols"][2]["symbol"], "BBB");

    body = get("/v1/symbols?timeframe=1h");
    ASSERT_EQ(body["symbols"].size(), 1u);
    EXPECT_FALSE(body["symbols"][0]["timeframes"].contains("1d"));
    body = get("/v1/symbols?prefix=aa");
    ASSERT_EQ(body["symbols"].size(), 2u);
    EXPECT_EQ(body["symbols"][1]["symbol"], "AAB");
}

TEST_F(UniverseRoutesTest, SymbolsPagesWithAnOpaqueCursorUntilNone) {
    post_universe();
    std::vector<std::string> seen;
    std::string target = "/v1/symbols?limit=2";
    for (int page = 0; page < 5; ++page) {
        auto body = get(target);
        for (const auto& item : body["symbols"]) {
            seen.push_back(item["symbol"]);
        }
        if (body["next_cursor"].is_null()) {
            break;
        }
        target = "/v1/symbols?limit=2&cursor=" + body["next_cursor"].get<std::string>();
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"AAA", "AAB", "BBB"}));
}

TEST_F(UniverseRoutesTest, SymbolsRefusesBadParameters) {
    EXPECT_EQ(error_code("/v1/symbols?limit=0"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/symbols?limit=1001"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/symbols?prefix=a%20b"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/symbols?timeframe=2d"), "invalid_timeframe");
    EXPECT_EQ(error_code("/v1/symbols?cursor=AAA"), "invalid_cursor");
    EXPECT_EQ(error_code("/v1/symbols?cursor=s1.zz"), "invalid_cursor");
    EXPECT_EQ(error_code("/v1/symbols?cursor=s1.2f2f"), "invalid_cursor");  // "//"
    EXPECT_EQ(error_code("/v1/symbols?cursor=s1." + std::string(42, 'a')), "invalid_cursor");
}

TEST_F(UniverseRoutesTest, ScanAnswersFromTheCurrentSignalOfEverySymbol) {
    post_universe();
    auto body = get("/v1/scan?sort=symbol");
    EXPECT_EQ(body["timeframe"], "1d");
    EXPECT_EQ(body["total"], 3);
    ASSERT_EQ(body["results"].size(), 3u);
    const auto& first = body["results"][0];
    EXPECT_EQ(first["symbol"], "AAA");
    for (const char* key : {"action", "strength", "score", "confidence", "as_of"}) {
        EXPECT_TRUE(first.contains(key)) << key;
    }
    // The same consensus GET /v1/signals gives.
    auto signal = json::parse(request(server->port(), "GET", "/v1/signals/AAA?agents=false").body);
    EXPECT_EQ(first["action"], signal["action"]);
    EXPECT_EQ(first["score"], signal["score"]);
    EXPECT_EQ(first["as_of"], signal["as_of"]);

    body = get("/v1/scan?limit=1&sort=-score");
    EXPECT_EQ(body["total"], 3);
    ASSERT_EQ(body["results"].size(), 1u);
    body = get("/v1/scan?timeframe=1h");
    EXPECT_EQ(body["total"], 1);
    body = get("/v1/scan?category=trend&sort=score");
    for (const auto& row : body["results"]) {
        EXPECT_TRUE(row.contains("category_score"));
    }
    body = get("/v1/scan?min_score=1&max_score=1");
    EXPECT_EQ(body["total"], 0);
    EXPECT_TRUE(body["results"].empty());
}

TEST_F(UniverseRoutesTest, ScanRefusesBadParameters) {
    EXPECT_EQ(error_code("/v1/scan?action=BUYX"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?action=ABSTAIN"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?min_score=2"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?min_score=abc"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?max_score=nan"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?min_score=0.5&max_score=0.1"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?min_confidence=-0.1"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?category=astrology"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?sort=price"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?limit=501"), "invalid_parameter");
    EXPECT_EQ(error_code("/v1/scan?timeframe=1y"), "invalid_timeframe");
    // Lower case action is taken.
    EXPECT_EQ(get("/v1/scan?action=buy")["total"].is_number(), true);
}

TEST_F(UniverseRoutesTest, DeleteRemovesTheSeriesFromBarsSymbolsAndScan) {
    post_universe();
    auto r = request(server->port(), "DELETE", "/v1/bars/aaa");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto body = json::parse(r.body);
    EXPECT_EQ(body["symbol"], "AAA");
    EXPECT_EQ(body["timeframe"], "1d");
    EXPECT_EQ(body["removed"], 80);

    EXPECT_EQ(request(server->port(), "GET", "/v1/bars/AAA").status, 404u);
    EXPECT_EQ(get("/v1/scan")["total"], 2);
    // Its 1h series stays: one series per DELETE.
    auto symbols = get("/v1/symbols");
    ASSERT_EQ(symbols["symbols"].size(), 3u);
    EXPECT_FALSE(symbols["symbols"][0]["timeframes"].contains("1d"));

    r = request(server->port(), "DELETE", "/v1/bars/AAA");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "unknown_symbol");
    EXPECT_EQ(request(server->port(), "DELETE", "/v1/bars/a%20b").status, 400u);
    EXPECT_EQ(request(server->port(), "DELETE", "/v1/bars/AAB?timeframe=2d").status, 400u);
}

TEST_F(UniverseRoutesTest, CsvExportReimportsAsTheSameBars) {
    const std::string posted = csv_bars(5, 0.5);
    post("/v1/bars/AAA", posted);
    auto r = request(server->port(), "GET", "/v1/bars/AAA?format=csv&limit=3");
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(r.body.substr(0, r.body.find('\n')), "time,open,high,low,close,volume");
    EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '\n'), 4);
    // The last row as posted, its time in ISO 8601.
    const auto last_row = posted.substr(posted.rfind("1704412800,"));
    EXPECT_TRUE(r.body.ends_with("2024-01-05T00:00:00Z" + last_row.substr(10))) << r.body;

    post("/v1/bars/COPY", r.body);
    auto original = json::parse(request(server->port(), "GET", "/v1/bars/AAA?limit=3").body);
    auto copy = json::parse(request(server->port(), "GET", "/v1/bars/COPY").body);
    EXPECT_EQ(original["bars"], copy["bars"]);

    EXPECT_EQ(request(server->port(), "GET", "/v1/bars/AAA?format=xml").status, 400u);
}

TEST_F(UniverseRoutesTest, DeleteNeedsTheWriteTokenWhenOneIsSet) {
    server->stop();
    auto options = testing::TestServer::default_options();
    options.api_token = "w-token";
    start(options);
    EXPECT_EQ(request(server->port(), "DELETE", "/v1/bars/AAA").status, 401u);
    // With the token the request goes through (nothing to delete here).
    auto r = request(server->port(), "DELETE", "/v1/bars/AAA", {}, {},
                     {{"Authorization", "Bearer w-token"}});
    EXPECT_EQ(r.status, 404u) << r.body;
}

}  // namespace
}  // namespace gs::http
