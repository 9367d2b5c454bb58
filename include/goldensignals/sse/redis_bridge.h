#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/timeframe.h"
#include "goldensignals/redis/client.h"
#include "goldensignals/redis/subscriber.h"
#include "goldensignals/sse/hub.h"
#include "goldensignals/sse/signal_publisher.h"

namespace gs::sse {

// What the bridge needs from Redis: a channel whose messages are numbered by one sequence
// shared by every instance, numbering and publishing in one atomic step.
class SequencedChannel {
  public:
    virtual ~SequencedChannel() = default;

    // The channel the numbered messages arrive on (through the instance's subscriber).
    virtual const std::string& name() const = 0;
    // First raises the sequence to `floor` when it is below (ids an instance handed out on its
    // own while the channel was away must stay below the next ones), then takes the next id
    // and publishes "<id>|<body>". Returns the id, or nothing when the channel cannot take the
    // message now (down, refused, failed).
    virtual boost::asio::awaitable<std::optional<std::uint64_t>> publish(std::string body,
                                                                         std::uint64_t floor) = 0;

    // The channel of unnumbered messages (provisional signals), on the same subscriber.
    virtual const std::string& provisional_name() const = 0;
    // Publishes `body` as is on provisional_name(); false when the channel cannot take it.
    virtual boost::asio::awaitable<bool> publish_provisional(std::string body) = 0;
};

// The sequence as a Redis key and the channel as Redis pub/sub, both steps in one Lua script.
class RedisSequencedChannel final : public SequencedChannel {
  public:
    RedisSequencedChannel(std::shared_ptr<redis::Client> client, const std::string& key_prefix);

    const std::string& name() const override { return channel_; }
    boost::asio::awaitable<std::optional<std::uint64_t>> publish(std::string body,
                                                                 std::uint64_t floor) override;
    const std::string& provisional_name() const override { return provisional_channel_; }
    boost::asio::awaitable<bool> publish_provisional(std::string body) override;

  private:
    std::shared_ptr<redis::Client> client_;
    std::string channel_;
    std::string provisional_channel_;
    std::string sequence_key_;
};

// Another channel on the same subscriber connection, and what to do with its messages (called
// on the subscriber's strand; the view is valid during the call only).
struct ChannelRoute {
    std::string channel;
    std::function<void(std::string_view payload)> on_message;
};

// Carries new signals to the hub of every instance through a SequencedChannel, so every
// instance sees the events in id order with the same ids, and a client can resume on any of
// them. Publishers publish once; each instance's single subscriber connection fans out.
class RedisBridge final : public SignalPublisher {
  public:
    // `executor` runs the publishes; the hub is fed on a FanOut strand of its own.
    RedisBridge(Hub& hub, const boost::asio::any_io_executor& executor,
                std::shared_ptr<SequencedChannel> channel);

    const std::string& channel() const { return channel_->name(); }

    // Starts deliver() and returns.
    void publish(std::string symbol, market::Timeframe timeframe,
                 std::shared_ptr<const std::string> data) override;
    // Publishes through the channel; when it cannot take the signal, delivers to this
    // instance's streams with a local id (the next publish raises the sequence above it).
    boost::asio::awaitable<void> deliver(std::string symbol, market::Timeframe timeframe,
                                         std::shared_ptr<const std::string> data);
    // Provisional signals: a plain PUBLISH of "<timeframe>|<symbol>|<data>" on the channel's
    // provisional_name(), which every instance's subscriber hands to its hub unnumbered;
    // straight to this instance's hub when Redis cannot take it.
    void publish_provisional(std::string symbol, market::Timeframe timeframe,
                             std::shared_ptr<const std::string> data) override;
    boost::asio::awaitable<void> deliver_provisional(std::string symbol,
                                                     market::Timeframe timeframe,
                                                     std::shared_ptr<const std::string> data);
    // A message on the provisional channel: "<timeframe>|<symbol>|<data>".
    void on_provisional_message(std::string_view payload);

    // A message on channel(): "<id>|<timeframe>|<symbol>|<data>". Hands it to the hub, in the
    // order of the calls; ignores other channels and malformed messages.
    void on_message(std::string_view channel, std::string_view payload);

    // The subscriber's message handler: channel() to on_message(), each of `others` to its
    // route, anything else ignored.
    redis::Subscriber::MessageHandler dispatcher(std::vector<ChannelRoute> others);
    // Subscribes `subscriber` to channel() and to `others`, routes their messages (see
    // dispatcher()) and starts it.
    void listen(redis::Subscriber& subscriber, std::vector<ChannelRoute> others);

    std::uint64_t fallbacks() const noexcept { return fallbacks_.load(); }

    // Exposed for tests: the message format.
    static std::string encode(std::uint64_t id, market::Timeframe timeframe,
                              std::string_view symbol, std::string_view data);

  private:
    Hub& hub_;
    boost::asio::any_io_executor executor_;
    std::shared_ptr<SequencedChannel> channel_;
    FanOut fan_out_;
    std::atomic<std::uint64_t> fallbacks_{0};
};

// The service's event bus: through Redis to every instance when `client` is given (then
// `subscriber` too, and `others` share its connection), straight into this instance's hub
// otherwise.
std::unique_ptr<SignalPublisher> make_signal_publisher(
    Hub& hub, const boost::asio::any_io_executor& executor, std::shared_ptr<redis::Client> client,
    const std::shared_ptr<redis::Subscriber>& subscriber, const std::string& key_prefix,
    std::vector<ChannelRoute> others);

}  // namespace gs::sse
