#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/cache/guarded_redis.h"
#include "goldensignals/orchestrator/bar_version_registry.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/subscriber.h"
#include "goldensignals/redis/tracking_table.h"

namespace gs::orchestrator {

// Versions in Redis: `<prefix>barver:<timeframe>:<symbol>` holds the version (refreshed by
// every ingest, kept a week), and bar-update messages go to `<prefix>bars` by PUBLISH. Uses
// the signal tier's breaker, so a dead Redis is skipped here too.
//
// With tracking (enable_tracking), recorded() answers from a local copy of the records that
// Redis invalidates (server-assisted client-side caching, RESP2, broadcast mode): a connection
// subscribed to __redis__:invalidate carries `CLIENT TRACKING on REDIRECT <its own id> BCAST
// PREFIX <prefix>barver:`, so Redis tells it of every change of any record; a second
// connection reads the records. While the invalidation connection is down or tracking is not
// yet confirmed, every read asks Redis as without tracking; each change of that connection
// forgets every local copy.
//
// Strict reads (the default): a local copy answers only after a read barrier that left after
// the read began has come back, a PING on the invalidation connection (coalesced: one barrier
// at a time serves every read that was waiting when it left). Its reply comes after every
// invalidation Redis queued before it and proves the connection, and so the tracking, was
// alive then. A failed or timed-out barrier sends the waiting reads to Redis.
//
// Read lease (off by default): a barrier that came back also serves, without a wait, the
// reads that begin within `read_lease` of its send time (redis::ReadLease), because every instance
// acks a write only ack_delay() (longer than the lease) after Redis confirmed it. Under steady
// reads a barrier nobody waits for renews the lease halfway through, so no read waits.
// docs/consistency.md states the guarantee.
class RedisBarVersionRegistry final : public BarVersionRegistry {
  public:
    enum class ReadMode {
        kStrict,
        // A local copy answers at once, before invalidations on their way have been read
        // (docs/consistency.md: the window). Tests show with it what the barrier closes.
        kFast,
    };

    // Every instance of a deployment must use the same lease (--redis-read-lease-ms): a
    // writer's ack delay covers its own lease only. 0 (the default): every strict read waits
    // for a barrier and writes are acked at once.
    static constexpr std::chrono::microseconds kDefaultReadLease{0};

    RedisBarVersionRegistry(std::shared_ptr<cache::GuardedRedis> redis, std::string key_prefix,
                            std::chrono::microseconds read_lease = kDefaultReadLease);
    ~RedisBarVersionRegistry() override;

    // Call before start(). `reader` and `invalidations` are connections of their own (not
    // shared with other users: their handlers and tracking state belong to this registry).
    // `executor` handles the barriers' replies.
    void enable_tracking(std::shared_ptr<redis::Client> reader,
                         std::shared_ptr<redis::Subscriber> invalidations,
                         boost::asio::any_io_executor executor, ReadMode mode = ReadMode::kStrict);
    // Starts and stops the tracking connections (no-ops without tracking).
    void start();
    void stop();

    boost::asio::awaitable<SharedRecord> recorded(std::string symbol,
                                                  market::Timeframe timeframe) override;
    boost::asio::awaitable<void> announce(std::string symbol, market::Timeframe timeframe,
                                          std::string version) override;
    boost::asio::awaitable<void> seed(std::string symbol, market::Timeframe timeframe,
                                      std::string version) override;
    std::string channel() const override { return prefix_ + "bars"; }
    // The read lease plus its margin: whether or not this instance tracks, others may.
    std::chrono::microseconds ack_delay() const override;
    // gs_bar_version_reads_total{answer="local"|"redis"}, gs_bar_version_tracking (0/1),
    // gs_bar_version_barriers_total{result="ok"|"failed"} and
    // gs_bar_version_strict_reads_total{fresh_by="lease"|"barrier"}.
    void render_metrics(std::string& out) const override;

    // True while reads may be answered locally (invalidation connection up, tracking on).
    bool tracking() const { return table_ && table_->active(); }
    // Reads answered from the local copy, and reads that asked Redis.
    std::uint64_t local_answers() const { return table_ ? table_->hits() : 0; }
    std::uint64_t round_trips() const noexcept { return round_trips_.load(); }
    // Read barriers that came back, and that failed (their reads asked Redis).
    std::uint64_t barriers() const;
    std::uint64_t failed_barriers() const;
    // Strict local answers made fresh by the read lease, and by a barrier of their own.
    std::uint64_t lease_answers() const;
    std::uint64_t barrier_answers() const;

  private:
    struct Tracking;

    std::string record_key(const std::string& symbol, market::Timeframe timeframe) const;
    // Strict reads: true once a barrier sent after this call came back, false when it failed.
    boost::asio::awaitable<bool> barrier();

    std::shared_ptr<cache::GuardedRedis> redis_;
    std::string prefix_;
    std::chrono::microseconds read_lease_;
    std::shared_ptr<redis::TrackingTable> table_;
    std::shared_ptr<Tracking> tracking_;
    std::atomic<std::uint64_t> round_trips_{0};
};

}  // namespace gs::orchestrator
