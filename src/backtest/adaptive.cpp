#include "goldensignals/backtest/adaptive.h"

#include <algorithm>
#include <stdexcept>

#include "goldensignals/backtest/figures.h"

namespace gs::backtest {

double adaptive_multiple(std::size_t hits, std::size_t misses) noexcept {
    const double odds = (static_cast<double>(hits) + 1.0) / (static_cast<double>(misses) + 1.0);
    return std::clamp(odds, kMinMultiple, kMaxMultiple);
}

AdaptiveWeights::AdaptiveWeights(std::size_t agents, AdaptiveOptions options)
    : agents_(agents),
      options_(options),
      multipliers_(agents, 1.0),
      windows_(agents),
      outcomes_(agents * std::max<std::size_t>(1, options.window), 0),
      closes_(std::max<std::size_t>(1, options.horizon), 0.0),
      actions_(std::max<std::size_t>(1, options.horizon) * agents, agents::Action::kAbstain) {
    if (options_.horizon < 1 || options_.window < 1) {
        throw std::invalid_argument("adaptive weights need a horizon and a window of at least 1");
    }
}

void AdaptiveWeights::add(std::size_t agent, bool hit) {
    Window& w = windows_[agent];
    std::uint8_t& slot = outcomes_[agent * options_.window + w.next];
    if (w.size == options_.window) {
        w.hits -= slot;
    } else {
        ++w.size;
    }
    slot = hit ? 1 : 0;
    w.hits += slot;
    w.next = (w.next + 1) % options_.window;
}

void AdaptiveWeights::on_bar(double close) {
    close_ = close;
    if (seen_ < options_.horizon) {
        return;  // no call has reached its horizon bar yet
    }
    // Bar t = seen_; the calls of bar t - horizon sit in slot t % horizon.
    const std::size_t slot = seen_ % options_.horizon;
    const double close_then = closes_[slot];
    for (std::size_t i = 0; i < agents_; ++i) {
        const auto call = score_call(actions_[slot * agents_ + i], close_then, close);
        if (!call.scored) {
            continue;  // HOLD and ABSTAIN are not calls
        }
        add(i, call.hit);
        const Window& w = windows_[i];
        multipliers_[i] = adaptive_multiple(w.hits, w.size - w.hits);
    }
}

void AdaptiveWeights::on_verdicts(std::span<const agents::AgentResult> results) {
    const std::size_t slot = seen_ % options_.horizon;
    closes_[slot] = close_;
    for (std::size_t i = 0; i < agents_; ++i) {
        actions_[slot * agents_ + i] =
            i < results.size() ? results[i].action : agents::Action::kAbstain;
    }
    ++seen_;
}

}  // namespace gs::backtest
