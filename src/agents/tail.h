#pragma once

// The last N values of a series as one contiguous span, for the streaming agents' rules that
// look back a few bars (bars since a cross, a pattern's last 5 bars): each value is written
// twice, at i and i + N, so the newest N always sit side by side and the batch helpers
// (agent_math.h, pattern_context.h) run on them unchanged. Plain value, O(1) per push.

#include <array>
#include <cstddef>
#include <span>

namespace gs::agents {

template <std::size_t N>
class Tail {
  public:
    void push(double x) noexcept {
        data_[head_] = x;
        data_[head_ + N] = x;
        head_ = head_ + 1 == N ? 0 : head_ + 1;
        if (size_ < N) {
            ++size_;
        }
    }
    std::size_t size() const noexcept { return size_; }
    // The newest min(size(), N) values, oldest first.
    std::span<const double> values() const noexcept {
        return {data_.data() + head_ + N - size_, size_};
    }
    double newest() const noexcept { return data_[head_ + N - 1]; }

  private:
    std::array<double, 2 * N> data_{};
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace gs::agents
