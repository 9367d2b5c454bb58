#include "http/socket_io.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>

namespace gs::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Beast's own read size cap for one read into a dynamic buffer.
constexpr std::size_t kMaxReadSize = 65536;

}  // namespace

asio::awaitable<error_code> read_more(asio::ip::tcp::socket& socket, beast::flat_buffer& buffer) {
    const std::size_t size = beast::read_size(buffer, kMaxReadSize);
    if (size == 0) {
        co_return bhttp::error::buffer_overflow;
    }
    // async_read_some, not a readiness wait and a read: Asio remembers whether the last read
    // drained the socket, so it neither tries a read bound to fail nor misses an edge.
    auto [ec, n] = co_await socket.async_read_some(buffer.prepare(size), kUseTuple);
    buffer.commit(n);
    co_return ec;
}

asio::awaitable<error_code> read_message(asio::ip::tcp::socket& socket, beast::flat_buffer& buffer,
                                         RequestParser& parser, ReadUntil until) {
    const auto done = [&] {
        return until == ReadUntil::kHead ? parser.is_header_done() : parser.is_done();
    };
    while (!done()) {
        if (buffer.size() != 0) {
            error_code ec;
            const std::size_t used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (!ec && used != 0) {
                continue;
            }
            if (ec && ec != bhttp::error::need_more) {
                co_return ec;
            }
        }
        if (auto ec = co_await read_more(socket, buffer)) {
            if (ec != asio::error::eof) {
                co_return ec;
            }
            if (!parser.got_some()) {
                co_return bhttp::error::end_of_stream;
            }
            parser.put_eof(ec);
            if (ec) {
                co_return ec;
            }
        }
    }
    co_return error_code{};
}

asio::awaitable<std::pair<error_code, std::size_t>> write_all(
    asio::ip::tcp::socket& socket, std::array<asio::const_buffer, 2> buffers) {
    error_code ec;
    const std::size_t total = asio::buffer_size(buffers);
    const std::size_t sent = socket.write_some(buffers, ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
        co_return std::pair{ec, sent};
    }
    if (sent == total) {
        co_return std::pair{error_code{}, sent};
    }
    std::size_t skip = sent;
    for (auto& buffer : buffers) {
        const std::size_t step = std::min(skip, buffer.size());
        buffer += step;
        skip -= step;
    }
    auto [write_ec, rest] = co_await asio::async_write(socket, buffers, kUseTuple);
    co_return std::pair{write_ec, sent + rest};
}

}  // namespace gs::http::detail
