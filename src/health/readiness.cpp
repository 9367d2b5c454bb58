#include "goldensignals/health/readiness.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace gs::health {

std::string_view to_string(State state) {
    switch (state) {
        case State::kDisabled:
            return "disabled";
        case State::kUp:
            return "up";
        case State::kDown:
            return "down";
    }
    return "unknown";
}

std::function<void(bool up)> Readiness::follow(std::string dependency) {
    return [this, dependency = std::move(dependency)](bool up) {
        set(dependency, up ? State::kUp : State::kDown);
    };
}

void Readiness::set(std::string_view dependency, State state) {
    State previous = State::kDisabled;
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(states_.begin(), states_.end(),
                               [&](const auto& entry) { return entry.first == dependency; });
        if (it == states_.end()) {
            states_.emplace_back(std::string(dependency), state);
            changed = state != State::kDisabled;
        } else if (it->second != state) {
            previous = it->second;
            it->second = state;
            changed = true;
        }
    }
    if (changed) {
        auto level = state == State::kDown ? spdlog::level::warn : spdlog::level::info;
        spdlog::log(level, "dependency {} is {} (was {})", dependency, to_string(state),
                    to_string(previous));
    }
}

State Readiness::get(std::string_view dependency) const {
    std::lock_guard lock(mutex_);
    for (const auto& [name, state] : states_) {
        if (name == dependency) {
            return state;
        }
    }
    return State::kDisabled;
}

std::vector<std::pair<std::string, State>> Readiness::snapshot() const {
    std::lock_guard lock(mutex_);
    return states_;
}

bool Readiness::ready() const {
    std::lock_guard lock(mutex_);
    return std::none_of(states_.begin(), states_.end(),
                        [](const auto& entry) { return entry.second == State::kDown; });
}

}  // namespace gs::health
