#include "feed/replay_server.h"

#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

namespace gs::feed::fake {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
const auto kTuple = asio::as_tuple(asio::use_awaitable);

struct ReplayServer::State {
    std::vector<WsScript> scripts;
    std::map<std::string, nlohmann::json> klines;
    int fail_rest = 0;
    asio::ssl::context tls{asio::ssl::context::tls_server};
    mutable std::mutex mutex;
    Observed observed;
};

namespace {

using State = ReplayServer::State;

std::map<std::string, std::string> query_of(std::string_view target) {
    std::map<std::string, std::string> out;
    auto q = target.find('?');
    if (q == std::string_view::npos) {
        return out;
    }
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        auto pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        out[std::string(pair.substr(0, eq))] =
            eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
        rest = amp == std::string_view::npos ? "" : rest.substr(amp + 1);
    }
    return out;
}

http::response<http::string_body> klines_response(State& state,
                                                  const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json;charset=UTF-8");
    res.keep_alive(req.keep_alive());
    const std::string target(req.target());
    bool fail = false;
    {
        std::lock_guard lock(state.mutex);
        state.observed.rest_targets.push_back(target);
        if (state.fail_rest > 0) {
            --state.fail_rest;
            fail = true;
        }
    }
    auto query = query_of(target);
    auto rows = state.klines.find(query["symbol"]);
    if (fail) {
        res.result(http::status::service_unavailable);
        res.body() = R"({"code":-1003,"msg":"Too busy."})";
    } else if (target.rfind("/api/v3/klines?", 0) != 0 || rows == state.klines.end() ||
               query["interval"] != "1m") {
        res.result(http::status::bad_request);
        res.body() = R"({"code":-1121,"msg":"Invalid symbol."})";
    } else {
        const long long start = std::stoll(query["startTime"]);
        const long long end = std::stoll(query["endTime"]);
        const std::size_t limit = std::stoul(query["limit"]);
        auto page = nlohmann::json::array();
        for (const auto& row : rows->second) {
            const long long open = row[0].get<long long>();
            if (open >= start && open <= end && page.size() < limit) {
                page.push_back(row);
            }
        }
        res.body() = page.dump();
    }
    res.prepare_payload();
    return res;
}

asio::awaitable<void> play(std::shared_ptr<State> state, websocket::stream<Stream> ws, int index) {
    ws.control_callback([&](websocket::frame_type kind, beast::string_view payload) {
        if (kind == websocket::frame_type::pong) {
            std::lock_guard lock(state->mutex);
            state->observed.pongs.emplace_back(payload);
        }
    });
    WsScript script;
    if (index < static_cast<int>(state->scripts.size())) {
        script = state->scripts[static_cast<std::size_t>(index)];
    }
    ws.text(true);
    for (const auto& message : script.messages) {
        auto [ec, n] = co_await ws.async_write(asio::buffer(message), kTuple);
        if (ec) {
            co_return;
        }
    }
    if (script.drop) {
        auto& socket = beast::get_lowest_layer(ws).socket();
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        co_return;
    }
    if (!script.ping.empty()) {
        auto [ec] = co_await ws.async_ping(websocket::ping_data(script.ping.c_str()), kTuple);
        if (ec) {
            co_return;
        }
    }
    beast::flat_buffer buffer;
    while (true) {
        auto [ec, n] = co_await ws.async_read(buffer, kTuple);
        if (ec) {
            if (ec == websocket::error::closed) {
                std::lock_guard lock(state->mutex);
                ++state->observed.close_frames;
            }
            co_return;
        }
        buffer.clear();
    }
}

asio::awaitable<void> serve(std::shared_ptr<State> state, tcp::socket socket) {
    Stream stream(std::move(socket), state->tls);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    auto [hs_ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (hs_ec) {
        co_return;
    }
    beast::flat_buffer buffer;
    while (true) {
        http::request<http::string_body> req;
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
        auto [read_ec, n] = co_await http::async_read(stream, buffer, req, kTuple);
        if (read_ec) {
            co_return;
        }
        beast::get_lowest_layer(stream).expires_never();
        if (websocket::is_upgrade(req)) {
            int index = 0;
            {
                std::lock_guard lock(state->mutex);
                index = state->observed.ws_connections++;
                state->observed.ws_targets.emplace_back(req.target());
            }
            websocket::stream<Stream> ws(std::move(stream));
            auto [accept_ec] = co_await ws.async_accept(req, kTuple);
            if (!accept_ec) {
                co_await play(state, std::move(ws), index);
            }
            co_return;
        }
        auto res = klines_response(*state, req);
        auto [write_ec, m] = co_await http::async_write(stream, res, kTuple);
        if (write_ec || !res.keep_alive()) {
            co_return;
        }
    }
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state, tcp::acceptor& acceptor) {
    while (true) {
        auto [ec, socket] = co_await acceptor.async_accept(kTuple);
        if (ec) {
            co_return;
        }
        asio::co_spawn(acceptor.get_executor(), serve(state, std::move(socket)), asio::detached);
    }
}

}  // namespace

ReplayServer::ReplayServer(std::vector<WsScript> scripts, std::map<std::string, std::string> klines,
                           int fail_rest)
    : state_(std::make_shared<State>()) {
    state_->scripts = std::move(scripts);
    for (auto& [symbol, text] : klines) {
        state_->klines[symbol] = nlohmann::json::parse(text);
    }
    state_->fail_rest = fail_rest;
    const std::string dir = GS_FEED_TEST_DATA;
    state_->tls.use_certificate_chain_file(dir + "/server.pem");
    state_->tls.use_private_key_file(dir + "/server.key", asio::ssl::context::pem);
    auto acceptor =
        std::make_shared<tcp::acceptor>(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor->local_endpoint().port();
    asio::co_spawn(io_, accept_loop(state_, *acceptor), [acceptor](std::exception_ptr) {});
    thread_ = std::thread([this] { io_.run(); });
}

ReplayServer::~ReplayServer() {
    io_.stop();
    thread_.join();
}

ReplayServer::Observed ReplayServer::observed() const {
    std::lock_guard lock(state_->mutex);
    return state_->observed;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> read_lines(const std::string& path) {
    std::stringstream text(read_file(path));
    std::vector<std::string> lines;
    for (std::string line; std::getline(text, line);) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

}  // namespace gs::feed::fake
