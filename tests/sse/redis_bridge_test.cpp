#include "goldensignals/sse/redis_bridge.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace gs::sse {
namespace {

using market::Timeframe;

// The shared sequence and channel in memory: numbers and "publishes" the way the Lua script
// does, delivering each message straight to the instance's bridge (its subscriber).
class FakeSequencedChannel final : public SequencedChannel {
  public:
    const std::string& name() const override { return name_; }

    boost::asio::awaitable<std::optional<std::uint64_t>> publish(std::string body,
                                                                 std::uint64_t floor) override {
        floors.push_back(floor);
        if (!up) {
            co_return std::nullopt;
        }
        sequence = std::max(sequence, floor) + 1;
        const std::string message = std::to_string(sequence) + "|" + body;
        messages.push_back(message);
        if (subscriber != nullptr) {
            subscriber->on_message(name_, message);
        }
        co_return sequence;
    }

    const std::string& provisional_name() const override { return provisional_name_; }

    boost::asio::awaitable<bool> publish_provisional(std::string body) override {
        if (!up) {
            co_return false;
        }
        provisional_messages.push_back(body);
        if (subscriber != nullptr) {
            subscriber->dispatcher({})(provisional_name_, body);
        }
        co_return true;
    }

    bool up = true;
    std::uint64_t sequence = 0;
    RedisBridge* subscriber = nullptr;
    std::vector<std::string> provisional_messages;
    std::vector<std::uint64_t> floors;
    std::vector<std::string> messages;

  private:
    std::string name_ = "gs:signals";
    std::string provisional_name_ = "gs:provisional";
};

class RedisBridgeTest : public ::testing::Test {
  protected:
    RedisBridgeTest() {
        channel->subscriber = &bridge;
        stream = hub.subscribe(io.get_executor(), everything(), {});
    }

    static Filter everything() {
        Filter filter;
        filter.all_symbols = true;  // of the default timeframe, 1d
        return filter;
    }

    static std::shared_ptr<const std::string> json(std::string text) {
        return std::make_shared<const std::string>(std::move(text));
    }

    // Everything handed to the executor so far, to the end.
    void settle() {
        io.restart();
        io.run();
    }

    // The events the stream got, as "id symbol data".
    std::vector<std::string> received() {
        std::vector<EventPtr> events;
        std::size_t offset = 0;
        stream->take(events, offset);
        std::vector<std::string> out;
        for (const auto& e : events) {
            out.push_back(std::to_string(e->id) + " " + e->symbol + " " + *e->data);
        }
        return out;
    }

    boost::asio::io_context io;
    Hub hub{{.initial_id = 0}};
    std::shared_ptr<FakeSequencedChannel> channel = std::make_shared<FakeSequencedChannel>();
    RedisBridge bridge{hub, io.get_executor(), channel};
    std::shared_ptr<Stream> stream;
};

using Strings = std::vector<std::string>;

TEST_F(RedisBridgeTest, PublishesThroughTheSharedSequenceAndDeliversWhatComesBack) {
    SignalPublisher& publisher = bridge;
    publisher.publish("AAPL", Timeframe::k1d, json(R"({"a":1})"));
    publisher.publish("MSFT", Timeframe::k1d, json(R"({"m":1})"));
    settle();
    EXPECT_EQ(channel->messages, (Strings{R"(1|1d|AAPL|{"a":1})", R"(2|1d|MSFT|{"m":1})"}));
    EXPECT_EQ(received(), (Strings{R"(1 AAPL {"a":1})", R"(2 MSFT {"m":1})"}));
    EXPECT_EQ(hub.last_id(), 2u);
    EXPECT_EQ(bridge.fallbacks(), 0u);
}

TEST_F(RedisBridgeTest, MessagesReachTheHubInTheOrderTheyCame) {
    for (std::uint64_t id : {7, 8, 9, 10}) {
        bridge.on_message(bridge.channel(),
                          RedisBridge::encode(id, Timeframe::k1d, "AAPL", std::to_string(id)));
    }
    // A late copy of an earlier message is a duplicate, not a newer event.
    bridge.on_message(bridge.channel(), RedisBridge::encode(8, Timeframe::k1d, "AAPL", "again"));
    settle();
    EXPECT_EQ(received(), (Strings{"7 AAPL 7", "8 AAPL 8", "9 AAPL 9", "10 AAPL 10"}));
    EXPECT_EQ(hub.stats().duplicates, 1u);
}

TEST_F(RedisBridgeTest, WhenRedisFailsDeliversLocallyThenRaisesTheSequenceAboveTheLocalId) {
    bridge.publish("AAPL", Timeframe::k1d, json("r1"));
    bridge.publish("AAPL", Timeframe::k1d, json("r2"));
    settle();
    ASSERT_EQ(hub.last_id(), 2u);

    channel->up = false;
    bridge.publish("AAPL", Timeframe::k1d, json("local"));
    settle();
    // This instance's streams still get it, with the next id after the shared ones.
    EXPECT_EQ(received(), (Strings{"1 AAPL r1", "2 AAPL r2", "3 AAPL local"}));
    EXPECT_EQ(bridge.fallbacks(), 1u);
    EXPECT_EQ(channel->sequence, 2u);

    channel->up = true;
    bridge.publish("AAPL", Timeframe::k1d, json("back"));
    settle();
    // The next publish carries the local id as its floor: the sequence goes above it.
    EXPECT_EQ(channel->floors.back(), 3u);
    EXPECT_EQ(channel->sequence, 4u);
    EXPECT_EQ(received(), (Strings{"4 AAPL back"}));
    EXPECT_EQ(bridge.fallbacks(), 1u);
}

TEST_F(RedisBridgeTest, IgnoresMalformedMessagesAndOtherChannels) {
    for (const char* payload :
         {"", "1", "1|1d|AAPL", "x|1d|AAPL|{}", "1x|1d|AAPL|{}", "-1|1d|AAPL|{}", "1|7q|AAPL|{}",
          "1|1d||{}", "1|1d|A A|{}", "|1d|AAPL|{}"}) {
        bridge.on_message(bridge.channel(), payload);
    }
    bridge.on_message("gs:other", "5|1d|AAPL|{}");
    settle();
    EXPECT_EQ(hub.stats().published, 0u);
    EXPECT_EQ(hub.stats().duplicates, 0u);
    // Still listening: a good message gets through.
    bridge.on_message(bridge.channel(), "5|1d|AAPL|{}");
    settle();
    EXPECT_EQ(received(), (Strings{"5 AAPL {}"}));
}

TEST_F(RedisBridgeTest, EncodeAndDecodeRoundTrip) {
    const std::string data = R"({"reason":"a|b","n":[1,2]})";
    const std::string message = RedisBridge::encode(42, Timeframe::k1h, "BRK.B", data);
    EXPECT_EQ(message, "42|1h|BRK.B|" + data);
    bridge.on_message(bridge.channel(), message);
    settle();
    std::vector<EventPtr> events;
    std::size_t offset = 0;
    stream->take(events, offset);
    // The stream wants 1d only; the event is in the hub all the same.
    EXPECT_TRUE(events.empty());
    const Latest latest = hub.latest({"BRK.B"}, Timeframe::k1h);
    ASSERT_EQ(latest.events.size(), 1u);
    ASSERT_NE(latest.events[0], nullptr);
    EXPECT_EQ(latest.events[0]->id, 42u);
    EXPECT_EQ(latest.events[0]->timeframe, Timeframe::k1h);
    EXPECT_EQ(latest.events[0]->symbol, "BRK.B");
    EXPECT_EQ(*latest.events[0]->data, data);
}

TEST_F(RedisBridgeTest, TheDispatcherRoutesEachChannelToItsHandler) {
    std::vector<std::string> bar_messages;
    auto dispatch = bridge.dispatcher(
        {{"gs:bars", [&](std::string_view payload) { bar_messages.emplace_back(payload); }}});
    dispatch("gs:bars", "AAPL|1d|7");
    dispatch(bridge.channel(), "1|1d|AAPL|{}");
    dispatch("gs:unknown", "2|1d|AAPL|{}");
    settle();
    EXPECT_EQ(bar_messages, (Strings{"AAPL|1d|7"}));
    EXPECT_EQ(received(), (Strings{"1 AAPL {}"}));
}

TEST_F(RedisBridgeTest, ProvisionalSignalsCrossOnTheirOwnChannelUnnumbered) {
    SignalPublisher& publisher = bridge;
    publisher.publish("AAPL", Timeframe::k1d, json("final"));
    publisher.publish_provisional("AAPL", Timeframe::k1d, json(R"({"provisional":true})"));
    settle();
    EXPECT_EQ(channel->provisional_messages, (Strings{R"(1d|AAPL|{"provisional":true})"}));
    // Not through the numbered channel: the shared sequence is not used.
    EXPECT_EQ(channel->messages, (Strings{"1|1d|AAPL|final"}));
    EXPECT_EQ(received(), (Strings{"1 AAPL final", R"(0 AAPL {"provisional":true})"}));
    EXPECT_EQ(hub.last_id(), 1u);
    EXPECT_EQ(hub.stats().provisional, 1u);
}

TEST_F(RedisBridgeTest, ProvisionalSignalsReachThisInstanceWhenRedisIsAway) {
    channel->up = false;
    bridge.publish_provisional("AAPL", Timeframe::k1d, json("p"));
    settle();
    EXPECT_EQ(received(), (Strings{"0 AAPL p"}));
    EXPECT_EQ(bridge.fallbacks(), 1u);
}

TEST_F(RedisBridgeTest, MalformedProvisionalMessagesAreIgnored) {
    bridge.on_provisional_message("1d|no-separator");
    bridge.on_provisional_message("2x|AAPL|{}");
    settle();
    EXPECT_TRUE(received().empty());
}

TEST(LocalPublisherTest, PublishesWithLocalIdsInTheOrderHandedIn) {
    boost::asio::io_context io;
    Hub hub({.initial_id = 100});
    Filter filter;
    filter.symbols = {"AAPL"};
    auto stream = hub.subscribe(io.get_executor(), filter, {});
    LocalPublisher publisher(hub, io.get_executor());
    for (int i = 0; i < 50; ++i) {
        publisher.publish("AAPL", Timeframe::k1d,
                          std::make_shared<const std::string>(std::to_string(i)));
    }
    // Nothing is published on the caller's thread.
    EXPECT_EQ(hub.stats().published, 0u);
    io.run();
    std::vector<EventPtr> events;
    std::size_t offset = 0;
    stream->take(events, offset);
    ASSERT_EQ(events.size(), 50u);
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i]->id, 101 + i);
        EXPECT_EQ(*events[i]->data, std::to_string(i));
    }
}

}  // namespace
}  // namespace gs::sse
