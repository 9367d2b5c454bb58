#include "goldensignals/webhooks/event.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "goldensignals/webhooks/retry.h"

namespace gs::webhooks {
namespace {

SignalEvent make_signal(const std::string& action, std::int64_t as_of = 1'700'000'000) {
    return {"AAPL", market::Timeframe::k1d, as_of, action,
            R"({"action":")" + action + R"(","symbol":"AAPL","timeframe":"1d"})"};
}

const std::vector<Candidate> kBoth = {{"wh_change", Trigger::kActionChange},
                                      {"wh_every", Trigger::kEverySignal}};

TEST(EventPlanTest, ActionChangeGoesToBothKindsOfWebhook) {
    const auto plan = plan_event(make_signal("SELL"), std::string("BUY"), kBoth, 1'700'000'100);
    EXPECT_EQ(plan.type, "signal.action_changed");
    EXPECT_EQ(plan.webhook_ids, (std::vector<std::string>{"wh_change", "wh_every"}));
}

TEST(EventPlanTest, SameActionGoesOnlyToEverySignalWebhooks) {
    const auto plan = plan_event(make_signal("BUY"), std::string("BUY"), kBoth, 1'700'000'100);
    EXPECT_EQ(plan.type, "signal.created");
    EXPECT_EQ(plan.webhook_ids, std::vector<std::string>{"wh_every"});
}

TEST(EventPlanTest, AFirstSignalIsNoActionChange) {
    const auto plan = plan_event(make_signal("BUY"), std::nullopt, kBoth, 1'700'000'100);
    EXPECT_EQ(plan.type, "signal.created");
    EXPECT_EQ(plan.webhook_ids, std::vector<std::string>{"wh_every"});
}

TEST(EventPlanTest, BodyCarriesIdTypeCreatedAndTheSignal) {
    const auto plan = plan_event(make_signal("SELL"), std::string("HOLD"), kBoth, 1'700'000'100);
    const auto json = nlohmann::json::parse(plan.body);
    EXPECT_EQ(json["id"], plan.event_id);
    EXPECT_EQ(json["type"], "signal.action_changed");
    EXPECT_EQ(json["created"], "2023-11-14T22:15:00Z");
    EXPECT_EQ(json["data"]["action"], "SELL");
    EXPECT_EQ(json["data"]["symbol"], "AAPL");
    EXPECT_EQ(json.size(), 4u);
}

TEST(EventPlanTest, EventIdNamesTheSignalNotTheInstance) {
    EXPECT_EQ(event_id_of("AAPL", market::Timeframe::k1d, 5),
              event_id_of("AAPL", market::Timeframe::k1d, 5));
    EXPECT_NE(event_id_of("AAPL", market::Timeframe::k1d, 5),
              event_id_of("AAPL", market::Timeframe::k1d, 6));
    EXPECT_NE(event_id_of("AAPL", market::Timeframe::k1d, 5),
              event_id_of("AAPL", market::Timeframe::k1h, 5));
    EXPECT_TRUE(event_id_of("A", market::Timeframe::k1d, 1).starts_with("evt_"));
}

TEST(RetryTest, FullJitterStaysUnderTheDoublingCeilingAndTheCap) {
    const RetryPolicy policy{.base = std::chrono::milliseconds(1000),
                             .cap = std::chrono::milliseconds(10'000),
                             .max_age = std::chrono::hours(1)};
    EXPECT_EQ(backoff_delay(policy, 1, 0.0).count(), 0);
    EXPECT_EQ(backoff_delay(policy, 1, 0.999).count(), 999);
    EXPECT_EQ(backoff_delay(policy, 2, 0.5).count(), 1000);
    EXPECT_EQ(backoff_delay(policy, 3, 0.5).count(), 2000);
    EXPECT_EQ(backoff_delay(policy, 4, 0.5).count(), 4000);
    EXPECT_EQ(backoff_delay(policy, 5, 0.5).count(), 5000);  // ceiling 10 s: the cap
    EXPECT_EQ(backoff_delay(policy, 500, 0.5).count(), 5000);
}

TEST(RetryTest, RetriesOnlyWithinMaxAge) {
    const RetryPolicy policy{.max_age = std::chrono::seconds(60)};
    EXPECT_TRUE(within_age(policy, 0, 60'000));
    EXPECT_FALSE(within_age(policy, 0, 60'001));
}

}  // namespace
}  // namespace gs::webhooks
