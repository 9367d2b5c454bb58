#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gs::redis {

// Where a Redis server is: what a `redis://` URL says.
struct Url {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string password;
    int db = 0;
};

// Parses `redis://[:password@]host[:port][/db]` (a user before the password is ignored: no
// ACLs). Throws std::invalid_argument with a message that never quotes the password.
Url parse_url(std::string_view url);

}  // namespace gs::redis
