#pragma once

// The importer's HTTP client: one keep-alive connection to the service, POST /v1/bars with
// retries. Blocking (Beast's synchronous API): a command-line tool posting one chunk at a time
// has nothing to overlap.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace gs::import {

// `http://host[:port][/prefix]`; throws std::invalid_argument naming what is wrong.
struct Endpoint {
    std::string host;
    std::string port = "80";
    std::string prefix;  // without a trailing slash; "" or e.g. "/signals"
};
Endpoint parse_endpoint(std::string_view url);

// The delay before retry `attempt` (1 = the first retry): exponential from `base`, capped at
// `cap`; a server's Retry-After (seconds) wins when given, within the same cap.
std::chrono::milliseconds retry_delay(unsigned attempt, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap,
                                      std::optional<std::int64_t> retry_after_s);

struct ClientOptions {
    std::chrono::milliseconds timeout{60'000};  // per request: connect, write, read
    unsigned retries = 5;                       // after the first attempt
    std::chrono::milliseconds backoff{500};
    std::chrono::milliseconds backoff_cap{10'000};
};

// A reply that is final: 2xx, or an error not worth retrying, or a retryable one after the
// last retry.
struct Reply {
    unsigned status = 0;
    std::string body;
    unsigned attempts = 1;
};

// The connection failed after every retry (refused, reset, timed out).
class TransportError final : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class BarsClient final {
  public:
    BarsClient(Endpoint endpoint, std::string token, ClientOptions options);

    // POST {prefix}/v1/bars/{symbol}?timeframe={timeframe} with a CSV body. Retries 429, 502,
    // 503, 504 and connection failures (the upsert is idempotent); `on_retry` hears of each
    // wait first. Throws TransportError.
    Reply post_bars(std::string_view symbol, std::string_view timeframe, const std::string& body,
                    const std::function<void(const std::string& why,
                                             std::chrono::milliseconds wait)>& on_retry);

  private:
    // Runs the operation just started to completion; throws its error.
    void run(const boost::system::error_code& ec);
    void close();

    Endpoint endpoint_;
    std::string token_;
    ClientOptions options_;
    boost::asio::io_context io_;
    std::optional<boost::beast::tcp_stream> stream_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace gs::import
