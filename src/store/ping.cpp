#include "goldensignals/store/ping.h"

#include <algorithm>

#include <libpq-fe.h>

namespace gs::store {

bool ping(const std::string& database_url, std::chrono::milliseconds timeout) {
    const auto seconds = std::max<long long>(1, (timeout.count() + 999) / 1000);
    const std::string timeout_text = std::to_string(seconds);
    const char* keywords[] = {"dbname", "connect_timeout", nullptr};
    const char* values[] = {database_url.c_str(), timeout_text.c_str(), nullptr};
    // expand_dbname = 1: the URL's own parameters come first, connect_timeout fills in.
    return PQpingParams(keywords, values, 1) == PQPING_OK;
}

}  // namespace gs::store
