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

namespace {

// No clamp: a formula that leaves [0, 1] is a bug in that agent, caught here in debug builds
// and by tests/agents/confidence_range_test.cpp in every build. (The orchestrator still
// answers ABSTAIN for a confidence out of range, so a release build never serves one.)
double checked_unit(double confidence) noexcept {
    assert(confidence >= 0.0 && confidence <= 1.0 && "agent confidence out of [0, 1]");
    return confidence;
}

}  // namespace

AgentResult buy(double confidence, Reason reason) {
    AgentResult r;
    r.action = Action::kBuy;
    r.confidence = checked_unit(confidence);
    r.score = r.confidence;
    r.reason = std::move(reason);
    return r;
}

AgentResult sell(double confidence, Reason reason) {
    AgentResult r;
    r.action = Action::kSell;
    r.confidence = checked_unit(confidence);
    r.score = -r.confidence;
    r.reason = std::move(reason);
    return r;
}

AgentResult hold(double confidence, double lean, Reason reason) {
    AgentResult r;
    r.action = Action::kHold;
    r.confidence = checked_unit(confidence);
    r.score = std::isnan(lean) ? 0.0 : std::clamp(lean, -0.999, 0.999);
    r.reason = std::move(reason);
    return r;
}

AgentResult abstain(Reason reason) {
    AgentResult r;
    r.action = Action::kAbstain;
    r.reason = std::move(reason);
    return r;
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
