#include "goldensignals/webhooks/memory_outbox.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace gs::webhooks {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Runs one awaitable to completion on a private io_context.
template <typename T>
T run(asio::awaitable<T> work) {
    asio::io_context io;
    auto future = asio::co_spawn(io, std::move(work), asio::use_future);
    io.run();
    return future.get();
}

class MemoryOutboxTest : public ::testing::Test {
  protected:
    MemoryOutboxTest() : outbox_([this] { return now_; }) {
        Webhook every{.id = "wh_every",
                      .url = "http://example.com/a",
                      .secret = "s",
                      .symbols = {"*"},
                      .timeframes = {market::Timeframe::k1d},
                      .on = Trigger::kEverySignal};
        Webhook change = every;
        change.id = "wh_change";
        change.on = Trigger::kActionChange;
        run(outbox_.add_webhook(every));
        run(outbox_.add_webhook(change));
    }

    std::size_t enqueue(std::int64_t as_of, const std::string& action) {
        SignalEvent event{"AAPL", market::Timeframe::k1d, as_of, action,
                          R"({"action":")" + action + "\"}"};
        std::vector<Candidate> candidates = {{"wh_every", Trigger::kEverySignal},
                                             {"wh_change", Trigger::kActionChange}};
        return run(outbox_.enqueue(std::move(event), std::move(candidates)));
    }

    std::int64_t now_ = 1'000'000;
    MemoryOutbox outbox_;
};

TEST_F(MemoryOutboxTest, QueuesNewSignalsOnceAndActionChangesForBoth) {
    EXPECT_EQ(enqueue(100, "BUY"), 1u);   // first: every_signal only
    EXPECT_EQ(enqueue(100, "BUY"), 0u);   // the same signal again
    EXPECT_EQ(enqueue(90, "SELL"), 0u);   // an older one
    EXPECT_EQ(enqueue(200, "BUY"), 1u);   // same action
    EXPECT_EQ(enqueue(300, "SELL"), 2u);  // changed: both
    EXPECT_EQ(run(outbox_.pending()), 4u);
}

TEST_F(MemoryOutboxTest, ClaimLeasesUntilFinishedOrTheLeaseEnds) {
    enqueue(100, "BUY");
    auto first = run(outbox_.claim(10, 5000ms));
    ASSERT_EQ(first.size(), 1u);
    EXPECT_TRUE(run(outbox_.claim(10, 5000ms)).empty());  // leased
    now_ += 5001;
    auto again = run(outbox_.claim(10, 5000ms));  // the lease ended: due again
    ASSERT_EQ(again.size(), 1u);
    // The first claim's outcome comes too late: recorded, but the row stays with the new lease.
    Outcome stale{.attempt = {.webhook_id = "wh_every",
                              .event_id = first[0].event_id,
                              .result = AttemptResult::kDelivered}};
    run(outbox_.finish(first[0], stale));
    EXPECT_EQ(run(outbox_.pending()), 1u);
    Outcome done{.attempt = {.webhook_id = "wh_every",
                             .event_id = again[0].event_id,
                             .result = AttemptResult::kDelivered}};
    run(outbox_.finish(again[0], done));
    EXPECT_EQ(run(outbox_.pending()), 0u);
    EXPECT_EQ(run(outbox_.attempts("wh_every", 10)).size(), 2u);
}

TEST_F(MemoryOutboxTest, RetryComesDueAtItsTime) {
    enqueue(100, "BUY");
    auto claimed = run(outbox_.claim(10, 5000ms));
    ASSERT_EQ(claimed.size(), 1u);
    Outcome retry{.attempt = {.webhook_id = "wh_every",
                              .event_id = claimed[0].event_id,
                              .attempt = 1,
                              .result = AttemptResult::kRetry},
                  .next_attempt_ms = now_ + 300};
    run(outbox_.finish(claimed[0], retry));
    now_ += 299;
    EXPECT_TRUE(run(outbox_.claim(10, 5000ms)).empty());
    now_ += 1;
    auto due = run(outbox_.claim(10, 5000ms));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].attempts, 1);
}

TEST_F(MemoryOutboxTest, RemovingAWebhookDropsItsQueueAndLog) {
    enqueue(100, "BUY");
    EXPECT_TRUE(run(outbox_.remove_webhook("wh_every")));
    EXPECT_FALSE(run(outbox_.remove_webhook("wh_every")));
    EXPECT_EQ(run(outbox_.pending()), 0u);
    EXPECT_EQ(run(outbox_.webhooks()).size(), 1u);
}

}  // namespace
}  // namespace gs::webhooks
