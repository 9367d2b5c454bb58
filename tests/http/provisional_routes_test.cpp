// POST /v1/bars with a forming bar ("final": false) and GET /v1/signals/{symbol}?provisional=true
// on a real server (issue 16, item 2).
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/orchestrator/provisional_service.h"
#include "support/test_server.h"

namespace gs::http {
namespace {

using nlohmann::json;
using testing::request;

constexpr std::int64_t kDay = 86400;

std::string json_bar(std::int64_t time, double close, const std::string& extra = "") {
    return fmt::format(R"({{"time":{},"open":{},"high":{},"low":{},"close":{},"volume":1000{}}})",
                       time, close - 0.5, close + 1.5, close - 2, close, extra);
}

std::string history(std::size_t n) {
    std::string body = "[";
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + 0.3 * static_cast<double>(i) + (i % 5) * 0.7;
        body += (i == 0 ? "" : ",") + json_bar(static_cast<std::int64_t>(i) * kDay, c);
    }
    return body + "]";
}

class ProvisionalRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        server = std::make_unique<testing::TestServer>();
        orchestrator = std::make_unique<orchestrator::Orchestrator>(
            pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
            orchestrator::Options{});
        signals = std::make_unique<orchestrator::SignalService>(
            store, *orchestrator, orchestrator::SignalServiceOptions{});
        ingest = std::make_unique<orchestrator::IngestService>(store, *signals);
        // An interval longer than the test: only the leading edge computes, nothing waits on
        // a clock.
        provisional = std::make_unique<orchestrator::ProvisionalService>(
            store, *orchestrator, server->io.get_executor(), pool.get_executor(),
            orchestrator::ProvisionalOptions{.interval = std::chrono::hours(1)});
        ingest->set_provisional(provisional.get());
        add_bar_routes(server->router, store, *ingest, pool.get_executor(), nullptr,
                       provisional.get());
        add_signal_routes(server->router, store, *signals, pool.get_executor(), provisional.get());
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

    testing::RawResponse post(const std::string& body) {
        return request(server->port(), "POST", "/v1/bars/A", body, "application/json");
    }
    json get_json(const std::string& target) {
        auto r = request(server->port(), "GET", target);
        EXPECT_EQ(r.status, 200u) << r.body;
        return json::parse(r.body);
    }
    // The provisional signal once computed (the computation runs after the POST answers).
    json wait_provisional() {
        for (int i = 0; i < 3000; ++i) {
            auto body = get_json("/v1/signals/A?provisional=true");
            if (body.contains("provisional")) {
                return body;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ADD_FAILURE() << "no provisional signal";
        return {};
    }

    boost::asio::thread_pool pool{2};
    market::MemoryBarStore store{5000};
    std::unique_ptr<orchestrator::Orchestrator> orchestrator;
    std::unique_ptr<orchestrator::SignalService> signals;
    std::unique_ptr<orchestrator::IngestService> ingest;
    std::unique_ptr<orchestrator::ProvisionalService> provisional;
    std::unique_ptr<testing::TestServer> server;
};

TEST_F(ProvisionalRoutesTest, AFormingBarIsNotStoredAndItsSignalIsServedOnlyWhenAskedFor) {
    ASSERT_EQ(post(history(300)).status, 200u);
    const auto final_before = get_json("/v1/signals/A");

    auto r = post("[" + json_bar(300 * kDay, 190, R"(,"final":false)") + "]");
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto answer = json::parse(r.body);
    EXPECT_EQ(answer["accepted"], 0);
    EXPECT_EQ(answer["last_time"], "1970-10-27T00:00:00Z");  // day 299, the newest held
    EXPECT_EQ(answer["forming"]["time"], "1970-10-28T00:00:00Z");
    EXPECT_EQ(answer["forming"]["provisional"], "scheduled");

    const auto forming = wait_provisional();
    EXPECT_EQ(forming["provisional"], true);
    EXPECT_EQ(forming["as_of"], "1970-10-28T00:00:00Z");
    EXPECT_TRUE(forming.contains("agents"));
    EXPECT_FALSE(get_json("/v1/signals/A?provisional=true&agents=false").contains("agents"));
    // The default stays the final signal, unchanged; the bars stay the posted ones.
    auto final_now = get_json("/v1/signals/A");
    EXPECT_FALSE(final_now.contains("provisional"));
    final_now.erase("computed_at");
    auto expected = final_before;
    expected.erase("computed_at");
    EXPECT_EQ(final_now, expected);
    EXPECT_EQ(get_json("/v1/bars/A?limit=1000")["bars"].size(), 300u);

    // The period's final bar: the provisional signal vanishes into it.
    ASSERT_EQ(post("[" + json_bar(300 * kDay, 191) + "]").status, 200u);
    const auto closed = get_json("/v1/signals/A?provisional=true");
    EXPECT_FALSE(closed.contains("provisional"));
    EXPECT_EQ(closed["as_of"], "1970-10-28T00:00:00Z");
    EXPECT_EQ(provisional->latest("A", market::Timeframe::k1d), nullptr);
}

TEST_F(ProvisionalRoutesTest, FinalBarsAndAFormingOneInOneBatch) {
    ASSERT_EQ(post(history(300)).status, 200u);
    auto r = post("[" + json_bar(300 * kDay, 190, R"(,"final":true)") + "," +
                  json_bar(301 * kDay, 192, R"(,"final":false)") + "]");
    ASSERT_EQ(r.status, 200u) << r.body;
    const auto answer = json::parse(r.body);
    EXPECT_EQ(answer["accepted"], 1);
    EXPECT_EQ(answer["last_time"], "1970-10-28T00:00:00Z");
    EXPECT_EQ(answer["forming"]["provisional"], "scheduled");
    EXPECT_EQ(store.get("A", market::Timeframe::k1d)->size(), 301u);
    EXPECT_EQ(wait_provisional()["as_of"], "1970-10-29T00:00:00Z");
    // A forming bar of a series never posted computes nothing.
    auto unknown = request(server->port(), "POST", "/v1/bars/NEW",
                           "[" + json_bar(0, 10, R"(,"final":false)") + "]", "application/json");
    ASSERT_EQ(unknown.status, 200u);
    EXPECT_EQ(json::parse(unknown.body)["forming"]["provisional"], "no_series");
    EXPECT_EQ(json::parse(unknown.body)["last_time"], nullptr);
}

TEST_F(ProvisionalRoutesTest, MalformedFinalFlagsAre400Json) {
    ASSERT_EQ(post(history(30)).status, 200u);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"[" + json_bar(30 * kDay, 10, R"(,"final":"no")") + "]",
         R"(bar 1: "final" must be true or false)"},
        {"[" + json_bar(30 * kDay, 10, R"(,"final":0)") + "]",
         R"(bar 1: "final" must be true or false)"},
        {"[" + json_bar(30 * kDay, 10, R"(,"final":null)") + "]",
         R"(bar 1: "final" must be true or false)"},
        {"[" + json_bar(30 * kDay, 10, R"(,"final":1e309)") + "]",
         R"(bar 1: "final" must be true or false)"},
        {"[" + json_bar(30 * kDay, 10, R"(,"final":false,"final":false)") + "]",
         R"(bar 1: duplicate "final")"},
        {"[" + json_bar(30 * kDay, 10, R"(,"final":false)") + "," +
             json_bar(31 * kDay, 10, R"(,"final":false)") + "]",
         R"(bar 2: follows a forming bar: only the last bar of a batch may have "final": false)"},
        {"[" + json_bar(32 * kDay, 10) + "," + json_bar(31 * kDay, 10, R"(,"final":false)") + "]",
         "bar 2: a forming bar must be newer than every final bar of its batch"},
    };
    for (const auto& [body, message] : cases) {
        auto r = post(body);
        ASSERT_EQ(r.status, 400u) << body << " " << r.body;
        const auto error = json::parse(r.body).at("error");
        EXPECT_EQ(error["code"], "invalid_bars") << body;
        EXPECT_EQ(error["message"], message) << body;
    }
    // Nothing of a refused batch was stored.
    EXPECT_EQ(store.get("A", market::Timeframe::k1d)->size(), 30u);
    EXPECT_EQ(provisional->computed(), 0u);
}

}  // namespace
}  // namespace gs::http
