#include "goldensignals/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace gs::metrics {

namespace {

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::uint64_t boot_time_seconds() {
    const std::string stat = read_file("/proc/stat");
    const auto at = stat.find("\nbtime ");
    if (at == std::string::npos) {
        return 0;
    }
    std::uint64_t value = 0;
    const char* begin = stat.data() + at + 7;
    std::from_chars(begin, stat.data() + stat.size(), value);
    return value;
}

}  // namespace

std::optional<ProcessStats> parse_proc_stat(std::string_view line, long ticks_per_second,
                                            long page_size, std::uint64_t boot_time) {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are
    // counted from the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string_view::npos || ticks_per_second <= 0 || page_size <= 0) {
        return std::nullopt;
    }
    std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
    std::string_view rest = line.substr(close + 1);
    while (!rest.empty()) {
        const auto start = rest.find_first_not_of(" \n");
        if (start == std::string_view::npos) {
            break;
        }
        rest.remove_prefix(start);
        const auto end = std::min(rest.find_first_of(" \n"), rest.size());
        fields.push_back(rest.substr(0, end));
        rest.remove_prefix(end);
    }
    auto field = [&fields](std::size_t number, std::uint64_t& value) {
        const std::size_t i = number - 3;
        if (i >= fields.size()) {
            return false;
        }
        const auto f = fields[i];
        auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
        return ec == std::errc{} && end == f.data() + f.size();
    };
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    std::uint64_t threads = 0;
    std::uint64_t start_ticks = 0;
    std::uint64_t vsize = 0;
    std::uint64_t rss_pages = 0;
    if (!field(14, utime) || !field(15, stime) || !field(20, threads) || !field(22, start_ticks) ||
        !field(23, vsize) || !field(24, rss_pages)) {
        return std::nullopt;
    }
    const auto ticks = static_cast<double>(ticks_per_second);
    ProcessStats stats;
    stats.cpu_seconds = static_cast<double>(utime + stime) / ticks;
    stats.threads = threads;
    stats.start_time_seconds =
        static_cast<double>(boot_time) + static_cast<double>(start_ticks) / ticks;
    stats.virtual_bytes = vsize;
    stats.resident_bytes = rss_pages * static_cast<std::uint64_t>(page_size);
    return stats;
}

ProcessStats read_process_stats() {
    ProcessStats stats;
    if (auto parsed = parse_proc_stat(read_file("/proc/self/stat"), sysconf(_SC_CLK_TCK),
                                      sysconf(_SC_PAGESIZE), boot_time_seconds())) {
        stats = *parsed;
    }
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        ++stats.open_fds;
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        stats.max_fds = limit.rlim_cur;
    }
    return stats;
}

void render_process_metrics(std::string& out) {
    const ProcessStats s = read_process_stats();
    auto metric = [&out](std::string_view name, std::string_view type, std::string_view help,
                         auto value) {
        fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name,
                       help, type, value);
    };
    metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
           s.resident_bytes);
    metric("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
           s.virtual_bytes);
    metric("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.",
           s.cpu_seconds);
    metric("process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch in seconds.", s.start_time_seconds);
    metric("process_open_fds", "gauge", "Open file descriptors.", s.open_fds);
    metric("process_max_fds", "gauge", "Maximum number of open file descriptors.", s.max_fds);
    metric("process_threads", "gauge", "Threads of the process.", s.threads);
}

}  // namespace gs::metrics
