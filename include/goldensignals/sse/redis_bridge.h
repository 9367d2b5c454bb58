#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/timeframe.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/subscriber.h"
#include "goldensignals/sse/hub.h"

namespace gs::sse {

// Carries new signals to the hub of every instance through Redis pub/sub. A Lua script
// takes the next id from one shared sequence and publishes in the same atomic step, so every
// instance sees the events in id order with the same ids, and a client can resume on any of
// them. Publishers publish once; each instance's single subscriber connection fans out.
class RedisBridge final {
  public:
    RedisBridge(Hub& hub, std::shared_ptr<redis::Client> client,
                std::shared_ptr<redis::Subscriber> subscriber, std::string key_prefix);

    std::string channel() const { return prefix_ + "signals"; }

    // Publishes through Redis; when Redis cannot take it, delivers to this instance's streams
    // with a local id (the shared sequence is later raised above it).
    boost::asio::awaitable<void> publish(std::string symbol, market::Timeframe timeframe,
                                         std::shared_ptr<const std::string> data);

    // A message on channel(): "<id>|<timeframe>|<symbol>|<data>".
    void on_message(std::string_view channel, std::string_view payload);

    std::uint64_t fallbacks() const noexcept { return fallbacks_.load(); }

    // Exposed for tests: the message format.
    static std::string encode(std::uint64_t id, market::Timeframe timeframe,
                              std::string_view symbol, std::string_view data);

  private:
    Hub& hub_;
    std::shared_ptr<redis::Client> client_;
    std::shared_ptr<redis::Subscriber> subscriber_;
    std::string prefix_;
    std::atomic<std::uint64_t> fallbacks_{0};
};

}  // namespace gs::sse
