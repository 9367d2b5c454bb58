#pragma once

// The standard Prometheus process metrics (process_resident_memory_bytes, process_open_fds,
// ...), read from /proc: what an operator sizes an instance by, and what the SSE load
// benchmark reads the server's memory from.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gs::metrics {

struct ProcessStats {
    std::uint64_t resident_bytes = 0;
    std::uint64_t virtual_bytes = 0;
    double cpu_seconds = 0;         // user + system
    double start_time_seconds = 0;  // since the Unix epoch
    std::uint64_t open_fds = 0;
    std::uint64_t max_fds = 0;
    std::uint64_t threads = 0;
};

// Parses the one line of /proc/<pid>/stat. `ticks_per_second` is sysconf(_SC_CLK_TCK),
// `page_size` sysconf(_SC_PAGESIZE), `boot_time` the btime of /proc/stat. Fills the
// memory, CPU, thread and start-time fields; nullopt when the line is malformed.
std::optional<ProcessStats> parse_proc_stat(std::string_view line, long ticks_per_second,
                                            long page_size, std::uint64_t boot_time);

// This process now; fields that cannot be read stay 0.
ProcessStats read_process_stats();

// Appends process_* metrics in the Prometheus text format.
void render_process_metrics(std::string& out);

}  // namespace gs::metrics
