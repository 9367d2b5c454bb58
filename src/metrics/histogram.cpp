#include "goldensignals/metrics/histogram.h"

#include <algorithm>

#include <fmt/format.h>

namespace gs::metrics {

void Histogram::observe(std::chrono::nanoseconds elapsed) noexcept {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    auto it = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);
    counts_[static_cast<std::size_t>(it - kLatencyBuckets.begin())].fetch_add(
        1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0)),
                      std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
    auto sep = labels.empty() ? "" : ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels,
                       sep, kLatencyBuckets[i], cumulative);
    }
    cumulative += counts_.back().load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep,
                   cumulative);
    const double sum = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    if (labels.empty()) {
        fmt::format_to(std::back_inserter(out), "{}_sum {}\n{}_count {}\n", name, sum, name,
                       cumulative);
    } else {
        fmt::format_to(std::back_inserter(out), "{}_sum{{{}}} {}\n{}_count{{{}}} {}\n", name,
                       labels, sum, name, labels, cumulative);
    }
}

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace gs::metrics
