// Served numbers keep every digit: bars of a coin priced around 0.00003 go in through
// POST /v1/bars, and GET /v1/indicators/{symbol} and GET /v1/signals/{symbol} carry exactly the
// doubles the kernels and agents computed (no fixed decimals, no rounding to 1e-6 or 1e-8).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/indicators/macd.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/ingest_service.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "support/reference_data.h"
#include "support/test_server.h"

namespace gs::orchestrator {
namespace {

using gs::testing::ReferenceTable;
using nlohmann::json;

// Significant digits a value needs to be written exactly; 17 at most for a double.
int significant_digits(double x) {
    for (int digits = 1; digits < 17; ++digits) {
        if (std::stod(fmt::format("{:.{}g}", x, digits)) == x) {
            return digits;
        }
    }
    return 17;
}

class ServedPrecisionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        orchestrator = std::make_unique<Orchestrator>(pool.get_executor(), 2, agents::all_agents(),
                                                      consensus::Config{}, Options{});
        signals = std::make_unique<SignalService>(store, *orchestrator, SignalServiceOptions{});
        ingest = std::make_unique<IngestService>(store, *signals);
        http::add_bar_routes(server.router, store, *ingest, pool.get_executor());
        http::add_signal_routes(server.router, store, *signals, pool.get_executor());
        server.start();

        // finance.csv's real bars with prices times 1e-6, as TA-Lib's reference read them.
        const auto table = ReferenceTable::load("finance_scaled_1e-6.csv");
        std::string body = "time,open,high,low,close,volume\n";
        for (std::size_t i = 0; i < table.rows(); ++i) {
            const auto time = market::parse_iso8601(table.text_column("time")[i]);
            ASSERT_TRUE(time);
            body += fmt::format("{},{},{},{},{},{}\n", *time, table.column("open")[i],
                                table.column("high")[i], table.column("low")[i],
                                table.column("close")[i], table.column("volume")[i]);
        }
        const auto posted =
            testing::request(server.port(), "POST", "/v1/bars/COIN", body, "text/csv");
        ASSERT_EQ(posted.status, 200u) << posted.body;
        series = store.get("COIN", market::kDefaultTimeframe);
        ASSERT_TRUE(series);
        ASSERT_EQ(series->size(), table.rows());
        // The bars arrive exactly as written.
        ASSERT_EQ(series->view().close.back(), table.column("close").back());
    }
    void TearDown() override {
        server.stop();
        // Join the pools while the server's io_context exists: a compute task hands its result
        // to a session's strand and then drops its own copy of that executor (async::run_on);
        // main.cpp joins its pool before the io_context goes the same way.
        pool.stop();
        pool.join();
    }

    boost::asio::thread_pool pool{2};
    market::MemoryBarStore store{5000};
    std::unique_ptr<Orchestrator> orchestrator;
    std::unique_ptr<SignalService> signals;
    std::unique_ptr<IngestService> ingest;
    testing::TestServer server;
    std::shared_ptr<const market::BarSeries> series;
};

TEST_F(ServedPrecisionTest, IndicatorSeriesCarryTheKernelsDoubles) {
    const auto r =
        testing::request(server.port(), "GET", "/v1/indicators/COIN?agent=macd&limit=1000");
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto body = json::parse(r.body);
    const std::size_t n = series->size();
    std::vector<double> line(n), signal(n), hist(n);
    indicators::macd(series->view().close, 12, 26, 9, line, signal, hist);
    const std::pair<const char*, const std::vector<double>*> columns[] = {
        {"macd", &line}, {"macd_signal", &signal}, {"macd_hist", &hist}};
    std::size_t long_values = 0;
    for (const auto& [key, expected] : columns) {
        SCOPED_TRACE(key);
        const auto& served = body.at("series").at(key);
        ASSERT_EQ(served.size(), n);
        for (std::size_t i = 0; i < n; ++i) {
            if (std::isnan((*expected)[i])) {
                EXPECT_TRUE(served[i].is_null()) << "bar " << i;
                continue;
            }
            ASSERT_TRUE(served[i].is_number()) << "bar " << i;
            EXPECT_EQ(served[i].get<double>(), (*expected)[i]) << "bar " << i;
            long_values += significant_digits((*expected)[i]) >= 12 ? 1 : 0;
        }
    }
    // MACD of a 0.00003 coin is ~1e-8: 8 fixed decimals left it one digit or zero.
    EXPECT_GT(long_values, n);
}

TEST_F(ServedPrecisionTest, SignalJsonCarriesTheAgentsDoubles) {
    const auto r = testing::request(server.port(), "GET", "/v1/signals/COIN");
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto body = json::parse(r.body);
    const auto expected = orchestrator->compute_inline("COIN", market::kDefaultTimeframe, *series);
    EXPECT_EQ(body.at("score").get<double>(), expected->consensus.score);
    EXPECT_EQ(body.at("confidence").get<double>(), expected->consensus.confidence);
    const auto& list = body.at("agents");
    ASSERT_EQ(list.size(), expected->agents.size());
    std::size_t long_values = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& agent = expected->agents[i];
        SCOPED_TRACE(expected->defs[i]->name);
        ASSERT_EQ(list[i].at("name").get<std::string>(), std::string(expected->defs[i]->name));
        EXPECT_EQ(list[i].at("score").get<double>(), agent.score);
        EXPECT_EQ(list[i].at("confidence").get<double>(), agent.confidence);
        for (const auto& v : agent.values()) {
            const auto& served = list[i].at("indicators").at(std::string(v.key));
            if (!std::isfinite(v.value)) {
                EXPECT_TRUE(served.is_null()) << v.key;
                continue;
            }
            EXPECT_EQ(served.get<double>(), v.value) << v.key;
            long_values += significant_digits(v.value) >= 12 ? 1 : 0;
        }
    }
    // Prices, averages and oscillators of real bars need (nearly) all 17 digits.
    EXPECT_GT(long_values, 50u);
}

}  // namespace
}  // namespace gs::orchestrator
