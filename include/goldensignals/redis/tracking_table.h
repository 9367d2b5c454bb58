#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gs::redis {

// The local half of Redis server-assisted client-side caching (CLIENT TRACKING, RESP2 redirect
// mode), without the I/O: which values this process may answer from without asking Redis.
//
// A value is kept only while it is certain that Redis will tell us when it changes: the
// tracking connection had tracking on (redirected to our invalidation connection) when it read
// the value, and both connections have stayed up since. Any change of either connection
// (down, up, a new redirect target) starts a new epoch and forgets everything: invalidations
// sent while a connection was down are lost, so "down" means "everything may have changed".
//
// The invalidation of a key and the reply of a read of it arrive on different connections, in
// either order. So a read first leaves a placeholder (begin), the invalidation removes it, and
// the reply is kept (complete) only if its placeholder is still there: an invalidation that
// overtook the reply wins.
//
// Thread-safe: the read path, the tracking connection and the invalidation connection each
// call it from their own strand.
class TrackingTable final {
  public:
    // nullopt: the key does not exist in Redis (tracked too; a later SET invalidates it).
    using Value = std::optional<std::string>;
    // 0: not tracked (the read goes to Redis and its reply is not kept).
    using Ticket = std::uint64_t;

    explicit TrackingTable(std::size_t max_entries = 100'000) : max_entries_(max_entries) {}

    // The known value of `key`, or nullopt when Redis must be asked.
    std::optional<Value> find(std::string_view key);
    // Whether find() would answer now (not counted as a hit): strict reads wait for a read
    // barrier only when there is a copy to answer from.
    bool known(std::string_view key) const;
    // Before reading `key` from Redis on the tracking connection: a ticket for complete(), or 0
    // when tracking is off, the table is full or a read of the key is already pending.
    Ticket begin(std::string_view key);
    // The reply of that read: kept if no invalidation and no epoch change came in between.
    void complete(std::string_view key, Ticket ticket, const Value& value);
    // The read failed: drops its placeholder.
    void abandon(std::string_view key, Ticket ticket);

    // From the invalidation connection: these keys changed (or expired, or were evicted).
    void invalidate(const std::vector<std::string_view>& keys);
    // A null invalidation (FLUSHALL, FLUSHDB), or anything else that may have changed any key.
    void invalidate_all();

    // A connection went down or came up, or tracking is being re-enabled: forget everything
    // and stop keeping values until tracking_on(). Returns the new epoch.
    std::uint64_t reset();
    // CLIENT TRACKING succeeded; `epoch` is what reset() returned before it was sent. Ignored
    // when another reset happened since (the reply belongs to a connection that is gone).
    void tracking_on(std::uint64_t epoch);
    bool active() const;

    std::size_t size() const;
    std::uint64_t hits() const;

  private:
    struct Entry {
        Ticket ticket = 0;  // non-zero while the read is pending
        std::uint64_t epoch = 0;
        Value value;
    };

    // Looked up by string_view without making a string (the read path stays allocation-free).
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept {
            return std::hash<std::string_view>{}(key);
        }
    };

    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
    std::size_t max_entries_;
    std::uint64_t epoch_ = 1;
    bool active_ = false;
    Ticket next_ticket_ = 1;
    std::uint64_t hits_ = 0;
};

}  // namespace gs::redis
