// g++ 12 coroutine temporaries: the patterns GoldenSignals works around, each written the
// plain way. See docs/coroutines.md for the commands and results. GS_PAT selects patterns
// (bit mask, default all); -DNO_BRACED replaces pattern 8 (which g++ 12 does not compile) by
// a named local.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

// A suspension point, so parameters must live in the frame across a real suspend.
asio::awaitable<void> hop() {
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

// 1. A temporary closure (captured std::string) passed by value into a coroutine parameter
//    inside co_await (PgPool::run, SignalService's flights_.run).
template <typename F>
asio::awaitable<std::size_t> run_closure(F f) {
    co_await hop();
    co_return f();
}

// 2. A std::string temporary (a copy of a const&) into a by-value coroutine parameter
//    (the `std::string name = symbol;` sites).
asio::awaitable<std::size_t> current(std::string symbol, int timeframe) {
    co_await hop();
    co_return symbol.size() + static_cast<std::size_t>(timeframe);
}

// 3. An aggregate temporary holding a shared_ptr (redis Client::command, single_flight wait).
struct Holder {
    std::shared_ptr<std::string> p;
};
asio::awaitable<std::size_t> take_holder(Holder h) {
    co_await hop();
    co_return h.p->size();
}

// 4. A braced list of strings into a vector parameter (redis command args).
asio::awaitable<std::size_t> command(std::vector<std::string> args) {
    co_await hop();
    std::size_t n = 0;
    for (const auto& a : args)
        n += a.size();
    co_return n;
}

// 5. A by-value std::function parameter of a nested coroutine.
asio::awaitable<std::size_t> run_function(std::function<std::size_t()> f) {
    co_await hop();
    co_return f();
}

#ifndef GS_PAT
#define GS_PAT 31
#endif
asio::awaitable<void> caller(const std::string& symbol, std::size_t& total) {
    for (int i = 0; i < 200; ++i) {
        if (GS_PAT & 1)
            total += co_await run_closure([symbol] { return symbol.size(); });
        if (GS_PAT & 2)
            total += co_await current(symbol, 1);
        if (GS_PAT & 4)
            total += co_await take_holder(Holder{std::make_shared<std::string>(symbol)});
#ifndef NO_BRACED
        if (GS_PAT & 8)
            total += co_await command({"GET", symbol, "a long enough literal to leave SSO"});
#else
        std::vector<std::string> args{"GET", symbol, "a long enough literal to leave SSO"};
        if (GS_PAT & 8)
            total += co_await command(std::move(args));
#endif
        if (GS_PAT & 16)
            total += co_await run_function([symbol, s2 = symbol + symbol] { return s2.size(); });
    }
}

int main() {
    asio::io_context io;
    const std::string symbol = "A-SYMBOL-LONGER-THAN-THE-SSO-BUFFER";
    std::size_t total = 0;
    asio::co_spawn(io, caller(symbol, total), asio::detached);
    io.run();
    const std::size_t expected =
        std::size_t{200} * ((GS_PAT & 1 ? 35 : 0) + (GS_PAT & 2 ? 36 : 0) + (GS_PAT & 4 ? 35 : 0) +
                            (GS_PAT & 8 ? 3 + 35 + 34 : 0) + (GS_PAT & 16 ? 70 : 0));
    std::printf("total %zu (expect %zu)\n", total, expected);
}
