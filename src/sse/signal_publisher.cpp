#include "goldensignals/sse/signal_publisher.h"

#include <chrono>

#include <boost/asio/post.hpp>

namespace gs::sse {

FanOut::FanOut(Hub& hub, const boost::asio::any_io_executor& executor)
    : hub_(hub), strand_(boost::asio::make_strand(executor)) {}

void FanOut::publish(std::uint64_t id, std::string symbol, market::Timeframe timeframe,
                     std::shared_ptr<const std::string> data) {
    boost::asio::post(strand_, [this, id, symbol = std::move(symbol), timeframe,
                                data = std::move(data)]() mutable {
        hub_.publish(id, std::move(symbol), timeframe, std::move(data),
                     std::chrono::steady_clock::now());
    });
}

void FanOut::publish_local(std::string symbol, market::Timeframe timeframe,
                           std::shared_ptr<const std::string> data) {
    boost::asio::post(
        strand_, [this, symbol = std::move(symbol), timeframe, data = std::move(data)]() mutable {
            hub_.publish_local(std::move(symbol), timeframe, std::move(data));
        });
}

void FanOut::publish_provisional(std::string symbol, market::Timeframe timeframe,
                                 std::shared_ptr<const std::string> data) {
    boost::asio::post(
        strand_, [this, symbol = std::move(symbol), timeframe, data = std::move(data)]() mutable {
            hub_.publish_provisional(std::move(symbol), timeframe, std::move(data));
        });
}

}  // namespace gs::sse
