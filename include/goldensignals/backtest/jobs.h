#pragma once

// Universe backtests as jobs (POST /v1/backtests): queued, run one at a time, one symbol per
// compute task (live work interleaves with a long job), cancellable, and kept for a while
// after they finish. The figures of each symbol come from backtest::run, as a single-symbol
// backtest's do.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json_fwd.hpp>

#include "goldensignals/backtest/figures.h"
#include "goldensignals/backtest/universe.h"
#include "goldensignals/market/timeframe.h"

namespace gs::backtest {

struct JobLimits {
    std::size_t max_symbols = 5'000;       // symbols one job may name (or "*" resolve to)
    std::size_t max_active = 4;            // jobs queued or running at once
    std::size_t max_kept = 64;             // jobs kept in all; the oldest finished go first
    std::chrono::seconds keep_for{3'600};  // how long a finished job stays readable
};

// What a job tests: the symbols (resolved, in order) and a single backtest's options.
struct JobSpec {
    std::vector<std::string> symbols;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::optional<std::int64_t> from;
    std::optional<std::int64_t> to;
    Options options;
};

enum class JobStatus { kQueued, kRunning, kDone, kCancelled, kFailed };
const char* to_string(JobStatus status) noexcept;

// Refused at submit: too many jobs are queued or running.
class JobsBusy : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Tests one symbol on the calling (compute) thread; throws to give the symbol an error.
using SymbolRunner = std::function<SymbolResult(const std::string& symbol, const JobSpec& spec)>;
// The bars a symbol's walk will take (for progress and the time left); 0 when it has none.
using BarCounter = std::function<std::size_t(const std::string& symbol, const JobSpec& spec)>;
// Makes the symbol's bars available before it runs (a series not in memory is loaded,
// docs/memory.md) and returns what keeps them there until the symbol is done (a pin); throws to
// give the symbol an error.
using SymbolLoader = std::function<boost::asio::awaitable<std::shared_ptr<void>>(
    std::string symbol, market::Timeframe timeframe)>;

class JobRegistry final {
  public:
    using Clock = std::function<std::int64_t()>;  // epoch milliseconds

    JobRegistry(boost::asio::any_io_executor io, boost::asio::any_io_executor compute,
                SymbolRunner run, BarCounter count, JobLimits limits = {}, Clock clock = {});
    ~JobRegistry();
    JobRegistry(const JobRegistry&) = delete;
    JobRegistry& operator=(const JobRegistry&) = delete;

    const JobLimits& limits() const noexcept { return limits_; }
    // Set before the first submit: each symbol is loaded through it before it runs.
    void set_loader(SymbolLoader load);

    // Queues the job and returns its id; throws JobsBusy.
    std::string submit(JobSpec spec);
    // The job as GET /v1/backtests/{id} serves it (docs/backtest.md); without `results`, only
    // its status and progress (the SSE events). nullopt: no such job (or it expired).
    std::optional<nlohmann::json> describe(const std::string& id, bool results = true);
    // Grows whenever the job's status or progress changes; nullopt: no such job.
    std::optional<std::uint64_t> revision(const std::string& id);
    // Cancels a queued or running job (a running one stops after its current symbol); false:
    // no such job. A finished job is left as it is.
    bool cancel(const std::string& id);

    // Defined in jobs.cpp; shared with the coroutine that runs the queue.
    struct Job;
    struct State;

  private:
    std::shared_ptr<State> state_;
    JobLimits limits_;
};

}  // namespace gs::backtest
