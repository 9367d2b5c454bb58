#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/async/waiter.h"

namespace gs::cache {

// Concurrent requests for the same key run `make` once: the first caller computes, the
// others await its result (or its exception) on their own executors.
template <typename T>
class SingleFlight final {
  public:
    boost::asio::awaitable<T> run(const std::string& key,
                                  std::function<boost::asio::awaitable<T>()> make) {
        std::shared_ptr<Flight> flight;
        bool leader = false;
        {
            std::lock_guard lock(mutex_);
            auto& slot = flights_[key];
            if (!slot) {
                slot = std::make_shared<Flight>();
                leader = true;
            }
            flight = slot;
        }
        if (!leader) {
            // `flight` (a local of this frame) keeps the Flight alive across the wait.
            co_await wait(flight.get());
            co_return result_of(*flight);
        }
        try {
            flight->value = co_await make();
        } catch (...) {
            flight->error = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            flights_.erase(key);
        }
        std::vector<async::Waiter> waiters;
        {
            std::lock_guard lock(flight->mutex);
            flight->done = true;
            waiters.swap(flight->waiters);
        }
        // Each waiter resumes on its own executor, never inline on the leader's.
        async::resume_all(std::move(waiters));
        co_return result_of(*flight);
    }

    std::size_t in_flight() const {
        std::lock_guard lock(mutex_);
        return flights_.size();
    }

  private:
    struct Flight {
        std::mutex mutex;
        bool done = false;
        std::vector<async::Waiter> waiters;
        // Written by the leader before `done`, read by waiters after it.
        T value{};
        std::exception_ptr error;
    };

    // Every caller gets the leader's exception (the same object, rethrown).
    static T result_of(const Flight& flight) {
        if (flight.error) {
            std::rethrow_exception(flight.error);
        }
        return flight.value;
    }

    // A plain function returning the wait, not a coroutine (g++ 12: docs/coroutines.md).
    static auto wait(Flight* flight) {
        return async::park([flight](async::Waiter waiter) {
            std::unique_lock lock(flight->mutex);
            if (flight->done) {
                lock.unlock();
                std::move(waiter).resume();
                return;
            }
            flight->waiters.push_back(std::move(waiter));
        });
    }

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace gs::cache
