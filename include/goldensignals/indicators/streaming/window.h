#pragma once

// Fixed-capacity windows the streaming indicator states keep: a ring of the last N values and
// a monotonic deque for a rolling extreme. Both are plain values (copyable, no pointers into
// themselves), so a state holding them can be copied mid-series and continue identically.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gs::indicators::streaming {

// The last `capacity` values pushed, oldest first.
class Ring {
  public:
    explicit Ring(std::size_t capacity = 1) : data_(std::max<std::size_t>(capacity, 1)) {}

    void push(double x) noexcept {
        data_[head_] = x;
        head_ = head_ + 1 == data_.size() ? 0 : head_ + 1;
        if (size_ < data_.size()) {
            ++size_;
        }
    }
    std::size_t size() const noexcept { return size_; }
    bool full() const noexcept { return size_ == data_.size(); }
    // i = 0 is the oldest value held.
    double at(std::size_t i) const noexcept {
        std::size_t j = head_ + data_.size() - size_ + i;
        return data_[j >= data_.size() ? j - data_.size() : j];
    }
    double oldest() const noexcept { return at(0); }

  private:
    std::vector<double> data_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

// Rolling extreme over the last `window` bars by bar number. `Better(a, b)` is true when a
// newer value b should displace an older value a at the back: for the highest value with the
// latest bar winning ties (TA-Lib's Aroon rule) that is b >= a. The front is the extreme; each
// bar enters and leaves once, so an update is amortised O(1).
template <typename Displaces>
class MonotonicDeque {
  public:
    explicit MonotonicDeque(std::size_t window = 1)
        : window_(std::max<std::size_t>(window, 1)), items_(window_ + 1) {}

    // Adds bar `index` (strictly increasing) and drops bars that left the window.
    void push(std::uint64_t index, double value) noexcept {
        while (size_ > 0 && Displaces{}(back().value, value)) {
            --size_;
        }
        items_[wrap(head_ + size_)] = {index, value};
        ++size_;
        while (front().index + window_ <= index) {
            head_ = wrap(head_ + 1);
            --size_;
        }
    }
    double value() const noexcept { return front().value; }
    std::uint64_t index() const noexcept { return front().index; }

  private:
    struct Item {
        std::uint64_t index;
        double value;
    };
    std::size_t wrap(std::size_t i) const noexcept {
        return i >= items_.size() ? i - items_.size() : i;
    }
    const Item& front() const noexcept { return items_[head_]; }
    const Item& back() const noexcept { return items_[wrap(head_ + size_ - 1)]; }

    std::size_t window_;
    std::vector<Item> items_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

// Highest / lowest; ties keep the latest bar (the value is the same either way, the index
// matters for Aroon).
struct HigherOrEqual {
    bool operator()(double held, double incoming) const noexcept { return incoming >= held; }
};
struct LowerOrEqual {
    bool operator()(double held, double incoming) const noexcept { return incoming <= held; }
};
using RollingHigh = MonotonicDeque<HigherOrEqual>;
using RollingLow = MonotonicDeque<LowerOrEqual>;

}  // namespace gs::indicators::streaming
