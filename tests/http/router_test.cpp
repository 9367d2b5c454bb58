#include "goldensignals/http/router.h"

#include <gtest/gtest.h>

namespace gs::http {
namespace {

using boost::beast::http::status;
using boost::beast::http::verb;

Handler named(std::string name) {
    return sync_handler([name](Request&) { return Response::text(status::ok, name); });
}

class RouterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        router.add(verb::get, "/healthz", named("health"));
        router.add(verb::get, "/v1/bars/{symbol}", named("get_bars"));
        router.add(verb::post, "/v1/bars/{symbol}", named("post_bars"), {.body_limit = 10});
        router.add(verb::get, "/v1/signals/{symbol}/history", named("history"));
        router.add(verb::get, "/v1/signals/{symbol}", named("signal"));
    }
    Router router;
};

TEST_F(RouterTest, MatchesLiteralPath) {
    auto m = router.match(verb::get, "/healthz");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/healthz");
}

TEST_F(RouterTest, CapturesPathParameters) {
    auto m = router.match(verb::get, "/v1/signals/BRK.B/history");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/v1/signals/{symbol}/history");
    EXPECT_EQ(m.params.get("symbol").value(), "BRK.B");
}

TEST_F(RouterTest, PicksRouteByMethod) {
    auto post = router.match(verb::post, "/v1/bars/AAPL");
    ASSERT_NE(post.route, nullptr);
    EXPECT_EQ(post.route->method, verb::post);
    EXPECT_EQ(post.route->options.body_limit, 10u);
}

TEST_F(RouterTest, UnknownPathMatchesNothingAndAllowsNothing) {
    auto m = router.match(verb::get, "/nope");
    EXPECT_EQ(m.route, nullptr);
    EXPECT_TRUE(m.allow.empty());
}

TEST_F(RouterTest, WrongMethodReportsAllowedMethods) {
    auto m = router.match(verb::delete_, "/v1/bars/AAPL");
    EXPECT_EQ(m.route, nullptr);
    EXPECT_EQ(m.allow, "GET, HEAD, POST");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
    auto m = router.match(verb::head, "/healthz");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->method, verb::get);
}

TEST_F(RouterTest, EmptyParameterSegmentDoesNotMatch) {
    EXPECT_EQ(router.match(verb::get, "/v1/bars/").route, nullptr);
}

TEST_F(RouterTest, TrailingSlashIsADifferentPath) {
    EXPECT_EQ(router.match(verb::get, "/healthz/").route, nullptr);
}

TEST_F(RouterTest, ExtraSegmentsDoNotMatch) {
    EXPECT_EQ(router.match(verb::get, "/v1/bars/AAPL/extra").route, nullptr);
}

TEST(RouterAddTest, RejectsPatternWithoutLeadingSlash) {
    Router router;
    EXPECT_THROW(router.add(verb::get, "healthz", named("x")), std::invalid_argument);
}

}  // namespace
}  // namespace gs::http
