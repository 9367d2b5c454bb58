// The PostgreSQL outbox of the webhooks against a real server (GS_TEST_DATABASE_URL), in a
// database of its own: two "instances" (two PgOutbox over two pools) share it.
#include <array>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/nontransaction>

#include "goldensignals/store/migrations.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/webhooks/pg_outbox.h"
#include "support/scratch_database.h"

namespace gs::webhooks {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class WebhookOutboxTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(db_.ok()) << testing::kNoTestDatabase;
        const std::string& url = db_.url();
        connection_ = std::make_unique<pqxx::connection>(url);
        store::apply_migrations(*connection_, GS_SOURCE_DIR "/sql");
        for (auto& pool : pools_) {
            pool =
                std::make_unique<store::PgPool>(store::PgPoolOptions{.url = url, .connections = 2});
        }
        a_ = std::make_unique<PgOutbox>(*pools_[0]);
        b_ = std::make_unique<PgOutbox>(*pools_[1]);
        runner_ = std::thread([this] { io_.run(); });
        Webhook every{.id = "wh_every",
                      .url = "http://example.com/a",
                      .secret = "0123456789abcdef",
                      .symbols = {"*"},
                      .timeframes = {market::Timeframe::k1d},
                      .on = Trigger::kEverySignal,
                      .created = 1'700'000'000};
        Webhook change{.id = "wh_change",
                       .url = "http://example.com/b",
                       .secret = "fedcba9876543210",
                       .symbols = {"AAPL", "MSFT"},
                       .timeframes = {market::Timeframe::k1d, market::Timeframe::k1h},
                       .on = Trigger::kActionChange,
                       .created = 1'700'000'001};
        await(a_->add_webhook(every));
        await(a_->add_webhook(change));
    }
    void TearDown() override {
        a_.reset();
        b_.reset();
        for (auto& pool : pools_) {
            pool.reset();
        }
        work_.reset();
        if (runner_.joinable()) {
            runner_.join();
        }
        connection_.reset();
    }

    template <typename T>
    T await(asio::awaitable<T> operation) {
        return asio::co_spawn(io_, std::move(operation), asio::use_future).get();
    }
    void await(asio::awaitable<void> operation) {
        asio::co_spawn(io_, std::move(operation), asio::use_future).get();
    }

    std::size_t enqueue(PgOutbox& outbox, std::int64_t as_of, const std::string& action) {
        SignalEvent event{"AAPL", market::Timeframe::k1d, as_of, action,
                          R"({"action":")" + action + R"(","symbol":"AAPL"})"};
        std::vector<Candidate> candidates = {{"wh_every", Trigger::kEverySignal},
                                             {"wh_change", Trigger::kActionChange}};
        return await(outbox.enqueue(std::move(event), std::move(candidates)));
    }

    std::int64_t count(const std::string& sql) {
        pqxx::nontransaction tx(*connection_);
        return tx.exec1(sql)[0].as<std::int64_t>();
    }

    testing::ScratchDatabase db_{"t_wh_"};  // declared first: dropped after everything else
    std::unique_ptr<pqxx::connection> connection_;
    std::array<std::unique_ptr<store::PgPool>, 2> pools_;
    std::unique_ptr<PgOutbox> a_, b_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
        asio::make_work_guard(io_)};
    std::thread runner_;
};

TEST_F(WebhookOutboxTest, WebhooksRoundTrip) {
    const auto all = await(b_->webhooks());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, "wh_every");
    EXPECT_EQ(all[1].symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
    EXPECT_EQ(all[1].timeframes,
              (std::vector<market::Timeframe>{market::Timeframe::k1d, market::Timeframe::k1h}));
    EXPECT_EQ(all[1].on, Trigger::kActionChange);
    EXPECT_EQ(all[1].secret, "fedcba9876543210");
    EXPECT_EQ(all[1].created, 1'700'000'001);
    EXPECT_TRUE(await(b_->remove_webhook("wh_change")));
    EXPECT_FALSE(await(a_->remove_webhook("wh_change")));
    EXPECT_EQ(await(a_->webhooks()).size(), 1u);
}

TEST_F(WebhookOutboxTest, EachSignalIsOneEventWhicheverInstanceSeesIt) {
    EXPECT_EQ(enqueue(*a_, 100, "BUY"), 1u);   // first of the series: every_signal only
    EXPECT_EQ(enqueue(*b_, 100, "BUY"), 0u);   // the other instance computed it too
    EXPECT_EQ(enqueue(*b_, 200, "BUY"), 1u);   // newer, same action
    EXPECT_EQ(enqueue(*a_, 150, "SELL"), 0u);  // older than the series' newest
    EXPECT_EQ(enqueue(*a_, 300, "SELL"), 2u);  // action changed: both webhooks
    EXPECT_EQ(await(a_->pending()), 4u);
    EXPECT_EQ(count("SELECT count(*) FROM webhook_outbox WHERE webhook_id = 'wh_change' AND "
                    "body LIKE '%\"type\":\"signal.action_changed\"%'"),
              1);
}

TEST_F(WebhookOutboxTest, ConcurrentClaimsNeverShareADelivery) {
    for (int i = 1; i <= 20; ++i) {
        enqueue(*a_, i * 100, "BUY");
    }
    std::set<std::int64_t> seen;
    std::size_t total = 0;
    for (int round = 0; round < 4; ++round) {
        auto first = asio::co_spawn(io_, a_->claim(3, 60s), asio::use_future);
        auto second = asio::co_spawn(io_, b_->claim(3, 60s), asio::use_future);
        for (auto* claimed : {&first, &second}) {
            for (const auto& d : claimed->get()) {
                EXPECT_TRUE(seen.insert(d.seq).second) << "claimed twice: " << d.seq;
                EXPECT_EQ(d.url, "http://example.com/a");
                EXPECT_EQ(d.secret, "0123456789abcdef");
                ++total;
            }
        }
    }
    EXPECT_EQ(total, 20u);
    EXPECT_TRUE(await(a_->claim(10, 60s)).empty());  // all leased
}

TEST_F(WebhookOutboxTest, LostInstancesClaimComesDueAfterItsLease) {
    enqueue(*a_, 100, "BUY");
    auto lost = await(a_->claim(10, 300ms));
    ASSERT_EQ(lost.size(), 1u);
    EXPECT_TRUE(await(b_->claim(10, 60s)).empty());
    std::this_thread::sleep_for(400ms);
    auto taken = await(b_->claim(10, 60s));
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].seq, lost[0].seq);
    // The lost instance's late outcome changes nothing but the log.
    Outcome late{.attempt = {.webhook_id = "wh_every",
                             .event_id = lost[0].event_id,
                             .attempt = 1,
                             .time_ms = 1'700'000'000'000,
                             .result = AttemptResult::kDelivered,
                             .status = 200}};
    await(a_->finish(lost[0], late));
    EXPECT_EQ(await(a_->pending()), 1u);
    Outcome done{.attempt = {.webhook_id = "wh_every",
                             .event_id = taken[0].event_id,
                             .attempt = 1,
                             .time_ms = 1'700'000'000'500,
                             .result = AttemptResult::kDelivered,
                             .status = 200,
                             .latency_ms = 12}};
    await(b_->finish(taken[0], done));
    EXPECT_EQ(await(a_->pending()), 0u);
    const auto log = await(a_->attempts("wh_every", 10));
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].time_ms, 1'700'000'000'500);
    EXPECT_EQ(log[0].status, 200);
    EXPECT_EQ(log[0].latency_ms, 12);
    EXPECT_FALSE(log[0].error.has_value());
}

TEST_F(WebhookOutboxTest, RetryWaitsForItsTimeAndKeepsTheCount) {
    enqueue(*a_, 100, "BUY");
    auto claimed = await(a_->claim(10, 60s));
    ASSERT_EQ(claimed.size(), 1u);
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    Outcome retry{.attempt = {.webhook_id = "wh_every",
                              .event_id = claimed[0].event_id,
                              .attempt = 1,
                              .time_ms = now_ms,
                              .result = AttemptResult::kRetry,
                              .status = std::nullopt,
                              .latency_ms = 3,
                              .error = std::string("connect: refused")},
                  .next_attempt_ms = now_ms + 500};
    await(a_->finish(claimed[0], retry));
    EXPECT_TRUE(await(b_->claim(10, 60s)).empty());
    std::this_thread::sleep_for(600ms);
    auto due = await(b_->claim(10, 60s));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].attempts, 1);
    const auto log = await(b_->attempts("wh_every", 10));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_FALSE(log[0].status.has_value());
    EXPECT_EQ(log[0].error, "connect: refused");
    EXPECT_EQ(log[0].result, AttemptResult::kRetry);
}

TEST_F(WebhookOutboxTest, KeepsOnlyTheNewestAttempts) {
    enqueue(*a_, 100, "BUY");
    auto claimed = await(a_->claim(1, 60s));
    ASSERT_EQ(claimed.size(), 1u);
    for (std::size_t i = 0; i < kAttemptsKept + 5; ++i) {
        Outcome stale{.attempt = {.webhook_id = "wh_every",
                                  .event_id = "evt_x",
                                  .attempt = static_cast<int>(i + 1),
                                  .time_ms = 1,
                                  .result = AttemptResult::kRetry}};
        Delivery other = claimed[0];
        other.lease = "not-the-lease";
        await(a_->finish(other, stale));
    }
    EXPECT_EQ(count("SELECT count(*) FROM webhook_attempts"),
              static_cast<std::int64_t>(kAttemptsKept));
    EXPECT_EQ(await(a_->attempts("wh_every", 1)).front().attempt,
              static_cast<int>(kAttemptsKept + 5));
}

}  // namespace
}  // namespace gs::webhooks
