#include "feed/binance/rest_backfill.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace gs::feed::binance {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
// 1,000 klines are about 150 KB of JSON.
constexpr std::size_t kMaxBody = 8 << 20;
}  // namespace

RestClient::RestClient(asio::any_io_executor executor, asio::ssl::context& tls, Endpoint endpoint,
                       std::chrono::milliseconds timeout)
    : executor_(std::move(executor)),
      tls_(tls),
      endpoint_(std::move(endpoint)),
      timeout_(timeout) {}

void RestClient::cancel() {
    if (stream_) {
        beast::get_lowest_layer(*stream_).cancel();
    }
}

asio::awaitable<std::vector<Kline>> RestClient::klines(const std::string& symbol,
                                                       const std::string& interval,
                                                       std::int64_t start_ms, std::int64_t end_ms,
                                                       std::size_t limit) {
    const std::string target =
        fmt::format("{}/api/v3/klines?symbol={}&interval={}&startTime={}&endTime={}&limit={}",
                    endpoint_.path, symbol, interval, start_ms, end_ms, limit);
    if (!stream_) {
        stream_.emplace(executor_, tls_);
        if (auto ec = co_await connect_tls(*stream_, endpoint_, timeout_)) {
            stream_.reset();
            throw BackfillError(
                fmt::format("{}:{}: {}", endpoint_.host, endpoint_.port, ec.message()));
        }
    }
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, endpoint_.authority);
    request.set(http::field::user_agent, "goldensignals");
    request.set(http::field::accept, "application/json");
    request.keep_alive(true);
    auto& tcp = beast::get_lowest_layer(*stream_);
    tcp.expires_after(timeout_);
    auto [write_ec, written] =
        co_await http::async_write(*stream_, request, asio::as_tuple(asio::use_awaitable));
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    boost::system::error_code read_ec;
    if (!write_ec) {
        std::tie(read_ec, std::ignore) = co_await http::async_read(
            *stream_, buffer, parser, asio::as_tuple(asio::use_awaitable));
    }
    tcp.expires_never();
    if (write_ec || read_ec) {
        stream_.reset();
        throw BackfillError(
            fmt::format("GET {}: {}", target, (write_ec ? write_ec : read_ec).message()));
    }
    auto response = parser.release();
    if (!response.keep_alive()) {
        stream_.reset();
    }
    if (response.result() != http::status::ok) {
        // Binance explains itself in {"code":-1121,"msg":"Invalid symbol."}; 429/418 is a
        // rate limit, which the feed's backoff respects.
        throw BackfillError(fmt::format("GET {}: HTTP {} {}", target, response.result_int(),
                                        response.body().substr(0, 200)));
    }
    try {
        co_return parse_rest_klines(response.body());
    } catch (const ParseError& e) {
        throw BackfillError(fmt::format("GET {}: {}", target, e.what()));
    }
}

asio::awaitable<std::size_t> backfill(
    RestClient& client, const BackfillRange& range,
    const std::function<asio::awaitable<void>(std::vector<Kline>)>& page) {
    std::int64_t start = range.start_ms;
    std::size_t requests = 0;
    while (start <= range.end_ms) {
        if (requests == range.max_pages) {
            spdlog::warn("binance backfill of {}: stopped after {} pages at {} (gap too long)",
                         range.symbol, requests, start);
            break;
        }
        auto rows = co_await client.klines(range.symbol, range.interval, start, range.end_ms,
                                           range.page_limit);
        ++requests;
        const bool last_page = rows.size() < range.page_limit;
        if (!rows.empty()) {
            if (rows.back().open_time_ms < start) {
                throw BackfillError("klines response goes backwards");
            }
            start = rows.back().open_time_ms + 1;
        }
        // Klines still open at `end_ms` come again, closed, on the stream.
        std::erase_if(rows, [&](const Kline& k) {
            return k.close_time_ms >= range.end_ms || k.open_time_ms < range.start_ms;
        });
        if (!rows.empty()) {
            co_await page(std::move(rows));
        }
        if (last_page) {
            break;
        }
    }
    co_return requests;
}

}  // namespace gs::feed::binance
