#include "http/connection_registry.h"

#include <gtest/gtest.h>

#include "http/log_escape.h"

namespace gs::http::detail {
namespace {

std::shared_ptr<Connection> make() {
    return std::make_shared<Connection>();
}

TEST(ConnectionRegistryTest, AdmitsUpToTheCap) {
    ConnectionRegistry registry(2);
    std::shared_ptr<Connection> evicted;
    auto a = make();
    auto b = make();
    EXPECT_EQ(registry.add(a, evicted), ConnectionRegistry::Admit::kAdmitted);
    EXPECT_EQ(registry.add(b, evicted), ConnectionRegistry::Admit::kAdmitted);
    EXPECT_EQ(registry.size(), 2u);
    // Both busy: nothing to make room with.
    EXPECT_EQ(registry.add(make(), evicted), ConnectionRegistry::Admit::kFull);
    EXPECT_EQ(evicted, nullptr);
    EXPECT_EQ(registry.size(), 2u);
}

TEST(ConnectionRegistryTest, EvictsTheLongestIdleConnection) {
    ConnectionRegistry registry(3);
    std::shared_ptr<Connection> evicted;
    auto a = make();
    auto b = make();
    auto c = make();
    for (auto& connection : {a, b, c}) {
        registry.add(connection, evicted);
    }
    registry.mark_idle(*b);
    registry.mark_idle(*a);
    registry.mark_idle(*c);
    // b waited longest, but it started a request, then went idle again after c.
    registry.mark_busy(*b);
    EXPECT_EQ(registry.idle_size(), 2u);
    registry.mark_idle(*b);
    registry.mark_idle(*b);  // already listed: moves to the back, counted once
    EXPECT_EQ(registry.idle_size(), 3u);
    EXPECT_EQ(registry.add(make(), evicted), ConnectionRegistry::Admit::kAdmittedEvicting);
    EXPECT_EQ(evicted, a);
    EXPECT_EQ(registry.idle_size(), 2u);
    evicted.reset();
    EXPECT_EQ(registry.add(make(), evicted), ConnectionRegistry::Admit::kAdmittedEvicting);
    EXPECT_EQ(evicted, c);
    EXPECT_EQ(registry.idle_size(), 1u);
}

TEST(ConnectionRegistryTest, RemovedConnectionLeavesTheIdleList) {
    ConnectionRegistry registry(1);
    std::shared_ptr<Connection> evicted;
    auto a = make();
    registry.add(a, evicted);
    registry.mark_idle(*a);
    registry.remove(a);
    EXPECT_EQ(registry.size(), 0u);
    EXPECT_EQ(registry.idle_size(), 0u);
    auto b = make();
    EXPECT_EQ(registry.add(b, evicted), ConnectionRegistry::Admit::kAdmitted);
    EXPECT_EQ(registry.add(make(), evicted), ConnectionRegistry::Admit::kFull);
}

TEST(ConnectionRegistryTest, DefaultCapKeepsAReserveBelowTheFileLimit) {
    EXPECT_EQ(default_connection_cap(20'000), 18'000u);
    EXPECT_EQ(default_connection_cap(1024), 1024u - 102u);
    EXPECT_EQ(default_connection_cap(256), 192u);
    EXPECT_EQ(default_connection_cap(100), 50u);
}

TEST(LogEscapeTest, EscapesControlBytesQuotesAndHighBytes) {
    EXPECT_EQ(escape_for_log("/v1/x"), "/v1/x");
    EXPECT_EQ(escape_for_log("a\nb\r\x1b[31m"), "a\\x0ab\\x0d\\x1b[31m");
    EXPECT_EQ(escape_for_log("say \"hi\" \\"), "say \\x22hi\\x22 \\x5c");
    EXPECT_EQ(escape_for_log("\xc2\x9b"), "\\xc2\\x9b");
    EXPECT_EQ(escape_for_log("abcdef", 3), "abc...");
}

TEST(LogEscapeTest, PlainTextIsLoggedWithoutACopyAndTheRestAsBefore) {
    std::string scratch;
    const std::string_view plain = "/v1/signals/DEMO?agents=false";
    const auto same = escape_for_log(plain, 512, scratch);
    EXPECT_EQ(same.data(), plain.data()) << "no copy of text that needs no escaping";
    for (std::string_view hostile :
         {std::string_view("a\nb\r\x1b[31m"), std::string_view("say \"hi\" \\"),
          std::string_view("\xc2\x9b"), std::string_view("abcdef")}) {
        EXPECT_EQ(escape_for_log(hostile, 3 + hostile.size() % 8, scratch),
                  escape_for_log(hostile, 3 + hostile.size() % 8));
    }
}

}  // namespace
}  // namespace gs::http::detail
