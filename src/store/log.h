#pragma once

#include <memory>

#include <spdlog/spdlog.h>

#include "goldensignals/log/logger.h"

namespace gs::store {

// The component's named logger ("store").
inline std::shared_ptr<spdlog::logger> logger() {
    static const auto instance = log::named_logger("store");
    return instance;
}

}  // namespace gs::store
