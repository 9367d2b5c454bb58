#include "goldensignals/health/readiness.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>
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

void Readiness::render_metrics(std::string& out) const {
    const auto states = snapshot();
    out +=
        "# HELP gs_dependency_up Whether the client of each configured dependency is "
        "connected (1) or not (0), as /readyz reports it.\n# TYPE gs_dependency_up gauge\n";
    bool ready = true;
    for (const auto& [name, state] : states) {
        if (state != State::kDisabled) {
            fmt::format_to(std::back_inserter(out), "gs_dependency_up{{dependency=\"{}\"}} {}\n",
                           name, state == State::kUp ? 1 : 0);
        }
        ready = ready && state != State::kDown;
    }
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_ready 1 when /readyz answers 200 (no configured dependency down).\n"
                   "# TYPE gs_ready gauge\ngs_ready {}\n",
                   ready ? 1 : 0);
}

}  // namespace gs::health
