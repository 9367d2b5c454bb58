#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace gs::log {

// A component's named logger ("access", "redis", "store"): the registered one of that name,
// else a clone of the default logger (its sinks and pattern) registered under the name, so
// spdlog's level settings reach it. Not cheap (a registry lookup): each component keeps the
// result in a function-local static.
inline std::shared_ptr<spdlog::logger> named_logger(const std::string& name) {
    if (auto existing = spdlog::get(name)) {
        return existing;
    }
    auto created = spdlog::default_logger()->clone(name);
    spdlog::register_logger(created);
    return created;
}

}  // namespace gs::log
