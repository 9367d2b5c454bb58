#pragma once

// The event bus: how a new signal reaches the live streams.
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>

#include "goldensignals/market/timeframe.h"
#include "goldensignals/sse/hub.h"

namespace gs::sse {

// Takes a new signal to the streams that want it. Returns at once: it waits neither on a
// stream nor on Redis.
class SignalPublisher {
  public:
    virtual ~SignalPublisher() = default;
    virtual void publish(std::string symbol, market::Timeframe timeframe,
                         std::shared_ptr<const std::string> data) = 0;
    // A provisional signal (Hub::publish_provisional): the same way, unnumbered.
    virtual void publish_provisional(std::string symbol, market::Timeframe timeframe,
                                     std::shared_ptr<const std::string> data) = 0;
};

// Runs a hub's publishes on one strand of their own, in the order they are handed in. A
// fan-out writes to every matching stream (about 9 ms for 1,000 of them): it must delay
// neither the request or feed tick that made the signal nor the Redis messages behind it, and
// publishers running on several I/O threads at once would only wait on the hub's fan-out lock
// (the order is the hub's: see hub.h).
class FanOut final {
  public:
    FanOut(Hub& hub, const boost::asio::any_io_executor& executor);

    Hub& hub() noexcept { return hub_; }
    // hub.publish(), with an id given by a shared sequence.
    void publish(std::uint64_t id, std::string symbol, market::Timeframe timeframe,
                 std::shared_ptr<const std::string> data);
    // hub.publish_local(): the next local id.
    void publish_local(std::string symbol, market::Timeframe timeframe,
                       std::shared_ptr<const std::string> data);
    // hub.publish_provisional(), in turn with the others.
    void publish_provisional(std::string symbol, market::Timeframe timeframe,
                             std::shared_ptr<const std::string> data);

  private:
    Hub& hub_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
};

// One instance alone: new signals go straight into its hub, with local ids.
class LocalPublisher final : public SignalPublisher {
  public:
    LocalPublisher(Hub& hub, const boost::asio::any_io_executor& executor)
        : fan_out_(hub, executor) {}

    void publish(std::string symbol, market::Timeframe timeframe,
                 std::shared_ptr<const std::string> data) override {
        fan_out_.publish_local(std::move(symbol), timeframe, std::move(data));
    }
    void publish_provisional(std::string symbol, market::Timeframe timeframe,
                             std::shared_ptr<const std::string> data) override {
        fan_out_.publish_provisional(std::move(symbol), timeframe, std::move(data));
    }

  private:
    FanOut fan_out_;
};

}  // namespace gs::sse
