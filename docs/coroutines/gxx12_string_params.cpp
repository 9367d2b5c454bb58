// The `std::string name = symbol;` sites: a const std::string& copied into a by-value
// std::string parameter of a member coroutine, inside co_await. See docs/coroutines.md.
#include <cstdio>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
enum class Timeframe { k1d, k1h };
struct Entry {
    std::shared_ptr<const std::string> json;
};

struct Service {
    asio::awaitable<Entry> current(std::string symbol, Timeframe timeframe) {
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
        co_return Entry{std::make_shared<const std::string>(
            symbol + (timeframe == Timeframe::k1d ? "d" : "h"))};
    }
};

asio::awaitable<std::size_t> route(Service& s, const std::string& symbol) {
    std::size_t n = 0;
    for (int i = 0; i < 200; ++i) {
        auto e = co_await s.current(symbol, Timeframe::k1d);  // copy of a const&
        n += e.json->size();
        n += (co_await s.current(symbol + "-X", Timeframe::k1h)).json->size();  // prvalue
        n += (co_await s.current(std::string(symbol), Timeframe::k1d)).json->size();
    }
    co_return n;
}

int main() {
    asio::io_context io;
    Service s;
    std::size_t total = 0;
    const std::string symbol = "A-SYMBOL-LONGER-THAN-THE-SSO-BUFFER";
    // The caller as a lambda coroutine taking the symbol by const& (the stream route's shape).
    auto snapshot = [&s](const std::string& sym) -> asio::awaitable<std::size_t> {
        auto e = co_await s.current(sym, Timeframe::k1d);
        co_return e.json->size();
    };
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            total += co_await route(s, symbol);
            for (int i = 0; i < 200; ++i)
                total += co_await snapshot(symbol);
        },
        asio::detached);
    io.run();
    std::printf("total %zu (expect %zu)\n", total, std::size_t{200} * (36 + 38 + 36) + 200 * 36);
}
