// POST /v1/bars as a hostile client sends it (issue 10): huge, deep, malformed, many symbols.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/http/system_handlers.h"
#include "support/test_server.h"

namespace gs::http {
namespace {

using nlohmann::json;
using testing::request;

constexpr std::size_t kMaxSeries = 3;

std::string json_bar(std::int64_t time, const std::string& volume = "1000") {
    return fmt::format(R"({{"time":{},"open":10,"high":11,"low":9,"close":10.5,"volume":{}}})",
                       time, volume);
}

json error_of(const testing::RawResponse& r) {
    return json::parse(r.body).at("error");
}

class BarRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        server = std::make_unique<testing::TestServer>();
        orchestrator = std::make_unique<orchestrator::Orchestrator>(
            pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
            orchestrator::Options{});
        signals = std::make_unique<orchestrator::SignalService>(
            store, *orchestrator, orchestrator::SignalServiceOptions{});
        ingest = std::make_unique<orchestrator::IngestService>(store, *signals);
        add_system_routes(server->router, server->readiness, server->registry);
        server->registry.add_collector([this](std::string& out) { store.render_metrics(out); });
        add_bar_routes(server->router, store, *ingest, pool.get_executor());
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

    testing::RawResponse post(const std::string& target, const std::string& body,
                              const std::string& type = "application/json") {
        return request(server->port(), "POST", target, body, type);
    }

    boost::asio::thread_pool pool{2};
    market::MemoryBarStore store{5000, kMaxSeries};
    std::unique_ptr<orchestrator::Orchestrator> orchestrator;
    std::unique_ptr<orchestrator::SignalService> signals;
    std::unique_ptr<orchestrator::IngestService> ingest;
    std::unique_ptr<testing::TestServer> server;
};

TEST_F(BarRoutesTest, NumberBeyondDoubleIs400NamingTheRow) {
    // nlohmann's out_of_range used to escape the parser and become a 500.
    auto r =
        post("/v1/bars/A", "[" + json_bar(1704153600) + "," + json_bar(1704240000, "1e309") + "]");
    ASSERT_EQ(r.status, 400u) << r.body;
    EXPECT_EQ(error_of(r)["code"], "invalid_bars");
    EXPECT_EQ(error_of(r)["message"], "bar 2: volume 1e309 is out of range");
}

TEST_F(BarRoutesTest, ATowerOfArraysIsRefusedAtItsSecondLevel) {
    // Above the inline-parse size, so it also crosses to the compute pool and back.
    std::string body(kBarsBodyLimit, '[');
    auto r = post("/v1/bars/A", body);
    ASSERT_EQ(r.status, 400u) << r.body.substr(0, 200);
    EXPECT_EQ(error_of(r)["message"], "bar 1: not an object");
}

TEST_F(BarRoutesTest, ErrorsEchoAShortPrefixOfAHugeField) {
    std::string csv = "time,open,high,low,close,volume\n1704153600,10,11,9,10,";
    csv += std::string(kBarsBodyLimit - csv.size() - 1, '7') + "x";
    auto r = post("/v1/bars/A", csv, "text/csv");
    ASSERT_EQ(r.status, 400u);
    EXPECT_LT(r.body.size(), 300u) << r.body.substr(0, 300);
    EXPECT_NE(error_of(r)["message"].get<std::string>().find("line 2: volume \"777"),
              std::string::npos)
        << r.body;

    auto bad_timeframe =
        request(server->port(), "GET", "/v1/bars/A?timeframe=" + std::string(8000, 'z'));
    EXPECT_EQ(bad_timeframe.status, 400u);
    EXPECT_LT(bad_timeframe.body.size(), 200u) << bad_timeframe.body;
}

TEST_F(BarRoutesTest, DotSegmentsAreNotSymbols) {
    for (const char* target : {"/v1/bars/%2E", "/v1/bars/%2E%2E", "/v1/bars/.", "/v1/bars/.."}) {
        auto r = post(target, "[" + json_bar(1704153600) + "]");
        EXPECT_EQ(r.status, 400u) << target << " " << r.body;
        if (r.status == 400u) {
            EXPECT_EQ(error_of(r)["code"], "invalid_symbol") << target;
        }
    }
    EXPECT_EQ(store.series_count(), 0u);
}

TEST_F(BarRoutesTest, AcceptedCountsDistinctTimesAndTheLastWins) {
    auto r = post("/v1/bars/A", "[" + json_bar(1704153600, "1") + "," + json_bar(1704153600, "2") +
                                    "," + json_bar(1704240000, "3") + "]");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json::parse(r.body)["accepted"], 2);
    auto bars = json::parse(request(server->port(), "GET", "/v1/bars/A").body)["bars"];
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[0]["volume"], 2);
}

TEST_F(BarRoutesTest, NegativeZeroVolumeIsStoredAsZero) {
    ASSERT_EQ(post("/v1/bars/A", "[" + json_bar(1704153600, "-0.0") + "]").status, 200u);
    ASSERT_EQ(post("/v1/bars/A", "time,open,high,low,close,volume\n1704240000,10,11,9,10,-0\n",
                   "text/csv")
                  .status,
              200u);
    auto got = request(server->port(), "GET", "/v1/bars/A");
    EXPECT_EQ(got.body.find("\"volume\":-0"), std::string::npos) << got.body;
    EXPECT_FALSE(std::signbit(store.get("A", market::Timeframe::k1d)->bar(0).volume));
    EXPECT_FALSE(std::signbit(store.get("A", market::Timeframe::k1d)->bar(1).volume));
}

TEST_F(BarRoutesTest, SeriesPastTheLimitGet507AndExistingOnesStillTakeBars) {
    for (const char* symbol : {"A", "B", "C"}) {
        ASSERT_EQ(post(fmt::format("/v1/bars/{}", symbol), "[" + json_bar(1704153600) + "]").status,
                  200u);
    }
    auto refused = post("/v1/bars/D", "[" + json_bar(1704153600) + "]");
    EXPECT_EQ(refused.status, 507u);
    EXPECT_EQ(error_of(refused)["code"], "symbol_limit");
    auto other_timeframe = post("/v1/bars/A?timeframe=1h", "[" + json_bar(1704153600) + "]");
    EXPECT_EQ(other_timeframe.status, 507u);
    EXPECT_EQ(request(server->port(), "GET", "/v1/bars/D").status, 404u);
    EXPECT_EQ(request(server->port(), "GET", "/v1/bars/A?timeframe=1h").status, 404u);

    auto more = post("/v1/bars/A", "[" + json_bar(1704240000) + "]");
    EXPECT_EQ(more.status, 200u);
    EXPECT_EQ(json::parse(request(server->port(), "GET", "/v1/bars/A").body)["bars"].size(), 2u);

    auto metrics = request(server->port(), "GET", "/metrics");
    EXPECT_NE(metrics.body.find("\ngs_bar_series 3\n"), std::string::npos) << metrics.body;
    EXPECT_NE(metrics.body.find("\ngs_bar_series_limit 3\n"), std::string::npos);
    EXPECT_NE(metrics.body.find("\ngs_bar_series_refused_total 2\n"), std::string::npos);
}

}  // namespace
}  // namespace gs::http
