#include "goldensignals/sse/stream_route.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "support/test_server.h"

namespace gs::sse {
namespace {

using market::Timeframe;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One SSE block as a client parses it (fields joined the way EventSource joins them).
struct Block {
    std::optional<std::string> id;
    std::string event;
    std::optional<std::string> data;
    std::vector<std::string> comments;
    std::optional<std::string> retry;
};

// A plain blocking-socket SSE client with timeouts, independent of the server's code.
class SseClient {
  public:
    SseClient(std::uint16_t port, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers = {},
              int receive_buffer = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (receive_buffer > 0) {
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            ADD_FAILURE() << "connect failed";
            return;
        }
        std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const auto& [name, value] : headers) {
            request += name + ": " + value + "\r\n";
        }
        request += "\r\n";
        ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
    }
    ~SseClient() { close(); }
    SseClient(const SseClient&) = delete;
    SseClient& operator=(const SseClient&) = delete;

    void close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

    // Reads the response head; false on timeout or close.
    bool read_head(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = Clock::now() + timeout;
        std::size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill(deadline)) {
                return false;
            }
        }
        std::string head = buffer_.substr(0, end);
        buffer_.erase(0, end + 4);
        status = std::stoi(head.substr(9, 3));
        std::size_t pos = head.find("\r\n");
        while (pos != std::string::npos) {
            const std::size_t next = head.find("\r\n", pos + 2);
            std::string line = head.substr(
                pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
            const auto colon = line.find(':');
            std::string name = line.substr(0, colon);
            for (auto& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            headers[name] = line.substr(colon + 2);
            pos = next;
        }
        return true;
    }

    // The next block (event, comment or retry); nullopt on timeout or close.
    std::optional<Block> next_block(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = Clock::now() + timeout;
        std::size_t end;
        while ((end = buffer_.find("\n\n")) == std::string::npos) {
            if (!fill(deadline)) {
                return std::nullopt;
            }
        }
        std::string text = buffer_.substr(0, end + 1);
        buffer_.erase(0, end + 2);
        Block block;
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t nl = text.find('\n', start);
            const std::string line = text.substr(start, nl - start);
            start = nl + 1;
            if (line.starts_with(":")) {
                block.comments.push_back(line.substr(line.size() > 1 && line[1] == ' ' ? 2 : 1));
                continue;
            }
            const auto colon = line.find(':');
            const std::string field = line.substr(0, colon);
            std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
            if (value.starts_with(" ")) {
                value.erase(0, 1);
            }
            if (field == "id") {
                block.id = value;
            } else if (field == "event") {
                block.event = value;
            } else if (field == "data") {
                block.data = block.data ? *block.data + "\n" + value : value;
            } else if (field == "retry") {
                block.retry = value;
            }
        }
        return block;
    }

    // The next block with data (skips comments and retry).
    std::optional<Block> next_event(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            auto block = next_block(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            if (!block || block->data) {
                return block;
            }
        }
    }

    // Reads `chunk` bytes at most every `pause` (a slow reader) until `until` has arrived;
    // false if the connection ends or `timeout` passes first.
    bool read_slowly(const std::string& until, std::size_t chunk, std::chrono::milliseconds pause,
                     std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        // Only the new bytes are searched: rescanning megabytes per chunk is quadratic, and
        // under TSan (memchr is intercepted and checked byte by byte) slow enough to matter.
        std::size_t from = 0;
        while (buffer_.find(until, from) == std::string::npos) {
            from = buffer_.size() >= until.size() ? buffer_.size() - until.size() + 1 : 0;
            if (!fill(deadline, chunk)) {
                return false;
            }
            std::this_thread::sleep_for(pause);
        }
        return true;
    }

    // Reads and discards until the connection ends: 0 for an orderly close, the errno of a
    // failed read (ECONNRESET: the server aborted it), -1 on timeout.
    int read_until_end(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = Clock::now() + timeout;
        char chunk[65536];
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return -1;
            }
            const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
            if (n == 0) {
                return 0;
            }
            if (n < 0) {
                return errno;
            }
        }
    }

    const std::string& buffered() const { return buffer_; }

    // Reads and discards until the server closes; false on timeout.
    bool wait_closed(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = Clock::now() + timeout;
        while (fill(deadline)) {
            buffer_.clear();
        }
        return closed_;
    }

    int status = 0;
    std::map<std::string, std::string> headers;

  private:
    bool fill(Clock::time_point deadline, std::size_t max_bytes = 65536) {
        if (fd_ < 0 || closed_) {
            return false;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            return false;
        }
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, std::min(sizeof(chunk), max_bytes), 0);
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool closed_ = false;
    std::string buffer_;
};

std::string error_code_of(const testing::RawResponse& r) {
    return nlohmann::json::parse(r.body).at("error").at("code").get<std::string>();
}

class StreamRouteTest : public ::testing::Test {
  protected:
    void start(StreamOptions options = {}, HubOptions hub_options = {.initial_id = 1000},
               config::ServerOptions server_options = testing::TestServer::default_options()) {
        hub = std::make_unique<Hub>(hub_options);
        server = std::make_unique<testing::TestServer>(std::move(server_options));
        add_stream_route(
            server->router, *hub,
            [this](const std::string& symbol, Timeframe timeframe)
                -> boost::asio::awaitable<std::shared_ptr<const std::string>> {
                co_return current(symbol, timeframe);
            },
            [this](Timeframe) {
                std::lock_guard lock(mutex);
                std::vector<std::string> out;
                for (const auto& [symbol, data] : snapshots) {
                    out.push_back(symbol);
                }
                return out;
            },
            std::move(options));
        server->start();
    }

    void TearDown() override {
        server.reset();
        hub.reset();
    }

    std::shared_ptr<const std::string> current(const std::string& symbol, Timeframe timeframe) {
        std::lock_guard lock(mutex);
        if (timeframe != Timeframe::k1d) {
            return nullptr;
        }
        auto it = snapshots.find(symbol);
        return it == snapshots.end() ? nullptr : it->second;
    }

    // Publishes a new signal the way the service will: current value first, then the event.
    std::uint64_t publish(const std::string& symbol, std::string data,
                          Timeframe timeframe = Timeframe::k1d) {
        auto shared = std::make_shared<const std::string>(std::move(data));
        if (timeframe == Timeframe::k1d) {
            std::lock_guard lock(mutex);
            snapshots[symbol] = shared;
        }
        return hub->publish_local(symbol, timeframe, shared);
    }

    std::uint16_t port() const { return server->port(); }

    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const std::string>> snapshots;
    std::unique_ptr<Hub> hub;
    std::unique_ptr<testing::TestServer> server;
};

TEST_F(StreamRouteTest, SendsRetryThenSnapshotThenLiveEventsInOrder) {
    StreamOptions options;
    options.retry = 1234ms;
    start(options);
    publish("AAPL", R"({"symbol":"AAPL","n":0})");
    const std::uint64_t snapshot_id = hub->last_id();

    SseClient client(port(), "/v1/stream?symbols=aapl,MSFT&timeframe=1d");
    ASSERT_TRUE(client.read_head());
    EXPECT_EQ(client.status, 200);
    EXPECT_EQ(client.headers["content-type"], "text/event-stream");
    EXPECT_EQ(client.headers["cache-control"], "no-cache");
    EXPECT_EQ(client.headers["x-accel-buffering"], "no");
    EXPECT_EQ(client.headers.count("content-length"), 0u);

    auto retry = client.next_block();
    ASSERT_TRUE(retry);
    EXPECT_EQ(retry->retry, "1234");

    // MSFT has no signal yet: the snapshot is AAPL's alone, with the hub's last id.
    auto snapshot = client.next_event();
    ASSERT_TRUE(snapshot);
    EXPECT_EQ(snapshot->event, "signal");
    EXPECT_EQ(snapshot->id, std::to_string(snapshot_id));
    EXPECT_EQ(snapshot->data, R"({"symbol":"AAPL","n":0})");

    const auto a = publish("AAPL", R"({"symbol":"AAPL","n":1})");
    publish("GOOG", R"({"symbol":"GOOG","n":1})");
    publish("AAPL", R"({"symbol":"AAPL","hourly":true})", Timeframe::k1h);
    const auto m = publish("MSFT", "{\"symbol\":\"MSFT\",\n\"n\":1}");

    auto first = client.next_event();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->id, std::to_string(a));
    EXPECT_EQ(first->data, R"({"symbol":"AAPL","n":1})");
    auto second = client.next_event();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id, std::to_string(m));
    EXPECT_EQ(second->data, "{\"symbol\":\"MSFT\",\n\"n\":1}");
    EXPECT_FALSE(client.next_event(200ms));
}

TEST_F(StreamRouteTest, WildcardStreamsEverySymbolOfItsTimeframe) {
    start();
    publish("AAPL", R"({"s":"AAPL"})");
    publish("MSFT", R"({"s":"MSFT"})");
    SseClient client(port(), "/v1/stream?symbols=*");
    ASSERT_TRUE(client.read_head());
    ASSERT_EQ(client.status, 200);
    std::vector<std::string> snapshot;
    for (int i = 0; i < 2; ++i) {
        auto e = client.next_event();
        ASSERT_TRUE(e);
        snapshot.push_back(*e->data);
    }
    EXPECT_EQ(snapshot, (std::vector<std::string>{R"({"s":"AAPL"})", R"({"s":"MSFT"})"}));
    publish("ZZZ", R"({"s":"ZZZ"})");
    publish("AAPL", R"({"s":"AAPL","h":1})", Timeframe::k1h);
    auto live = client.next_event();
    ASSERT_TRUE(live);
    EXPECT_EQ(live->data, R"({"s":"ZZZ"})");
    EXPECT_FALSE(client.next_event(200ms));
}

// A signal can be current before its event is published (the publish may wait on Redis).
// The snapshot must not run ahead of the events that follow it: it is the newest published
// event, and only a symbol the hub has no event for falls back to the current signal.
TEST_F(StreamRouteTest, SnapshotIsTheNewestPublishedEventNotANewerCurrentSignal) {
    start();
    publish("AAPL", R"({"symbol":"AAPL","day":1})");
    {
        std::lock_guard lock(mutex);
        // Day 2 is computed and current, its event not yet published.
        snapshots["AAPL"] = std::make_shared<const std::string>(R"({"symbol":"AAPL","day":2})");
        // MSFT has a current signal and no event in this hub (published before a restart).
        snapshots["MSFT"] = std::make_shared<const std::string>(R"({"symbol":"MSFT","day":7})");
    }
    SseClient client(port(), "/v1/stream?symbols=AAPL,MSFT");
    ASSERT_TRUE(client.read_head());
    ASSERT_TRUE(client.next_block());  // retry
    std::vector<std::string> seen;
    for (int i = 0; i < 2; ++i) {
        auto e = client.next_event();
        ASSERT_TRUE(e);
        seen.push_back(*e->data);
    }
    EXPECT_EQ(seen, (std::vector<std::string>{R"({"symbol":"AAPL","day":1})",
                                              R"({"symbol":"MSFT","day":7})"}));
    // Day 2's event arrives: the client moves forward, never back.
    hub->publish_local("AAPL", Timeframe::k1d,
                       std::make_shared<const std::string>(R"({"symbol":"AAPL","day":2})"));
    auto live = client.next_event();
    ASSERT_TRUE(live);
    EXPECT_EQ(live->data, R"({"symbol":"AAPL","day":2})");
}

TEST_F(StreamRouteTest, ResumesWithLastEventIdWithoutGapOrDuplicate) {
    start();
    constexpr int kEvents = 400;
    // Only this thread publishes, so the ids are the next kEvents ones.
    const std::uint64_t final_id = hub->last_id() + kEvents;
    // Publishes while the client disconnects and comes back.
    std::thread publisher([&] {
        for (int i = 0; i < kEvents; ++i) {
            publish("AAPL", fmt::format(R"({{"n":{}}})", i));
            if (i % 8 == 0) {
                std::this_thread::sleep_for(1ms);
            }
        }
    });

    std::vector<std::uint64_t> seen;
    {
        SseClient first(port(), "/v1/stream?symbols=AAPL");
        ASSERT_TRUE(first.read_head());
        while (seen.size() < 60) {
            auto e = first.next_event();
            ASSERT_TRUE(e);
            seen.push_back(std::stoull(*e->id));
        }
    }
    // Resume after the last id seen; use the header once and the query once.
    for (int round = 0; round < 2; ++round) {
        const std::string last = std::to_string(seen.back());
        std::optional<SseClient> client;
        if (round == 0) {
            client.emplace(
                port(), "/v1/stream?symbols=AAPL",
                std::vector<std::pair<std::string, std::string>>{{"Last-Event-ID", last}});
        } else {
            client.emplace(port(), "/v1/stream?symbols=AAPL&last_event_id=" + last);
        }
        ASSERT_TRUE(client->read_head());
        auto retry = client->next_block();
        ASSERT_TRUE(retry && retry->retry);
        // Round 0 stops part way; round 1 reads to the last event published.
        while (round == 0 ? seen.size() < 200 : seen.back() != final_id) {
            auto e = client->next_event();
            ASSERT_TRUE(e) << "stalled after " << seen.back();
            EXPECT_EQ(e->event, "signal");
            seen.push_back(std::stoull(*e->id));
        }
    }
    publisher.join();
    ASSERT_EQ(hub->last_id(), final_id);
    // The first event may be the snapshot, carrying the last id at connect; the live events
    // follow it. Across both reconnects every id is the one before plus one: no gap, no
    // duplicate (only AAPL is published, so its ids are consecutive).
    for (std::size_t i = 1; i < seen.size(); ++i) {
        ASSERT_EQ(seen[i], seen[i - 1] + 1) << "at " << i;
    }
    EXPECT_EQ(hub->stats().resyncs, 0u);
}

TEST_F(StreamRouteTest, ResumedStreamSendsNoSnapshot) {
    start();
    publish("AAPL", R"({"n":0})");
    const auto id = publish("AAPL", R"({"n":1})");
    SseClient client(port(), "/v1/stream?symbols=AAPL", {{"Last-Event-ID", std::to_string(id)}});
    ASSERT_TRUE(client.read_head());
    EXPECT_FALSE(client.next_event(300ms));
    const auto next = publish("AAPL", R"({"n":2})");
    auto e = client.next_event();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->id, std::to_string(next));
}

TEST_F(StreamRouteTest, SendsResyncWhenLastEventIdIsTooOld) {
    start({}, {.replay_capacity = 5, .initial_id = 1000});
    const auto first = publish("AAPL", R"({"n":0})");
    for (int i = 1; i < 20; ++i) {
        publish("AAPL", fmt::format(R"({{"n":{}}})", i));
    }
    const auto last = hub->last_id();
    SseClient client(port(), "/v1/stream?symbols=AAPL", {{"Last-Event-ID", std::to_string(first)}});
    ASSERT_TRUE(client.read_head());
    auto resync = client.next_event();
    ASSERT_TRUE(resync);
    EXPECT_EQ(resync->event, "resync");
    EXPECT_EQ(resync->id, std::to_string(last));
    EXPECT_EQ(nlohmann::json::parse(*resync->data)["reason"], "replay_unavailable");
    const auto live = publish("AAPL", R"({"n":"live"})");
    auto e = client.next_event();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->event, "signal");
    EXPECT_EQ(e->id, std::to_string(live));
    EXPECT_EQ(hub->stats().resyncs, 1u);

    SseClient garbage(port(), "/v1/stream?symbols=AAPL", {{"Last-Event-ID", "not-a-number"}});
    ASSERT_TRUE(garbage.read_head());
    auto again = garbage.next_event();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->event, "resync");
}

TEST_F(StreamRouteTest, CutsOffASlowClientWhileAFastOneGetsEveryEvent) {
    StreamOptions options;
    options.queue = {.max_events = 4, .max_bytes = 256 * 1024};
    start(options);
    SseClient slow(port(), "/v1/stream?symbols=AAPL", {}, 4096);
    ASSERT_TRUE(slow.read_head());  // and then never reads again

    std::atomic<int> received{0};
    std::atomic<bool> fast_ok{true};
    std::mutex progress_mutex;
    std::condition_variable progress;
    constexpr int kEvents = 600;
    const std::string big(64 * 1024, 'x');
    SseClient fast(port(), "/v1/stream?symbols=AAPL");
    ASSERT_TRUE(fast.read_head());
    std::thread reader([&] {
        std::uint64_t previous = 0;
        while (received < kEvents) {
            auto e = fast.next_event(10s);
            if (!e || e->data->size() != big.size() + 12 ||
                (previous != 0 && std::stoull(*e->id) != previous + 1)) {
                std::lock_guard lock(progress_mutex);
                fast_ok = false;
                progress.notify_all();
                return;
            }
            const auto id = std::stoull(*e->id);
            previous = id;
            std::lock_guard lock(progress_mutex);
            ++received;
            progress.notify_all();
        }
    });
    for (int i = 0; i < kEvents && fast_ok; ++i) {
        publish("AAPL", fmt::format(R"({{"n":"{:04}"}})", i) + big);
        // The fast client must not be cut off itself: the next event is published only once
        // it has read this one, so its queue never holds more than one, however slowly a
        // loaded host (ASan) runs the reader. Letting it lag by two left 3 x 64 KiB against
        // the 256 KiB limit and flaked. The reader signals each event (or gives up after its
        // own 10 s read timeout).
        std::unique_lock lock(progress_mutex);
        progress.wait_for(lock, 10s, [&] { return received >= i + 1 || !fast_ok; });
    }
    reader.join();
    EXPECT_TRUE(fast_ok);
    EXPECT_EQ(received.load(), kEvents);
    // The slow client finds its stream ended once it reads what was sent.
    EXPECT_TRUE(slow.wait_closed(10s));
    const auto deadline = Clock::now() + 5s;
    while (hub->open_streams() != 1 && Clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    const auto stats = hub->stats();
    EXPECT_EQ(stats.open_streams, 1u);
    EXPECT_EQ(stats.slow_disconnects, 1u);
    EXPECT_EQ(stats.cuts_queue_full, 1u);
    EXPECT_EQ(stats.cuts_stalled, 0u);
    EXPECT_GT(stats.dropped, 0u);
}

// Waits up to 10 s for `done`; returns it.
template <typename Pred>
bool eventually(Pred done) {
    const auto deadline = Clock::now() + 10s;
    while (!done() && Clock::now() < deadline) {
        std::this_thread::sleep_for(2ms);
    }
    return done();
}

std::string padded(const std::string& symbol, std::size_t pad) {
    return R"({"symbol":")" + symbol + R"(","pad":")" + std::string(pad, 'x') + "\"}";
}

// A `symbols=*` stream of 5,000 symbols used to format its own 3.2 MB copy of the snapshot;
// 200 clients that do not read held 640 MB. The snapshot is the hub's frames, shared.
TEST_F(StreamRouteTest, SnapshotsShareTheHubsFramesInsteadOfCopyingThem) {
    StreamOptions options;
    options.stall_timeout = 60s;  // the streams stay while the frame is looked at
    options.queue.max_bytes = 64 << 20;
    start(options);
    publish("AAPL", padded("AAPL", 2 << 20));
    const EventPtr event = hub->latest({"AAPL"}, Timeframe::k1d).events.at(0);
    ASSERT_TRUE(event);
    ASSERT_EQ(event->frame().use_count(), 1);
    // Clients that never read: their 2 MiB snapshots cannot be written out.
    std::vector<std::unique_ptr<SseClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(
            std::make_unique<SseClient>(port(), "/v1/stream?symbols=*",
                                        std::vector<std::pair<std::string, std::string>>{}, 4096));
    }
    EXPECT_TRUE(eventually([&] { return hub->open_streams() == 3; }));
    // Each stream's snapshot holds the event's own frame, not a copy of it.
    EXPECT_TRUE(eventually([&] { return event->frame().use_count() == 4; }))
        << event->frame().use_count();
    EXPECT_EQ(hub->stats().slow_disconnects, 0u);
}

// The snapshot is unsent data like any queued event: a client that does not read it cannot
// also queue events beyond the stream's byte limit.
TEST_F(StreamRouteTest, TheUnsentSnapshotCountsAgainstTheQueueLimit) {
    StreamOptions options;
    options.stall_timeout = 60s;  // so that the limit, not the stall, cuts it
    options.queue.max_bytes = 1 << 20;
    start(options);
    publish("AAPL", padded("AAPL", 700 << 10));
    SseClient client(port(), "/v1/stream?symbols=AAPL", {}, 4096);
    // The head comes after the snapshot is counted; then the client reads no more.
    ASSERT_TRUE(client.read_head());
    // Alone, this event fits the limit; with the 700 KiB snapshot still unsent it does not.
    publish("AAPL", padded("AAPL", 700 << 10));
    EXPECT_TRUE(eventually([&] { return hub->open_streams() == 0; }));
    const auto stats = hub->stats();
    EXPECT_EQ(stats.cuts_queue_full, 1u);
    EXPECT_EQ(stats.dropped, 1u);
}

// The window the test above can fall into, made certain: the publish that overflows the
// queue lands after the head is answered but before the stream's writer starts. The wake it
// posts finds no overflow handler yet; the writer used to write the prelude anyway, and a
// client that does not read held the stream until the stall timeout (seen as a flake of the
// test above, 5 runs in 30 with tcmalloc and two busy cores). It must end without a write.
TEST(StreamRunTest, AStreamOverflowedBeforeItsWriterStartsEndsWithoutWriting) {
    namespace asio = boost::asio;
    Hub hub(HubOptions{.initial_id = 1000});
    hub.publish_local("AAPL", Timeframe::k1d,
                      std::make_shared<const std::string>(padded("AAPL", 700 << 10)));
    http::Router router;
    StreamOptions options;
    options.stall_timeout = 60s;
    options.queue.max_bytes = 1 << 20;
    add_stream_route(router, hub, nullptr, nullptr, options);

    http::Request request;
    request.message.method(boost::beast::http::verb::get);
    request.message.target("/v1/stream?symbols=AAPL");
    ASSERT_TRUE(http::parse_target(request.message.target(), request.path, request.query));
    const auto match = router.match(boost::beast::http::verb::get, request.path);
    ASSERT_TRUE(match.route);

    asio::io_context io;
    http::Response response;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { response = co_await match.route->handler(request); },
        asio::detached);
    io.run();
    ASSERT_TRUE(response.stream);
    // Subscribed, its 700 KiB snapshot counted: this event overflows the queue.
    hub.publish_local("AAPL", Timeframe::k1d,
                      std::make_shared<const std::string>(padded("AAPL", 700 << 10)));
    EXPECT_EQ(hub.stats().dropped, 1u);

    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    asio::ip::tcp::socket server = acceptor.accept();
    http::StreamContext ctx{server, [] { return false; }, [](auto) {}, [] {}};
    bool ended = false;
    io.restart();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await response.stream(ctx);
            ended = true;
        },
        asio::detached);
    const auto deadline = Clock::now() + 5s;
    while (!ended && Clock::now() < deadline) {
        io.run_one_for(100ms);
    }
    EXPECT_TRUE(ended);
    EXPECT_EQ(hub.stats().cuts_queue_full, 1u);
    // The session closes the socket after the stream; the client then finds the reset, not a
    // byte of the prelude before it.
    server.close();
    io.run();
    char byte = 0;
    boost::system::error_code ec;
    EXPECT_EQ(client.read_some(asio::buffer(&byte, 1), ec), 0u);
    EXPECT_EQ(ec, asio::error::connection_reset) << ec.message();
}

// A client that does not read used to pin megabytes of kernel send buffer (autotuned), so the
// queue never filled and nothing cut it. With the send buffer bounded, the data stays unsent
// and the stream is cut once a write makes no progress for the stall timeout; the connection
// is reset, so the kernel frees what it held at once.
TEST_F(StreamRouteTest, CutsAndResetsAStreamWhoseWritesMakeNoProgress) {
    StreamOptions options;
    options.stall_timeout = 300ms;
    start(options);
    publish("AAPL", padded("AAPL", 1 << 20));
    SseClient client(port(), "/v1/stream?symbols=AAPL", {}, 4096);  // never reads
    EXPECT_TRUE(eventually([&] { return hub->stats().cuts_stalled == 1; }));
    EXPECT_TRUE(eventually([&] { return hub->open_streams() == 0; }));
    const auto stats = hub->stats();
    EXPECT_EQ(stats.slow_disconnects, 1u);
    EXPECT_EQ(stats.cuts_queue_full, 0u);
    std::string metrics;
    hub->render(metrics);
    EXPECT_NE(metrics.find("gs_sse_stream_cuts_total{reason=\"stalled\"} 1"), std::string::npos)
        << metrics;
    EXPECT_EQ(client.read_until_end(), ECONNRESET);
}

// The stall timeout is per write call: a client that reads slowly but steadily stays, even
// when the whole snapshot takes longer than the timeout to go out.
TEST_F(StreamRouteTest, ASlowClientThatKeepsReadingIsNotCut) {
    StreamOptions options;
    options.stall_timeout = 1s;
    start(options);
    constexpr std::size_t kPad = 2 << 20;
    publish("AAPL", padded("AAPL", kPad));
    // The client's pace, not the TCP window, must limit the transfer: a window of a few KiB
    // moves a segment per delayed ACK, and under a slow (sanitized) build a single write call
    // could then wait longer than the stall timeout even though the client keeps reading.
    SseClient client(port(), "/v1/stream?symbols=AAPL", {}, 64 << 10);
    ASSERT_TRUE(client.read_head());
    // At most 4 KiB every 5 ms: over 2.5 s for the snapshot, well past the stall timeout.
    ASSERT_TRUE(client.read_slowly("xx\"}\n\n", 4096, 5ms, 60s));
    auto snapshot = client.next_event();
    ASSERT_TRUE(snapshot);
    EXPECT_EQ(snapshot->data, padded("AAPL", kPad));
    EXPECT_EQ(hub->stats().slow_disconnects, 0u);
    EXPECT_EQ(hub->open_streams(), 1u);
}

TEST_F(StreamRouteTest, SendsHeartbeatCommentsWhenIdle) {
    StreamOptions options;
    options.heartbeat = 100ms;
    start(options);
    SseClient client(port(), "/v1/stream?symbols=AAPL");
    ASSERT_TRUE(client.read_head());
    int pings = 0;
    const auto deadline = Clock::now() + 3s;
    while (pings < 3 && Clock::now() < deadline) {
        auto block = client.next_block(1s);
        ASSERT_TRUE(block);
        if (!block->comments.empty()) {
            EXPECT_EQ(block->comments.front(), "ping");
            ++pings;
        }
    }
    EXPECT_EQ(pings, 3);
}

TEST_F(StreamRouteTest, AnswersBadInputWith400BeforeTheStream) {
    StreamOptions options;
    options.max_symbols = 3;
    start(options);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/v1/stream", "missing_symbols"},
        {"/v1/stream?symbols=", "missing_symbols"},
        {"/v1/stream?symbols=AAPL,,MSFT", "invalid_symbol"},
        {"/v1/stream?symbols=AAPL,", "invalid_symbol"},
        {"/v1/stream?symbols=BAD%20SYMBOL", "invalid_symbol"},
        {"/v1/stream?symbols=AAPL&timeframe=2d", "invalid_timeframe"},
        {"/v1/stream?symbols=A,B,C,D", "too_many_symbols"},
    };
    for (const auto& [target, code] : cases) {
        auto r = testing::request(port(), "GET", target);
        EXPECT_EQ(r.status, 400u) << target;
        EXPECT_EQ(r.header("Content-Type"), "application/json") << target;
        EXPECT_EQ(error_code_of(r), code) << target;
    }
    // Duplicates count once.
    SseClient ok(port(), "/v1/stream?symbols=A,B,C,a,b");
    ASSERT_TRUE(ok.read_head());
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(hub->stats().open_streams, 1u);
}

TEST_F(StreamRouteTest, Answers503OverTheStreamLimit) {
    StreamOptions options;
    options.max_streams = 2;
    start(options);
    auto first = std::make_unique<SseClient>(port(), "/v1/stream?symbols=AAPL");
    SseClient second(port(), "/v1/stream?symbols=AAPL");
    ASSERT_TRUE(first->read_head());
    ASSERT_TRUE(second.read_head());
    auto refused = testing::request(port(), "GET", "/v1/stream?symbols=AAPL");
    EXPECT_EQ(refused.status, 503u);
    EXPECT_EQ(error_code_of(refused), "too_many_streams");
    EXPECT_EQ(hub->stats().rejected, 1u);

    // A closed stream gives its slot back.
    first.reset();
    const auto deadline = Clock::now() + 5s;
    while (hub->open_streams() != 1 && Clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(hub->open_streams(), 1u);
    SseClient third(port(), "/v1/stream?symbols=AAPL");
    ASSERT_TRUE(third.read_head());
    EXPECT_EQ(third.status, 200);
}

TEST_F(StreamRouteTest, AReadTokenGuardsStreamsAndTheWriteTokenNeverGoesInAUrl) {
    auto tokens = testing::TestServer::default_options();
    tokens.api_token = "wr1te";
    tokens.read_token = "r3ad";
    start({}, {.initial_id = 1000}, tokens);
    auto none = testing::request(port(), "GET", "/v1/stream?symbols=AAPL");
    EXPECT_EQ(none.status, 401u);
    EXPECT_EQ(error_code_of(none), "unauthorized");
    EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
    auto wrong = testing::request(port(), "GET", "/v1/stream?symbols=AAPL", "", "",
                                  {{"Authorization", "Bearer r3aD"}});
    EXPECT_EQ(wrong.status, 401u);
    for (const char* target :
         {"/v1/stream?symbols=AAPL&access_token=nope", "/v1/stream?symbols=AAPL&token=r3ad"}) {
        EXPECT_EQ(testing::request(port(), "GET", target).status, 401u) << target;
    }
    // The write token in a URL lands in access logs: refused, and said so.
    for (const char* target :
         {"/v1/stream?symbols=AAPL&access_token=wr1te", "/v1/stream?symbols=AAPL&token=wr1te"}) {
        auto in_url = testing::request(port(), "GET", target);
        EXPECT_EQ(in_url.status, 400u) << target;
        EXPECT_EQ(error_code_of(in_url), "token_in_url") << target;
    }
    EXPECT_EQ(hub->open_streams(), 0u);

    SseClient read_header(port(), "/v1/stream?symbols=AAPL", {{"Authorization", "Bearer r3ad"}});
    ASSERT_TRUE(read_header.read_head());
    EXPECT_EQ(read_header.status, 200);
    SseClient write_header(port(), "/v1/stream?symbols=AAPL", {{"Authorization", "Bearer wr1te"}});
    ASSERT_TRUE(write_header.read_head());
    EXPECT_EQ(write_header.status, 200);
    SseClient query(port(), "/v1/stream?symbols=AAPL&access_token=r3ad");
    ASSERT_TRUE(query.read_head());
    EXPECT_EQ(query.status, 200);
}

TEST_F(StreamRouteTest, StreamsAreOpenWithoutAReadTokenEvenWithAWriteToken) {
    auto tokens = testing::TestServer::default_options();
    tokens.api_token = "wr1te";
    start({}, {.initial_id = 1000}, tokens);
    SseClient open(port(), "/v1/stream?symbols=AAPL");
    ASSERT_TRUE(open.read_head());
    EXPECT_EQ(open.status, 200);
    auto in_url = testing::request(port(), "GET", "/v1/stream?symbols=AAPL&token=wr1te");
    EXPECT_EQ(in_url.status, 400u);
    EXPECT_EQ(error_code_of(in_url), "token_in_url");
}

TEST_F(StreamRouteTest, GracefulStopEndsOpenStreams) {
    StreamOptions options;
    options.heartbeat = 60s;
    start(options);
    SseClient a(port(), "/v1/stream?symbols=AAPL");
    SseClient b(port(), "/v1/stream?symbols=*");
    ASSERT_TRUE(a.read_head());
    ASSERT_TRUE(b.read_head());
    ASSERT_TRUE(a.next_block());  // retry: the stream is running
    ASSERT_TRUE(b.next_block());
    const auto started = Clock::now();
    std::thread stopper([this] { server->stop(); });
    EXPECT_TRUE(a.wait_closed(5s));
    EXPECT_TRUE(b.wait_closed(5s));
    stopper.join();
    // The streams ended at once, not when the 2 s grace period ran out.
    EXPECT_LT(Clock::now() - started, 1500ms);
    EXPECT_EQ(hub->open_streams(), 0u);
}

TEST_F(StreamRouteTest, CountsSentEventsInMetrics) {
    start();
    publish("AAPL", R"({"n":0})");
    SseClient client(port(), "/v1/stream?symbols=AAPL");
    ASSERT_TRUE(client.read_head());
    ASSERT_TRUE(client.next_event());
    publish("AAPL", R"({"n":1})");
    ASSERT_TRUE(client.next_event());
    // The writer counts once its write has completed, which may be just after the client read.
    const auto deadline = Clock::now() + 5s;
    while (hub->stats().sent < 2 && Clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    std::string out;
    hub->render(out);
    EXPECT_NE(out.find("gs_sse_streams_open 1"), std::string::npos) << out;
    EXPECT_NE(out.find("gs_sse_events_sent_total 2"), std::string::npos) << out;
    EXPECT_NE(out.find("gs_sse_publish_to_send_seconds_count 1"), std::string::npos) << out;
}

}  // namespace
}  // namespace gs::sse
