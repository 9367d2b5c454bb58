#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

// Parking a coroutine until another thread says "go on": the one pattern behind SingleFlight's
// followers, PgPool's jobs and PgSignalStore's room, flush and exit waits.
//
//     co_await async::park([&](async::Waiter waiter) {
//         std::lock_guard lock(mutex_);
//         if (ready_) { std::move(waiter).resume(); } else { waiters_.push_back(std::move(waiter));
//         }
//     });
//
// Why not a coroutine with a condition inside: park() is a plain function returning the
// async operation: an async_initiate wrapper has no coroutine frame for g++ 12 to get wrong
// (docs/coroutines.md has the miscompilations and their reproducers).
namespace gs::async {

// The completion handler of a parked coroutine, with the coroutine's own executor. resume()
// posts the handler there: the coroutine never runs inline on the resuming thread (a pool
// thread, another strand, under someone's lock). The executor counts the parked coroutine as
// outstanding work, so io_context::run() does not return under it.
//
// Not cancellable: a parked coroutine waits for resume() whatever its cancellation slot says
// (the waits built on it end on their own: a flight completes, a pool fails queued work on
// destruction, a store's stop() wakes every waiter). Dropping a Resumer unresumed destroys the
// coroutine without resuming it.
template <typename Handler>
class Resumer final {
  public:
    using WorkExecutor = std::decay_t<decltype(boost::asio::prefer(
        std::declval<boost::asio::associated_executor_t<Handler>>(),
        boost::asio::execution::outstanding_work.tracked))>;

    explicit Resumer(Handler handler)
        : handler_(std::move(handler)),
          work_(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                    boost::asio::execution::outstanding_work.tracked)) {}
    Resumer(Resumer&&) noexcept = default;
    Resumer& operator=(Resumer&&) noexcept = default;

    // Once, from any thread. `args` are the operation's results (e.g. an exception_ptr that
    // the awaiting coroutine then rethrows).
    template <typename... Args>
    void resume(Args&&... args) && {
        boost::asio::post(
            work_, [handler = std::move(handler_), ... args = std::forward<Args>(args)]() mutable {
                std::move(handler)(std::move(args)...);
            });
    }

  private:
    Handler handler_;
    WorkExecutor work_;
};

// A parked coroutine of any kind, to keep in a list: a Resumer of signature void() behind
// one allocation.
class Waiter final {
  public:
    Waiter() = default;
    // Implicit, so that park()'s callable may take a Waiter.
    template <typename Handler>
    Waiter(Resumer<Handler> resumer)  // NOLINT(google-explicit-constructor)
        : impl_(std::make_unique<Impl<Handler>>(std::move(resumer))) {}

    // Once, from any thread; a no-op on an empty (moved-from) Waiter.
    void resume() && {
        if (auto impl = std::move(impl_)) {
            impl->resume();
        }
    }
    explicit operator bool() const noexcept { return impl_ != nullptr; }

  private:
    struct Base {
        virtual ~Base() = default;
        virtual void resume() = 0;
    };
    template <typename Handler>
    struct Impl final : Base {
        explicit Impl(Resumer<Handler> r) : resumer(std::move(r)) {}
        void resume() override { std::move(resumer).resume(); }
        Resumer<Handler> resumer;
    };

    std::unique_ptr<Base> impl_;
};

// Resumes every waiter in `waiters` (taken out of a list under its lock, resumed outside it).
inline void resume_all(std::vector<Waiter> waiters) {
    for (auto& waiter : waiters) {
        std::move(waiter).resume();
    }
}

// Suspends the calling coroutine: from the operation's initiation, calls
// `park(Resumer<Handler>)`, which may resume at once (the coroutine still resumes by a post,
// never inline) or keep the Resumer (or a Waiter made of it) for someone else to resume.
// `Signature` is the completion signature: void(), or void(std::exception_ptr) to rethrow in
// the awaiting coroutine.
template <typename Signature = void(), typename Park>
auto park(Park park) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, Signature>(
        [park = std::move(park)](auto handler) mutable {
            park(Resumer<decltype(handler)>(std::move(handler)));
        },
        boost::asio::use_awaitable);
}

}  // namespace gs::async
