// gs::redis::Subscriber against a real redis-server: the shared one from GS_TEST_REDIS_URL, and
// a private throwaway server for the restart test.
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/ping.h"
#include "goldensignals/redis/subscriber.h"
#include "support/redis_harness.h"

namespace gs::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using namespace test_support;

using Message = std::pair<std::string, std::string>;

// Records messages as (channel, payload).
class MessageLog {
  public:
    Subscriber::MessageHandler handler() {
        return [this](std::string_view channel, std::string_view payload) {
            std::lock_guard lock(mutex_);
            messages_.emplace_back(std::string(channel), std::string(payload));
            changed_.notify_all();
        };
    }
    bool wait_for_count(std::size_t count, std::chrono::milliseconds limit = 5s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return messages_.size() >= count; });
    }
    std::vector<Message> messages() const {
        std::lock_guard lock(mutex_);
        return messages_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Message> messages_;
};

// Waits until Redis counts `expected` subscribers of `channel` (subscriptions made after the
// connection came up are confirmed asynchronously).
bool wait_for_subscribers(IoThread& io, Client& publisher, const std::string& channel,
                          long long expected) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto reply = command(io, publisher, {"PUBSUB", "NUMSUB", channel});
        if (reply.is_array() && reply.elements.size() == 2 &&
            reply.elements[1].as_integer() == expected) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

class RedisSubscriberTest : public testing::Test {
  protected:
    void SetUp() override {
        auto url = shared_redis_url();
        ASSERT_TRUE(url.has_value());
        options_.url = *url;
        options_.command_timeout = 2s;
        prefix_ = key_prefix();
        publisher_ = Client::create(io_.executor(), options_);
        publisher_->on_state_change(publisher_states_.handler());
        publisher_->start();
        ASSERT_TRUE(publisher_states_.wait_for(true)) << "no connection to the shared redis-server";
    }

    void TearDown() override {
        if (subscriber_) {
            subscriber_->stop();
        }
        subscriber_.reset();
        publisher_.reset();
    }

    // Creates and starts the subscriber; `before_start` subscribes ahead of the connect.
    void start_subscriber(const std::function<void(Subscriber&)>& before_start) {
        subscriber_ = Subscriber::create(io_.executor(), options_);
        subscriber_->on_message(messages_.handler());
        subscriber_->on_state_change(states_.handler());
        before_start(*subscriber_);
        subscriber_->start();
        ASSERT_TRUE(states_.wait_for(true)) << "the subscriber did not come up";
    }

    long long publish(const std::string& channel, const std::string& payload) {
        return command(io_, *publisher_, {"PUBLISH", channel, payload}).as_integer();
    }

    IoThread io_;
    StateLog publisher_states_;
    StateLog states_;
    MessageLog messages_;
    ClientOptions options_;
    std::string prefix_;
    std::shared_ptr<Client> publisher_;
    std::shared_ptr<Subscriber> subscriber_;
};

TEST_F(RedisSubscriberTest, ReceivesWhatAClientPublishes) {
    const auto channel = prefix_ + "news";
    start_subscriber([&](Subscriber& s) { s.subscribe({channel}); });
    EXPECT_TRUE(subscriber_->connected());
    const std::string payload("price\0update", 12);
    EXPECT_EQ(publish(channel, payload), 1) << "Redis saw no subscriber";
    ASSERT_TRUE(messages_.wait_for_count(1));
    EXPECT_EQ(messages_.messages(), (std::vector<Message>{{channel, payload}}));
}

TEST_F(RedisSubscriberTest, PatternSubscriptionReportsTheRealChannel) {
    const auto prefix = prefix_ + "signals.";
    start_subscriber([&](Subscriber& s) { s.psubscribe({prefix + "*"}); });
    EXPECT_EQ(publish(prefix + "AAPL", "buy"), 1);
    EXPECT_EQ(publish(prefix_ + "elsewhere", "ignored"), 0);
    EXPECT_EQ(publish(prefix + "MSFT", "sell"), 1);
    ASSERT_TRUE(messages_.wait_for_count(2));
    EXPECT_EQ(messages_.messages(),
              (std::vector<Message>{{prefix + "AAPL", "buy"}, {prefix + "MSFT", "sell"}}));
}

TEST_F(RedisSubscriberTest, SubscribesAndUnsubscribesWhileConnected) {
    const auto channel = prefix_ + "late";
    start_subscriber([](Subscriber&) {});
    subscriber_->subscribe({channel});
    ASSERT_TRUE(wait_for_subscribers(io_, *publisher_, channel, 1));
    EXPECT_EQ(publish(channel, "one"), 1);
    ASSERT_TRUE(messages_.wait_for_count(1));

    subscriber_->unsubscribe({channel});
    ASSERT_TRUE(wait_for_subscribers(io_, *publisher_, channel, 0));
    EXPECT_EQ(publish(channel, "two"), 0);
    EXPECT_EQ(messages_.messages(), (std::vector<Message>{{channel, "one"}}));
    EXPECT_TRUE(subscriber_->connected());
}

TEST_F(RedisSubscriberTest, ThousandMessagesArriveInOrder) {
    const auto channel = prefix_ + "stream";
    start_subscriber([&](Subscriber& s) { s.subscribe({channel}); });
    constexpr int kCount = 1000;
    for (int batch = 0; batch < kCount / 100; ++batch) {
        std::vector<std::vector<std::string>> commands;
        for (int i = batch * 100; i < (batch + 1) * 100; ++i) {
            commands.push_back({"PUBLISH", channel, std::to_string(i)});
        }
        auto replies = io_.run(publisher_->pipeline(std::move(commands)));
        ASSERT_EQ(replies.size(), 100u);
        EXPECT_EQ(replies.back(), Reply::make_integer(1));
    }
    ASSERT_TRUE(messages_.wait_for_count(kCount)) << messages_.messages().size() << " arrived";
    auto received = messages_.messages();
    ASSERT_EQ(received.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i) {
        ASSERT_EQ(received[i].second, std::to_string(i)) << "out of order at " << i;
    }
}

TEST_F(RedisSubscriberTest, APingCompletesAfterEveryMessageRedisQueuedBeforeIt) {
    const auto channel = prefix_ + "barrier";
    start_subscriber([&](Subscriber& s) { s.subscribe({channel}); });
    for (int round = 0; round < 3; ++round) {
        std::vector<std::vector<std::string>> commands;
        for (int i = 0; i < 100; ++i) {
            commands.push_back({"PUBLISH", channel, std::to_string(round * 100 + i)});
        }
        auto replies = io_.run(publisher_->pipeline(std::move(commands)));
        ASSERT_EQ(replies.back(), Reply::make_integer(1));
        // Published (acked) before the PING left: every message is in before its reply.
        io_.run(subscriber_->ping());
        EXPECT_EQ(messages_.messages().size(), static_cast<std::size_t>((round + 1) * 100));
    }
    EXPECT_TRUE(subscriber_->connected());
}

TEST_F(RedisSubscriberTest, APingWhileDownFailsAtOnce) {
    subscriber_ = Subscriber::create(io_.executor(), options_);
    try {
        io_.run(subscriber_->ping());
        ADD_FAILURE() << "a ping before start() completed";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kNotConnected) << e.what();
    }
}

TEST(RedisSubscriberRestartTest, ResubscribesEverythingAfterTheServerRestarts) {
    RedisProcess server;
    ASSERT_TRUE(server.running());
    IoThread io;
    StateLog publisher_states;
    StateLog states;
    MessageLog messages;
    ClientOptions options;
    options.url = server.url();
    options.command_timeout = 1s;
    options.connect_timeout = 500ms;
    options.reconnect_min = 50ms;
    options.reconnect_max = 200ms;

    auto publisher = Client::create(io.executor(), options);
    publisher->on_state_change(publisher_states.handler());
    publisher->start();
    auto subscriber = Subscriber::create(io.executor(), options);
    subscriber->on_message(messages.handler());
    subscriber->on_state_change(states.handler());
    subscriber->subscribe({"quotes"});
    subscriber->psubscribe({"signals.*"});
    subscriber->start();
    ASSERT_TRUE(publisher_states.wait_for(true));
    ASSERT_TRUE(states.wait_for(true));
    EXPECT_EQ(command(io, *publisher, {"PUBLISH", "quotes", "q1"}).as_integer(), 1);
    ASSERT_TRUE(messages.wait_for_count(1));

    server.stop();
    ASSERT_TRUE(states.wait_for(false)) << "the subscriber did not report the gap";
    EXPECT_FALSE(subscriber->connected());
    ASSERT_TRUE(publisher_states.wait_for(false));

    server.start();
    ASSERT_TRUE(states.wait_for(true)) << "the subscriber did not come back";
    ASSERT_TRUE(publisher_states.wait_for(true));
    // Up means every subscription is confirmed again: both reach it at once.
    EXPECT_EQ(command(io, *publisher, {"PUBLISH", "quotes", "q2"}).as_integer(), 1);
    EXPECT_EQ(command(io, *publisher, {"PUBLISH", "signals.AAPL", "s1"}).as_integer(), 1);
    ASSERT_TRUE(messages.wait_for_count(3));
    EXPECT_EQ(messages.messages(),
              (std::vector<Message>{{"quotes", "q1"}, {"quotes", "q2"}, {"signals.AAPL", "s1"}}));
    EXPECT_EQ(states.events(), (std::vector<bool>{true, false, true}));
    subscriber->stop();
    publisher->stop();
}

}  // namespace
}  // namespace gs::redis
