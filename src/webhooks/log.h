#pragma once

#include <memory>

#include <spdlog/spdlog.h>

#include "goldensignals/log/logger.h"

namespace gs::webhooks {

// The component's named logger ("webhooks").
inline std::shared_ptr<spdlog::logger> logger() {
    static const auto instance = log::named_logger("webhooks");
    return instance;
}

}  // namespace gs::webhooks
