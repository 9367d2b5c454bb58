#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "goldensignals/health/readiness.h"

namespace gs::health {

// Checks configured dependencies on its own thread (the checks block) and records each
// result in Readiness. Stops and joins on destruction.
class Prober final {
  public:
    using Check = std::function<bool()>;

    Prober(Readiness& readiness, std::chrono::milliseconds interval);
    ~Prober();
    Prober(const Prober&) = delete;
    Prober& operator=(const Prober&) = delete;

    // Register before start(). The first check runs at once.
    void add(std::string dependency, Check check);
    void start();
    void stop();

  private:
    void run();

    Readiness& readiness_;
    std::chrono::milliseconds interval_;
    std::vector<std::pair<std::string, Check>> checks_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace gs::health
