#include "goldensignals/redis/tracking_table.h"

namespace gs::redis {

std::optional<TrackingTable::Value> TrackingTable::find(std::string_view key) {
    std::lock_guard lock(mutex_);
    if (!active_) {
        return std::nullopt;
    }
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.ticket != 0 || it->second.epoch != epoch_) {
        return std::nullopt;
    }
    ++hits_;
    return it->second.value;
}

bool TrackingTable::known(std::string_view key) const {
    std::lock_guard lock(mutex_);
    if (!active_) {
        return false;
    }
    auto it = entries_.find(key);
    return it != entries_.end() && it->second.ticket == 0 && it->second.epoch == epoch_;
}

TrackingTable::Ticket TrackingTable::begin(std::string_view key) {
    std::lock_guard lock(mutex_);
    if (!active_) {
        return 0;
    }
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        if (entries_.size() >= max_entries_) {
            return 0;
        }
        it = entries_.emplace(std::string(key), Entry{}).first;
    } else if (it->second.ticket != 0 && it->second.epoch == epoch_) {
        // Another read of the key is on its way; this one is not kept.
        return 0;
    }
    it->second.ticket = next_ticket_++;
    it->second.epoch = epoch_;
    it->second.value.reset();
    return it->second.ticket;
}

void TrackingTable::complete(std::string_view key, Ticket ticket, const Value& value) {
    if (ticket == 0) {
        return;
    }
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.ticket != ticket) {
        return;  // invalidated (or reset) while the read was on its way
    }
    if (!active_ || it->second.epoch != epoch_) {
        entries_.erase(it);
        return;
    }
    it->second.ticket = 0;
    it->second.value = value;
}

void TrackingTable::abandon(std::string_view key, Ticket ticket) {
    if (ticket == 0) {
        return;
    }
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.ticket == ticket) {
        entries_.erase(it);
    }
}

void TrackingTable::invalidate(const std::vector<std::string_view>& keys) {
    std::lock_guard lock(mutex_);
    for (auto key : keys) {
        if (auto it = entries_.find(key); it != entries_.end()) {
            entries_.erase(it);
        }
    }
}

void TrackingTable::invalidate_all() {
    std::lock_guard lock(mutex_);
    entries_.clear();
}

std::uint64_t TrackingTable::reset() {
    std::lock_guard lock(mutex_);
    entries_.clear();
    active_ = false;
    return ++epoch_;
}

void TrackingTable::tracking_on(std::uint64_t epoch) {
    std::lock_guard lock(mutex_);
    if (epoch == epoch_) {
        active_ = true;
    }
}

bool TrackingTable::active() const {
    std::lock_guard lock(mutex_);
    return active_;
}

std::size_t TrackingTable::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

std::uint64_t TrackingTable::hits() const {
    std::lock_guard lock(mutex_);
    return hits_;
}

}  // namespace gs::redis
