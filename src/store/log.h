#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace gs::store {

// The component's named logger ("store"), cloned from the default logger on first use.
inline std::shared_ptr<spdlog::logger> logger() {
    static auto instance = [] {
        if (auto existing = spdlog::get("store")) {
            return existing;
        }
        auto created = spdlog::default_logger()->clone("store");
        spdlog::register_logger(created);
        return created;
    }();
    return instance;
}

}  // namespace gs::store
