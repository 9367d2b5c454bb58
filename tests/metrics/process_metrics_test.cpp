#include "goldensignals/metrics/process_metrics.h"

#include <gtest/gtest.h>

namespace gs::metrics {
namespace {

// Field layout from proc(5); the command name holds a space and parentheses on purpose.
constexpr std::string_view kStat =
    "1234 (gs (odd) name) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 7 0 12345 "
    "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetricsTest, ParsesProcStatCountingFieldsAfterTheCommandName) {
    const auto stats = parse_proc_stat(kStat, 100, 4096, 1'700'000'000);
    ASSERT_TRUE(stats);
    EXPECT_DOUBLE_EQ(stats->cpu_seconds, 3.0);  // (250 + 50) ticks at 100 per second
    EXPECT_EQ(stats->threads, 7u);
    EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1'700'000'123.45);
    EXPECT_EQ(stats->virtual_bytes, 104'857'600u);
    EXPECT_EQ(stats->resident_bytes, 2560u * 4096u);
}

TEST(ProcessMetricsTest, RejectsATruncatedOrMalformedLine) {
    EXPECT_FALSE(parse_proc_stat("1234 (gs) S 1 2 3", 100, 4096, 0));
    EXPECT_FALSE(parse_proc_stat("no parenthesis here", 100, 4096, 0));
    std::string bad(kStat);
    bad.replace(bad.find(" 2560 "), 6, " 25x0 ");
    EXPECT_FALSE(parse_proc_stat(bad, 100, 4096, 0));
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
    const auto stats = read_process_stats();
    EXPECT_GT(stats.resident_bytes, 1u << 20);
    EXPECT_GE(stats.virtual_bytes, stats.resident_bytes);
    EXPECT_GE(stats.threads, 1u);
    EXPECT_GE(stats.open_fds, 3u);  // at least stdin, stdout, stderr
    EXPECT_GE(stats.max_fds, stats.open_fds);
}

TEST(ProcessMetricsTest, RendersPrometheusNames) {
    std::string out;
    render_process_metrics(out);
    for (const char* line :
         {"# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ",
          "# TYPE process_cpu_seconds_total counter\n", "process_open_fds ", "process_max_fds ",
          "process_start_time_seconds "}) {
        EXPECT_NE(out.find(line), std::string::npos) << line;
    }
}

}  // namespace
}  // namespace gs::metrics
