#include "import/bars_client.h"

#include <gtest/gtest.h>

#include "import/progress.h"

namespace gs::import {
namespace {

using std::chrono::milliseconds;

TEST(BarsClientTest, ParsesServiceUrls) {
    auto endpoint = parse_endpoint("http://127.0.0.1:9000");
    EXPECT_EQ(endpoint.host, "127.0.0.1");
    EXPECT_EQ(endpoint.port, "9000");
    EXPECT_EQ(endpoint.prefix, "");
    endpoint = parse_endpoint("http://signals.example/gs/");
    EXPECT_EQ(endpoint.host, "signals.example");
    EXPECT_EQ(endpoint.port, "80");
    EXPECT_EQ(endpoint.prefix, "/gs");
    endpoint = parse_endpoint("http://[::1]:8080/");
    EXPECT_EQ(endpoint.host, "::1");
    EXPECT_EQ(endpoint.port, "8080");
    EXPECT_THROW(parse_endpoint("https://x"), std::invalid_argument);
    EXPECT_THROW(parse_endpoint("localhost:8080"), std::invalid_argument);
    EXPECT_THROW(parse_endpoint("http://x:0"), std::invalid_argument);
    EXPECT_THROW(parse_endpoint("http://x:http"), std::invalid_argument);
    EXPECT_THROW(parse_endpoint("http://user:pw@x"), std::invalid_argument);
}

TEST(BarsClientTest, BacksOffExponentiallyUpToTheCapAndHonoursRetryAfter) {
    const milliseconds base{500}, cap{10'000};
    EXPECT_EQ(retry_delay(1, base, cap, std::nullopt), milliseconds(500));
    EXPECT_EQ(retry_delay(2, base, cap, std::nullopt), milliseconds(1000));
    EXPECT_EQ(retry_delay(4, base, cap, std::nullopt), milliseconds(4000));
    EXPECT_EQ(retry_delay(9, base, cap, std::nullopt), cap);
    EXPECT_EQ(retry_delay(1, base, cap, 3), milliseconds(3000));
    EXPECT_EQ(retry_delay(1, base, cap, 3600), cap);
    EXPECT_EQ(retry_delay(1, base, cap, 0), milliseconds(0));
}

TEST(ImportProgressTest, ShowsPercentRateAndEta) {
    EXPECT_EQ(with_commas(0), "0");
    EXPECT_EQ(with_commas(999), "999");
    EXPECT_EQ(with_commas(1234567), "1,234,567");
    const auto line = progress_line("AAPL.csv", 25'000, 100'000, 2.0, 120, true);
    EXPECT_NE(line.find("AAPL.csv ["), std::string::npos) << line;
    EXPECT_NE(line.find(" 25%"), std::string::npos) << line;
    EXPECT_NE(line.find("25,000/100,000 rows"), std::string::npos) << line;
    EXPECT_NE(line.find("12,500 rows/s"), std::string::npos) << line;
    EXPECT_NE(line.find("ETA 0:06"), std::string::npos) << line;
    const auto narrow = progress_line("a/very/long/path/to/some/file.csv", 1, 2, 1.0, 80, true);
    EXPECT_LE(narrow.size(), 80u) << narrow;
    EXPECT_NE(narrow.find("file.csv"), std::string::npos) << narrow;
    EXPECT_EQ(progress_line("f", 5, 10, 1.0, 80, false), "f:  50%  5/10 rows  5 rows/s  ETA 0:01");
}

}  // namespace
}  // namespace gs::import
