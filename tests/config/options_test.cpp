#include "goldensignals/config/options.h"
#include "support/env_of.h"

#include <map>

#include <gtest/gtest.h>

namespace gs::config {
namespace {

using testing::env_of;

TEST(OptionsTest, DefaultsAreTheEmbeddedSetup) {
    auto options = parse({}, env_of({}));
    EXPECT_EQ(options.server.port, 8080);
    EXPECT_EQ(options.server.threads, 0u);
    EXPECT_FALSE(options.redis_url.has_value());
    EXPECT_FALSE(options.database_url.has_value());
    EXPECT_EQ(options.log_level, "info");
    EXPECT_EQ(options.server.body_limit_bytes, 1024u * 1024u);
    EXPECT_FALSE(options.show_help);
}

TEST(OptionsTest, ReadsEnvironment) {
    auto options = parse({}, env_of({{"GS_PORT", "9000"},
                                     {"GS_THREADS", "3"},
                                     {"GS_REDIS_URL", "redis://127.0.0.1:6380/2"},
                                     {"GS_DATABASE_URL", "postgresql://gs@127.0.0.1:5433/gs"},
                                     {"GS_LOG_LEVEL", "debug"}}));
    EXPECT_EQ(options.server.port, 9000);
    EXPECT_EQ(options.server.threads, 3u);
    EXPECT_EQ(options.redis_url.value(), "redis://127.0.0.1:6380/2");
    EXPECT_EQ(options.database_url.value(), "postgresql://gs@127.0.0.1:5433/gs");
    EXPECT_EQ(options.log_level, "debug");
}

TEST(OptionsTest, FlagsWinOverEnvironment) {
    auto options = parse({"--port=9001", "--log-level", "warn"},
                         env_of({{"GS_PORT", "9000"}, {"GS_LOG_LEVEL", "debug"}}));
    EXPECT_EQ(options.server.port, 9001);
    EXPECT_EQ(options.log_level, "warn");
}

TEST(OptionsTest, EmptyUrlMeansDisabled) {
    auto options = parse({"--redis-url="}, env_of({{"GS_REDIS_URL", "redis://h:1"}}));
    EXPECT_FALSE(options.redis_url.has_value());
}

// Unset, the consensus config decides; given, it overrides the config either way.
TEST(OptionsTest, WeightingIsUnsetUnlessGiven) {
    EXPECT_FALSE(parse({}, env_of({})).adaptive_weighting.has_value());
    EXPECT_EQ(parse({"--weighting=adaptive"}, env_of({})).adaptive_weighting, true);
    EXPECT_EQ(parse({}, env_of({{"GS_WEIGHTING", "static"}})).adaptive_weighting, false);
    EXPECT_THROW(parse({"--weighting=hedge"}, env_of({})), Error);
}

TEST(OptionsTest, HelpSwitch) {
    EXPECT_TRUE(parse({"--help"}, env_of({})).show_help);
    EXPECT_TRUE(parse({"-h"}, env_of({})).show_help);
}

// The Kubernetes init container's step (deploy/k8s): a switch, off unless given.
TEST(OptionsTest, MigrateOnlySwitch) {
    EXPECT_FALSE(parse({}, env_of({})).migrate_only);
    auto options = parse({"--migrate-only"}, env_of({{"GS_DATABASE_URL", "postgresql://gs@h/gs"}}));
    EXPECT_TRUE(options.migrate_only);
    EXPECT_EQ(options.database_url.value(), "postgresql://gs@h/gs");
    EXPECT_THROW(parse({"--migrate-only=yes"}, env_of({})), Error);
    EXPECT_NE(help_text().find("--migrate-only"), std::string::npos);
}

struct BadCase {
    std::string name;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string expected_fragment;
};

class OptionsRejectTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(OptionsRejectTest, RejectsWithMessageNamingTheOption) {
    const auto& bad = GetParam();
    try {
        parse(bad.args, env_of(bad.env));
        FAIL() << "expected config::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(bad.expected_fragment), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, OptionsRejectTest,
    ::testing::Values(
        BadCase{"PortNotANumber", {"--port=http"}, {}, "--port"},
        BadCase{"PortOutOfRange", {"--port=70000"}, {}, "out of range"},
        BadCase{"NegativePortFromEnv", {}, {{"GS_PORT", "-1"}}, "GS_PORT"},
        BadCase{"ThreadsNotANumber", {"--threads=lots"}, {}, "--threads"},
        BadCase{"UnknownLogLevel", {"--log-level=loud"}, {}, "--log-level"},
        BadCase{"RedisUrlWrongScheme", {"--redis-url=http://x"}, {}, "--redis-url"},
        BadCase{"RedisUrlBadPort", {}, {{"GS_REDIS_URL", "redis://host:notaport"}}, "GS_REDIS_URL"},
        BadCase{"DatabaseUrlUnknownForm", {"--database-url=mysql"}, {}, "--database-url"},
        BadCase{"UnknownFlag", {"--nope=1"}, {}, "unknown flag"},
        BadCase{"FlagWithoutValue", {"--port"}, {}, "needs a value"},
        BadCase{"StrayArgument", {"stray"}, {}, "unexpected argument"},
        BadCase{"NotABoolean", {"--access-log=maybe"}, {}, "boolean"},
        BadCase{"ZeroBodyLimit", {"--body-limit=0"}, {}, "out of range"}));

TEST(OptionsTest, DatabaseUrlErrorNeverEchoesTheSecret) {
    try {
        parse({"--database-url=mysql://user:hunter2@db"}, env_of({}));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
}

TEST(RedisUrlTest, ParsesAllParts) {
    auto url = parse_redis_url("redis://:s3cret@cache.local:6390/4");
    EXPECT_EQ(url.host, "cache.local");
    EXPECT_EQ(url.port, 6390);
    EXPECT_EQ(url.password, "s3cret");
    EXPECT_EQ(url.db, 4);
}

TEST(RedisUrlTest, DefaultsPortAndDb) {
    auto url = parse_redis_url("redis://localhost");
    EXPECT_EQ(url.host, "localhost");
    EXPECT_EQ(url.port, 6379);
    EXPECT_EQ(url.db, 0);
    EXPECT_TRUE(url.password.empty());
}

TEST(RedisUrlTest, RejectsMissingHost) {
    EXPECT_THROW(parse_redis_url("redis://:6379"), Error);
}

TEST(OptionsTest, HelpListsEveryFlagWithItsEnvironmentVariable) {
    auto text = help_text();
    for (const char* fragment :
         {"--port", "GS_PORT", "--threads", "GS_THREADS", "--redis-url", "GS_REDIS_URL",
          "--database-url", "GS_DATABASE_URL", "--log-level", "GS_LOG_LEVEL", "default 8080"}) {
        EXPECT_NE(text.find(fragment), std::string::npos) << fragment;
    }
}

TEST(OptionsTest, EffectiveThreadsUsesHardwareWhenZero) {
    ServerOptions options;
    options.threads = 0;
    EXPECT_GE(effective_threads(options), 1u);
    options.threads = 5;
    EXPECT_EQ(effective_threads(options), 5u);
}

}  // namespace
}  // namespace gs::config

namespace gs::config {
namespace {

// The read token is a secret like the API token: environment only, never a flag.
TEST(OptionsTest, ReadTokenComesFromTheEnvironmentOnly) {
    auto options = parse({}, env_of({{"GS_READ_TOKEN", "r"}, {"GS_API_TOKEN", "w"}}));
    EXPECT_EQ(options.server.read_token, "r");
    EXPECT_EQ(options.server.api_token, "w");
    EXPECT_TRUE(parse({}, env_of({})).server.read_token.empty());
    EXPECT_THROW(parse({"--read-token=r"}, env_of({})), Error);
}

TEST(OptionsTest, StreamSendBufferAndStallTimeout) {
    auto defaults = parse({}, env_of({}));
    EXPECT_EQ(defaults.stream_send_buffer, 64u * 1024u);
    EXPECT_EQ(defaults.stream_stall_timeout, std::chrono::milliseconds(5000));
    auto set = parse({"--stream-send-buffer=0"}, env_of({{"GS_STREAM_STALL_MS", "2000"}}));
    EXPECT_EQ(set.stream_send_buffer, 0u);
    EXPECT_EQ(set.stream_stall_timeout, std::chrono::milliseconds(2000));
    EXPECT_THROW(parse({"--stream-stall-ms=10"}, env_of({})), Error);
}

TEST(OptionsTest, SignalWriteLinger) {
    EXPECT_EQ(parse({}, env_of({})).signal_write_linger, std::chrono::milliseconds(1000));
    EXPECT_EQ(parse({"--signal-write-linger-ms=0"}, env_of({})).signal_write_linger,
              std::chrono::milliseconds(0));
    EXPECT_EQ(parse({}, env_of({{"GS_SIGNAL_WRITE_LINGER_MS", "250"}})).signal_write_linger,
              std::chrono::milliseconds(250));
    EXPECT_THROW(parse({"--signal-write-linger-ms=60001"}, env_of({})), Error);
    EXPECT_THROW(parse({"--signal-write-linger-ms=-1"}, env_of({})), Error);
}

}  // namespace
}  // namespace gs::config
