#include "goldensignals/metrics/registry.h"

namespace gs::metrics {

void Registry::add_collector(Collector collector) {
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
    std::string out;
    out.reserve(16 * 1024);
    std::lock_guard lock(mutex_);
    for (const auto& collector : collectors_) {
        collector(out);
    }
    return out;
}

}  // namespace gs::metrics
