#pragma once

#include <chrono>

#include "goldensignals/redis/url.h"

namespace gs::redis {

// Connects, authenticates, selects the database and sends PING, all within `timeout`.
// Blocking: call it from a probe thread, never from an I/O thread.
bool ping(const Url& url, std::chrono::milliseconds timeout);

}  // namespace gs::redis
