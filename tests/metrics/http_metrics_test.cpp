#include "goldensignals/metrics/http_metrics.h"

#include <gtest/gtest.h>

#include "goldensignals/metrics/registry.h"

namespace gs::metrics {
namespace {

TEST(HttpMetricsTest, CountsByRouteAndStatus) {
    HttpMetrics metrics({{"GET", "/healthz"}, {"POST", "/v1/x"}});
    metrics.record(0, 200, std::chrono::microseconds(50));
    metrics.record(0, 200, std::chrono::milliseconds(3));
    metrics.record(1, 404, std::chrono::milliseconds(1));
    metrics.record(metrics.unmatched_route(), 404, std::chrono::milliseconds(1));
    std::string out;
    metrics.render(out);
    EXPECT_NE(
        out.find("gs_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n"),
        std::string::npos)
        << out;
    EXPECT_NE(
        out.find("gs_http_requests_total{method=\"POST\",route=\"/v1/x\",status=\"404\"} 1\n"),
        std::string::npos);
    EXPECT_NE(
        out.find("gs_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 1\n"),
        std::string::npos);
    // 50 us lands in the first bucket; 3 ms only from le=0.005 on.
    EXPECT_NE(out.find("gs_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                       "healthz\",status=\"200\","
                       "le=\"0.0001\"} 1\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("gs_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                       "healthz\",status=\"200\","
                       "le=\"0.005\"} 2\n"),
              std::string::npos);
    EXPECT_NE(out.find("gs_http_request_duration_seconds_count{method=\"GET\",route=\"/"
                       "healthz\",status=\"200\"} 2"),
              std::string::npos);
}

TEST(HttpMetricsTest, TracksOpenConnections) {
    HttpMetrics metrics({});
    metrics.connection_opened();
    metrics.connection_opened();
    metrics.connection_closed();
    std::string out;
    metrics.render(out);
    EXPECT_NE(out.find("gs_http_open_connections 1\n"), std::string::npos);
}

TEST(RegistryTest, RendersEveryCollectorInOrder) {
    Registry registry;
    registry.add_collector([](std::string& out) { out += "a 1\n"; });
    registry.add_collector([](std::string& out) { out += "b 2\n"; });
    EXPECT_EQ(registry.render(), "a 1\nb 2\n");
}

TEST(EscapeLabelTest, EscapesQuotesBackslashesAndNewlines) {
    EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace gs::metrics
