// Pins the heap allocations of a cached read (issue 12, item 5): GET /v1/signals/{symbol}
// answered from L1 through a real Server on loopback, counted with a replaced global
// operator new. The client below allocates nothing, so every counted call is the server's.

#include <atomic>
#include <cstdlib>
#include <new>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/ingest_service.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "support/test_server.h"

// A sanitizer brings its own operator new (ASan checks new/delete pairing, TSan tracks every
// allocation); replacing it here would switch those checks off for the whole gs_tests binary
// and count the sanitizer's own allocations. Under a sanitizer the test skips itself.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GS_READ_PATH_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define GS_READ_PATH_SANITIZED 1
#endif
#endif
#ifndef GS_READ_PATH_SANITIZED
#define GS_READ_PATH_SANITIZED 0
#endif

namespace {

// Counted only while a test turns it on; the replacement is otherwise plain malloc/free.
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_news{0};

void* counted_new(std::size_t size) {
    if (g_counting.load(std::memory_order_relaxed)) {
        g_news.fetch_add(1, std::memory_order_relaxed);
    }
    if (void* p = std::malloc(size == 0 ? 1 : size)) {
        return p;
    }
    throw std::bad_alloc();
}

}  // namespace

#if !GS_READ_PATH_SANITIZED
void* operator new(std::size_t size) {
    return counted_new(size);
}
void* operator new[](std::size_t size) {
    return counted_new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return counted_new(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return counted_new(size);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
#endif

namespace gs::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string csv_bars(std::size_t n) {
    std::string body = "time,open,high,low,close,volume\n";
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + 0.1 * static_cast<double>(i) + ((i % 5) - 2) * 0.3;
        body += fmt::format("{},{:.4f},{:.4f},{:.4f},{:.4f},{}\n", 1577836800 + 86400 * i, c - 0.2,
                            c + 0.5, c - 0.7, c, 1000 + 10 * (i % 7));
    }
    return body;
}

// Reads one response into `buffer` (fixed, so the client allocates nothing) and returns its
// status, or 0 when it cannot be framed.
unsigned read_response(tcp::socket& socket, char* buffer, std::size_t capacity) {
    std::size_t have = 0;
    std::size_t head_end = std::string_view::npos;
    while (head_end == std::string_view::npos) {
        have += socket.read_some(asio::buffer(buffer + have, capacity - have));
        head_end = std::string_view(buffer, have).find("\r\n\r\n");
    }
    const std::string_view head(buffer, head_end);
    constexpr std::string_view kLength = "Content-Length: ";
    const auto at = head.find(kLength);
    if (at == std::string_view::npos) {
        return 0;
    }
    const std::size_t length = std::strtoul(head.data() + at + kLength.size(), nullptr, 10);
    const std::size_t total = head_end + 4 + length;
    if (total > capacity) {
        return 0;
    }
    if (have < total) {
        asio::read(socket, asio::buffer(buffer + have, total - have));
    }
    return static_cast<unsigned>(std::strtoul(buffer + 9, nullptr, 10));
}

TEST(ReadPathAllocTest, CachedSignalReadStaysUnderItsAllocationBudget) {
    if (GS_READ_PATH_SANITIZED) {
        GTEST_SKIP() << "operator new is the sanitizer's in this build; counted in Release only";
    }
    auto options = testing::TestServer::default_options();
    options.access_log = false;
    options.threads = 1;
    testing::TestServer server(options);
    asio::thread_pool pool{1};
    market::MemoryBarStore store{5000};
    orchestrator::Orchestrator orchestrator(pool.get_executor(), 1, agents::all_agents(),
                                            consensus::Config{}, orchestrator::Options{});
    orchestrator::SignalService signals(store, orchestrator, orchestrator::SignalServiceOptions{});
    orchestrator::IngestService ingest(store, signals);
    add_bar_routes(server.router, store, ingest, pool.get_executor());
    add_signal_routes(server.router, store, signals, pool.get_executor());
    server.start();
    auto posted =
        testing::request(server.port(), "POST", "/v1/bars/DEMO", csv_bars(300), "text/csv");
    ASSERT_EQ(posted.status, 200u) << posted.body;

    asio::io_context io;
    tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    // The headers curl sends (allocs.sh measures with curl).
    static constexpr std::string_view kRequest =
        "GET /v1/signals/DEMO HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\n"
        "Accept: */*\r\n\r\n";
    static char buffer[256 * 1024];
    auto one = [&] {
        asio::write(socket, asio::buffer(kRequest));
        return read_response(socket, buffer, sizeof(buffer));
    };
    // Warm-up: the first read computes and caches; the rest settle the session's buffers.
    for (int i = 0; i < 50; ++i) {
        ASSERT_EQ(one(), 200u);
    }
    ASSERT_NE(std::string_view(buffer, 512).find("X-Cache: L1"), std::string_view::npos);

    constexpr std::uint64_t kRequests = 500;
    g_news.store(0);
    g_counting.store(true);
    unsigned failed = 0;
    for (std::uint64_t i = 0; i < kRequests; ++i) {
        failed += one() != 200u ? 1 : 0;
    }
    g_counting.store(false);
    const std::uint64_t news = g_news.load();
    EXPECT_EQ(failed, 0u);
    // Measured: 14 per read before issue 12 (this test failed: 7001 > 2500 over 500 reads),
    // 2 after. The budget leaves a little room, not the old count.
    constexpr std::uint64_t kBudgetPerRequest = 5;
    EXPECT_LE(news, kBudgetPerRequest * kRequests)
        << "operator new calls per cached read: " << static_cast<double>(news) / kRequests;
    RecordProperty("news_per_request", std::to_string(news / kRequests));
    std::printf("operator new calls per cached read: %.2f\n",
                static_cast<double>(news) / kRequests);
    server.stop();
}

}  // namespace
}  // namespace gs::http
