#include "goldensignals/sse/hub.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace gs::sse {
namespace {

using market::Timeframe;
using std::chrono::steady_clock;

std::shared_ptr<const std::string> json(std::string text) {
    return std::make_shared<const std::string>(std::move(text));
}

Filter symbols(std::vector<std::string> list, Timeframe timeframe = Timeframe::k1d) {
    Filter filter;
    filter.timeframe = timeframe;
    filter.symbols = std::move(list);
    return filter;
}

Filter everything(Timeframe timeframe = Timeframe::k1d) {
    Filter filter;
    filter.timeframe = timeframe;
    filter.all_symbols = true;
    return filter;
}

std::vector<std::uint64_t> ids_of(const std::vector<EventPtr>& events) {
    std::vector<std::uint64_t> ids;
    for (const auto& e : events) {
        ids.push_back(e->id);
    }
    return ids;
}

class HubTest : public ::testing::Test {
  protected:
    std::shared_ptr<Stream> subscribe(Hub& hub, Filter filter, QueueLimits limits = {}) {
        return hub.subscribe(io.get_executor(), std::move(filter), limits);
    }
    // Drains a subscriber's queue; fails the test if it overflowed.
    static std::vector<EventPtr> drain(Stream& subscriber) {
        std::vector<EventPtr> out;
        std::size_t offset = 0;
        const auto taken = subscriber.take(out, offset);
        EXPECT_TRUE(taken == Stream::TakeResult::kEvents || taken == Stream::TakeResult::kIdle);
        EXPECT_EQ(offset, 0u);
        return out;
    }
    void publish(Hub& hub, std::uint64_t id, const std::string& symbol,
                 Timeframe timeframe = Timeframe::k1d) {
        EXPECT_TRUE(hub.publish(id, symbol, timeframe, json("{\"id\":" + std::to_string(id) + "}"),
                                steady_clock::now()));
    }

    boost::asio::io_context io;
};

TEST_F(HubTest, DeliversToStreamsMatchingSymbolTimeframeOrWildcard) {
    Hub hub({.initial_id = 0});
    auto aapl = subscribe(hub, symbols({"AAPL"}));
    auto msft = subscribe(hub, symbols({"MSFT"}));
    auto all = subscribe(hub, everything());
    auto aapl_hourly = subscribe(hub, symbols({"AAPL"}, Timeframe::k1h));
    auto all_hourly = subscribe(hub, everything(Timeframe::k1h));

    publish(hub, 1, "AAPL");
    publish(hub, 2, "MSFT");
    publish(hub, 3, "AAPL", Timeframe::k1h);

    EXPECT_EQ(ids_of(drain(*aapl)), (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(ids_of(drain(*msft)), (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(ids_of(drain(*all)), (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(ids_of(drain(*aapl_hourly)), (std::vector<std::uint64_t>{3}));
    EXPECT_EQ(ids_of(drain(*all_hourly)), (std::vector<std::uint64_t>{3}));
}

TEST_F(HubTest, FormatsEachEventOnceAndSharesTheFrame) {
    Hub hub({.initial_id = 0});
    auto a = subscribe(hub, symbols({"AAPL", "MSFT"}));
    auto b = subscribe(hub, everything());
    ASSERT_TRUE(
        hub.publish(5, "AAPL", Timeframe::k1d, json("{\"a\":1}\n{\"b\":2}"), steady_clock::now()));
    auto from_a = drain(*a);
    auto from_b = drain(*b);
    ASSERT_EQ(from_a.size(), 1u);
    ASSERT_EQ(from_b.size(), 1u);
    EXPECT_EQ(from_a[0].get(), from_b[0].get());
    EXPECT_EQ(from_a[0]->frame().get(), from_b[0]->frame().get());
    EXPECT_EQ(*from_a[0]->frame(), "id: 5\nevent: signal\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n");
}

TEST_F(HubTest, AnEventNoStreamTookIsFramedWhenAReplayOrSnapshotFirstTakesIt) {
    // Published with no stream open: its frame is written on first use, and every first user,
    // however many at once, gets the one frame.
    Hub hub({.initial_id = 0});
    publish(hub, 7, "AAPL");
    publish(hub, 8, "MSFT");
    const auto replayed = hub.resume(everything(), 6);
    ASSERT_EQ(ids_of(replayed.events), (std::vector<std::uint64_t>{7, 8}));
    EXPECT_EQ(*replayed.events[0]->frame(), "id: 7\nevent: signal\ndata: {\"id\":7}\n\n");

    const Latest latest = hub.latest({"MSFT"}, Timeframe::k1d);
    ASSERT_NE(latest.events[0], nullptr);
    const EventPtr event = latest.events[0];
    std::vector<std::future<const std::string*>> firsts;
    for (int i = 0; i < 8; ++i) {
        firsts.push_back(std::async(std::launch::async, [event] { return event->frame().get(); }));
    }
    for (auto& first : firsts) {
        EXPECT_EQ(first.get(), event->frame().get());
    }
    EXPECT_EQ(*event->frame(), "id: 8\nevent: signal\ndata: {\"id\":8}\n\n");
    EXPECT_EQ(replayed.events[1]->frame().get(), event->frame().get()) << "one frame per event";
}

TEST_F(HubTest, ProvisionalSignalsHaveTheirOwnEventTypeAndNoIdAndAreNeverReplayed) {
    Hub hub({.initial_id = 0});
    auto aapl = subscribe(hub, symbols({"AAPL"}));
    auto msft = subscribe(hub, symbols({"MSFT"}));
    publish(hub, 1, "AAPL");
    hub.publish_provisional("AAPL", Timeframe::k1d, json(R"({"provisional":true})"));
    publish(hub, 2, "AAPL");

    const auto events = drain(*aapl);
    ASSERT_EQ(events.size(), 3u);
    // In publish order, between the final signals around it.
    EXPECT_EQ(events[0]->id, 1u);
    EXPECT_TRUE(events[1]->transient);
    EXPECT_EQ(*events[1]->frame(), "event: provisional\ndata: {\"provisional\":true}\n\n");
    EXPECT_EQ(events[2]->id, 2u);
    EXPECT_TRUE(drain(*msft).empty());
    // Not numbered, not in the replay ring nor in a new stream's snapshot.
    EXPECT_EQ(hub.last_id(), 2u);
    const auto resume = hub.resume(symbols({"AAPL"}), 0);
    ASSERT_EQ(resume.kind, Resume::Kind::kReplay);
    EXPECT_EQ(ids_of(resume.events), (std::vector<std::uint64_t>{1, 2}));
    hub.publish_provisional("AAPL", Timeframe::k1d, json("{}"));
    const auto latest = hub.latest({"AAPL"}, Timeframe::k1d);
    ASSERT_EQ(latest.events.size(), 1u);
    EXPECT_EQ(latest.events[0]->id, 2u);
    EXPECT_EQ(hub.stats().provisional, 2u);
    EXPECT_EQ(hub.stats().published, 2u);
}

TEST_F(HubTest, SubscribingTwiceToOneSymbolDeliversOnce) {
    Hub hub({.initial_id = 0});
    auto s = subscribe(hub, symbols({"AAPL", "AAPL"}));
    publish(hub, 1, "AAPL");
    EXPECT_EQ(drain(*s).size(), 1u);
}

TEST_F(HubTest, IgnoresAndCountsIdsNotAboveTheLastOne) {
    Hub hub({.initial_id = 0});
    auto s = subscribe(hub, everything());
    publish(hub, 10, "AAPL");
    EXPECT_FALSE(hub.publish(10, "AAPL", Timeframe::k1d, json("{}"), steady_clock::now()));
    EXPECT_FALSE(hub.publish(9, "AAPL", Timeframe::k1d, json("{}"), steady_clock::now()));
    publish(hub, 11, "AAPL");
    EXPECT_EQ(ids_of(drain(*s)), (std::vector<std::uint64_t>{10, 11}));
    EXPECT_EQ(hub.stats().duplicates, 2u);
    EXPECT_EQ(hub.stats().published, 2u);
    EXPECT_EQ(hub.last_id(), 11u);
}

TEST_F(HubTest, LocalIdsCountUpFromTheInitialId) {
    Hub hub({.initial_id = 100});
    EXPECT_EQ(hub.last_id(), 100u);
    EXPECT_EQ(hub.publish_local("AAPL", Timeframe::k1d, json("{}")), 101u);
    EXPECT_EQ(hub.next_local_id(), 102u);
    EXPECT_EQ(hub.last_id(), 101u);
}

TEST_F(HubTest, DefaultInitialIdIsAboveAnyCounterOfAnEarlierRunStartedAtZero) {
    Hub hub;
    // Microseconds since the epoch: far above a small counter, far below 2^53.
    EXPECT_GT(hub.last_id(), 1'600'000'000'000'000ULL);
    EXPECT_LT(hub.last_id(), 1ULL << 53);
}

TEST_F(HubTest, ReplaysMatchingEventsAfterAnId) {
    Hub hub({.initial_id = 0});
    for (std::uint64_t id = 1; id <= 10; ++id) {
        publish(hub, id, id % 2 == 0 ? "AAPL" : "MSFT");
    }
    auto resume = hub.resume(symbols({"AAPL"}), 4);
    EXPECT_EQ(resume.kind, Resume::Kind::kReplay);
    EXPECT_EQ(ids_of(resume.events), (std::vector<std::uint64_t>{6, 8, 10}));
    EXPECT_EQ(resume.last_id, 10u);

    auto everything_after = hub.resume(everything(), 7);
    EXPECT_EQ(ids_of(everything_after.events), (std::vector<std::uint64_t>{8, 9, 10}));

    auto up_to_date = hub.resume(everything(), 10);
    EXPECT_EQ(up_to_date.kind, Resume::Kind::kReplay);
    EXPECT_TRUE(up_to_date.events.empty());
}

TEST_F(HubTest, ResyncsWhenTheIdIsOlderThanTheReplayBuffer) {
    Hub hub({.replay_capacity = 5, .initial_id = 0});
    for (std::uint64_t id = 1; id <= 10; ++id) {
        publish(hub, id, "AAPL");
    }
    // 6..10 are kept; 5 is the newest evicted, so resuming after 5 misses nothing.
    EXPECT_EQ(hub.resume(everything(), 4).kind, Resume::Kind::kResync);
    auto after_five = hub.resume(everything(), 5);
    EXPECT_EQ(after_five.kind, Resume::Kind::kReplay);
    EXPECT_EQ(ids_of(after_five.events), (std::vector<std::uint64_t>{6, 7, 8, 9, 10}));
    EXPECT_EQ(hub.stats().replay_size, 5u);
}

TEST_F(HubTest, ResyncsWhenTheIdIsNewerThanAnyPublished) {
    Hub hub({.initial_id = 0});
    publish(hub, 1, "AAPL");
    // An id from another run of a process-local sequence.
    EXPECT_EQ(hub.resume(everything(), 2).kind, Resume::Kind::kResync);
}

TEST_F(HubTest, HistoryStartsAtTheInitialIdThenAtTheFirstPublishedId) {
    Hub hub({.initial_id = 100});
    EXPECT_EQ(hub.resume(everything(), 100).kind, Resume::Kind::kReplay);
    EXPECT_EQ(hub.resume(everything(), 99).kind, Resume::Kind::kResync);
    // A shared sequence may start anywhere: its first id sets the start of the history.
    publish(hub, 50, "AAPL");
    EXPECT_EQ(hub.last_id(), 50u);
    EXPECT_EQ(ids_of(hub.resume(everything(), 49).events), (std::vector<std::uint64_t>{50}));
    EXPECT_EQ(hub.resume(everything(), 48).kind, Resume::Kind::kResync);
}

TEST_F(HubTest, WithoutAReplayBufferOnlyTheLastIdResumes) {
    Hub hub({.replay_capacity = 0, .initial_id = 0});
    publish(hub, 1, "AAPL");
    publish(hub, 2, "AAPL");
    EXPECT_EQ(hub.resume(everything(), 1).kind, Resume::Kind::kResync);
    EXPECT_EQ(hub.resume(everything(), 2).kind, Resume::Kind::kReplay);
}

TEST_F(HubTest, QueueOverflowMarksTheStreamSlowAndSparesTheOthers) {
    Hub hub({.initial_id = 0});
    auto slow = subscribe(hub, everything(), {.max_events = 3, .max_bytes = 1 << 20});
    auto fast = subscribe(hub, everything(), {.max_events = 3, .max_bytes = 1 << 20});
    for (std::uint64_t id = 1; id <= 6; ++id) {
        publish(hub, id, "AAPL");
        if (id % 2 == 0) {
            EXPECT_EQ(drain(*fast).size(), 2u);
        }
    }
    std::vector<EventPtr> out;
    std::size_t offset = 0;
    EXPECT_EQ(slow->take(out, offset), Stream::TakeResult::kOverflowed);
    EXPECT_TRUE(out.empty());
    // 3 queued + the 4th that did not fit, then 5 and 6 after the overflow.
    EXPECT_EQ(hub.stats().dropped, 6u);
}

TEST_F(HubTest, QueueByteBudgetOverflowsToo) {
    Hub hub({.initial_id = 0});
    auto s = subscribe(hub, everything(), {.max_events = 1000, .max_bytes = 100});
    // One event bigger than the budget goes through on an empty queue...
    ASSERT_TRUE(
        hub.publish(1, "AAPL", Timeframe::k1d, json(std::string(200, 'x')), steady_clock::now()));
    EXPECT_EQ(drain(*s).size(), 1u);
    ASSERT_TRUE(
        hub.publish(2, "AAPL", Timeframe::k1d, json(std::string(60, 'x')), steady_clock::now()));
    // ...but not behind another one.
    ASSERT_TRUE(
        hub.publish(3, "AAPL", Timeframe::k1d, json(std::string(60, 'x')), steady_clock::now()));
    std::vector<EventPtr> out;
    std::size_t offset = 0;
    EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kOverflowed);
}

// Unsent data is what the stream has not handed to the kernel, wherever it is: queued, or held
// by the writer (its snapshot, the batch it is writing). A writer that takes the queue does not
// make room for more until it has written it.
TEST_F(HubTest, WhatTheWriterHoldsCountsAgainstTheByteLimitUntilSent) {
    const std::string data(60, 'x');  // frame: "id: N\nevent: signal\ndata: " + 60 + "\n\n"
    constexpr std::size_t kFrame = 88;
    std::vector<EventPtr> out;
    std::size_t offset = 0;
    {
        // A snapshot still being written.
        Hub hub({.initial_id = 0});
        auto s = subscribe(hub, everything(), {.max_events = 1000, .max_bytes = 200});
        s->add_unsent(150);
        EXPECT_EQ(s->unsent_bytes(), 150u);
        ASSERT_TRUE(hub.publish(1, "AAPL", Timeframe::k1d, json(data), steady_clock::now()));
        EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kOverflowed);
        EXPECT_EQ(hub.stats().dropped, 1u);
    }
    {
        // A batch taken and not yet written.
        Hub hub({.initial_id = 0});
        auto s = subscribe(hub, everything(), {.max_events = 1000, .max_bytes = 200});
        ASSERT_TRUE(hub.publish(1, "AAPL", Timeframe::k1d, json(data), steady_clock::now()));
        ASSERT_EQ(s->take(out, offset), Stream::TakeResult::kEvents);
        ASSERT_EQ(out.size(), 1u);
        ASSERT_EQ(out[0]->frame()->size(), kFrame);
        EXPECT_EQ(s->unsent_bytes(), kFrame);
        ASSERT_TRUE(hub.publish(2, "AAPL", Timeframe::k1d, json(data), steady_clock::now()));
        ASSERT_TRUE(hub.publish(3, "AAPL", Timeframe::k1d, json(data), steady_clock::now()));
        out.clear();
        EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kOverflowed);
    }
    {
        // The same, with the batch written: room again.
        Hub hub({.initial_id = 0});
        auto s = subscribe(hub, everything(), {.max_events = 1000, .max_bytes = 200});
        s->add_unsent(150);
        s->sent(150);
        ASSERT_TRUE(hub.publish(1, "AAPL", Timeframe::k1d, json(data), steady_clock::now()));
        out.clear();
        ASSERT_EQ(s->take(out, offset), Stream::TakeResult::kEvents);
        s->sent(kFrame);
        EXPECT_EQ(s->unsent_bytes(), 0u);
        ASSERT_TRUE(hub.publish(2, "AAPL", Timeframe::k1d, json(data), steady_clock::now()));
        ASSERT_TRUE(hub.publish(3, "AAPL", Timeframe::k1d, json(data), steady_clock::now()));
        out.clear();
        EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kEvents);
        EXPECT_EQ(out.size(), 2u);
        EXPECT_EQ(hub.stats().dropped, 0u);
    }
}

TEST_F(HubTest, CutsAreCountedByReason) {
    Hub hub({.initial_id = 0});
    hub.count_cut(CutReason::kQueueFull);
    hub.count_cut(CutReason::kStalled);
    hub.count_cut(CutReason::kStalled);
    const auto stats = hub.stats();
    EXPECT_EQ(stats.slow_disconnects, 3u);
    EXPECT_EQ(stats.cuts_queue_full, 1u);
    EXPECT_EQ(stats.cuts_stalled, 2u);
    std::string out;
    hub.render(out);
    EXPECT_NE(out.find("gs_sse_stream_cuts_total{reason=\"queue_full\"} 1\n"), std::string::npos);
    EXPECT_NE(out.find("gs_sse_stream_cuts_total{reason=\"stalled\"} 2\n"), std::string::npos);
    EXPECT_NE(out.find("gs_sse_slow_disconnects_total 3\n"), std::string::npos);
}

TEST_F(HubTest, UnsubscribedStreamsGetNothing) {
    Hub hub({.initial_id = 0});
    auto a = subscribe(hub, symbols({"AAPL", "MSFT"}));
    auto all = subscribe(hub, everything());
    hub.unsubscribe(a);
    hub.unsubscribe(all);
    publish(hub, 1, "AAPL");
    publish(hub, 2, "MSFT");
    EXPECT_TRUE(drain(*a).empty());
    EXPECT_TRUE(drain(*all).empty());
    EXPECT_EQ(hub.stats().subscribers, 0u);
}

TEST_F(HubTest, PublishWakesTheWritersTimer) {
    Hub hub({.initial_id = 0});
    auto s = subscribe(hub, everything());
    bool woken = false;
    s->timer().expires_after(std::chrono::hours(1));
    s->timer().async_wait(
        [&](boost::system::error_code ec) { woken = ec == boost::asio::error::operation_aborted; });
    publish(hub, 1, "AAPL");
    io.run_for(std::chrono::seconds(5));
    EXPECT_TRUE(woken);
    EXPECT_EQ(drain(*s).size(), 1u);
}

TEST_F(HubTest, ConcurrentPublishersKeepEachQueueInIdOrder) {
    Hub hub({.initial_id = 0});
    auto s = subscribe(hub, everything(), {.max_events = 100'000, .max_bytes = 1 << 30});
    std::vector<std::thread> publishers;
    for (int t = 0; t < 4; ++t) {
        publishers.emplace_back([&hub] {
            for (int i = 0; i < 500; ++i) {
                hub.publish_local("AAPL", Timeframe::k1d, json("{}"));
            }
        });
    }
    for (auto& t : publishers) {
        t.join();
    }
    auto events = drain(*s);
    ASSERT_EQ(events.size(), 2000u);
    for (std::size_t i = 1; i < events.size(); ++i) {
        ASSERT_EQ(events[i]->id, events[i - 1]->id + 1);
    }
}

// A connected socket pair standing in for a client connection: `server` is what the stream
// writes to, `client` what the browser would read.
struct SocketPair {
    SocketPair() {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        server = fds[0];
        client = fds[1];
        ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);
    }
    ~SocketPair() {
        close_client();
        ::close(server);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;

    // Everything the client can read now.
    std::string read_available() const {
        std::string out;
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
            if (n <= 0) {
                return out;
            }
            out.append(buffer, static_cast<std::size_t>(n));
        }
    }
    void close_client() {
        if (client >= 0) {
            ::close(client);
            client = -1;
        }
    }

    int server = -1;
    int client = -1;
};

// A stream attached to one end of a socket pair, as run_stream attaches its connection.
class DirectWriteTest : public HubTest {
  protected:
    DirectWriteTest() : s(subscribe(hub, everything())) { s->attach(pair.server); }
    // The writer finds its queue empty: from here publish() writes directly.
    void go_idle() { ASSERT_EQ(s->take(out, offset), Stream::TakeResult::kIdle); }

    Hub hub{{.initial_id = 0}};
    SocketPair pair;
    std::shared_ptr<Stream> s;
    std::vector<EventPtr> out;
    std::size_t offset = 0;
};

TEST_F(DirectWriteTest, AnIdleAttachedStreamGetsEventsWrittenStraightToItsSocket) {
    go_idle();

    publish(hub, 1, "AAPL");
    publish(hub, 2, "MSFT");
    EXPECT_EQ(pair.read_available(),
              "id: 1\nevent: signal\ndata: {\"id\":1}\n\n"
              "id: 2\nevent: signal\ndata: {\"id\":2}\n\n");
    // Nothing queued and no wake-up posted: the writer sleeps on.
    EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kIdle);
    EXPECT_EQ(io.poll(), 0u);
    EXPECT_EQ(hub.stats().sent, 2u);
}

TEST_F(DirectWriteTest, NothingIsWrittenDirectlyUntilTheWriterFindsItsQueueEmpty) {
    // The writer starts busy (it writes the prelude first): events queue.
    publish(hub, 1, "AAPL");
    EXPECT_EQ(pair.read_available(), "");
    EXPECT_EQ(ids_of(drain(*s)), (std::vector<std::uint64_t>{1}));
    // Still busy with event 1 until a take() finds nothing.
    publish(hub, 2, "AAPL");
    EXPECT_EQ(pair.read_available(), "");
    EXPECT_EQ(ids_of(drain(*s)), (std::vector<std::uint64_t>{2}));
    EXPECT_TRUE(drain(*s).empty());
    publish(hub, 3, "AAPL");
    EXPECT_EQ(pair.read_available(), "id: 3\nevent: signal\ndata: {\"id\":3}\n\n");
}

TEST_F(DirectWriteTest, AFullSocketQueuesTheRestAndTheWriterContinuesMidFrame) {
    go_idle();

    // Far more than a socket buffer holds, in frames of uneven size.
    std::string expected;
    for (std::uint64_t id = 1; id <= 40; ++id) {
        auto data = json(std::string(10'000 + 997 * id, static_cast<char>('a' + id % 26)));
        ASSERT_TRUE(hub.publish(id, "AAPL", Timeframe::k1d, data, steady_clock::now()));
        expected += "id: " + std::to_string(id) + "\nevent: signal\ndata: " + *data + "\n\n";
    }
    std::string received = pair.read_available();
    ASSERT_LT(received.size(), expected.size());
    // A wake-up was posted for the writer, which now owns what did not fit.
    EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kEvents);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(io.poll(), 1u);
    // While the writer is busy, new events queue even though the socket has room again.
    ASSERT_TRUE(hub.publish(41, "AAPL", Timeframe::k1d, json("{}"), steady_clock::now()));
    expected += "id: 41\nevent: signal\ndata: {}\n\n";
    EXPECT_EQ(pair.read_available(), "");

    // The writer's part: the rest of the first frame, then the others, then event 41.
    received += out.front()->frame()->substr(offset);
    for (std::size_t i = 1; i < out.size(); ++i) {
        received += *out[i]->frame();
    }
    out.clear();
    EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kEvents);
    EXPECT_EQ(offset, 0u);
    ASSERT_EQ(ids_of(out), (std::vector<std::uint64_t>{41}));
    received += *out.front()->frame();
    EXPECT_EQ(received, expected);
}

TEST_F(DirectWriteTest, AClosedClientBreaksTheStreamAtTheNextDirectWrite) {
    go_idle();
    pair.close_client();
    publish(hub, 1, "AAPL");
    EXPECT_EQ(s->take(out, offset), Stream::TakeResult::kBroken);
    EXPECT_EQ(hub.stats().sent, 0u);
}

TEST_F(DirectWriteTest, ADetachedStreamIsNeverWrittenTo) {
    go_idle();
    s->detach();
    publish(hub, 1, "AAPL");
    EXPECT_EQ(pair.read_available(), "");
    EXPECT_EQ(ids_of(drain(*s)), (std::vector<std::uint64_t>{1}));
}

TEST_F(DirectWriteTest, TheHeartbeatClaimsTheSocketOnlyWhenNothingWentOutSince) {
    go_idle();
    // As if the last write was a while ago: the direct write below is surely later.
    s->mark_sent(steady_clock::now() - std::chrono::seconds(1));
    const auto before = s->last_sent();
    publish(hub, 1, "AAPL");
    ASSERT_GT(s->last_sent(), before);
    // A direct write happened since the writer looked: no heartbeat due.
    EXPECT_FALSE(s->claim_for_heartbeat(before));
    ASSERT_TRUE(s->claim_for_heartbeat(s->last_sent()));
    // The writer now owns the socket: events queue behind its ping.
    publish(hub, 2, "AAPL");
    EXPECT_EQ(ids_of(drain(*s)), (std::vector<std::uint64_t>{2}));
}

TEST_F(HubTest, LatestGivesEachSymbolsNewestEventWithTheLastId) {
    Hub hub({.initial_id = 0});
    publish(hub, 1, "AAPL");
    publish(hub, 2, "MSFT");
    publish(hub, 3, "AAPL");
    publish(hub, 4, "AAPL", Timeframe::k1h);
    const Latest latest = hub.latest({"AAPL", "GOOG", "MSFT"}, Timeframe::k1d);
    EXPECT_EQ(latest.last_id, 4u);
    ASSERT_EQ(latest.events.size(), 3u);
    ASSERT_NE(latest.events[0], nullptr);
    EXPECT_EQ(latest.events[0]->id, 3u);
    EXPECT_EQ(*latest.events[0]->data, "{\"id\":3}");
    EXPECT_EQ(latest.events[1], nullptr);
    ASSERT_NE(latest.events[2], nullptr);
    EXPECT_EQ(latest.events[2]->id, 2u);
    EXPECT_EQ(hub.latest({"AAPL"}, Timeframe::k1h).events[0]->id, 4u);
}

TEST_F(HubTest, LimitsOpenStreams) {
    Hub hub;
    EXPECT_TRUE(hub.try_open_stream(2));
    EXPECT_TRUE(hub.try_open_stream(2));
    EXPECT_FALSE(hub.try_open_stream(2));
    hub.close_stream();
    EXPECT_TRUE(hub.try_open_stream(2));
    EXPECT_EQ(hub.open_streams(), 2u);
    EXPECT_EQ(hub.stats().rejected, 1u);
}

TEST_F(HubTest, RendersPrometheusMetrics) {
    Hub hub({.initial_id = 0});
    publish(hub, 1, "AAPL");
    hub.count_cut(CutReason::kStalled);
    hub.observe_latency(std::chrono::microseconds(300));
    std::string out;
    hub.render(out);
    for (const char* line : {"# TYPE gs_sse_streams_open gauge", "gs_sse_events_published_total 1",
                             "gs_sse_events_sent_total 0", "gs_sse_events_dropped_total 0",
                             "gs_sse_slow_disconnects_total 1", "gs_sse_resyncs_total 0",
                             "gs_sse_publish_to_send_seconds_count 1"}) {
        EXPECT_NE(out.find(line), std::string::npos) << line;
    }
}

// An executor that runs work on an io_context, except that the first piece of work handed to it
// parks the handing thread until the test opens the gate. A stream woken through it stops the
// hub's fan-out right there, half-way through the streams, for as long as the test wants.
class Gate {
  public:
    void park() {
        std::unique_lock lock(mutex_);
        if (used_) {
            return;
        }
        used_ = true;
        parked_ = true;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
    }
    void wait_parked() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return parked_; });
    }
    void open() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool used_ = false;
    bool parked_ = false;
    bool open_ = false;
};

struct GatedExecutor {
    boost::asio::io_context* io;
    Gate* gate;

    boost::asio::execution_context& query(boost::asio::execution::context_t) const noexcept {
        return *io;
    }
    static constexpr boost::asio::execution::blocking_t::never_t query(
        boost::asio::execution::blocking_t) noexcept {
        return {};
    }
    GatedExecutor require(boost::asio::execution::blocking_t::never_t) const { return *this; }
    template <typename F>
    void execute(F&& f) const {
        gate->park();
        boost::asio::post(io->get_executor(), std::forward<F>(f));
    }
    friend bool operator==(const GatedExecutor& a, const GatedExecutor& b) noexcept {
        return a.io == b.io && a.gate == b.gate;
    }
    friend bool operator!=(const GatedExecutor& a, const GatedExecutor& b) noexcept {
        return !(a == b);
    }
};

// A new stream's subscribe, snapshot and resume take only the hub's short state lock, never
// the fan-out's: here the fan-out of one event to 5,000 streams is held still at stream 2,501
// (its wake-up parks the publishing thread), and a new stream starts all the same.
TEST_F(HubTest, ANewStreamStartsWhileAFanOutToFiveThousandStreamsIsInProgress) {
    Hub hub({.initial_id = 0});
    publish(hub, 1, "AAPL");
    Gate gate;
    std::vector<std::shared_ptr<Stream>> streams;
    for (int i = 0; i < 5'000; ++i) {
        if (i == 2'500) {
            streams.push_back(hub.subscribe(GatedExecutor{&io, &gate}, symbols({"AAPL"}), {}));
        } else {
            streams.push_back(subscribe(hub, symbols({"AAPL"})));
        }
    }
    std::atomic<bool> fan_out_done{false};
    std::thread publisher([&] {
        publish(hub, 2, "AAPL");
        fan_out_done = true;
    });
    gate.wait_parked();

    // Run on a thread of its own so that a snapshot stuck behind the fan-out fails the test
    // (after the guard below) instead of hanging it.
    std::promise<Latest> snapshot;
    auto snapshot_taken = snapshot.get_future();
    std::thread starter([&] {
        auto stream = subscribe(hub, symbols({"AAPL"}));
        auto resume = hub.resume(stream->filter(), 1);
        EXPECT_EQ(ids_of(resume.events), (std::vector<std::uint64_t>{2}));
        snapshot.set_value(hub.latest({"AAPL"}, Timeframe::k1d));
    });
    // Not a speed limit: on a hub whose fan-out holds the snapshot's lock, no wait is long
    // enough (the gate opens only after it).
    const bool started =
        snapshot_taken.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    const bool fan_out_was_in_progress = !fan_out_done;
    gate.open();
    publisher.join();
    starter.join();

    ASSERT_TRUE(started) << "the new stream's snapshot waited for the fan-out";
    EXPECT_TRUE(fan_out_was_in_progress);
    const Latest latest = snapshot_taken.get();
    // The event being fanned out is already the newest: the snapshot covers it.
    EXPECT_EQ(latest.last_id, 2u);
    ASSERT_EQ(latest.events.size(), 1u);
    ASSERT_NE(latest.events[0], nullptr);
    EXPECT_EQ(latest.events[0]->id, 2u);
    // Every one of the 5,000 streams still got the event, once.
    for (auto& stream : streams) {
        EXPECT_EQ(ids_of(drain(*stream)), (std::vector<std::uint64_t>{2}));
    }
}

// With Redis the ids come from its shared sequence; when Redis is away the bridge publishes
// with a local id, which must come after those or the hub drops the event as a duplicate.
TEST_F(HubTest, ALocalIdFollowsIdsThatCameFromElsewhere) {
    Hub hub({.initial_id = 0});
    auto s = subscribe(hub, everything());
    publish(hub, 5, "AAPL");
    EXPECT_EQ(hub.publish_local("AAPL", Timeframe::k1d, json("{}")), 6u);
    EXPECT_EQ(ids_of(drain(*s)), (std::vector<std::uint64_t>{5, 6}));
}

}  // namespace
}  // namespace gs::sse
