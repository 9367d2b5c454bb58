#include "goldensignals/app/components.h"

#include <thread>

#include <spdlog/spdlog.h>

namespace gs::app {

void Components::add(std::string name, Start start, Stop stop) {
    parts_.push_back({std::move(name), std::move(start), std::move(stop)});
}

void Components::start() {
    for (auto& part : parts_) {
        if (part.start) {
            part.start();
        }
    }
}

boost::asio::awaitable<void> Components::stop() {
    for (auto it = parts_.rbegin(); it != parts_.rend(); ++it) {
        if (!it->stop) {
            continue;
        }
        try {
            co_await it->stop();
        } catch (const std::exception& e) {
            spdlog::error("stopping {} failed: {}", it->name, e.what());
        }
    }
}

std::vector<std::string> Components::names() const {
    std::vector<std::string> out;
    for (const auto& part : parts_) {
        out.push_back(part.name);
    }
    return out;
}

void run_on_threads(boost::asio::io_context& io, unsigned threads) {
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) {
        pool.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& t : pool) {
        t.join();
    }
}

}  // namespace gs::app
