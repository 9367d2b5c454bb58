#include "goldensignals/redis/url.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace gs::redis {
namespace {

TEST(RedisParseUrlTest, ParsesEveryPartAndDefaultsTheRest) {
    const auto full = parse_url("redis://user:s3cret@cache.local:6390/4");
    EXPECT_EQ(full.host, "cache.local");
    EXPECT_EQ(full.port, 6390);
    EXPECT_EQ(full.password, "s3cret");
    EXPECT_EQ(full.db, 4);
    const auto plain = parse_url("redis://localhost");
    EXPECT_EQ(plain.host, "localhost");
    EXPECT_EQ(plain.port, 6379);
    EXPECT_EQ(plain.db, 0);
    EXPECT_TRUE(plain.password.empty());
}

TEST(RedisParseUrlTest, RejectsBadUrlsWithoutQuotingThePassword) {
    for (const char* bad : {"http://x", "redis://:hunter2@:6379", "redis://:hunter2@h:0",
                            "redis://:hunter2@h:port", "redis://h/99999999"}) {
        try {
            parse_url(bad);
            ADD_FAILURE() << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace gs::redis
