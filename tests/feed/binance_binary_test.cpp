// The real binary with --feed binance:... pointed at the replay server (GS_BINARY; skipped
// without it): the gap is filled as in binance_feed_test.cpp, GET /v1/bars serves the
// fixture's bars, and SIGTERM ends the process cleanly with a close frame to the server.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <optional>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "feed/replay_server.h"
#include "goldensignals/market/time_format.h"
#include "support/wait.h"

extern char** environ;

namespace gs::feed {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

const std::string kData = GS_FEED_TEST_DATA;

unsigned short free_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

// GET on 127.0.0.1:port; nullopt when the server does not answer (yet).
std::optional<std::pair<int, std::string>> get(unsigned short port, const std::string& target) {
    try {
        asio::io_context io;
        boost::beast::tcp_stream stream(io);
        stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        http::request<http::empty_body> request{http::verb::get, target, 11};
        request.set(http::field::host, "localhost");
        http::write(stream, request);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return std::make_pair(response.result_int(), response.body());
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Kills the child if the test ends before it did.
struct Child {
    pid_t pid = 0;
    ~Child() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
};

TEST(BinanceBinaryTest, ServesTheFeedsBarsAndStopsWithACloseFrame) {
    const char* binary = std::getenv("GS_BINARY");
    if (binary == nullptr || *binary == '\0') {
        GTEST_SKIP() << "GS_BINARY not set";
    }
    fake::ReplayServer server(
        {{fake::read_lines(kData + "/ws_session1.jsonl"), true, ""},
         {fake::read_lines(kData + "/ws_session2.jsonl"), false, "ping from the test"}},
        {{"BTCUSDT", fake::read_file(kData + "/klines_BTCUSDT.json")},
         {"ETHUSDT", fake::read_file(kData + "/klines_ETHUSDT.json")}});
    const unsigned short port = free_port();
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::string_view(*e).substr(0, 3) != "GS_") {
            env.emplace_back(*e);
        }
    }
    env.push_back("GS_FEED=binance:BTCUSDT,ETHUSDT@1m");
    env.push_back(fmt::format("GS_BINANCE_WS_URL=wss://localhost:{}", server.port()));
    env.push_back(fmt::format("GS_BINANCE_REST_URL=https://localhost:{}", server.port()));
    env.push_back("GS_BINANCE_CA_FILE=" + kData + "/test_ca.pem");
    env.push_back(fmt::format("GS_PORT={}", port));
    env.push_back("GS_BIND=127.0.0.1");
    env.push_back("GS_DEMO=false");
    env.push_back("GS_THREADS=2");
    env.push_back("GS_ACCESS_LOG=false");
    std::vector<char*> envp;
    for (auto& e : env) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    std::string path = binary;
    char* argv[] = {path.data(), nullptr};
    Child child;
    ASSERT_EQ(posix_spawn(&child.pid, binary, nullptr, nullptr, argv, envp.data()), 0);

    const auto rows = [&](const std::string& symbol) {
        return nlohmann::json::parse(fake::read_file(kData + "/klines_" + symbol + ".json"));
    };
    std::string last;
    const bool filled = support::wait_until(
        [&] {
            for (const char* symbol : {"BTCUSDT", "ETHUSDT"}) {
                auto reply = get(port, fmt::format("/v1/bars/{}?timeframe=1m", symbol));
                if (!reply || reply->first != 200) {
                    return false;
                }
                last = reply->second;
                if (nlohmann::json::parse(reply->second)["bars"].size() != rows(symbol).size()) {
                    return false;
                }
            }
            return true;
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(filled) << last;
    if (filled) {
        for (const char* symbol : {"BTCUSDT", "ETHUSDT"}) {
            auto reply = get(port, fmt::format("/v1/bars/{}?timeframe=1m", symbol));
            ASSERT_TRUE(reply);
            const auto bars = nlohmann::json::parse(reply->second)["bars"];
            const auto expected = rows(symbol);
            ASSERT_EQ(bars.size(), expected.size());
            for (std::size_t i = 0; i < bars.size(); ++i) {
                std::string time;
                market::append_iso8601(time, expected[i][0].get<std::int64_t>() / 1000);
                EXPECT_EQ(bars[i]["time"], time) << symbol << " " << i;
                EXPECT_EQ(bars[i]["open"].get<double>(),
                          std::stod(expected[i][1].get<std::string>()));
                EXPECT_EQ(bars[i]["high"].get<double>(),
                          std::stod(expected[i][2].get<std::string>()));
                EXPECT_EQ(bars[i]["low"].get<double>(),
                          std::stod(expected[i][3].get<std::string>()));
                EXPECT_EQ(bars[i]["close"].get<double>(),
                          std::stod(expected[i][4].get<std::string>()));
                EXPECT_EQ(bars[i]["volume"].get<double>(),
                          std::stod(expected[i][5].get<std::string>()));
            }
        }
        // A bar is readable once it is stored; the feed counts it after its ingest returns
        // (signal included), a moment later on a slow (sanitized) build.
        std::optional<std::pair<int, std::string>> metrics;
        EXPECT_TRUE(support::wait_until([&] {
            metrics = get(port, "/metrics");
            return metrics &&
                   metrics->second.find("gs_feed_ingested_bars_total{feed=\"binance\"} 26\n") !=
                       std::string::npos;
        })) << (metrics ? metrics->second : "no /metrics");
        ASSERT_TRUE(metrics);
        EXPECT_NE(metrics->second.find("gs_feed_reconnects_total{feed=\"binance\"} 1\n"),
                  std::string::npos);
    }
    // Wait for the second connection's ping to be answered, then stop the process.
    EXPECT_TRUE(support::wait_until([&] { return !server.observed().pongs.empty(); }));
    ASSERT_EQ(kill(child.pid, SIGTERM), 0);
    int status = 0;
    ASSERT_TRUE(
        support::wait_until([&] { return waitpid(child.pid, &status, WNOHANG) == child.pid; },
                            std::chrono::seconds(20)));
    child.pid = 0;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_TRUE(support::wait_until([&] { return server.observed().close_frames == 1; }));
}

}  // namespace
}  // namespace gs::feed
