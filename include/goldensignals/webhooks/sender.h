#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace gs::webhooks {

struct OutgoingPost {
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// What came of one POST.
struct SendResult {
    std::optional<int> status;  // set when the receiver answered
    std::string error;          // empty when it answered; else what went wrong
    // False for a refusal that will not change by retrying (the URL's address is not allowed).
    bool retryable = true;
};

// The HTTP client of the deliveries: the I/O seam tests replace.
class Sender {
  public:
    virtual ~Sender() = default;
    virtual boost::asio::awaitable<SendResult> post(OutgoingPost request) = 0;
};

struct SenderOptions {
    // The whole attempt: resolve, connect, TLS handshake, write, read.
    std::chrono::milliseconds timeout{10'000};
    // Loopback, private, link-local ... addresses allowed (address_policy.h).
    bool allow_private = false;
    // Extra CA certificates (PEM) trusted besides the system's.
    std::string ca_file;
};

// Beast over TCP, and over OpenSSL for https: certificate verification against the system's
// CAs (and options.ca_file), SNI, host name check. Resolves the host, drops the addresses
// address_policy refuses, connects only to those that remain (no second lookup a DNS answer
// could change in between), follows no redirect. Throws config-style std::runtime_error from
// create() when the CA file cannot be loaded.
std::unique_ptr<Sender> make_beast_sender(boost::asio::any_io_executor executor,
                                          const SenderOptions& options);

}  // namespace gs::webhooks
