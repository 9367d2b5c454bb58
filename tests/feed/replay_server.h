#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace gs::feed::fake {

// What the server does on one WebSocket connection, in order.
struct WsScript {
    std::vector<std::string> messages;  // text frames sent at once
    bool drop = false;                  // then cut the TCP connection (no close frame)
    std::string ping;                   // else: a ping with this payload (none if empty)
    // else: read (answering the client's pings, recording pongs) until the client closes.
};

// An in-test Binance stand-in on 127.0.0.1 over TLS (tests/feed/data/server.pem, signed by
// test_ca.pem): WebSocket upgrades play the scripts, one per connection in order (a connection
// past the last script is held open); GET /api/v3/klines answers from `klines` (symbol -> the
// rows of the REST fixture) as Binance does: open time in [startTime, endTime], at most
// `limit`, oldest first. `fail_rest` first REST requests get HTTP 503.
class ReplayServer final {
  public:
    ReplayServer(std::vector<WsScript> scripts, std::map<std::string, std::string> klines,
                 int fail_rest = 0);
    ~ReplayServer();
    ReplayServer(const ReplayServer&) = delete;
    ReplayServer& operator=(const ReplayServer&) = delete;

    unsigned short port() const { return port_; }

    struct Observed {
        int ws_connections = 0;
        std::vector<std::string> ws_targets;
        std::vector<std::string> rest_targets;
        std::vector<std::string> pongs;
        int close_frames = 0;  // close frames received from the client
    };
    Observed observed() const;

    // The shared state of the server's coroutines (defined in the .cpp).
    struct State;

  private:
    boost::asio::io_context io_;
    std::shared_ptr<State> state_;
    unsigned short port_ = 0;
    std::thread thread_;
};

std::string read_file(const std::string& path);
std::vector<std::string> read_lines(const std::string& path);

}  // namespace gs::feed::fake
