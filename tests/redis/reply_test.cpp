// Reply: the owned copy of hiredis replies, parsed here from raw RESP bytes (no server).
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include "goldensignals/redis/error.h"
#include "goldensignals/redis/reply.h"
#include "redis/reply_conversion.h"

namespace gs::redis {
namespace {

struct ReaderDeleter {
    void operator()(redisReader* reader) const noexcept { redisReaderFree(reader); }
};
struct ReplyDeleter {
    void operator()(void* reply) const noexcept { freeReplyObject(reply); }
};

// Parses exactly one reply from `resp` with hiredis' own reader.
Reply parse(const std::string& resp) {
    std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
    EXPECT_EQ(redisReaderFeed(reader.get(), resp.data(), resp.size()), REDIS_OK);
    void* raw = nullptr;
    EXPECT_EQ(redisReaderGetReply(reader.get(), &raw), REDIS_OK);
    std::unique_ptr<void, ReplyDeleter> owned(raw);
    if (raw == nullptr) {
        ADD_FAILURE() << "incomplete reply: " << resp;
        return {};
    }
    return detail::to_reply(*static_cast<redisReply*>(raw));
}

TEST(ReplyTest, ConvertsStatus) {
    auto reply = parse("+OK\r\n");
    EXPECT_EQ(reply.type, ReplyType::kStatus);
    EXPECT_TRUE(reply.is_status());
    EXPECT_EQ(reply.as_string(), "OK");
}

TEST(ReplyTest, ConvertsErrorWithoutThrowing) {
    auto reply = parse("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    EXPECT_TRUE(reply.is_error());
    EXPECT_EQ(reply.str, "WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST(ReplyTest, ConvertsIntegerIncludingNegativeAndLarge) {
    EXPECT_EQ(parse(":42\r\n"), Reply::make_integer(42));
    EXPECT_EQ(parse(":-7\r\n").as_integer(), -7);
    EXPECT_EQ(parse(":9223372036854775807\r\n").as_integer(), 9223372036854775807LL);
}

TEST(ReplyTest, ConvertsBulkStringBinarySafe) {
    const std::string payload("a\0b\r\nc\xff", 7);
    auto reply = parse("$7\r\n" + payload + "\r\n");
    EXPECT_TRUE(reply.is_string());
    EXPECT_EQ(reply.str.size(), 7u);
    EXPECT_EQ(reply.as_string(), payload);
}

TEST(ReplyTest, ConvertsEmptyStringAsStringNotNil) {
    auto reply = parse("$0\r\n\r\n");
    EXPECT_TRUE(reply.is_string());
    EXPECT_EQ(reply.as_optional_string(), std::optional<std::string>(""));
}

TEST(ReplyTest, ConvertsNilBulkAndNilArrayToNil) {
    EXPECT_TRUE(parse("$-1\r\n").is_nil());
    EXPECT_TRUE(parse("*-1\r\n").is_nil());
    EXPECT_EQ(parse("$-1\r\n").as_optional_string(), std::nullopt);
}

TEST(ReplyTest, ConvertsNestedArraysInOrder) {
    auto reply = parse("*3\r\n$3\r\nfoo\r\n*2\r\n:1\r\n$-1\r\n*0\r\n");
    ASSERT_TRUE(reply.is_array());
    ASSERT_EQ(reply.as_array().size(), 3u);
    EXPECT_EQ(reply.elements[0], Reply::make_string("foo"));
    EXPECT_EQ(reply.elements[1], Reply::make_array({Reply::make_integer(1), Reply::make_nil()}));
    EXPECT_TRUE(reply.elements[2].is_array());
    EXPECT_TRUE(reply.elements[2].elements.empty());
}

TEST(ReplyTest, AsStringOnErrorThrowsServerErrorWithMessage) {
    auto reply = Reply::make_error("ERR unknown command");
    try {
        (void)reply.as_string();
        FAIL() << "as_string() accepted an error reply";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kServer);
        EXPECT_NE(std::string(e.what()).find("ERR unknown command"), std::string::npos);
    }
}

TEST(ReplyTest, WrongTypeAccessThrowsProtocolError) {
    try {
        (void)Reply::make_integer(1).as_string();
        FAIL() << "as_string() accepted an integer reply";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kProtocol);
    }
    EXPECT_THROW((void)Reply::make_string("1").as_integer(), Error);
    EXPECT_THROW((void)Reply::make_nil().as_array(), Error);
    EXPECT_THROW((void)Reply::make_nil().as_string(), Error);
}

TEST(ReplyTest, EqualityComparesTypeAndContent) {
    EXPECT_EQ(Reply::make_string("x"), Reply::make_string("x"));
    EXPECT_NE(Reply::make_string("x"), Reply::make_status("x"));
    EXPECT_NE(Reply::make_integer(1), Reply::make_integer(2));
}

TEST(ErrorTest, MessageNamesTheKind) {
    Error error(ErrorKind::kTimeout, "no reply in time");
    EXPECT_EQ(error.kind(), ErrorKind::kTimeout);
    EXPECT_STREQ(error.what(), "redis timeout: no reply in time");
    EXPECT_EQ(to_string(ErrorKind::kNotConnected), "not_connected");
    EXPECT_EQ(to_string(ErrorKind::kClosed), "closed");
    EXPECT_EQ(to_string(ReplyType::kArray), "array");
}

}  // namespace
}  // namespace gs::redis
