#pragma once

#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

// Running a piece of blocking or CPU-heavy work on another executor (the compute pool) and
// taking its result back in the awaiting coroutine:
//
//     auto build = [&] { return backtest::run(...); };
//     auto report = co_await async::run_on(compute, std::move(build));
//
// `f` runs on `executor`; the awaiting coroutine then resumes on its own executor (its session's
// strand) with f's result, or with f's exception rethrown. A void `f` gives a void co_await.
//
// Why not `co_await asio::post(compute, asio::use_awaitable)`: a coroutine resumes on its
// completion handler's associated executor, which is the coroutine's own, so that post only
// runs a no-op on `compute` and everything after it stays on the I/O thread. co_spawn runs `f`
// as a coroutine of its own on `executor` and hands the result to the awaiter's executor
// (docs/coroutines.md, "Moving a coroutine to another executor").
//
// Lifetime: after handing the result over, co_spawn's frame on `executor` still drops its copy
// of the awaiter's executor (a session strand). So `executor`'s threads must be joined before
// the awaiter's io_context is destroyed (main.cpp declares the io_context first; route test
// fixtures join their pools in TearDown), or that last release touches a freed strand.
//
// A plain function, not a coroutine: `f` is moved into the closure that co_spawn keeps, and no
// temporary's lifetime ends inside a coroutine frame (the g++ 12 rule in docs/coroutines.md).
namespace gs::async {

template <typename Executor, typename F>
auto run_on(const Executor& executor, F f)
    -> boost::asio::awaitable<std::remove_cvref_t<std::invoke_result_t<F&>>> {
    using Result = std::remove_cvref_t<std::invoke_result_t<F&>>;
    auto work = [f = std::move(f)]() mutable -> boost::asio::awaitable<Result> {
        if constexpr (std::is_void_v<Result>) {
            f();
            co_return;
        } else {
            co_return f();
        }
    };
    return boost::asio::co_spawn(executor, std::move(work), boost::asio::use_awaitable);
}

}  // namespace gs::async
