// RedisBarVersionRegistry with CLIENT TRACKING against a private redis-server: instance B
// answers bar-version reads locally, sees instance A's new versions through invalidations,
// and never answers from a copy that outlived a connection change or a Redis restart.
//
// B's invalidation connection goes through a relay that can hold back what Redis sends it:
// that is how a slow network or a busy process delays an invalidation. A strict read (the
// default) waits for its read barrier, or answers under the lease of a recent one, and still
// answers A's acked version (acked: announced, then the ack delay waited out); a fast read
// answers the old one, which is the window the barrier closes, and so does a lease read
// after a write that did not wait out the ack delay, which is the window that delay closes.
#include <array>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "goldensignals/cache/guarded_redis.h"
#include "goldensignals/orchestrator/redis_bar_version_registry.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/subscriber.h"
#include "support/redis_harness.h"

namespace gs::orchestrator {
namespace {

using namespace std::chrono_literals;
using namespace redis::test_support;
using market::Timeframe;
using ReadMode = RedisBarVersionRegistry::ReadMode;
using tcp = boost::asio::ip::tcp;

constexpr auto kDay = Timeframe::k1d;
const std::string kV1 = "1:0000000000000001";
const std::string kV2 = "2:0000000000000002";

// A TCP relay to redis-server that can hold back, in order, what Redis sends the client. One
// thread (the IoThread's) runs it; close() ends every transfer so the io_context runs dry.
class HoldingRelay {
  public:
    HoldingRelay(boost::asio::any_io_executor executor, std::uint16_t target)
        : executor_(executor),
          acceptor_(executor, {boost::asio::ip::address_v4::loopback(), 0}),
          target_(target),
          port_(acceptor_.local_endpoint().port()) {
        boost::asio::co_spawn(executor_, accept(), boost::asio::detached);
    }
    ~HoldingRelay() { close(); }
    HoldingRelay(const HoldingRelay&) = delete;
    HoldingRelay& operator=(const HoldingRelay&) = delete;

    std::uint16_t port() const { return port_; }
    void hold(bool on) { held_ = on; }

    void close() {
        held_ = false;
        std::promise<void> done;
        boost::asio::post(executor_, [this, &done] {
            boost::system::error_code ignored;
            acceptor_.close(ignored);
            for (auto& link : links_) {
                link->client.close(ignored);
                link->server.close(ignored);
            }
            links_.clear();
            done.set_value();
        });
        done.get_future().wait();
    }

  private:
    struct Link {
        Link(tcp::socket accepted, boost::asio::any_io_executor executor)
            : client(std::move(accepted)), server(executor) {}
        tcp::socket client;
        tcp::socket server;
    };

    boost::asio::awaitable<void> accept() {
        constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
        for (;;) {
            auto [error, socket] = co_await acceptor_.async_accept(kTuple);
            if (error) {
                co_return;
            }
            auto link = std::make_shared<Link>(std::move(socket), executor_);
            boost::system::error_code refused;
            link->server.connect({boost::asio::ip::address_v4::loopback(), target_}, refused);
            if (refused) {
                continue;  // Redis is down: the client sees its connection close
            }
            links_.push_back(link);
            boost::asio::co_spawn(executor_, pump(link, false), boost::asio::detached);
            boost::asio::co_spawn(executor_, pump(link, true), boost::asio::detached);
        }
    }

    boost::asio::awaitable<void> pump(std::shared_ptr<Link> link, bool from_redis) {
        constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
        auto& from = from_redis ? link->server : link->client;
        auto& to = from_redis ? link->client : link->server;
        std::array<char, 16384> buffer;
        boost::asio::steady_timer pause(executor_);
        for (;;) {
            auto [read_error, size] =
                co_await from.async_read_some(boost::asio::buffer(buffer), kTuple);
            if (read_error) {
                break;
            }
            while (from_redis && held_ && to.is_open()) {
                pause.expires_after(1ms);
                co_await pause.async_wait(kTuple);
            }
            auto [write_error, written] = co_await boost::asio::async_write(
                to, boost::asio::buffer(buffer.data(), size), kTuple);
            if (write_error) {
                break;
            }
        }
        // Either side closing closes both, as a real connection to Redis would.
        boost::system::error_code ignored;
        link->client.close(ignored);
        link->server.close(ignored);
    }

    boost::asio::any_io_executor executor_;
    tcp::acceptor acceptor_;
    std::uint16_t target_;
    std::uint16_t port_;
    std::atomic<bool> held_{false};
    std::vector<std::shared_ptr<Link>> links_;
};

// One instance's registry over its own connections to `url`; with tracking, its invalidation
// connection goes to `invalidations_url`.
struct Instance {
    Instance(IoThread& io, const redis::Url& url, const std::string& prefix,
             std::optional<redis::Url> invalidations_url, ReadMode mode,
             std::chrono::microseconds lease) {
        redis::ClientOptions options;
        options.url = url;
        client = redis::Client::create(io.executor(), options);
        registry = std::make_unique<RedisBarVersionRegistry>(
            std::make_shared<cache::GuardedRedis>(client), prefix, lease);
        if (invalidations_url) {
            reader = redis::Client::create(io.executor(), options);
            redis::ClientOptions relayed = options;
            relayed.url = *invalidations_url;
            invalidations = redis::Subscriber::create(io.executor(), relayed);
            registry->enable_tracking(reader, invalidations, io.executor(), mode);
        }
        client->start();
        registry->start();
    }
    ~Instance() {
        registry->stop();
        client->stop();
    }
    bool wait_tracking(bool on, std::chrono::milliseconds limit = 5s) const {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (registry->tracking() != on) {
            if (std::chrono::steady_clock::now() > deadline) {
                return false;
            }
            std::this_thread::sleep_for(5ms);
        }
        return true;
    }

    std::shared_ptr<redis::Client> client;
    std::shared_ptr<redis::Client> reader;
    std::shared_ptr<redis::Subscriber> invalidations;
    std::unique_ptr<RedisBarVersionRegistry> registry;
};

// A private Redis, instance A (no tracking: it only writes) and instance B (tracking, its
// invalidations through the relay).
// Every case runs without a read lease (the default) and with one of 2 ms.
class RedisVersionTrackingTest : public ::testing::TestWithParam<std::chrono::microseconds> {
  protected:
    // A and B up, B tracking; both with the read lease `lease` (by default the parameter).
    void start(ReadMode mode = ReadMode::kStrict,
               std::optional<std::chrono::microseconds> lease = std::nullopt) {
        if (!lease) {
            lease = GetParam();
        }
        redis::Url relayed = server_.url();
        relayed.port = relay_.port();
        a_ = std::make_unique<Instance>(io_, server_.url(), prefix_, std::nullopt, mode, *lease);
        b_ = std::make_unique<Instance>(io_, server_.url(), prefix_, relayed, mode, *lease);
        ASSERT_TRUE(b_->wait_tracking(true));
    }
    // Then A acks kV1 and B holds it: its second read answers locally.
    void start_with_v1(ReadMode mode = ReadMode::kStrict,
                       std::optional<std::chrono::microseconds> lease = std::nullopt) {
        ASSERT_NO_FATAL_FAILURE(start(mode, lease));
        EXPECT_FALSE(read_b()) << "no record yet";
        announce_a(kV1);
        if (mode == ReadMode::kStrict) {
            EXPECT_EQ(read_b(), kV1) << "B's copy of the missing record is invalidated first";
        } else {
            // Fast: B may answer its copy (no record) until it read the invalidation.
            EXPECT_TRUE(eventually_reads(kV1, std::nullopt));
        }
        const auto local = b_->registry->local_answers();
        EXPECT_EQ(read_b(), kV1);
        ASSERT_EQ(b_->registry->local_answers(), local + 1) << "B holds kV1";
    }

    SharedRecord read_b_record() { return io_.run(b_->registry->recorded("AAPL", kDay)); }
    // The record's text; nullopt when absent or unknown.
    std::optional<std::string> read_b() { return text_of(read_b_record()); }
    std::future<SharedRecord> read_b_async() {
        return boost::asio::co_spawn(io_.executor(), b_->registry->recorded("AAPL", kDay),
                                     boost::asio::use_future);
    }
    static std::optional<std::string> text_of(const SharedRecord& record) {
        return record.is_found() ? std::optional(record.text) : std::nullopt;
    }
    // Returns when A would ack the write: Redis confirmed it, then A waited out the ack delay
    // (what IngestService::before_ack does before a POST's response).
    void announce_a(const std::string& version) {
        announce_a_unacked(version);
        std::this_thread::sleep_for(a_->registry->ack_delay());
    }
    // Returns once Redis confirmed the write, without the ack delay.
    void announce_a_unacked(const std::string& version) {
        io_.run(a_->registry->announce("AAPL", kDay, version));
    }
    // A write made outside the ingest path (an operator's FLUSHALL): reads that begin a lease
    // after it see it.
    void wait_out_the_lease() { std::this_thread::sleep_for(a_->registry->ack_delay()); }

    // Reads on B until it answers `expected`; every answer must be `expected` or `allowed`.
    ::testing::AssertionResult eventually_reads(const std::string& expected,
                                                const std::optional<std::string>& allowed) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        for (;;) {
            auto got = read_b();
            if (got == expected) {
                return ::testing::AssertionSuccess();
            }
            if (got != allowed) {
                return ::testing::AssertionFailure() << "read " << got.value_or("(none)");
            }
            if (std::chrono::steady_clock::now() > deadline) {
                return ::testing::AssertionFailure() << "still " << got.value_or("(none)");
            }
            std::this_thread::sleep_for(2ms);
        }
    }

    RedisProcess server_;
    IoThread io_;
    HoldingRelay relay_{io_.executor(), server_.port()};
    const std::string prefix_ = key_prefix();
    // Declared last: stopped before the relay closes and the io thread ends.
    std::unique_ptr<Instance> a_;
    std::unique_ptr<Instance> b_;
};

TEST_P(RedisVersionTrackingTest, AnswersLocallyAndSeesANewVersionOnTheFirstReadAfterTheAck) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    const auto trips = b_->registry->round_trips();
    const auto local_before = b_->registry->local_answers();
    const auto strict_before = b_->registry->lease_answers() + b_->registry->barrier_answers();
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(read_b(), kV1);
    }
    EXPECT_EQ(b_->registry->round_trips(), trips) << "tracked: no GET per read";
    EXPECT_EQ(b_->registry->local_answers() - local_before, 10u);
    EXPECT_EQ(b_->registry->lease_answers() + b_->registry->barrier_answers() - strict_before, 10u)
        << "strict: each read under the lease or behind a barrier of its own";
    std::string metrics;
    b_->registry->render_metrics(metrics);
    EXPECT_NE(metrics.find(fmt::format("gs_bar_version_reads_total{{answer=\"local\"}} {}\n",
                                       b_->registry->local_answers())),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("gs_bar_version_tracking 1\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("gs_bar_version_barriers_total{result=\"failed\"} 0\n"),
              std::string::npos)
        << metrics;
    EXPECT_NE(
        metrics.find(fmt::format("gs_bar_version_strict_reads_total{{fresh_by=\"lease\"}} {}\n",
                                 b_->registry->lease_answers())),
        std::string::npos)
        << metrics;

    // Strict: the first read after A's ack answers the new version, with no retry.
    announce_a(kV2);
    EXPECT_EQ(read_b(), kV2);
    EXPECT_EQ(read_b(), kV2);
}

TEST_P(RedisVersionTrackingTest, AReadAfterTheAckWaitsForADelayedInvalidation) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    const auto id = b_->invalidations->client_id();
    relay_.hold(true);
    announce_a(kV2);  // acked: the invalidation is held back on its way to B
    auto read = read_b_async();
    // Long enough for a read without the barrier to have answered; shorter than the barrier's
    // timeout (command_timeout, 250 ms), so the barrier, not a fallback, answers.
    std::this_thread::sleep_for(30ms);
    relay_.hold(false);
    ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(text_of(read.get()), kV2);
    EXPECT_EQ(b_->registry->failed_barriers(), 0u);
    EXPECT_EQ(b_->invalidations->client_id(), id) << "the same invalidation connection";
}

TEST_P(RedisVersionTrackingTest, WithoutTheBarrierAReadAfterTheAckAnswersTheOldVersion) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1(ReadMode::kFast));
    relay_.hold(true);
    announce_a(kV2);
    // The window the strict read closes: the invalidation is on its way, the copy answers.
    EXPECT_EQ(read_b(), kV1);
    EXPECT_EQ(b_->registry->barriers(), 0u);
    relay_.hold(false);
    EXPECT_TRUE(eventually_reads(kV2, kV1));
}

TEST_P(RedisVersionTrackingTest, UnderSteadyReadsTheLeaseIsRenewedAndReadsDoNotWait) {
    // A long lease, so that this host's scheduling cannot make the renewal late.
    ASSERT_NO_FATAL_FAILURE(start_with_v1(ReadMode::kStrict, 1s));
    const auto leased = b_->registry->lease_answers();
    const auto waited = b_->registry->barrier_answers();
    const auto barriers = b_->registry->barriers();
    const auto trips = b_->registry->round_trips();
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(read_b(), kV1);
        std::this_thread::sleep_for(200ms);
    }
    EXPECT_EQ(b_->registry->lease_answers() - leased + b_->registry->barrier_answers() - waited,
              8u);
    EXPECT_LE(b_->registry->barrier_answers() - waited, 1u)
        << "reads past half the lease renewed it before it ran out";
    EXPECT_GE(b_->registry->barriers() - barriers, 1u) << "the lease was renewed";
    EXPECT_EQ(b_->registry->round_trips(), trips) << "no read asked Redis";
}

TEST_P(RedisVersionTrackingTest, WithoutTheAckDelayALeaseReadAnswersTheOldVersion) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1(ReadMode::kStrict, 10s));
    relay_.hold(true);
    announce_a_unacked(kV2);
    // The window the ack delay closes: B's lease is younger than A's write, whose
    // invalidation is still on its way; had A waited out the delay, the lease would be over.
    const auto leased = b_->registry->lease_answers();
    EXPECT_EQ(read_b(), kV1);
    EXPECT_EQ(b_->registry->lease_answers(), leased + 1);
    relay_.hold(false);
    EXPECT_TRUE(eventually_reads(kV2, kV1));
}

TEST_P(RedisVersionTrackingTest, AnAckAfterTheDelayIsSeenThoughBHeldALeaseBeforeTheWrite) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1(ReadMode::kStrict, 300ms));
    relay_.hold(true);
    EXPECT_EQ(read_b(), kV1) << "under the lease: no barrier needed";
    announce_a(kV2);  // acked 300 ms and more after Redis confirmed it
    auto read = read_b_async();
    std::this_thread::sleep_for(30ms);
    relay_.hold(false);
    ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(text_of(read.get()), kV2) << "the lease ran out: the read waited for a barrier";
    EXPECT_EQ(b_->registry->failed_barriers(), 0u);
}

TEST_P(RedisVersionTrackingTest, ABarrierThatTimesOutSendsTheReadToRedis) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    const auto id = b_->invalidations->client_id();
    relay_.hold(true);
    announce_a(kV2);
    // Held past the barrier's timeout: the read asks Redis.
    EXPECT_EQ(read_b(), kV2);
    EXPECT_GE(b_->registry->failed_barriers(), 1u);
    relay_.hold(false);
    // The invalidation connection was dropped (a late reply must not answer a later barrier)
    // and tracking comes back on a new one.
    ASSERT_TRUE(b_->wait_tracking(true));
    EXPECT_TRUE(eventually_reads(kV2, std::nullopt));
    EXPECT_NE(b_->invalidations->client_id(), id);
}

TEST_P(RedisVersionTrackingTest, ARestartOfRedisForgetsEveryLocalCopy) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    server_.stop();
    ASSERT_TRUE(b_->wait_tracking(false));
    server_.start();
    // A's first writes may meet its breaker or a connection still coming back: until the
    // record is there.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    redis::ClientOptions raw_options;
    raw_options.url = server_.url();
    auto raw = redis::Client::create(io_.executor(), raw_options);
    raw->start();
    for (;;) {
        announce_a(kV2);
        std::optional<redis::Reply> reply;
        try {
            reply = command(io_, *raw, {"GET", prefix_ + "barver:1d:AAPL"});
        } catch (const redis::Error&) {
        }
        if (reply && reply->is_string() && reply->str == kV2) {
            break;
        }
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "A never wrote after the restart";
        std::this_thread::sleep_for(20ms);
    }
    raw->stop();
    // Never the copy from before the restart: the new version, or no answer while B's own
    // connections are still coming back.
    EXPECT_TRUE(eventually_reads(kV2, std::nullopt));
    ASSERT_TRUE(b_->wait_tracking(true));
    EXPECT_EQ(read_b(), kV2);
    EXPECT_EQ(read_b(), kV2);
}

TEST_P(RedisVersionTrackingTest, ALostInvalidationConnectionFlushesOnReconnect) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    // Cut B's invalidation connection; once B noticed, A's write is invalidated towards a
    // client that is gone (Redis drops the message).
    const auto id = b_->invalidations->client_id();
    ASSERT_NE(id, 0);
    EXPECT_TRUE(
        command(io_, *a_->client, {"CLIENT", "KILL", "ID", std::to_string(id)}).is_integer());
    ASSERT_TRUE(b_->wait_tracking(false));
    announce_a(kV2);
    ASSERT_TRUE(b_->wait_tracking(true));
    EXPECT_NE(b_->invalidations->client_id(), id);
    EXPECT_EQ(read_b(), kV2);
}

TEST_P(RedisVersionTrackingTest, ALostReadingConnectionNeverLeavesAnOldCopy) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    // The tracking lives on the invalidation connection (broadcast mode), so losing the
    // reading connection loses no invalidation: A's write below still reaches B, and B's
    // read after it never answers the old version.
    const auto reader_id = command(io_, *b_->reader, {"CLIENT", "ID"}).integer;
    EXPECT_TRUE(command(io_, *a_->client, {"CLIENT", "KILL", "ID", std::to_string(reader_id)})
                    .is_integer());
    announce_a(kV2);
    // The first read may find no answer while the reading connection comes back (its state
    // says so, for the caller's fallback); it never answers kV1. CI once saw it find none.
    const auto first = read_b_record();
    EXPECT_NE(text_of(first), kV1);
    EXPECT_TRUE(first.is_found() || first.state == SharedRecord::State::kUnknown)
        << "a record A wrote is never read as absent";
    EXPECT_TRUE(eventually_reads(kV2, std::nullopt));
}

TEST_P(RedisVersionTrackingTest, AFlushOfRedisInvalidatesEverything) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    EXPECT_TRUE(command(io_, *a_->client, {"FLUSHALL"}).is_status());
    wait_out_the_lease();
    // The record is gone, and B's next read says so rather than keeping the old one.
    EXPECT_EQ(read_b_record().state, SharedRecord::State::kAbsent);
}

TEST_P(RedisVersionTrackingTest, ASeedWritesOnlyAnAbsentRecordAndBHearsOfIt) {
    ASSERT_NO_FATAL_FAILURE(start_with_v1());
    io_.run(a_->registry->seed("AAPL", kDay, kV2));
    wait_out_the_lease();
    EXPECT_EQ(read_b(), kV1) << "a seed replaced a record";
    EXPECT_TRUE(command(io_, *a_->client, {"FLUSHALL"}).is_status());
    wait_out_the_lease();
    EXPECT_EQ(read_b_record().state, SharedRecord::State::kAbsent);  // B keeps "absent"
    io_.run(a_->registry->seed("AAPL", kDay, kV2));
    wait_out_the_lease();
    EXPECT_EQ(read_b(), kV2) << "B's copy of the absent record outlived the seed";
    EXPECT_GT(command(io_, *a_->client, {"TTL", prefix_ + "barver:1d:AAPL"}).integer, 0)
        << "a seeded record expires like an announced one";
}

INSTANTIATE_TEST_SUITE_P(Leases, RedisVersionTrackingTest,
                         ::testing::Values(std::chrono::microseconds{0},
                                           std::chrono::microseconds{2000}),
                         [](const ::testing::TestParamInfo<std::chrono::microseconds>& info) {
                             return info.param.count() == 0 ? std::string("NoLease")
                                                            : std::string("Lease2ms");
                         });

}  // namespace
}  // namespace gs::orchestrator
