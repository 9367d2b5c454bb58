// Where a coroutine runs after post(ex, use_awaitable) and after
// post(bind_executor(ex, use_awaitable)), read inline (std::this_thread::get_id()) and through an
// opaque function. docs/coroutines.md, "Moving a coroutine to another executor".
//
//   g++ -std=c++20 -O2 executor_hop.cpp -pthread && ./a.out
//   clang++-14 -std=c++20 -O2 executor_hop.cpp -pthread && ./a.out
#include <iostream>
#include <thread>

#include <boost/asio.hpp>

namespace asio = boost::asio;

// A memory clobber: the compiler can neither treat the call as `const` nor reuse its result.
[[gnu::noinline]] std::thread::id thread_now() {
    asm volatile("" ::: "memory");
    return std::this_thread::get_id();
}

int main() {
    asio::io_context io;
    asio::thread_pool pool{1};
    std::thread::id io_id, pool_id, a, a2, b, b2, c;
    asio::post(pool, [&] { pool_id = std::this_thread::get_id(); });
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            io_id = std::this_thread::get_id();
            co_await asio::post(pool.get_executor(), asio::use_awaitable);
            a = std::this_thread::get_id();
            a2 = thread_now();
            co_await asio::post(asio::bind_executor(pool.get_executor(), asio::use_awaitable));
            b = std::this_thread::get_id();
            b2 = thread_now();
            co_await asio::post(asio::bind_executor(io.get_executor(), asio::use_awaitable));
            c = thread_now();
        },
        asio::detached);
    io.run();
    pool.join();
    std::cout << "post(ex): get_id on pool " << (a == pool_id) << ", opaque on pool "
              << (a2 == pool_id) << "\n";
    std::cout << "post(bind_executor(ex)): get_id on pool " << (b == pool_id) << ", opaque on pool "
              << (b2 == pool_id) << "\n";
    std::cout << "back on io " << (c == io_id) << "\n";
}
