// The webhook routes over a real server with the in-memory outbox: shapes, validation, 404s,
// write auth, and a signal reaching the (fake) receiver through the service.
#include <mutex>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/http/api_routes.h"
#include "goldensignals/webhooks/memory_outbox.h"
#include "support/test_server.h"
#include "support/wait.h"

namespace gs::http {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using testing::request;

class RecordingSender final : public webhooks::Sender {
  public:
    asio::awaitable<webhooks::SendResult> post(webhooks::OutgoingPost request) override {
        std::lock_guard lock(mutex_);
        bodies_.push_back(request.body);
        co_return webhooks::SendResult{204, {}, true};
    }
    std::vector<std::string> bodies() {
        std::lock_guard lock(mutex_);
        return bodies_;
    }

  private:
    std::mutex mutex_;
    std::vector<std::string> bodies_;
};

const std::string kRegistration =
    R"({"url":"https://hooks.example.com/gs","secret":"0123456789abcdef","symbols":["AAPL"],"timeframes":["1d"],"on":"every_signal"})";

class WebhookRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override { start(testing::TestServer::default_options()); }
    void start(config::ServerOptions options) {
        server = std::make_unique<testing::TestServer>(options);
        deliverer = std::make_unique<webhooks::Deliverer>(
            server->io.get_executor(), outbox, sender,
            webhooks::DelivererOptions{.poll = std::chrono::milliseconds(5)});
        service = std::make_unique<webhooks::Service>(server->io.get_executor(), outbox, *deliverer,
                                                      webhooks::ServiceOptions{.max_webhooks = 3});
        add_webhook_routes(server->router, *service);
        service->start();
        server->start();
    }
    void TearDown() override {
        auto stopped = asio::co_spawn(server->io, service->stop(), asio::use_future);
        stopped.get();
        server->stop();
    }

    json create(const std::string& body = kRegistration, unsigned expected = 201) {
        auto r = request(server->port(), "POST", "/v1/webhooks", body, "application/json");
        EXPECT_EQ(r.status, expected) << r.body;
        return json::parse(r.body, nullptr, false);
    }

    webhooks::MemoryOutbox outbox;
    RecordingSender sender;
    std::unique_ptr<testing::TestServer> server;
    std::unique_ptr<webhooks::Deliverer> deliverer;
    std::unique_ptr<webhooks::Service> service;
};

TEST_F(WebhookRoutesTest, CreateAnswersTheObjectWithoutTheSecret) {
    auto r = request(server->port(), "POST", "/v1/webhooks", kRegistration, "application/json");
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(r.body.find("0123456789abcdef"), std::string::npos);
    const auto body = json::parse(r.body);
    std::vector<std::string> keys;
    for (const auto& [key, value] : body.items()) {
        keys.push_back(key);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"created", "id", "on", "status", "symbols",
                                              "timeframes", "url"}));
    EXPECT_EQ(body["url"], "https://hooks.example.com/gs");
    EXPECT_EQ(body["symbols"], json::array({"AAPL"}));
    EXPECT_EQ(body["timeframes"], json::array({"1d"}));
    EXPECT_EQ(body["on"], "every_signal");
    EXPECT_EQ(body["status"], "active");
    EXPECT_EQ(r.header("Location"), "/v1/webhooks/" + body["id"].get<std::string>());
}

TEST_F(WebhookRoutesTest, ListGetDeleteAndNotFound) {
    const auto created = create();
    const std::string id = created["id"];
    auto list = json::parse(request(server->port(), "GET", "/v1/webhooks").body);
    ASSERT_EQ(list["webhooks"].size(), 1u);
    EXPECT_EQ(list["webhooks"][0], created);
    auto one = request(server->port(), "GET", "/v1/webhooks/" + id);
    EXPECT_EQ(one.status, 200u);
    EXPECT_EQ(json::parse(one.body), created);
    auto deliveries = request(server->port(), "GET", "/v1/webhooks/" + id + "/deliveries");
    EXPECT_EQ(deliveries.status, 200u);
    EXPECT_EQ(json::parse(deliveries.body), json({{"deliveries", json::array()}}));

    auto removed = request(server->port(), "DELETE", "/v1/webhooks/" + id);
    EXPECT_EQ(removed.status, 204u);
    EXPECT_TRUE(removed.body.empty());
    EXPECT_TRUE(removed.header("Content-Length").empty());
    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/v1/webhooks/" + id},
             {"DELETE", "/v1/webhooks/" + id},
             {"GET", "/v1/webhooks/" + id + "/deliveries"}}) {
        auto r = request(server->port(), method, target);
        EXPECT_EQ(r.status, 404u) << method << " " << target;
        EXPECT_EQ(json::parse(r.body)["error"]["code"], "unknown_webhook");
    }
}

TEST_F(WebhookRoutesTest, InvalidRegistrationIs400WithAJsonError) {
    for (const std::string& body :
         {std::string("not json"), std::string(R"({"url":"ftp://x/","secret":"0123456789abcdef"})"),
          std::string(R"({"url":"http://127.0.0.1/","secret":"0123456789abcdef"})"),
          std::string(R"({"url":"http://example.com/","secret":"short"})")}) {
        auto r = request(server->port(), "POST", "/v1/webhooks", body, "application/json");
        EXPECT_EQ(r.status, 400u) << body;
        const auto error = json::parse(r.body, nullptr, false);
        EXPECT_TRUE(error["error"]["code"].is_string()) << r.body;
        EXPECT_TRUE(error["error"]["message"].is_string()) << r.body;
    }
}

TEST_F(WebhookRoutesTest, LimitOnWebhooksIs409) {
    create();
    create();
    create();
    const auto error = create(kRegistration, 409);
    EXPECT_EQ(error["error"]["code"], "too_many_webhooks");
}

TEST_F(WebhookRoutesTest, MatchingSignalReachesTheReceiver) {
    const std::string id = create()["id"];
    service->on_signal("MSFT", market::Timeframe::k1d, 100,
                       std::make_shared<const std::string>(R"({"action":"BUY"})"));
    service->on_signal("AAPL", market::Timeframe::k1h, 100,
                       std::make_shared<const std::string>(R"({"action":"BUY"})"));
    service->on_signal("AAPL", market::Timeframe::k1d, 100,
                       std::make_shared<const std::string>(R"({"action":"BUY","symbol":"AAPL"})"));
    ASSERT_TRUE(support::wait_until([&] { return !sender.bodies().empty(); }));
    const auto event = json::parse(sender.bodies().front());
    EXPECT_EQ(event["type"], "signal.created");
    EXPECT_EQ(event["data"]["symbol"], "AAPL");
    ASSERT_TRUE(support::wait_until([&] {
        auto r =
            json::parse(request(server->port(), "GET", "/v1/webhooks/" + id + "/deliveries").body);
        return r["deliveries"].size() == 1 && r["deliveries"][0]["result"] == "delivered";
    }));
    auto r = json::parse(request(server->port(), "GET", "/v1/webhooks/" + id + "/deliveries").body);
    EXPECT_EQ(r["deliveries"][0]["status"], 204);
    EXPECT_EQ(r["deliveries"][0]["event_id"], event["id"]);
    EXPECT_TRUE(r["deliveries"][0]["error"].is_null());
    EXPECT_EQ(sender.bodies().size(), 1u);  // MSFT and 1h did not match
}

class WebhookRoutesAuthTest : public WebhookRoutesTest {
  protected:
    void SetUp() override {
        auto options = testing::TestServer::default_options();
        options.api_token = "write-token";
        options.read_token = "read-token";
        start(options);
    }
};

TEST_F(WebhookRoutesAuthTest, EveryWebhookRouteNeedsTheWriteToken) {
    auto r = request(server->port(), "POST", "/v1/webhooks", kRegistration, "application/json");
    EXPECT_EQ(r.status, 401u);
    r = request(server->port(), "GET", "/v1/webhooks", "", "",
                {{"Authorization", "Bearer read-token"}});
    EXPECT_EQ(r.status, 401u);
    r = request(server->port(), "POST", "/v1/webhooks", kRegistration, "application/json",
                {{"Authorization", "Bearer write-token"}});
    EXPECT_EQ(r.status, 201u) << r.body;
    r = request(server->port(), "GET", "/v1/webhooks", "", "",
                {{"Authorization", "Bearer write-token"}});
    EXPECT_EQ(r.status, 200u);
}

}  // namespace
}  // namespace gs::http
