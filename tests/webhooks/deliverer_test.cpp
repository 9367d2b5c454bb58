#include "goldensignals/webhooks/deliverer.h"

#include <deque>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "goldensignals/webhooks/memory_outbox.h"
#include "goldensignals/webhooks/signature.h"
#include "support/wait.h"

namespace gs::webhooks {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Answers with the scripted results in turn, then 200s; keeps what it was sent.
class ScriptedSender final : public Sender {
  public:
    explicit ScriptedSender(std::deque<SendResult> script) : script_(std::move(script)) {}

    asio::awaitable<SendResult> post(OutgoingPost request) override {
        std::lock_guard lock(mutex_);
        sent_.push_back(std::move(request));
        if (script_.empty()) {
            co_return SendResult{200, {}, true};
        }
        auto next = script_.front();
        script_.pop_front();
        co_return next;
    }

    std::vector<OutgoingPost> sent() {
        std::lock_guard lock(mutex_);
        return sent_;
    }

  private:
    std::mutex mutex_;
    std::deque<SendResult> script_;
    std::vector<OutgoingPost> sent_;
};

template <typename T>
T run(asio::awaitable<T> work) {
    asio::io_context io;
    auto future = asio::co_spawn(io, std::move(work), asio::use_future);
    io.run();
    return future.get();
}

class DelivererTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Webhook webhook{.id = "wh_1",
                        .url = "http://example.com/in",
                        .secret = "0123456789abcdef",
                        .symbols = {"*"},
                        .timeframes = {market::Timeframe::k1d},
                        .on = Trigger::kEverySignal};
        run(outbox_.add_webhook(webhook));
        SignalEvent event{"AAPL", market::Timeframe::k1d, 100, "BUY", R"({"action":"BUY"})"};
        std::vector<Candidate> candidates = {{"wh_1", Trigger::kEverySignal}};
        ASSERT_EQ(run(outbox_.enqueue(std::move(event), std::move(candidates))), 1u);
    }

    void deliver(ScriptedSender& sender, RetryPolicy retry) {
        Deliverer deliverer(io_.get_executor(), outbox_, sender,
                            {.retry = retry, .max_inflight = 4, .poll = 2ms, .lease = 5s});
        auto guard = asio::make_work_guard(io_);
        std::thread thread([this] { io_.run(); });
        deliverer.start();
        const bool drained = support::wait_until(
            [&] { return run(outbox_.pending()) == 0 && deliverer.inflight() == 0; }, 10s);
        auto stopped = asio::co_spawn(io_, deliverer.stop(1s), asio::use_future);
        stopped.get();
        deliverer.render_metrics(metrics_);
        guard.reset();
        io_.stop();
        thread.join();
        ASSERT_TRUE(drained);
    }

    std::vector<AttemptResult> results() {
        std::vector<AttemptResult> out;
        for (const auto& a : run(outbox_.attempts("wh_1", 10))) {
            out.insert(out.begin(), a.result);  // oldest first
        }
        return out;
    }

    asio::io_context io_;
    MemoryOutbox outbox_;
    std::string metrics_;
};

const RetryPolicy kQuick{.base = 1ms, .cap = 2ms, .max_age = 60s};

TEST_F(DelivererTest, RetriesUntilTheReceiverAcceptsAndSignsEachAttempt) {
    ScriptedSender sender({{500, {}, true}, {std::nullopt, "connect: refused", true}});
    deliver(sender, kQuick);
    EXPECT_EQ(results(), (std::vector<AttemptResult>{AttemptResult::kRetry, AttemptResult::kRetry,
                                                     AttemptResult::kDelivered}));
    const auto sent = sender.sent();
    ASSERT_EQ(sent.size(), 3u);
    for (const auto& post : sent) {
        std::string signature;
        std::string event_id;
        for (const auto& [name, value] : post.headers) {
            signature = name == "X-GoldenSignals-Signature" ? value : signature;
            event_id = name == "X-GoldenSignals-Event-Id" ? value : event_id;
        }
        const auto t = signature.substr(2, signature.find(',') - 2);
        EXPECT_EQ(signature, signature_header("0123456789abcdef", std::stoll(t), post.body));
        EXPECT_TRUE(post.body.find("\"id\":\"" + event_id + "\"") != std::string::npos);
    }
    const auto attempts = run(outbox_.attempts("wh_1", 10));
    EXPECT_EQ(attempts.back().status, 500);
    EXPECT_EQ(attempts.back().error, "HTTP 500");
    EXPECT_EQ(attempts[1].error, "connect: refused");
    EXPECT_EQ(attempts.front().attempt, 3);
    EXPECT_NE(metrics_.find("gs_webhook_deliveries_total{result=\"delivered\"} 1\n"),
              std::string::npos);
    EXPECT_NE(metrics_.find("gs_webhook_deliveries_total{result=\"retry\"} 2\n"),
              std::string::npos);
    EXPECT_NE(metrics_.find("gs_webhook_delivery_seconds_count 3\n"), std::string::npos);
}

TEST_F(DelivererTest, RefusedAddressFailsAtOnce) {
    ScriptedSender sender({{std::nullopt, "address not allowed", false}});
    deliver(sender, kQuick);
    EXPECT_EQ(results(), std::vector<AttemptResult>{AttemptResult::kFailed});
    EXPECT_EQ(sender.sent().size(), 1u);
}

TEST_F(DelivererTest, GivesUpAfterMaxAge) {
    ScriptedSender sender({{503, {}, true}, {503, {}, true}, {503, {}, true}});
    // The first retry would already be due after max_age.
    deliver(sender, {.base = 10'000ms, .cap = 10'000ms, .max_age = 0ms});
    EXPECT_EQ(results(), std::vector<AttemptResult>{AttemptResult::kFailed});
    EXPECT_NE(metrics_.find("gs_webhook_deliveries_total{result=\"failed\"} 1\n"),
              std::string::npos);
}

TEST_F(DelivererTest, RedirectIsNotFollowedButRetried) {
    ScriptedSender sender({{302, "redirect not followed", true}});
    deliver(sender, kQuick);
    EXPECT_EQ(results(),
              (std::vector<AttemptResult>{AttemptResult::kRetry, AttemptResult::kDelivered}));
    EXPECT_EQ(run(outbox_.attempts("wh_1", 10)).back().error, "redirect not followed");
}

}  // namespace
}  // namespace gs::webhooks
