#include "goldensignals/orchestrator/redis_bar_version_registry.h"

#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace gs::orchestrator {

namespace {
// Records outlive any signal: a week, refreshed by every ingest.
constexpr auto kRecordTtl = std::chrono::seconds(7 * 24 * 3600);
constexpr std::string_view kInvalidationChannel = "__redis__:invalidate";
}  // namespace

// The two tracking connections and what ties them: each change of either one resets the table
// and, when both are up, turns tracking on again, redirected to the invalidation connection's
// current id.
struct RedisBarVersionRegistry::Tracking final : std::enable_shared_from_this<Tracking> {
    std::shared_ptr<redis::Client> reader;
    std::shared_ptr<redis::Subscriber> invalidations;
    std::shared_ptr<redis::TrackingTable> table;
    std::atomic<bool> refused_logged{false};

    // On either connection's strand.
    void changed() {
        const std::uint64_t epoch = table->reset();
        const std::int64_t id = invalidations->client_id();
        if (!reader->connected() || !invalidations->connected() || id == 0) {
            return;
        }
        boost::asio::co_spawn(reader_executor, enable(shared_from_this(), epoch, id),
                              boost::asio::detached);
    }

    static boost::asio::awaitable<void> enable(std::shared_ptr<Tracking> self, std::uint64_t epoch,
                                               std::int64_t id) {
        try {
            std::vector<std::string> args{"CLIENT", "TRACKING", "on", "REDIRECT",
                                          std::to_string(id)};
            auto reply = co_await self->reader->command(std::move(args));
            if (reply.is_status()) {
                self->table->tracking_on(epoch);
                spdlog::debug("redis tracking on, redirected to client {}", id);
            } else if (!self->refused_logged.exchange(true)) {
                spdlog::warn(
                    "CLIENT TRACKING refused ({}): bar versions are read from Redis "
                    "on every signal read",
                    reply.str);
            }
        } catch (const std::exception& e) {
            // The connection dropped meanwhile: its state change starts again.
            spdlog::debug("CLIENT TRACKING not sent: {}", e.what());
        }
    }

    boost::asio::any_io_executor reader_executor;
};

RedisBarVersionRegistry::RedisBarVersionRegistry(std::shared_ptr<cache::GuardedRedis> redis,
                                                 std::string key_prefix)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)) {}

RedisBarVersionRegistry::~RedisBarVersionRegistry() {
    stop();
}

void RedisBarVersionRegistry::enable_tracking(std::shared_ptr<redis::Client> reader,
                                              std::shared_ptr<redis::Subscriber> invalidations,
                                              boost::asio::any_io_executor executor) {
    table_ = std::make_shared<redis::TrackingTable>();
    tracking_ = std::make_shared<Tracking>();
    tracking_->reader = std::move(reader);
    tracking_->invalidations = std::move(invalidations);
    tracking_->table = table_;
    tracking_->reader_executor = std::move(executor);
    std::weak_ptr<Tracking> weak = tracking_;
    auto changed = [weak](bool /*up*/) {
        if (auto tracking = weak.lock()) {
            tracking->changed();
        }
    };
    tracking_->reader->on_state_change(changed);
    tracking_->invalidations->on_state_change(changed);
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
                   "gs_bar_version_tracking {}\n",
                   local_answers(), round_trips(), tracking() ? 1 : 0);
}

std::string RedisBarVersionRegistry::record_key(const std::string& symbol,
                                                market::Timeframe timeframe) const {
    return fmt::format("{}barver:{}:{}", prefix_, market::to_string(timeframe), symbol);
}

boost::asio::awaitable<std::optional<std::string>> RedisBarVersionRegistry::recorded(
    std::string symbol, market::Timeframe timeframe) {
    if (table_) {
        // The common read answers here: the key is formatted on the stack.
        fmt::basic_memory_buffer<char, 96> buffer;
        fmt::format_to(std::back_inserter(buffer), "{}barver:{}:{}", prefix_,
                       market::to_string(timeframe), symbol);
        if (auto known = table_->find({buffer.data(), buffer.size()})) {
            co_return std::move(*known);
        }
    }
    std::string key = record_key(symbol, timeframe);
    if (table_) {
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
                std::optional<std::string> value;
                if (reply->is_string()) {
                    value = std::move(reply->str);
                }
                table_->complete(key, ticket, value);
                co_return value;
            }
            table_->abandon(key, ticket);
            // Fall through: ask as without tracking (the breaker decides).
        }
    }
    round_trips_.fetch_add(1, std::memory_order_relaxed);
    std::vector<std::string> args{"GET", std::move(key)};
    auto reply = co_await redis_->command(std::move(args));
    if (!reply || !reply->is_string()) {
        co_return std::nullopt;
    }
    co_return std::move(reply->str);
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

}  // namespace gs::orchestrator
