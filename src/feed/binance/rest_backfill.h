#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "feed/binance/tls.h"
#include "goldensignals/feed/binance/kline_parser.h"

namespace gs::feed::binance {

// The history endpoint failed: not reachable, not 200, or not the documented format.
class BackfillError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// GET /api/v3/klines over one kept-alive HTTPS connection (reopened after an error).
class RestClient final {
  public:
    RestClient(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
               Endpoint endpoint, std::chrono::milliseconds timeout);

    // Klines of `symbol` opened in [start_ms, end_ms], oldest first, at most `limit`.
    // Throws BackfillError.
    boost::asio::awaitable<std::vector<Kline>> klines(const std::string& symbol,
                                                      const std::string& interval,
                                                      std::int64_t start_ms, std::int64_t end_ms,
                                                      std::size_t limit);
    // Cuts a request in flight (shutdown); it fails with BackfillError.
    void cancel();

  private:
    boost::asio::any_io_executor executor_;
    boost::asio::ssl::context& tls_;
    Endpoint endpoint_;
    std::chrono::milliseconds timeout_;
    std::optional<TlsStream> stream_;
};

struct BackfillRange {
    std::string symbol;
    std::string interval;
    std::int64_t start_ms = 0;  // first open time wanted
    std::int64_t end_ms = 0;    // now: klines still open at it are left to the stream
    std::size_t page_limit = 1000;
    std::size_t max_pages = 20;
};

// Pages through the range (each page starts after the last open time of the one before, and
// a short page is the last) and hands each page's closed klines to `page`, oldest first.
// Returns the requests made. Throws BackfillError.
boost::asio::awaitable<std::size_t> backfill(
    RestClient& client, const BackfillRange& range,
    const std::function<boost::asio::awaitable<void>(std::vector<Kline>)>& page);

}  // namespace gs::feed::binance
