#include "goldensignals/http/access.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gs::http {
namespace {

using Verdict = AccessVerdict;

config::ServerOptions tokens(std::string write, std::string read) {
    config::ServerOptions options;
    options.api_token = std::move(write);
    options.read_token = std::move(read);
    return options;
}

Params query(std::vector<std::pair<std::string, std::string>> items) {
    Params params;
    for (auto& [name, value] : items) {
        params.add(std::move(name), std::move(value));
    }
    return params;
}

const Params kNoQuery;

TEST(AccessTest, EverythingIsOpenWithoutTokens) {
    const auto none = tokens("", "");
    for (auto access : {Access::kOpen, Access::kRead, Access::kWrite}) {
        EXPECT_EQ(check_access(none, access, "", kNoQuery), Verdict::kAllowed);
        EXPECT_EQ(check_access(none, access, "Bearer anything", kNoQuery), Verdict::kAllowed);
    }
}

TEST(AccessTest, ReadsStayOpenWhenOnlyTheWriteTokenIsSet) {
    const auto write_only = tokens("w", "");
    EXPECT_EQ(check_access(write_only, Access::kRead, "", kNoQuery), Verdict::kAllowed);
    EXPECT_EQ(check_access(write_only, Access::kWrite, "", kNoQuery), Verdict::kUnauthorized);
    EXPECT_EQ(check_access(write_only, Access::kWrite, "Bearer w", kNoQuery), Verdict::kAllowed);
    EXPECT_EQ(check_access(write_only, Access::kWrite, "bearer w", kNoQuery), Verdict::kAllowed);
    EXPECT_EQ(check_access(write_only, Access::kWrite, "Bearer W", kNoQuery),
              Verdict::kUnauthorized);
    EXPECT_EQ(check_access(write_only, Access::kWrite, "Basic w", kNoQuery),
              Verdict::kUnauthorized);
}

TEST(AccessTest, AReadTokenGuardsReadsAndTheWriteTokenReadsToo) {
    const auto both = tokens("w", "r");
    EXPECT_EQ(check_access(both, Access::kRead, "", kNoQuery), Verdict::kUnauthorized);
    EXPECT_EQ(check_access(both, Access::kRead, "Bearer r", kNoQuery), Verdict::kAllowed);
    EXPECT_EQ(check_access(both, Access::kRead, "Bearer w", kNoQuery), Verdict::kAllowed);
    EXPECT_EQ(check_access(both, Access::kRead, "Bearer x", kNoQuery), Verdict::kUnauthorized);
    EXPECT_EQ(check_access(both, Access::kRead, "Bearer ", kNoQuery), Verdict::kUnauthorized);
    // The read token does not write; open routes need nothing.
    EXPECT_EQ(check_access(both, Access::kWrite, "Bearer r", kNoQuery), Verdict::kUnauthorized);
    EXPECT_EQ(check_access(both, Access::kOpen, "", kNoQuery), Verdict::kAllowed);
    // Read token alone (no write token): writes are open, reads are not.
    const auto read_only = tokens("", "r");
    EXPECT_EQ(check_access(read_only, Access::kRead, "", kNoQuery), Verdict::kUnauthorized);
    EXPECT_EQ(check_access(read_only, Access::kWrite, "", kNoQuery), Verdict::kAllowed);
}

TEST(AccessTest, TheReadTokenIsTakenFromTheQueryOnlyWhereTheRouteAllowsIt) {
    const auto both = tokens("w", "r");
    const auto q = query({{"symbols", "*"}, {"access_token", "r"}});
    EXPECT_EQ(check_access(both, Access::kRead, "", q, true), Verdict::kAllowed);
    EXPECT_EQ(check_access(both, Access::kRead, "", q, false), Verdict::kUnauthorized);
    EXPECT_EQ(check_access(both, Access::kRead, "", query({{"access_token", "x"}}), true),
              Verdict::kUnauthorized);
    // The old parameter name is not a way in.
    EXPECT_EQ(check_access(both, Access::kRead, "", query({{"token", "r"}}), true),
              Verdict::kUnauthorized);
}

TEST(AccessTest, TheWriteTokenInAUrlIsRefusedWhateverElseCame) {
    const auto both = tokens("w", "r");
    for (const char* name : {"access_token", "token"}) {
        const auto q = query({{"symbols", "AAPL"}, {name, "w"}});
        for (auto access : {Access::kOpen, Access::kRead, Access::kWrite}) {
            EXPECT_EQ(check_access(both, access, "", q, true), Verdict::kWriteTokenInUrl) << name;
            EXPECT_EQ(check_access(both, access, "Bearer w", q, true), Verdict::kWriteTokenInUrl)
                << name;
        }
    }
    // Also when reads are open.
    EXPECT_EQ(check_access(tokens("w", ""), Access::kRead, "", query({{"token", "w"}}), true),
              Verdict::kWriteTokenInUrl);
    // A wrong token in the URL is just not a token.
    EXPECT_EQ(check_access(tokens("w", ""), Access::kRead, "", query({{"token", "x"}}), true),
              Verdict::kAllowed);
}

TEST(AccessTest, RoutesDefaultToReadUnderV1WriteWhenMarkedAndOpenElsewhere) {
    Route route;
    route.pattern = "/v1/signals/{symbol}";
    EXPECT_EQ(route_access(route), Access::kRead);
    route.options.write = true;
    EXPECT_EQ(route_access(route), Access::kWrite);
    route.options.write = false;
    for (const char* pattern : {"/healthz", "/readyz", "/metrics", "/", "/app.js"}) {
        route.pattern = pattern;
        EXPECT_EQ(route_access(route), Access::kOpen) << pattern;
    }
    route.pattern = "/v1/stream";
    route.options.access = Access::kOpen;
    EXPECT_EQ(route_access(route), Access::kOpen);
}

TEST(AccessTest, ErrorsAre401WithAChallengeOr400ForATokenInTheUrl) {
    auto unauthorized = access_error(AccessVerdict::kUnauthorized);
    EXPECT_EQ(unauthorized.status, boost::beast::http::status::unauthorized);
    EXPECT_EQ(nlohmann::json::parse(*unauthorized.body)["error"]["code"], "unauthorized");
    ASSERT_EQ(unauthorized.headers.size(), 1u);
    EXPECT_EQ(unauthorized.headers[0].first, "WWW-Authenticate");
    auto in_url = access_error(AccessVerdict::kWriteTokenInUrl, true);
    EXPECT_EQ(in_url.status, boost::beast::http::status::bad_request);
    const auto body = nlohmann::json::parse(*in_url.body);
    EXPECT_EQ(body["error"]["code"], "token_in_url");
    EXPECT_NE(body["error"]["message"].get<std::string>().find("URL"), std::string::npos);
}

// The one auth step the server runs for every route: the route says what it needs and whether
// it takes the read token from the query (only the SSE stream does).
TEST(AccessTest, AuthorizeTakesTheQueryTokenOnlyWhereTheRouteSaysSo) {
    const auto both = tokens("w", "r");
    Route stream;
    stream.pattern = "/v1/stream";
    stream.options.access = Access::kRead;
    stream.options.token_in_query = true;
    Route read;
    read.pattern = "/v1/signals/{symbol}";
    const auto in_query = query({{"access_token", "r"}});
    EXPECT_FALSE(authorize(both, stream, "", in_query));
    EXPECT_FALSE(authorize(both, read, "Bearer r", kNoQuery));
    const auto refused = authorize(both, read, "", in_query);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, boost::beast::http::status::unauthorized);
    const auto stream_refused = authorize(both, stream, "", kNoQuery);
    ASSERT_TRUE(stream_refused);
    EXPECT_NE(stream_refused->body->find("access_token"), std::string::npos);
    const auto write_in_url = authorize(both, stream, "", query({{"access_token", "w"}}));
    ASSERT_TRUE(write_in_url);
    EXPECT_EQ(write_in_url->status, boost::beast::http::status::bad_request);
}

TEST(AccessTest, ConstantTimeEqualsIsEqualityAndNeverMatchesAnEmptyToken) {
    EXPECT_TRUE(constant_time_equals("s3cret", "s3cret"));
    EXPECT_FALSE(constant_time_equals("s3cre", "s3cret"));
    EXPECT_FALSE(constant_time_equals("s3cret!", "s3cret"));
    EXPECT_FALSE(constant_time_equals("s3creT", "s3cret"));
    EXPECT_FALSE(constant_time_equals("", ""));
    EXPECT_FALSE(constant_time_equals("x", ""));
}

}  // namespace
}  // namespace gs::http
