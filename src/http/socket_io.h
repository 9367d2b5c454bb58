#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "goldensignals/http/request.h"

// The session's socket I/O, leaner than Beast's composed operations over a tcp_stream: no
// timer armed and cancelled per operation (the connection's deadline is swept by the server),
// the parser fed in place, and a response written by one non-blocking send whenever the
// socket takes it whole, without a trip through the scheduler.
namespace gs::http::detail {

using RequestParser =
    boost::beast::http::request_parser<boost::beast::http::string_body, FieldsAllocator<char>>;

enum class ReadUntil { kHead, kWholeMessage };

// Feeds `parser` from `buffer`, reading from the socket whenever the parser needs more, until
// the head (or the whole message) is in; bytes past it stay in `buffer`. The outcomes are
// http::async_read's: end_of_stream when the peer closed before a byte of the message,
// partial_message when it closed in the middle, buffer_overflow when one head line, chunk
// line or trailer section outgrows the buffer's limit, the parser's errors, the socket's.
boost::asio::awaitable<boost::system::error_code> read_message(boost::asio::ip::tcp::socket& socket,
                                                               boost::beast::flat_buffer& buffer,
                                                               RequestParser& parser,
                                                               ReadUntil until);

// Reads into `buffer` once (at least one byte, or the error).
boost::asio::awaitable<boost::system::error_code> read_more(boost::asio::ip::tcp::socket& socket,
                                                            boost::beast::flat_buffer& buffer);

// Writes all of `buffers` and says how much went out. The socket must be in non-blocking
// mode: the first send is tried at once, and only what it leaves waits for the socket.
boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>> write_all(
    boost::asio::ip::tcp::socket& socket, std::array<boost::asio::const_buffer, 2> buffers);

}  // namespace gs::http::detail
