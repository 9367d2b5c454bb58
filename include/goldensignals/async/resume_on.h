#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gs::async {

// `co_await async::resume_on(executor)`: the calling coroutine goes on running on `executor`
// (a compute pool for a long parse or backtest, then its session's executor to write the
// answer).
//
// Why not `co_await asio::post(executor, asio::use_awaitable)`: that runs a no-op on
// `executor` and then resumes the coroutine on the completion handler's associated executor,
// which is the coroutine's own, so everything after it stays on the I/O thread. Binding the
// handler to `executor` is what moves the coroutine. A plain function returning the operation,
// so no coroutine frame of its own (docs/coroutines.md).
inline auto resume_on(const boost::asio::any_io_executor& executor) {
    return boost::asio::post(boost::asio::bind_executor(executor, boost::asio::use_awaitable));
}

}  // namespace gs::async
