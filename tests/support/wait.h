#pragma once

#include <chrono>
#include <thread>

namespace gs::support {

// Polls `condition` until it holds or `limit` has passed; true when it held. For waiting on
// something another thread does, instead of sleeping for a guessed time.
template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace gs::support
