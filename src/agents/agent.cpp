#include "goldensignals/agents/agent.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <ostream>

namespace gs::agents {

std::string_view to_string(Action action) noexcept {
    switch (action) {
        case Action::kBuy:
            return "BUY";
        case Action::kSell:
            return "SELL";
        case Action::kHold:
            return "HOLD";
        case Action::kAbstain:
            return "ABSTAIN";
    }
    return "ABSTAIN";
}

std::string_view to_string(Category category) noexcept {
    switch (category) {
        case Category::kTrend:
            return "trend";
        case Category::kMomentum:
            return "momentum";
        case Category::kVolatility:
            return "volatility";
        case Category::kVolume:
            return "volume";
        case Category::kPattern:
            return "pattern";
        case Category::kStatistical:
            return "statistical";
    }
    return "unknown";
}

double AgentResult::value(std::string_view key) const noexcept {
    for (const auto& v : values()) {
        if (v.key == key) {
            return v.value;
        }
    }
    return std::nan("");
}

std::ostream& operator<<(std::ostream& out, const Reason& reason) {
    return out << reason.str();
}

std::span<double> Workspace::take(std::size_t n) {
    if (used_ == buffers_.size()) {
        buffers_.emplace_back();
    }
    auto& buffer = buffers_[used_++];
    if (buffer.size() < n) {
        buffer.resize(n);
    }
    return {buffer.data(), n};
}

}  // namespace gs::agents
