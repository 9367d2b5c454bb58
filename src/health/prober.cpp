#include "goldensignals/health/prober.h"

#include <spdlog/spdlog.h>

namespace gs::health {

Prober::Prober(Readiness& readiness, std::chrono::milliseconds interval)
    : readiness_(readiness), interval_(interval) {}

Prober::~Prober() {
    stop();
}

void Prober::add(std::string dependency, Check check) {
    checks_.emplace_back(std::move(dependency), std::move(check));
}

void Prober::start() {
    if (checks_.empty() || thread_.joinable()) {
        return;
    }
    thread_ = std::thread([this] { run(); });
}

void Prober::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Prober::run() {
    // The first round always runs, even when stop() comes at once, so a caller that starts
    // and stops a prober has every dependency checked exactly once.
    for (;;) {
        for (const auto& [name, check] : checks_) {
            bool ok = false;
            try {
                ok = check();
            } catch (const std::exception& e) {
                spdlog::debug("probe of {} threw: {}", name, e.what());
            }
            readiness_.set(name, ok ? State::kUp : State::kDown);
        }
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            return;
        }
    }
}

}  // namespace gs::health
