#include "goldensignals/http/response.h"

#include <gtest/gtest.h>
#include <boost/beast/http/fields.hpp>
#include <nlohmann/json.hpp>

#include "http/request_id.h"

namespace gs::http {
namespace {

using boost::beast::http::status;

TEST(ResponseTest, ErrorBodyHasCodeAndMessage) {
    auto r = Response::error(status::not_found, "not_found", "no route for /x");
    EXPECT_EQ(r.status, status::not_found);
    EXPECT_EQ(r.content_type, "application/json");
    auto body = nlohmann::json::parse(*r.body);
    EXPECT_EQ(body["error"]["code"], "not_found");
    EXPECT_EQ(body["error"]["message"], "no route for /x");
}

TEST(ResponseTest, ErrorWithInvalidUtf8StillSerialises) {
    auto r = Response::error(status::bad_request, "bad", std::string("bad \xff byte"));
    EXPECT_NO_THROW(nlohmann::json::parse(*r.body));
}

TEST(SerializeHeadTest, HasStatusLengthTypeAndRequestId) {
    auto r = Response::text(status::ok, "hello");
    auto head = serialize_head(r, 11, true, "abc-1");
    EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_NE(head.find("Content-Length: 5\r\n"), std::string::npos);
    EXPECT_NE(head.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
    EXPECT_NE(head.find("X-Request-Id: abc-1\r\n"), std::string::npos);
    EXPECT_NE(head.find("Date: "), std::string::npos);
    EXPECT_EQ(head.find("Connection:"), std::string::npos);
    EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

TEST(SerializeHeadTest, ClosingAndHttp10KeepAlive) {
    auto r = Response::text(status::ok, "x");
    EXPECT_NE(serialize_head(r, 11, false, "").find("Connection: close\r\n"), std::string::npos);
    EXPECT_NE(serialize_head(r, 10, true, "").find("Connection: keep-alive\r\n"),
              std::string::npos);
}

TEST(SerializeHeadTest, StreamHasNoContentLength) {
    Response r;
    r.content_type = "text/event-stream";
    r.stream = [](StreamContext&) -> boost::asio::awaitable<void> { co_return; };
    auto head = serialize_head(r, 11, true, "");
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST(SerializeHeadTest, ExtraHeadersAreWritten) {
    auto r = Response::error(status::method_not_allowed, "method_not_allowed", "no");
    r.header("Allow", "GET, HEAD");
    auto head = serialize_head(r, 11, true, "");
    EXPECT_NE(head.find("HTTP/1.1 405 Method Not Allowed\r\n"), std::string::npos);
    EXPECT_NE(head.find("Allow: GET, HEAD\r\n"), std::string::npos);
}

TEST(RequestIdTest, MadeOfTheInstanceTagInHexAndTheSequence) {
    boost::beast::http::request_header<> head;
    std::string id = "left over";
    detail::request_id_from(head, 0x00ab12cdu, 42, id);
    EXPECT_EQ(id, "00ab12cd-42");
    detail::request_id_from(head, 0xffffffffu, 18446744073709551615u, id);
    EXPECT_EQ(id, "ffffffff-18446744073709551615");
}

TEST(RequestIdTest, APlainClientIdIsKeptAnyOtherReplaced) {
    boost::beast::http::request_header<> head;
    std::string id;
    head.set("X-Request-Id", "trace-1.A_b");
    detail::request_id_from(head, 1, 7, id);
    EXPECT_EQ(id, "trace-1.A_b");
    head.set("X-Request-Id", "bad id\x01");
    detail::request_id_from(head, 1, 7, id);
    EXPECT_EQ(id, "00000001-7");
    head.set("X-Request-Id", std::string(65, 'a'));
    detail::request_id_from(head, 1, 8, id);
    EXPECT_EQ(id, "00000001-8");
}

}  // namespace
}  // namespace gs::http
