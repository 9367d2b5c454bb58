#pragma once

#include <chrono>
#include <string>

namespace gs::store {

// Asks the PostgreSQL server behind `database_url` whether it accepts connections (libpq's
// PQping, which needs no valid credentials). Blocking: call it from a probe thread.
bool ping(const std::string& database_url, std::chrono::milliseconds timeout);

}  // namespace gs::store
