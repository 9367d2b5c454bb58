#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace gs::feed {

// The newest closed bar each series has delivered: a closed bar at or before it is a duplicate
// (the backfill and the stream overlap after a reconnect), and it is where a backfill starts.
// Not thread-safe: one per feed, used on the feed's strand.
class FinalBarTracker final {
  public:
    // True, and remembered, when `open_time` is newer than the series' last closed bar.
    bool accept(const std::string& series, std::int64_t open_time) {
        auto [it, inserted] = last_.try_emplace(series, open_time);
        if (inserted) {
            return true;
        }
        if (open_time <= it->second) {
            return false;
        }
        it->second = open_time;
        return true;
    }
    std::optional<std::int64_t> last(const std::string& series) const {
        auto it = last_.find(series);
        return it == last_.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
    }

  private:
    std::unordered_map<std::string, std::int64_t> last_;
};

}  // namespace gs::feed
