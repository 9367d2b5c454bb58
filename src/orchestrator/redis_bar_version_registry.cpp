#include "goldensignals/orchestrator/redis_bar_version_registry.h"

#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/redis/read_barrier.h"
#include "goldensignals/redis/read_lease.h"

namespace gs::orchestrator {

namespace {
// Records outlive any signal: a week, refreshed by every ingest.
constexpr auto kRecordTtl = std::chrono::seconds(7 * 24 * 3600);
constexpr std::string_view kInvalidationChannel = "__redis__:invalidate";
}  // namespace

// The tracking state: the invalidation connection carries CLIENT TRACKING in broadcast mode
// (redirected to itself), so its life is the tracking's life; the reading connection only
// reads records. Each change of the invalidation connection resets the table; once it is up
// with tracking accepted, local copies may be kept again.
struct RedisBarVersionRegistry::Tracking final : std::enable_shared_from_this<Tracking> {
    // Resumes a strict read: true when the barrier came back, false to ask Redis.
    using Waiter = boost::asio::any_completion_handler<void(bool)>;

    std::shared_ptr<redis::Client> reader;
    std::shared_ptr<redis::Subscriber> invalidations;
    std::shared_ptr<redis::TrackingTable> table;
    std::atomic<bool> refused_logged{false};
    ReadMode mode = ReadMode::kStrict;
    redis::ReadBarrier<Waiter> barrier;
    redis::ReadLease lease;
    std::atomic<bool> renewing{false};
    std::atomic<std::uint64_t> barriers_ok{0};
    // Strict local answers, by what made them fresh.
    std::atomic<std::uint64_t> under_lease{0};
    std::atomic<std::uint64_t> behind_barrier{0};
    boost::asio::any_io_executor executor;

    explicit Tracking(redis::ReadLease::Clock::duration lease_length) : lease(lease_length) {}

    // On the invalidation connection's strand. The lease ends first: no read may take a
    // barrier of the old connection for the new one's copies.
    void changed() {
        lease.reset();
        const std::uint64_t epoch = table->reset();
        if (!invalidations->connected()) {
            return;
        }
        if (invalidations->broadcast_tracking()) {
            table->tracking_on(epoch);
            spdlog::debug("redis tracking on (broadcast, client {})", invalidations->client_id());
        } else if (!refused_logged.exchange(true)) {
            spdlog::warn(
                "CLIENT TRACKING refused: bar versions are read from Redis on every signal "
                "read");
        }
    }

    static void release(std::vector<Waiter> reads, bool fresh) {
        for (auto& read : reads) {
            // Each read resumes on its own executor, never inline here (asio::post cannot
            // take an any_completion_handler in Boost 1.81; its executor can).
            auto read_executor = boost::asio::prefer(boost::asio::get_associated_executor(read),
                                                     boost::asio::execution::blocking.never);
            read_executor.execute(
                [read = std::move(read), fresh]() mutable { std::move(read)(fresh); });
        }
    }

    // Sends the next barrier if reads wait for one and none is in flight: a PING on the
    // invalidation connection, sent after every read it releases began. Its reply comes after
    // every invalidation Redis queued to that connection before it ran the PING, and (the
    // tracking living on that same connection) proves the tracking was alive then: a dropped
    // connection resets the table before anything arrives on its successor. Driven by
    // callbacks, not a coroutine: one handler per barrier on the read path's thread.
    static void send_barrier(const std::shared_ptr<Tracking>& self) {
        const std::uint64_t id = self->barrier.send();
        if (id == 0) {
            return;
        }
        const std::uint64_t epoch = self->lease.epoch();
        const auto sent_at = redis::ReadLease::Clock::now();
        self->invalidations->async_ping(boost::asio::bind_executor(
            self->executor, [self, id, epoch, sent_at](std::exception_ptr error) {
                if (error) {
                    try {
                        std::rethrow_exception(error);
                    } catch (const std::exception& e) {
                        spdlog::debug("read barrier failed: {}", e.what());
                    }
                    release(self->barrier.fail(), false);
                    return;
                }
                self->barriers_ok.fetch_add(1, std::memory_order_relaxed);
                self->lease.renew(epoch, sent_at);
                auto released = self->barrier.complete(id);
                release(std::move(released.reads), true);
                if (released.send_next) {
                    send_barrier(self);
                }
            }));
    }

    // A barrier no read waits for, sent when half the lease has gone: under steady reads the
    // lease stays held and no read waits. One at a time.
    static void renew_lease(const std::shared_ptr<Tracking>& self) {
        if (self->renewing.exchange(true, std::memory_order_acq_rel)) {
            return;
        }
        const std::uint64_t epoch = self->lease.epoch();
        const auto sent_at = redis::ReadLease::Clock::now();
        self->invalidations->async_ping(boost::asio::bind_executor(
            self->executor, [self, epoch, sent_at](std::exception_ptr error) {
                if (!error) {
                    self->barriers_ok.fetch_add(1, std::memory_order_relaxed);
                    self->lease.renew(epoch, sent_at);
                }
                self->renewing.store(false, std::memory_order_release);
            }));
    }
};

RedisBarVersionRegistry::RedisBarVersionRegistry(std::shared_ptr<cache::GuardedRedis> redis,
                                                 std::string key_prefix,
                                                 std::chrono::microseconds read_lease)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)), read_lease_(read_lease) {}

std::chrono::microseconds RedisBarVersionRegistry::ack_delay() const {
    return std::chrono::ceil<std::chrono::microseconds>(redis::ReadLease::ack_delay(read_lease_));
}

RedisBarVersionRegistry::~RedisBarVersionRegistry() {
    stop();
}

void RedisBarVersionRegistry::enable_tracking(std::shared_ptr<redis::Client> reader,
                                              std::shared_ptr<redis::Subscriber> invalidations,
                                              boost::asio::any_io_executor executor,
                                              ReadMode mode) {
    table_ = std::make_shared<redis::TrackingTable>();
    tracking_ = std::make_shared<Tracking>(read_lease_);
    tracking_->mode = mode;
    tracking_->reader = std::move(reader);
    tracking_->invalidations = std::move(invalidations);
    tracking_->table = table_;
    tracking_->executor = std::move(executor);
    tracking_->invalidations->track_broadcast({prefix_ + "barver:"});
    std::weak_ptr<Tracking> weak = tracking_;
    tracking_->invalidations->on_state_change([weak](bool /*up*/) {
        if (auto tracking = weak.lock()) {
            tracking->changed();
        }
    });
    tracking_->invalidations->on_array_message(
        [table = table_](std::string_view channel, const std::vector<std::string_view>* keys) {
            if (channel != kInvalidationChannel) {
                return;
            }
            if (keys == nullptr) {
                table->invalidate_all();
            } else {
                table->invalidate(*keys);
            }
        });
    // A plain message on the channel is not an invalidation we understand: forget everything.
    tracking_->invalidations->on_message(
        [table = table_](std::string_view channel, std::string_view /*payload*/) {
            if (channel == kInvalidationChannel) {
                table->invalidate_all();
            }
        });
    tracking_->invalidations->subscribe({std::string(kInvalidationChannel)});
}

void RedisBarVersionRegistry::start() {
    if (tracking_) {
        tracking_->invalidations->start();
        tracking_->reader->start();
    }
}

void RedisBarVersionRegistry::stop() {
    if (tracking_) {
        tracking_->reader->stop();
        tracking_->invalidations->stop();
        table_->reset();
    }
}

void RedisBarVersionRegistry::render_metrics(std::string& out) const {
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_bar_version_reads_total Bar-version checks of signal reads, by "
                   "where the version came from.\n"
                   "# TYPE gs_bar_version_reads_total counter\n"
                   "gs_bar_version_reads_total{{answer=\"local\"}} {}\n"
                   "gs_bar_version_reads_total{{answer=\"redis\"}} {}\n"
                   "# HELP gs_bar_version_tracking 1 while versions are kept locally "
                   "(CLIENT TRACKING confirmed).\n"
                   "# TYPE gs_bar_version_tracking gauge\n"
                   "gs_bar_version_tracking {}\n"
                   "# HELP gs_bar_version_barriers_total Read barriers of strict local answers, "
                   "by result (a failed one sends its reads to Redis).\n"
                   "# TYPE gs_bar_version_barriers_total counter\n"
                   "gs_bar_version_barriers_total{{result=\"ok\"}} {}\n"
                   "gs_bar_version_barriers_total{{result=\"failed\"}} {}\n"
                   "# HELP gs_bar_version_strict_reads_total Strict local answers, by what made "
                   "them fresh: the read lease of a recent barrier, or a barrier of their own.\n"
                   "# TYPE gs_bar_version_strict_reads_total counter\n"
                   "gs_bar_version_strict_reads_total{{fresh_by=\"lease\"}} {}\n"
                   "gs_bar_version_strict_reads_total{{fresh_by=\"barrier\"}} {}\n",
                   local_answers(), round_trips(), tracking() ? 1 : 0, barriers(),
                   failed_barriers(), lease_answers(), barrier_answers());
}

std::uint64_t RedisBarVersionRegistry::barriers() const {
    return tracking_ ? tracking_->barriers_ok.load(std::memory_order_relaxed) : 0;
}

std::uint64_t RedisBarVersionRegistry::lease_answers() const {
    return tracking_ ? tracking_->under_lease.load(std::memory_order_relaxed) : 0;
}

std::uint64_t RedisBarVersionRegistry::barrier_answers() const {
    return tracking_ ? tracking_->behind_barrier.load(std::memory_order_relaxed) : 0;
}

std::uint64_t RedisBarVersionRegistry::failed_barriers() const {
    return tracking_ ? tracking_->barrier.failures() : 0;
}

boost::asio::awaitable<bool> RedisBarVersionRegistry::barrier() {
    auto tracking = tracking_;
    auto initiation = [tracking](Tracking::Waiter read) {
        if (tracking->barrier.begin(std::move(read)).send) {
            // Safe inline: the PING is queued on the subscriber's strand and its reply is
            // handled on the executor, never inside this call.
            Tracking::send_barrier(tracking);
        }
    };
    const bool fresh =
        co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(bool)>(
            std::move(initiation), boost::asio::use_awaitable);
    co_return fresh;
}

std::string RedisBarVersionRegistry::record_key(const std::string& symbol,
                                                market::Timeframe timeframe) const {
    return fmt::format("{}barver:{}:{}", prefix_, market::to_string(timeframe), symbol);
}

namespace {
SharedRecord from_table(redis::TrackingTable::Value value) {
    return value ? SharedRecord::found(std::move(*value)) : SharedRecord::absent();
}
}  // namespace

boost::asio::awaitable<SharedRecord> RedisBarVersionRegistry::recorded(
    std::string symbol, market::Timeframe timeframe) {
    bool ask_redis = false;
    if (table_) {
        // The common read answers here: the key is formatted on the stack.
        fmt::basic_memory_buffer<char, 96> buffer;
        fmt::format_to(std::back_inserter(buffer), "{}barver:{}:{}", prefix_,
                       market::to_string(timeframe), symbol);
        const std::string_view key{buffer.data(), buffer.size()};
        // Strict: a copy answers only under the read lease of a barrier that came back, or
        // after a barrier sent after this read began (a key not held is read from Redis,
        // ordered after every write there: no barrier needed).
        if (tracking_->mode == ReadMode::kStrict && table_->known(key)) {
            const auto began = redis::ReadLease::Clock::now();
            if (tracking_->lease.holds(began)) {
                if (tracking_->lease.due(began)) {
                    Tracking::renew_lease(tracking_);
                }
                tracking_->under_lease.fetch_add(1, std::memory_order_relaxed);
            } else if (co_await barrier()) {
                tracking_->behind_barrier.fetch_add(1, std::memory_order_relaxed);
            } else {
                ask_redis = true;
            }
        }
        if (!ask_redis) {
            if (auto known = table_->find(key)) {
                co_return from_table(std::move(*known));
            }
        }
    }
    std::string key = record_key(symbol, timeframe);
    if (table_ && !ask_redis) {
        if (const auto ticket = table_->begin(key)) {
            round_trips_.fetch_add(1, std::memory_order_relaxed);
            std::optional<redis::Reply> reply;
            try {
                std::vector<std::string> args{"GET", key};
                reply = co_await tracking_->reader->command(std::move(args));
            } catch (const std::exception& e) {
                spdlog::debug("tracked read of {} failed: {}", key, e.what());
            }
            if (reply && (reply->is_string() || reply->is_nil())) {
                redis::TrackingTable::Value value;
                if (reply->is_string()) {
                    value = std::move(reply->str);
                }
                table_->complete(key, ticket, value);
                co_return from_table(std::move(value));
            }
            table_->abandon(key, ticket);
            // Fall through: ask as without tracking (the breaker decides).
        }
    }
    round_trips_.fetch_add(1, std::memory_order_relaxed);
    std::vector<std::string> args{"GET", std::move(key)};
    auto reply = co_await redis_->command(std::move(args));
    if (reply && reply->is_string()) {
        co_return SharedRecord::found(std::move(reply->str));
    }
    if (reply && reply->is_nil()) {
        co_return SharedRecord::absent();
    }
    co_return SharedRecord::unknown();
}

boost::asio::awaitable<void> RedisBarVersionRegistry::announce(std::string symbol,
                                                               market::Timeframe timeframe,
                                                               std::string version) {
    std::string message = format_bar_update(symbol, timeframe, version);
    // One round trip: Redis runs the pipeline in order, so a subscriber that reads the record
    // on the message finds the new version, as when PUBLISH waited for SET's reply.
    std::vector<std::vector<std::string>> commands;
    commands.push_back({"SET", record_key(symbol, timeframe), std::move(version), "EX",
                        std::to_string(kRecordTtl.count())});
    commands.push_back({"PUBLISH", channel(), std::move(message)});
    co_await redis_->pipeline(std::move(commands));
}

boost::asio::awaitable<void> RedisBarVersionRegistry::seed(std::string symbol,
                                                           market::Timeframe timeframe,
                                                           std::string version) {
    std::vector<std::string> args{
        "SET", record_key(symbol, timeframe),     std::move(version), "NX",
        "EX",  std::to_string(kRecordTtl.count())};
    co_await redis_->command(std::move(args));
}

}  // namespace gs::orchestrator
