// The Binance adapter end to end against tests/feed/replay_server.h: TLS, the combined stream,
// a dropped connection, the REST backfill of the gap, ping/pong, malformed messages, shutdown.
#include "goldensignals/feed/binance/binance_feed.h"

#include <algorithm>
#include <future>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "feed/replay_server.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/live_feed_sink.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "support/wait.h"

namespace gs::feed::binance {
namespace {

namespace asio = boost::asio;
using fake::ReplayServer;
using fake::WsScript;

const std::string kData = GS_FEED_TEST_DATA;
const std::vector<std::string> kSymbols = {"BTCUSDT", "ETHUSDT"};

std::map<std::string, std::string> rest_fixtures() {
    std::map<std::string, std::string> out;
    for (const auto& symbol : kSymbols) {
        out[symbol] = fake::read_file(kData + "/klines_" + symbol + ".json");
    }
    return out;
}

// The script of a run with a gap: the first connection streams minutes 0..4 and is cut, the
// second streams 10..13 and pings; minutes 5..9 are only in the REST history.
std::vector<WsScript> gap_scripts() {
    return {{fake::read_lines(kData + "/ws_session1.jsonl"), true, ""},
            {fake::read_lines(kData + "/ws_session2.jsonl"), false, "are you there"}};
}

class BinanceFeedTest : public ::testing::Test {
  protected:
    BinanceFeedTest()
        : orchestrator_(pool_.get_executor(), 1, agents::all_agents(), consensus::Config{}, {}),
          signals_(store_, orchestrator_, {}),
          ingest_(store_, signals_),
          sink_(ingest_) {}

    ~BinanceFeedTest() override {
        work_.reset();
        io_.stop();
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    BinanceOptions options_for(const ReplayServer& server) {
        BinanceOptions options;
        options.symbols = kSymbols;
        options.ws_url = fmt::format("wss://localhost:{}", server.port());
        options.rest_url = fmt::format("https://localhost:{}", server.port());
        options.ca_file = kData + "/test_ca.pem";
        options.connect_timeout = std::chrono::seconds(5);
        options.backoff_initial = std::chrono::milliseconds(10);
        options.backoff_max = std::chrono::milliseconds(40);
        options.history_bars = 0;
        options.page_limit = 3;  // the 8 bars after the gap take 3 pages
        return options;
    }

    void start(BinanceOptions options) {
        feed_ = make_binance_feed(io_.get_executor(), std::move(options), sink_);
        feed_->start();
        thread_ = std::thread([this] { io_.run(); });
    }

    // stop() as main's shutdown awaits it; true when it completed.
    bool stop() {
        std::promise<void> done;
        asio::co_spawn(io_, feed_->stop(), [&](std::exception_ptr) { done.set_value(); });
        return done.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    }

    std::size_t stored(const std::string& symbol) const {
        auto series = store_.get(symbol, market::Timeframe::k1m);
        return series ? series->size() : 0;
    }

    asio::thread_pool pool_{1};
    market::MemoryBarStore store_{5000};
    orchestrator::Orchestrator orchestrator_;
    orchestrator::SignalService signals_;
    orchestrator::IngestService ingest_;
    orchestrator::LiveFeedSink sink_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    std::thread thread_;
    std::shared_ptr<LiveFeed> feed_;
};

// Runs the gap script to its end: every minute stored and the server's ping answered.
class GapRunTest : public BinanceFeedTest {
  protected:
    void SetUp() override {
        server_ = std::make_unique<ReplayServer>(gap_scripts(), rest_fixtures());
        start(options_for(*server_));
        ASSERT_TRUE(support::wait_until(
            [&] {
                return stored("BTCUSDT") == 13 && stored("ETHUSDT") == 13 &&
                       sink_.forming() == 12 && !server_->observed().pongs.empty();
            },
            std::chrono::seconds(20)))
            << "stored " << stored("BTCUSDT") << " / " << stored("ETHUSDT") << ", forming "
            << sink_.forming();
        ASSERT_TRUE(stop());
    }
    std::unique_ptr<ReplayServer> server_;
};

TEST_F(GapRunTest, EveryClosedMinuteReachesTheStoreOnceWithTheFixturesValues) {
    for (const auto& symbol : kSymbols) {
        const auto rows = nlohmann::json::parse(rest_fixtures().at(symbol));
        auto series = store_.get(symbol, market::Timeframe::k1m);
        ASSERT_NE(series, nullptr) << symbol;
        ASSERT_EQ(series->size(), rows.size()) << symbol;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto& row = rows[i];
            const auto bar = series->bar(i);
            EXPECT_EQ(bar.time, row[0].get<std::int64_t>() / 1000) << symbol << " " << i;
            EXPECT_EQ(bar.open, std::stod(row[1].get<std::string>())) << symbol << " " << i;
            EXPECT_EQ(bar.high, std::stod(row[2].get<std::string>())) << symbol << " " << i;
            EXPECT_EQ(bar.low, std::stod(row[3].get<std::string>())) << symbol << " " << i;
            EXPECT_EQ(bar.close, std::stod(row[4].get<std::string>())) << symbol << " " << i;
            EXPECT_EQ(bar.volume, std::stod(row[5].get<std::string>())) << symbol << " " << i;
        }
    }
    // Ingested exactly once each: 5 streamed + 8 from history per symbol; the stream's
    // minutes 10..12 after the reconnect were duplicates of the history.
    EXPECT_EQ(sink_.ingested(), 26u);
    EXPECT_EQ(sink_.failed(), 0u);
    const auto& m = feed_->metrics();
    EXPECT_EQ(m.messages(MessageKind::kFinal), 10u);
    EXPECT_EQ(m.backfilled_bars.load(), 16u);
    EXPECT_EQ(m.messages(MessageKind::kDuplicate), 6u);
    EXPECT_EQ(m.messages(MessageKind::kForming), 12u);
    EXPECT_EQ(sink_.forming(), 12u);
}

TEST_F(GapRunTest, ReconnectsAfterTheDropAndPagesTheHistoryFromTheLastClosedMinute) {
    const auto seen = server_->observed();
    EXPECT_EQ(seen.ws_connections, 2);
    EXPECT_EQ(feed_->metrics().reconnects.load(), 1u);
    ASSERT_EQ(seen.ws_targets.size(), 2u);
    EXPECT_EQ(seen.ws_targets[0], "/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m");
    // Minute 4 (1672531440000) was the last closed one: the history starts at minute 5, then
    // each page after the last open time of the one before; the short third page ends it.
    std::vector<std::string> starts;
    for (const auto& target : seen.rest_targets) {
        auto at = target.find("startTime=");
        starts.push_back(target.substr(0, target.find('&')) + " " +
                         target.substr(at + 10, target.find('&', at) - at - 10));
    }
    const std::vector<std::string> expected = {"/api/v3/klines?symbol=BTCUSDT 1672531500000",
                                               "/api/v3/klines?symbol=BTCUSDT 1672531620001",
                                               "/api/v3/klines?symbol=BTCUSDT 1672531800001",
                                               "/api/v3/klines?symbol=ETHUSDT 1672531500000",
                                               "/api/v3/klines?symbol=ETHUSDT 1672531620001",
                                               "/api/v3/klines?symbol=ETHUSDT 1672531800001"};
    EXPECT_EQ(starts, expected);
    EXPECT_EQ(feed_->metrics().backfill_requests.load(), 6u);
}

TEST_F(GapRunTest, AnswersTheServersPingAndClosesWithACloseFrame) {
    const auto seen = server_->observed();
    ASSERT_FALSE(seen.pongs.empty());
    EXPECT_EQ(seen.pongs.front(), "are you there");  // a pong carries the ping's payload
    EXPECT_GE(feed_->metrics().messages(MessageKind::kPing), 1u);
    // The server counts it once its reply to the close frame is out.
    EXPECT_TRUE(support::wait_until([&] { return server_->observed().close_frames == 1; }));
    EXPECT_FALSE(feed_->metrics().connected.load());
}

TEST_F(GapRunTest, CountsAndSkipsMalformedMessages) {
    EXPECT_EQ(feed_->metrics().messages(MessageKind::kMalformed), 4u);
    EXPECT_EQ(feed_->metrics().messages(MessageKind::kOther), 1u);  // the subscription reply
    EXPECT_GE(feed_->metrics().lag_observations(), 10u);
    std::string out;
    feed_->metrics().render(out, "binance");
    EXPECT_NE(out.find("gs_feed_messages_total{feed=\"binance\",kind=\"malformed\"} 4\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("gs_feed_backfilled_bars_total{feed=\"binance\"} 16\n"), std::string::npos);
    EXPECT_NE(out.find("gs_feed_reconnects_total{feed=\"binance\"} 1\n"), std::string::npos);
    EXPECT_NE(out.find("gs_feed_lag_seconds_count{feed=\"binance\"}"), std::string::npos);
}

// What the feed hands its sink, in order, straight from the adapter (no store in between: the
// store's upsert would hide a bar delivered twice).
class RecordingSink final : public FeedSink {
  public:
    asio::awaitable<void> on_bar(BarEvent event) override {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
        co_return;
    }
    void on_status(std::string_view, FeedStatus, std::string_view) override {}
    std::vector<BarEvent> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::size_t finals() const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(
            std::count_if(events_.begin(), events_.end(), [](const auto& e) { return e.final; }));
    }

  private:
    mutable std::mutex mutex_;
    std::vector<BarEvent> events_;
};

TEST(BinanceGapTest, TheBackfillFillsTheGapExactlyEveryMissingMinuteOnceInOrder) {
    ReplayServer server(gap_scripts(), rest_fixtures());
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread thread([&] { io.run(); });
    RecordingSink sink;
    BinanceOptions options;
    options.symbols = kSymbols;
    options.ws_url = fmt::format("wss://localhost:{}", server.port());
    options.rest_url = fmt::format("https://localhost:{}", server.port());
    options.ca_file = kData + "/test_ca.pem";
    options.backoff_initial = std::chrono::milliseconds(10);
    options.backoff_max = std::chrono::milliseconds(40);
    options.history_bars = 0;
    options.page_limit = 3;
    auto feed = make_binance_feed(io.get_executor(), options, sink);
    feed->start();
    // 13 closed minutes per symbol and the forming minute 13 of the second connection.
    const bool done = support::wait_until(
        [&] {
            const auto events = sink.events();
            return sink.finals() >= 26 &&
                   std::count_if(events.begin(), events.end(), [](const auto& e) {
                       return !e.final && e.bar.time == 1672531980;
                   }) == 2;
        },
        std::chrono::seconds(20));
    std::promise<void> stopped;
    asio::co_spawn(io, feed->stop(), [&](std::exception_ptr) { stopped.set_value(); });
    const bool stop_completed =
        stopped.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    work.reset();
    io.stop();
    thread.join();
    ASSERT_TRUE(done) << sink.finals() << " closed bars";
    ASSERT_TRUE(stop_completed);

    const auto events = sink.events();
    for (const auto& symbol : kSymbols) {
        const auto rows = nlohmann::json::parse(rest_fixtures().at(symbol));
        std::vector<std::int64_t> expected;
        std::vector<bool> expected_backfilled;
        for (const auto& row : rows) {
            const auto minute = (row[0].get<std::int64_t>() - 1672531200000) / 60'000;
            expected.push_back(row[0].get<std::int64_t>() / 1000);
            // Minutes 0..4 streamed before the drop; 5..12 came from the history, so the
            // stream's 10..12 after the reconnect were already delivered.
            expected_backfilled.push_back(minute >= 5);
        }
        std::vector<std::int64_t> finals;
        std::vector<bool> backfilled;
        std::int64_t last_final = 0;
        for (const auto& event : events) {
            if (event.symbol != symbol) {
                continue;
            }
            EXPECT_EQ(event.timeframe, market::Timeframe::k1m);
            if (event.final) {
                finals.push_back(event.bar.time);
                backfilled.push_back(event.backfilled);
                last_final = event.bar.time;
            } else {
                // A forming bar only after the last closed bar of its series.
                EXPECT_GT(event.bar.time, last_final) << symbol;
            }
        }
        // Every closed minute, each exactly once, in time order: none missing, none repeated.
        EXPECT_EQ(finals, expected) << symbol;
        EXPECT_EQ(backfilled, expected_backfilled) << symbol;
    }
}

TEST_F(BinanceFeedTest, AFailedBackfillIsRetriedFromTheSamePointOnTheNextConnection) {
    // The first two history requests fail (503): the feed drops the connection, backs off and
    // tries again, so the gap is still filled exactly.
    auto scripts = gap_scripts();
    scripts.insert(scripts.begin() + 1, WsScript{{}, false, ""});  // held: the failure cuts it
    scripts.insert(scripts.begin() + 1, WsScript{{}, false, ""});
    ReplayServer server(scripts, rest_fixtures(), 2);
    start(options_for(server));
    ASSERT_TRUE(
        support::wait_until([&] { return stored("BTCUSDT") == 13 && stored("ETHUSDT") == 13; },
                            std::chrono::seconds(20)));
    ASSERT_TRUE(stop());
    EXPECT_EQ(sink_.ingested(), 26u);
    EXPECT_EQ(server.observed().ws_connections, 4);
    EXPECT_EQ(feed_->metrics().reconnects.load(), 3u);
    EXPECT_EQ(feed_->metrics().backfilled_bars.load(), 16u);
}

TEST_F(BinanceFeedTest, FetchesHistoryAtTheFirstConnectionWhenAsked) {
    // history_bars reaches back from now; the fixtures are from 2023, so a history of 5 bars
    // asks for the last 5 minutes and finds none: the request itself is what is checked.
    ReplayServer server({{{}, false, ""}}, rest_fixtures());
    auto options = options_for(server);
    options.history_bars = 5;
    start(options);
    ASSERT_TRUE(support::wait_until([&] { return server.observed().rest_targets.size() == 2; }));
    ASSERT_TRUE(stop());
    const auto target = server.observed().rest_targets.front();
    const auto at = target.find("startTime=") + 10;
    const long long start_ms = std::stoll(target.substr(at, target.find('&', at) - at));
    EXPECT_EQ(start_ms % 60'000, 0);
    const long long now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    EXPECT_LE(now_ms - start_ms, 7 * 60'000);
    EXPECT_GE(now_ms - start_ms, 5 * 60'000);
}

TEST_F(BinanceFeedTest, StopsWhileItCannotConnect) {
    // Nothing to connect to: the feed keeps backing off until it is stopped.
    BinanceOptions options;
    options.symbols = {"BTCUSDT"};
    options.ws_url = "wss://localhost:1";  // nothing listens on port 1
    options.rest_url = "https://localhost:1";
    options.backoff_initial = std::chrono::milliseconds(10);
    options.backoff_max = std::chrono::milliseconds(20);
    start(options);
    ASSERT_TRUE(support::wait_until([&] { return feed_->metrics().reconnects.load() >= 3; }));
    EXPECT_TRUE(stop());
    EXPECT_EQ(stored("BTCUSDT"), 0u);
}

TEST(BinanceFeedOptionsTest, RefusesBadUrlsAndCaFiles) {
    asio::io_context io;
    struct NullSink final : FeedSink {
        asio::awaitable<void> on_bar(BarEvent) override { co_return; }
        void on_status(std::string_view, FeedStatus, std::string_view) override {}
    } sink;
    BinanceOptions options;
    options.symbols = {"BTCUSDT"};
    for (const char* url : {"ws://localhost:9443", "https://x", "wss://", "wss://host:0",
                            "wss://host:99999", "wss://host/path?q=1"}) {
        auto bad = options;
        bad.ws_url = url;
        EXPECT_THROW(make_binance_feed(io.get_executor(), bad, sink), std::invalid_argument) << url;
    }
    auto bad = options;
    bad.ca_file = "/nonexistent/ca.pem";
    EXPECT_THROW(make_binance_feed(io.get_executor(), bad, sink), std::runtime_error);
    auto none = options;
    none.symbols.clear();
    EXPECT_THROW(make_binance_feed(io.get_executor(), none, sink), std::invalid_argument);
}

}  // namespace
}  // namespace gs::feed::binance
