#include "goldensignals/webhooks/registration.h"

#include <string>

#include <gtest/gtest.h>

#include "goldensignals/webhooks/endpoint.h"

namespace gs::webhooks {
namespace {

TEST(EndpointTest, ParsesSchemeHostPortAndTarget) {
    auto e = parse_endpoint("https://Hooks.Example.com:8443/in/gs?k=v");
    EXPECT_TRUE(e.tls);
    EXPECT_EQ(e.host, "hooks.example.com");
    EXPECT_EQ(e.port, 8443);
    EXPECT_EQ(e.target, "/in/gs?k=v");
    EXPECT_FALSE(e.host_is_literal);

    e = parse_endpoint("http://example.com");
    EXPECT_FALSE(e.tls);
    EXPECT_EQ(e.port, 80);
    EXPECT_EQ(e.target, "/");

    e = parse_endpoint("http://[2001:db8::1]:9000/x");
    EXPECT_EQ(e.host, "2001:db8::1");
    EXPECT_EQ(e.port, 9000);
    EXPECT_TRUE(e.host_is_literal);
    EXPECT_TRUE(parse_endpoint("http://10.0.0.1/").host_is_literal);
}

TEST(EndpointTest, RefusesWhatIsNotAPlainHttpUrl) {
    for (const char* bad :
         {"ftp://example.com/", "example.com/hook", "http:///x", "http://user:pw@example.com/",
          "http://example.com/#frag", "http://exa mple.com/", "http://example.com:0/",
          "http://example.com:70000/", "http://example.com:/", "http://[::1/",
          "http://ex%61mple.com/", "file:///etc/passwd", "http://example.com/\x01"}) {
        EXPECT_THROW(parse_endpoint(bad), UrlError) << bad;
    }
    EXPECT_THROW(parse_endpoint("http://example.com/" + std::string(kMaxUrlLength, 'a')), UrlError);
}

const std::string kSecret = "0123456789abcdef";

std::string body(const std::string& url, const std::string& extra = "") {
    return R"({"url":")" + url + R"(","secret":")" + kSecret + "\"" + extra + "}";
}

TEST(RegistrationTest, ReadsAFullRegistration) {
    const auto w = parse_registration(
        R"({"url":"https://example.com/h","secret":"0123456789abcdef","symbols":["aapl","MSFT","AAPL"],"timeframes":["1d","1h"],"on":"every_signal"})",
        false);
    EXPECT_EQ(w.url, "https://example.com/h");
    EXPECT_EQ(w.secret, kSecret);
    EXPECT_EQ(w.symbols, (std::vector<std::string>{"AAPL", "MSFT"}));
    EXPECT_EQ(w.timeframes,
              (std::vector<market::Timeframe>{market::Timeframe::k1d, market::Timeframe::k1h}));
    EXPECT_EQ(w.on, Trigger::kEverySignal);
}

TEST(RegistrationTest, DefaultsToEverySymbolDailyOnActionChange) {
    const auto w = parse_registration(body("http://example.com/"), false);
    EXPECT_EQ(w.symbols, std::vector<std::string>{"*"});
    EXPECT_EQ(w.timeframes, std::vector<market::Timeframe>{market::Timeframe::k1d});
    EXPECT_EQ(w.on, Trigger::kActionChange);
}

std::string code_of(const std::string& text, bool allow_private = false) {
    try {
        parse_registration(text, allow_private);
    } catch (const RegistrationError& e) {
        return e.code();
    }
    return "accepted";
}

TEST(RegistrationTest, RefusesInvalidRegistrations) {
    EXPECT_EQ(code_of("{"), "invalid_json");
    EXPECT_EQ(code_of("[]"), "invalid_webhook");
    EXPECT_EQ(code_of(R"({"secret":"0123456789abcdef"})"), "invalid_webhook");
    EXPECT_EQ(code_of(body("gopher://example.com/")), "invalid_webhook");
    EXPECT_EQ(code_of(R"({"url":"http://example.com/","secret":"short"})"), "invalid_webhook");
    EXPECT_EQ(code_of(R"({"url":"http://example.com/","secret":")" + std::string(257, 's') + "\"}"),
              "invalid_webhook");
    EXPECT_EQ(code_of(R"({"url":"http://example.com/","secret":12345678901234567})"),
              "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"symbols":[])")), "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"symbols":["*","AAPL"])")),
              "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"symbols":["no spaces"])")),
              "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"symbols":"AAPL")")), "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"timeframes":["2d"])")), "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"timeframes":[])")), "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"on":"sometimes")")), "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/", R"(,"extra":1)")), "invalid_webhook");
    std::string many = R"(,"symbols":[)";
    for (std::size_t i = 0; i <= kMaxSymbolsPerWebhook; ++i) {
        many += (i == 0 ? "\"S" : ",\"S") + std::to_string(i) + "\"";
    }
    EXPECT_EQ(code_of(body("http://example.com/", many + "]")), "invalid_webhook");
    EXPECT_EQ(code_of(body("http://example.com/")), "accepted");
}

TEST(RegistrationTest, RefusesLiteralNonPublicAddressesUnlessAllowed) {
    for (const char* url : {"http://127.0.0.1:9000/", "http://10.1.2.3/", "http://[::1]/",
                            "http://169.254.169.254/latest", "http://[::ffff:192.168.1.1]/",
                            "http://0.0.0.0/", "http://100.64.1.1/", "http://[fd00::1]/"}) {
        EXPECT_EQ(code_of(body(url)), "address_not_allowed") << url;
        EXPECT_EQ(code_of(body(url), true), "accepted") << url;
    }
    EXPECT_EQ(code_of(body("http://93.184.216.34/")), "accepted");
    // A name is judged at delivery, after it is resolved.
    EXPECT_EQ(code_of(body("http://localhost:9000/")), "accepted");
}

TEST(RegistrationTest, NewIdsDiffer) {
    const auto a = new_webhook_id();
    EXPECT_TRUE(a.starts_with("wh_"));
    EXPECT_EQ(a.size(), 3u + 24u);
    EXPECT_NE(a, new_webhook_id());
}

}  // namespace
}  // namespace gs::webhooks
