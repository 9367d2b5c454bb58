#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "goldensignals/config/options.h"
#include "goldensignals/health/readiness.h"
#include "goldensignals/http/router.h"
#include "goldensignals/http/server.h"
#include "goldensignals/metrics/http_metrics.h"
#include "goldensignals/metrics/registry.h"

namespace gs::testing {

// A real Server on a free loopback port, run by its own io_context threads.
// Add routes to `router` before calling start().
class TestServer {
  public:
    explicit TestServer(config::ServerOptions options = default_options());
    ~TestServer();

    static config::ServerOptions default_options();

    // Runs the loop on options.threads threads (the server's strands depend on that count).
    void start();
    // Graceful shutdown, as SIGTERM does; blocks until the io_context threads end.
    void stop();

    std::uint16_t port() const { return port_; }
    // Connections the server holds waiting for their next request.
    std::size_t idle_connections() const;

    boost::asio::io_context io;
    http::Router router;
    health::Readiness readiness;
    metrics::Registry registry;

  private:
    config::ServerOptions options_;
    std::unique_ptr<metrics::HttpMetrics> metrics_;
    std::unique_ptr<http::Server> server_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
    bool stopped_ = false;
};

struct RawResponse {
    unsigned status = 0;
    std::string body;
    std::string header(const std::string& name) const;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Sends `raw` bytes on a new connection and reads `count` responses (0 = until close).
std::vector<RawResponse> exchange(std::uint16_t port, const std::string& raw,
                                  std::size_t count = 1);

// One request with the usual headers and Connection: close.
RawResponse request(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = {}, const std::string& content_type = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace gs::testing
