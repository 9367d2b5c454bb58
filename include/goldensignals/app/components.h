#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace gs::app {

// The parts of the process that run until shutdown, started in the order they were added and
// stopped in the reverse order (a part stops before the parts it uses).
class Components final {
  public:
    using Start = std::function<void()>;
    using Stop = std::function<boost::asio::awaitable<void>()>;

    // Either may be empty (a part started elsewhere, or one with nothing to stop).
    void add(std::string name, Start start, Stop stop);
    void start();
    // Awaits each stop in turn; a failing stop is logged and the next still runs.
    boost::asio::awaitable<void> stop();

    std::vector<std::string> names() const;

  private:
    struct Part {
        std::string name;
        Start start;
        Stop stop;
    };
    std::vector<Part> parts_;
};

// Runs `io` on the calling thread and `threads - 1` more until it stops, then joins them.
void run_on_threads(boost::asio::io_context& io, unsigned threads);

}  // namespace gs::app
