#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/system/error_code.hpp>

#include "feed/binance/tls.h"

namespace gs::feed::binance {

// One WebSocket connection over TLS. Beast answers the server's pings with pongs while a read
// is pending; `on_ping` only observes them. A connection quiet for `idle_timeout` gets a ping
// from us at half of it and is dropped (the read fails) at the full time.
class WsSession final {
  public:
    struct Timeouts {
        std::chrono::milliseconds connect{10'000};
        std::chrono::milliseconds idle{30'000};
    };

    WsSession(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls);

    void on_ping(std::function<void()> callback) { on_ping_ = std::move(callback); }

    // TCP, TLS, then the WebSocket upgrade of `target`.
    boost::asio::awaitable<boost::system::error_code> connect(const Endpoint& endpoint,
                                                              const std::string& target,
                                                              Timeouts timeouts);
    // The next data message into `text` (binary ones too: the caller's parser rejects them).
    boost::asio::awaitable<boost::system::error_code> read(std::string& text);
    // Sends a close frame (normal closure) and waits for the server's, within the connect
    // timeout; a connection not yet open is cut instead. A pending read then ends.
    boost::asio::awaitable<void> close();
    bool is_open() const { return ws_.is_open(); }

  private:
    boost::beast::websocket::stream<TlsStream> ws_;
    boost::beast::flat_buffer buffer_;
    std::function<void()> on_ping_;
    bool closing_ = false;
};

}  // namespace gs::feed::binance
