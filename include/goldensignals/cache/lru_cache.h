#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gs::cache {

struct LruOptions {
    std::size_t max_bytes = 256u * 1024 * 1024;
    std::size_t max_entries = 100'000;
    // Independent shards, each with its own lock, so threads rarely contend; the limits are
    // split evenly among them.
    std::size_t shards = 16;
};

struct LruStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::size_t entries = 0;
    std::size_t bytes = 0;
};

// A sharded least-recently-used cache of shared immutable values, bounded by bytes and by
// entries. `Value` is held by shared_ptr, so a reader keeps its value alive after eviction
// and nothing is copied on a hit.
template <typename Value>
class LruCache final {
  public:
    using Ptr = std::shared_ptr<const Value>;

    explicit LruCache(LruOptions options)
        : options_(options), shards_(std::max<std::size_t>(1, options.shards)) {
        const std::size_t n = shards_.size();
        for (auto& shard : shards_) {
            shard.max_bytes = std::max<std::size_t>(1, options.max_bytes / n);
            shard.max_entries = std::max<std::size_t>(1, options.max_entries / n);
        }
    }

    // Takes a view: a caller can look a key up from a buffer of its own, with no string made.
    Ptr get(std::string_view key) {
        auto& shard = shard_of(key);
        std::lock_guard lock(shard.mutex);
        auto it = shard.index.find(key);
        if (it == shard.index.end()) {
            misses_.fetch_add(1, std::memory_order_relaxed);
            return nullptr;
        }
        shard.order.splice(shard.order.begin(), shard.order, it->second);
        hits_.fetch_add(1, std::memory_order_relaxed);
        return it->second->value;
    }

    // Inserts or replaces; `bytes` is the value's footprint. A value larger than a shard's
    // budget is not cached at all.
    void put(const std::string& key, Ptr value, std::size_t bytes) {
        auto& shard = shard_of(key);
        const std::size_t cost = bytes + key.size() + kOverhead;
        if (cost > shard.max_bytes) {
            return;
        }
        std::lock_guard lock(shard.mutex);
        auto it = shard.index.find(key);
        if (it != shard.index.end()) {
            shard.bytes -= it->second->cost;
            it->second->value = std::move(value);
            it->second->cost = cost;
            shard.bytes += cost;
            shard.order.splice(shard.order.begin(), shard.order, it->second);
        } else {
            shard.order.push_front(Entry{key, std::move(value), cost});
            shard.index.emplace(key, shard.order.begin());
            shard.bytes += cost;
        }
        while (shard.bytes > shard.max_bytes || shard.index.size() > shard.max_entries) {
            auto& victim = shard.order.back();
            shard.bytes -= victim.cost;
            shard.index.erase(victim.key);
            shard.order.pop_back();
            evictions_.fetch_add(1, std::memory_order_relaxed);
        }
    }

    void erase(const std::string& key) {
        auto& shard = shard_of(key);
        std::lock_guard lock(shard.mutex);
        auto it = shard.index.find(key);
        if (it != shard.index.end()) {
            shard.bytes -= it->second->cost;
            shard.order.erase(it->second);
            shard.index.erase(it);
        }
    }

    LruStats stats() const {
        LruStats s;
        s.hits = hits_.load(std::memory_order_relaxed);
        s.misses = misses_.load(std::memory_order_relaxed);
        s.evictions = evictions_.load(std::memory_order_relaxed);
        for (auto& shard : shards_) {
            std::lock_guard lock(shard.mutex);
            s.entries += shard.index.size();
            s.bytes += shard.bytes;
        }
        return s;
    }

  private:
    // Rough per-entry bookkeeping (list node, hash node, key header) counted against bytes.
    static constexpr std::size_t kOverhead = 96;

    struct Entry {
        std::string key;
        Ptr value;
        std::size_t cost;
    };
    // Transparent, so find() takes a string_view (C++20 heterogeneous lookup).
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept {
            return std::hash<std::string_view>{}(key);
        }
    };
    struct Shard {
        mutable std::mutex mutex;
        std::list<Entry> order;  // most recent first
        std::unordered_map<std::string, typename std::list<Entry>::iterator, KeyHash,
                           std::equal_to<>>
            index;
        std::size_t bytes = 0;
        std::size_t max_bytes = 0;
        std::size_t max_entries = 0;
    };

    Shard& shard_of(std::string_view key) { return shards_[KeyHash{}(key) % shards_.size()]; }

    LruOptions options_;
    std::vector<Shard> shards_;
    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> misses_{0};
    std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace gs::cache
