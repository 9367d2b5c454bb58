#pragma once

#include <chrono>

#include "goldensignals/config/options.h"

namespace gs::redis {

// Connects, authenticates, selects the database and sends PING, all within `timeout`.
// Blocking: call it from a probe thread, never from an I/O thread.
bool ping(const config::RedisUrl& url, std::chrono::milliseconds timeout);

}  // namespace gs::redis
