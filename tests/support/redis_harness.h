#pragma once

// Test harness for gs::redis against real servers: an I/O thread that fails the test if
// anything is left running, a state-change log, throwaway redis-server processes on free
// ports, the shared server from GS_TEST_REDIS_URL and per-test key prefixes. Shared by the
// client and subscriber integration tests.
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
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include "goldensignals/redis/client.h"
#include "goldensignals/redis/ping.h"
#include "goldensignals/redis/url.h"

namespace gs::redis::test_support {

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

inline std::uint16_t free_port() {
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
    redis::Url url() const {
        redis::Url url;
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
inline std::optional<redis::Url> shared_redis_url() {
    const char* value = std::getenv("GS_TEST_REDIS_URL");
    if (value == nullptr || *value == '\0') {
        ADD_FAILURE() << "GS_TEST_REDIS_URL is not set: start a redis-server and export "
                         "GS_TEST_REDIS_URL=redis://127.0.0.1:PORT/0 (scripts/test.sh does both)";
        return std::nullopt;
    }
    return redis::parse_url(value);
}

// A key prefix unique to this process and test.
inline std::string key_prefix() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    return "gs:test:" + std::to_string(::getpid()) + ":" + info->test_suite_name() + "." +
           info->name() + ":";
}

inline Reply command(IoThread& io, Client& client, std::vector<std::string> args) {
    return io.run(client.command(std::move(args)));
}

}  // namespace gs::redis::test_support
