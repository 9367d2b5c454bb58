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

namespace gs::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// One I/O thread for the clients under test. On destruction every client is gone (stopped),
// so the io_context must run out of work by itself: a leaked operation, timer or socket wait
// would keep it busy, and that fails the test.
class IoThread {
  public:
    IoThread() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~IoThread() {
        work_.reset();
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!io_.stopped() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(5ms);
        }
        if (!io_.stopped()) {
            ADD_FAILURE() << "the io_context still has work after every client stopped";
            io_.stop();
        }
        thread_.join();
    }
    IoThread(const IoThread&) = delete;
    IoThread& operator=(const IoThread&) = delete;

    asio::any_io_executor executor() { return io_.get_executor(); }

    template <typename T>
    T run(asio::awaitable<T> task, std::chrono::milliseconds limit = 10s) {
        auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
        if (future.wait_for(limit) != std::future_status::ready) {
            throw std::runtime_error("the coroutine did not finish in time");
        }
        return future.get();
    }

  private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

// Records on_state_change calls.
class StateLog {
  public:
    std::function<void(bool)> handler() {
        return [this](bool up) {
            std::lock_guard lock(mutex_);
            events_.push_back(up);
            changed_.notify_all();
        };
    }
    // Waits until the latest transition is `up`.
    bool wait_for(bool up, std::chrono::milliseconds limit = 5s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit,
                                 [&] { return !events_.empty() && events_.back() == up; });
    }
    std::vector<bool> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<bool> events_;
};

std::uint16_t free_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
    return acceptor.local_endpoint().port();
}

// A private redis-server on a free port, for tests that kill and restart it.
class RedisProcess {
  public:
    explicit RedisProcess(std::string password = {})
        : port_(free_port()), password_(std::move(password)) {
        start();
    }
    ~RedisProcess() {
        if (running_) {
            stop();
        }
    }
    RedisProcess(const RedisProcess&) = delete;
    RedisProcess& operator=(const RedisProcess&) = delete;

    std::uint16_t port() const { return port_; }
    bool running() const { return running_; }
    config::RedisUrl url() const {
        config::RedisUrl url;
        url.port = port_;
        url.password = password_;
        return url;
    }

    void start() {
        const auto base = "/tmp/gs-redis-test-" + std::to_string(port_);
        std::string command = "redis-server --port " + std::to_string(port_) +
                              " --bind 127.0.0.1 --save '' --appendonly no --daemonize yes" +
                              " --pidfile " + base + ".pid --logfile " + base + ".log";
        if (!password_.empty()) {
            command += " --requirepass " + password_;
        }
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
        running_ = wait_for(true);
        ASSERT_TRUE(running_) << "redis-server did not come up on port " << port_;
    }

    void stop() {
        std::string command = "redis-cli -p " + std::to_string(port_);
        if (!password_.empty()) {
            command += " -a " + password_ + " --no-auth-warning";
        }
        command += " shutdown nosave >/dev/null 2>&1";
        (void)std::system(command.c_str());
        EXPECT_TRUE(wait_for(false)) << "redis-server did not stop on port " << port_;
        running_ = false;
    }

  private:
    bool wait_for(bool up) const {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (redis::ping(url(), 200ms) == up) {
                return true;
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    std::uint16_t port_;
    std::string password_;
    bool running_ = false;
};

// The shared server of the integration suite; fails the test when the variable is unset.
std::optional<config::RedisUrl> shared_redis_url() {
    const char* value = std::getenv("GS_TEST_REDIS_URL");
    if (value == nullptr || *value == '\0') {
        ADD_FAILURE() << "GS_TEST_REDIS_URL is not set: start a redis-server and export "
                         "GS_TEST_REDIS_URL=redis://127.0.0.1:PORT/0 (scripts/test.sh does both)";
        return std::nullopt;
    }
    return config::parse_redis_url(value);
}

// A key prefix unique to this process and test.
std::string key_prefix() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    return "gs:test:" + std::to_string(::getpid()) + ":" + info->test_suite_name() + "." +
           info->name() + ":";
}

Reply command(IoThread& io, Client& client, std::vector<std::string> args) {
    return io.run(client.command(std::move(args)));
}

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
