#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace gs::metrics {

// Components own their counters (plain atomics, no lock on the hot path) and register a
// collector that appends their lines in the Prometheus text format when /metrics is read.
class Registry final {
  public:
    using Collector = std::function<void(std::string& out)>;

    void add_collector(Collector collector);
    std::string render() const;

  private:
    mutable std::mutex mutex_;
    std::vector<Collector> collectors_;
};

}  // namespace gs::metrics
