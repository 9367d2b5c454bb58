#include "goldensignals/http/server.h"

#include <atomic>
#include <future>

#include <gtest/gtest.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/http/client_error.h"
#include "goldensignals/http/system_handlers.h"
#include "support/test_server.h"
#include "support/wait.h"

namespace gs::http {
namespace {

using boost::beast::http::status;
using boost::beast::http::verb;
using testing::exchange;
using testing::request;

std::string error_code_of(const testing::RawResponse& r) {
    return nlohmann::json::parse(r.body).at("error").at("code").get<std::string>();
}

// Every case runs with one thread on the loop (sessions without a strand: the per-core
// configuration) and with two (each session on its own strand).
class ServerTest : public ::testing::TestWithParam<unsigned> {
  protected:
    void SetUp() override {
        auto options = testing::TestServer::default_options();
        options.body_limit_bytes = 1024;
        options.header_limit_bytes = 2048;
        options.threads = GetParam();
        server = std::make_unique<testing::TestServer>(options);
        auto& router = server->router;
        add_system_routes(router, server->readiness, server->registry);
        router.add(verb::post, "/echo", sync_handler([](Request& r) {
                       return Response::text(status::ok, r.message.body());
                   }));
        router.add(verb::post, "/big", sync_handler([](Request& r) {
                       return Response::text(status::ok, std::to_string(r.message.body().size()));
                   }),
                   {.body_limit = 8192});
        router.add(verb::get, "/items/{id}", sync_handler([](Request& r) {
                       return Response::json(status::ok, {{"id", r.param("id")},
                                                          {"q", r.query.get("q").value_or("")}});
                   }));
        router.add(verb::get, "/throw", sync_handler([](Request&) -> Response {
                       throw std::runtime_error("secret internal detail");
                   }));
        router.add(verb::get, "/client-error", sync_handler([](Request&) -> Response {
                       throw ClientError(status::unprocessable_entity, "bad_thing", "bad thing");
                   }));
        router.add(verb::get, "/slow", [this](Request&) -> boost::asio::awaitable<Response> {
            ++slow_started;
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
            timer.expires_after(std::chrono::milliseconds(300));
            co_await timer.async_wait(boost::asio::use_awaitable);
            co_return Response::text(status::ok, "slow done");
        });
        server->start();
    }

    std::unique_ptr<testing::TestServer> server;
    // Requests that have reached the /slow handler.
    std::atomic<int> slow_started{0};
};

TEST_P(ServerTest, HealthzAnswers200) {
    auto r = request(server->port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "ok");
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_FALSE(r.header("X-Request-Id").empty());
}

TEST_P(ServerTest, EchoesClientRequestId) {
    auto r = request(server->port(), "GET", "/healthz", "", "", {{"X-Request-Id", "trace-42"}});
    EXPECT_EQ(r.header("X-Request-Id"), "trace-42");
}

TEST_P(ServerTest, PathAndQueryParametersReachTheHandler) {
    auto r = request(server->port(), "GET", "/items/%5EGSPC?q=a+b");
    ASSERT_EQ(r.status, 200u);
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["id"], "^GSPC");
    EXPECT_EQ(body["q"], "a b");
}

TEST_P(ServerTest, UnknownRouteIs404Json) {
    auto r = request(server->port(), "GET", "/nope");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(error_code_of(r), "not_found");
}

TEST_P(ServerTest, WrongMethodIs405WithAllow) {
    auto r = request(server->port(), "DELETE", "/healthz");
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(r.header("Allow"), "GET, HEAD");
    EXPECT_EQ(error_code_of(r), "method_not_allowed");
}

TEST_P(ServerTest, MalformedRequestIs400AndServerStaysUp) {
    auto responses = exchange(server->port(), "THIS IS NOT HTTP\r\n\r\n", 1);
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].status, 400u);
    EXPECT_EQ(error_code_of(responses[0]), "malformed_request");
    EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200u);
}

TEST_P(ServerTest, BadTargetIs400) {
    auto r = request(server->port(), "GET", "/items/%zz");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(error_code_of(r), "bad_target");
}

TEST_P(ServerTest, DeclaredBodyOverLimitIs413) {
    auto r = request(server->port(), "POST", "/echo", std::string(2000, 'x'), "text/plain");
    EXPECT_EQ(r.status, 413u);
    EXPECT_EQ(error_code_of(r), "body_too_large");
    EXPECT_EQ(request(server->port(), "GET", "/healthz").status, 200u);
}

TEST_P(ServerTest, ChunkedBodyOverLimitIs413) {
    std::string chunk(1500, 'y');
    std::string raw =
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5dc\r\n" + chunk +
        "\r\n0\r\n\r\n";
    auto responses = exchange(server->port(), raw, 1);
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].status, 413u);
}

TEST_P(ServerTest, RouteMayAllowALargerBody) {
    auto r = request(server->port(), "POST", "/big", std::string(5000, 'x'), "text/plain");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "5000");
    EXPECT_EQ(request(server->port(), "POST", "/big", std::string(9000, 'x')).status, 413u);
}

TEST_P(ServerTest, HeaderOverLimitIs431) {
    auto r =
        request(server->port(), "GET", "/healthz", "", "", {{"X-Padding", std::string(4000, 'p')}});
    EXPECT_EQ(r.status, 431u);
}

TEST_P(ServerTest, HandlerExceptionIs500WithoutInternals) {
    auto r = request(server->port(), "GET", "/throw");
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(error_code_of(r), "internal");
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST_P(ServerTest, ClientErrorMapsToItsStatusAndCode) {
    auto r = request(server->port(), "GET", "/client-error");
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(error_code_of(r), "bad_thing");
}

TEST_P(ServerTest, KeepAliveAndPipelinedRequestsAnswerInOrder) {
    std::string raw =
        "GET /items/A HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        "GET /items/B HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    auto responses = exchange(server->port(), raw, 0);
    ASSERT_EQ(responses.size(), 3u);
    EXPECT_EQ(nlohmann::json::parse(responses[0].body)["id"], "A");
    EXPECT_EQ(responses[1].body, "hello");
    EXPECT_EQ(nlohmann::json::parse(responses[2].body)["id"], "B");
    EXPECT_EQ(responses[2].header("Connection"), "close");
}

TEST_P(ServerTest, ReadyzReportsDependencies) {
    server->readiness.set("redis", health::State::kDisabled);
    server->readiness.set("postgres", health::State::kUp);
    auto ok = request(server->port(), "GET", "/readyz");
    EXPECT_EQ(ok.status, 200u);
    auto body = nlohmann::json::parse(ok.body);
    EXPECT_EQ(body["dependencies"]["redis"], "disabled");
    EXPECT_EQ(body["dependencies"]["postgres"], "up");

    server->readiness.set("postgres", health::State::kDown);
    auto down = request(server->port(), "GET", "/readyz");
    EXPECT_EQ(down.status, 503u);
    EXPECT_EQ(nlohmann::json::parse(down.body)["dependencies"]["postgres"], "down");
}

TEST_P(ServerTest, MetricsCountRequestsByRouteAndStatus) {
    request(server->port(), "GET", "/healthz");
    request(server->port(), "GET", "/nope");
    // A request is counted once its response is written, which can be just after the client
    // has read it: the next request may reach another I/O thread first (CI saw it under ASan).
    testing::RawResponse r;
    EXPECT_TRUE(support::wait_until([&] {
        r = request(server->port(), "GET", "/metrics");
        return r.body.find("route=\"unmatched\",status=\"404\"} 1") != std::string::npos &&
               r.body.find("route=\"/healthz\",status=\"200\"} 1") != std::string::npos;
    }));
    EXPECT_EQ(r.status, 200u);
    EXPECT_NE(r.header("Content-Type").find("text/plain"), std::string::npos);
    EXPECT_NE(
        r.body.find("gs_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
        std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find(
                  "gs_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 1"),
              std::string::npos);
    EXPECT_NE(r.body.find("gs_http_open_connections"), std::string::npos);
}

TEST_P(ServerTest, VersionNamesTheService) {
    auto r = request(server->port(), "GET", "/v1/version");
    ASSERT_EQ(r.status, 200u);
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["name"], "goldensignals");
    EXPECT_FALSE(body["version"].get<std::string>().empty());
}

TEST_P(ServerTest, ShutdownFinishesInFlightRequest) {
    auto in_flight = std::async(std::launch::async,
                                [port = server->port()] { return request(port, "GET", "/slow"); });
    // The shutdown starts while the request is in its handler.
    ASSERT_TRUE(support::wait_until([this] { return slow_started == 1; }));
    server->stop();
    auto r = in_flight.get();
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "slow done");
}

TEST_P(ServerTest, ShutdownClosesIdleKeepAliveConnections) {
    // An idle kept-alive connection must be closed by the shutdown itself, not left open
    // until the grace period runs out and the io_context stops under it.
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server->port()});
    // Wait until the server has taken the connection in.
    auto first = request(server->port(), "GET", "/healthz");
    ASSERT_EQ(first.status, 200u);
    server->stop();
    // stop() has returned: a closed connection has its FIN queued already, an abandoned one
    // would still be open and the read would block.
    socket.non_blocking(true);
    char byte;
    boost::system::error_code ec;
    socket.read_some(boost::asio::buffer(&byte, 1), ec);
    EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
        << ec.message();
}

INSTANTIATE_TEST_SUITE_P(Loops, ServerTest, ::testing::Values(1u, 2u),
                         [](const ::testing::TestParamInfo<unsigned>& info) {
                             return info.param == 1 ? std::string("OneThread")
                                                    : std::string("TwoThreads");
                         });

}  // namespace
}  // namespace gs::http
