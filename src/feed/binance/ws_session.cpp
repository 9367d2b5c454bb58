#include "feed/binance/ws_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace gs::feed::binance {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
// Binance's kline messages are a few hundred bytes; anything near this is not one.
constexpr std::size_t kMaxMessage = 1 << 20;
}  // namespace

WsSession::WsSession(asio::any_io_executor executor, asio::ssl::context& tls)
    : ws_(std::move(executor), tls) {
    ws_.read_message_max(kMaxMessage);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::ping && on_ping_) {
            on_ping_();
        }
    });
}

asio::awaitable<boost::system::error_code> WsSession::connect(const Endpoint& endpoint,
                                                              const std::string& target,
                                                              Timeouts timeouts) {
    if (auto ec = co_await connect_tls(ws_.next_layer(), endpoint, timeouts.connect)) {
        co_return ec;
    }
    if (closing_) {
        co_return asio::error::operation_aborted;
    }
    // The WebSocket stream keeps its own deadlines from here on (Beast's timeout option).
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = timeouts.connect;
    timeout.idle_timeout = timeouts.idle;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
        request.set(beast::http::field::user_agent, "goldensignals");
    }));
    auto [ec] = co_await ws_.async_handshake(endpoint.authority, target,
                                             asio::as_tuple(asio::use_awaitable));
    co_return ec;
}

asio::awaitable<boost::system::error_code> WsSession::read(std::string& text) {
    buffer_.clear();
    auto [ec, bytes] = co_await ws_.async_read(buffer_, asio::as_tuple(asio::use_awaitable));
    if (!ec) {
        text = beast::buffers_to_string(buffer_.data());
    }
    co_return ec;
}

asio::awaitable<void> WsSession::close() {
    if (closing_) {
        co_return;
    }
    closing_ = true;
    if (!ws_.is_open()) {
        // Still connecting: cut the socket so the pending step fails now.
        beast::get_lowest_layer(ws_).cancel();
        co_return;
    }
    auto [ec] = co_await ws_.async_close(websocket::close_code::normal,
                                         asio::as_tuple(asio::use_awaitable));
    (void)ec;  // the connection ends either way
}

}  // namespace gs::feed::binance
