#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace gs::cache {

// The two response bodies of a signal, as a shared tier keeps them.
struct SignalBodies {
    std::string full;     // with the agent list; empty when it was not written (SignalEntry)
    std::string summary;  // without it
};

// A shared store of signal bodies behind the in-process L1 (L2: Redis in a cluster). Keys
// name one exact computation, so a value never goes stale. A tier is best effort: every
// failure (down, timeout, corrupt value) is a miss or a skipped write, never an error for
// the request.
class SignalTier {
  public:
    virtual ~SignalTier() = default;

    virtual boost::asio::awaitable<std::optional<SignalBodies>> get(std::string key) = 0;
    // The bodies are views of the caller's text (a cached entry's, 12 KB with the agents: a
    // copy per signal cost a large allocation); they must stay valid until the put completes.
    virtual boost::asio::awaitable<void> put(std::string key, std::string_view full,
                                             std::string_view summary) = 0;
    // The tier's own lines of /metrics (Prometheus text format); none by default.
    virtual void render_metrics(std::string& /*out*/) const {}
};

// No shared tier (one instance alone): every get misses, every put is dropped.
class NoSignalTier final : public SignalTier {
  public:
    boost::asio::awaitable<std::optional<SignalBodies>> get(std::string) override {
        co_return std::nullopt;
    }
    boost::asio::awaitable<void> put(std::string, std::string_view, std::string_view) override {
        co_return;
    }
};

}  // namespace gs::cache
