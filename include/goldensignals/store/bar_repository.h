#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/timeframe.h"

namespace gs::store {

// Durable bars, as ingest (write first) and the bar sync (reload) use them.
class BarRepository {
  public:
    virtual ~BarRepository() = default;

    // Returns once the bars are committed (acknowledged means durable); the number of
    // distinct bars stored. `bars` must stay alive until the call completes. Throws when
    // they are not stored.
    virtual boost::asio::awaitable<std::size_t> upsert(std::string symbol,
                                                       market::Timeframe timeframe,
                                                       std::span<const market::Bar> bars) = 0;
    // The newest `newest_n` bars, oldest first; empty for an unknown series. Throws when
    // unreachable.
    virtual boost::asio::awaitable<std::vector<market::Bar>> load(std::string symbol,
                                                                  market::Timeframe timeframe,
                                                                  std::size_t newest_n) = 0;
};

// No durable store (one instance alone): bars live in memory only.
class NoBarRepository final : public BarRepository {
  public:
    boost::asio::awaitable<std::size_t> upsert(std::string, market::Timeframe,
                                               std::span<const market::Bar>) override {
        co_return 0;
    }
    boost::asio::awaitable<std::vector<market::Bar>> load(std::string, market::Timeframe,
                                                          std::size_t) override {
        co_return std::vector<market::Bar>{};
    }
};

}  // namespace gs::store
