#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/timeframe.h"

namespace gs::store {

// Defined with the PostgreSQL store (pg_signal_store.h).
struct SignalRow;
struct LatestSignal;

// The durable record of computed signals as the signal service uses it (L3): the latest
// signal of a series, and every new one kept.
class SignalArchive {
  public:
    virtual ~SignalArchive() = default;

    // The newest kept signal of the series, nullopt when none. Throws when the archive is
    // unreachable (the caller computes instead).
    virtual boost::asio::awaitable<std::optional<LatestSignal>> latest(
        std::string symbol, market::Timeframe timeframe) = 0;
    // Keeps a new signal (possibly written behind: waits for room, never drops). Throws when
    // the row cannot be taken.
    virtual boost::asio::awaitable<void> enqueue(SignalRow row) = 0;
    // False when enqueue() keeps nothing: the caller then builds no row (its packed form and
    // catalog columns cost work per signal).
    virtual bool keeps_rows() const noexcept { return true; }
};

// No archive (no PostgreSQL): nothing is kept, nothing is found.
class NoSignalArchive final : public SignalArchive {
  public:
    boost::asio::awaitable<std::optional<LatestSignal>> latest(
        std::string symbol, market::Timeframe timeframe) override;
    boost::asio::awaitable<void> enqueue(SignalRow row) override;
    bool keeps_rows() const noexcept override { return false; }
};

}  // namespace gs::store
