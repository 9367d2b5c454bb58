#include "goldensignals/store/signal_archive.h"

#include "goldensignals/store/pg_signal_store.h"

namespace gs::store {

boost::asio::awaitable<std::optional<LatestSignal>> NoSignalArchive::latest(std::string,
                                                                            market::Timeframe) {
    co_return std::nullopt;
}

boost::asio::awaitable<void> NoSignalArchive::enqueue(SignalRow) {
    co_return;
}

}  // namespace gs::store
